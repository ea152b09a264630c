//! Piecewise-linear and piecewise-quadratic bodies: the ReLU family and the hard variants. Each
//! rounds at most once or twice; NaN inputs come out with their own bits on every ISA.

use pulp::Simd;

use crate::catalogue::consts::{
    HARD_SIGMOID_SHIFT, HARD_SIGMOID_WIDTH, ONE_SIXTH, RELU6_CAP, SCALE_DOWN, SCALE_UP,
    SIXTH_BELOW, SIXTH_BELOW_FIX, SIXTH_BELOW_TRIPLE, STAR_RELU_FAST_LIMIT,
};
use crate::math::bits::{canonical_nan, keep_nan, with_sign_of};
use crate::math::divide::{fast_two_sum, two_sum};
use crate::ops::{GatedOp, Relu, UnaryOp};
use crate::shim::min_max_return_second;

/// `x >= threshold ? 1 : 0`: see the catalogue entry `step`.
#[derive(Clone, Copy)]
pub(crate) struct Step {
    pub threshold: f32,
}

impl UnaryOp for Step {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let on = simd.greater_than_or_equal_f32s(x, simd.splat_f32s(self.threshold));
        let y = simd.select_f32s(on, simd.splat_f32s(1.0), simd.splat_f32s(0.0));
        keep_nan(simd, x, y)
    }
}

/// `min(max(x, 0), 6)`: see the catalogue entry `relu6`.
#[derive(Clone, Copy)]
pub(crate) struct Relu6;

impl UnaryOp for Relu6 {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let cap = simd.splat_f32s(RELU6_CAP);
        if min_max_return_second(simd) {
            // x itself through both for NaN and -0: two instructions.
            return simd.min_f32s(cap, Relu.full(simd, x));
        }
        keep_nan(simd, x, simd.min_f32s(Relu.full(simd, x), cap))
    }
}

/// `x < 0 ? slope x : x`, one rounding; `-0` and NaN inputs pass unchanged. A NaN the product
/// makes (a zero slope times `-inf`, or a NaN slope) is the positive quiet NaN on every ISA.
#[inline(always)]
fn leaky<S: Simd>(simd: S, x: S::f32s, slope: S::f32s) -> S::f32s {
    let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
    simd.select_f32s(negative, canonical_nan(simd, simd.mul_f32s(x, slope)), x)
}

/// [`leaky`] with one slope for every lane. For a finite nonzero slope, `slope x` lies on the
/// same side of `x` for every x of one sign, so `max(slope x, x)` (a slope below 1) or `min`
/// (from 1 up) picks the same value as the select; on x86 (`min_max_return_second`) it passes
/// NaN and negative zero themselves too, in two instructions instead of five. A zero slope
/// stays on the select, as `0 · -inf` must give the NaN.
#[inline(always)]
fn leaky_uniform<S: Simd>(simd: S, x: S::f32s, slope: f32) -> S::f32s {
    if min_max_return_second(simd) && slope.is_finite() && slope != 0.0 {
        let product = simd.mul_f32s(x, simd.splat_f32s(slope));
        if slope < 1.0 {
            simd.max_f32s(product, x)
        } else {
            simd.min_f32s(product, x)
        }
    } else {
        leaky(simd, x, simd.splat_f32s(slope))
    }
}

/// PReLU as a two-input op: `x < 0 ? a x : x` with the slope `a` of each element's channel
/// (the gated machinery carries the slopes as its second operand); one rounding.
#[derive(Clone, Copy)]
pub(crate) struct Prelu;

impl GatedOp for Prelu {
    fn fast_limit(self) -> Option<f32> {
        None
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s, slope: S::f32s) -> S::f32s {
        self.full(simd, x, slope)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s, slope: S::f32s) -> S::f32s {
        leaky(simd, x, slope)
    }
}

/// `x < 0 ? alpha x : x`: see the catalogue entry `leaky_relu`.
#[derive(Clone, Copy)]
pub(crate) struct LeakyRelu {
    pub alpha: f32,
}

impl UnaryOp for LeakyRelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        leaky_uniform(simd, x, self.alpha)
    }
}

/// RReLU in inference mode, `x < 0 ? (lower + upper)/2 x : x`: see the catalogue entry `rrelu`.
#[derive(Clone, Copy)]
pub(crate) struct Rrelu {
    pub lower: f32,
    pub upper: f32,
}

impl UnaryOp for Rrelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // The slope is rounded to f32 once, in the same scalar operations on every ISA.
        leaky_uniform(simd, x, (self.lower + self.upper) * 0.5)
    }
}

/// `x` clamped to `[-3, 3]`.
#[inline(always)]
fn clamped<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    let shift = simd.splat_f32s(HARD_SIGMOID_SHIFT);
    simd.min_f32s(simd.max_f32s(x, simd.neg_f32s(shift)), shift)
}

/// `(p + p_lo)/6` rounded about once: `q0 = p/6` by a product with the f32 `1/6`, then the
/// exact remainder `p - 6 q0` (an fma) plus `p_lo`, times `1/6`, corrects it.
#[inline(always)]
pub(crate) fn div_by_six<S: Simd>(simd: S, p: S::f32s, p_lo: S::f32s) -> S::f32s {
    let sixth = simd.splat_f32s(ONE_SIXTH);
    let q0 = simd.mul_f32s(p, sixth);
    let rem = simd.mul_add_f32s(simd.splat_f32s(-HARD_SIGMOID_WIDTH), q0, p);
    simd.mul_add_f32s(simd.add_f32s(rem, p_lo), sixth, q0)
}

