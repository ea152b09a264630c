//! The normal tail probability Φ(-t) = erfc(t/√2)/2, for GELU.

use pulp::Simd;

use crate::catalogue::cores::{PHI_TAIL_P, PHI_TAIL_Q};
use crate::math::exp::exp_scaled_up;
use crate::math::poly::horner;

/// `Φ(-t) · 2^64` for `0 <= t <= 14.5` (callers clamp `t`).
///
/// `Φ(-t) = e^(-t²/2) P(t)/Q(t)` (core `phi_tail`, rational of degrees 5 and 6, one division).
/// `t²` is split exactly into `h + l` with an fma, so `e^(-h/2 - l/2)` sees no rounding in its
/// argument (an error of δ there would be an error of δ in the result, and t²/2 reaches 105).
#[inline(always)]
pub(crate) fn phi_neg_scaled_up<S: Simd>(simd: S, t: S::f32s) -> S::f32s {
    let ratio = simd.div_f32s(horner(simd, t, &PHI_TAIL_P), horner(simd, t, &PHI_TAIL_Q));
    let h = simd.mul_f32s(t, t);
    let l = simd.mul_add_f32s(t, t, simd.neg_f32s(h)); // true fma on every ISA: exact split
    let minus_half = simd.splat_f32s(-0.5);
    let e = exp_scaled_up(simd, simd.mul_f32s(h, minus_half), Some(simd.mul_f32s(l, minus_half)));
    simd.mul_f32s(e, ratio)
}


