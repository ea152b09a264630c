//! Backward passes of the unary ops (`NAME_backward`, `grad_in = grad_out · f'(x)`), generated
//! from the catalogue: every 389th f32 bit pattern (all magnitudes, both signs) and a dense grid
//! over each op's sweep interval, and all bf16/f16 inputs, with gradients of several sizes, on
//! every ISA, against the f64 derivative within the catalogue's budget (`BackwardSpec::ulp_f32`,
//! `ulp_half`: 4 ULP of the output type); within `near_zero` (1/2) of a zero of f' the bound is
//! absolute (the budget in ULP of the largest |grad_out · f'| there), and where f' is an f32
//! subnormal an absolute allowance `|grad_out| · subnormal_allowance` (2^-147, 4 units of its
//! last place: tanh' is 4 sigmoid'(2x)) applies; where f'(x)
//! exceeds f32::MAX the result is the infinity of the product's sign (documented). Also: the same
//! bits on every ISA, in place equal to out of place, `par` and the free functions equal to the
//! serial call, NaN propagation and the limits at ±inf.

mod common;

use common::{all_kernels, show};
use simd_activations::catalogue::{BackwardSpec, OPS, OpSpec};
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Element, Kernels, bf16, f16};

/// Whether `got` (for `x`, `grad`) is within the budget of `grad · f'(x)`, and the ULP error.
fn within<T: Element>(b: &BackwardSpec, x: f64, grad: f64, got: T) -> (bool, f64) {
    let d = (b.derivative)(x);
    if d.is_finite() && d.abs() > f64::from(f32::MAX) {
        // f'(x) itself is beyond f32 (exp above 88.72, squared_relu near f32::MAX): the
        // documented result is the infinity of the product's sign.
        let g = got.to_f32();
        return (
            g.is_infinite() && (f64::from(g) > 0.0) == (grad * d > 0.0),
            0.0,
        );
    }
    let exact = if d == 0.0 || grad == 0.0 {
        0.0 * d * grad
    } else {
        grad * d
    };
    let err = ulp_distance_in(got, exact);
    let budget = b.ulp_in::<T>();
    if err <= budget {
        return (true, err);
    }
    let g = f64::from(got.to_f32());
    if !g.is_finite() || !exact.is_finite() {
        return (false, err);
    }
    let mut allowed = budget * ulp_of_in::<T>(exact);
    if let Some(peak) = b.peak_near_zero(x) {
        allowed = allowed.max(budget * ulp_of_in::<T>(peak * grad.abs()));
    }
    if d.abs() < f64::from(f32::MIN_POSITIVE) {
        // f' below the normal range carries an absolute error of a few 2^-149 (tanh's is the
        // subnormal sigmoid' times 4).
        allowed += grad.abs() * b.subnormal_allowance;
    }
    ((g - exact).abs() <= allowed, err)
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

/// Runs `op`'s backward on `x` with gradients cycling through `grads`, on every ISA; checks
/// the budget, identity across ISAs and in place; returns the worst ULP error outside the
/// absolute-bound regions.
fn check<T: Element>(
    op: &OpSpec,
    b: &BackwardSpec,
    eval: fn(Kernels, &[T], &[T], &mut [T]),
    x: &[T],
    grads: &[f32],
    failures: &mut Vec<String>,
) -> f64 {
    let g: Vec<T> = (0..x.len())
        .map(|i| T::from_f32(grads[i % grads.len()]))
        .collect();
    let mut worst = 0.0_f64;
    let mut first: Option<Vec<u32>> = None;
    for k in all_kernels() {
        let mut out = vec![T::from_f32(0.0); x.len()];
        eval(k, x, &g, &mut out);
        for i in 0..x.len() {
            let (xi, gi) = (f64::from(x[i].to_f32()), f64::from(g[i].to_f32()));
            let (ok, err) = within(b, xi, gi, out[i]);
            if ok && err <= b.ulp_in::<T>() && b.counts_in_ulp::<T>(xi, gi) {
                worst = worst.max(err);
            }
            if !ok {
                failures.push(format!(
                    "{}_backward {} {}: x = {} grad {gi} -> {} (f' = {:e}, {err} ULP)",
                    op.name,
                    T::NAME,
                    k.isa(),
                    show(x[i].to_f32()),
                    show(out[i].to_f32()),
                    (b.derivative)(xi)
                ));
                break;
            }
        }
        match &first {
            None => first = Some(bits(&out)),
            Some(f) if *f != bits(&out) => failures.push(format!(
                "{}_backward {}: {} differs from the first ISA",
                op.name,
                T::NAME,
                k.isa()
            )),
            Some(_) => {}
        }
    }
    worst
}

fn f32_inputs(op: &OpSpec) -> Vec<f32> {
    let stride = 389 * common::thin() as u32;
    let mut x: Vec<f32> = (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i * stride))
        .collect();
    let (lo, hi) = op.sweep;
    let n = 100_000 / common::thin() as usize;
    x.extend((0..n).map(|i| (lo + (hi - lo) * i as f64 / n as f64) as f32));
    x.extend([
        0.0,
        -0.0,
        f32::INFINITY,
        f32::NEG_INFINITY,
        f32::MAX,
        -f32::MAX,
        f32::MIN_POSITIVE,
        1e-45,
    ]);
    x
}

