//! Derivatives of the Gaussian ops: `erf'(x) = (2/√π) e^(-x²)` and `gelu'(x) = Φ(x) + x φ(x)`.

use pulp::Simd;

use crate::catalogue::consts::{
    FRAC_1_SQRT_2, GELU_FAST_LIMIT, GELU_SPLIT, GELU_T_MAX, INV_SQRT_2PI, SCALE_DOWN, SCALE_UP,
    SQRT_2PI, TWO_OVER_SQRT_PI,
};
use crate::catalogue::cores::{ERF_NEAR, GELU_TAIL_P, GELU_TAIL_Q};
use crate::math::bits::{abs, bits_of, keep_nan};
use crate::math::divide::{div_compensated, fast_two_sum, times_one_plus};
use crate::math::exp::{exp_nonpositive, reduce};
use crate::math::poly::horner;
use crate::ops::UnaryOp;

/// `x²` as the exact pair `(h, l)` (an fma gives the low part).
#[inline(always)]
fn square<S: Simd>(simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
    let h = simd.mul_f32s(x, x);
    (h, simd.mul_add_f32s(x, x, simd.neg_f32s(h)))
}

/// `erf'(x) = (2/√π) e^(-x²)`: `x² = h + l` exactly, `e^(-h - l)` by the exp core with the low
/// part folded into the reduced argument (0 below -104), times `2/√π` in f32.
#[derive(Clone, Copy)]
pub(crate) struct DErf;

impl UnaryOp for DErf {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let (h, l) = square(simd, x);
        let e = exp_nonpositive::<S, false>(simd, simd.neg_f32s(h), simd.neg_f32s(l));
        keep_nan(simd, x, simd.mul_f32s(e, simd.splat_f32s(TWO_OVER_SQRT_PI)))
    }
}

/// `gelu'(x) = Φ(x) + x φ(x)`, `φ(x) = e^(-x²/2)/√(2π)`.
///
/// `|x| < 0.75`: `Φ(x) = 1/2 + erf(x/√2)/2` (core `erf_near`) plus `x φ(x)` in one fma, with
/// `e^(-x²/2)` from the exact split of `x²`. Beyond, with `t = |x|` and the GELU tail cores
/// (`Φ(-t) = e^(-t²/2) Q/(K N + P)`, `N = t Q`, `K = √(2π)`):
/// `d = Φ(-t) - t φ(t) = e^(-t²/2) (K Q - t (K N + P)) / (K (K N + P))`, the numerator one fma
/// on exact products, `e^(-t²/2)` never rounded alone and one compensated division; the result
/// is `d` for `x < 0` and `1 - d` for `x > 0`. Below `e^-87` (`t > 13`) the exponential is
/// carried scaled by 2^64 so a subnormal result rounds once more at most; `t > 14.5` gives 0
/// (`x = ±inf`: the limits 0 and 1). Zero at x = -0.7518 (absolute accuracy there).
#[derive(Clone, Copy)]
pub(crate) struct DGelu;

impl DGelu {
    #[inline(always)]
    fn eval<S: Simd, const FULL: bool>(simd: S, x: S::f32s) -> S::f32s {
        let half = simd.splat_f32s(0.5);
        let minus_half = simd.splat_f32s(-0.5);
        let t_raw = abs(simd, x);
        let t = if FULL {
            simd.min_f32s(t_raw, simd.splat_f32s(GELU_T_MAX))
        } else {
            t_raw
        };
        let (h, l) = square(simd, t);
        let near = {
            let a = simd.mul_f32s(x, simd.splat_f32s(FRAC_1_SQRT_2));
            let p = horner(simd, simd.mul_f32s(a, a), &ERF_NEAR);
            let erf = simd.mul_add_f32s(a, simd.splat_f32s(TWO_OVER_SQRT_PI), simd.mul_f32s(a, p));
            let cdf = simd.mul_add_f32s(erf, half, half);
            let e = exp_nonpositive::<S, true>(
                simd,
                simd.mul_f32s(h, minus_half),
                simd.mul_f32s(l, minus_half),
            );
            let x_over_k = simd.mul_f32s(x, simd.splat_f32s(INV_SQRT_2PI));
            simd.mul_add_f32s(x_over_k, e, cdf)
        };
        let d = {
            let k = simd.splat_f32s(SQRT_2PI);
            let q = horner(simd, t, &GELU_TAIL_Q);
            let n = simd.mul_f32s(t, q);
            let kn = simd.mul_f32s(n, k);
            let kn_lo = simd.mul_add_f32s(n, k, simd.neg_f32s(kn));
            let (den, den_lo) = fast_two_sum(simd, kn, horner(simd, t, &GELU_TAIL_P));
            let den_lo = simd.add_f32s(den_lo, kn_lo);
            let kq = simd.mul_f32s(k, q);
            let kq_lo = simd.mul_add_f32s(k, q, simd.neg_f32s(kq));
            let v = simd.mul_add_f32s(simd.neg_f32s(t), den, kq);
            let v = simd.add_f32s(v, simd.mul_add_f32s(simd.neg_f32s(t), den_lo, kq_lo));
            let kd = simd.mul_f32s(k, den);
            let kd_lo = simd.mul_add_f32s(k, den, simd.neg_f32s(kd));
            let kd_lo = simd.mul_add_f32s(k, den_lo, kd_lo);
            let red = reduce(simd, simd.mul_f32s(h, minus_half));
            let em1 = red.expm1_with_tail(simd, simd.mul_f32s(l, minus_half));
            if FULL {
                let tiny = simd.greater_than_f32s(t, simd.splat_f32s(GELU_FAST_LIMIT));
                let bias = simd.select_u32s(tiny, bits_of(simd, SCALE_UP), bits_of(simd, 1.0));
                let scale =
                    simd.select_f32s(tiny, simd.splat_f32s(SCALE_DOWN), simd.splat_f32s(1.0));
                let num = times_one_plus(simd, simd.mul_f32s(red.pow2(simd, bias), v), em1);
                let d = simd.mul_f32s(div_compensated(simd, num, (kd, kd_lo)), scale);
                let beyond = simd.greater_than_f32s(t_raw, simd.splat_f32s(GELU_T_MAX));
                simd.select_f32s(beyond, simd.splat_f32s(0.0), d)
            } else {
                let num = times_one_plus(
                    simd,
                    simd.mul_f32s(red.pow2(simd, bits_of(simd, 1.0)), v),
                    em1,
                );
                div_compensated(simd, num, (kd, kd_lo))
            }
        };
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        let far = simd.select_f32s(negative, d, simd.sub_f32s(simd.splat_f32s(1.0), d));
        let y = simd.select_f32s(
            simd.less_than_f32s(t_raw, simd.splat_f32s(GELU_SPLIT)),
            near,
            far,
        );
        if FULL { keep_nan(simd, x, y) } else { y }
    }
}

impl UnaryOp for DGelu {
    fn fast_limit(self) -> Option<f32> {
        Some(GELU_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::eval::<S, false>(simd, x)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::eval::<S, true>(simd, x)
    }
}
