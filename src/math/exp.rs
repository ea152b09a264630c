//! The exponential core: e^y = 2^n e^r with y = n ln2 + r.

use pulp::Simd;

use crate::catalogue::consts::{
    EXP_X_MIN, LN2_HI, LN2_LO, LOG2E, ROUND_MAGIC, SCALE_DOWN, SCALE_UP,
};
use crate::catalogue::cores::EXP_Q;
use crate::math::bits::bits_of;
use crate::math::poly::horner;

/// Range reduction `y = n ln2 + r + δ`, `|r| <= ln2/2 (1 + 2^-20)`, `|δ| <= ulp(r)/2`.
///
/// `n = round(y log2 e)` by the magic-bias trick: `t = y log2e + 1.5·2^23` keeps `n` in its low
/// mantissa bits (returned as `t`, for [`pow2`]). Cody–Waite: `r_hi = y - n LN2_HI` is exact
/// (`n LN2_HI` is exact and close to `y`); `r = r_hi - n LN2_LO` rounds once, and `δ = (r_hi - r) -
/// n LN2_LO` is what that rounding lost (an error of 0.25 ULP of e^y if dropped). Needs |y| < 2^21.
#[inline(always)]
pub(crate) fn reduce<S: Simd>(simd: S, y: S::f32s) -> Reduced<S> {
    let magic = simd.splat_f32s(ROUND_MAGIC);
    let t = simd.mul_add_f32s(y, simd.splat_f32s(LOG2E), magic);
    let n = simd.sub_f32s(t, magic);
    let r_hi = simd.mul_add_f32s(n, simd.splat_f32s(-LN2_HI), y);
    let c = simd.mul_f32s(n, simd.splat_f32s(LN2_LO));
    let r = simd.sub_f32s(r_hi, c);
    let delta = simd.sub_f32s(simd.sub_f32s(r_hi, r), c);
    Reduced { t, r, delta }
}

/// The result of [`reduce`].
#[derive(Clone, Copy)]
pub(crate) struct Reduced<S: Simd> {
    /// `n + 1.5·2^23`: `n` in the low mantissa bits.
    pub t: S::f32s,
    /// The reduced argument, rounded to f32.
    pub r: S::f32s,
    /// The rounding error of `r`.
    pub delta: S::f32s,
}

impl<S: Simd> Reduced<S> {
    /// `e^(r+δ) - 1 = r + (r² q(r) + δ)` (core `exp_q`, degree 6 in all), rounded once at the end.
    /// Dropping the factor `e^r` of `δ` costs at most `|δ r| < 2^-26 ulp(1)`.
    #[inline(always)]
    pub(crate) fn expm1(self, simd: S) -> S::f32s {
        let q = horner(simd, self.r, &EXP_Q);
        let small = simd.mul_add_f32s(simd.mul_f32s(self.r, self.r), q, self.delta);
        simd.add_f32s(self.r, small)
    }

    /// `e^(r+δ+tail) - 1` for a tail larger than `δ` (the low part of a double-f32 argument, up
    /// to 2^-17): the correction `δ + tail` is multiplied by `e^r = 1 + r + r² q(r)` first.
    #[inline(always)]
    pub(crate) fn expm1_with_tail(self, simd: S, tail: S::f32s) -> S::f32s {
        let q = horner(simd, self.r, &EXP_Q);
        let r2 = simd.mul_f32s(self.r, self.r);
        let em1_r = simd.mul_add_f32s(r2, q, self.r);
        let correction = simd.add_f32s(self.delta, tail);
        let correction = simd.mul_add_f32s(correction, em1_r, correction);
        simd.add_f32s(self.r, simd.mul_add_f32s(r2, q, correction))
    }

    /// `2^n · bias` for `bias` the bits of a power of two, by adding `n` to its exponent field.
    /// The result must stay a normal number.
    #[inline(always)]
    pub(crate) fn pow2(self, simd: S, bias: S::u32s) -> S::f32s {
        let n_in_exponent =
            simd.wrapping_dyn_shl_u32s(simd.transmute_u32s_f32s(self.t), simd.splat_u32s(23));
        simd.transmute_f32s_u32s(simd.add_u32s(n_in_exponent, bias))
    }
}

/// `e^(x + tail) - 1` for `-87 <= x <= 0` (callers clamp; `|tail| <= 2^-17`, the low part of a
/// double-f32 argument, or 0).
///
/// With `e^(x+tail) = 2^n (1 + e1)`, `e1 = expm1(r + δ + tail)` from the exp core: `2^n - 1` is
/// exact for `n >= -24` (and within half an ULP of -1 below, where the result is -1 to within
/// 2^-25), so `fma(2^n, e1, 2^n - 1)` rounds once; for `|x| < ln2/2` (`n = 0`) it is `e1` itself,
/// with full relative accuracy near 0.
#[inline(always)]
pub(crate) fn expm1_nonpositive<S: Simd>(simd: S, x: S::f32s, tail: S::f32s) -> S::f32s {
    let red = reduce(simd, x);
    let m = red.pow2(simd, simd.splat_u32s(1.0_f32.to_bits()));
    let e1 = red.expm1_with_tail(simd, tail);
    simd.mul_add_f32s(m, e1, simd.sub_f32s(m, simd.splat_f32s(1.0)))
}

/// `e^(d + d_lo)` for `d <= 0` (`-inf` included; `|d_lo| <= ulp(d)/2`).
///
/// Range reduction and the degree-6 expm1 core of [`reduce`] with `d_lo` folded into the
/// reduced argument; `2^(n+64) (1 + expm1)` rounds once (always a normal number down to the
/// clamp at `EXP_X_MIN` = -104) and the product by 2^-64 is exact unless the result is
/// subnormal (then it rounds a second time, within 2^-150 absolute). Below -104 the result is 0.
/// `CLEAN` (every `d >= -87`, so every result is normal): no clamp, no scaling, the same bits.
#[inline(always)]
pub(crate) fn exp_nonpositive<S: Simd, const CLEAN: bool>(
    simd: S,
    d: S::f32s,
    d_lo: S::f32s,
) -> S::f32s {
    if CLEAN {
        let red = reduce(simd, d);
        let e1 = red.expm1_with_tail(simd, d_lo);
        let p = red.pow2(simd, bits_of(simd, 1.0));
        return simd.mul_add_f32s(p, e1, p);
    }
    let x_min = simd.splat_f32s(EXP_X_MIN);
    let red = reduce(simd, simd.max_f32s(d, x_min));
    let e1 = red.expm1_with_tail(simd, d_lo);
    let p = red.pow2(simd, bits_of(simd, SCALE_UP));
    let e = simd.mul_f32s(simd.mul_add_f32s(p, e1, p), simd.splat_f32s(SCALE_DOWN));
    simd.select_f32s(simd.less_than_f32s(d, x_min), simd.splat_f32s(0.0), e)
}
