//! Bodies built on the exp and log cores beyond the logistic family: ELU, SELU, CELU, softplus,
//! log-sigmoid, mish, the sigmoid form of GELU and softsign.

use pulp::Simd;

use crate::catalogue::consts::{
    EXP_NORMAL_LIMIT, EXP_X_MIN, GELU_SIGMOID_BETA, LOGISTIC_A_MAX_NEG, SCALE_DOWN, SCALE_UP,
    SELU_LAMBDA, SELU_LAMBDA_ALPHA, SOFTPLUS_SCALED_BELOW, SOFTSIGN_SATURATION,
};
use crate::math::bits::{abs, bits_of, keep_nan, neg_abs, with_sign_of};
use crate::math::divide::{div_compensated, fast_two_sum, two_sum};
use crate::math::exp::{expm1_nonpositive, reduce};
use crate::math::log::add_log1p_exp;
use crate::ops::{Swish, UnaryOp};

/// `e^min(x, 0) - 1` with `x` clamped at -87 (where the result is -1 in f32).
#[inline(always)]
fn expm1_negative_side<S: Simd>(simd: S, x: S::f32s, tail: S::f32s) -> S::f32s {
    let xn = simd.min_f32s(
        simd.max_f32s(x, simd.splat_f32s(-EXP_NORMAL_LIMIT)),
        simd.splat_f32s(0.0),
    );
    expm1_nonpositive(simd, xn, tail)
}

/// `x >= 0 ? x : alpha (e^x - 1)`: see the catalogue entry `elu`.
#[derive(Clone, Copy)]
pub(crate) struct Elu {
    pub alpha: f32,
}

impl UnaryOp for Elu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let neg = simd.mul_f32s(
            simd.splat_f32s(self.alpha),
            expm1_negative_side(simd, x, zero),
        );
        let y = simd.select_f32s(simd.greater_than_or_equal_f32s(x, zero), x, neg);
        keep_nan(simd, x, y)
    }
}

/// `lambda (x >= 0 ? x : alpha (e^x - 1))`: see the catalogue entry `selu`.
#[derive(Clone, Copy)]
pub(crate) struct Selu;

impl UnaryOp for Selu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let neg = simd.mul_f32s(
            simd.splat_f32s(SELU_LAMBDA_ALPHA),
            expm1_negative_side(simd, x, zero),
        );
        let pos = simd.mul_f32s(simd.splat_f32s(SELU_LAMBDA), x);
        let y = simd.select_f32s(simd.greater_than_or_equal_f32s(x, zero), pos, neg);
        keep_nan(simd, x, y)
    }
}

/// `x >= 0 ? x : alpha (e^(x/alpha) - 1)`: see the catalogue entry `celu`.
#[derive(Clone, Copy)]
pub(crate) struct Celu {
    pub alpha: f32,
}

impl UnaryOp for Celu {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let alpha = simd.splat_f32s(self.alpha);
        // x/alpha as q + q_lo: the remainder x - q alpha is exact (fma), so e^(x/alpha) sees no
        // rounding of its argument; past the clamp (and for infinite x) the tail is dropped.
        let q = simd.div_f32s(x, alpha);
        let q_lo = simd.div_f32s(simd.mul_add_f32s(simd.neg_f32s(q), alpha, x), alpha);
        let inside = simd.greater_than_f32s(q, simd.splat_f32s(-EXP_NORMAL_LIMIT));
        let tail = simd.select_f32s(inside, q_lo, zero);
        let neg = simd.mul_f32s(alpha, expm1_negative_side(simd, q, tail));
        let y = simd.select_f32s(simd.greater_than_or_equal_f32s(x, zero), x, neg);
        keep_nan(simd, x, y)
    }
}

/// `max(z, 0) + ln(1 + e^-|z + z_lo|)` for any `z` (the softplus of a double-f32 argument;
/// `TAIL = false`: `z_lo` is 0 and not read).
///
/// `t = e^-|z|` from the exp core rounded once (`m (1 + expm1(r))` by one fma; with `TAIL`, the
/// low part enters the reduced argument), then `log1p(t)` by the unreduced log core
/// ([`add_log1p_exp`]) and `max(z, 0)` added. `tiny` (`None`: no lane) marks lanes with `|z|` at
/// least about 80, where the logarithm is `t` itself to 2^-115: for `z < 0` it is computed scaled
/// by 2^64 so a subnormal result rounds once, for `z > 0` the result is `z`. The caller derives
/// `tiny` from the same bound as the op's fast path, so a lane gets the same bits whichever path
/// its block takes.
#[inline(always)]
fn softplus_core<S: Simd, const TAIL: bool>(
    simd: S,
    z: S::f32s,
    z_lo: S::f32s,
    tiny: Option<S::m32s>,
) -> S::f32s {
    let zero = simd.splat_f32s(0.0);
    let negative = simd.less_than_f32s(z, zero);
    let a = neg_abs(simd, z);
    let tail = simd.select_f32s(negative, z_lo, simd.neg_f32s(z_lo));
    let (a, tail) = if tiny.is_some() {
        let clamped = simd.max_f32s(a, simd.splat_f32s(EXP_X_MIN));
        // An infinite z has no low part (the fma gives a NaN there).
        let tail = simd.select_f32s(simd.equal_f32s(clamped, a), tail, zero);
        (clamped, tail)
    } else {
        (a, tail)
    };
    let red = reduce(simd, a);
    let bias = match tiny {
        Some(tiny) => simd.select_u32s(tiny, bits_of(simd, SCALE_UP), bits_of(simd, 1.0)),
        None => bits_of(simd, 1.0),
    };
    let m = red.pow2(simd, bias);
    let e1 = if TAIL {
        red.expm1_with_tail(simd, tail)
    } else {
        red.expm1(simd)
    };
    let t = simd.mul_add_f32s(m, e1, m);
    let t_lo = simd.mul_add_f32s(m, e1, simd.sub_f32s(m, t));
    let main = add_log1p_exp(simd, simd.max_f32s(z, zero), a, t, t_lo);
    match tiny {
        None => main,
        Some(tiny) => {
            let far = simd.select_f32s(negative, simd.mul_f32s(t, simd.splat_f32s(SCALE_DOWN)), z);
            simd.select_f32s(tiny, far, main)
        }
    }
}

