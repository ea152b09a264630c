//! Derivatives `f'(x)` of the unary ops, for the backward passes: `grad_in = grad_out · f'(x)` is
//! `Times<D>` over `(x, grad_out)` (one more rounding). Each body follows PyTorch's convention at
//! the kinks (the derivative at a kink is that of the side named in its doc). NaN inputs come
//! out unchanged; the limits at ±inf are exact (no `inf · 0`).

use pulp::Simd;

use crate::catalogue::consts::{
    GELU_TANH_FAST_LIMIT, GELU_TANH_K1_HI, GELU_TANH_X_MIN, HARD_SIGMOID_SHIFT, LOGISTIC_A_MAX_NEG,
    LOGISTIC_FAST_LIMIT, ONE_SIXTH, RELU6_CAP, SELU_LAMBDA, SELU_LAMBDA_ALPHA,
};
use crate::math::bits::{abs, keep_nan};
use crate::math::divide::two_sum;
use crate::math::exp::exp_nonpositive;
use crate::math::logistic::{Range, times_sigmoid};
use crate::ops::{Exp, GatedOp, UnaryOp, div_by_six, gelu_tanh_gate};

/// `cond ? a : b` on constants.
#[inline(always)]
fn choose<S: Simd>(simd: S, cond: S::m32s, a: f32, b: f32) -> S::f32s {
    simd.select_f32s(cond, simd.splat_f32s(a), simd.splat_f32s(b))
}

/// `(sigma(z), sigma'(z) = sigma(z) sigma(-z))` for `z + z_lo` (`None`: `z` alone), from one
/// exponential: `s = sigma(-|z|)` by the logistic core (exact argument), then `sigma(|z|) =
/// 1 - s` (exact for `s >= 1/4`, one rounding below) and `sigma' = s (1 - s)`.
#[inline(always)]
pub(crate) fn logistic_pair<S: Simd>(
    simd: S,
    z: S::f32s,
    z_lo: Option<S::f32s>,
    range: Range,
) -> (S::f32s, S::f32s) {
    let positive = simd.greater_than_or_equal_f32s(z, simd.splat_f32s(0.0));
    let g = simd.select_f32s(positive, simd.neg_f32s(z), z);
    let g_lo = z_lo.map(|lo| simd.select_f32s(positive, simd.neg_f32s(lo), lo));
    let s = times_sigmoid(simd, None, g, g_lo, range);
    let one_minus = simd.sub_f32s(simd.splat_f32s(1.0), s);
    let sigma = simd.select_f32s(positive, one_minus, s);
    (sigma, simd.mul_f32s(s, one_minus))
}

/// The range of the logistic core for `|z| <= limit` blocks (`fast`) or any (`full`).
#[inline(always)]
pub(crate) fn range(full: bool) -> Range {
    if full { Range::Full } else { Range::Normal }
}

/// `sigmoid'(x) = sigmoid(x) sigmoid(-x)`.
#[derive(Clone, Copy)]
pub(crate) struct DSigmoid;

impl DSigmoid {
    #[inline(always)]
    fn eval<S: Simd>(simd: S, x: S::f32s, full: bool) -> S::f32s {
        let (_, d) = logistic_pair(simd, x, None, range(full));
        keep_nan(simd, x, d)
    }
}

impl UnaryOp for DSigmoid {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::eval(simd, x, false)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::eval(simd, x, true)
    }
}

/// `tanh'(x) = 1 - tanh²(x) = 4 sigmoid'(2x)` (no cancellation in the tails).
#[derive(Clone, Copy)]
pub(crate) struct DTanh;

impl UnaryOp for DTanh {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT / 2.0)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let two_x = simd.add_f32s(x, x);
        simd.mul_f32s(DSigmoid::eval(simd, two_x, false), simd.splat_f32s(4.0))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let two_x = simd.add_f32s(x, x);
        keep_nan(
            simd,
            x,
            simd.mul_f32s(DSigmoid::eval(simd, two_x, true), simd.splat_f32s(4.0)),
        )
    }
}

