//! The rational activation's backward pass: `grad_in` within 1 ULP of the type where nothing
//! cancels and within its documented absolute bound near the zeros of `R'`, the coefficient
//! gradients within half an ULP of f32 plus `2^-44 Σ|term|`, against the f64 reference (the
//! quotient rule with explicit powers, a different evaluation from the kernel's Horner), for the
//! default coefficients and random sets of every degree pair up to (8, 8); f32 over dense values
//! and bit patterns, bf16 and f16 over every input; the same bits on every ISA, in place and out
//! of place, serial and `par` at several thread counts; limits at ±inf, NaN; the size panics.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, show};
use simd_activations::catalogue::consts::{PARAMETER_SUM_ERROR, RATIONAL_BACKWARD_ULP};
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Element, Kernels, bf16, f16, par, reference};

/// Deterministic gradients over about ±4, with exact zeros and a large magnitude (`large`).
fn grads(n: usize, large: f32) -> Vec<f32> {
    (0..n)
        .map(|i| match i % 53 {
            0 => 0.0,
            1 => large,
            _ => ((i as f64 * 0.618_034).fract() * 8.0 - 4.0) as f32,
        })
        .collect()
}

/// Coefficient sets: the default (5, 4) and random ones of degrees (m, n) with coefficients in
/// ±1 (and a trailing zero in one set, a polynomial, a constant).
fn coefficient_sets() -> Vec<(Vec<f32>, Vec<f32>)> {
    let mut state = 0x2545_f491_u32;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        (f64::from(state) / f64::from(u32::MAX) * 2.0 - 1.0) as f32
    };
    let mut sets = vec![(RATIONAL_LEAKY_P.to_vec(), RATIONAL_LEAKY_B.to_vec())];
    for (m, n) in [(0, 0), (1, 0), (3, 2), (8, 8), (2, 5), (8, 1), (6, 6)] {
        let a: Vec<f32> = (0..=m).map(|_| next()).collect();
        let b: Vec<f32> = (0..n).map(|_| next()).collect();
        sets.push((a, b));
    }
    sets.push((vec![0.5, -1.0, 0.25, 0.0], vec![0.75, 0.0]));
    sets
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

/// `Σ c_k x^(k + shift)` and its derivative in `x`.
fn signed_sums(c: &[f64], x: f64, shift: i32) -> (f64, f64) {
    let mut value = 0.0;
    let mut slope = 0.0;
    for (k, &ck) in (0..).zip(c) {
        value += ck * x.powi(k + shift);
        if k + shift > 0 {
            slope += f64::from(k + shift) * ck * x.powi(k + shift - 1);
        }
    }
    (value, slope)
}

/// `grad_in`'s budget in ULP of the type where nothing cancels.
fn budget() -> f64 {
    f64::from(RATIONAL_BACKWARD_ULP)
}

/// Sum error of the coefficient gradients relative to `Σ|term|`.
fn sum_error() -> f64 {
    f64::from(PARAMETER_SUM_ERROR)
}

/// Whether `got` is within the budget (1 ULP) of `T` plus `slack` of `exact` (or, at an infinite rounding
/// of `exact`, that infinity; a NaN where `exact` is NaN: an infinite `grad_out` of the type
/// times terms of both signs).
fn within<T: Element>(got: T, exact: f64, slack: f64) -> bool {
    let want = T::from_f64(exact);
    if exact.is_nan() {
        return got.to_f32().is_nan();
    }
    if want.to_f32().is_infinite() {
        return got.to_f32() == want.to_f32();
    }
    (f64::from(got.to_f32()) - exact).abs() <= budget() * ulp_of_in::<T>(exact) + slack
}

