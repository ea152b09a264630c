//! The logarithm cores: `ln(w + c)` for `1 <= w <= 2` given as an unevaluated sum, and
//! `log1p(t)` for `0 <= t <= 1` without a reduction.

use pulp::Simd;

use crate::catalogue::consts::{LN2, LN2_HI, LN2_LO, LOG1P_UNIT_SPLIT, SQRT2};
use crate::catalogue::cores::{LOG1P_P, LOG1P_UNIT_Q};
use crate::math::poly::{estrin_degree8, horner};

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

/// `base + log1p(t + t_lo)` for `t = e^a`, `a <= 0`, `|t_lo| <= ulp(t)` (the low part of an
/// unevaluated sum) and `0 <= base` (a term the caller wants added before the last rounding).
///
/// `log1p(t) = k ln2 + log1p(f)` with `f = t` for `a < -LOG1P_UNIT_SPLIT` (`k = 0`, `t` just over
/// 1/2 at most) and `f = (t - 1)/2`, exact, above (`k = 1`, `t > 1/2`), so `f` lies in the core's
/// interval; the branch is taken from `a`, off the dependency chain of `t`.
/// `log1p(f) = f + f² q(f)` (core `log1p_unit_q`, degree 8 by Estrin's scheme) and `t_lo` enters
/// as `t_lo/(1 + t)`, with `1 - t/2` for `1/(1 + t)` (within 12%, of a term under half an ULP).
/// The small part `f² q + t_lo (1 - t/2)` rounds once, then `k LN2 + (base + (f + small))` (`LN2`
/// rounded to f32: 0.06 ULP at most): the inner sums are at most half the result, so the last
/// rounding dominates.
#[inline(always)]
pub(crate) fn add_log1p_exp<S: Simd>(
    simd: S,
    base: S::f32s,
    a: S::f32s,
    t: S::f32s,
    t_lo: S::f32s,
) -> S::f32s {
    let zero = simd.splat_f32s(0.0);
    let upper = simd.greater_than_or_equal_f32s(a, simd.splat_f32s(-LOG1P_UNIT_SPLIT));
    let half_or_one = simd.select_f32s(upper, simd.splat_f32s(0.5), simd.splat_f32s(1.0));
    let minus_half_or_zero = simd.select_f32s(upper, simd.splat_f32s(-0.5), zero);
    let f = simd.mul_add_f32s(t, half_or_one, minus_half_or_zero);
    let f2 = simd.mul_f32s(f, f);
    let q = estrin_degree8(simd, f, f2, &LOG1P_UNIT_Q);
    let slope = simd.mul_add_f32s(t, simd.splat_f32s(-0.5), simd.splat_f32s(1.0));
    let small = simd.mul_add_f32s(f2, q, simd.mul_f32s(t_lo, slope));
    let v = simd.add_f32s(base, simd.add_f32s(f, small));
    simd.add_f32s(simd.select_f32s(upper, simd.splat_f32s(LN2), zero), v)
}