/// `sigma(z) + w sigma'(z)` for the gate `z + z_lo` and its factor `w + w_lo` (a `None` low part is
/// 0; `w = z` for swish, `x u'(x)` for gelu_tanh; `w` has the sign of `z`). For `z >= 0` both terms
/// are positive: `fma(w, sigma'(z), sigma(z))`. For `z < 0` the terms cancel (at the derivative's
/// zero), so it is taken as `s ((1 + w) - w s)` with `s = sigmoid(z)`: `1 + w` an exact two-sum and
/// the bracket one fma, which damps the error of `s` instead of amplifying it, then `bracket · s`
/// (by the logistic core below z = -64, exact even where `s` alone would be subnormal; the bracket
/// is clamped at `floor`, beyond which the result underflows). At `z = ±inf` the result is
/// `sigmoid(z)`, the limit. Returns `(sigmoid(z), the derivative)`.
#[inline(always)]
pub(crate) fn logistic_derivative<S: Simd>(
    simd: S,
    (z, z_lo): (S::f32s, Option<S::f32s>),
    (w, w_lo): (S::f32s, Option<S::f32s>),
    floor: f32,
    full: bool,
) -> (S::f32s, S::f32s) {
    let (sigma, d) = logistic_pair(simd, z, z_lo, range(full));
    let positive_side = simd.mul_add_f32s(w, d, sigma);
    let (h, l) = two_sum(simd, simd.splat_f32s(1.0), w);
    let l = match w_lo {
        Some(w_lo) => simd.mul_add_f32s(simd.neg_f32s(w_lo), sigma, simd.add_f32s(l, w_lo)),
        None => l,
    };
    let bracket = simd.add_f32s(simd.mul_add_f32s(simd.neg_f32s(w), sigma, h), l);
    let bracket = simd.max_f32s(bracket, simd.splat_f32s(floor));
    // bracket · sigmoid(z): a plain product while sigmoid(z) >= e^-64 is normal (the fast
    // range); below, the logistic core itself, which carries a subnormal sigmoid scaled so the
    // product (normal down to z = -100) rounds once. Lanes within the fast range get the same
    // bits on both paths.
    let mut negative_side = simd.mul_f32s(sigma, bracket);
    if full {
        let scaled = times_sigmoid(simd, Some(bracket), z, z_lo, Range::Full);
        let deep = simd.less_than_f32s(z, simd.splat_f32s(-LOGISTIC_FAST_LIMIT));
        negative_side = simd.select_f32s(deep, scaled, negative_side);
    }
    let negative = simd.less_than_f32s(z, simd.splat_f32s(0.0));
    let y = simd.select_f32s(negative, negative_side, positive_side);
    if !full {
        return (sigma, y);
    }
    let infinite = simd.equal_f32s(abs(simd, z), simd.splat_f32s(f32::INFINITY));
    (sigma, simd.select_f32s(infinite, sigma, y))
}

/// `d/dx [x sigmoid(beta x)] = sigmoid(z) + z sigmoid'(z)`, `z = beta x` (an exact hi + lo
/// product for the exponential), by [`logistic_derivative`] with `w = z`; the bracket is clamped
/// at -120 (as in silu: below, the product underflows, and the core wants |bracket| <= 120).
#[inline(always)]
fn swish_derivative<S: Simd>(simd: S, x: S::f32s, beta: f32, full: bool) -> S::f32s {
    let (_, _, y) = swish_logistic_pair(simd, x, beta, full);
    keep_nan(simd, x, y)
}

/// `(z, sigmoid(z), swish'(x))` with `z = beta x` (rounded) from one logistic core, as
/// [`DSwish`] takes it (NaN inputs not yet propagated).
#[inline(always)]
pub(crate) fn swish_logistic_pair<S: Simd>(
    simd: S,
    x: S::f32s,
    beta: f32,
    full: bool,
) -> (S::f32s, S::f32s, S::f32s) {
    let b = simd.splat_f32s(beta);
    let z = simd.mul_f32s(x, b);
    let z_lo = simd.mul_add_f32s(x, b, simd.neg_f32s(z));
    let (sigma, d) = logistic_derivative(
        simd,
        (z, Some(z_lo)),
        (z, Some(z_lo)),
        -LOGISTIC_A_MAX_NEG,
        full,
    );
    (z, sigma, d)
}

/// `gelu_tanh'(x) = sigmoid(u) + x u'(x) sigmoid'(u)` with `u = k0 x + k1 x³` (the double-f32
/// gate of gelu_tanh) and `w = x u'(x) = u + 2 k1 x³` (a two-sum on the double-f32 `u`), by
/// [`logistic_derivative`]; x is clamped to [-12, 12] (beyond, the derivative is 0 or 1 in f32),
/// so `|w| < 390` and the bracket needs no clamp. Zero at x = -0.7525 (absolute accuracy there).
#[derive(Clone, Copy)]
pub(crate) struct DGeluTanh;

