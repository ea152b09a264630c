//! Backward passes of the gated ops (`NAME_backward`, `NAME_rows_backward`), generated from the
//! catalogue: `grad_gate = grad_out · ∂f/∂gate` and `grad_up = grad_out · ∂f/∂up` against the
//! f64 partials within the catalogue's budget (`GatedBackwardSpec::ulp_f32`, `ulp_half`: 4 ULP of
//! the output type), over every 1021st f32 bit pattern and a dense
//! grid of each op's gate sweep as gates (ups and gradients cycling through fixed values of all
//! magnitudes), and all bf16/f16 gates; within `near_zero` (1/2) of a zero of the activation's
//! derivative the bound on `grad_gate` is absolute (the budget in ULP of the largest value
//! there), and the catalogue's absolute terms apply (`absolute_terms`: a floor of 2^-147, and
//! where the activation or its derivative is an f32 subnormal `|grad_out| · 2^-147`, times
//! `|up| + 1` for `grad_gate`), as for the unary backward passes. Also: the same bits on every
//! ISA, the rows layout equal to separate slices, `par` and the free functions equal to the
//! serial call, NaN propagation, and the size checks.

mod common;

use common::{all_kernels, show};
use simd_activations::catalogue::{GATED, GatedBackwardSpec, GatedGrads, GatedInputs, GatedSpec};
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Element, Kernels, bf16, f16};

const UPS: [f32; 7] = [1.0, -2.5, 0.37, 7.0, -1.0e3, 3.0e-5, 6.5];
const GRADS: [f32; 5] = [1.0, -0.37, 3.5e4, -2.0e-3, 1.0e-20];

/// Whether `got` is within `budget` ULP of `exact`; `peak` the magnitude for the absolute bound
/// (0 where none applies), `absolute` the catalogue's absolute terms (floor and subnormal
/// allowance). Returns the ULP error too.
fn within<T: Element>(got: T, exact: f64, budget: f64, peak: f64, absolute: f64) -> (bool, f64) {
    let err = ulp_distance_in(got, exact);
    if err <= budget {
        return (true, err);
    }
    let g = f64::from(got.to_f32());
    if !g.is_finite() || !exact.is_finite() {
        return (false, err);
    }
    let allowed = budget * ulp_of_in::<T>(exact).max(ulp_of_in::<T>(peak)) + absolute;
    ((g - exact).abs() <= allowed, err)
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

/// Runs `op`'s backward on `gates` on every ISA; checks both outputs, identity across ISAs and
/// the rows layout; returns the worst ULP errors (grad_gate, grad_up) outside the absolute bounds.
fn check<T: Element>(
    op: &GatedSpec,
    b: &GatedBackwardSpec,
    eval: fn(Kernels, GatedInputs<'_, T>, GatedGrads<'_, T>),
    gates: &[T],
    failures: &mut Vec<String>,
) -> (f64, f64) {
    let n = gates.len();
    let up: Vec<T> = (0..n).map(|i| T::from_f32(UPS[i % UPS.len()])).collect();
    let grad: Vec<T> = (0..n)
        .map(|i| T::from_f32(GRADS[(i / UPS.len()) % GRADS.len()]))
        .collect();
    let (mut worst_gate, mut worst_up) = (0.0_f64, 0.0_f64);
    let mut first: Option<(Vec<u32>, Vec<u32>)> = None;
    for k in all_kernels() {
        let mut dg = vec![T::from_f32(0.0); n];
        let mut du = vec![T::from_f32(0.0); n];
        eval(k, (gates, &up, &grad), (&mut dg, &mut du));
        for i in 0..n {
            let (g, u, d) = (
                f64::from(gates[i].to_f32()),
                f64::from(up[i].to_f32()),
                f64::from(grad[i].to_f32()),
            );
            let (pg, pu) = (b.partials)(g, u);
            let peak = b.peak_near_zero(g, u).unwrap_or(0.0) * d.abs();
            // A subnormal f32 activation (or derivative) carries an absolute error of a few
            // 2^-149, which the product by grad_out (and up) scales: the catalogue's absolute
            // terms (with a floor for results that underflow).
            let (abs_g, abs_u) = b.absolute_terms(g, u, d);
            let budget = b.ulp_in::<T>();
            let (ok_g, err_g) = within(dg[i], d * pg, budget, peak, abs_g);
            let (ok_u, err_u) = within(du[i], d * pu, budget, 0.0, abs_u);
            let (counts_g, counts_u) = b.counts_in_ulp::<T>(g, u, d);
            if ok_g && err_g <= budget && counts_g {
                worst_gate = worst_gate.max(err_g);
            }
            if ok_u && err_u <= budget && counts_u {
                worst_up = worst_up.max(err_u);
            }
            if !(ok_g && ok_u) {
                failures.push(format!(
                    "{}_backward {} {}: gate {} up {u} grad {d} -> ({}, {}), exact ({:e}, {:e}), ULP ({err_g}, {err_u})",
                    op.name,
                    T::NAME,
                    k.isa(),
                    show(gates[i].to_f32()),
                    show(dg[i].to_f32()),
                    show(du[i].to_f32()),
                    d * pg,
                    d * pu,
                ));
                break;
            }
        }
        match &first {
            None => first = Some((bits(&dg), bits(&du))),
            Some((a, c)) if *a != bits(&dg) || *c != bits(&du) => failures.push(format!(
                "{}_backward {}: {} differs from the first ISA",
                op.name,
                T::NAME,
                k.isa()
            )),
            Some(_) => {}
        }
    }
    (worst_gate, worst_up)
}

fn f32_gates(op: &GatedSpec) -> Vec<f32> {
    let stride = 1021 * common::thin() as u32;
    let mut x: Vec<f32> = (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i * stride))
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = op.sweep;
    let n = 70_000 / common::thin() as usize;
    x.extend((0..n).map(|i| (lo + (hi - lo) * i as f64 / n as f64) as f32));
    x.extend([
        0.0,
        -0.0,
        f32::MAX,
        -f32::MAX,
        f32::MIN_POSITIVE,
        1e-45,
        7.0,
        -7.0,
    ]);
    x
}