/// `ln(1 + e^(beta x)) / beta`, `x` where `beta x > threshold`: see the catalogue entry
/// `softplus`.
#[derive(Clone, Copy)]
pub(crate) struct Softplus {
    pub beta: f32,
    pub threshold: f32,
}

impl Softplus {
    #[inline(always)]
    fn eval<S: Simd, const FULL: bool>(self, simd: S, x: S::f32s) -> S::f32s {
        let beta = simd.splat_f32s(self.beta);
        let tiny = FULL.then(|| {
            simd.greater_than_f32s(abs(simd, x), simd.splat_f32s(self.fast_limit_value()))
        });
        // For beta = 1, z is x (no low part) and dividing by 1 is exact: both skipped, the
        // same way on every ISA.
        let (z, sp) = if self.beta == 1.0 {
            (
                x,
                softplus_core::<S, false>(simd, x, simd.splat_f32s(0.0), tiny),
            )
        } else {
            let z = simd.mul_f32s(x, beta);
            let z_lo = simd.mul_add_f32s(x, beta, simd.neg_f32s(z));
            let sp = softplus_core::<S, true>(simd, z, z_lo, tiny);
            (z, simd.div_f32s(sp, beta))
        };
        let linear = simd.greater_than_f32s(z, simd.splat_f32s(self.threshold));
        keep_nan(simd, x, simd.select_f32s(linear, x, sp))
    }
}

impl Softplus {
    /// `|x|` up to which no lane needs the clamp or the scaling: `|beta x|` about 80 or less
    /// (`beta > 0` is checked by the API).
    fn fast_limit_value(self) -> f32 {
        SOFTPLUS_SCALED_BELOW / self.beta
    }
}

impl UnaryOp for Softplus {
    fn fast_limit(self) -> Option<f32> {
        Some(self.fast_limit_value())
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.eval::<S, false>(simd, x)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.eval::<S, true>(simd, x)
    }
}

/// `ln sigmoid(x) = -softplus(-x)`: see the catalogue entry `log_sigmoid`.
#[derive(Clone, Copy)]
pub(crate) struct LogSigmoid;

impl UnaryOp for LogSigmoid {
    fn fast_limit(self) -> Option<f32> {
        Some(SOFTPLUS_SCALED_BELOW)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        simd.neg_f32s(softplus_core::<S, false>(
            simd,
            simd.neg_f32s(x),
            zero,
            None,
        ))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let tiny = simd.greater_than_f32s(abs(simd, x), simd.splat_f32s(SOFTPLUS_SCALED_BELOW));
        let y = simd.neg_f32s(softplus_core::<S, false>(
            simd,
            simd.neg_f32s(x),
            zero,
            Some(tiny),
        ));
        keep_nan(simd, x, y)
    }
}

/// `x tanh(softplus(x))`: see the catalogue entry `mish`.
#[derive(Clone, Copy)]
pub(crate) struct Mish;

