//! Gate-times-value bodies: `act(gate) · up` in one pass, each activation the unary body of the
//! catalogue, the product rounded once more. The catalogue (`[[gated]]` entries) names them.

use pulp::Simd;

use crate::catalogue::consts::{
    GATED_UP_FAST_LIMIT, LOGISTIC_FAST_LIMIT, RECIP_LINEAR_C0, RECIP_LINEAR_C1,
};
use crate::math::bits::{abs, bits_of, canonical_nan, keep_nan};
use crate::math::divide::{fast_two_sum, two_sum};
use crate::math::exp::reduce;
use crate::ops::unary::{Gelu, GeluTanh, Relu, Sigmoid, Silu, Swish};
use crate::ops::{UnaryOp, all_numbers};

/// A gated op on f32 lanes: `out = f(gate, up)`.
pub(crate) trait GatedOp: Copy + Send + Sync {
    /// The bound on `|gate|` within which [`GatedOp::fast`] is valid (as [`UnaryOp::fast_limit`]).
    fn fast_limit(self) -> Option<f32>;

    /// The bound on `|up|` that [`GatedOp::fast`] also needs, if any.
    fn up_limit(self) -> Option<f32> {
        None
    }

    /// The op for gates within [`GatedOp::fast_limit`]: the same bits as `full` there.
    fn fast<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s;

    /// The op for any input.
    fn full<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s;

    /// [`GatedOp::fast`] on a block of two vectors, lane for lane the same bits.
    #[inline(always)]
    fn fast_block<S: Simd>(self, simd: S, gate: [S::f32s; 2], up: [S::f32s; 2]) -> [S::f32s; 2] {
        [
            self.fast(simd, gate[0], up[0]),
            self.fast(simd, gate[1], up[1]),
        ]
    }

    /// [`GatedOp::full`] on a block of two vectors, lane for lane the same bits.
    #[inline(always)]
    fn full_block<S: Simd>(self, simd: S, gate: [S::f32s; 2], up: [S::f32s; 2]) -> [S::f32s; 2] {
        [
            self.full(simd, gate[0], up[0]),
            self.full(simd, gate[1], up[1]),
        ]
    }
}

/// `act(gate) · up` for a unary body `act`: its result (within its own budget) times the exact
/// `up`, one more rounding.
#[derive(Clone, Copy)]
pub(crate) struct Times<A>(pub A);

impl<A: UnaryOp> GatedOp for Times<A> {
    fn fast_limit(self) -> Option<f32> {
        self.0.fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        times_up(simd, self.0.fast(simd, gate), up)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        times_up(simd, self.0.full(simd, gate), up)
    }

    /// The plain products when none is NaN (the gates are within the bound, so numbers):
    /// `times_up` would return them unchanged. Else the per-vector path.
    #[inline(always)]
    fn fast_block<S: Simd>(self, simd: S, gate: [S::f32s; 2], up: [S::f32s; 2]) -> [S::f32s; 2] {
        let y = [
            simd.mul_f32s(self.0.fast(simd, gate[0]), up[0]),
            simd.mul_f32s(self.0.fast(simd, gate[1]), up[1]),
        ];
        if all_numbers(simd, &y) {
            return y;
        }
        [
            self.fast(simd, gate[0], up[0]),
            self.fast(simd, gate[1], up[1]),
        ]
    }

    /// The plain products of [`UnaryOp::on_numbers`] when no gate and no product is NaN:
    /// `times_up` would return them unchanged. Else the per-vector path.
    #[inline(always)]
    fn full_block<S: Simd>(self, simd: S, gate: [S::f32s; 2], up: [S::f32s; 2]) -> [S::f32s; 2] {
        let y = [
            simd.mul_f32s(self.0.on_numbers(simd, gate[0]), up[0]),
            simd.mul_f32s(self.0.on_numbers(simd, gate[1]), up[1]),
        ];
        if all_numbers(simd, &[gate[0], gate[1], y[0], y[1]]) {
            return y;
        }
        [
            self.full(simd, gate[0], up[0]),
            self.full(simd, gate[1], up[1]),
        ]
    }
}

