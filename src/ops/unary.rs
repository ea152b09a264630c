//! Elementwise activation bodies. Each is generic over the f32 lanes; the catalogue
//! (kernels/catalogue.toml) names them in its `body` fields.
//!
//! An op with a fast path gives the bound within which it holds ([`UnaryOp::fast_limit`]); the
//! loops run `fast` on blocks whose lanes are all within it and `full` on the others. Both give
//! the same bits for a lane within the bound, so results never depend on how a slice is split.

use pulp::Simd;

use crate::catalogue::consts::{
    EXP_NORMAL_LIMIT, EXP_X_MAX, EXP_X_MIN, GELU_FAST_LIMIT, GELU_SPLIT, GELU_T_MAX,
    GELU_TANH_FAST_LIMIT, GELU_TANH_K0_HI, GELU_TANH_K0_LO, GELU_TANH_K1_HI, GELU_TANH_K1_LO,
    GELU_TANH_X_MIN, LOGISTIC_A_MAX_NEG, LOGISTIC_FAST_LIMIT, SCALE_DOWN, SCALE_UP,
    SIGMOID_TAYLOR_LIMIT, TANH_SATURATION,
};
use crate::catalogue::cores::GELU_NEAR;
use crate::math::bits::{abs, bits_of, canonical_nan, keep_nan, with_sign_of};
use crate::math::divide::{div_compensated, fast_two_sum, two_sum};
use crate::math::erf::erf_abs;
use crate::math::exp::reduce;
use crate::math::logistic::{Range, times_sigmoid};
use crate::math::phi::t_phi_neg;
use crate::math::poly::horner;
use crate::ops::UnaryOp;
use crate::shim::min_max_return_second;

/// `e^x`: see the catalogue entry `exp`.
#[derive(Clone, Copy)]
pub(crate) struct Exp;

impl UnaryOp for Exp {
    fn fast_limit(self) -> Option<f32> {
        Some(EXP_NORMAL_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let red = reduce(simd, x);
        let m = red.pow2(simd, bits_of(simd, 1.0));
        simd.mul_add_f32s(red.expm1(simd), m, m)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let clamped = simd.min_f32s(
            simd.max_f32s(x, simd.splat_f32s(EXP_X_MIN)),
            simd.splat_f32s(EXP_X_MAX),
        );
        let red = reduce(simd, clamped);
        // 2^(n+64) below 0 and 2^(n-64) above keep the scale normal over the whole clamped range;
        // the last multiply by 2^-64 or 2^64 is then the only rounding of a subnormal or
        // overflowing result (and exact, giving the fast path's bits, for normal results).
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        let m = red.pow2(
            simd,
            simd.select_u32s(negative, bits_of(simd, SCALE_UP), bits_of(simd, SCALE_DOWN)),
        );
        let scaled = simd.mul_add_f32s(red.expm1(simd), m, m);
        let back = simd.select_f32s(
            negative,
            simd.splat_f32s(SCALE_DOWN),
            simd.splat_f32s(SCALE_UP),
        );
        keep_nan(simd, x, simd.mul_f32s(scaled, back))
    }
}

/// `1 / (1 + e^-x)`: see the catalogue entry `sigmoid`.
#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;

impl UnaryOp for Sigmoid {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        sigmoid_near_zero(simd, x, times_sigmoid(simd, None, x, None, Range::Normal))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let y = times_sigmoid(simd, None, x, None, Range::Full);
        keep_nan(simd, x, sigmoid_near_zero(simd, x, y))
    }
}

/// `y`, except for `|x| < 2^-20` where `1/2 + x/4` in one fma replaces it: the next term, `x³/48`,
/// is below 2^-65 there, so this is the correctly rounded value (ties aside). Around `x = -2^-24`
/// the exact sigmoid lies within 2^-24 ULP of a rounding boundary, closer than the compensated
/// division resolves, and only this keeps the results monotone there.
#[inline(always)]
fn sigmoid_near_zero<S: Simd>(simd: S, x: S::f32s, y: S::f32s) -> S::f32s {
    let near = simd.mul_add_f32s(x, simd.splat_f32s(0.25), simd.splat_f32s(0.5));
    let tiny = simd.less_than_f32s(abs(simd, x), simd.splat_f32s(SIGMOID_TAYLOR_LIMIT));
    simd.select_f32s(tiny, near, y)
}

/// `x / (1 + e^-x)`: see the catalogue entry `silu`.
#[derive(Clone, Copy)]
pub(crate) struct Silu;

impl UnaryOp for Silu {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        times_sigmoid(simd, Some(x), x, None, Range::Normal)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // Below -120, x e^x underflows to -0: the value is clamped with the gate.
        let v = simd.max_f32s(x, simd.splat_f32s(-LOGISTIC_A_MAX_NEG));
        keep_nan(simd, x, times_sigmoid(simd, Some(v), x, None, Range::Full))
    }
}

