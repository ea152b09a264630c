//! The exponential core: e^y = 2^n e^r with y = n ln2 + r.

use pulp::Simd;

use crate::catalogue::consts::{LN2_HI, LN2_LO, LOG2E, ROUND_MAGIC};
use crate::catalogue::cores::EXP_Q;
use crate::math::poly::horner;

/// Range reduction `y = n ln2 + r`, `|r| <= ln2/2 (1 + 2^-20)`.
///
/// `n = round(y log2 e)` by the magic-bias trick: `t = y log2e + 1.5·2^23` keeps `n` in its low
/// mantissa bits (returned as `t`, for [`pow2`]). `r = (y - n LN2_HI) - n LN2_LO` (Cody–Waite):
/// the first step is exact because `n LN2_HI` is, the second rounds once. Needs |y| < 2^21.
#[inline(always)]
pub(crate) fn reduce<S: Simd>(simd: S, y: S::f32s) -> (S::f32s, S::f32s) {
    let magic = simd.splat_f32s(ROUND_MAGIC);
    let t = simd.mul_add_e_f32s(y, simd.splat_f32s(LOG2E), magic);
    let n = simd.sub_f32s(t, magic);
    let r = simd.mul_add_e_f32s(n, simd.splat_f32s(-LN2_HI), y);
    let r = simd.mul_add_e_f32s(n, simd.splat_f32s(-LN2_LO), r);
    (t, r)
}

/// `e^r - 1 = r + r² q(r)` on the reduced interval (core `exp_q`, degree 6 in all).
#[inline(always)]
pub(crate) fn expm1_reduced<S: Simd>(simd: S, r: S::f32s) -> S::f32s {
    let q = horner(simd, r, &EXP_Q);
    simd.mul_add_e_f32s(simd.mul_f32s(r, r), q, r)
}

/// `2^n · bias` for `t` from [`reduce`] and `bias` the bits of a power of two, by adding `n` to
/// its exponent field. The result must stay a normal number.
#[inline(always)]
pub(crate) fn pow2<S: Simd>(simd: S, t: S::f32s, bias: S::u32s) -> S::f32s {
    let n_in_exponent = simd.wrapping_dyn_shl_u32s(simd.transmute_u32s_f32s(t), simd.splat_u32s(23));
    simd.transmute_f32s_u32s(simd.add_u32s(n_in_exponent, bias))
}

/// `e^y · 2^64` for `-131 <= y <= 0`: a normal number even where `e^y` is subnormal or zero, so
/// the caller rounds once when it scales back (silu, sigmoid, gelu tails).
#[inline(always)]
pub(crate) fn exp_scaled_up<S: Simd>(simd: S, y: S::f32s, y_tail: Option<S::f32s>) -> S::f32s {
    let (t, r) = reduce(simd, y);
    let r = match y_tail {
        Some(lo) => simd.add_f32s(r, lo),
        None => r,
    };
    let em1 = expm1_reduced(simd, r);
    let m = pow2(simd, t, crate::math::bits::bits_of(simd, crate::catalogue::consts::SCALE_UP));
    simd.mul_add_e_f32s(em1, m, m)
}
