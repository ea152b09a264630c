//! Activation bodies, each written once over `pulp::Simd`, and the loops that apply them.

mod derivative;
mod derivative_gauss;
mod derivative_mish;
mod exponential;
mod gated;
mod gated_backward;
mod piecewise;
mod prelu_backward;
mod rational;
mod rational_backward;
mod row_dot;
mod scaled;
mod softmax;
mod softmax_backward;
mod unary;

pub(crate) use derivative::*;
pub(crate) use derivative_gauss::*;
pub(crate) use derivative_mish::*;
pub(crate) use exponential::*;
pub(crate) use gated::*;
pub(crate) use gated_backward::*;
pub(crate) use piecewise::*;
pub(crate) use prelu_backward::*;
pub(crate) use rational::*;
pub(crate) use rational_backward::*;
pub(crate) use row_dot::*;
pub(crate) use scaled::*;
pub(crate) use softmax::*;
pub(crate) use softmax_backward::*;
pub(crate) use unary::*;

use pulp::{Simd, WithSimd};

use crate::element::{Blocks, Element, block_len, load_tail, store_tail};
use crate::math::bits::abs;
use crate::shim::deinterleave;

/// An elementwise op on f32 lanes. Every ISA (and every slice tail) runs these same bodies.
pub(crate) trait UnaryOp: Copy + Send + Sync {
    /// The bound within which [`UnaryOp::fast`] is valid: a block of vectors whose lanes all have
    /// `|x| <= limit` takes `fast`, any other block (NaN included) `full`. `None`: no fast path.
    fn fast_limit(self) -> Option<f32> {
        None
    }

    /// The op for lanes within [`UnaryOp::fast_limit`]: the same bits as `full` there.
    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.full(simd, x)
    }

    /// The op for any input.
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s;

    /// The op for lanes that are numbers: the same bits as `full` there, any value where `x` is
    /// NaN (the caller checks for NaN once per block). By default `full` itself.
    #[inline(always)]
    fn on_numbers<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        self.full(simd, x)
    }

    /// [`UnaryOp::fast`] on a block of vectors, lane for lane the same bits; an op whose body
    /// is a runtime-length loop overrides it to step all vectors in lockstep.
    #[inline(always)]
    fn fast_block<S: Simd, const N: usize>(self, simd: S, x: [S::f32s; N]) -> [S::f32s; N] {
        let mut y = x;
        for yi in &mut y {
            *yi = self.fast(simd, *yi);
        }
        y
    }
}

/// Whether every lane of every vector of `x` has `|x| <= limit` (false on NaN).
#[inline(always)]
pub(crate) fn all_within<S: Simd, const N: usize>(simd: S, x: &[S::f32s; N], limit: f32) -> bool {
    let limit = simd.splat_f32s(limit);
    let mut inside = simd.less_than_or_equal_f32s(abs(simd, x[0]), limit);
    for &xi in &x[1..] {
        inside = simd.and_m32s(inside, simd.less_than_or_equal_f32s(abs(simd, xi), limit));
    }
    bytemuck::bytes_of(&simd.not_m32s(inside))
        .iter()
        .all(|&b| b == 0)
}

/// Whether no lane of `x` is NaN, by one comparison: the sum of the vectors is NaN wherever one
/// of them is (and where infinities of opposite signs meet, a false alarm that only sends the
/// block down the exact path).
#[inline(always)]
pub(crate) fn all_numbers<S: Simd, const N: usize>(simd: S, x: &[S::f32s; N]) -> bool {
    let mut sum = x[0];
    for &xi in &x[1..] {
        sum = simd.add_f32s(sum, xi);
    }
    bytemuck::bytes_of(&simd.not_m32s(simd.equal_f32s(sum, sum)))
        .iter()
        .all(|&b| b == 0)
}

/// `op` on a block of vectors: `fast` when the whole block is within its bound, else `full`
/// (one range check per block keeps the vectors in one basic block, so the compiler can
/// interleave their evaluations).
#[inline(always)]
fn eval_block<S: Simd, Op: UnaryOp, const N: usize>(
    simd: S,
    op: Op,
    x: [S::f32s; N],
) -> [S::f32s; N] {
    match op.fast_limit() {
        Some(limit) if all_within(simd, &x, limit) => op.fast_block(simd, x),
        _ => {
            let mut y = x;
            for yi in &mut y {
                *yi = op.full(simd, *yi);
            }
            y
        }
    }
}