/// `x / (1 + e^-beta x)`: see the catalogue entry `swish`.
#[derive(Clone, Copy)]
pub(crate) struct Swish {
    pub beta: f32,
}

impl Swish {
    /// `beta x` as hi + lo (fma), so `e^-|beta x|` sees no rounding of its argument.
    #[inline(always)]
    fn gate<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        let beta = simd.splat_f32s(self.beta);
        let g = simd.mul_f32s(x, beta);
        (g, simd.mul_add_f32s(x, beta, simd.neg_f32s(g)))
    }
}

impl UnaryOp for Swish {
    fn fast_limit(self) -> Option<f32> {
        // |x| <= 64/|beta| keeps |beta x| within the logistic fast range.
        Some(LOGISTIC_FAST_LIMIT / self.beta.abs()).filter(|limit| !limit.is_nan())
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let (g, g_lo) = self.gate(simd, x);
        times_sigmoid(simd, Some(x), g, Some(g_lo), Range::Normal)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let (g, g_lo) = self.gate(simd, x);
        // Past the clamp of the gate the product is taken as 0 (exact for |beta| >= 1).
        let live = simd.greater_than_or_equal_f32s(g, simd.splat_f32s(-LOGISTIC_A_MAX_NEG));
        let v = simd.select_f32s(live, x, with_sign_of(simd, simd.splat_f32s(0.0), x));
        // A NaN x comes out with its own bits (the product beta x would quiet a signalling
        // one); a NaN gate from numbers (a NaN beta, 0 times an infinite beta) as the positive
        // quiet NaN, whose bits do not depend on the ISA.
        let y = times_sigmoid(simd, Some(v), g, Some(g_lo), Range::Full);
        keep_nan(simd, x, canonical_nan(simd, keep_nan(simd, g, y)))
    }
}

/// `x Φ(x)`: see the catalogue entry `gelu`.
#[derive(Clone, Copy)]
pub(crate) struct Gelu;

impl Gelu {
    /// Picks between `x/2 + x² p(x²)` (|x| < 0.75, one fma) and `-q` / `x - q` with
    /// `q = t Φ(-t)` given scaled by `scale^-1`.
    #[inline(always)]
    fn combine<S: Simd>(simd: S, x: S::f32s, q_scaled: S::f32s, scale: S::f32s) -> S::f32s {
        let x2 = simd.mul_f32s(x, x);
        let near = simd.mul_add_f32s(
            x2,
            horner(simd, x2, &GELU_NEAR),
            simd.mul_f32s(x, simd.splat_f32s(0.5)),
        );
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        let neg = simd.mul_f32s(simd.neg_f32s(q_scaled), scale);
        let pos = simd.sub_f32s(x, simd.mul_f32s(q_scaled, scale));
        let far = simd.select_f32s(negative, neg, pos);
        let y = simd.select_f32s(
            simd.less_than_f32s(abs(simd, x), simd.splat_f32s(GELU_SPLIT)),
            near,
            far,
        );
        // x Φ(x) has the sign of x, zero included (fma(+0, p, -0) is +0).
        with_sign_of(simd, y, x)
    }
}

