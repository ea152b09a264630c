//! Softmax and log-softmax over rows: every output of rows of many widths (1 to 2^20) and
//! logit distributions against the f64 reference within the catalogue budget, for f32, bf16 and
//! f16 on every ISA; the same bits on every ISA, in place and out of place, serial and `par`;
//! special rows (NaN, all -inf, +inf entries, -inf entries, one lane); and the size panics.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::all_kernels;
use simd_activations::catalogue::RowSpec;
use simd_activations::ulp::ulp_distance_in;
use simd_activations::{Element, Kernels, bf16, f16, par, reference};

/// SplitMix64: deterministic pseudo-random bits.
fn mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw in [0, 1).
fn uniform(state: &mut u64) -> f64 {
    (mix(state) >> 11) as f64 / (1u64 << 53) as f64
}

/// Logit rows: each `(width, rows, kind)`; kinds are Gaussian-like logits of scales 0.1 to
/// 50, one dominant entry (log-softmax near 0), a spread over [-200, 10] (subnormal and zero
/// probabilities), and -inf entries mixed in.
fn cases() -> Vec<(usize, Vec<f32>)> {
    let widths: &[(usize, usize)] = &[
        (1, 3),
        (2, 8),
        (3, 8),
        (5, 8),
        (17, 6),
        (31, 4),
        (32, 4),
        (33, 4),
        (100, 4),
        (1000, 2),
        (4096, 2),
        (65_537, 1),
        (1 << 20, 1),
    ];
    let mut state = 7;
    let mut out = Vec::new();
    // Emulated runs (SIMD_ACTIVATIONS_TEST_THIN > 1) stop at width 4096.
    let widest = if common::thin() > 1 { 4096 } else { usize::MAX };
    for &(width, rows) in widths.iter().filter(|(w, _)| *w <= widest) {
        for kind in 0..5 {
            let mut x = Vec::with_capacity(width * rows);
            for r in 0..rows {
                for i in 0..width {
                    let u = uniform(&mut state);
                    let g = (u - 0.5) * 3.4 + (uniform(&mut state) - 0.5) * 3.4;
                    let v = match kind {
                        0 => g * 0.1,
                        1 => g * 10.0,
                        2 => g * 50.0,
                        3 if i == r % width => 30.0,
                        3 => g,
                        _ if i % 7 == 3 => f64::NEG_INFINITY,
                        _ => -200.0 + 210.0 * u,
                    };
                    x.push(v as f32);
                }
            }
            out.push((width, x));
        }
    }
    out
}

type RowFn<T> = fn(Kernels, &[T], usize, &mut [T]);
type RowInplaceFn<T> = fn(Kernels, &mut [T], usize);
type RowRef = fn(&[f64]) -> Vec<f64>;

