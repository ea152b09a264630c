//! PReLU, the leaky ReLU with a learned slope per channel: its public entry points. The slopes
//! are a slice, so it does not fit the catalogue's scalar parameters; the body is
//! [`crate::ops::Prelu`], run row by row through the two-input (gated) machinery.

use crate::element::Element;
use crate::kernels::Kernels;

/// Panics naming `name` unless `x` is whole rows of `channels` (`channels > 0`), `alpha` has one
/// slope per channel or a single shared one, and `out` (if any) is as long as `x`.
pub(crate) fn check_prelu(name: &str, x: usize, alpha: usize, channels: usize, out: usize) {
    assert!(
        channels > 0 && x.is_multiple_of(channels),
        "simd_activations::{name}: x has {x} elements, not whole rows of channels = {channels}"
    );
    assert!(
        alpha == channels || alpha == 1,
        "simd_activations::{name}: alpha has {alpha} slopes; need one per channel ({channels}) or a single shared one"
    );
    assert!(
        x == out,
        "simd_activations::{name}: input has {x} elements but output has {out}"
    );
}

impl Kernels {
    /// `prelu(x) = x < 0 ? alpha[c] · x : x`, elementwise, where `c` is the element's channel:
    /// `x` holds contiguous rows of `channels` elements (`x[r * channels + c]`), `alpha` one slope
    /// per channel or a single slope shared by all (PyTorch's `num_parameters = 1`).
    ///
    /// Algorithm: compare and select, one product; rows go through the two-input kernel with
    /// the slope row as its second operand (full vectors and the masked tail alike).
    ///
    /// Accuracy: 0.5 ULP (one rounding of the product; the reference is
    /// [`crate::reference::leaky_relu`] with the channel's slope). `-0` and NaN pass through; a
    /// NaN slope gives NaN for negative inputs and a zero slope times `-inf` is NaN (IEEE
    /// `0 · inf`), both the positive quiet NaN `0x7FC0_0000` on every ISA.
    ///
    /// Out of place, on this `Kernels`' ISA.
    ///
    /// # Panics
    /// If `channels` is 0, `x.len()` is not a multiple of `channels`, `alpha.len()` is neither
    /// `channels` nor 1, or `out.len() != x.len()`; the message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// let x = [-1.0_f32, -2.0, 3.0, -4.0];
    /// let mut out = [0.0_f32; 4];
    /// k.prelu(&x, &[0.5, 0.25], 2, &mut out);
    /// assert_eq!(out, [-0.5, -0.5, 3.0, -1.0]);
    /// ```
    pub fn prelu<T: Element>(self, x: &[T], alpha: &[T], channels: usize, out: &mut [T]) {
        check_prelu("prelu", x.len(), alpha.len(), channels, out.len());
        if alpha.len() == 1 {
            let alpha = alpha[0].to_f32();
            return self.map("prelu", &crate::ops::LeakyRelu { alpha }, x, out);
        }
        for (row, out_row) in x.chunks_exact(channels).zip(out.chunks_exact_mut(channels)) {
            self.map_gated("prelu", &crate::ops::Prelu, row, alpha, out_row);
        }
    }

    /// [`Kernels::prelu`] in place: `x[r * channels + c] = prelu(x[r * channels + c])`.
    ///
    /// # Panics
    /// If `channels` is 0, `x.len()` is not a multiple of `channels` or `alpha.len()` is
    /// neither `channels` nor 1; the message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let mut x = [-1.0_f32, -2.0, 3.0, -4.0];
    /// simd_activations::Kernels::detect().prelu_inplace(&mut x, &[0.5], 4);
    /// assert_eq!(x, [-0.5, -1.0, 3.0, -2.0]);
    /// ```
    pub fn prelu_inplace<T: Element>(self, x: &mut [T], alpha: &[T], channels: usize) {
        check_prelu("prelu_inplace", x.len(), alpha.len(), channels, x.len());
        if alpha.len() == 1 {
            let alpha = alpha[0].to_f32();
            return self.map_inplace(&crate::ops::LeakyRelu { alpha }, x);
        }
        for row in x.chunks_exact_mut(channels) {
            self.map_gated_inplace("prelu_inplace", &crate::ops::Prelu, row, alpha);
        }
    }
}

/// [`Kernels::prelu`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::prelu`].
///
/// # Example
/// ```
/// let x = [-1.0_f32, -2.0, 3.0, -4.0];
/// let mut out = [0.0_f32; 4];
/// simd_activations::prelu(&x, &[0.5, 0.25], 2, &mut out);
/// assert_eq!(out, [-0.5, -0.5, 3.0, -1.0]);
/// ```
pub fn prelu<T: Element>(x: &[T], alpha: &[T], channels: usize, out: &mut [T]) {
    Kernels::global().prelu(x, alpha, channels, out);
}

/// [`Kernels::prelu_inplace`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::prelu_inplace`].
///
/// # Example
/// ```
/// let mut x = [-1.0_f32, -2.0, 3.0, -4.0];
/// simd_activations::prelu_inplace(&mut x, &[0.5, 0.25], 2);
/// assert_eq!(x, [-0.5, -0.5, 3.0, -1.0]);
/// ```
pub fn prelu_inplace<T: Element>(x: &mut [T], alpha: &[T], channels: usize) {
    Kernels::global().prelu_inplace(x, alpha, channels);
}
