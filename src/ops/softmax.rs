//! Softmax and log-softmax over rows: max, exp-sum and normalisation passes, written once over
//! `pulp::Simd` with a lane-count-independent summation order.

use std::any::TypeId;

use pulp::{Simd, WithSimd};

use crate::catalogue::consts::{EXP_NORMAL_LIMIT, LN2_HI, LN2_LO};
use crate::element::{Element, MAX_BLOCK, block_len, load_tail, store_tail};
use crate::math::divide::two_sum;
use crate::math::exp::exp_nonpositive;
use crate::math::log::ln_sum_parts;
use crate::ops::GateSlice;

/// Virtual accumulators of the row sum: element `i` of a row is added to accumulator
/// `i % SUM_LANES` on every ISA (the widest block, so that each ISA's blocks tile it), and the
/// accumulators are combined in one fixed order. The sum, and so every output, has the same
/// bits whatever the vector width.
const SUM_LANES: usize = MAX_BLOCK;

/// Which normalisation a row gets.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum RowKind {
    /// `e^(x - max) / Σ e^(x - max)`.
    Softmax,
    /// `(x - max) - ln Σ e^(x - max)`.
    LogSoftmax,
}

/// Softmax or log-softmax over contiguous rows of `width` (sizes checked by the caller).
pub(crate) struct SoftmaxRows<'a, T> {
    pub kind: RowKind,
    pub rows: GateSlice<'a, T>,
    pub width: usize,
}

impl<T: Element> WithSimd for SoftmaxRows<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let w = self.width;
        match self.rows {
            GateSlice::Separate { gate, out } => {
                for (x, out) in gate.chunks_exact(w).zip(out.chunks_exact_mut(w)) {
                    row(simd, self.kind, &mut GateSlice::Separate { gate: x, out });
                }
            }
            GateSlice::InPlace(x) => {
                for x in x.chunks_exact_mut(w) {
                    row(simd, self.kind, &mut GateSlice::InPlace(x));
                }
            }
        }
    }
}

/// One row: the max (and whether a NaN is present), then the sum of `e^(x - max)`, then the
/// outputs. A row with a NaN, or of all `-inf`, becomes the positive quiet NaN.
#[inline(always)]
fn row<S: Simd, T: Element>(simd: S, kind: RowKind, row: &mut GateSlice<'_, T>) {
    let (max, min, nan) = row_max(simd, row.src());
    if nan || max == f32::NEG_INFINITY {
        row.dst().fill(T::from_f32(f32::NAN));
        return;
    }
    if max == f32::INFINITY {
        return infinite_row(simd, kind, row);
    }
    // The common case, finite logits within 87 of the max, skips the clamps and selects
    // that only infinities and underflowing exponentials need (the same bits either way).
    if max.is_finite() && min - max >= -EXP_NORMAL_LIMIT {
        row_passes::<S, T, true>(simd, kind, row, max);
    } else {
        row_passes::<S, T, false>(simd, kind, row, max);
    }
}

/// A row whose max is `+inf` (and no NaN): the limit, exact. With `k` infinities each gets
/// `1/k` (log: `-ln k`, the log of the sum `k` as for any row), every other entry 0 (`-inf`).
#[cold]
fn infinite_row<S: Simd, T: Element>(simd: S, kind: RowKind, row: &mut GateSlice<'_, T>) {
    let k = row
        .src()
        .iter()
        .filter(|v| v.to_f32() == f32::INFINITY)
        .count();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a count of row elements, exact below 2^24"
    )]
    let k = k as f32;
    let (share, other) = match kind {
        RowKind::Softmax => (1.0 / k, 0.0),
        RowKind::LogSoftmax => {
            let (ln_hi, ln_lo) = ln_of_sum(simd, f64::from(k) - 1.0);
            (0.0 - (ln_hi + ln_lo), f32::NEG_INFINITY)
        }
    };
    let (share, other) = (T::from_f32(share), T::from_f32(other));
    for i in 0..row.src().len() {
        let v = if row.src()[i].to_f32() == f32::INFINITY {
            share
        } else {
            other
        };
        row.dst()[i] = v;
    }
}