impl Mish {
    /// With `e = e^-|x|`: `tanh(softplus(x)) = A/B` with `A = e(e + 2)`, `B = A + 2` for `x <= 0`,
    /// and `1 - A/B` with `A = 2e²`, `B = 1 + 2e + A` for `x > 0`; `e` is carried as the exact
    /// sum `m + m e1` and `A`, `B` as hi + lo sums, so the one compensated division is the last
    /// rounding before the product with `x`.
    #[inline(always)]
    fn eval<S: Simd, const FULL: bool>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let one = simd.splat_f32s(1.0);
        let two = simd.splat_f32s(2.0);
        let positive = simd.greater_than_f32s(x, zero);
        let a = simd.neg_f32s(abs(simd, x));
        let (a, tiny) = if FULL {
            // x > 0 clamps where A/B is 0 to f32; x <= 0 at -120, where x e^x has underflowed,
            // carrying e scaled by 2^64 below -80 so that a subnormal result rounds once.
            let floor = simd.select_f32s(
                positive,
                simd.splat_f32s(-EXP_NORMAL_LIMIT),
                simd.splat_f32s(-LOGISTIC_A_MAX_NEG),
            );
            let a = simd.max_f32s(a, floor);
            let tiny = simd.and_m32s(
                simd.less_than_f32s(a, simd.splat_f32s(-SOFTPLUS_SCALED_BELOW)),
                simd.not_m32s(positive),
            );
            (a, Some(tiny))
        } else {
            (a, None)
        };
        let red = reduce(simd, a);
        let bias = match tiny {
            Some(tiny) => simd.select_u32s(tiny, bits_of(simd, SCALE_UP), bits_of(simd, 1.0)),
            None => bits_of(simd, 1.0),
        };
        let m = red.pow2(simd, bias);
        let (e, e_lo) = fast_two_sum(simd, m, simd.mul_f32s(m, red.expm1(simd)));
        // x <= 0: A = e (e + 2) (e + 2 by Fast2Sum, the product split by an fma).
        let (s, s_lo) = fast_two_sum(simd, two, e);
        let s_lo = simd.add_f32s(s_lo, e_lo);
        let an = simd.mul_f32s(e, s);
        let an_lo = simd.mul_add_f32s(e, s, simd.neg_f32s(an));
        let an_lo = simd.mul_add_f32s(e, s_lo, simd.mul_add_f32s(e_lo, s, an_lo));
        // x > 0: A = 2 e², B = (1 + 2e) + A.
        let e2 = simd.mul_f32s(e, e);
        let e2_lo = simd.mul_add_f32s(e, e, simd.neg_f32s(e2));
        let e2_lo = simd.mul_add_f32s(simd.add_f32s(e, e), e_lo, e2_lo);
        let ap = simd.mul_f32s(e2, two);
        let ap_lo = simd.mul_f32s(e2_lo, two);
        let (num, num_lo) = (
            simd.select_f32s(positive, ap, an),
            simd.select_f32s(positive, ap_lo, an_lo),
        );
        // Both sums by Fast2Sum, exact as 1 has the exponent of 2e < 2, and base (1 + 2e > 2e²,
        // or 2) at least that of num (2e², or e (e + 2) <= 3).
        let (base, base_lo) = fast_two_sum(simd, one, simd.add_f32s(e, e));
        let base = simd.select_f32s(positive, base, two);
        let base_lo = simd.select_f32s(positive, simd.mul_add_f32s(e_lo, two, base_lo), zero);
        let (den, den_err) = fast_two_sum(simd, base, num);
        let den_lo = simd.add_f32s(den_err, simd.add_f32s(base_lo, num_lo));
        let q = div_compensated(simd, (num, num_lo), (den, den_lo));
        match tiny {
            None => {
                let neg = simd.mul_f32s(x, q);
                let pos = simd.mul_add_f32s(simd.neg_f32s(x), q, x);
                simd.select_f32s(positive, pos, neg)
            }
            Some(tiny) => {
                let v = simd.max_f32s(x, simd.splat_f32s(-LOGISTIC_A_MAX_NEG));
                let v = simd.select_f32s(tiny, simd.mul_f32s(v, simd.splat_f32s(SCALE_DOWN)), v);
                let neg = simd.mul_f32s(v, q);
                let pos = simd.mul_add_f32s(simd.neg_f32s(x), q, x);
                let infinite = simd.equal_f32s(x, simd.splat_f32s(f32::INFINITY));
                let y = simd.select_f32s(positive, simd.select_f32s(infinite, x, pos), neg);
                keep_nan(simd, x, y)
            }
        }
    }
}

impl UnaryOp for Mish {
    fn fast_limit(self) -> Option<f32> {
        Some(SOFTPLUS_SCALED_BELOW)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.eval::<S, false>(simd, x)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.eval::<S, true>(simd, x)
    }
}

/// `x sigmoid(1.702 x)`: see the catalogue entry `gelu_sigmoid`.
#[derive(Clone, Copy)]
pub(crate) struct GeluSigmoid;

impl GeluSigmoid {
    const SWISH: Swish = Swish {
        beta: GELU_SIGMOID_BETA,
    };
}

impl UnaryOp for GeluSigmoid {
    fn fast_limit(self) -> Option<f32> {
        Self::SWISH.fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::SWISH.fast(simd, x)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        Self::SWISH.full(simd, x)
    }
}

/// `x / (1 + |x|)`: see the catalogue entry `softsign`.
#[derive(Clone, Copy)]
pub(crate) struct Softsign;

impl UnaryOp for Softsign {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let a = simd.min_f32s(abs(simd, x), simd.splat_f32s(SOFTSIGN_SATURATION));
        let den = two_sum(simd, simd.splat_f32s(1.0), a);
        let q = div_compensated(simd, (a, simd.splat_f32s(0.0)), den);
        keep_nan(simd, x, with_sign_of(simd, q, x))
    }
}