/// `(sigmoid(u), gelu_tanh'(x))` for `u = k0 x + k1 x³` from one logistic core, as
/// [`DGeluTanh`] takes it (x clamped to [-12, 12]; NaN inputs not yet propagated).
#[inline(always)]
pub(crate) fn gelu_tanh_logistic_pair<S: Simd>(
    simd: S,
    x: S::f32s,
    full: bool,
) -> (S::f32s, S::f32s) {
    let xc = simd.min_f32s(
        simd.max_f32s(x, simd.splat_f32s(GELU_TANH_X_MIN)),
        simd.splat_f32s(-GELU_TANH_X_MIN),
    );
    let (u, u_lo) = gelu_tanh_gate(simd, xc);
    let cube_part = simd.mul_f32s(simd.mul_f32s(xc, xc), simd.splat_f32s(GELU_TANH_K1_HI));
    let (w, w_lo) = two_sum(simd, u, simd.mul_f32s(simd.add_f32s(xc, xc), cube_part));
    let w_lo = simd.add_f32s(w_lo, u_lo);
    logistic_derivative(simd, (u, Some(u_lo)), (w, Some(w_lo)), f32::MIN, full)
}

impl DGeluTanh {
    #[inline(always)]
    fn eval<S: Simd>(simd: S, x: S::f32s, full: bool) -> S::f32s {
        let (_, y) = gelu_tanh_logistic_pair(simd, x, full);
        if full { keep_nan(simd, x, y) } else { y }
    }
}

impl UnaryOp for DGeluTanh {
    fn fast_limit(self) -> Option<f32> {
        Some(GELU_TANH_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::eval(simd, x, false)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::eval(simd, x, true)
    }
}

/// `silu'(x) = sigmoid(x) (1 + x sigmoid(-x))`; zero at x = -1.2785 (absolute accuracy there).
#[derive(Clone, Copy)]
pub(crate) struct DSilu;

impl UnaryOp for DSilu {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        swish_derivative(simd, x, 1.0, false)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        swish_derivative(simd, x, 1.0, true)
    }
}

/// `swish'(x) = sigmoid(beta x) + beta x sigmoid'(beta x)`.
#[derive(Clone, Copy)]
pub(crate) struct DSwish {
    pub beta: f32,
}

impl UnaryOp for DSwish {
    fn fast_limit(self) -> Option<f32> {
        // |x| <= 64/|beta| keeps |beta x| within the logistic fast range (as `Swish`).
        Some(LOGISTIC_FAST_LIMIT / self.beta.abs()).filter(|limit| !limit.is_nan())
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        swish_derivative(simd, x, self.beta, false)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        swish_derivative(simd, x, self.beta, true)
    }
}

/// `gelu_sigmoid'(x)`: the swish derivative with `beta = 1.702`.
#[derive(Clone, Copy)]
pub(crate) struct DGeluSigmoid;

impl UnaryOp for DGeluSigmoid {
    fn fast_limit(self) -> Option<f32> {
        DSwish {
            beta: crate::catalogue::consts::GELU_SIGMOID_BETA,
        }
        .fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        swish_derivative(simd, x, crate::catalogue::consts::GELU_SIGMOID_BETA, false)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        swish_derivative(simd, x, crate::catalogue::consts::GELU_SIGMOID_BETA, true)
    }
}

/// `softplus'(x) = sigmoid(beta x)`, 1 where `beta x > threshold` (the linear part).
#[derive(Clone, Copy)]
pub(crate) struct DSoftplus {
    pub beta: f32,
    pub threshold: f32,
}

impl UnaryOp for DSoftplus {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let b = simd.splat_f32s(self.beta);
        let z = simd.mul_f32s(x, b);
        let z_lo = simd.mul_add_f32s(x, b, simd.neg_f32s(z));
        let (sigma, _) = logistic_pair(simd, z, Some(z_lo), Range::Full);
        let linear = simd.greater_than_f32s(z, simd.splat_f32s(self.threshold));
        keep_nan(
            simd,
            x,
            simd.select_f32s(linear, simd.splat_f32s(1.0), sigma),
        )
    }
}

/// `log_sigmoid'(x) = sigmoid(-x)`.
#[derive(Clone, Copy)]
pub(crate) struct DLogSigmoid;

impl UnaryOp for DLogSigmoid {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let (sigma, _) = logistic_pair(simd, simd.neg_f32s(x), None, Range::Full);
        keep_nan(simd, x, sigma)
    }
}

/// `exp'(x) = e^x`: the exp body.
#[derive(Clone, Copy)]
pub(crate) struct DExp;

