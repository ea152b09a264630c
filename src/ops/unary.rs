//! Elementwise activation bodies. Each is one generic function of the f32 lanes; the catalogue
//! (kernels/catalogue.toml) names them in its `body` fields.

use pulp::Simd;

use crate::catalogue::consts::{
    EXP_NORMAL_LIMIT, EXP_X_MAX, EXP_X_MIN, GELU_TANH_K0_HI, GELU_TANH_K0_LO, GELU_TANH_K1_HI, GELU_TANH_K1_LO,
    GELU_TANH_FAST_LIMIT, GELU_TANH_X_MIN, GELU_T_MAX, GELU_FAST_LIMIT, GELU_SPLIT, LOGISTIC_A_MAX_NEG, SCALE_DOWN, SCALE_UP, TANH_SATURATION, TANH_SPLIT,
};
use crate::math::bits::{abs, all_within, bits_of, keep_nan, with_sign_of};
use crate::math::erf::erf_abs;
use crate::math::exp::reduce;
use crate::math::logistic::{Range, times_sigmoid};
use crate::math::phi::t_phi_neg;
use crate::math::poly::horner;
use crate::catalogue::cores::GELU_NEAR;
use crate::ops::UnaryOp;

/// `e^x`: see the catalogue entry `exp`.
#[derive(Clone, Copy)]
pub(crate) struct Exp;

impl UnaryOp for Exp {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        if all_within(simd, x, EXP_NORMAL_LIMIT) {
            let red = reduce(simd, x);
            let m = red.pow2(simd, bits_of(simd, 1.0));
            return simd.mul_add_e_f32s(red.expm1(simd), m, m);
        }
        let clamped = simd.min_f32s(simd.max_f32s(x, simd.splat_f32s(EXP_X_MIN)), simd.splat_f32s(EXP_X_MAX));
        let red = reduce(simd, clamped);
        // 2^(n+64) below 0 and 2^(n-64) above keep the scale normal over the whole clamped range;
        // the last multiply by 2^-64 or 2^64 is then the only rounding of a subnormal or
        // overflowing result (and exact, giving the fast path's bits, for normal results).
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        let m = red.pow2(simd, simd.select_u32s(negative, bits_of(simd, SCALE_UP), bits_of(simd, SCALE_DOWN)));
        let scaled = simd.mul_add_e_f32s(red.expm1(simd), m, m);
        let back = simd.select_f32s(negative, simd.splat_f32s(SCALE_DOWN), simd.splat_f32s(SCALE_UP));
        keep_nan(simd, x, simd.mul_f32s(scaled, back))
    }
}

/// `1 / (1 + e^-x)`: see the catalogue entry `sigmoid`.
#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;

impl UnaryOp for Sigmoid {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        if all_within(simd, x, EXP_NORMAL_LIMIT) {
            return times_sigmoid(simd, None, x, None, Range::Normal);
        }
        keep_nan(simd, x, times_sigmoid(simd, None, x, None, Range::Full))
    }
}

/// `x / (1 + e^-x)`: see the catalogue entry `silu`.
#[derive(Clone, Copy)]
pub(crate) struct Silu;

impl UnaryOp for Silu {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        if all_within(simd, x, EXP_NORMAL_LIMIT) {
            return times_sigmoid(simd, Some(x), x, None, Range::Normal);
        }
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

impl UnaryOp for Swish {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // beta x as hi + lo (true fma), so e^-|beta x| sees no rounding of its argument.
        let beta = simd.splat_f32s(self.beta);
        let g = simd.mul_f32s(x, beta);
        let g_lo = simd.mul_add_f32s(x, beta, simd.neg_f32s(g));
        if all_within(simd, g, EXP_NORMAL_LIMIT) {
            return times_sigmoid(simd, Some(x), g, Some(g_lo), Range::Normal);
        }
        // Past the clamp of the gate the product is taken as 0 (exact for |beta| >= 1).
        let live = simd.greater_than_or_equal_f32s(g, simd.splat_f32s(-LOGISTIC_A_MAX_NEG));
        let v = simd.select_f32s(live, x, simd.mul_f32s(x, simd.splat_f32s(0.0)));
        keep_nan(simd, g, times_sigmoid(simd, Some(v), g, Some(g_lo), Range::Full))
    }
}

/// `x Φ(x)`: see the catalogue entry `gelu`.
#[derive(Clone, Copy)]
pub(crate) struct Gelu;

impl UnaryOp for Gelu {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // |x| <= 0.75: x/2 + x² p(x²) in one fma.
        let x2 = simd.mul_f32s(x, x);
        let half_x = simd.mul_f32s(x, simd.splat_f32s(0.5));
        let near = simd.mul_add_e_f32s(x2, horner(simd, x2, &GELU_NEAR), half_x);
        let is_near = simd.less_than_f32s(abs(simd, x), simd.splat_f32s(GELU_SPLIT));
        // Beyond: with q = t Φ(-t), x Φ(x) = -q for x < 0 and x - q for x > 0.
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        if all_within(simd, x, GELU_FAST_LIMIT) {
            let q = t_phi_neg(simd, abs(simd, x), bits_of(simd, 1.0));
            let far = simd.select_f32s(negative, simd.neg_f32s(q), simd.sub_f32s(x, q));
            return simd.select_f32s(is_near, near, far);
        }
        // t clamped where x Φ(x) is x or -0; below e^-87, Φ(-t) is carried scaled by 2^64.
        let t = simd.min_f32s(abs(simd, x), simd.splat_f32s(GELU_T_MAX));
        let tiny = simd.greater_than_f32s(t, simd.splat_f32s(GELU_FAST_LIMIT));
        let bias = simd.select_u32s(tiny, bits_of(simd, SCALE_UP), bits_of(simd, 1.0));
        let scale = simd.select_f32s(tiny, simd.splat_f32s(SCALE_DOWN), simd.splat_f32s(1.0));
        let q_scaled = t_phi_neg(simd, t, bias);
        let neg = simd.mul_f32s(simd.neg_f32s(q_scaled), scale);
        let pos = simd.sub_f32s(x, simd.mul_f32s(q_scaled, scale));
        let far = simd.select_f32s(negative, neg, pos);
        keep_nan(simd, x, simd.select_f32s(is_near, near, far))
    }
}