/// The sum and output passes of a row whose max is the number `max`.
#[inline(always)]
fn row_passes<S: Simd, T: Element, const CLEAN: bool>(
    simd: S,
    kind: RowKind,
    row: &mut GateSlice<'_, T>,
    max: f32,
) {
    // f32 rows keep e^(x - max) in the output between the passes (no loss); 16-bit rows
    // recompute it (the same bits) rather than round it.
    let keep = kind == RowKind::Softmax && TypeId::of::<T>() == TypeId::of::<f32>();
    let excess = exp_sum::<S, T, CLEAN>(simd, row, max, keep);
    let finish = match kind {
        RowKind::Softmax => {
            #[expect(
                clippy::cast_possible_truncation,
                reason = "the sum, exact to about 2^-50, is rounded to the f32 divisor"
            )]
            let divisor = (1.0 + excess) as f32;
            Finish::Divide {
                max,
                divisor,
                kept: keep,
            }
        }
        RowKind::LogSoftmax => {
            let (ln_hi, ln_lo) = ln_of_sum(simd, excess);
            // x - max - ln = x - (max + ln): the subtrahend as an f32 pair, once per row.
            let (c_hi, c) = two_sum_f32(max, ln_hi);
            Finish::Subtract {
                c_hi,
                c_lo: c + ln_lo,
            }
        }
    };
    normalise::<S, T, CLEAN>(simd, row, finish);
}

/// The last pass of a row.
#[derive(Clone, Copy)]
enum Finish {
    /// Softmax: `e^(x - max) / divisor`, with `e^(x - max)` already in the output if `kept`.
    Divide { max: f32, divisor: f32, kept: bool },
    /// Log-softmax: `x - (c_hi + c_lo)`, with `c = max + ln Σ e^(x - max)`.
    Subtract { c_hi: f32, c_lo: f32 },
}

/// One vector of the last pass: `x` the input, `kept` what the sum pass left in the output.
#[inline(always)]
fn finish<S: Simd, const CLEAN: bool>(
    simd: S,
    finish: Finish,
    x: S::f32s,
    kept: S::f32s,
) -> S::f32s {
    match finish {
        Finish::Divide {
            divisor,
            kept: true,
            ..
        } => simd.div_f32s(kept, simd.splat_f32s(divisor)),
        Finish::Divide {
            max,
            divisor,
            kept: false,
        } => {
            let (d, d_lo) = diff::<S, CLEAN>(simd, x, max);
            simd.div_f32s(
                exp_nonpositive::<S, CLEAN>(simd, d, d_lo),
                simd.splat_f32s(divisor),
            )
        }
        Finish::Subtract { c_hi, c_lo } => {
            let (s, err) = two_sum(simd, x, simd.splat_f32s(-c_hi));
            let y = simd.add_f32s(s, simd.sub_f32s(err, simd.splat_f32s(c_lo)));
            if CLEAN {
                return y;
            }
            // -inf inputs, and differences beyond f32 (-f32::MAX - max): -inf.
            let finite = simd.greater_than_or_equal_f32s(s, simd.splat_f32s(f32::MIN));
            simd.select_f32s(finite, y, s)
        }
    }
}

/// The largest and smallest elements of a non-empty row, and whether it holds a NaN (lane-wise
/// max, min and compare, then across lanes: exact, so independent of the order; with a NaN
/// the max and min are not used).
#[inline(always)]
fn row_max<S: Simd, T: Element>(simd: S, x: &[T]) -> (f32, f32, bool) {
    let n = block_len::<S>();
    let mut max = simd.splat_f32s(f32::NEG_INFINITY);
    let mut min = simd.splat_f32s(f32::INFINITY);
    let mut number = simd.equal_f32s(max, max);
    let mut blocks = x.chunks_exact(n);
    for b in &mut blocks {
        for v in T::load_block(simd, b) {
            max = simd.max_f32s(max, v);
            min = simd.min_f32s(min, v);
            number = simd.and_m32s(number, simd.equal_f32s(v, v));
        }
    }
    let tail = blocks.remainder();
    if !tail.is_empty() {
        // Padding lanes repeat the first element: they change neither max nor min.
        let mut padded = [tail[0]; MAX_BLOCK];
        padded[..tail.len()].copy_from_slice(tail);
        for v in T::load_block(simd, &padded[..n]) {
            max = simd.max_f32s(max, v);
            min = simd.min_f32s(min, v);
            number = simd.and_m32s(number, simd.equal_f32s(v, v));
        }
    }
    let nan = bytemuck::bytes_of(&simd.not_m32s(number))
        .iter()
        .any(|&b| b != 0);
    let max = lanes(&max).iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b));
    let min = lanes(&min).iter().fold(f32::INFINITY, |a, &b| a.min(b));
    (max, min, nan)
}

/// The lanes of a vector.
#[inline(always)]
fn lanes<V: bytemuck::Pod>(v: &V) -> &[f32] {
    bytemuck::cast_slice(std::slice::from_ref(v))
}