impl UnaryOp for DExp {
    fn fast_limit(self) -> Option<f32> {
        Exp.fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Exp.fast(simd, x)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Exp.full(simd, x)
    }
}

/// `x > 0 ? 1 : scale e^x` (`e^x` of the non-positive side, `-inf` giving 0).
#[inline(always)]
fn exp_side<S: Simd>(simd: S, x: S::f32s, positive: f32, scale: f32) -> S::f32s {
    let xn = simd.min_f32s(x, simd.splat_f32s(0.0));
    let e = exp_nonpositive::<S, false>(simd, xn, simd.splat_f32s(0.0));
    let neg = simd.mul_f32s(e, simd.splat_f32s(scale));
    let pos = simd.greater_than_f32s(x, simd.splat_f32s(0.0));
    keep_nan(
        simd,
        x,
        simd.select_f32s(pos, simd.splat_f32s(positive), neg),
    )
}

/// `elu'(x) = x > 0 ? 1 : alpha e^x`.
#[derive(Clone, Copy)]
pub(crate) struct DElu {
    pub alpha: f32,
}

impl UnaryOp for DElu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        exp_side(simd, x, 1.0, self.alpha)
    }
}

/// `selu'(x) = x > 0 ? lambda : lambda alpha e^x`.
#[derive(Clone, Copy)]
pub(crate) struct DSelu;

impl UnaryOp for DSelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        exp_side(simd, x, SELU_LAMBDA, SELU_LAMBDA_ALPHA)
    }
}

/// `celu'(x) = x > 0 ? 1 : e^(x/alpha)`, the quotient as an exact hi + lo pair (its remainder by
/// an fma), so the exponential sees no rounding of its argument.
#[derive(Clone, Copy)]
pub(crate) struct DCelu {
    pub alpha: f32,
}

impl UnaryOp for DCelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let a = simd.splat_f32s(self.alpha);
        let q = simd.div_f32s(x, a);
        let rem = simd.mul_add_f32s(simd.neg_f32s(q), a, x);
        let q_lo = simd.div_f32s(rem, a);
        let finite = simd.greater_than_or_equal_f32s(q, simd.splat_f32s(f32::MIN));
        let q_lo = simd.select_f32s(finite, q_lo, simd.splat_f32s(0.0));
        let pos = simd.greater_than_f32s(x, simd.splat_f32s(0.0));
        let qn = simd.min_f32s(q, simd.splat_f32s(0.0));
        let e = exp_nonpositive::<S, false>(simd, qn, q_lo);
        keep_nan(simd, x, simd.select_f32s(pos, simd.splat_f32s(1.0), e))
    }
}

/// `softsign'(x) = 1 / (1 + |x|)²`, as `r · r` with `r = 1 / (1 + |x|)` (no overflow).
#[derive(Clone, Copy)]
pub(crate) struct DSoftsign;

impl UnaryOp for DSoftsign {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let one = simd.splat_f32s(1.0);
        let r = simd.div_f32s(one, simd.add_f32s(one, abs(simd, x)));
        keep_nan(simd, x, simd.mul_f32s(r, r))
    }
}

/// `relu'(x) = x > 0 ? 1 : 0`.
#[derive(Clone, Copy)]
pub(crate) struct DRelu;

impl UnaryOp for DRelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let pos = simd.greater_than_f32s(x, simd.splat_f32s(0.0));
        choose(simd, pos, 1.0, 0.0)
    }
}

/// `relu6'(x) = 0 < x < 6 ? 1 : 0`.
#[derive(Clone, Copy)]
pub(crate) struct DRelu6;

impl UnaryOp for DRelu6 {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let inside = simd.and_m32s(
            simd.greater_than_f32s(x, simd.splat_f32s(0.0)),
            simd.less_than_f32s(x, simd.splat_f32s(RELU6_CAP)),
        );
        choose(simd, inside, 1.0, 0.0)
    }
}

/// `x > 0 ? 1 : slope` (NaN where `x` is: the callers keep it).
#[inline(always)]
fn leaky_derivative<S: Simd>(simd: S, x: S::f32s, slope: f32) -> S::f32s {
    let pos = simd.greater_than_f32s(x, simd.splat_f32s(0.0));
    choose(simd, pos, 1.0, slope)
}

/// `leaky_relu'(x) = x > 0 ? 1 : alpha`.
#[derive(Clone, Copy)]
pub(crate) struct DLeakyRelu {
    pub alpha: f32,
}