/// `op` on each pair of whole blocks, in the iterator's order.
#[inline(always)]
fn map_blocks<'a, S: Simd, T: Element, Op: UnaryOp>(
    simd: S,
    op: Op,
    blocks: impl Iterator<Item = (&'a [T], &'a mut [T])>,
) {
    for (x, out) in blocks {
        T::store_block(simd, out, eval_block(simd, op, T::load_block(simd, x)));
    }
}

/// `out[i] = op(x[i])`: whole blocks of two vectors and the partial head and tail through
/// zero-padded blocks of the same body, as [`Blocks`] plans them.
pub(crate) struct MapOutOfPlace<'a, T, Op> {
    pub op: &'a Op,
    pub x: &'a [T],
    pub out: &'a mut [T],
}

impl<T: Element, Op: UnaryOp> WithSimd for MapOutOfPlace<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let (op, x, out) = (*self.op, self.x, self.out);
        let n = block_len::<S>();
        let blocks = Blocks::new::<S, T, 1, 1>(x.len(), [out.as_ptr().addr()], [x.as_ptr().addr()]);
        for r in blocks.partials() {
            if !r.is_empty() {
                let y = eval_block(simd, op, load_tail(simd, &x[r.clone()]));
                store_tail(simd, &mut out[r], y);
            }
        }
        let whole = blocks.whole.clone();
        let pairs = x[whole.clone()]
            .chunks_exact(n)
            .zip(out[whole].chunks_exact_mut(n));
        if blocks.backward {
            map_blocks(simd, op, pairs.rev());
        } else {
            map_blocks(simd, op, pairs);
        }
    }
}

/// `x[i] = op(x[i])`, with the same loop shape as [`MapOutOfPlace`].
pub(crate) struct MapInPlace<'a, T, Op> {
    pub op: &'a Op,
    pub x: &'a mut [T],
}

impl<T: Element, Op: UnaryOp> WithSimd for MapInPlace<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let (op, x) = (*self.op, self.x);
        let n = block_len::<S>();
        let blocks = Blocks::new::<S, T, 1, 0>(x.len(), [x.as_ptr().addr()], []);
        for r in blocks.partials() {
            if !r.is_empty() {
                let y = eval_block(simd, op, load_tail(simd, &x[r.clone()]));
                store_tail(simd, &mut x[r], y);
            }
        }
        for x in x[blocks.whole].chunks_exact_mut(n) {
            let y = eval_block(simd, op, T::load_block(simd, x));
            T::store_block(simd, x, y);
        }
    }
}

/// A gated op on a block: `fast` when every gate (and up, if the op bounds it) is within its
/// bound, else `full`.
#[inline(always)]
pub(crate) fn eval_gated<S: Simd, Op: GatedOp>(
    simd: S,
    op: Op,
    gate: [S::f32s; 2],
    up: [S::f32s; 2],
) -> [S::f32s; 2] {
    let up_within = match op.up_limit() {
        Some(limit) => all_within(simd, &up, limit),
        None => true,
    };
    match op.fast_limit() {
        Some(limit) if up_within && all_within(simd, &gate, limit) => op.fast_block(simd, gate, up),
        _ => op.full_block(simd, gate, up),
    }
}

/// `out[i] = op(gate[i], up[i])` over equally long slices (in place for `GateSlice::InPlace`),
/// planned by [`Blocks`] as [`MapOutOfPlace`]. Called once per row by the row layout.
#[inline(always)]
fn gated_slices<S: Simd, T: Element, Op: GatedOp>(
    simd: S,
    op: Op,
    gate: &mut GateSlice<'_, T>,
    up: &[T],
) {
    let n = block_len::<S>();
    let srcs = [gate.src().as_ptr().addr(), up.as_ptr().addr()];
    let blocks = Blocks::new::<S, T, 1, 2>(up.len(), [gate.dst().as_ptr().addr()], srcs);
    for r in blocks.partials() {
        if !r.is_empty() {
            let g = load_tail(simd, &gate.src()[r.clone()]);
            let u = load_tail(simd, &up[r.clone()]);
            store_tail(simd, &mut gate.dst()[r], eval_gated(simd, op, g, u));
        }
    }
    for i in blocks.starts() {
        let g = T::load_block(simd, &gate.src()[i..i + n]);
        let u = T::load_block(simd, &up[i..i + n]);
        T::store_block(simd, &mut gate.dst()[i..i + n], eval_gated(simd, op, g, u));
    }
}