/// `a · up`, with NaNs that carry the same bits on every ISA: a NaN `a` comes out as it is, else
/// a NaN `up` as it is (when both factors are NaN, which one a multiplication returns depends on
/// the ISA and on the operand order the compiler picks), and `0 · inf` gives the positive quiet
/// NaN (the ISAs' default NaNs differ in sign).
#[inline(always)]
pub(crate) fn times_up<S: Simd>(simd: S, a: S::f32s, up: S::f32s) -> S::f32s {
    let product = canonical_nan(simd, simd.mul_f32s(a, up));
    keep_nan(simd, a, keep_nan(simd, up, product))
}

/// `sigmoid(gate) · up`: see the catalogue entry `glu`.
pub(crate) const GLU: LeanLogistic<Sigmoid, false> = LeanLogistic(Sigmoid);
/// `silu(gate) · up`: see the catalogue entry `swiglu`.
pub(crate) const SWIGLU: LeanLogistic<Silu, true> = LeanLogistic(Silu);
/// `gelu(gate) · up`: see the catalogue entry `geglu`.
pub(crate) const GEGLU: Times<Gelu> = Times(Gelu);
/// `gelu_tanh(gate) · up`: see the catalogue entry `geglu_tanh`.
pub(crate) const GEGLU_TANH: Times<GeluTanh> = Times(GeluTanh);
/// `relu(gate) · up`: see the catalogue entry `reglu`.
pub(crate) const REGLU: Times<Relu> = Times(Relu);

/// GPT-OSS's clamped SwiGLU: `g = min(gate, limit)`, `u = clamp(up, -limit, limit)`,
/// `g sigmoid(alpha g) (u + 1)`: see the catalogue entry `swiglu_oai`.
#[derive(Clone, Copy)]
pub(crate) struct SwigluOai {
    pub alpha: f32,
    pub limit: f32,
}

impl SwigluOai {
    /// `swish(g) · (u + 1)` with `u + 1` as an exact hi + lo sum, so the product rounds once;
    /// `full`: an infinite factor (a limit that is infinite or NaN lets one through) gives the
    /// plain product, `0 · inf` the positive quiet NaN.
    #[inline(always)]
    fn finish<S: Simd>(self, simd: S, swish: S::f32s, up: S::f32s, full: bool) -> S::f32s {
        let limit = simd.splat_f32s(self.limit);
        // Selects, not min/max: NaN passes through on every ISA.
        // The lower bound first, as PyTorch's clamp: a negative limit gives `limit`.
        let neg = simd.neg_f32s(limit);
        let up = simd.select_f32s(simd.less_than_f32s(up, neg), neg, up);
        let up = simd.select_f32s(simd.greater_than_f32s(up, limit), limit, up);
        let (s, s_lo) = two_sum(simd, up, simd.splat_f32s(1.0));
        // A NaN swish wins over a NaN up, which comes out as it is (as in `times_up`).
        let mut product = simd.mul_add_f32s(swish, s, simd.mul_f32s(swish, s_lo));
        if full {
            let plain = simd.mul_f32s(swish, s);
            let finite = simd.less_than_or_equal_f32s(abs(simd, plain), simd.splat_f32s(f32::MAX));
            product = canonical_nan(simd, simd.select_f32s(finite, product, plain));
        }
        keep_nan(simd, swish, keep_nan(simd, up, product))
    }

    #[inline(always)]
    fn clamp_gate<S: Simd>(self, simd: S, gate: S::f32s) -> S::f32s {
        let limit = simd.splat_f32s(self.limit);
        simd.select_f32s(simd.greater_than_f32s(gate, limit), limit, gate)
    }
}

impl GatedOp for SwigluOai {
    /// The swish body's bound `l`, for a finite `limit >= -l`: then gates within `±l` clamp to
    /// within `±l`, and `up` clamps to a finite value.
    fn fast_limit(self) -> Option<f32> {
        let l = Swish { beta: self.alpha }.fast_limit()?;
        (self.limit.is_finite() && self.limit >= -l).then_some(l)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        let g = self.clamp_gate(simd, gate);
        let swish = Swish { beta: self.alpha }.fast(simd, g);
        self.finish(simd, swish, up, false)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        let g = self.clamp_gate(simd, gate);
        let swish = Swish { beta: self.alpha }.full(simd, g);
        self.finish(simd, swish, up, true)
    }
}

