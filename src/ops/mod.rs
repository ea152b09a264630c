//! Activation bodies, each written once over `pulp::Simd`, and the loops that apply them.

mod unary;

pub(crate) use unary::*;

use pulp::{Simd, WithSimd};

use crate::element::Element;

/// Vectors per main-loop iteration: independent evaluations the core can overlap.
const UNROLL: usize = 4;

/// Stores `UNROLL` vectors to consecutive `S::F32_LANES`-element chunks of `out`.
#[inline(always)]
fn store_block<S: Simd, T: Element>(simd: S, out: &mut [T], y: [S::f32s; UNROLL]) {
    let lanes = S::F32_LANES;
    let (o0, o1) = out.split_at_mut(2 * lanes);
    let ((a, b), (c, d)) = (o0.split_at_mut(lanes), o1.split_at_mut(lanes));
    T::store(simd, a, y[0]);
    T::store(simd, b, y[1]);
    T::store(simd, c, y[2]);
    T::store(simd, d, y[3]);
}

/// An elementwise op on f32 lanes. Every ISA (and every slice tail) runs this same body.
pub(crate) trait UnaryOp: Copy + Send + Sync {
    fn eval<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s;
}

/// `out[i] = op(x[i])`: full vectors, then the tail through partial loads/stores of the same body.
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
            let (x0, x1) = x.split_at(2 * lanes);
            let (x0, x2) = (x0.split_at(lanes), x1.split_at(lanes));
            let y = [
                op.eval(simd, T::load(simd, x0.0)),
                op.eval(simd, T::load(simd, x0.1)),
                op.eval(simd, T::load(simd, x2.0)),
                op.eval(simd, T::load(simd, x2.1)),
            ];
            store_block(simd, out, y);
        }
        let mut src = src.remainder().chunks_exact(lanes);
        let mut dst = dst.into_remainder().chunks_exact_mut(lanes);
        for (x, out) in (&mut src).zip(&mut dst) {
            T::store(simd, out, op.eval(simd, T::load(simd, x)));
        }
        let (x, out) = (src.remainder(), dst.into_remainder());
        if !x.is_empty() {
            T::store_partial(simd, out, op.eval(simd, T::load_partial(simd, x)));
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
            let (x0, x1) = x.split_at(2 * lanes);
            let (x0, x2) = (x0.split_at(lanes), x1.split_at(lanes));
            let y = [
                op.eval(simd, T::load(simd, x0.0)),
                op.eval(simd, T::load(simd, x0.1)),
                op.eval(simd, T::load(simd, x2.0)),
                op.eval(simd, T::load(simd, x2.1)),
            ];
            store_block(simd, x, y);
        }
        let mut chunks = blocks.into_remainder().chunks_exact_mut(lanes);
        for x in &mut chunks {
            let y = op.eval(simd, T::load(simd, x));
            T::store(simd, x, y);
        }
        let tail = chunks.into_remainder();
        if !tail.is_empty() {
            let y = op.eval(simd, T::load_partial(simd, tail));
            T::store_partial(simd, tail, y);
        }
    }
}
