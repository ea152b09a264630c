//! Gate-times-value bodies: `act(gate) · up` in one pass, each activation the unary body of the
//! catalogue, the product rounded once more. The catalogue (`[[gated]]` entries) names them.

use pulp::Simd;

use crate::math::bits::keep_nan;
use crate::math::divide::two_sum;
use crate::ops::UnaryOp;
use crate::ops::unary::{Gelu, GeluTanh, Relu, Sigmoid, Silu, Swish};

/// A gated op on f32 lanes: `out = f(gate, up)`.
pub(crate) trait GatedOp: Copy + Send + Sync {
    /// The bound on `|gate|` within which [`GatedOp::fast`] is valid (as [`UnaryOp::fast_limit`]).
    fn fast_limit(self) -> Option<f32>;

    /// The op for gates within [`GatedOp::fast_limit`]: the same bits as `full` there.
    fn fast<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s;

    /// The op for any input.
    fn full<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s;
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
}

/// `a · up`, except that a NaN `a` comes out as it is: when both factors are NaN, which one a
/// multiplication returns depends on the ISA and on the operand order the compiler picks, and
/// the result must carry the same bits everywhere.
#[inline(always)]
fn times_up<S: Simd>(simd: S, a: S::f32s, up: S::f32s) -> S::f32s {
    keep_nan(simd, a, simd.mul_f32s(a, up))
}

/// `sigmoid(gate) · up`: see the catalogue entry `glu`.
pub(crate) const GLU: Times<Sigmoid> = Times(Sigmoid);
/// `silu(gate) · up`: see the catalogue entry `swiglu`.
pub(crate) const SWIGLU: Times<Silu> = Times(Silu);
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
    /// `swish(g) · (u + 1)` with `u + 1` as an exact hi + lo sum, so the product rounds once.
    #[inline(always)]
    fn finish<S: Simd>(self, simd: S, swish: S::f32s, up: S::f32s) -> S::f32s {
        let limit = simd.splat_f32s(self.limit);
        // Selects, not min/max: NaN passes through on every ISA.
        let up = simd.select_f32s(simd.greater_than_f32s(up, limit), limit, up);
        let neg = simd.neg_f32s(limit);
        let up = simd.select_f32s(simd.less_than_f32s(up, neg), neg, up);
        let (s, s_lo) = two_sum(simd, up, simd.splat_f32s(1.0));
        // A NaN swish wins over a NaN up on every ISA (as in `times_up`).
        keep_nan(
            simd,
            swish,
            simd.mul_add_f32s(swish, s, simd.mul_f32s(swish, s_lo)),
        )
    }

    #[inline(always)]
    fn clamp_gate<S: Simd>(self, simd: S, gate: S::f32s) -> S::f32s {
        let limit = simd.splat_f32s(self.limit);
        simd.select_f32s(simd.greater_than_f32s(gate, limit), limit, gate)
    }
}

impl GatedOp for SwigluOai {
    fn fast_limit(self) -> Option<f32> {
        Swish { beta: self.alpha }.fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        let g = self.clamp_gate(simd, gate);
        let swish = Swish { beta: self.alpha }.fast(simd, g);
        self.finish(simd, swish, up)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, gate: S::f32s, up: S::f32s) -> S::f32s {
        let g = self.clamp_gate(simd, gate);
        let swish = Swish { beta: self.alpha }.full(simd, g);
        self.finish(simd, swish, up)
    }
}
