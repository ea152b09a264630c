//! The logistic product `v · sigmoid(g)` behind sigmoid, silu, swish and gelu_tanh.

use pulp::Simd;

use crate::catalogue::consts::{LOGISTIC_A_MAX_NEG, LOGISTIC_A_MAX_POS, SCALE_UP};
use crate::math::bits::{abs, bits_of};
use crate::math::exp::reduce;

/// `v · sigmoid(g + g_lo) = v / (1 + e^-g)`, with `e = e^-|g|` never rounded on its own.
///
/// With `e = m (1 + expm1(r))` from the exp core (`m` a power of two):
/// - `g >= 0`: `v / fma(expm1(r), m, m + 1)`;
/// - `g < 0`:  `fma(expm1(r), v m, v m) / fma(expm1(r), m, m + 2^64)`, i.e. `v e / (1 + e)` with
///   numerator and denominator scaled by 2^64 (exact), so a subnormal result rounds only in the
///   division.
///
/// Three roundings (numerator, denominator, division); an error of `expm1(r)` enters numerator
/// and denominator alike and is damped by `1/(1+e)`. `|g|` is clamped at 120 for `g < 0` (every
/// result underflows beyond for `|v| <= 120`: callers clamp `v`) and at 87 for `g >= 0` (where
/// `1 + e` is 1). `g_lo` is the low part of a double-f32 gate (|g_lo| <= 2^-17).
#[inline(always)]
pub(crate) fn times_sigmoid<S: Simd>(simd: S, v: S::f32s, g: S::f32s, g_lo: Option<S::f32s>) -> S::f32s {
    let negative = simd.less_than_f32s(g, simd.splat_f32s(0.0));
    let limit = simd.select_f32s(
        negative,
        simd.splat_f32s(LOGISTIC_A_MAX_NEG),
        simd.splat_f32s(LOGISTIC_A_MAX_POS),
    );
    let y = simd.neg_f32s(simd.min_f32s(abs(simd, g), limit));
    let red = reduce(simd, y);
    let em1 = match g_lo {
        // -|g + g_lo| = y + (g_lo if g < 0, -g_lo otherwise).
        Some(lo) => red.expm1_with_tail(simd, simd.select_f32s(negative, lo, simd.neg_f32s(lo))),
        None => red.expm1(simd),
    };
    let m = red.pow2(simd, simd.select_u32s(negative, bits_of(simd, SCALE_UP), bits_of(simd, 1.0)));
    let one_scaled = simd.select_f32s(negative, simd.splat_f32s(SCALE_UP), simd.splat_f32s(1.0));
    let den = simd.mul_add_e_f32s(em1, m, simd.add_f32s(m, one_scaled));
    let vm = simd.mul_f32s(v, m);
    let num = simd.select_f32s(negative, simd.mul_add_e_f32s(em1, vm, vm), v);
    simd.div_f32s(num, den)
}
