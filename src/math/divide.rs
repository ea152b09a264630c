//! Division of unevaluated sums `(num + num_lo) / (den + den_lo)`.

use pulp::Simd;

use crate::catalogue::consts::RECIP_ESTIMATE;

/// `(num + num_lo) / (den + den_lo)` for `den > 0` normal, where the low parts are the rounding
/// errors of `num` and `den` (from error-free transformations): `q = num/den` corrected by
/// `(num_lo - q den_lo)/den`, with `1/den` from an integer estimate (within 12%, plenty for a
/// correction of about an ULP, and the same bits on every ISA). The roundings of `num` and `den`
/// then cost a few hundredths of an ULP instead of up to one each.
#[inline(always)]
pub(crate) fn div_compensated<S: Simd>(
    simd: S,
    (num, num_lo): (S::f32s, S::f32s),
    (den, den_lo): (S::f32s, S::f32s),
) -> S::f32s {
    let q = simd.div_f32s(num, den);
    let inv = simd.transmute_f32s_u32s(simd.sub_u32s(simd.splat_u32s(RECIP_ESTIMATE), simd.transmute_u32s_f32s(den)));
    let residual = simd.mul_add_e_f32s(simd.neg_f32s(q), den_lo, num_lo);
    simd.mul_add_e_f32s(residual, inv, q)
}

/// `a + b` as `(s, err)` with `s = fl(a + b)` and `s + err = a + b` exactly, for `|a| >= |b|`
/// (Fast2Sum, Dekker 1971).
#[inline(always)]
pub(crate) fn fast_two_sum<S: Simd>(simd: S, a: S::f32s, b: S::f32s) -> (S::f32s, S::f32s) {
    let s = simd.add_f32s(a, b);
    (s, simd.sub_f32s(b, simd.sub_f32s(s, a)))
}

/// `x (1 + e)` as `(s, err)` with `s + err = x (1 + e)` to within `2^-48 |x|`, for `|e| < 1/2`:
/// the product `x e` is split exactly with a true fma and added by Fast2Sum.
#[inline(always)]
pub(crate) fn times_one_plus<S: Simd>(simd: S, x: S::f32s, e: S::f32s) -> (S::f32s, S::f32s) {
    let p = simd.mul_f32s(x, e);
    let p_lo = simd.mul_add_f32s(x, e, simd.neg_f32s(p));
    let (s, err) = fast_two_sum(simd, x, p);
    (s, simd.add_f32s(err, p_lo))
}
