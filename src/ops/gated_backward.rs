//! Backward passes of the gated ops, `out = act(gate) · up`: from `grad_out`, one pass writes
//! `grad_gate = grad_out · up · act'(gate)` and `grad_up = grad_out · act(gate)`.
//!
//! `act` and `act'` come as a pair ([`ActDerivative`]); for the logistic gates (GLU, SwiGLU)
//! both from one exponential. `up · grad_out` is taken as an exact pair, so `grad_gate` rounds
//! once more than `act'` and `grad_up` once more than `act`.

use pulp::{Simd, WithSimd};

use crate::catalogue::consts::{GELU_TANH_FAST_LIMIT, LOGISTIC_A_MAX_NEG, LOGISTIC_FAST_LIMIT};
use crate::element::{Blocks, Element, block_len, load_tail, store_tail};
use crate::math::bits::{abs, canonical_nan, keep_nan};
use crate::math::divide::two_sum;
use crate::ops::{
    DGelu, DRelu, Gelu, GeluTanh, Relu, Silu, Swish, UnaryOp, all_within, gelu_tanh_logistic_pair,
    logistic_derivative, logistic_pair, range, swish_logistic_pair,
};

/// An activation with its derivative: `(act(x), act'(x))`.
pub(crate) trait ActDerivative: Copy + Send + Sync {
    /// The bound on `|x|` within which [`ActDerivative::fast`] is valid.
    fn fast_limit(self) -> Option<f32>;

    /// The pair for lanes within [`ActDerivative::fast_limit`]: the same bits as `full` there.
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s);

    /// The pair for any input.
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s);
}

/// A unary body and its derivative body, evaluated apart.
#[derive(Clone, Copy)]
pub(crate) struct Apart<A, D>(pub A, pub D);

impl<A: UnaryOp, D: UnaryOp> ActDerivative for Apart<A, D> {
    fn fast_limit(self) -> Option<f32> {
        Some(self.0.fast_limit()?.min(self.1.fast_limit()?))
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        (self.0.fast(simd, x), self.1.fast(simd, x))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        (self.0.full(simd, x), self.1.full(simd, x))
    }
}

/// `(relu(x), relu'(x))` by the unary bodies; for finite gates (the fast limit is `f32::MAX`)
/// the derivative without its NaN care, so that blocks of finite operands take the plain
/// products of [`GatedBackwardOp::finite`].
#[derive(Clone, Copy)]
pub(crate) struct ReluPair;

impl ActDerivative for ReluPair {
    fn fast_limit(self) -> Option<f32> {
        Some(f32::MAX)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        (Relu.full(simd, x), DRelu.on_numbers(simd, x))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        (Relu.full(simd, x), DRelu.full(simd, x))
    }
}

/// The full pair's activation: `x · sigma` where `|r| <= bound` (the range in which that product
/// carries the activation's bits), else `body` (the unary body, exact where `sigma` is
/// subnormal); a NaN `x` comes out of the derivative `d` as it is.
#[inline(always)]
fn full_pair<S: Simd>(
    simd: S,
    x: S::f32s,
    (sigma, d): (S::f32s, S::f32s),
    (r, bound): (S::f32s, f32),
    body: S::f32s,
) -> (S::f32s, S::f32s) {
    let inside = simd.less_than_or_equal_f32s(abs(simd, r), simd.splat_f32s(bound));
    let a = simd.select_f32s(inside, simd.mul_f32s(x, sigma), body);
    (a, keep_nan(simd, x, d))
}

/// `(sigmoid(x), sigmoid'(x))` from one exponential (`sigmoid(-|x|)` by the logistic core).
#[derive(Clone, Copy)]
pub(crate) struct SigmoidPair;

impl ActDerivative for SigmoidPair {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        logistic_pair(simd, x, None, range(false))
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        let (s, d) = logistic_pair(simd, x, None, range(true));
        (keep_nan(simd, x, s), keep_nan(simd, x, d))
    }
}

