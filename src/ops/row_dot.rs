//! The row reduction of the softmax backward passes: `Σ a_i b_i` (or `Σ b_i`) in f64, each term
//! exact (the product of two f32 values fits an f64) and added to the accumulator of its
//! position modulo [`ROW_DOT_LANES`] (virtual lanes, the same on every ISA), in order; the
//! caller combines the lanes by a fixed pairwise tree.

use pulp::{Simd, WithSimd};

use crate::element::{Element, block_len, load_tail};
use crate::shim::{load_f64, store_f64, widen_f64};

/// Virtual lanes of the row reduction: a multiple of every ISA's block (32 elements on
/// AVX-512), so a block never straddles two rows of them.
pub(crate) const ROW_DOT_LANES: usize = 64;

/// `acc[j] += Σ a_i b_i` over the elements `i ≡ j (mod ROW_DOT_LANES)` of the row, `b_i` alone
/// without `a`.
pub(crate) struct RowDot<'a, T> {
    pub a: Option<&'a [T]>,
    pub b: &'a [T],
    pub acc: &'a mut [f64; ROW_DOT_LANES],
}

impl<T: Element> RowDot<'_, T> {
    /// Adds the terms of one block at element `start` (`len` of its elements real).
    #[inline(always)]
    fn add<S: Simd>(
        &mut self,
        simd: S,
        start: usize,
        (a, b): ([S::f32s; 2], [S::f32s; 2]),
        len: usize,
    ) {
        let lanes = S::F32_LANES;
        let column = start % ROW_DOT_LANES;
        for i in 0..2 {
            let (from, to) = ((i * lanes).min(len), ((i + 1) * lanes).min(len));
            if from >= to {
                break;
            }
            let wide_b = widen_f64(simd, b[i]);
            let terms = if self.a.is_some() {
                let wide_a = widen_f64(simd, a[i]);
                [
                    simd.mul_f64s(wide_a[0], wide_b[0]),
                    simd.mul_f64s(wide_a[1], wide_b[1]),
                ]
            } else {
                wide_b
            };
            let acc = &mut self.acc[column + from..column + to];
            let mut sum = load_f64(simd, acc);
            sum[0] = simd.add_f64s(sum[0], terms[0]);
            sum[1] = simd.add_f64s(sum[1], terms[1]);
            store_f64::<S>(acc, sum);
        }
    }
}

impl<T: Element> WithSimd for RowDot<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(mut self, simd: S) {
        let n = block_len::<S>();
        let len = self.b.len();
        let whole = len - len % n;
        let zero = [simd.splat_f32s(0.0); 2];
        let mut i = 0;
        while i < whole {
            let b = T::load_block(simd, &self.b[i..i + n]);
            let a = match self.a {
                Some(a) => T::load_block(simd, &a[i..i + n]),
                None => zero,
            };
            self.add(simd, i, (a, b), n);
            i += n;
        }
        if whole < len {
            let b = load_tail(simd, &self.b[whole..]);
            let a = match self.a {
                Some(a) => load_tail(simd, &a[whole..]),
                None => zero,
            };
            self.add(simd, whole, (a, b), len - whole);
        }
    }
}