/// Runs `x` (as `T`) on every ISA: accuracy on the first, the same bits on the others and in
/// place. Returns the worst coefficient-gradient error as a share of its bound and the worst
/// `grad_in` error in ULP where it counts in ULP.
fn check<T: Element>(
    x: &[f32],
    (a, b): (&[f32], &[f32]),
    failures: &mut Vec<String>,
) -> (f64, f64) {
    let x: Vec<T> = x.iter().map(|&v| T::from_f32(v)).collect();
    // A large gradient the type can hold (f16's largest finite is 65504).
    let large = if T::NAME == "f16" { 3.0e4 } else { 3.0e20 };
    let g: Vec<T> = grads(x.len(), large)
        .iter()
        .map(|&v| T::from_f32(v))
        .collect();
    let wide = |v: &[T]| v.iter().map(|e| f64::from(e.to_f32())).collect::<Vec<_>>();
    let (x64, g64) = (wide(&x), wide(&g));
    let a64: Vec<f64> = a.iter().map(|&c| f64::from(c)).collect();
    let b64: Vec<f64> = b.iter().map(|&c| f64::from(c)).collect();
    let (want_in, want_a, want_b) = reference::rational_backward(&x64, &g64, &a64, &b64);
    let q = |x: f64| {
        1.0 + (1..)
            .zip(&b64)
            .map(|(k, &c)| c * x.powi(k))
            .sum::<f64>()
            .abs()
    };
    let abs_term = |k: i32, with_r: bool| -> f64 {
        x64.iter()
            .zip(&g64)
            .map(|(&x, &g)| {
                let r = if with_r {
                    reference::rational(x, &a64, &b64).abs() / q(x)
                } else {
                    1.0 / q(x)
                };
                (g * x.abs().powi(k) * r).abs()
            })
            .sum()
    };
    let what = format!("{} degrees ({}, {})", T::NAME, a.len(), b.len());
    let mut first: Option<Vec<u32>> = None;
    let (mut worst_coef, mut worst_in) = (0.0_f64, 0.0_f64);
    for k in all_kernels() {
        let mut grad_in = vec![T::from_f32(0.0); x.len()];
        let (mut ga, mut gb) = (vec![0.0_f32; a.len()], vec![0.0_f32; b.len()]);
        k.rational_backward(&x, &g, a, b, &mut grad_in, (&mut ga, &mut gb));
        let mut all = bits(&grad_in);
        all.extend(bits(&ga));
        all.extend(bits(&gb));
        match &first {
            Some(f) => {
                if *f != all {
                    failures.push(format!("{what}: {} differs from the first ISA", k.isa()));
                }
            }
            None => {
                for (i, (&y, &exact)) in grad_in.iter().zip(&want_in).enumerate() {
                    let (slack, kink) =
                        reference::rational_backward_slack(x64[i], g64[i], &a64, &b64);
                    let mut ok = within(y, exact, slack);
                    if !ok && kink {
                        // At a zero of A: either one-sided derivative, or the midway one.
                        let (p, dp) = signed_sums(&a64, x64[i], 0);
                        let (_, da) = signed_sums(&b64, x64[i], 1);
                        let qi = q(x64[i]);
                        for sign in [1.0, 0.0, -1.0] {
                            let r = g64[i] * (dp - p / qi * sign * da) / qi;
                            ok |= within(y, r, slack);
                        }
                    }
                    if !ok {
                        failures.push(format!(
                            "{what} {}: grad_in at x = {:e}, g = {:e}: {} vs {exact:e} (slack {slack:e})",
                            k.isa(),
                            x64[i],
                            g64[i],
                            show(y.to_f32())
                        ));
                    } else if slack <= 0.25 * ulp_of_in::<T>(exact) && !kink && exact != 0.0 {
                        worst_in = worst_in.max(ulp_distance_in(y, exact));
                    }
                }
                let coefs = want_a
                    .iter()
                    .zip(&ga)
                    .enumerate()
                    .map(|(k, p)| (k as i32, false, p))
                    .chain(
                        want_b
                            .iter()
                            .zip(&gb)
                            .enumerate()
                            .map(|(k, p)| (k as i32 + 1, true, p)),
                    );
                for (power, denominator, (&exact, &got)) in coefs {
                    let bound =
                        0.5 * ulp_of_in::<f32>(exact) + sum_error() * abs_term(power, denominator);
                    let err = (f64::from(got) - exact).abs();
                    let rounded = exact as f32;
                    let ok = if exact.is_nan() {
                        got.to_bits() == 0x7FC0_0000
                    } else if rounded.is_infinite() {
                        got == rounded
                    } else {
                        worst_coef = worst_coef.max(err / bound);
                        err <= bound
                    };
                    if !ok {
                        failures.push(format!(
                            "{what} {}: coefficient gradient (x^{power}, {}): {got:e} vs {exact:e} (bound {bound:e})",
                            k.isa(),
                            if denominator { "denominator" } else { "numerator" },
                        ));
                    }
                }
                first = Some(all.clone());
            }
        }
        let mut inplace = g.clone();
        let (mut ia, mut ib) = (vec![0.0_f32; a.len()], vec![0.0_f32; b.len()]);
        k.rational_backward_inplace(&x, &mut inplace, a, b, (&mut ia, &mut ib));
        let mut again = bits(&inplace);
        again.extend(bits(&ia));
        again.extend(bits(&ib));
        if again != all {
            failures.push(format!("{what} {}: in place differs", k.isa()));
        }
    }
    (worst_coef, worst_in)
}