/// `(silu(x), silu'(x))` from one exponential: `x · sigmoid(x)` and the silu derivative's
/// bracket form; beyond |x| = 64, where `sigmoid(x)` may be subnormal, the silu body.
#[derive(Clone, Copy)]
pub(crate) struct SiluPair;

impl SiluPair {
    /// `(sigmoid(x), silu'(x))`.
    #[inline(always)]
    fn eval<S: Simd>(simd: S, x: S::f32s, full: bool) -> (S::f32s, S::f32s) {
        logistic_derivative(simd, (x, None), (x, None), -LOGISTIC_A_MAX_NEG, full)
    }
}

impl ActDerivative for SiluPair {
    fn fast_limit(self) -> Option<f32> {
        Some(LOGISTIC_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        let (sigma, d) = Self::eval(simd, x, false);
        (simd.mul_f32s(x, sigma), d)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        let pair = Self::eval(simd, x, true);
        full_pair(simd, x, pair, (x, LOGISTIC_FAST_LIMIT), Silu.full(simd, x))
    }
}

/// `(gelu_tanh(x), gelu_tanh'(x))` from one logistic core: `x · sigmoid(u)` and the
/// derivative's bracket form; beyond |x| = 8.8 (the fast limit) the gelu_tanh body.
#[derive(Clone, Copy)]
pub(crate) struct GeluTanhPair;

impl ActDerivative for GeluTanhPair {
    fn fast_limit(self) -> Option<f32> {
        Some(GELU_TANH_FAST_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        let (sigma, d) = gelu_tanh_logistic_pair(simd, x, false);
        (simd.mul_f32s(x, sigma), d)
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> (S::f32s, S::f32s) {
        let pair = gelu_tanh_logistic_pair(simd, x, true);
        full_pair(
            simd,
            x,
            pair,
            (x, GELU_TANH_FAST_LIMIT),
            GeluTanh.full(simd, x),
        )
    }
}

/// `a · (p + p_lo)` with `p + p_lo = up · grad` exactly (0 for the low part where the product
/// overflows), NaNs as in the forward products: a NaN `a` first, then `up`, then `grad`; `0 ·
/// inf` gives the positive quiet NaN.
#[inline(always)]
fn times_product<S: Simd>(simd: S, a: S::f32s, up: S::f32s, grad: S::f32s) -> S::f32s {
    let p = simd.mul_f32s(up, grad);
    let p_lo = simd.mul_add_f32s(up, grad, simd.neg_f32s(p));
    let finite = simd.less_than_or_equal_f32s(abs(simd, p), simd.splat_f32s(f32::MAX));
    let p_lo = simd.select_f32s(finite, p_lo, simd.splat_f32s(0.0));
    let y = canonical_nan(simd, simd.mul_add_f32s(a, p, simd.mul_f32s(a, p_lo)));
    keep_nan(simd, a, keep_nan(simd, up, keep_nan(simd, grad, y)))
}

/// [`times_product`] where `a` and `up · grad` are finite: no NaN can arise and the low part
/// is exact, so the same bits without the NaN and overflow care.
#[inline(always)]
fn times_finite_product<S: Simd>(simd: S, a: S::f32s, up: S::f32s, grad: S::f32s) -> S::f32s {
    let p = simd.mul_f32s(up, grad);
    let p_lo = simd.mul_add_f32s(up, grad, simd.neg_f32s(p));
    simd.mul_add_f32s(a, p, simd.mul_f32s(a, p_lo))
}

/// Whether `up · grad` is finite in every lane of a block (so `up` and `grad` are finite too).
#[inline(always)]
fn products_finite<S: Simd>(simd: S, up: &[S::f32s; 2], grad: &[S::f32s; 2]) -> bool {
    let p = [simd.mul_f32s(up[0], grad[0]), simd.mul_f32s(up[1], grad[1])];
    all_within(simd, &p, f32::MAX)
}

/// `a · grad`, NaNs as in [`times_product`].
#[inline(always)]
fn times_grad<S: Simd>(simd: S, a: S::f32s, grad: S::f32s) -> S::f32s {
    let y = canonical_nan(simd, simd.mul_f32s(a, grad));
    keep_nan(simd, a, keep_nan(simd, grad, y))
}

/// A gated backward body: `(grad_gate, grad_up)` from `(gate, up, grad_out)`.
pub(crate) trait GatedBackwardOp: Copy + Send + Sync {
    /// The bound on `|gate|` within which [`GatedBackwardOp::fast`] is valid.
    fn fast_limit(self) -> Option<f32>;

    /// The op for gates within [`GatedBackwardOp::fast_limit`]: the same bits as `full` there.
    fn fast<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s);

    /// The op for any input.
    fn full<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s);

