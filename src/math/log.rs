//! The logarithm core: `ln(w + c)` for `1 <= w <= 2` given as an unevaluated sum.

use pulp::Simd;

use crate::catalogue::consts::{LN2_HI, LN2_LO, SQRT2};
use crate::catalogue::cores::LOG1P_P;
use crate::math::poly::horner;

/// `ln(w + c)` for `1 <= w <= 2` and `|c| <= ulp(w)` (the low part of an error-free sum, such as
/// `1 + u` split by Fast2Sum), split as `(exact, small)`
/// so that a caller adding another term rounds once.
///
/// `w = 2^k (1 + f)` with `k = 1` where `w >= sqrt 2` (`w/2` is exact), so `f` lies in
/// `[sqrt(1/2) - 1, sqrt 2 - 1]` and is exact (Sterbenz). Then `ln(w + c) = k ln2 + log1p(f) +
/// c/w` with `log1p(f) = f + f² (-1/2 + f p(f))` (core `log1p_p`, degree 10 in all) and the
/// correction `c/w = c 2^-k (1 - f + f²)` (its relative error `f³` is below 7%, of a term under an
/// ULP). `k LN2_HI + f` is exact (both are multiples of 2^-24 and the sum lies in [0.4, 0.7]), so
/// everything else is gathered in `small` (a few percent of the result, rounded once); the caller's
/// `exact + small` is the second and last rounding.
#[inline(always)]
pub(crate) fn ln_sum_parts<S: Simd>(simd: S, w: S::f32s, c: S::f32s) -> (S::f32s, S::f32s) {
    let upper = simd.greater_than_or_equal_f32s(w, simd.splat_f32s(SQRT2));
    let zero = simd.splat_f32s(0.0);
    let half_or_one = simd.select_f32s(upper, simd.splat_f32s(0.5), simd.splat_f32s(1.0));
    let f = simd.sub_f32s(simd.mul_f32s(w, half_or_one), simd.splat_f32s(1.0));
    let inv_1pf = simd.mul_add_f32s(
        f,
        simd.sub_f32s(f, simd.splat_f32s(1.0)),
        simd.splat_f32s(1.0),
    );
    let correction = simd.mul_f32s(simd.mul_f32s(c, half_or_one), inv_1pf);
    let correction = simd.add_f32s(
        correction,
        simd.select_f32s(upper, simd.splat_f32s(LN2_LO), zero),
    );
    let h = simd.mul_add_f32s(f, horner(simd, f, &LOG1P_P), simd.splat_f32s(-0.5));
    let small = simd.mul_add_f32s(simd.mul_f32s(f, f), h, correction);
    let exact = simd.add_f32s(simd.select_f32s(upper, simd.splat_f32s(LN2_HI), zero), f);
    (exact, small)
}
