//! The backward pass of PReLU over one reduction chunk: `grad_in = grad_out · (x > 0 ? 1 :
//! alpha)` in f32 lanes, and the slope gradient's terms `x > 0 ? 0 : x · grad_out` added in f64
//! to a row of accumulators (one per position of a row of `width` elements, the virtual lanes of
//! [`crate::reduce`]).

use pulp::{Simd, WithSimd};

use crate::element::{Element, block_len, load_tail, store_tail};
use crate::math::bits::keep_nan;
use crate::ops::{GateSlice, times_up};
use crate::shim::{load_f64, store_f64, widen_f64};

/// `acc[j] += a_j · b_j` in f64 for the lanes of one f32 vector (`acc.len()` of them, at most
/// `S::F32_LANES`). The product of two f32 values is exact in f64, so the fma rounds once, at
/// the addition, on every ISA.
#[inline(always)]
fn add_products<S: Simd>(simd: S, acc: &mut [f64], a: S::f32s, b: S::f32s) {
    let [a0, a1] = widen_f64(simd, a);
    let [b0, b1] = widen_f64(simd, b);
    let mut v = load_f64(simd, acc);
    v[0] = simd.mul_add_f64s(a0, b0, v[0]);
    v[1] = simd.mul_add_f64s(a1, b1, v[1]);
    store_f64::<S>(acc, v);
}

/// One block: returns `grad_in` and adds the slope terms into `acc` (`acc.len()` lanes of the
/// block are real; `x`, `g` are zero beyond them).
#[inline(always)]
fn block<S: Simd>(simd: S, [x, g, slope]: [[S::f32s; 2]; 3], acc: &mut [f64]) -> [S::f32s; 2] {
    let (zero, one) = (simd.splat_f32s(0.0), simd.splat_f32s(1.0));
    let lanes = S::F32_LANES;
    let mut out = [zero; 2];
    for i in 0..2 {
        let pos = simd.greater_than_f32s(x[i], zero);
        let d = keep_nan(simd, x[i], simd.select_f32s(pos, one, slope[i]));
        out[i] = times_up(simd, d, g[i]);
        let from = (i * lanes).min(acc.len());
        let to = ((i + 1) * lanes).min(acc.len());
        if from < to {
            let xm = simd.select_f32s(pos, zero, x[i]);
            let gm = simd.select_f32s(pos, zero, g[i]);
            add_products(simd, &mut acc[from..to], xm, gm);
        }
    }
    out
}

/// A chunk of the PReLU backward pass: `x` and the gradients as rows of `slopes.len()` (the
/// last row may be shorter), `slopes` the slope of each position of a row, `acc` its
/// accumulators (sizes checked by the caller).
pub(crate) struct PreluBackward<'a, T> {
    pub x: &'a [T],
    pub grad: GateSlice<'a, T>,
    pub slopes: &'a [T],
    pub acc: &'a mut [f64],
}

impl<T: Element> WithSimd for PreluBackward<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(self, simd: S) {
        let n = block_len::<S>();
        let width = self.slopes.len();
        let mut grad = self.grad;
        let mut start = 0;
        while start < self.x.len() {
            let len = width.min(self.x.len() - start);
            let whole = len - len % n;
            let mut i = 0;
            while i < whole {
                let r = start + i..start + i + n;
                let x = T::load_block(simd, &self.x[r.clone()]);
                let g = T::load_block(simd, &grad.src()[r.clone()]);
                let a = T::load_block(simd, &self.slopes[i..i + n]);
                let y = block(simd, [x, g, a], &mut self.acc[i..i + n]);
                T::store_block(simd, &mut grad.dst()[r], y);
                i += n;
            }
            if whole < len {
                let r = start + whole..start + len;
                let x = load_tail(simd, &self.x[r.clone()]);
                let g = load_tail(simd, &grad.src()[r.clone()]);
                let a = load_tail(simd, &self.slopes[whole..len]);
                let y = block(simd, [x, g, a], &mut self.acc[whole..len]);
                store_tail(simd, &mut grad.dst()[r], y);
            }
            start += len;
        }
    }
}
