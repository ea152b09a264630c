//! The elementwise passes of the softmax and log-softmax backward passes, given the row's
//! reduction as an f32 pair `(hi, lo)`.

use pulp::Simd;

use crate::math::bits::{canonical_nan, keep_nan};
use crate::math::divide::two_sum;
use crate::math::exp::exp_nonpositive;
use crate::ops::GatedOp;

/// `y · (g - dot)` for softmax output `y` and gradient `g`, with `dot = Σ g_j y_j` of the row
/// as `hi + lo`: `g - hi` as an exact two-sum with `lo` folded into its low part, rounded once,
/// then the product rounds once: no cancellation error where `g` is close to `dot`.
#[derive(Clone, Copy)]
pub(crate) struct SoftmaxGrad {
    pub hi: f32,
    pub lo: f32,
}

impl GatedOp for SoftmaxGrad {
    fn fast_limit(self) -> Option<f32> {
        None
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, y: S::f32s, g: S::f32s) -> S::f32s {
        self.full(simd, y, g)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, y: S::f32s, g: S::f32s) -> S::f32s {
        let (d, d_lo) = two_sum(simd, g, simd.splat_f32s(-self.hi));
        let bracket = simd.add_f32s(d, simd.sub_f32s(d_lo, simd.splat_f32s(self.lo)));
        let product = canonical_nan(simd, simd.mul_f32s(y, bracket));
        keep_nan(simd, y, keep_nan(simd, g, product))
    }
}

/// `g - e^y · s` for log-softmax output `y <= 0` and gradient `g`, with `s = Σ g_j` of the row
/// as `hi + lo`: `e^y` by the exp core (0 at `-inf`), then `fma(-e, hi, g) - e lo`.
#[derive(Clone, Copy)]
pub(crate) struct LogSoftmaxGrad {
    pub hi: f32,
    pub lo: f32,
}

impl GatedOp for LogSoftmaxGrad {
    fn fast_limit(self) -> Option<f32> {
        None
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, y: S::f32s, g: S::f32s) -> S::f32s {
        self.full(simd, y, g)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, y: S::f32s, g: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let e = exp_nonpositive::<S, false>(simd, simd.min_f32s(y, zero), zero);
        let neg_e = simd.neg_f32s(e);
        let r = simd.mul_add_f32s(neg_e, simd.splat_f32s(self.hi), g);
        let r = simd.mul_add_f32s(neg_e, simd.splat_f32s(self.lo), r);
        keep_nan(simd, y, keep_nan(simd, g, canonical_nan(simd, r)))
    }
}