    /// The op for gates within [`GatedBackwardOp::fast_limit`] and a finite `up · grad`: the
    /// same bits as `full` there, by default those of `fast`.
    #[inline(always)]
    fn finite<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s) {
        self.fast(simd, gate, up, grad)
    }
}

/// `out = act(gate) · up`: `grad_gate = act'(gate) · (up · grad)`, `grad_up = act(gate) · grad`.
#[derive(Clone, Copy)]
pub(crate) struct TimesBackward<P>(pub P);

impl<P: ActDerivative> GatedBackwardOp for TimesBackward<P> {
    fn fast_limit(self) -> Option<f32> {
        self.0.fast_limit()
    }

    #[inline(always)]
    fn fast<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s) {
        let (a, d) = self.0.fast(simd, gate);
        (times_product(simd, d, up, grad), times_grad(simd, a, grad))
    }

    #[inline(always)]
    fn full<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s) {
        let (a, d) = self.0.full(simd, gate);
        (times_product(simd, d, up, grad), times_grad(simd, a, grad))
    }

    /// `act` and `act'` are finite within the fast limit, and so are `up` and `grad` when their
    /// product is: no NaN can arise.
    #[inline(always)]
    fn finite<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s) {
        let (a, d) = self.0.fast(simd, gate);
        (
            times_finite_product(simd, d, up, grad),
            simd.mul_f32s(a, grad),
        )
    }
}

/// Backward of `glu`.
pub(crate) const GLU_BACKWARD: TimesBackward<SigmoidPair> = TimesBackward(SigmoidPair);
/// Backward of `swiglu`.
pub(crate) const SWIGLU_BACKWARD: TimesBackward<SiluPair> = TimesBackward(SiluPair);
/// Backward of `geglu`.
pub(crate) const GEGLU_BACKWARD: TimesBackward<Apart<Gelu, DGelu>> =
    TimesBackward(Apart(Gelu, DGelu));
/// Backward of `geglu_tanh`.
pub(crate) const GEGLU_TANH_BACKWARD: TimesBackward<GeluTanhPair> = TimesBackward(GeluTanhPair);
/// Backward of `reglu`.
pub(crate) const REGLU_BACKWARD: TimesBackward<ReluPair> = TimesBackward(ReluPair);

/// Backward of GPT-OSS's clamped SwiGLU `swish_alpha(g) (u + 1)`, `g = min(gate, limit)`, `u =
/// clamp(up, -limit, limit)`: `grad_gate = swish'(g) · ((u + 1) · grad)` where `gate <= limit`
/// (else 0), `grad_up = swish(g) · grad` where `|up| <= limit` (else 0), PyTorch's convention
/// for clamps (the bounds count as inside). `u + 1` is an exact two-sum whose parts enter the
/// product as one value rounded once.
#[derive(Clone, Copy)]
pub(crate) struct SwigluOaiBackward {
    pub alpha: f32,
    pub limit: f32,
}

