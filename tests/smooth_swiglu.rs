//! Smooth-SwiGLU (per-channel scaled SwiGLU): every output against the f64 reference within
//! the catalogue budget for f32, bf16 and f16 on every ISA, over gates from -110 to 20, ups and
//! scales of many magnitudes and several channel counts (with the gated ops' allowance where
//! silu(gate) is an f32 subnormal); the four layouts and `par` give the
//! same bits; the size checks panic with clear messages.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, show};
use simd_activations::catalogue::consts::{SMOOTH_SWIGLU_ULP_F32, SMOOTH_SWIGLU_ULP_HALF};
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Element, Kernels, bf16, f16, reference};

/// `rows` rows of `width`: gates over [-110, 20] (dense near 0), ups and scales of both signs
/// from 1e-3 to 1e3.
fn inputs(rows: usize, width: usize) -> (Vec<f32>, Vec<f32>, Vec<f32>) {
    let n = rows * width;
    let gate = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            (-110.0 + 130.0 * t * t.sqrt() + 0.37 * (i % 11) as f64) as f32
        })
        .collect();
    let up = (0..n)
        .map(|i| {
            let s = if i % 2 == 0 { 1.0 } else { -1.0 };
            (s * 10f64.powf(-3.0 + 6.0 * ((i * 7919) % 1000) as f64 / 1000.0)) as f32
        })
        .collect();
    let scale = (0..width)
        .map(|c| {
            (10f64.powf(-3.0 + 6.0 * (c % 13) as f64 / 12.0) * if c % 3 == 0 { -1.0 } else { 1.0 })
                as f32
        })
        .collect();
    (gate, up, scale)
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

fn check<T: Element>(budget: f64, failures: &mut Vec<String>) -> f64 {
    let mut worst = 0.0_f64;
    for width in [1, 7, 33, 768] {
        let rows = 40_000 / width + 1;
        let (g, u, scale) = inputs(rows, width);
        let g: Vec<T> = g.iter().map(|&v| T::from_f32(v)).collect();
        let u: Vec<T> = u.iter().map(|&v| T::from_f32(v)).collect();
        let mut first: Option<Vec<u32>> = None;
        for k in all_kernels() {
            let mut out = vec![T::from_f32(0.0); g.len()];
            k.smooth_swiglu(&g, &u, &scale, &mut out);
            for (i, &y) in out.iter().enumerate() {
                let (gi, ui) = (f64::from(g[i].to_f32()), f64::from(u[i].to_f32()));
                let exact = reference::swiglu(gi, ui) * f64::from(scale[i % width]);
                let err = ulp_distance_in(y, exact);
                // As for the gated ops (tests/gated.rs): where silu(gate) itself is not a
                // normal f32, its absolute error 2^-149 scaled by up * scale is all f32 lanes
                // can carry.
                let normal = reference::silu(gi).abs() >= f64::from(f32::MIN_POSITIVE);
                let ok = if normal {
                    worst = worst.max(err);
                    err <= budget
                } else {
                    let allowed = budget * ulp_of_in::<T>(exact)
                        + (ui * f64::from(scale[i % width])).abs() * 2f64.powi(-149);
                    (f64::from(y.to_f32()) - exact).abs() <= allowed
                };
                if !ok {
                    failures.push(format!(
                        "{} {} width {width}: gate {} up {} scale {} -> {} ({err} ULP from {exact:e})",
                        T::NAME,
                        k.isa(),
                        show(g[i].to_f32()),
                        show(u[i].to_f32()),
                        scale[i % width],
                        show(y.to_f32())
                    ));
                    break;
                }
            }
            // The other layouts.
            let mut inplace = g.clone();
            k.smooth_swiglu_inplace(&mut inplace, &u, &scale);
            let mut fused = Vec::with_capacity(2 * g.len());
            let mut pairs = Vec::with_capacity(2 * g.len());
            for r in 0..rows {
                fused.extend_from_slice(&g[r * width..(r + 1) * width]);
                fused.extend_from_slice(&u[r * width..(r + 1) * width]);
            }
            for i in 0..g.len() {
                pairs.push(g[i]);
                pairs.push(u[i]);
            }
            let mut rows_out = vec![T::from_f32(0.0); g.len()];
            k.smooth_swiglu_rows(&fused, &scale, &mut rows_out);
            let mut inter_out = vec![T::from_f32(0.0); g.len()];
            k.smooth_swiglu_interleaved(&pairs, &scale, &mut inter_out);
            let mut par_out = vec![T::from_f32(0.0); g.len()];
            k.par()
                .with_min_len(1000)
                .smooth_swiglu(&g, &u, &scale, &mut par_out);
            let mut par_rows = vec![T::from_f32(0.0); g.len()];
            k.par()
                .with_min_len(1000)
                .smooth_swiglu_rows(&fused, &scale, &mut par_rows);
            for (what, v) in [
                ("in place", &inplace),
                ("rows", &rows_out),
                ("interleaved", &inter_out),
                ("par", &par_out),
                ("par rows", &par_rows),
            ] {
                if bits(v) != bits(&out) {
                    failures.push(format!(
                        "{} {} width {width}: {what} differs",
                        T::NAME,
                        k.isa()
                    ));
                }
            }
            match &first {
                None => first = Some(bits(&out)),
                Some(b) if *b != bits(&out) => failures.push(format!(
                    "{} {} width {width}: differs from the first ISA",
                    T::NAME,
                    k.isa()
                )),
                Some(_) => {}
            }
        }
    }
    worst
}

#[test]
fn every_output_within_budget_in_every_layout() {
    let mut failures = Vec::new();
    let w = check::<f32>(f64::from(SMOOTH_SWIGLU_ULP_F32), &mut failures);
    let wb = check::<bf16>(f64::from(SMOOTH_SWIGLU_ULP_HALF), &mut failures);
    let wh = check::<f16>(f64::from(SMOOTH_SWIGLU_ULP_HALF), &mut failures);
    common::note(&format!(
        "smooth_swiglu: max ULP f32 {w:.3}, bf16 {wb:.3}, f16 {wh:.3}"
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bad_sizes_panic() {
    let k = Kernels::detect();
    let message = |f: &dyn Fn()| {
        let e = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let x = [0.0_f32; 6];
    let msg = message(&|| k.smooth_swiglu(&x, &x, &[], &mut [0.0; 6]));
    assert!(
        msg.contains("simd_activations::smooth_swiglu") && msg.contains("non-empty"),
        "{msg}"
    );
    let msg = message(&|| k.smooth_swiglu(&x, &x, &[1.0; 4], &mut [0.0; 6]));
    assert!(msg.contains("scale of 4 channels"), "{msg}");
    let msg = message(&|| k.smooth_swiglu(&x, &x[..5], &[1.0], &mut [0.0; 6]));
    assert!(msg.contains("up 5"), "{msg}");
    let msg = message(&|| k.smooth_swiglu_rows(&x, &[1.0; 2], &mut [0.0; 3]));
    assert!(msg.contains("smooth_swiglu_rows"), "{msg}");
    let msg = message(&|| k.smooth_swiglu_interleaved(&x, &[1.0; 2], &mut [0.0; 2]));
    assert!(msg.contains("smooth_swiglu_interleaved"), "{msg}");
}
