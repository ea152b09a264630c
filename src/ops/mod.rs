//! Activation bodies, each written once over `pulp::Simd`, and the loops that apply them.

mod unary;

pub(crate) use unary::*;

use pulp::{Simd, WithSimd};

use crate::element::Element;

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
        let mut src = self.x.chunks_exact(lanes);
        let mut dst = self.out.chunks_exact_mut(lanes);
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
        let mut chunks = self.x.chunks_exact_mut(lanes);
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
