//! The safe rational activation: the default (leaky-ReLU) coefficients on every 16th f32 bit
//! pattern and on all bf16/f16 inputs, and random coefficient sets of every degree pair up to
//! (8, 8), against the f64 value within the documented rounding bound, on every ISA; the same
//! bits on every ISA, in place and out of place, serial and `par`; limits at ±inf, NaN; the
//! coefficient-count panics.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, show};
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::{Element, Kernels, bf16, f16, par, reference};

/// Checks `inputs` (as `T`) on every ISA: error within the bound, the same bits everywhere, in
/// place equal to out of place. Returns the largest error seen as a fraction of the bound.
fn check<T: Element>(inputs: &[f32], a: &[f32], b: &[f32], failures: &mut Vec<String>) -> f64 {
    let x: Vec<T> = inputs.iter().map(|&v| T::from_f32(v)).collect();
    let a64: Vec<f64> = a.iter().map(|&c| f64::from(c)).collect();
    let b64: Vec<f64> = b.iter().map(|&c| f64::from(c)).collect();
    let mut worst = 0.0_f64;
    let mut first: Option<Vec<u32>> = None;
    for k in all_kernels() {
        let mut out = vec![T::from_f32(0.0); x.len()];
        k.rational(&x, a, b, &mut out);
        for (&xi, &yi) in x.iter().zip(&out) {
            let xf = f64::from(xi.to_f32());
            let exact = reference::rational(xf, &a64, &b64);
            let got = f64::from(yi.to_f32());
            let ok = if exact.is_nan() || xf.is_nan() {
                got.is_nan()
            } else if xf.is_infinite() || got == f64::from(T::from_f64(exact).to_f32()) {
                // The limit at ±inf must be exact; elsewhere the correctly rounded value is fine
                // (the bound's own f64 sums overflow for the largest inputs).
                got == f64::from(T::from_f64(exact).to_f32())
            } else if exact.is_infinite() || T::from_f64(exact).to_f32().is_infinite() {
                got == f64::from(T::from_f64(exact).to_f32())
                    || got.is_infinite() && got.signum() == exact.signum()
            } else {
                let err = (got - exact).abs();
                let lim = reference::rational_bound::<T>(xf, a, b, exact);
                worst = worst.max(err / lim);
                err <= lim
            };
            if !ok {
                failures.push(format!(
                    "{} {} a {a:?} b {b:?}: x = {} -> {} (exact {exact:e})",
                    T::NAME,
                    k.isa(),
                    show(xi.to_f32()),
                    show(yi.to_f32())
                ));
                break;
            }
        }
        let bits: Vec<u32> = out.iter().map(|v| v.to_f32().to_bits()).collect();
        let mut inplace = x.clone();
        k.rational_inplace(&mut inplace, a, b);
        if inplace
            .iter()
            .map(|v| v.to_f32().to_bits())
            .ne(bits.iter().copied())
        {
            failures.push(format!("{} {}: in place differs", T::NAME, k.isa()));
        }
        match &first {
            None => first = Some(bits),
            Some(f) if *f != bits => failures.push(format!(
                "{} {}: bits differ from the first ISA",
                T::NAME,
                k.isa()
            )),
            Some(_) => {}
        }
    }
    worst
}

/// Every `stride`-th f32 bit pattern (both signs), and the 16-bit types' patterns.
fn f32_patterns(stride: u32) -> Vec<f32> {
    (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i * stride))
        .collect()
}

fn half_patterns<T: Element>(from_bits: fn(u16) -> T) -> Vec<f32> {
    (0..=u16::MAX).map(|b| from_bits(b).to_f32()).collect()
}

