//! erf on non-negative arguments.

use pulp::Simd;

use crate::catalogue::consts::{ERF_SATURATION, ERF_SPLIT, TWO_OVER_SQRT_PI};
use crate::catalogue::cores::{ERFC_LOG_TAIL, ERF_NEAR};
use crate::math::bits::bits_of;
use crate::math::exp::reduce;
use crate::math::poly::horner;

/// `erf(a)` for `a >= 0` (or +inf).
///
/// `a <= 0.875`: `a·c + a·p(a²)` (core `erf_near`; `c = 2/√π` in f32, the fma adds the small
/// product to the exact `a·c`). Above: `1 - e^q(a)` with `q ≈ ln erfc` (core `erfc_log_tail`),
/// `e^q = 2^n (1 + expm1(r))` and `1 - 2^n - 2^n expm1(r)` in one fma (`1 - 2^n` is exact).
/// `a` is clamped at 3.93, where erf rounds to 1. Both branches run; a select picks one.
#[inline(always)]
pub(crate) fn erf_abs<S: Simd>(simd: S, a: S::f32s) -> S::f32s {
    let near = {
        let p = horner(simd, simd.mul_f32s(a, a), &ERF_NEAR);
        simd.mul_add_e_f32s(a, simd.splat_f32s(TWO_OVER_SQRT_PI), simd.mul_f32s(a, p))
    };
    let tail = {
        let q = horner(simd, simd.min_f32s(a, simd.splat_f32s(ERF_SATURATION)), &ERFC_LOG_TAIL);
        let red = reduce(simd, q);
        let em1 = red.expm1(simd);
        let m = red.pow2(simd, bits_of(simd, 1.0));
        let one = simd.splat_f32s(1.0);
        simd.mul_add_e_f32s(simd.neg_f32s(m), em1, simd.sub_f32s(one, m))
    };
    simd.select_f32s(simd.less_than_f32s(a, simd.splat_f32s(ERF_SPLIT)), near, tail)
}
