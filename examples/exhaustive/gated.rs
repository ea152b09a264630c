//! Gated ops: every `stride`-th gate bit pattern of the element type × a fixed set of ups,
//! against the f64 reference, judged as `tests/gated.rs` judges them.

use indicatif::ProgressBar;
use simd_activations::Kernels;
use simd_activations::catalogue::GatedSpec;
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};

use crate::sweep::{Swept, Tally, run_blocks};

/// Gates per parallel block.
const BLOCK: u64 = 1 << 12;

/// Smallest positive subnormal f32, 2^-149: the absolute error of an activation that is an f32
/// subnormal, which `up` scales.
const F32_TINY: f64 = 1.401_298_464_324_817e-45;

/// Below this `|gate|` the f32 lanes cannot tell an exact bf16/f16 tie of the product from a
/// value next to it (the activation differs from its linear term by under half an f32 ULP), so
/// the correctly rounded share leaves these gates out (they are still held to the budget).
const TIE_BLIND_GATE: f32 = 5.960_464_5e-8; // 2^-24

/// The ups every gate is paired with, those of `tests/gated.rs`: signed zeros, ±1, small and
/// huge magnitudes from 6e-42 to 1e20 (none so large that a product with a moderate gate
/// overflows), and twelve values spread over [-8, 8] by the golden ratio.
pub fn f32_ups() -> Vec<f32> {
    let mut ups = vec![
        0.0, -0.0, 1.0, -1.0, 0.5, 3.75, -7.0, 1e-3, -2.5e-20, 1e20, 1e-38, 6e-42,
    ];
    ups.extend((1..=12).map(|i| (i as f32 * 0.618_033_9).fract() * 16.0 - 8.0));
    ups
}

/// [`f32_ups`] rounded to `T`: the finite ones, each value once, in order.
pub fn ups<T: Swept>() -> Vec<T> {
    let mut out: Vec<T> = Vec::new();
    for u in f32_ups().into_iter().map(T::from_f32) {
        let bits = u.to_f32().to_bits();
        if u.to_f32().is_finite() && !out.iter().any(|v| v.to_f32().to_bits() == bits) {
            out.push(u);
        }
    }
    out
}

/// Checks `op` on `k` over the gates with bit patterns `0, stride, 2·stride, …` of `T`, each
/// with every up of [`ups`].
pub fn check<T: Swept>(op: &GatedSpec, k: Kernels, stride: u64, bar: &ProgressBar) -> Tally {
    let count = T::PATTERNS.div_ceil(stride);
    let eval = T::gated(op);
    let budget = T::budget(op.ulp_f32);
    let ups = ups::<T>();
    run_blocks(count.div_ceil(BLOCK), bar, |b| {
        let gate: Vec<T> = (b * BLOCK..((b + 1) * BLOCK).min(count))
            .map(|i| T::from_pattern(i * stride))
            .collect();
        let normal: Vec<bool> = gate
            .iter()
            .map(|g| activation_is_normal(op, g.to_f32()))
            .collect();
        let mut out = gate.clone();
        let mut t = Tally::EMPTY;
        for &u in &ups {
            let up = vec![u; gate.len()];
            eval(k, &gate, &up, &mut out);
            for ((&g, &y), &normal) in gate.iter().zip(&out).zip(&normal) {
                judge(op, budget, (g, u), y, normal, &mut t);
            }
        }
        t
    })
}

/// Whether the activation (the op with `up = 1`) is a normal f32 at `gate`: there the budget
/// holds without the subnormal allowance, and the max error is taken.
fn activation_is_normal(op: &GatedSpec, gate: f32) -> bool {
    (op.reference)(f64::from(gate), 1.0).abs() >= f64::from(f32::MIN_POSITIVE)
}

/// Adds the output `y` of the pair `(gate, up)` to `t`; `normal` says whether the activation
/// is a normal f32 at `gate`.
fn judge<T: Swept>(
    op: &GatedSpec,
    budget: f64,
    (gate, up): (T, T),
    y: T,
    normal: bool,
    t: &mut Tally,
) {
    t.inputs += 1;
    let (g, u, yf) = (gate.to_f32(), up.to_f32(), y.to_f32());
    if g.is_nan() {
        t.nan_ok &= yf.is_nan();
        return;
    }
    let exact = (op.reference)(f64::from(g), f64::from(u));
    let err = ulp_distance_in(y, exact);
    t.over_budget += u64::from(!within::<T>(exact, yf, u, err, budget, normal));
    if normal {
        t.note_error(err, g, u);
    }
    if T::JUDGES_ROUNDING
        && exact.abs() >= 2f64.powi(T::MIN_NORMAL_EXP)
        && g.abs() >= TIE_BLIND_GATE
    {
        t.judged += 1;
        t.rounded += u64::from(T::from_f64(exact) == y);
    }
}

/// Whether `got` (an error of `err` ULP of `T` from `exact`) is within `budget` ULP, or, where
/// the activation is not a normal f32, finite and within `budget` ULP plus `|up| · 2^-149`.
fn within<T: Swept>(exact: f64, got: f32, up: f32, err: f64, budget: f64, normal: bool) -> bool {
    if err <= budget {
        return true;
    }
    if normal {
        return false;
    }
    let allowed = budget * ulp_of_in::<T>(exact) + f64::from(up).abs() * F32_TINY;
    got.is_finite() && (f64::from(got) - exact).abs() <= allowed
}