impl UnaryOp for Gelu {
    fn fast_limit(self) -> Option<f32> {
        Some(GELU_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let q = t_phi_neg(simd, abs(simd, x), bits_of(simd, 1.0));
        Self::combine(simd, x, q, simd.splat_f32s(1.0))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // t clamped where x Φ(x) is x or -0; below e^-87, Φ(-t) is carried scaled by 2^64.
        let t = simd.min_f32s(abs(simd, x), simd.splat_f32s(GELU_T_MAX));
        let tiny = simd.greater_than_f32s(t, simd.splat_f32s(GELU_FAST_LIMIT));
        let bias = simd.select_u32s(tiny, bits_of(simd, SCALE_UP), bits_of(simd, 1.0));
        let scale = simd.select_f32s(tiny, simd.splat_f32s(SCALE_DOWN), simd.splat_f32s(1.0));
        keep_nan(
            simd,
            x,
            Self::combine(simd, x, t_phi_neg(simd, t, bias), scale),
        )
    }
}

/// `x sigmoid(k0 x + k1 x³)`: see the catalogue entry `gelu_tanh`.
#[derive(Clone, Copy)]
pub(crate) struct GeluTanh;

/// `u = x (k0 + k1 x²)` as `u + u_lo` (double-f32; fma for the error-free products, two-sum for
/// `k0 + k1 x²`), so `e^-|u|` sees no rounding of its argument.
#[inline(always)]
pub(crate) fn gelu_tanh_gate<S: Simd>(simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
    let x2 = simd.mul_f32s(x, x);
    let x2_lo = simd.mul_add_f32s(x, x, simd.neg_f32s(x2));
    let k1 = simd.splat_f32s(GELU_TANH_K1_HI);
    let k0 = simd.splat_f32s(GELU_TANH_K0_HI);
    let p = simd.mul_f32s(k1, x2);
    let p_lo = simd.mul_add_f32s(k1, x2, simd.neg_f32s(p));
    let p_lo = simd.mul_add_f32s(k1, x2_lo, p_lo);
    let p_lo = simd.mul_add_f32s(simd.splat_f32s(GELU_TANH_K1_LO), x2, p_lo);
    let (w, w_err) = two_sum(simd, k0, p);
    let w_lo = simd.add_f32s(simd.add_f32s(w_err, p_lo), simd.splat_f32s(GELU_TANH_K0_LO));
    let u = simd.mul_f32s(x, w);
    let u_lo = simd.mul_add_f32s(x, w, simd.neg_f32s(u));
    (u, simd.mul_add_f32s(x, w_lo, u_lo))
}

impl UnaryOp for GeluTanh {
    fn fast_limit(self) -> Option<f32> {
        Some(GELU_TANH_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let (u, u_lo) = gelu_tanh_gate(simd, x);
        times_sigmoid(simd, Some(x), u, Some(u_lo), Range::Normal)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // x is clamped to [-12, 12] for the gate only: beyond, the result is x or -0.
        let xc = simd.min_f32s(
            simd.max_f32s(x, simd.splat_f32s(GELU_TANH_X_MIN)),
            simd.splat_f32s(-GELU_TANH_X_MIN),
        );
        let (u, u_lo) = gelu_tanh_gate(simd, xc);
        let v = simd.max_f32s(x, simd.splat_f32s(GELU_TANH_X_MIN));
        keep_nan(
            simd,
            x,
            times_sigmoid(simd, Some(v), u, Some(u_lo), Range::Full),
        )
    }
}

/// `tanh x`: see the catalogue entry `tanh`.
#[derive(Clone, Copy)]
pub(crate) struct Tanh;

/// `tanh a` for `0 <= a <= 9.1` with the sign of `sign`.
///
/// `tanh a = (1 - E)/(1 + E)` with `E = e^-2a = m (1 + expm1(r))`: numerator `(1 - m) - m expm1(r)`
/// and denominator `(1 + m) + m expm1(r)` are sums of exact terms (`m` is a power of two), added
/// by Fast2Sum with their errors kept, so there is no cancellation near 0 and the only roundings
/// are the exp core's and the final one of the compensated division.
#[inline(always)]
fn tanh_abs<S: Simd>(simd: S, a: S::f32s, sign: S::f32s) -> S::f32s {
    let red = reduce(simd, simd.mul_f32s(a, simd.splat_f32s(-2.0)));
    let m = red.pow2(simd, bits_of(simd, 1.0));
    let b = simd.mul_f32s(m, red.expm1(simd));
    let one = simd.splat_f32s(1.0);
    let num = fast_two_sum(simd, simd.sub_f32s(one, m), simd.neg_f32s(b));
    let den = fast_two_sum(simd, simd.add_f32s(one, m), b);
    with_sign_of(simd, abs(simd, div_compensated(simd, num, den)), sign)
}

impl UnaryOp for Tanh {
    fn fast_limit(self) -> Option<f32> {
        Some(TANH_SATURATION)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        tanh_abs(simd, abs(simd, x), x)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let a = simd.min_f32s(abs(simd, x), simd.splat_f32s(TANH_SATURATION));
        keep_nan(simd, x, tanh_abs(simd, a, x))
    }
}

/// `erf x`: see the catalogue entry `erf`.
#[derive(Clone, Copy)]
pub(crate) struct Erf;

impl UnaryOp for Erf {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, with_sign_of(simd, erf_abs(simd, abs(simd, x)), x))
    }
}

/// `max(x, 0)`: see the catalogue entry `relu`.
#[derive(Clone, Copy)]
pub(crate) struct Relu;

impl UnaryOp for Relu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // max(+0, x) is x itself on x86 when x is NaN or -0 (min_max_return_second), one
        // instruction. Elsewhere the `or` gives -0 its sign and keep_nan the NaN its own bits
        // (NEON quiets a signalling NaN, Scalar drops NaN). On x86 a select of 0 or x would
        // compile to a masked store when in place, several times slower than a plain store.
        let zero = simd.splat_f32s(0.0);
        let y = simd.max_f32s(zero, x);
        if min_max_return_second(simd) {
            return y;
        }
        let negative_zero = simd.and_f32s(
            x,
            simd.select_f32s(simd.equal_f32s(x, zero), simd.splat_f32s(-0.0), zero),
        );
        keep_nan(simd, x, simd.or_f32s(y, negative_zero))
    }
}