fn finite_16<T: Element>(from_bits: fn(u16) -> T) -> Vec<T> {
    let step = if common::thin() > 1 { 16 } else { 1 };
    (0..=u16::MAX)
        .step_by(step)
        .map(from_bits)
        .filter(|v| v.to_f32().is_finite())
        .collect()
}

#[test]
fn every_gated_backward_within_budget_on_every_isa_and_type() {
    let mut failures = Vec::new();
    let mut lines = Vec::new();
    for op in GATED {
        let Some(b) = &op.backward else { continue };
        let w32 = check::<f32>(op, b, b.eval_f32, &f32_gates(op), &mut failures);
        let wb = check::<bf16>(
            op,
            b,
            b.eval_bf16,
            &finite_16(bf16::from_bits),
            &mut failures,
        );
        let wh = check::<f16>(op, b, b.eval_f16, &finite_16(f16::from_bits), &mut failures);
        lines.push(format!(
            "{:>12}: grad_gate f32 {:.3} bf16 {:.3} f16 {:.3} | grad_up f32 {:.3} bf16 {:.3} f16 {:.3}",
            op.name, w32.0, wb.0, wh.0, w32.1, wb.1, wh.1
        ));
    }
    common::note(&format!(
        "gated backward max ULP (outside the absolute-bound regions):\n{}",
        lines.join("\n")
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn rows_par_and_free_functions_match_separate_slices() {
    let width = 1000;
    let rows = 67;
    let n = width * rows;
    let gate: Vec<f32> = (0..n).map(|i| (i as f32 - 30_000.0) * 3e-4).collect();
    let up: Vec<f32> = (0..n).map(|i| UPS[i % UPS.len()]).collect();
    let grad: Vec<f32> = (0..n).map(|i| GRADS[i % GRADS.len()]).collect();
    let mut gate_up = Vec::with_capacity(2 * n);
    for r in 0..rows {
        gate_up.extend_from_slice(&gate[r * width..][..width]);
        gate_up.extend_from_slice(&up[r * width..][..width]);
    }
    let k = Kernels::global();
    for op in GATED {
        let Some(b) = &op.backward else { continue };
        let (mut dg, mut du) = (vec![0.0; n], vec![0.0; n]);
        (b.eval_f32)(k, (&gate, &up, &grad), (&mut dg, &mut du));
        let mut want_rows = Vec::with_capacity(2 * n);
        for r in 0..rows {
            want_rows.extend_from_slice(&dg[r * width..][..width]);
            want_rows.extend_from_slice(&du[r * width..][..width]);
        }
        let mut rows_out = vec![0.0; 2 * n];
        (b.rows_f32)(k, &gate_up, width, &grad, &mut rows_out);
        assert_eq!(bits(&rows_out), bits(&want_rows), "{}: rows", op.name);
        let mut par_rows = vec![0.0; 2 * n];
        (b.par_rows_f32)(
            k.par().with_min_len(4096),
            &gate_up,
            width,
            &grad,
            &mut par_rows,
        );
        assert_eq!(bits(&par_rows), bits(&want_rows), "{}: par rows", op.name);
        let (mut fg, mut fu) = (vec![0.0; n], vec![0.0; n]);
        (b.free_f32)((&gate, &up, &grad), (&mut fg, &mut fu));
        assert_eq!(
            (bits(&fg), bits(&fu)),
            (bits(&dg), bits(&du)),
            "{}: free",
            op.name
        );
        let (mut pg, mut pu) = (vec![0.0; n], vec![0.0; n]);
        (b.par_f32)(
            k.par().with_min_len(4096),
            (&gate, &up, &grad),
            (&mut pg, &mut pu),
        );
        assert_eq!(
            (bits(&pg), bits(&pu)),
            (bits(&dg), bits(&du)),
            "{}: par",
            op.name
        );
    }
}

#[test]
fn nan_propagates() {
    for op in GATED {
        let Some(b) = &op.backward else { continue };
        for k in all_kernels() {
            let gate = [f32::NAN, 0.5, 0.5];
            let up = [1.0, f32::NAN, 1.0];
            let grad = [1.0, 1.0, f32::NAN];
            let (mut dg, mut du) = ([0.0_f32; 3], [0.0_f32; 3]);
            (b.eval_f32)(k, (&gate, &up, &grad), (&mut dg, &mut du));
            assert!(
                dg.iter().all(|v| v.is_nan()) && du[0].is_nan() && du[2].is_nan(),
                "{} {}: NaN must propagate: {dg:?} {du:?}",
                op.name,
                k.isa()
            );
            // grad_up = grad · act(gate) does not depend on up, except through a clamp of it.
            let want_nan = (b.partials)(0.5, f64::NAN).1.is_nan();
            assert_eq!(
                du[1].is_nan(),
                want_nan,
                "{} {}: grad_up of a NaN up",
                op.name,
                k.isa()
            );
        }
    }
}

#[test]
#[should_panic(expected = "swiglu_backward")]
fn mismatched_lengths_panic_with_the_function_name() {
    let (mut dg, mut du) = ([0.0_f32; 3], [0.0_f32; 2]);
    simd_activations::swiglu_backward(&[1.0; 3], &[1.0; 3], &[1.0; 3], &mut dg, &mut du);
}

#[test]
#[should_panic(expected = "swiglu_rows_backward")]
fn rows_of_the_wrong_size_panic_with_the_function_name() {
    let mut out = [0.0_f32; 8];
    simd_activations::swiglu_rows_backward(&[1.0; 8], 3, &[1.0; 4], &mut out);
}

/// A limit below 0 clamps every `up` (PyTorch's `clamp` with `min > max`: `grad_up` is 0), a
/// NaN limit clamps nothing, and a limit below `-64 / alpha` sends gates the fast path would
/// take to the full one: on every ISA, within the budget of the f64 partials (gates near the
/// derivative's zero, where the bound is absolute, left out).
#[test]
fn swiglu_oai_backward_any_limit_matches_the_partials() {
    let budget = GATED
        .iter()
        .find(|op| op.name == "swiglu_oai")
        .and_then(|op| op.backward)
        .unwrap()
        .ulp_f32;
    let mut gates: Vec<f32> = (-400..=400)
        .map(|i| i as f32 * 0.1)
        .filter(|g| (g + 0.7511).abs() > 0.5)
        .collect();
    gates.extend([0.0, -0.0, 150.0, -150.0, f32::INFINITY, f32::NEG_INFINITY]);
    let n = gates.len();
    let ups: Vec<f32> = (0..n)
        .map(|i| {
            [
                0.5_f32,
                -3.0,
                120.0,
                -1.0e3,
                f32::INFINITY,
                f32::NEG_INFINITY,
            ][i % 6]
        })
        .collect();
    let grads: Vec<f32> = (0..n).map(|i| [1.0_f32, -0.37, 2.5][i % 3]).collect();
    for k in all_kernels() {
        for limit in [7.0_f32, -100.0, -2.0, 0.0, 0.5, f32::NAN] {
            let (mut dg, mut du) = (vec![0.0_f32; n], vec![0.0_f32; n]);
            k.swiglu_oai_backward(&gates, &ups, &grads, 1.702, limit, &mut dg, &mut du);
            for i in 0..n {
                let (g, u, d) = (f64::from(gates[i]), f64::from(ups[i]), f64::from(grads[i]));
                let (pg, pu) = simd_activations::reference::swiglu_oai_partials(
                    g,
                    u,
                    f64::from(1.702_f32),
                    f64::from(limit),
                );
                for (name, got, exact) in [("grad_gate", dg[i], d * pg), ("grad_up", du[i], d * pu)]
                {
                    let err = ulp_distance_in(got, exact);
                    assert!(
                        err <= budget,
                        "{}: limit {limit}, gate {g}, up {u}, grad {d}: {name} {got} against {exact} ({err} ULP)",
                        k.isa()
                    );
                }
            }
        }
    }
}