impl UnaryOp for DLeakyRelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        leaky_derivative(simd, x, self.alpha)
    }
}

/// `rrelu'(x)` in inference mode: `x > 0 ? 1 : (lower + upper) / 2`.
#[derive(Clone, Copy)]
pub(crate) struct DRrelu {
    pub lower: f32,
    pub upper: f32,
}

impl UnaryOp for DRrelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        leaky_derivative(simd, x, (self.lower + self.upper) * 0.5)
    }
}

/// `step'(x) = 0` (NaN passes).
#[derive(Clone, Copy)]
pub(crate) struct DStep {
    pub threshold: f32,
}

impl UnaryOp for DStep {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, _: S::f32s) -> S::f32s {
        let _ = self.threshold;
        simd.splat_f32s(0.0)
    }
}

/// `hard_sigmoid'(x) = -3 < x < 3 ? 1/6 : 0`.
#[derive(Clone, Copy)]
pub(crate) struct DHardSigmoid;

impl UnaryOp for DHardSigmoid {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let inside = simd.less_than_f32s(abs(simd, x), simd.splat_f32s(HARD_SIGMOID_SHIFT));
        choose(simd, inside, ONE_SIXTH, 0.0)
    }
}

/// `hard_swish'(x) = x < -3 ? 0 : x <= 3 ? (2x + 3)/6 : 1` (PyTorch's sides); `2x + 3` as an
/// exact two-sum, divided by 6 with about one rounding; zero at x = -1.5.
#[derive(Clone, Copy)]
pub(crate) struct DHardSwish;

impl UnaryOp for DHardSwish {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let three = simd.splat_f32s(HARD_SIGMOID_SHIFT);
        let (t, t_lo) = two_sum(simd, simd.add_f32s(x, x), three);
        let mid = div_by_six(simd, t, t_lo);
        let below = simd.less_than_f32s(x, simd.neg_f32s(three));
        let above = simd.greater_than_f32s(x, three);
        let y = simd.select_f32s(below, simd.splat_f32s(0.0), mid);
        simd.select_f32s(above, simd.splat_f32s(1.0), y)
    }
}

/// `squared_relu'(x) = x > 0 ? 2x : 0` (exact).
#[derive(Clone, Copy)]
pub(crate) struct DSquaredRelu;

impl UnaryOp for DSquaredRelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let pos = simd.greater_than_f32s(x, simd.splat_f32s(0.0));
        simd.select_f32s(pos, simd.add_f32s(x, x), simd.splat_f32s(0.0))
    }
}

/// `star_relu'(x) = x > 0 ? 2 scale x : 0` (one rounding).
#[derive(Clone, Copy)]
pub(crate) struct DStarRelu {
    pub scale: f32,
    pub bias: f32,
}

impl UnaryOp for DStarRelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        keep_nan(simd, x, self.on_numbers(simd, x))
    }

    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let _ = self.bias;
        let pos = simd.greater_than_f32s(x, simd.splat_f32s(0.0));
        let slope = simd.mul_f32s(x, simd.splat_f32s(2.0 * self.scale));
        simd.select_f32s(pos, slope, simd.splat_f32s(0.0))
    }
}

/// A gated op with its operands swapped: `Swapped(op)(a, b) = op(b, a)`, so that the in-place
/// backward pass can overwrite `grad_out` (the gated machinery writes over its first operand).
#[derive(Clone, Copy)]
pub(crate) struct Swapped<Op>(pub Op);

impl<Op: GatedOp> GatedOp for Swapped<Op> {
    fn fast_limit(self) -> Option<f32> {
        // The first operand is now the gradient: only the inner op's bound on x matters.
        self.0
            .fast_limit()
            .map(|_| self.0.up_limit().unwrap_or(f32::INFINITY))
    }

    fn up_limit(self) -> Option<f32> {
        self.0.fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, a: S::f32s, b: S::f32s) -> S::f32s {
        self.0.fast(simd, b, a)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, a: S::f32s, b: S::f32s) -> S::f32s {
        self.0.full(simd, b, a)
    }

    #[inline(always)]
    fn fast_block<S: Simd>(self, simd: S, a: [S::f32s; 2], b: [S::f32s; 2]) -> [S::f32s; 2] {
        self.0.fast_block(simd, b, a)
    }

    #[inline(always)]
    fn full_block<S: Simd>(self, simd: S, a: [S::f32s; 2], b: [S::f32s; 2]) -> [S::f32s; 2] {
        self.0.full_block(simd, b, a)
    }
}