/// Where a gated loop reads its gates and writes its results.
pub(crate) enum GateSlice<'a, T> {
    /// Read `gate`, write `out`.
    Separate { gate: &'a [T], out: &'a mut [T] },
    /// Read and overwrite the gates.
    InPlace(&'a mut [T]),
}

impl<'a, T> GateSlice<'a, T> {
    /// The first `mid` elements and the rest, of both the source and the destination.
    pub(crate) fn split_at(self, mid: usize) -> (GateSlice<'a, T>, GateSlice<'a, T>) {
        match self {
            GateSlice::Separate { gate, out } => {
                let (g0, g1) = gate.split_at(mid);
                let (o0, o1) = out.split_at_mut(mid);
                (
                    GateSlice::Separate { gate: g0, out: o0 },
                    GateSlice::Separate { gate: g1, out: o1 },
                )
            }
            GateSlice::InPlace(g) => {
                let (g0, g1) = g.split_at_mut(mid);
                (GateSlice::InPlace(g0), GateSlice::InPlace(g1))
            }
        }
    }
}

impl<T> GateSlice<'_, T> {
    #[inline(always)]
    pub(crate) fn src(&self) -> &[T] {
        match self {
            GateSlice::Separate { gate, .. } => gate,
            GateSlice::InPlace(g) => g,
        }
    }

    #[inline(always)]
    pub(crate) fn dst(&mut self) -> &mut [T] {
        match self {
            GateSlice::Separate { out, .. } => out,
            GateSlice::InPlace(g) => g,
        }
    }
}

/// A gated op over separate gate and up slices (lengths checked by the caller).
pub(crate) struct MapGated<'a, T, Op> {
    pub op: &'a Op,
    pub gate: GateSlice<'a, T>,
    pub up: &'a [T],
}

impl<T: Element, Op: GatedOp> WithSimd for MapGated<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let mut gate = self.gate;
        gated_slices(simd, *self.op, &mut gate, self.up);
    }
}

/// A gated op over rows `[gate(width) | up(width)]`, writing rows of `width` (sizes checked by
/// the caller; `width > 0`).
pub(crate) struct MapGatedRows<'a, T, Op> {
    pub op: &'a Op,
    pub gate_up: &'a [T],
    pub width: usize,
    pub out: &'a mut [T],
}

impl<T: Element, Op: GatedOp> WithSimd for MapGatedRows<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let w = self.width;
        for (row, out) in self
            .gate_up
            .chunks_exact(2 * w)
            .zip(self.out.chunks_exact_mut(w))
        {
            let (gate, up) = row.split_at(w);
            gated_slices(simd, *self.op, &mut GateSlice::Separate { gate, out }, up);
        }
    }
}

/// A gated op over interleaved pairs `[g0, u0, g1, u1, …]`, writing one result per pair (sizes
/// checked by the caller).
pub(crate) struct MapGatedInterleaved<'a, T, Op> {
    pub op: &'a Op,
    pub gate_up: &'a [T],
    pub out: &'a mut [T],
}

impl<T: Element, Op: GatedOp> WithSimd for MapGatedInterleaved<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let op = *self.op;
        let n = block_len::<S>();
        let mut src = self.gate_up.chunks_exact(2 * n);
        let mut dst = self.out.chunks_exact_mut(n);
        for (pairs, out) in (&mut src).zip(&mut dst) {
            let [g0, u0] = deinterleave(simd, T::load_block(simd, &pairs[..n]));
            let [g1, u1] = deinterleave(simd, T::load_block(simd, &pairs[n..]));
            T::store_block(simd, out, eval_gated(simd, op, [g0, g1], [u0, u1]));
        }
        let (pairs, out) = (src.remainder(), dst.into_remainder());
        if !out.is_empty() {
            let (first, second) = pairs.split_at(pairs.len().min(n));
            let [g0, u0] = deinterleave(simd, load_tail(simd, first));
            let [g1, u1] = deinterleave(simd, load_tail(simd, second));
            store_tail(simd, out, eval_gated(simd, op, [g0, g1], [u0, u1]));
        }
    }
}