/// `x - max` as an exact sum `d + d_lo` (TwoSum) for a finite `max`; `-inf - max` gives `-inf`
/// with no low part. `CLEAN`: the row is finite with every `x - max >= -87` (see [`row`]), and
/// these selects are skipped (they would change nothing).
#[inline(always)]
fn diff<S: Simd, const CLEAN: bool>(simd: S, x: S::f32s, max: f32) -> (S::f32s, S::f32s) {
    let (s, err) = two_sum(simd, x, simd.splat_f32s(-max));
    if CLEAN {
        return (s, err);
    }
    let finite = simd.greater_than_or_equal_f32s(s, simd.splat_f32s(f32::MIN));
    (s, simd.select_f32s(finite, err, simd.splat_f32s(0.0)))
}

/// `Σ e^(x - max) - 1` over the row (the sum less the max's own term), as an f64 exact to
/// within about 2^-50 of the sum, and with full relative accuracy when it is tiny.
///
/// Each virtual accumulator keeps a running f32 sum and the sum of the TwoSum errors of its
/// additions (Ogita, Rump and Oishi's Sum2: as accurate as summing in twice the precision, so
/// the error does not grow with the width); the 2·[`SUM_LANES`] partial values are added in
/// f64 in a fixed order. With `keep`, `e^(x - max)` is also written to the row's output.
#[inline(always)]
fn exp_sum<S: Simd, T: Element, const CLEAN: bool>(
    simd: S,
    row: &mut GateSlice<'_, T>,
    max: f32,
    keep: bool,
) -> f64 {
    let n = block_len::<S>();
    let per_chunk = SUM_LANES / n;
    let zero = simd.splat_f32s(0.0);
    let mut acc = Sum2 {
        sum: [zero; SUM_LANES],
        err: [zero; SUM_LANES],
    };
    let len = row.src().len();
    let whole = len - len % SUM_LANES;
    let mut i = 0;
    while i < whole {
        for b in 0..per_chunk {
            let at = i + b * n;
            let x = T::load_block(simd, &row.src()[at..at + n]);
            let e = acc.add_exp::<CLEAN>(simd, b, max, x, None);
            if keep {
                T::store_block(simd, &mut row.dst()[at..at + n], e);
            }
        }
        i += SUM_LANES;
    }
    if whole < len {
        // The last, partial chunk: padded, and the padding's exponentials masked to 0 before
        // they are added (adding exactly 0 changes no accumulator).
        let tail = &row.src()[whole..];
        let mut padded = [tail[0]; SUM_LANES];
        padded[..tail.len()].copy_from_slice(tail);
        let mut mask = [0_u32; SUM_LANES];
        mask[..tail.len()].fill(u32::MAX);
        let mut kept = [T::default(); SUM_LANES];
        for b in 0..per_chunk {
            let block = b * n..(b + 1) * n;
            let valid = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&mask[block.clone()]));
            let x = T::load_block(simd, &padded[block.clone()]);
            let e = acc.add_exp::<CLEAN>(simd, b, max, x, Some(valid));
            T::store_block(simd, &mut kept[block], e);
        }
        if keep {
            row.dst()[whole..].copy_from_slice(&kept[..len - whole]);
        }
    }
    let used = SUM_LANES / S::F32_LANES;
    let flat = |v: &[S::f32s]| -> [f32; SUM_LANES] {
        let mut out = [0.0; SUM_LANES];
        out.copy_from_slice(bytemuck::cast_slice(&v[..used]));
        out
    };
    let (sum, err) = (flat(&acc.sum), flat(&acc.err));
    // The max's term is exactly 1 and lies in the largest accumulator (>= 1): taking 1 from it
    // (exact in f64) leaves the excess with full relative accuracy however small it is.
    let big = (1..SUM_LANES).fold(0, |b, k| if sum[k] > sum[b] { k } else { b });
    sum.iter()
        .zip(&err)
        .enumerate()
        .fold(0.0_f64, |acc, (k, (&s, &e))| {
            let s = if k == big {
                f64::from(s) - 1.0
            } else {
                f64::from(s)
            };
            acc + s + f64::from(e)
        })
}

/// `a + b` as `(s, err)`, `s + err = a + b` exactly (TwoSum on scalars: IEEE operations, the
/// same on every ISA).
fn two_sum_f32(a: f32, b: f32) -> (f32, f32) {
    let s = a + b;
    let bb = s - a;
    (s, (a - (s - bb)) + (b - bb))
}

/// The row sum's virtual accumulators: vector `k` holds accumulators `k·L` to `k·L + L - 1` of
/// an ISA with `L` lanes (only the first `SUM_LANES / L` vectors are used).
struct Sum2<S: Simd> {
    /// Running f32 sums.
    sum: [S::f32s; SUM_LANES],
    /// Sums of the exact rounding errors of the additions into `sum`.
    err: [S::f32s; SUM_LANES],
}

