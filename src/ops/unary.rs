//! Elementwise activation bodies. Each is one generic function of the f32 lanes; the catalogue
//! (kernels/catalogue.toml) names them in its `body` fields.

use pulp::Simd;

use crate::catalogue::consts::{
    EXP_NEG_MIN, EXP_X_MAX, EXP_X_MIN, GELU_TANH_K0_HI, GELU_TANH_K0_LO, GELU_TANH_K1_HI,
    GELU_TANH_K1_LO, GELU_TANH_X_MIN, GELU_T_MAX, SCALE_DOWN, SCALE_UP, TANH_SATURATION,
};
use crate::math::bits::{abs, bits_of, keep_nan, neg_abs, with_sign_of};
use crate::math::erf::erf_abs;
use crate::math::exp::{exp_scaled_up, expm1_reduced, pow2, reduce};
use crate::math::phi::phi_neg_scaled_up;
use crate::ops::UnaryOp;

/// `e^x`: see the catalogue entry `exp`.
#[derive(Clone, Copy)]
pub(crate) struct Exp;

impl UnaryOp for Exp {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let clamped = simd.min_f32s(simd.max_f32s(x, simd.splat_f32s(EXP_X_MIN)), simd.splat_f32s(EXP_X_MAX));
        let (t, r) = reduce(simd, clamped);
        let em1 = expm1_reduced(simd, r);
        // 2^(n+64) below 0 and 2^(n-64) above keep the scale normal over the whole clamped range;
        // the last multiply by 2^-64 or 2^64 is then the only rounding of a subnormal or
        // overflowing result.
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        let bias = simd.select_u32s(negative, bits_of(simd, SCALE_UP), bits_of(simd, SCALE_DOWN));
        let m = pow2(simd, t, bias);
        let scaled = simd.mul_add_e_f32s(em1, m, m);
        let back = simd.select_f32s(negative, simd.splat_f32s(SCALE_DOWN), simd.splat_f32s(SCALE_UP));
        keep_nan(simd, x, simd.mul_f32s(scaled, back))
    }
}

/// The logistic quotient shared by sigmoid, silu, swish and gelu_tanh:
/// `numerator_pos / (1 + e)` where `gate >= 0` and `numerator_neg · e / (1 + e)` where `gate < 0`,
/// with `e = e^-|gate|` given as `e · 2^64` (`e_up`). The negative branch divides by
/// `(1 + e) · 2^64`, so a subnormal result is rounded once, by the division.
#[inline(always)]
fn logistic<S: Simd>(
    simd: S,
    negative: S::m32s,
    e_up: S::f32s,
    numerator_pos: S::f32s,
    numerator_neg: S::f32s,
) -> S::f32s {
    let d = simd.mul_add_e_f32s(e_up, simd.splat_f32s(SCALE_DOWN), simd.splat_f32s(1.0));
    let num = simd.select_f32s(negative, simd.mul_f32s(numerator_neg, e_up), numerator_pos);
    let den = simd.select_f32s(negative, simd.mul_f32s(d, simd.splat_f32s(SCALE_UP)), d);
    simd.div_f32s(num, den)
}

/// `-min(|v|, 120)`: the exponent of `e^-|v|`, clamped where every logistic result underflows.
#[inline(always)]
fn minus_abs_clamped<S: Simd>(simd: S, v: S::f32s) -> S::f32s {
    simd.max_f32s(neg_abs(simd, v), simd.splat_f32s(EXP_NEG_MIN))
}

/// `1 / (1 + e^-x)`: see the catalogue entry `sigmoid`.
#[derive(Clone, Copy)]
pub(crate) struct Sigmoid;

impl UnaryOp for Sigmoid {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let z = minus_abs_clamped(simd, x);
        let e_up = exp_scaled_up(simd, z, None);
        let one = simd.splat_f32s(1.0);
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        keep_nan(simd, x, logistic(simd, negative, e_up, one, one))
    }
}

/// `x / (1 + e^-x)`: see the catalogue entry `silu`.
#[derive(Clone, Copy)]
pub(crate) struct Silu;

impl UnaryOp for Silu {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // For x < 0 the numerator is z e with z = max(x, -120): x e^x underflows to -0 below it.
        let z = minus_abs_clamped(simd, x);
        let e_up = exp_scaled_up(simd, z, None);
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        keep_nan(simd, x, logistic(simd, negative, e_up, x, z))
    }
}

/// `x · sigmoid(beta x)`: see the catalogue entry `swish`.
#[derive(Clone, Copy)]
pub(crate) struct Swish {
    pub beta: f32,
}

