//! Activation bodies, each written once over `pulp::Simd`, and the loops that apply them.

mod unary;

pub(crate) use unary::*;

use pulp::{Simd, WithSimd};

use crate::element::Element;
use crate::math::bits::abs;

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
}

/// Vectors per main-loop iteration: independent evaluations the core overlaps (one range check
/// per block keeps them in one basic block, so the compiler can interleave them).
const UNROLL: usize = 2;

/// Whether every lane of every vector of `x` has `|x| <= limit` (false on NaN).
#[inline(always)]
fn all_within<S: Simd, const N: usize>(simd: S, x: &[S::f32s; N], limit: f32) -> bool {
    let limit = simd.splat_f32s(limit);
    let mut inside = simd.less_than_or_equal_f32s(abs(simd, x[0]), limit);
    for &xi in &x[1..] {
        inside = simd.and_m32s(inside, simd.less_than_or_equal_f32s(abs(simd, xi), limit));
    }
    bytemuck::bytes_of(&simd.not_m32s(inside))
        .iter()
        .all(|&b| b == 0)
}

/// `op` on a block of vectors: `fast` when the whole block is within its bound, else `full`.
#[inline(always)]
fn eval_block<S: Simd, Op: UnaryOp, const N: usize>(
    simd: S,
    op: Op,
    x: [S::f32s; N],
) -> [S::f32s; N] {
    let mut y = x;
    match op.fast_limit() {
        Some(limit) if all_within(simd, &x, limit) => {
            for yi in &mut y {
                *yi = op.fast(simd, *yi);
            }
        }
        _ => {
            for yi in &mut y {
                *yi = op.full(simd, *yi);
            }
        }
    }
    y
}

/// Loads `N` consecutive vectors.
#[inline(always)]
fn load_block<S: Simd, T: Element, const N: usize>(simd: S, x: &[T]) -> [S::f32s; N] {
    let lanes = S::F32_LANES;
    let mut v = [simd.splat_f32s(0.0); N];
    for (i, vi) in v.iter_mut().enumerate() {
        *vi = T::load(simd, &x[i * lanes..(i + 1) * lanes]);
    }
    v
}

/// Stores `N` vectors to consecutive chunks of `out`.
#[inline(always)]
fn store_block<S: Simd, T: Element, const N: usize>(simd: S, out: &mut [T], y: [S::f32s; N]) {
    let lanes = S::F32_LANES;
    for (i, yi) in y.into_iter().enumerate() {
        T::store(simd, &mut out[i * lanes..(i + 1) * lanes], yi);
    }
}

/// `out[i] = op(x[i])`: blocks of `UNROLL` vectors, single vectors, then the tail through partial
/// loads/stores of the same bodies.
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
        let lanes = S::F32_LANES;
        let mut src = self.x.chunks_exact(UNROLL * lanes);
        let mut dst = self.out.chunks_exact_mut(UNROLL * lanes);
        for (x, out) in (&mut src).zip(&mut dst) {
            store_block(
                simd,
                out,
                eval_block(simd, op, load_block::<S, T, UNROLL>(simd, x)),
            );
        }
        let mut src = src.remainder().chunks_exact(lanes);
        let mut dst = dst.into_remainder().chunks_exact_mut(lanes);
        for (x, out) in (&mut src).zip(&mut dst) {
            store_block(
                simd,
                out,
                eval_block(simd, op, load_block::<S, T, 1>(simd, x)),
            );
        }
        let (x, out) = (src.remainder(), dst.into_remainder());
        if !x.is_empty() {
            let [y] = eval_block(simd, op, [T::load_partial(simd, x)]);
            T::store_partial(simd, out, y);
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
        let lanes = S::F32_LANES;
        let mut blocks = self.x.chunks_exact_mut(UNROLL * lanes);
        for x in &mut blocks {
            let y = eval_block(simd, op, load_block::<S, T, UNROLL>(simd, x));
            store_block(simd, x, y);
        }
        let mut chunks = blocks.into_remainder().chunks_exact_mut(lanes);
        for x in &mut chunks {
            let y = eval_block(simd, op, load_block::<S, T, 1>(simd, x));
            store_block(simd, x, y);
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            let [y] = eval_block(simd, op, [T::load_partial(simd, tail)]);
            T::store_partial(simd, tail, y);
        }
    }
}
