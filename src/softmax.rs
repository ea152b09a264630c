//! Softmax and log-softmax over contiguous rows: their public entry points. The bodies are in
//! [`crate::ops::SoftmaxRows`]; the accuracy budgets are the catalogue's `[[rowwise]]` entries.

use crate::element::Element;
use crate::kernels::Kernels;
use crate::ops::{GateSlice, RowKind, SoftmaxRows};

/// Panics naming `name` unless `width > 0`, `x` is whole rows of `width` and `out` is as long
/// as `x`.
pub(crate) fn check_softmax(name: &str, x: usize, width: usize, out: usize) {
    assert!(
        width > 0 && x.is_multiple_of(width),
        "simd_activations::{name}: x has {x} elements, not whole rows of width = {width} (width must be > 0)"
    );
    assert!(
        x == out,
        "simd_activations::{name}: input has {x} elements but output has {out}"
    );
}

impl Kernels {
    /// `softmax(x)_i = e^(x_i - m) / Σ_j e^(x_j - m)` over each row of `width` contiguous
    /// elements (`m` the row's max), out of place, on this `Kernels`' ISA.
    ///
    /// Algorithm: three passes per row. (1) The max, lane-wise, and a NaN check. (2) `x - m`
    /// as an exact two-term sum (TwoSum), `e^(x - m)` by Cody–Waite reduction and the degree-6
    /// expm1 core with the low part folded into the reduced argument, summed in 32 virtual
    /// accumulators (element `i` into accumulator `i mod 32` on every ISA) that each carry the
    /// exact rounding errors of their additions (Sum2), combined in f64 in a fixed order: the
    /// sum is exact to about 2^-50 whatever the width, and the bits do not depend on the ISA.
    /// f32 rows keep `e^(x - m)` in the output. (3) One IEEE division by the sum rounded to
    /// f32 (16-bit rows recompute the exponential, the same bits).
    ///
    /// Accuracy: within the catalogue budget (`catalogue::ROWWISE`, entry `softmax`) of the
    /// f64 [`crate::reference::softmax`], for any width. Special values: `+inf` entries share
    /// the row equally (the limit: each is `1/k` for `k` infinities, every other entry 0);
    /// `-inf` entries give 0; a row holding a NaN, or whose entries are all `-inf`, becomes the
    /// positive quiet NaN `0x7FC0_0000` in every position.
    ///
    /// # Panics
    /// If `width` is 0, `x.len()` is not a multiple of `width` or `out.len() != x.len()`; the
    /// message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// let x = [0.0_f32, 0.0, 1.0, 1.0, 2.0, f32::NEG_INFINITY];
    /// let mut out = [0.0_f32; 6];
    /// k.softmax(&x, 2, &mut out);
    /// assert_eq!(out, [0.5, 0.5, 0.5, 0.5, 1.0, 0.0]);
    /// ```
    pub fn softmax<T: Element>(self, x: &[T], width: usize, out: &mut [T]) {
        check_softmax("softmax", x.len(), width, out.len());
        self.softmax_rows(
            RowKind::Softmax,
            GateSlice::Separate { gate: x, out },
            width,
        );
    }

    /// [`Kernels::softmax`] in place.
    ///
    /// # Panics
    /// If `width` is 0 or `x.len()` is not a multiple of `width`.
    ///
    /// # Example
    /// ```
    /// let mut x = [1.0_f32, 1.0, 1.0, 1.0];
    /// simd_activations::Kernels::detect().softmax_inplace(&mut x, 4);
    /// assert_eq!(x, [0.25; 4]);
    /// ```
    pub fn softmax_inplace<T: Element>(self, x: &mut [T], width: usize) {
        check_softmax("softmax_inplace", x.len(), width, x.len());
        self.softmax_rows(RowKind::Softmax, GateSlice::InPlace(x), width);
    }