impl UnaryOp for Swish {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // beta x as hi + lo (true fma), so e^-|beta x| sees no rounding of its argument.
        let beta = simd.splat_f32s(self.beta);
        let gate = simd.mul_f32s(x, beta);
        let gate_lo = simd.mul_add_f32s(x, beta, simd.neg_f32s(gate));
        let negative = simd.less_than_f32s(gate, simd.splat_f32s(0.0));
        let z = minus_abs_clamped(simd, gate);
        let z_lo = simd.select_f32s(negative, gate_lo, simd.neg_f32s(gate_lo));
        // Where |beta x| passes the clamp, e^-|beta x| is taken as 0 (exact for |beta| >= 1).
        let live = simd.greater_than_f32s(z, simd.splat_f32s(EXP_NEG_MIN));
        let e_up = simd.select_f32s(live, exp_scaled_up(simd, z, Some(z_lo)), simd.splat_f32s(0.0));
        keep_nan(simd, gate, logistic(simd, negative, e_up, x, x))
    }
}

/// `x Φ(x)`: see the catalogue entry `gelu`.
#[derive(Clone, Copy)]
pub(crate) struct Gelu;

impl UnaryOp for Gelu {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let t = simd.min_f32s(abs(simd, x), simd.splat_f32s(GELU_T_MAX));
        let phi_up = phi_neg_scaled_up(simd, t);
        // x < 0: x Φ(x) = -t Φ(-t), scaled back once. x >= 0: x (1 - Φ(-x)) = x - t Φ(-t) in one
        // fma (t = x up to the clamp, beyond it the fma returns x).
        let negative = simd.mul_f32s(simd.mul_f32s(simd.neg_f32s(t), phi_up), simd.splat_f32s(SCALE_DOWN));
        let positive = simd.mul_add_e_f32s(
            simd.neg_f32s(t),
            simd.mul_f32s(phi_up, simd.splat_f32s(SCALE_DOWN)),
            x,
        );
        let y = simd.select_f32s(simd.less_than_f32s(x, simd.splat_f32s(0.0)), negative, positive);
        keep_nan(simd, x, y)
    }
}

/// `x sigmoid(k0 x + k1 x³)`: see the catalogue entry `gelu_tanh`.
#[derive(Clone, Copy)]
pub(crate) struct GeluTanh;

impl UnaryOp for GeluTanh {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // x is clamped to [-12, 12] for the argument only: beyond, the result is x or -0.
        let xc = simd.min_f32s(simd.max_f32s(x, simd.splat_f32s(GELU_TANH_X_MIN)), simd.splat_f32s(-GELU_TANH_X_MIN));
        // u = x (k0 + k1 x²) as hi + lo (true fma for the error-free products on every ISA).
        let x2 = simd.mul_f32s(xc, xc);
        let x2_lo = simd.mul_add_f32s(xc, xc, simd.neg_f32s(x2));
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
        let u = simd.mul_f32s(xc, w);
        let u_lo = simd.mul_add_f32s(xc, w, simd.neg_f32s(u));
        let u_lo = simd.mul_add_e_f32s(xc, w_lo, u_lo);
        // e^-|u + u_lo|: -|u| and the tail with the matching sign.
        let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
        let z = simd.max_f32s(neg_abs(simd, u), simd.splat_f32s(EXP_NEG_MIN));
        let z_lo = simd.select_f32s(negative, u_lo, simd.neg_f32s(u_lo));
        let e_up = exp_scaled_up(simd, z, Some(z_lo));
        keep_nan(simd, x, logistic(simd, negative, e_up, x, xc))
    }
}

/// `tanh x`: see the catalogue entry `tanh`.
#[derive(Clone, Copy)]
pub(crate) struct Tanh;

impl UnaryOp for Tanh {
    #[inline(always)]
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let a = simd.min_f32s(abs(simd, x), simd.splat_f32s(TANH_SATURATION));
        let y = simd.mul_f32s(a, simd.splat_f32s(-2.0));
        let (t, r) = reduce(simd, y);
        let em1_r = expm1_reduced(simd, r);
        let m = pow2(simd, t, bits_of(simd, 1.0));
        // e^y - 1 = 2^n expm1(r) + (2^n - 1): no cancellation for small |x|.
        let em1 = simd.mul_add_e_f32s(m, em1_r, simd.sub_f32s(m, simd.splat_f32s(1.0)));
        let th = simd.div_f32s(em1, simd.add_f32s(em1, simd.splat_f32s(2.0)));
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