const GRADS: [f32; 5] = [1.0, -0.37, 3.5e4, -2.0e-3, 1.0e-30];

#[test]
fn every_backward_within_budget_on_every_isa_and_type() {
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for op in OPS {
        let Some(b) = &op.backward else { continue };
        let x = f32_inputs(op);
        let w32 = check::<f32>(op, b, b.eval_f32, &x, &GRADS, &mut failures);
        // All 65 536 patterns (every 16th in emulated runs, SIMD_ACTIVATIONS_TEST_THIN > 1).
        let step = if common::thin() > 1 { 16 } else { 1 };
        let xb: Vec<bf16> = (0..=u16::MAX).step_by(step).map(bf16::from_bits).collect();
        let wb = check::<bf16>(op, b, b.eval_bf16, &xb, &[1.0, -0.37, 3.5], &mut failures);
        let xh: Vec<f16> = (0..=u16::MAX).step_by(step).map(f16::from_bits).collect();
        let wh = check::<f16>(op, b, b.eval_f16, &xh, &[1.0, -0.37, 3.5], &mut failures);
        lines.push(format!(
            "{:>14}: f32 {w32:.3}  bf16 {wb:.3}  f16 {wh:.3}",
            op.name
        ));
    }
    common::note(&format!(
        "backward max ULP (outside the absolute-bound regions):\n{}",
        lines.join("\n")
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn in_place_par_and_free_functions_match() {
    for op in OPS {
        let Some(b) = &op.backward else { continue };
        let x: Vec<f32> = (0..100_003).map(|i| (i as f32 - 50_000.0) * 3e-4).collect();
        let g: Vec<f32> = (0..x.len()).map(|i| GRADS[i % GRADS.len()]).collect();
        let k = Kernels::global();
        let mut serial = vec![0.0; x.len()];
        (b.eval_f32)(k, &x, &g, &mut serial);
        let mut inplace = g.clone();
        (b.inplace_f32)(k, &x, &mut inplace);
        assert_eq!(bits(&inplace), bits(&serial), "{}: in place", op.name);
        let mut free = vec![0.0; x.len()];
        (b.free_f32)(&x, &g, &mut free);
        assert_eq!(bits(&free), bits(&serial), "{}: free function", op.name);
        let mut p = vec![0.0; x.len()];
        (b.par_f32)(k.par().with_min_len(4096), &x, &g, &mut p);
        assert_eq!(bits(&p), bits(&serial), "{}: par", op.name);
    }
}

#[test]
fn nan_propagates_and_limits_hold() {
    for op in OPS {
        let Some(b) = &op.backward else { continue };
        for k in all_kernels() {
            let x = [f32::NAN, 1.0, f32::INFINITY, f32::NEG_INFINITY];
            let g = [1.0, f32::NAN, 1.0, 1.0];
            let mut out = [0.0_f32; 4];
            (b.eval_f32)(k, &x, &g, &mut out);
            assert!(
                out[0].is_nan() && out[1].is_nan(),
                "{} {}: NaN must propagate: {out:?}",
                op.name,
                k.isa()
            );
            for (i, xi) in [(2, f64::INFINITY), (3, f64::NEG_INFINITY)] {
                let want = f64::from(<f32 as Element>::from_f64((b.derivative)(xi)));
                assert!(
                    f64::from(out[i]) == want || (want.is_nan() && out[i].is_nan()),
                    "{} {}: f'({xi}) = {} , want {want}",
                    op.name,
                    k.isa(),
                    out[i]
                );
            }
        }
    }
}