/// `(v + v_lo) · sigmoid(gate)` for `v + v_lo = gate · up` exactly (SwiGLU) or `v = up`,
/// `v_lo = 0` (GLU), for `|gate| <= 64` and `|up| <= 2^64` ("lean" core): `e = e^-|gate|` from
/// the exp core (rounded once), `1 + e` as an exact hi + lo sum, the numerator `v` (or
/// `(v + v_lo) e`, rounded once by an fma, for a negative gate) divided by the hi part with one
/// IEEE division, and the quotient corrected by `(num_lo - q den_lo) / (1 + e)`, with `1/(1 + e)`
/// from a linear estimate (6% off, on a correction under an ULP). Roundings: `e` (damped by
/// `1/(1 + e)` where the gate is positive), the numerator for a negative gate, and the
/// division: under 2 ULP measured (the catalogue budget is 3).
#[inline(always)]
fn lean_logistic<S: Simd>(simd: S, gate: S::f32s, v: S::f32s, v_lo: S::f32s) -> S::f32s {
    let red = reduce(simd, simd.neg_f32s(abs(simd, gate)));
    let m = red.pow2(simd, bits_of(simd, 1.0));
    let e = simd.mul_add_f32s(red.expm1(simd), m, m);
    let (den, den_lo) = fast_two_sum(simd, simd.splat_f32s(1.0), e);
    let negative = simd.less_than_f32s(gate, simd.splat_f32s(0.0));
    let ve = simd.mul_add_f32s(v, e, simd.mul_f32s(v_lo, e));
    let num = simd.select_f32s(negative, ve, v);
    let num_lo = simd.select_f32s(negative, simd.splat_f32s(0.0), v_lo);
    let q = simd.div_f32s(num, den);
    let inv = simd.mul_add_f32s(
        den,
        simd.splat_f32s(-RECIP_LINEAR_C1),
        simd.splat_f32s(RECIP_LINEAR_C0),
    );
    let residual = simd.mul_add_f32s(simd.neg_f32s(q), den_lo, num_lo);
    simd.mul_add_f32s(residual, inv, q)
}

/// Whether every lane of `gate` and `up` is inside the lean core's range (false on NaN).
#[inline(always)]
fn lean_range<S: Simd>(simd: S, gate: S::f32s, up: S::f32s) -> S::m32s {
    simd.and_m32s(
        simd.less_than_or_equal_f32s(abs(simd, gate), simd.splat_f32s(LOGISTIC_FAST_LIMIT)),
        simd.less_than_or_equal_f32s(abs(simd, up), simd.splat_f32s(GATED_UP_FAST_LIMIT)),
    )
}

/// A logistic-gated op with the lean core inside its range and the unary body times `up`
/// outside: SwiGLU (`TIMES_GATE`) and GLU.
#[derive(Clone, Copy)]
pub(crate) struct LeanLogistic<A, const TIMES_GATE: bool>(pub A);

impl<A: UnaryOp, const TIMES_GATE: bool> LeanLogistic<A, TIMES_GATE> {
    #[inline(always)]
    fn lean<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        if TIMES_GATE {
            let v = simd.mul_f32s(gate, up);
            let v_lo = simd.mul_add_f32s(gate, up, simd.neg_f32s(v));
            lean_logistic(simd, gate, v, v_lo)
        } else {
            lean_logistic(simd, gate, up, simd.splat_f32s(0.0))
        }
    }
}

impl<A: UnaryOp, const TIMES_GATE: bool> GatedOp for LeanLogistic<A, TIMES_GATE> {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    fn up_limit(self) -> Option<f32> {
        Some(GATED_UP_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        self.lean(simd, gate, up)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        simd.select_f32s(
            lean_range(simd, gate, up),
            self.lean(simd, gate, up),
            times_up(simd, self.0.full(simd, gate), up),
        )
    }
}