/// `relu6(x + 3) / 6`: see the catalogue entry `hard_sigmoid`.
#[derive(Clone, Copy)]
pub(crate) struct HardSigmoid;

impl UnaryOp for HardSigmoid {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // s (xc + 3) with s = (1 - 2^-24)/6, whose triple is exact: one fma rounds it once, and
        // xc + 3 is never formed. Then y (1 + e), e = 1/(1 - 2^-24) - 1, restores 1/6.
        let below = simd.mul_add_f32s(
            clamped(simd, x),
            simd.splat_f32s(SIXTH_BELOW),
            simd.splat_f32s(SIXTH_BELOW_TRIPLE),
        );
        let y = simd.mul_add_f32s(below, simd.splat_f32s(SIXTH_BELOW_FIX), below);
        keep_nan(simd, x, y)
    }
}

/// `x relu6(x + 3) / 6`: see the catalogue entry `hard_swish`.
#[derive(Clone, Copy)]
pub(crate) struct HardSwish;

impl UnaryOp for HardSwish {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // Only the lower clamp: from 3 up, and for NaN, the closing select returns x itself
        // (`x < 3` is false for both), whatever the body made of it.
        let xc = simd.max_f32s(x, simd.splat_f32s(-HARD_SIGMOID_SHIFT));
        let (t, t_lo) = fast_two_sum(simd, simd.splat_f32s(HARD_SIGMOID_SHIFT), xc);
        // xc (t + t_lo) as p + p_lo (the product split by an fma, the low part of t added),
        // times the f32 1/6 (2^-25 high: at most a quarter ULP per unit of the result's
        // significand) with one rounding.
        let p = simd.mul_f32s(xc, t);
        let p_lo = simd.mul_add_f32s(xc, t, simd.neg_f32s(p));
        let p_lo = simd.mul_add_f32s(xc, t_lo, p_lo);
        let sixth = simd.splat_f32s(ONE_SIXTH);
        let q = simd.mul_add_f32s(p, sixth, simd.mul_f32s(p_lo, sixth));
        // q has the sign of x, or is +0 (x = -0, and x <= -3 where t = 0): x's sign bit on it.
        let q = with_sign_of(simd, q, x);
        let three = simd.splat_f32s(HARD_SIGMOID_SHIFT);
        simd.select_f32s(simd.less_than_f32s(x, three), q, x)
    }
}

/// `relu(x)²`: see the catalogue entry `squared_relu`.
#[derive(Clone, Copy)]
pub(crate) struct SquaredRelu;

impl UnaryOp for SquaredRelu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let r = Relu.full(simd, x);
        keep_nan(simd, x, simd.mul_f32s(r, r))
    }
}

/// `scale relu(x)² + bias`: see the catalogue entry `star_relu`.
#[derive(Clone, Copy)]
pub(crate) struct StarRelu {
    pub scale: f32,
    pub bias: f32,
}

impl StarRelu {
    /// `scale (r² + r²_lo) + bias` rounded about once: `r²` and `scale r²` split exactly (fma),
    /// the bias added to the product by an exact two-sum, and all the low parts added last, so a
    /// result that cancels to near 0 keeps its relative accuracy (within 0.5 ULP plus the low
    /// parts' own roundings, far below an ULP).
    #[inline(always)]
    fn near<S: Simd>(self, simd: S, r: S::f32s) -> S::f32s {
        let scale = simd.splat_f32s(self.scale);
        let r2 = simd.mul_f32s(r, r);
        let r2_lo = simd.mul_add_f32s(r, r, simd.neg_f32s(r2));
        let p = simd.mul_f32s(scale, r2);
        let p_lo = simd.mul_add_f32s(scale, r2, simd.neg_f32s(p));
        let (t, t_lo) = two_sum(simd, p, simd.splat_f32s(self.bias));
        let lo = simd.mul_add_f32s(scale, r2_lo, simd.add_f32s(p_lo, t_lo));
        simd.add_f32s(t, lo)
    }
}

impl UnaryOp for StarRelu {
    fn fast_limit(self) -> Option<f32> {
        Some(STAR_RELU_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.near(simd, Relu.full(simd, x))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        // Beyond 2^60, r² may overflow before the scale brings it back: scale (r 2^-64)² (the
        // bias is below half an ULP there), times 2^64 twice.
        let r = Relu.full(simd, x);
        let big = simd.greater_than_f32s(r, simd.splat_f32s(STAR_RELU_FAST_LIMIT));
        let rs = simd.mul_f32s(r, simd.splat_f32s(SCALE_DOWN));
        let unbiased = StarRelu {
            scale: self.scale,
            bias: 0.0,
        };
        let up = simd.splat_f32s(SCALE_UP);
        let far = simd.mul_f32s(simd.mul_f32s(unbiased.near(simd, rs), up), up);
        let near = self.near(
            simd,
            simd.min_f32s(r, simd.splat_f32s(STAR_RELU_FAST_LIMIT)),
        );
        // +inf stays +inf (its r² has the low part inf - inf).
        let infinite = simd.equal_f32s(r, simd.splat_f32s(f32::INFINITY));
        let far = simd.select_f32s(infinite, r, far);
        keep_nan(simd, x, simd.select_f32s(big, far, near))
    }
}
