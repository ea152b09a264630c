//! The logistic product `v · sigmoid(g)` behind sigmoid, silu, swish and gelu_tanh.

use pulp::Simd;

use crate::catalogue::consts::{EXP_NORMAL_LIMIT, LOGISTIC_A_MAX_NEG, SCALE_UP};
use crate::math::bits::{abs, bits_of, with_sign_of};
use crate::math::divide::{div_compensated, fast_two_sum, times_one_plus};
use crate::math::exp::reduce;

/// Which inputs a call of [`times_sigmoid`] must handle.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Range {
    /// Every `|g| <= LOGISTIC_FAST_LIMIT` (64): `e^-|g|` and the low parts of the exact products
    /// stay normal numbers, so no scaling is needed.
    Normal,
    /// Any `g`: clamped, and the `g < 0` side carried scaled by 2^64.
    Full,
}

/// `v · sigmoid(g + g_lo) = v / (1 + e^-g)` (`v = None` means 1), with `e = e^-|g|` never rounded
/// on its own.
///
/// With `e = m (1 + expm1(r))` from the exp core (`m` a power of two), `g >= 0` gives
/// `v / (1 + e)` and `g < 0` gives `v e / (1 + e)`. The denominator `(m + 1) + m expm1(r)` and
/// the numerator `v m + v m expm1(r)` are error-free sums (`m expm1(r)` is exact, `v m expm1(r)`
/// is split with an fma) whose low parts correct the quotient, so the only roundings are the exp
/// core's (damped by `1/(1+e)`, as numerator and denominator share it) and the quotient's own.
///
/// With [`Range::Full`], `|g|` is clamped at 120 for `g < 0` (every result underflows beyond for
/// `|v| <= 120`: callers clamp `v`) and at 87 for `g >= 0` (where `1 + e` is 1), and for `g < 0`
/// numerator and denominator are scaled by 2^64 (exactly), so a subnormal result is rounded once,
/// by the division; lanes with `|g| <= 87` get the same bits as with [`Range::Normal`]. `g_lo` is
/// the low part of a double-f32 gate (|g_lo| <= 2^-17 where the gate is not clamped).
#[inline(always)]
pub(crate) fn times_sigmoid<S: Simd>(
    simd: S,
    v: Option<S::f32s>,
    g: S::f32s,
    g_lo: Option<S::f32s>,
    range: Range,
) -> S::f32s {
    let negative = simd.less_than_f32s(g, simd.splat_f32s(0.0));
    let (a, g_lo) = match range {
        Range::Normal => (abs(simd, g), g_lo),
        Range::Full => {
            let limit = simd.select_f32s(
                negative,
                simd.splat_f32s(LOGISTIC_A_MAX_NEG),
                simd.splat_f32s(EXP_NORMAL_LIMIT),
            );
            // A clamped gate drops its low part (of the unclamped gate: up to 2^104, or NaN
            // for an infinite gate).
            let clamped = simd.greater_than_f32s(abs(simd, g), limit);
            let g_lo = g_lo.map(|lo| simd.select_f32s(clamped, simd.splat_f32s(0.0), lo));
            (simd.min_f32s(abs(simd, g), limit), g_lo)
        }
    };
    let red = reduce(simd, simd.neg_f32s(a));
    let em1 = match g_lo {
        // -|g + g_lo| = -a + (g_lo if g < 0, -g_lo otherwise).
        Some(lo) => red.expm1_with_tail(simd, simd.select_f32s(negative, lo, simd.neg_f32s(lo))),
        None => red.expm1(simd),
    };
    let (bias, one) = match range {
        Range::Normal => (bits_of(simd, 1.0), simd.splat_f32s(1.0)),
        Range::Full => (
            simd.select_u32s(negative, bits_of(simd, SCALE_UP), bits_of(simd, 1.0)),
            simd.select_f32s(negative, simd.splat_f32s(SCALE_UP), simd.splat_f32s(1.0)),
        ),
    };
    let m = red.pow2(simd, bias);
    let den = fast_two_sum(simd, simd.add_f32s(m, one), simd.mul_f32s(m, em1));
    let zero = simd.splat_f32s(0.0);
    let num = match v {
        None => {
            let (e, e_lo) = fast_two_sum(simd, m, simd.mul_f32s(m, em1));
            (
                simd.select_f32s(negative, e, one),
                simd.select_f32s(negative, e_lo, zero),
            )
        }
        Some(v) => {
            let (ve, ve_lo) = times_one_plus(simd, simd.mul_f32s(v, m), em1);
            (
                simd.select_f32s(negative, ve, v),
                simd.select_f32s(negative, ve_lo, zero),
            )
        }
    };
    let q = div_compensated(simd, num, den);
    match v {
        None => q,
        // v·sigmoid(g) has the sign of v, zero included (the correction may add +0 to -0).
        Some(v) => {
            let q = with_sign_of(simd, q, v);
            match range {
                Range::Normal => q,
                // An infinite v (reaching here only with g >= 0 or NaN) times sigmoid(g) = 1.
                Range::Full => simd.select_f32s(
                    simd.equal_f32s(abs(simd, v), simd.splat_f32s(f32::INFINITY)),
                    v,
                    q,
                ),
            }
        }
    }
}
