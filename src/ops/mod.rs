//! Activation bodies, each written once over `pulp::Simd`, and the loops that apply them.

mod unary;

pub(crate) use unary::*;

use pulp::{Simd, WithSimd};

use crate::element::{Element, block_len, load_tail, store_tail};
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

/// `op` on a block of vectors: `fast` when the whole block is within its bound, else `full`
/// (one range check per block keeps the vectors in one basic block, so the compiler can
/// interleave their evaluations).
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

/// `out[i] = op(x[i])`: whole blocks of two vectors, then the tail through a zero-padded block
/// of the same body.
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
        let n = block_len::<S>();
        let mut src = self.x.chunks_exact(n);
        let mut dst = self.out.chunks_exact_mut(n);
        for (x, out) in (&mut src).zip(&mut dst) {
            T::store_block(simd, out, eval_block(simd, op, T::load_block(simd, x)));
        }
        let (x, out) = (src.remainder(), dst.into_remainder());
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
        let mut blocks = self.x.chunks_exact_mut(block_len::<S>());
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