/// `x sigmoid(k0 x + k1 x³)`: see the catalogue entry `gelu_tanh`.
#[derive(Clone, Copy)]
pub(crate) struct GeluTanh;

/// `u = x (k0 + k1 x²)` as `u + u_lo` (double-f32; true fma for the error-free products on every
/// ISA, two-sum for `k0 + k1 x²`), so `e^-|u|` sees no rounding of its argument.
#[inline(always)]
fn gelu_tanh_gate<S: Simd>(simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
    let x2 = simd.mul_f32s(x, x);
    let x2_lo = simd.mul_add_f32s(x, x, simd.neg_f32s(x2));
    let k1 = simd.splat_f32s(GELU_TANH_K1_HI);
    let k0 = simd.splat_f32s(GELU_TANH_K0_HI);
    let p = simd.mul_f32s(k1, x2);
    let p_lo = simd.mul_add_f32s(k1, x2, simd.neg_f32s(p));
    let p_lo = simd.mul_add_e_f32s(k1, x2_lo, p_lo);
    let p_lo = simd.mul_add_e_f32s(simd.splat_f32s(GELU_TANH_K1_LO), x2, p_lo);
    let w = simd.add_f32s(k0, p);
    let bb = simd.sub_f32s(w, k0);
    let w_err = simd.add_f32s(simd.sub_f32s(k0, simd.sub_f32s(w, bb)), simd.sub_f32s(p, bb));
    let w_lo = simd.add_f32s(simd.add_f32s(w_err, p_lo), simd.splat_f32s(GELU_TANH_K0_LO));
    let u = simd.mul_f32s(x, w);
    let u_lo = simd.mul_add_f32s(x, w, simd.neg_f32s(u));
    (u, simd.mul_add_e_f32s(x, w_lo, u_lo))
}

impl UnaryOp for GeluTanh {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        if all_within(simd, x, GELU_TANH_FAST_LIMIT) {
            let (u, u_lo) = gelu_tanh_gate(simd, x);
            return times_sigmoid(simd, Some(x), u, Some(u_lo), Range::Normal);
        }
        // x is clamped to [-12, 12] for the gate only: beyond, the result is x or -0.
        let xc = simd.min_f32s(simd.max_f32s(x, simd.splat_f32s(GELU_TANH_X_MIN)), simd.splat_f32s(-GELU_TANH_X_MIN));
        let (u, u_lo) = gelu_tanh_gate(simd, xc);
        let v = simd.max_f32s(x, simd.splat_f32s(GELU_TANH_X_MIN));
        keep_nan(simd, x, times_sigmoid(simd, Some(v), u, Some(u_lo), Range::Full))
    }
}

/// `tanh x`: see the catalogue entry `tanh`.
#[derive(Clone, Copy)]
pub(crate) struct Tanh;

impl UnaryOp for Tanh {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let a = simd.min_f32s(abs(simd, x), simd.splat_f32s(TANH_SATURATION));
        let red = reduce(simd, simd.mul_f32s(a, simd.splat_f32s(-2.0)));
        let em1_r = red.expm1(simd);
        let m = red.pow2(simd, bits_of(simd, 1.0));
        let one = simd.splat_f32s(1.0);
        // E = e^-2a = 2^n (1 + expm1(r)); E - 1 = 2^n expm1(r) + (2^n - 1) has no cancellation.
        let em1 = simd.mul_add_e_f32s(m, em1_r, simd.sub_f32s(m, one));
        let two_e = simd.mul_add_e_f32s(simd.add_f32s(m, m), em1_r, simd.add_f32s(m, m));
        // tanh a = (1 - E)/(1 + E): as -(E - 1)/(1 + E) near 0, as 1 - 2E/(1 + E) from the split
        // on, where the quotient is small and its rounding shrinks in the difference.
        let near = simd.less_than_f32s(a, simd.splat_f32s(TANH_SPLIT));
        let num = simd.select_f32s(near, simd.neg_f32s(em1), two_e);
        let q = simd.div_f32s(num, simd.add_f32s(em1, simd.splat_f32s(2.0)));
        let th = simd.select_f32s(near, q, simd.sub_f32s(one, q));
        keep_nan(simd, x, with_sign_of(simd, abs(simd, th), x))
    }
}

/// `erf x`: see the catalogue entry `erf`.
#[derive(Clone, Copy)]
pub(crate) struct Erf;

impl UnaryOp for Erf {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, with_sign_of(simd, erf_abs(simd, abs(simd, x)), x))
    }
}

/// `max(x, 0)`: see the catalogue entry `relu`.
#[derive(Clone, Copy)]
pub(crate) struct Relu;

impl UnaryOp for Relu {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        simd.select_f32s(simd.less_than_f32s(x, simd.splat_f32s(0.0)), simd.splat_f32s(0.0), x)
    }
}
