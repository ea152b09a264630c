//! PReLU, the leaky ReLU with a learned slope per channel: its public entry points. The slopes
//! are a slice, so it does not fit the catalogue's scalar parameters; the body is
//! [`crate::ops::Prelu`], run row by row through the two-input (gated) machinery. The backward
//! pass ([`crate::ops::PreluBackward`]) reduces the slopes' gradient deterministically
//! ([`crate::reduce`]).

use crate::element::Element;
use crate::kernels::Kernels;
use crate::ops::{GateSlice, PreluBackward};
use crate::reduce::{REDUCE_CHUNK, pairwise, round_sum, tree_sum};

/// The least width of the backward pass's accumulator row: channels are repeated until a row
/// holds at least this many elements (a shared slope uses exactly this many), so that short
/// rows still fill whole SIMD blocks (256 is 8 AVX-512 blocks) and each accumulator takes at
/// most `REDUCE_CHUNK / 256 = 64` terms per chunk.
const MIN_ROW: usize = 256;

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

/// Panics naming `name` unless the backward pass's sizes fit: `x` whole rows of `channels`,
/// `alpha` one slope per channel or one, `grad_out` and `grad_in` as long as `x`, `grad_alpha`
/// as long as `alpha`.
pub(crate) fn check_prelu_backward(
    name: &str,
    (x, grad_out, alpha, channels): (usize, usize, usize, usize),
    grad_in: usize,
    grad_alpha: usize,
) {
    check_prelu(name, x, alpha, channels, x);
    assert!(
        grad_out == x && grad_in == x,
        "simd_activations::{name}: x has {x} elements, grad_out {grad_out} and grad_in {grad_in}; all three must be equal"
    );
    assert!(
        grad_alpha == alpha,
        "simd_activations::{name}: grad_alpha has {grad_alpha} elements but alpha has {alpha}"
    );
}

impl Kernels {
    /// The backward pass of PReLU into `grad` (read `grad_out`, write `grad_in`) and
    /// `grad_alpha`, sizes checked by the caller; the chunks' halves on rayon's `join` when
    /// `parallel` (the same bits).
    pub(crate) fn prelu_backward_into<T: Element>(
        self,
        (x, alpha, channels): (&[T], &[T], usize),
        grad: GateSlice<'_, T>,
        grad_alpha: &mut [T],
        parallel: bool,
    ) {
        let shared = alpha.len() == 1;
        let width = if shared {
            MIN_ROW
        } else {
            channels * MIN_ROW.div_ceil(channels)
        };
        // The slope of each position of the row: `alpha` itself when a row is one of channels,
        // else its channels (or its one shared slope) repeated.
        let repeated: Vec<T>;
        let slopes = if width == alpha.len() {
            alpha
        } else {
            repeated = alpha.iter().copied().cycle().take(width).collect();
            &repeated
        };
        let chunk_len = (REDUCE_CHUNK / width).max(1) * width;
        let chunks = x.len().div_ceil(chunk_len);
        let mut acc = vec![0.0_f64; width];
        let leaf = |(x, grad), acc: &mut [f64]| {
            self.dispatch(PreluBackward {
                x,
                grad,
                slopes,
                acc,
            });
        };
        tree_sum((x, grad), (chunks, chunk_len), parallel, &leaf, &mut acc);
        if shared {
            grad_alpha[0] = round_sum(pairwise(&acc));
        } else {
            let repeats = width / channels;
            for (c, g) in grad_alpha.iter_mut().enumerate() {
                let mut total = 0.0;
                for r in 0..repeats {
                    total += acc[r * channels + c];
                }
                *g = round_sum(total);
            }
        }
    }

