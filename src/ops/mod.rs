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

use std::ops::Range;

use pulp::{Simd, WithSimd};

use crate::element::{Element, aligned_head, block_len, load_tail, store_tail, stores_last_first};
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

/// `out[i] = op(x[i])`: a head up to the alignment of the output ([`aligned_head`]) and the
/// tail through a zero-padded block of the same body, whole blocks of two vectors between,
/// last to first where the forward order would make the loads wait ([`stores_last_first`]).
pub(crate) struct MapOutOfPlace<'a, T, Op> {
    pub op: &'a Op,
    pub x: &'a [T],
    pub out: &'a mut [T],
}

impl<T: Element, Op: UnaryOp> WithSimd for MapOutOfPlace<'_, T, Op> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let op = *self.op;
        let head = aligned_head::<S, T>(self.out);
        let (x_head, x) = self.x.split_at(head);
        let (out_head, out) = self.out.split_at_mut(head);
        if head > 0 {
            store_tail(
                simd,
                out_head,
                eval_block(simd, op, load_tail(simd, x_head)),
            );
        }
        let n = block_len::<S>();
        let backward = stores_last_first([out.as_ptr().addr()], [x.as_ptr().addr()]);
        let whole = x.len() - x.len() % n;
        let (x, x_tail) = x.split_at(whole);
        let (out, out_tail) = out.split_at_mut(whole);
        let blocks = x.chunks_exact(n).zip(out.chunks_exact_mut(n));
        if backward {
            map_blocks(simd, op, blocks.rev());
        } else {
            map_blocks(simd, op, blocks);
        }
        let (x, out) = (x_tail, out_tail);
        if !x.is_empty() {
            store_tail(simd, out, eval_block(simd, op, load_tail(simd, x)));
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
        let op = *self.op;
        let (head, x) = self.x.split_at_mut(aligned_head::<S, T>(self.x));
        if !head.is_empty() {
            let y = eval_block(simd, op, load_tail(simd, head));
            store_tail(simd, head, y);
        }
        let mut blocks = x.chunks_exact_mut(block_len::<S>());
        for x in &mut blocks {
            let y = eval_block(simd, op, T::load_block(simd, x));
            T::store_block(simd, x, y);
        }
        let tail = blocks.into_remainder();
        if !tail.is_empty() {
            let y = eval_block(simd, op, load_tail(simd, tail));
            store_tail(simd, tail, y);
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
        Some(limit) if up_within && all_within(simd, &gate, limit) => {
            [op.fast(simd, gate[0], up[0]), op.fast(simd, gate[1], up[1])]
        }
        _ => [op.full(simd, gate[0], up[0]), op.full(simd, gate[1], up[1])],
    }
}

/// `out[i] = op(gate[i], up[i])` over equally long slices (in place for `GateSlice::InPlace`),
/// with the loop shape of [`MapOutOfPlace`]: a head up to the output's alignment, the whole
/// blocks in the order [`stores_last_first`] picks, a tail. Called once per row by the row
/// layout.
#[inline(always)]
fn gated_slices<S: Simd, T: Element, Op: GatedOp>(
    simd: S,
    op: Op,
    gate: &mut GateSlice<'_, T>,
    up: &[T],
) {
    let n = block_len::<S>();
    let len = up.len();
    let head = aligned_head::<S, T>(gate.dst());
    let whole = head + (len - head) / n * n;
    if head > 0 {
        gated_partial(simd, op, gate, up, 0..head);
    }
    let addresses = [gate.src().as_ptr().addr(), up.as_ptr().addr()];
    if stores_last_first([gate.dst().as_ptr().addr()], addresses) {
        gated_blocks(simd, op, gate, up, (head..whole).step_by(n).rev());
    } else {
        gated_blocks(simd, op, gate, up, (head..whole).step_by(n));
    }
    if whole < len {
        gated_partial(simd, op, gate, up, whole..len);
    }
}

/// `op` on the elements `range` (shorter than a block) through a zero-padded block.
#[inline(always)]
fn gated_partial<S: Simd, T: Element, Op: GatedOp>(
    simd: S,
    op: Op,
    gate: &mut GateSlice<'_, T>,
    up: &[T],
    range: Range<usize>,
) {
    let g = load_tail(simd, &gate.src()[range.clone()]);
    let u = load_tail(simd, &up[range.clone()]);
    store_tail(simd, &mut gate.dst()[range], eval_gated(simd, op, g, u));
}

/// `op` on the whole blocks of `gate` and `up` that start at `starts`, in that order.
#[inline(always)]
fn gated_blocks<S: Simd, T: Element, Op: GatedOp>(
    simd: S,
    op: Op,
    gate: &mut GateSlice<'_, T>,
    up: &[T],
    starts: impl Iterator<Item = usize>,
) {
    let n = block_len::<S>();
    for i in starts {
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
