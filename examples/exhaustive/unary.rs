//! Unary ops: every `stride`-th bit pattern of the element type against the f64 reference.

use indicatif::ProgressBar;
use simd_activations::Kernels;
use simd_activations::catalogue::OpSpec;
use simd_activations::ulp::ulp_distance_in;

use crate::sweep::{Swept, Tally, run_blocks};

/// Inputs per parallel block.
const BLOCK: u64 = 1 << 14;

/// Checks `op` on `k` over the bit patterns `0, stride, 2·stride, …` of `T`.
pub fn check<T: Swept>(op: &OpSpec, k: Kernels, stride: u64, bar: &ProgressBar) -> Tally {
    let count = T::PATTERNS.div_ceil(stride);
    let eval = T::unary(op);
    let budget = T::budget(op.ulp_f32);
    let mut tally = run_blocks(count.div_ceil(BLOCK), bar, |b| {
        let (start, end) = (b * BLOCK, ((b + 1) * BLOCK).min(count));
        // One input past the block, so that the order check links it to the next block.
        let x: Vec<T> = (start..(end + 1).min(count))
            .map(|i| T::from_pattern(i * stride))
            .collect();
        let mut y = x.clone();
        eval(k, &x, &mut y);
        let len = (end - start) as usize;
        let mut t = Tally::EMPTY;
        for (&xi, &yi) in x[..len].iter().zip(&y) {
            judge(op, budget, xi, yi, &mut t);
        }
        if op.monotone {
            t.drops = drops(&x, &y);
        }
        t
    });
    if op.monotone {
        tally.drops += zero_drop::<T>(op, k);
    }
    tally
}

/// Adds the output `y` of input `x` to `t`.
fn judge<T: Swept>(op: &OpSpec, budget: f64, x: T, y: T, t: &mut Tally) {
    t.inputs += 1;
    let (xf, yf) = (x.to_f32(), y.to_f32());
    if xf.is_nan() {
        t.nan_ok &= yf.is_nan();
        return;
    }
    let exact = (op.reference)(f64::from(xf));
    let err = ulp_distance_in(y, exact);
    t.over_budget += u64::from(err > budget);
    t.note_error(err, xf, 0.0);
    if T::JUDGES_ROUNDING {
        t.judged += 1;
        let correct = T::from_f64(exact) == y || (exact.is_nan() && yf.is_nan());
        t.rounded += u64::from(correct);
    }
}

/// Pairs of consecutive inputs (NaNs skipped) whose outputs go against their order: inputs in
/// bit-pattern order ascend for `+x` and descend for `-x`, so each pair is judged by its values.
fn drops<T: Swept>(x: &[T], y: &[T]) -> u64 {
    let against = |w: &[T], v: &[T]| {
        let (x0, x1, y0, y1) = (w[0].to_f32(), w[1].to_f32(), v[0].to_f32(), v[1].to_f32());
        (x1 > x0 && y1 < y0) || (x1 < x0 && y1 > y0)
    };
    x.windows(2)
        .zip(y.windows(2))
        .filter(|(w, v)| against(w, v))
        .count() as u64
}

/// 1 if `op(+0) < op(-0)`: the one pair of neighbouring values that the bit-pattern order does
/// not put next to each other.
fn zero_drop<T: Swept>(op: &OpSpec, k: Kernels) -> u64 {
    let x = [T::from_f32(-0.0), T::from_f32(0.0)];
    let mut y = x;
    T::unary(op)(k, &x, &mut y);
    u64::from(y[1].to_f32() < y[0].to_f32())
}