#[test]
fn default_coefficients_within_the_bound() {
    let mut failures = Vec::new();
    let x = f32_patterns(64 * common::thin() as u32);
    let w = check::<f32>(&x, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B, &mut failures);
    let wb = check::<bf16>(
        &half_patterns(bf16::from_bits),
        &RATIONAL_LEAKY_P,
        &RATIONAL_LEAKY_B,
        &mut failures,
    );
    let wh = check::<f16>(
        &half_patterns(f16::from_bits),
        &RATIONAL_LEAKY_P,
        &RATIONAL_LEAKY_B,
        &mut failures,
    );
    common::note(&format!(
        "rational default: worst error / bound: f32 {w:.3}, bf16 {wb:.3}, f16 {wh:.3}"
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Deterministic pseudo-random coefficients in [-2, 2].
fn coefficients(state: &mut u64, len: usize) -> Vec<f32> {
    (0..len)
        .map(|_| {
            *state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((*state >> 40) as f64 / (1u64 << 24) as f64 * 4.0 - 2.0) as f32
        })
        .collect()
}

#[test]
fn every_degree_pair_within_the_bound() {
    let mut failures = Vec::new();
    let mut state = 3;
    let mut inputs: Vec<f32> = (0..4000)
        .map(|i| -20.0 + 40.0 * i as f32 / 4000.0)
        .collect();
    for e in -40..=38 {
        for s in [1.0_f32, -1.0, 3.7, -0.3] {
            inputs.push(s * 10f32.powi(e));
        }
    }
    inputs.extend([
        0.0,
        -0.0,
        255.9,
        256.0,
        256.1,
        -256.1,
        f32::MAX,
        -f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::NAN,
    ]);
    for m in 0..=8 {
        for n in 0..=8 {
            let a = coefficients(&mut state, m + 1);
            let b = coefficients(&mut state, n);
            check::<f32>(&inputs, &a, &b, &mut failures);
            check::<bf16>(&inputs, &a, &b, &mut failures);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn limits_nan_and_par() {
    let k = Kernels::detect();
    let x = [
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::from_bits(0xFFC0_0042),
        1e30,
        -1e30,
    ];
    let mut out = [0.0_f32; 5];
    // (1 + 2x + 3x^2) / (1 + |x^2|): 3 at both infinities.
    k.rational(&x, &[1.0, 2.0, 3.0], &[0.0, 1.0], &mut out);
    assert_eq!(&out[..2], &[3.0, 3.0]);
    assert_eq!(out[2].to_bits(), 0xFFC0_0042, "NaN passes unchanged");
    // x^3 / (1 + |x|): +inf at +inf, -inf at -inf, and no inf/inf for large finite x.
    k.rational(&x, &[0.0, 0.0, 0.0, 1.0], &[1.0], &mut out);
    assert_eq!(&out[..2], &[f32::INFINITY, f32::NEG_INFINITY]);
    assert_eq!(&out[3..], &[f32::INFINITY, f32::NEG_INFINITY]);
    // 1 / (1 + |x^3|): 0 at the infinities.
    k.rational(&x, &[1.0], &[0.0, 0.0, 1.0], &mut out);
    assert_eq!(&out[..2], &[0.0, 0.0]);
    // A NaN coefficient: the positive quiet NaN.
    k.rational(&[1.0_f32, 300.0], &[f32::NAN], &[], &mut out[..2]);
    assert!(out[..2].iter().all(|v| v.to_bits() == 0x7FC0_0000));
    // par and the free functions give the serial bits.
    let big: Vec<f32> = (0..200_000).map(|i| (i as f32 - 1e5) * 1e-2).collect();
    let mut serial = vec![0.0; big.len()];
    k.rational(&big, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B, &mut serial);
    let mut p = vec![0.0; big.len()];
    k.par()
        .with_min_len(1000)
        .rational(&big, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B, &mut p);
    assert_eq!(p, serial);
    let mut q = big.clone();
    par::rational_inplace(&mut q, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B);
    let mut r = big.clone();
    simd_activations::rational_inplace(&mut r, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B);
    assert_eq!(q, r);
    // Trailing zeros change nothing.
    let mut t = vec![0.0; big.len()];
    let mut a = RATIONAL_LEAKY_P.to_vec();
    a.extend([0.0, 0.0]);
    let mut b = RATIONAL_LEAKY_B.to_vec();
    b.extend([0.0; 4]);
    k.rational(&big, &a, &b, &mut t);
    assert_eq!(t, serial);
}

#[test]
fn bad_coefficient_counts_panic() {
    let k = Kernels::detect();
    let message = |f: &dyn Fn()| {
        let e = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let x = [1.0_f32];
    let msg = message(&|| k.rational(&x, &[], &[], &mut [0.0]));
    assert!(
        msg.contains("simd_activations::rational") && msg.contains("numerator has 0"),
        "{msg}"
    );
    let msg = message(&|| k.rational(&x, &[1.0; 10], &[], &mut [0.0]));
    assert!(msg.contains("numerator has 10"), "{msg}");
    let msg = message(&|| k.rational(&x, &[1.0], &[1.0; 9], &mut [0.0]));
    assert!(msg.contains("denominator has 9"), "{msg}");
    let msg = message(&|| k.rational(&x, &[1.0], &[], &mut [0.0, 0.0]));
    assert!(msg.contains("output has 2"), "{msg}");
    let msg = message(&|| par::rational_inplace(&mut [1.0_f32], &[1.0; 12], &[]));
    assert!(msg.contains("par::rational_inplace"), "{msg}");
}