    /// `log_softmax(x)_i = (x_i - m) - ln Σ_j e^(x_j - m)` over each row of `width` contiguous
    /// elements (`m` the row's max), out of place, on this `Kernels`' ISA.
    ///
    /// Algorithm: the max and sum passes of [`Kernels::softmax`]; the logarithm of the sum
    /// (the log core on `2^-k sum` plus `k ln 2`) as a two-term value; then `x - m` again as an
    /// exact two-term sum and the difference added by TwoSum, rounded once. The result keeps
    /// its relative accuracy where it is close to 0 (a dominant entry).
    ///
    /// Accuracy: within the catalogue budget (`catalogue::ROWWISE`, entry `log_softmax`) of
    /// the f64 [`crate::reference::log_softmax`]. Special values: with `k` entries `+inf`, those
    /// give `-ln k` and the others `-inf`; `-inf` entries give `-inf`; a row holding a NaN, or
    /// whose entries are all `-inf`, becomes the positive quiet NaN in every position.
    ///
    /// # Panics
    /// If `width` is 0, `x.len()` is not a multiple of `width` or `out.len() != x.len()`.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// let x = [3.0_f32, 3.0];
    /// let mut out = [0.0_f32; 2];
    /// k.log_softmax(&x, 2, &mut out);
    /// assert_eq!(out, [-std::f32::consts::LN_2; 2]);
    /// ```
    pub fn log_softmax<T: Element>(self, x: &[T], width: usize, out: &mut [T]) {
        check_softmax("log_softmax", x.len(), width, out.len());
        self.softmax_rows(
            RowKind::LogSoftmax,
            GateSlice::Separate { gate: x, out },
            width,
        );
    }

    /// [`Kernels::log_softmax`] in place.
    ///
    /// # Panics
    /// If `width` is 0 or `x.len()` is not a multiple of `width`.
    ///
    /// # Example
    /// ```
    /// let mut x = [0.0_f32, -100.0];
    /// simd_activations::Kernels::detect().log_softmax_inplace(&mut x, 2);
    /// assert_eq!(x, [-(-100.0_f32).exp(), -100.0]);
    /// ```
    pub fn log_softmax_inplace<T: Element>(self, x: &mut [T], width: usize) {
        check_softmax("log_softmax_inplace", x.len(), width, x.len());
        self.softmax_rows(RowKind::LogSoftmax, GateSlice::InPlace(x), width);
    }

    #[inline]
    fn softmax_rows<T: Element>(self, kind: RowKind, rows: GateSlice<'_, T>, width: usize) {
        self.dispatch(SoftmaxRows { kind, rows, width });
    }
}

/// [`Kernels::softmax`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::softmax`].
///
/// # Example
/// ```
/// let x = [0.0_f32, f32::INFINITY, f32::INFINITY, 5.0];
/// let mut out = [0.0_f32; 4];
/// simd_activations::softmax(&x, 4, &mut out);
/// assert_eq!(out, [0.0, 0.5, 0.5, 0.0]);
/// ```
pub fn softmax<T: Element>(x: &[T], width: usize, out: &mut [T]) {
    Kernels::global().softmax(x, width, out);
}

/// [`Kernels::softmax_inplace`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::softmax_inplace`].
///
/// # Example
/// ```
/// let mut x = [2.0_f32, 2.0];
/// simd_activations::softmax_inplace(&mut x, 2);
/// assert_eq!(x, [0.5, 0.5]);
/// ```
pub fn softmax_inplace<T: Element>(x: &mut [T], width: usize) {
    Kernels::global().softmax_inplace(x, width);
}

/// [`Kernels::log_softmax`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::log_softmax`].
///
/// # Example
/// ```
/// let x = [1.0_f32, f32::NEG_INFINITY];
/// let mut out = [0.0_f32; 2];
/// simd_activations::log_softmax(&x, 2, &mut out);
/// assert_eq!(out, [0.0, f32::NEG_INFINITY]);
/// ```
pub fn log_softmax<T: Element>(x: &[T], width: usize, out: &mut [T]) {
    Kernels::global().log_softmax(x, width, out);
}

/// [`Kernels::log_softmax_inplace`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::log_softmax_inplace`].
///
/// # Example
/// ```
/// let mut x = [f32::NAN, 1.0];
/// simd_activations::log_softmax_inplace(&mut x, 2);
/// assert!(x.iter().all(|v| v.is_nan()));
/// ```
pub fn log_softmax_inplace<T: Element>(x: &mut [T], width: usize) {
    Kernels::global().log_softmax_inplace(x, width);
}