/// The op's out-of-place and in-place entry points for `T`.
fn entry<T: Element>(name: &str) -> (RowFn<T>, RowInplaceFn<T>, RowRef) {
    match name {
        "softmax" => (
            Kernels::softmax,
            Kernels::softmax_inplace,
            reference::softmax,
        ),
        "log_softmax" => (
            Kernels::log_softmax,
            Kernels::log_softmax_inplace,
            reference::log_softmax,
        ),
        _ => panic!("no row op {name}"),
    }
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

/// Checks every output against the reference and the ISAs, in place and par against each
/// other; returns the max error seen, in ULP of `T`.
fn check<T: Element>(spec: &RowSpec, budget: f64, failures: &mut Vec<String>) -> f64 {
    let (f, f_inplace, exact_fn) = entry::<T>(spec.name);
    let mut worst = 0.0_f64;
    for (width, x) in cases() {
        let x: Vec<T> = x.iter().map(|&v| T::from_f32(v)).collect();
        let exact: Vec<f64> = x
            .chunks(width)
            .flat_map(|row| {
                exact_fn(
                    &row.iter()
                        .map(|v| f64::from(v.to_f32()))
                        .collect::<Vec<_>>(),
                )
            })
            .collect();
        let mut first: Option<Vec<u32>> = None;
        for k in all_kernels() {
            let mut out = vec![T::from_f32(0.0); x.len()];
            f(k, &x, width, &mut out);
            for (i, (&y, &e)) in out.iter().zip(&exact).enumerate() {
                let err = ulp_distance_in(y, e);
                worst = worst.max(err);
                if err.is_nan() || err > budget {
                    failures.push(format!(
                        "{} {} {} width {width}: out[{i}] (x = {:e}) = {:e}, exact {e:e}: {err} ULP",
                        spec.name,
                        T::NAME,
                        k.isa(),
                        x[i].to_f32(),
                        y.to_f32()
                    ));
                    break;
                }
            }
            let mut inplace = x.clone();
            f_inplace(k, &mut inplace, width);
            if bits(&inplace) != bits(&out) {
                failures.push(format!(
                    "{} {} {} width {width}: in place differs",
                    spec.name,
                    T::NAME,
                    k.isa()
                ));
            }
            match &first {
                None => first = Some(bits(&out)),
                Some(b) if *b != bits(&out) => failures.push(format!(
                    "{} {} width {width}: {} differs from the first ISA",
                    spec.name,
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
fn every_output_within_budget_on_every_isa_and_type() {
    let mut failures = Vec::new();
    for spec in simd_activations::catalogue::ROWWISE {
        let w32 = check::<f32>(spec, spec.ulp_f32, &mut failures);
        let wb = check::<bf16>(spec, spec.ulp_half, &mut failures);
        let wh = check::<f16>(spec, spec.ulp_half, &mut failures);
        common::note(&format!(
            "{}: max ULP f32 {w32:.3}, bf16 {wb:.3}, f16 {wh:.3}",
            spec.name
        ));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `f(row)` on every ISA, f32, out of place.
fn on_every_isa(name: &str, row: &[f32]) -> Vec<Vec<f32>> {
    let (f, _, _) = entry::<f32>(name);
    all_kernels()
        .into_iter()
        .map(|k| {
            let mut out = vec![0.0; row.len()];
            f(k, row, row.len(), &mut out);
            out
        })
        .collect()
}

#[test]
fn special_rows() {
    let inf = f32::INFINITY;
    let ninf = f32::NEG_INFINITY;
    let quiet = f32::NAN.to_bits();
    for name in ["softmax", "log_softmax"] {
        let log = name == "log_softmax";
        // A NaN anywhere (any payload or sign), or a row of all -inf: the positive quiet NaN.
        for row in [
            vec![1.0, f32::NAN, 2.0],
            vec![f32::from_bits(0xFFC0_1234), 0.0],
            vec![inf, f32::NAN],
            vec![ninf; 37],
            vec![ninf],
        ] {
            for out in on_every_isa(name, &row) {
                assert!(
                    out.iter().all(|v| v.to_bits() == quiet),
                    "{name} {row:?} -> {out:?}"
                );
            }
        }
        // +inf entries share the row; everything else gets 0 (log: -inf).
        let mut row = vec![0.0_f32; 40];
        row[3] = inf;
        row[17] = inf;
        row[39] = inf;
        row[5] = ninf;
        row[6] = f32::MAX;
        for out in on_every_isa(name, &row) {
            for (i, &v) in out.iter().enumerate() {
                let want = if [3, 17, 39].contains(&i) {
                    if log { -(3.0_f32.ln()) } else { 1.0 / 3.0 }
                } else if log {
                    ninf
                } else {
                    0.0
                };
                assert!(
                    v == want || (log && (v - want).abs() <= f32::EPSILON),
                    "{name}: +inf row, out[{i}] = {v}, want {want}"
                );
            }
        }
        // -inf entries among finite ones: probability 0 (log: -inf); a single element: 1 (0).
        for out in on_every_isa(name, &[ninf, 2.0, ninf, -1e30]) {
            let (p0, p3) = if log { (ninf, -1e30) } else { (0.0, 0.0) };
            assert_eq!(out[0], p0, "{name}");
            assert_eq!(out[2], p0, "{name}");
            assert_eq!(out[1], if log { 0.0 } else { 1.0 }, "{name}");
            assert_eq!(out[3], p3, "{name}");
        }
        for v in [-f32::MAX, -1e-40, 0.0, -0.0, 7.0, f32::MAX, inf] {
            for out in on_every_isa(name, &[v]) {
                assert_eq!(
                    out[0].to_bits(),
                    if log { 0 } else { 1.0_f32.to_bits() },
                    "{name}({v})"
                );
            }
        }
        // Huge finite logits (differences up to f32::MAX) do not overflow.
        for out in on_every_isa(name, &[f32::MAX, -f32::MAX, f32::MAX]) {
            if log {
                assert_eq!(
                    out,
                    [-std::f32::consts::LN_2, ninf, -std::f32::consts::LN_2]
                );
            } else {
                assert_eq!(out, [0.5, 0.0, 0.5]);
            }
        }
    }
}

#[test]
fn probabilities_sum_to_one() {
    for (width, x) in cases() {
        if x.iter().all(|v| v.is_finite()) {
            for k in all_kernels() {
                let mut out = vec![0.0_f32; x.len()];
                k.softmax(&x, width, &mut out);
                for row in out.chunks(width) {
                    let sum: f64 = row.iter().map(|&p| f64::from(p)).sum();
                    let n = width as f64;
                    assert!(
                        (sum - 1.0).abs() <= 3.0 * n.sqrt() * f64::from(f32::EPSILON),
                        "{} width {width}: sum {sum}",
                        k.isa()
                    );
                }
            }
        }
    }
}

#[test]
fn par_equals_serial_and_free_functions_match() {
    let width = 1000;
    let rows = 300;
    let mut state = 11;
    let x: Vec<f32> = (0..width * rows)
        .map(|_| ((uniform(&mut state) - 0.5) * 40.0) as f32)
        .collect();
    for spec in simd_activations::catalogue::ROWWISE {
        let k = Kernels::global();
        let mut serial = vec![0.0; x.len()];
        (spec.eval_f32)(k, &x, width, &mut serial);
        let mut free = vec![0.0; x.len()];
        (spec.free_f32)(&x, width, &mut free);
        assert_eq!(bits(&free), bits(&serial), "{}: free function", spec.name);
        for min_len in [1, 4096, 1 << 20] {
            let p = k.par().with_min_len(min_len);
            let mut out = vec![0.0; x.len()];
            (spec.par_f32)(p, &x, width, &mut out);
            assert_eq!(
                bits(&out),
                bits(&serial),
                "{}: par, min_len {min_len}",
                spec.name
            );
        }
        let mut inplace = x.clone();
        (spec.inplace_f32)(k, &mut inplace, width);
        assert_eq!(bits(&inplace), bits(&serial), "{}: in place", spec.name);
    }
    let mut a = x.clone();
    par::softmax_inplace(&mut a, width);
    let mut b = x.clone();
    simd_activations::softmax_inplace(&mut b, width);
    assert_eq!(bits(&a), bits(&b));
    let mut a = x.clone();
    par::log_softmax_inplace(&mut a, width);
    let mut b = vec![0.0; x.len()];
    par::log_softmax(&x, width, &mut b);
    assert_eq!(bits(&a), bits(&b));
}

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
    err.downcast_ref::<String>()
        .cloned()
        .or_else(|| err.downcast_ref::<&str>().map(|s| (*s).to_string()))
        .unwrap_or_default()
}

#[test]
fn bad_sizes_panic_with_a_clear_message() {
    let k = Kernels::detect();
    let x = [0.0_f32; 6];
    let mut out = [0.0_f32; 6];
    let msg = panic_message(|| k.softmax(&x, 0, &mut out));
    assert!(
        msg.contains("simd_activations::softmax") && msg.contains("width = 0"),
        "{msg}"
    );
    let msg = panic_message(|| k.log_softmax(&x, 4, &mut out));
    assert!(
        msg.contains("log_softmax") && msg.contains("6 elements"),
        "{msg}"
    );
    let mut short = [0.0_f32; 5];
    let msg = panic_message(|| k.softmax(&x, 3, &mut short));
    assert!(msg.contains("output has 5"), "{msg}");
    let mut y = [0.0_f32; 7];
    let msg = panic_message(|| k.softmax_inplace(&mut y, 2));
    assert!(msg.contains("softmax_inplace"), "{msg}");
    let msg = panic_message(|| par::log_softmax_inplace(&mut y, 0));
    assert!(msg.contains("par::log_softmax_inplace"), "{msg}");
    // Empty input is zero rows: nothing to do, no panic (width must still be positive).
    k.softmax::<f32>(&[], 8, &mut []);
    let msg = panic_message(|| k.softmax::<f32>(&[], 0, &mut []));
    assert!(msg.contains("width"), "{msg}");
}

/// A row with `-inf` entries (attention masks) or entries far below the max takes the general
/// path; its finite outputs must have exactly the bits of the same row without those entries
/// (the common path): masking is free of side effects.
#[test]
fn masked_entries_change_nothing_else() {
    let mut state = 5;
    for width in [1, 7, 31, 32, 33, 100, 4095] {
        let row: Vec<f32> = (0..width)
            .map(|_| ((uniform(&mut state) - 0.5) * 20.0) as f32)
            .collect();
        for extra in [f32::NEG_INFINITY, -1e30] {
            let mut masked = row.clone();
            masked.push(extra);
            for name in ["softmax", "log_softmax"] {
                let (f, _, _) = entry::<f32>(name);
                for k in all_kernels() {
                    let mut plain = vec![0.0; width];
                    f(k, &row, width, &mut plain);
                    let mut out = vec![0.0; width + 1];
                    f(k, &masked, width + 1, &mut out);
                    assert_eq!(
                        bits(&out[..width]),
                        bits(&plain),
                        "{name} {} width {width} with {extra}",
                        k.isa()
                    );
                }
            }
        }
    }
}