/// Every `stride`-th f32 bit pattern of magnitude up to 2^32 (beyond, the reference's `Q²`
/// leaves f64's range at degree 8), NaNs left out, and 200 000 values over [-8, 8].
fn f32_inputs(stride: u32) -> Vec<f32> {
    let mut x: Vec<f32> = (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i * stride))
        .filter(|v| v.abs() <= 2f32.powi(32))
        .collect();
    let dense = 200_000 / common::thin() as usize;
    x.extend((0..dense).map(|i| ((i as f64 * 0.754_877_7).fract() * 16.0 - 8.0) as f32));
    x
}

#[test]
fn f32_every_coefficient_set_every_isa() {
    let x = f32_inputs(40_009 * common::thin() as u32);
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for (a, b) in coefficient_sets() {
        let (coef, grad_in) = check::<f32>(&x, (&a, &b), &mut failures);
        notes.push(format!(
            "({}, {}): {coef:.3} {grad_in:.2}",
            a.len(),
            b.len()
        ));
    }
    common::note(&format!(
        "rational_backward f32: worst coefficient-gradient error / bound, grad_in ULP: {}",
        notes.join(", ")
    ));
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
}

#[test]
fn every_bf16_and_f16_input() {
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    let sets = coefficient_sets();
    for (a, b) in [&sets[0], &sets[4], &sets[5]] {
        for (name, from_bits) in [
            ("bf16", (|b| bf16::from_bits(b).to_f32()) as fn(u16) -> f32),
            ("f16", |b| f16::from_bits(b).to_f32()),
        ] {
            let x: Vec<f32> = (0..=u16::MAX)
                .map(from_bits)
                .filter(|v| !v.is_nan() && v.abs() <= 2f32.powi(32))
                .collect();
            let (coef, grad_in) = if name == "bf16" {
                check::<bf16>(&x, (a, b), &mut failures)
            } else {
                check::<f16>(&x, (a, b), &mut failures)
            };
            notes.push(format!(
                "{name} ({}, {}): {coef:.3} {grad_in:.2}",
                a.len(),
                b.len()
            ));
        }
    }
    common::note(&format!(
        "rational_backward 16-bit: worst coefficient-gradient error / bound, grad_in ULP: {}",
        notes.join(", ")
    ));
    assert!(
        failures.is_empty(),
        "{}",
        failures[..failures.len().min(20)].join("\n")
    );
}

/// A call of the backward pass into `grad_in` and the coefficient gradients.
type Backward<'a> = dyn Fn(&mut [f32], (&mut [f32], &mut [f32])) + 'a;

#[test]
fn par_is_bitwise_serial_for_any_thread_count() {
    // Enough 16 Ki chunks for a tree of several levels, emulated runs included.
    let n = (1_000_003 / common::thin() as usize).max(70_001);
    let x: Vec<f32> = (0..n)
        .map(|i| ((i as f64 * 0.754_877_7).fract() * 16.0 - 8.0) as f32)
        .collect();
    let g = grads(x.len(), 3.0e20);
    let (a, b) = (&RATIONAL_LEAKY_P[..], &RATIONAL_LEAKY_B[..]);
    let k = Kernels::detect();
    let run = |f: &Backward| {
        let mut out = vec![0.0_f32; x.len()];
        let (mut ga, mut gb) = (vec![0.0_f32; a.len()], vec![0.0_f32; b.len()]);
        f(&mut out, (&mut ga, &mut gb));
        out.extend(ga);
        out.extend(gb);
        bits(&out)
    };
    let serial = run(&|out, grads| k.rational_backward(&x, &g, a, b, out, grads));
    for threads in [1, 2, 3, 8] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for min_len in [0, 1 << 15] {
            let p = k.par().with_min_len(min_len);
            let split = run(&|out, grads| {
                pool.install(|| p.rational_backward(&x, &g, a, b, out, grads));
            });
            assert_eq!(split, serial, "{threads} threads, min_len {min_len}");
            let inplace = run(&|out, grads| {
                out.copy_from_slice(&g);
                pool.install(|| p.rational_backward_inplace(&x, out, a, b, grads));
            });
            assert_eq!(inplace, serial, "{threads} threads in place");
        }
    }
    let free = run(&|out, grads| par::rational_backward(&x, &g, a, b, out, grads));
    assert_eq!(free, serial);
    let global = run(&|out, grads| simd_activations::rational_backward(&x, &g, a, b, out, grads));
    assert_eq!(global, serial);
}