impl<S: Simd> Sum2<S> {
    /// `e^(x - max)` of the `b`-th block of a chunk, added to its two accumulator vectors
    /// (TwoSum, error into `err`); returns the exponentials. `valid`: lane masks (all-ones
    /// bits where the lane is part of the row), the other lanes become 0.
    #[inline(always)]
    fn add_exp<const CLEAN: bool>(
        &mut self,
        simd: S,
        b: usize,
        max: f32,
        x: [S::f32s; 2],
        valid: Option<[S::f32s; 2]>,
    ) -> [S::f32s; 2] {
        let mut e = x;
        for (i, v) in e.iter_mut().enumerate() {
            let (d, d_lo) = diff::<S, CLEAN>(simd, *v, max);
            *v = exp_nonpositive::<S, CLEAN>(simd, d, d_lo);
            if let Some(valid) = valid {
                *v = simd.and_f32s(*v, valid[i]);
            }
            let k = 2 * b + i;
            let (s, lo) = two_sum(simd, self.sum[k], *v);
            self.sum[k] = s;
            self.err[k] = simd.add_f32s(self.err[k], lo);
        }
        e
    }
}

/// Position of the exponent field in the bits of an f32.
const EXPONENT_SHIFT: u32 = f32::MANTISSA_DIGITS - 1;
/// The exponent bias of f32 (the field of 1.0).
const EXPONENT_BIAS: u32 = 1.0_f32.to_bits() >> EXPONENT_SHIFT;

/// `ln(1 + excess)` (the log of the row sum) as an unevaluated sum `hi + lo`, with the relative
/// accuracy of `excess` kept when it is tiny (a dominant entry).
///
/// `1 + excess = 2^k (w + c)` with `w` in [1, 2) an f32 and `c` what it lacks (computed from
/// `excess` directly, so a tiny excess survives in `c`), then the log core [`ln_sum_parts`] on
/// one lane, `k ln2` and the parts gathered in f64 (plain IEEE operations, the same on every
/// ISA).
#[inline(always)]
fn ln_of_sum<S: Simd>(simd: S, excess: f64) -> (f32, f32) {
    #[expect(
        clippy::cast_possible_truncation,
        reason = "hi is the sum rounded to f32 and lo what that rounding lost"
    )]
    let hi = (1.0 + excess) as f32;
    #[expect(clippy::cast_possible_truncation, reason = "as above")]
    let lo = ((1.0 - f64::from(hi)) + excess) as f32;
    let k = (hi.to_bits() >> EXPONENT_SHIFT) - EXPONENT_BIAS;
    let scale = f32::from_bits((EXPONENT_BIAS - k) << EXPONENT_SHIFT);
    let (exact, small) = ln_sum_parts(
        simd,
        simd.splat_f32s(hi * scale),
        simd.splat_f32s(lo * scale),
    );
    let k = f64::from(k);
    let ln = k * f64::from(LN2_HI)
        + k * f64::from(LN2_LO)
        + f64::from(lanes(&exact)[0])
        + f64::from(lanes(&small)[0]);
    #[expect(
        clippy::cast_possible_truncation,
        reason = "the same hi/lo split of the f64 logarithm"
    )]
    let split = (ln as f32, (ln - f64::from(ln as f32)) as f32);
    split
}

/// The last pass over the row, block by block (the tail through the same body on a padded
/// block).
#[inline(always)]
fn normalise<S: Simd, T: Element, const CLEAN: bool>(
    simd: S,
    row: &mut GateSlice<'_, T>,
    f: Finish,
) {
    let n = block_len::<S>();
    let len = row.src().len();
    let whole = len - len % n;
    let kept = matches!(f, Finish::Divide { kept: true, .. });
    let mut i = 0;
    while i < whole {
        let x = T::load_block(simd, &row.src()[i..i + n]);
        let o = if kept {
            T::load_block(simd, &row.dst()[i..i + n])
        } else {
            x
        };
        let y = [
            finish::<S, CLEAN>(simd, f, x[0], o[0]),
            finish::<S, CLEAN>(simd, f, x[1], o[1]),
        ];
        T::store_block(simd, &mut row.dst()[i..i + n], y);
        i += n;
    }
    if whole < len {
        let x = load_tail(simd, &row.src()[whole..]);
        let o = if kept {
            load_tail(simd, &row.dst()[whole..])
        } else {
            x
        };
        let y = [
            finish::<S, CLEAN>(simd, f, x[0], o[0]),
            finish::<S, CLEAN>(simd, f, x[1], o[1]),
        ];
        store_tail(simd, &mut row.dst()[whole..], y);
    }
}