    /// The backward pass of [`Kernels::prelu`] (PyTorch's `prelu` backward): with `x` and
    /// `grad_out` rows of `channels` elements and `c` an element's channel,
    /// `grad_in = grad_out · (x > 0 ? 1 : alpha[c])` and
    /// `grad_alpha[c] = Σ over the elements of channel c of (x > 0 ? 0 : x · grad_out)`
    /// (with a single shared slope, one sum over all elements). `grad_alpha` is overwritten,
    /// not accumulated into. At `x = 0` the slope side is taken, as PyTorch and
    /// [`Kernels::leaky_relu_backward`] do (its term `0 · grad_out` is 0).
    ///
    /// Algorithm: one pass. `grad_in` is the leaky-ReLU derivative times `grad_out` in f32
    /// lanes (with a shared slope the same bits as `leaky_relu_backward`); each term
    /// `x · grad_out` is exact in f64 and added to an f64 accumulator of its position in a row
    /// of at least 256 elements (the channels repeated), in chunks of 16 Ki elements combined by
    /// a fixed pairwise tree, then the repeats of each channel are added in order (see
    /// `src/reduce.rs`). The order depends only on the sizes, so every ISA, and
    /// [`crate::par::Par::prelu_backward`] at any thread count, gives the same bits.
    ///
    /// Accuracy: `grad_in` is correctly rounded (0.5 ULP of the output type; one product).
    /// `grad_alpha[c]` is within 0.5 ULP of the output type of the exact sum plus
    /// `2^-44 · Σ|x · grad_out|` over its terms (the f64 sum: at most 64 + 256 + log2(chunks)
    /// < 2^9 roundings of 2^-53 along any path). NaN in `x` or `grad_out` gives NaN in
    /// `grad_in` (the input's bits, as `leaky_relu_backward`); a NaN term, or infinite terms of
    /// both signs, make the channel's `grad_alpha` the positive quiet NaN `0x7FC0_0000` on
    /// every ISA; a sum beyond the type's range is ±inf.
    ///
    /// Out of place, on this `Kernels`' ISA.
    ///
    /// # Panics
    /// If `channels` is 0, `x.len()` is not a multiple of `channels`, `alpha.len()` is neither
    /// `channels` nor 1, `grad_out` or `grad_in` differ in length from `x`, or
    /// `grad_alpha.len() != alpha.len()`; the message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// let x = [-1.0_f32, 2.0, -3.0, -4.0];
    /// let grad_out = [1.0_f32, 1.0, 0.5, 2.0];
    /// let (mut grad_in, mut grad_alpha) = ([0.0_f32; 4], [0.0_f32; 2]);
    /// k.prelu_backward(&x, &grad_out, &[0.5, 0.25], 2, &mut grad_in, &mut grad_alpha);
    /// assert_eq!(grad_in, [0.5, 1.0, 0.25, 0.5]);
    /// assert_eq!(grad_alpha, [-1.0 - 1.5, -8.0]);
    /// ```
    pub fn prelu_backward<T: Element>(
        self,
        x: &[T],
        grad_out: &[T],
        alpha: &[T],
        channels: usize,
        grad_in: &mut [T],
        grad_alpha: &mut [T],
    ) {
        let sizes = (x.len(), grad_out.len(), alpha.len(), channels);
        check_prelu_backward("prelu_backward", sizes, grad_in.len(), grad_alpha.len());
        let grad = GateSlice::Separate {
            gate: grad_out,
            out: grad_in,
        };
        self.prelu_backward_into((x, alpha, channels), grad, grad_alpha, false);
    }

    /// [`Kernels::prelu_backward`] with `grad_in` written over `grad_out` (the same bits).
    ///
    /// # Panics
    /// As [`Kernels::prelu_backward`], with `grad_out` in place of both gradients.
    ///
    /// # Example
    /// ```
    /// let x = [-2.0_f32, 3.0];
    /// let mut grad = [1.0_f32, 1.0];
    /// let mut grad_alpha = [0.0_f32];
    /// simd_activations::Kernels::detect().prelu_backward_inplace(&x, &mut grad, &[0.1], 2, &mut grad_alpha);
    /// assert_eq!((grad, grad_alpha), ([0.1, 1.0], [-2.0]));
    /// ```
    pub fn prelu_backward_inplace<T: Element>(
        self,
        x: &[T],
        grad_out: &mut [T],
        alpha: &[T],
        channels: usize,
        grad_alpha: &mut [T],
    ) {
        let n = grad_out.len();
        let sizes = (x.len(), n, alpha.len(), channels);
        check_prelu_backward("prelu_backward_inplace", sizes, n, grad_alpha.len());
        let grad = GateSlice::InPlace(grad_out);
        self.prelu_backward_into((x, alpha, channels), grad, grad_alpha, false);
    }
}

/// [`Kernels::prelu_backward`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::prelu_backward`].
///
/// # Example
/// ```
/// let x = [-1.0_f32, -2.0, 3.0];
/// let grad_out = [1.0_f32, 1.0, 1.0];
/// let (mut grad_in, mut grad_alpha) = ([0.0_f32; 3], [0.0_f32]);
/// simd_activations::prelu_backward(&x, &grad_out, &[0.25], 3, &mut grad_in, &mut grad_alpha);
/// assert_eq!((grad_in, grad_alpha), ([0.25, 0.25, 1.0], [-3.0]));
/// ```
pub fn prelu_backward<T: Element>(
    x: &[T],
    grad_out: &[T],
    alpha: &[T],
    channels: usize,
    grad_in: &mut [T],
    grad_alpha: &mut [T],
) {
    Kernels::global().prelu_backward(x, grad_out, alpha, channels, grad_in, grad_alpha);
}

/// [`Kernels::prelu_backward_inplace`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::prelu_backward_inplace`].
///
/// # Example
/// ```
/// let x = [-1.0_f32, 4.0];
/// let mut grad = [2.0_f32, 2.0];
/// let mut grad_alpha = [0.0_f32; 2];
/// simd_activations::prelu_backward_inplace(&x, &mut grad, &[0.5, 0.5], 2, &mut grad_alpha);
/// assert_eq!((grad, grad_alpha), ([1.0, 2.0], [-2.0, 0.0]));
/// ```
pub fn prelu_backward_inplace<T: Element>(
    x: &[T],
    grad_out: &mut [T],
    alpha: &[T],
    channels: usize,
    grad_alpha: &mut [T],
) {
    Kernels::global().prelu_backward_inplace(x, grad_out, alpha, channels, grad_alpha);
}
