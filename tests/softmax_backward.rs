//! The softmax and log-softmax backward passes (from the forward's output): against the same
//! formula in f64 on the same inputs (the catalogue's `RowBackwardSpec::reference`), within its
//! budget (2 ULP of the output type) plus the documented absolute terms (`slack`), for widths 1 to
//! 2^16 (`max_width_tested`) and several logit and gradient distributions, f32, bf16
//! and f16, on every ISA; the same bits on every ISA, `par` equal to serial, NaN rows, and the
//! size checks.

mod common;

use common::all_kernels;
use simd_activations::catalogue::{RowBackwardSpec, RowSpec};
use simd_activations::ulp::ulp_of_in;
use simd_activations::{Element, Kernels, bf16, f16};

/// The catalogue's backward pass of the row-wise op `name`.
fn spec(name: &str) -> &'static RowBackwardSpec {
    RowSpec::find(name)
        .and_then(|op| op.backward.as_ref())
        .unwrap_or_else(|| panic!("no {name}_backward in the catalogue"))
}

/// A deterministic spread of values in [-1, 1) (Weyl sequence).
fn spread(i: usize, seed: f64) -> f64 {
    ((i as f64 * 0.618_033_988_749_895 + seed).fract()) * 2.0 - 1.0
}

/// Softmax outputs (from logits over [-`scale`, `scale`]) and gradients for `rows` rows.
fn inputs<T: Element>(width: usize, rows: usize, scale: f64, grad_scale: f64) -> (Vec<T>, Vec<T>) {
    let mut y = Vec::with_capacity(width * rows);
    let mut g = Vec::with_capacity(width * rows);
    for r in 0..rows {
        let logits: Vec<f64> = (0..width)
            .map(|i| scale * spread(r * width + i, 0.1))
            .collect();
        let m = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let sum: f64 = logits.iter().map(|l| (l - m).exp()).sum();
        y.extend(logits.iter().map(|l| T::from_f64((l - m).exp() / sum)));
        g.extend((0..width).map(|i| T::from_f64(grad_scale * spread(r * width + i, 0.7))));
    }
    (y, g)
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

/// Checks `softmax_backward` (or, with `log`, `log_softmax_backward` on `ln y`) on every ISA.
fn check<T: Element>(log: bool, width: usize, rows: usize, scale: f64, grad_scale: f64) -> f64 {
    let (y, g) = inputs::<T>(width, rows, scale, grad_scale);
    let y: Vec<T> = if log {
        y.iter()
            .map(|v| T::from_f64(f64::from(v.to_f32()).ln()))
            .collect()
    } else {
        y
    };
    let name = if log { "log_softmax" } else { "softmax" };
    let b = spec(name);
    let mut worst = 0.0_f64;
    let mut first: Option<Vec<u32>> = None;
    for k in all_kernels() {
        let mut out = vec![T::from_f32(0.0); y.len()];
        if log {
            k.log_softmax_backward(&y, &g, width, &mut out);
        } else {
            k.softmax_backward(&y, &g, width, &mut out);
        }
        for r in 0..rows {
            let row = r * width..(r + 1) * width;
            let yr: Vec<f64> = y[row.clone()]
                .iter()
                .map(|v| f64::from(v.to_f32()))
                .collect();
            let gr: Vec<f64> = g[row.clone()]
                .iter()
                .map(|v| f64::from(v.to_f32()))
                .collect();
            let (exact_row, slack_row) = ((b.reference)(&yr, &gr), (b.slack)(&yr, &gr));
            for i in 0..width {
                let (exact, slack) = (exact_row[i], slack_row[i]);
                let got = f64::from(out[r * width + i].to_f32());
                if T::from_f64(exact).to_f32().is_infinite() {
                    // Beyond the type's range (f16 above 65504): the rounded value is inf.
                    assert!(got.is_infinite() && (got > 0.0) == (exact > 0.0));
                    continue;
                }
                let allowed = b.ulp_in::<T>() * ulp_of_in::<T>(exact) + slack;
                let err = (got - exact).abs();
                assert!(
                    err <= allowed,
                    "{name}_backward {} {} width {width}: y {} g {} -> {got}, exact {exact} (allowed {allowed:e})",
                    T::NAME,
                    k.isa(),
                    yr[i],
                    gr[i],
                );
                if b.counts_in_ulp::<T>(exact, slack) {
                    worst = worst.max(err / ulp_of_in::<T>(exact));
                }
            }
        }
        match &first {
            None => first = Some(bits(&out)),
            Some(f) => assert_eq!(*f, bits(&out), "{} differs from the first ISA", k.isa()),
        }
    }
    worst
}

#[test]
fn within_budget_on_every_isa_width_and_type() {
    let widths: &[usize] = if common::thin() > 1 {
        &[1, 3, 64, 1000]
    } else {
        &[1, 2, 3, 17, 64, 1000, 4096, 1 << 16]
    };
    for name in ["softmax", "log_softmax"] {
        let widest = spec(name).max_width_tested;
        assert!(
            widths.iter().all(|&w| w <= widest),
            "{name}_backward: the catalogue claims widths up to {widest} only"
        );
    }
    let mut lines = Vec::new();
    for log in [false, true] {
        let mut worst = [0.0_f64; 3];
        for &w in widths {
            let rows = (1 << 16) / w.max(1) / 8 + 1;
            for (scale, grad_scale) in [(1.0, 1.0), (20.0, 1e-3), (60.0, 3e4)] {
                worst[0] = worst[0].max(check::<f32>(log, w, rows, scale, grad_scale));
                worst[1] = worst[1].max(check::<bf16>(log, w, rows, scale, grad_scale));
                worst[2] = worst[2].max(check::<f16>(log, w, rows, scale, grad_scale));
            }
        }
        lines.push(format!(
            "{}: f32 {:.3} bf16 {:.3} f16 {:.3} (ULP, where nothing cancels)",
            if log {
                "log_softmax_backward"
            } else {
                "softmax_backward"
            },
            worst[0],
            worst[1],
            worst[2]
        ));
    }
    common::note(&lines.join("\n"));
}

#[test]
fn par_and_free_functions_match_serial() {
    let width = 1000;
    let (y, g) = inputs::<f32>(width, 300, 5.0, 1.0);
    let k = Kernels::global();
    let par = k.par().with_min_len(4096);
    let mut serial = vec![0.0; y.len()];
    k.softmax_backward(&y, &g, width, &mut serial);
    let mut other = vec![0.0; y.len()];
    par.softmax_backward(&y, &g, width, &mut other);
    assert_eq!(bits(&other), bits(&serial), "par softmax_backward");
    simd_activations::softmax_backward(&y, &g, width, &mut other);
    assert_eq!(bits(&other), bits(&serial), "free softmax_backward");
    let ly: Vec<f32> = y.iter().map(|v| v.ln()).collect();
    k.log_softmax_backward(&ly, &g, width, &mut serial);
    par.log_softmax_backward(&ly, &g, width, &mut other);
    assert_eq!(bits(&other), bits(&serial), "par log_softmax_backward");
    simd_activations::par::log_softmax_backward(&ly, &g, width, &mut other);
    assert_eq!(bits(&other), bits(&serial), "par:: log_softmax_backward");
}

#[test]
fn a_nan_poisons_its_row_only() {
    for k in all_kernels() {
        let y = [0.5_f32, 0.5, f32::NAN, 0.5];
        let g = [1.0_f32, 2.0, 1.0, 1.0];
        let mut out = [0.0_f32; 4];
        k.softmax_backward(&y, &g, 2, &mut out);
        assert!(
            out[0].is_finite() && out[1].is_finite(),
            "{}: {out:?}",
            k.isa()
        );
        assert!(out[2].is_nan() && out[3].is_nan(), "{}: {out:?}", k.isa());
        k.log_softmax_backward(
            &[-1.0, -1.0, -1.0, -1.0],
            &[1.0, 1.0, f32::NAN, 1.0],
            2,
            &mut out,
        );
        assert!(
            out[0].is_finite() && out[2].is_nan() && out[3].is_nan(),
            "{}: {out:?}",
            k.isa()
        );
    }
}

#[test]
#[should_panic(expected = "softmax_backward")]
fn sizes_that_do_not_fit_panic_with_the_function_name() {
    let mut out = [0.0_f32; 4];
    simd_activations::softmax_backward(&[0.25_f32; 4], &[1.0; 4], 3, &mut out);
}
