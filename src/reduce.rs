//! Deterministic reductions for the parameter gradients of `prelu_backward` and
//! `rational_backward`: the same bits on every ISA and for any thread count.
//!
//! The input is cut into chunks whose length depends only on the input's shape (never on the
//! ISA or the thread count). Within a chunk, every term is added in f64 to the accumulator of
//! its *virtual lane* (a fixed position in a row of accumulators, the same on every ISA: a
//! vector only covers several of them at once), in input order. The chunks' accumulator rows are
//! combined by a fixed pairwise tree over the chunk indices (split at `chunks / 2`); `par` runs
//! the two halves of each node on rayon's `join` and adds them in the same order, so serial and
//! parallel calls give the same bits.

use crate::element::Element;
use crate::ops::GateSlice;

/// Elements per chunk of a reduction (at least one whole row): 16 Ki elements, 64 KiB of f32
/// per input, so a chunk's inputs stay in L2 and a 1 Mi input gives `par` 64 chunks. Changing it
/// changes the gradients' bits (their golden digests).
pub(crate) const REDUCE_CHUNK: usize = 1 << 14;

/// Inputs that a reduction splits at an element index.
pub(crate) trait Split: Sized + Send {
    /// The first `mid` elements and the rest.
    fn split_at(self, mid: usize) -> (Self, Self);
}

impl<T: Sync + Send> Split for (&[T], GateSlice<'_, T>) {
    fn split_at(self, mid: usize) -> (Self, Self) {
        let (x0, x1) = self.0.split_at(mid);
        let (g0, g1) = self.1.split_at(mid);
        ((x0, g0), (x1, g1))
    }
}

/// Runs `a` and `b`, on rayon's `join` when `parallel`.
fn both(parallel: bool, a: impl FnOnce() + Send, b: impl FnOnce() + Send) {
    #[cfg(feature = "rayon")]
    if parallel {
        rayon::join(a, b);
        return;
    }
    let _ = parallel;
    a();
    b();
}

/// Adds into `acc` (zero on entry) the accumulator row of `data`, `chunks` chunks of
/// `chunk_len` elements (the last one possibly shorter): `leaf` adds one chunk's terms into a
/// zeroed row, and two halves are combined by the pairwise tree of the module docs.
pub(crate) fn tree_sum<D, L>(
    data: D,
    (chunks, chunk_len): (usize, usize),
    parallel: bool,
    leaf: &L,
    acc: &mut [f64],
) where
    D: Split,
    L: Fn(D, &mut [f64]) + Sync,
{
    if chunks <= 1 {
        return leaf(data, acc);
    }
    let half = chunks / 2;
    let (a, b) = data.split_at(half * chunk_len);
    let mut right = vec![0.0; acc.len()];
    both(
        parallel,
        || tree_sum(a, (half, chunk_len), parallel, leaf, acc),
        || tree_sum(b, (chunks - half, chunk_len), parallel, leaf, &mut right),
    );
    for (l, r) in acc.iter_mut().zip(&right) {
        *l += r;
    }
}

/// Sums `values` in f64 by a fixed pairwise tree (split at half the length).
pub(crate) fn pairwise(values: &[f64]) -> f64 {
    match values.len() {
        0 => 0.0,
        1 => values[0],
        n => pairwise(&values[..n / 2]) + pairwise(&values[n / 2..]),
    }
}

/// An f64 sum as the element type, correctly rounded; a NaN (from a NaN term, or `inf - inf`)
/// is the positive quiet NaN, as the ISAs' f64 additions do not agree on which NaN they pass.
pub(crate) fn round_sum<T: Element>(total: f64) -> T {
    if total.is_nan() {
        T::from_f32(f32::from_bits(0x7FC0_0000))
    } else {
        T::from_f64(total)
    }
}