impl SwigluOaiBackward {
    #[inline(always)]
    fn finish<S: Simd>(
        self,
        simd: S,
        (gate, up, grad): (S::f32s, S::f32s, S::f32s),
        (a, d): (S::f32s, S::f32s),
    ) -> (S::f32s, S::f32s) {
        let limit = simd.splat_f32s(self.limit);
        let zero = simd.splat_f32s(0.0);
        // The lower bound first, as PyTorch's clamp (and the forward).
        let neg = simd.neg_f32s(limit);
        let u = simd.select_f32s(simd.less_than_f32s(up, neg), neg, up);
        let u = simd.select_f32s(simd.greater_than_f32s(u, limit), limit, u);
        let (s, s_lo) = two_sum(simd, u, simd.splat_f32s(1.0));
        let p = simd.mul_f32s(s, grad);
        let p_lo = simd.mul_add_f32s(s, grad, simd.neg_f32s(p));
        let finite = simd.less_than_or_equal_f32s(abs(simd, p), simd.splat_f32s(f32::MAX));
        let p_lo = simd.select_f32s(finite, simd.mul_add_f32s(s_lo, grad, p_lo), zero);
        let dg = canonical_nan(simd, simd.mul_add_f32s(d, p, simd.mul_f32s(d, p_lo)));
        let dg = keep_nan(simd, d, keep_nan(simd, up, keep_nan(simd, grad, dg)));
        let dg = simd.select_f32s(simd.greater_than_f32s(gate, limit), zero, dg);
        let du = times_grad(simd, a, grad);
        let du = simd.select_f32s(simd.greater_than_f32s(abs(simd, up), limit), zero, du);
        (dg, keep_nan(simd, up, du))
    }

    #[inline(always)]
    fn gate<S: Simd>(self, simd: S, gate: S::f32s) -> S::f32s {
        let limit = simd.splat_f32s(self.limit);
        simd.select_f32s(simd.greater_than_f32s(gate, limit), limit, gate)
    }

    /// `(swish(g), swish'(g))` for the clamped gate `g` from one logistic core: `g ·
    /// sigmoid(alpha g)` where `|alpha g| <= 64`; beyond (`full` only) the swish body, which
    /// stays exact where `sigmoid(alpha g)` is subnormal.
    #[inline(always)]
    fn pair<S: Simd>(self, simd: S, g: S::f32s, full: bool) -> (S::f32s, S::f32s) {
        let (z, sigma, d) = swish_logistic_pair(simd, g, self.alpha, full);
        if !full {
            return (simd.mul_f32s(g, sigma), d);
        }
        let body = Swish { beta: self.alpha }.full(simd, g);
        full_pair(simd, g, (sigma, d), (z, LOGISTIC_FAST_LIMIT), body)
    }
}

impl GatedBackwardOp for SwigluOaiBackward {
    /// The largest `l` with `|alpha l| <= 64` after rounding, for a finite `limit >= -l` (as
    /// the forward): gates within `±l` stay within `±l` when clamped, so they take the logistic
    /// core's fast range and the product `g · sigmoid(alpha g)`; none for `alpha` 0 or NaN.
    fn fast_limit(self) -> Option<f32> {
        let alpha = self.alpha.abs();
        let mut l = LOGISTIC_FAST_LIMIT / alpha;
        if !l.is_finite() {
            return None;
        }
        while l * alpha > LOGISTIC_FAST_LIMIT {
            l = l.next_down();
        }
        (self.limit.is_finite() && self.limit >= -l).then_some(l)
    }

    #[inline(always)]
    fn fast<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s) {
        let pair = self.pair(simd, self.gate(simd, gate), false);
        self.finish(simd, (gate, up, grad), pair)
    }

    #[inline(always)]
    fn full<S: Simd>(
        self,
        simd: S,
        gate: S::f32s,
        up: S::f32s,
        grad: S::f32s,
    ) -> (S::f32s, S::f32s) {
        let pair = self.pair(simd, self.gate(simd, gate), true);
        self.finish(simd, (gate, up, grad), pair)
    }
}