#[test]
fn limits_at_infinity_and_nan() {
    let (a, b) = (&RATIONAL_LEAKY_P[..], &RATIONAL_LEAKY_B[..]);
    let (a5, b4) = (f64::from(a[5]), f64::from(b[3]));
    let inf = f32::INFINITY;
    let nan = f32::from_bits(0xFFC0_0042);
    for k in all_kernels() {
        // (5, 4): R' tends to a5 / |b4| at both ends; x^4 / Q to 1 / |b4| (sign x^4 = +1).
        let x = [inf, -inf, 1.0, 2.0];
        let g = [2.0, -3.0, 0.0, 0.0];
        let mut gi = [0.0_f32; 4];
        let (mut ga, mut gb) = ([0.0_f32; 6], [0.0_f32; 4]);
        k.rational_backward(&x, &g, a, b, &mut gi, (&mut ga, &mut gb));
        assert_eq!(gi[0], (2.0 * a5 / b4.abs()) as f32, "{}", k.isa());
        assert_eq!(gi[1], (-3.0 * (a5 / b4.abs())) as f32, "{}", k.isa());
        assert_eq!(
            &ga[..4],
            &[0.0; 4],
            "{}: x^k / Q tends to 0 below degree 4",
            k.isa()
        );
        assert!(
            ulp_distance_in(ga[4], -1.0 / b4.abs()) <= 1.0,
            "{}: {}",
            k.isa(),
            ga[4]
        );
        assert_eq!(
            ga[5],
            f32::INFINITY,
            "{}: 2 x^5/Q at +inf, -3 x^5/Q at -inf",
            k.isa()
        );
        // The limits agree with the finite values far out.
        let far = [1e30_f32, -1e30];
        let mut gf = [0.0_f32; 2];
        k.rational_backward(
            &far,
            &[2.0, -3.0],
            a,
            b,
            &mut gf,
            (&mut [0.0; 6], &mut [0.0; 4]),
        );
        assert!(
            ulp_distance_in(gf[0], f64::from(gi[0])) <= 1.0,
            "{}",
            k.isa()
        );
        assert!(
            ulp_distance_in(gf[1], f64::from(gi[1])) <= 1.0,
            "{}",
            k.isa()
        );
        // NaN x passes its bits to grad_in; the coefficient gradients are the canonical NaN.
        let mut gi = [0.0_f32; 2];
        let (mut ga, mut gb) = ([0.0_f32; 6], [0.0_f32; 4]);
        k.rational_backward(
            &[nan, 1.0],
            &[1.0, f32::NAN],
            a,
            b,
            &mut gi,
            (&mut ga, &mut gb),
        );
        assert_eq!(gi[0].to_bits(), nan.to_bits(), "{}", k.isa());
        assert!(gi[1].is_nan());
        assert!(
            ga.iter().chain(&gb).all(|v| v.to_bits() == 0x7FC0_0000),
            "{}",
            k.isa()
        );
        // No elements: zero gradients.
        let (mut ga, mut gb) = ([1.0_f32; 6], [1.0_f32; 4]);
        k.rational_backward::<f32>(&[], &[], a, b, &mut [], (&mut ga, &mut gb));
        assert_eq!((ga, gb), ([0.0; 6], [0.0; 4]));
    }
}

fn panic_message(f: impl FnOnce()) -> String {
    let err = catch_unwind(AssertUnwindSafe(f)).expect_err("should panic");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn sizes_are_checked_with_clear_messages() {
    let k = Kernels::detect();
    let x = [1.0_f32; 4];
    let msg = panic_message(|| {
        k.rational_backward(
            &x,
            &[1.0; 3],
            &[1.0],
            &[],
            &mut [0.0; 4],
            (&mut [0.0], &mut []),
        );
    });
    assert!(
        msg.contains("rational_backward") && msg.contains("grad_out 3"),
        "{msg}"
    );
    let msg = panic_message(|| {
        k.rational_backward(
            &x,
            &[1.0; 4],
            &[1.0, 2.0],
            &[1.0],
            &mut [0.0; 4],
            (&mut [0.0], &mut [0.0]),
        );
    });
    assert!(msg.contains("numerator has 2 coefficients"), "{msg}");
    let msg = panic_message(|| {
        k.rational_backward(&x, &[1.0; 4], &[], &[], &mut [0.0; 4], (&mut [], &mut []));
    });
    assert!(msg.contains("numerator has 0 coefficients"), "{msg}");
    let msg = panic_message(|| {
        k.par()
            .rational_backward_inplace(&x, &mut [1.0; 5], &[1.0], &[], (&mut [0.0], &mut []));
    });
    assert!(msg.contains("par::rational_backward_inplace"), "{msg}");
}
