//! erf on non-negative arguments.

use pulp::Simd;

use crate::catalogue::consts::{ERF_SATURATION, ERF_SPLIT, TWO_OVER_SQRT_PI};
use crate::catalogue::cores::{ERF_NEAR, ERFCX_LOG_TAIL};
use crate::math::bits::bits_of;
use crate::math::divide::two_sum;
use crate::math::exp::reduce;
use crate::math::poly::horner;

/// `erf(a)` for `a >= 0` (or +inf).
///
/// `a <= 0.875`: `a·c + a·p(a²)` (core `erf_near`; `c = 2/√π` in f32, the fma adds the small
/// product to the exact `a·c`). Above: `1 - e^(-a² + q(a))` with `q ≈ ln(erfc(a) e^(a²))` (core
/// `erfcx_log_tail`, |q| < 2.8): `a² = h + l` exactly (fma) and `-h + q = y + y_lo` exactly
/// (TwoSum), so the exp core sees the argument with no rounding and the only noise is the
/// rounding of the small `q`; `e^(...) = 2^n (1 + expm1(r))` and `1 - 2^n - 2^n expm1(r)` in one
/// fma (`1 - 2^n` is exact). `a` is clamped at 3.93, where erf rounds to 1. Both branches run; a
/// select picks one.
#[inline(always)]
pub(crate) fn erf_abs<S: Simd>(simd: S, a: S::f32s) -> S::f32s {
    let near = {
        let p = horner(simd, simd.mul_f32s(a, a), &ERF_NEAR);
        simd.mul_add_f32s(a, simd.splat_f32s(TWO_OVER_SQRT_PI), simd.mul_f32s(a, p))
    };
    let tail = {
        let ac = simd.min_f32s(a, simd.splat_f32s(ERF_SATURATION));
        let h = simd.mul_f32s(ac, ac);
        let l = simd.mul_add_f32s(ac, ac, simd.neg_f32s(h)); // exact: t² = h + l
        let (y, y_lo) = two_sum(simd, simd.neg_f32s(h), horner(simd, ac, &ERFCX_LOG_TAIL));
        let red = reduce(simd, y);
        let em1 = red.expm1_with_tail(simd, simd.sub_f32s(y_lo, l));
        let m = red.pow2(simd, bits_of(simd, 1.0));
        let one = simd.splat_f32s(1.0);
        simd.mul_add_f32s(simd.neg_f32s(m), em1, simd.sub_f32s(one, m))
    };
    simd.select_f32s(
        simd.less_than_f32s(a, simd.splat_f32s(ERF_SPLIT)),
        near,
        tail,
    )
}
