//! Division of unevaluated sums `(num + num_lo) / (den + den_lo)`.

use pulp::Simd;

use crate::catalogue::consts::{NEWTON_TWO, RECIP_ESTIMATE};

/// `(num + num_lo) / (den + den_lo)` for `den > 0` normal, where the low parts are the rounding
/// errors of `num` and `den` (from error-free transformations).
///
/// `q = num/den` is corrected by `(num - q den + num_lo - q den_lo)/den`: the first part is the
/// exact remainder of the division (an fma), so the correction also undoes the
/// division's own rounding and only the final fma rounds. `1/den` is an integer estimate refined by
/// three Newton steps (within 2^-22 and always below `1/den`; the same bits on every ISA), so the
/// correction of about an ULP is off by under a millionth of an ULP and never overshoots: the
/// result is the correctly rounded quotient except within that distance of a rounding boundary.
#[inline(always)]
pub(crate) fn div_compensated<S: Simd>(
    simd: S,
    (num, num_lo): (S::f32s, S::f32s),
    (den, den_lo): (S::f32s, S::f32s),
) -> S::f32s {
    let q = simd.div_f32s(num, den);
    let estimate = simd.transmute_f32s_u32s(simd.sub_u32s(
        simd.splat_u32s(RECIP_ESTIMATE),
        simd.transmute_u32s_f32s(den),
    ));
    let two = simd.splat_f32s(NEWTON_TWO);
    let inv = newton_step(
        simd,
        den,
        newton_step(simd, den, newton_step(simd, den, estimate, two), two),
        two,
    );
    let remainder = simd.mul_add_f32s(simd.neg_f32s(q), den, num);
    let residual = simd.add_f32s(
        remainder,
        simd.mul_add_f32s(simd.neg_f32s(q), den_lo, num_lo),
    );
    simd.mul_add_f32s(residual, inv, q)
}

/// One Newton step `e (two - d e)` toward `1/d` (with `two` slightly below 2, from below).
#[inline(always)]
fn newton_step<S: Simd>(simd: S, d: S::f32s, e: S::f32s, two: S::f32s) -> S::f32s {
    simd.mul_f32s(e, simd.mul_add_f32s(simd.neg_f32s(d), e, two))
}

/// `a + b` as `(s, err)` with `s = fl(a + b)` and `s + err = a + b` exactly, for `|a| >= |b|`
/// (Fast2Sum, Dekker 1971).
#[inline(always)]
pub(crate) fn fast_two_sum<S: Simd>(simd: S, a: S::f32s, b: S::f32s) -> (S::f32s, S::f32s) {
    let s = simd.add_f32s(a, b);
    (s, simd.sub_f32s(b, simd.sub_f32s(s, a)))
}

/// `x (1 + e)` as `(s, err)` with `s + err = x (1 + e)` to within `2^-48 |x|`, for `|e| < 1/2`:
/// the product `x e` is split exactly with an fma and added by Fast2Sum.
#[inline(always)]
pub(crate) fn times_one_plus<S: Simd>(simd: S, x: S::f32s, e: S::f32s) -> (S::f32s, S::f32s) {
    let p = simd.mul_f32s(x, e);
    let p_lo = simd.mul_add_f32s(x, e, simd.neg_f32s(p));
    let (s, err) = fast_two_sum(simd, x, p);
    (s, simd.add_f32s(err, p_lo))
}

/// `a + b` as `(s, err)` with `s = fl(a + b)` and `s + err = a + b` exactly, whatever the
/// magnitudes (TwoSum, Knuth 1969).
#[inline(always)]
pub(crate) fn two_sum<S: Simd>(simd: S, a: S::f32s, b: S::f32s) -> (S::f32s, S::f32s) {
    let s = simd.add_f32s(a, b);
    let bb = simd.sub_f32s(s, a);
    let err = simd.add_f32s(simd.sub_f32s(a, simd.sub_f32s(s, bb)), simd.sub_f32s(b, bb));
    (s, err)
}