/// A backward body on a block: `finite` when every gate is within its bound and every `up ·
/// grad` finite, `fast` when only the gates are, else `full`.
#[inline(always)]
fn eval_block<S: Simd, Op: GatedBackwardOp>(
    simd: S,
    op: Op,
    gate: [S::f32s; 2],
    up: [S::f32s; 2],
    grad: [S::f32s; 2],
) -> ([S::f32s; 2], [S::f32s; 2]) {
    let (g0, u0, g1, u1) = match op.fast_limit() {
        Some(limit) if all_within(simd, &gate, limit) => {
            if products_finite(simd, &up, &grad) {
                let (g0, u0) = op.finite(simd, gate[0], up[0], grad[0]);
                let (g1, u1) = op.finite(simd, gate[1], up[1], grad[1]);
                (g0, u0, g1, u1)
            } else {
                let (g0, u0) = op.fast(simd, gate[0], up[0], grad[0]);
                let (g1, u1) = op.fast(simd, gate[1], up[1], grad[1]);
                (g0, u0, g1, u1)
            }
        }
        _ => {
            let (g0, u0) = op.full(simd, gate[0], up[0], grad[0]);
            let (g1, u1) = op.full(simd, gate[1], up[1], grad[1]);
            (g0, u0, g1, u1)
        }
    };
    ([g0, g1], [u0, u1])
}

/// The operands of one backward loop over equally long slices.
pub(crate) struct BackwardSlices<'a, T> {
    pub gate: &'a [T],
    pub up: &'a [T],
    pub grad: &'a [T],
    pub grad_gate: &'a mut [T],
    pub grad_up: &'a mut [T],
}

/// The backward loop over equally long slices, planned by `Blocks` as the forward loops (the
/// head aligns `grad_gate`); head and tail through the same body.
#[inline(always)]
fn backward_slices<S: Simd, T: Element, Op: GatedBackwardOp>(
    simd: S,
    op: Op,
    s: BackwardSlices<'_, T>,
) {
    let n = block_len::<S>();
    let dsts = [s.grad_gate.as_ptr().addr(), s.grad_up.as_ptr().addr()];
    let srcs = [s.gate, s.up, s.grad].map(|x| x.as_ptr().addr());
    let blocks = Blocks::new::<S, T, 2, 3>(s.grad.len(), dsts, srcs);
    for r in blocks.partials() {
        if !r.is_empty() {
            let (dg, du) = eval_block(
                simd,
                op,
                load_tail(simd, &s.gate[r.clone()]),
                load_tail(simd, &s.up[r.clone()]),
                load_tail(simd, &s.grad[r.clone()]),
            );
            store_tail(simd, &mut s.grad_gate[r.clone()], dg);
            store_tail(simd, &mut s.grad_up[r], du);
        }
    }
    for i in blocks.starts() {
        let r = i..i + n;
        let (dg, du) = eval_block(
            simd,
            op,
            T::load_block(simd, &s.gate[r.clone()]),
            T::load_block(simd, &s.up[r.clone()]),
            T::load_block(simd, &s.grad[r.clone()]),
        );
        T::store_block(simd, &mut s.grad_gate[r.clone()], dg);
        T::store_block(simd, &mut s.grad_up[r], du);
    }
}

/// The backward pass over separate slices (lengths checked by the caller).
pub(crate) struct MapGatedBackward<'a, T, Op> {
    pub op: &'a Op,
    pub slices: BackwardSlices<'a, T>,
}

impl<T: Element, Op: GatedBackwardOp> WithSimd for MapGatedBackward<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        backward_slices(simd, *self.op, self.slices);
    }
}

/// The backward pass over rows `[gate(width) | up(width)]` with `grad_out` rows of `width`,
/// writing rows `[grad_gate | grad_up]` (sizes checked by the caller; `width > 0`).
pub(crate) struct MapGatedRowsBackward<'a, T, Op> {
    pub op: &'a Op,
    pub gate_up: &'a [T],
    pub width: usize,
    pub grad: &'a [T],
    pub grad_gate_up: &'a mut [T],
}

impl<T: Element, Op: GatedBackwardOp> WithSimd for MapGatedRowsBackward<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let w = self.width;
        let rows = self
            .gate_up
            .chunks_exact(2 * w)
            .zip(self.grad.chunks_exact(w))
            .zip(self.grad_gate_up.chunks_exact_mut(2 * w));
        for ((row, grad), out) in rows {
            let (gate, up) = row.split_at(w);
            let (grad_gate, grad_up) = out.split_at_mut(w);
            let slices = BackwardSlices {
                gate,
                up,
                grad,
                grad_gate,
                grad_up,
            };
            backward_slices(simd, *self.op, slices);
        }
    }
}
