//! The backward passes of softmax and log-softmax over contiguous rows, from the forward's
//! output (as the frameworks do): `softmax`: `grad_in = y ⊙ (g - Σ g_j y_j)`; `log_softmax`:
//! `grad_in = g - e^y Σ g_j`.
//!
//! The row's reduction is summed in f64 on the SIMD ISA ([`crate::ops::RowDot`]: each exact
//! term into the accumulator of its position modulo 64, the 64 combined by a fixed pairwise
//! tree: the same bits on every ISA, and an error of about 2^-50 of `Σ |g_j y_j|` whatever
//! the width), rounded to an f32 pair, and the elementwise pass runs on the SIMD ISA ([`crate::ops::SoftmaxGrad`],
//! [`crate::ops::LogSoftmaxGrad`]).

use crate::element::Element;
use crate::kernels::Kernels;
use crate::ops::{
    GateSlice, GatedOp, LogSoftmaxGrad, MapGated, ROW_DOT_LANES, RowDot, SoftmaxGrad,
};
use crate::reduce::pairwise;

/// Panics naming `name` unless `width > 0` and `y`, `grad_out` and `grad_in` are the same
/// whole number of rows.
pub(crate) fn check_softmax_backward(name: &str, y: usize, grad: usize, width: usize, out: usize) {
    assert!(
        width > 0 && y.is_multiple_of(width) && grad == y && out == y,
        "simd_activations::{name}: y ({y}), grad_out ({grad}) and grad_in ({out}) must be the same \
         whole number of rows of width = {width} (width must be > 0)"
    );
}

impl Kernels {
    /// `Σ a_i b_i` (or `Σ b_i` without `a`) in f64 on this ISA ([`RowDot`]: 64 virtual lanes
    /// combined by a fixed pairwise tree), as an f32 pair `(hi, lo)`.
    fn row_sum<T: Element>(self, a: Option<&[T]>, b: &[T]) -> (f32, f32) {
        let mut acc = [0.0_f64; ROW_DOT_LANES];
        self.dispatch(RowDot {
            a,
            b,
            acc: &mut acc,
        });
        let total = pairwise(&acc);
        let hi = <f32 as Element>::from_f64(total);
        let lo = if hi.is_finite() {
            <f32 as Element>::from_f64(total - f64::from(hi))
        } else {
            0.0
        };
        (hi, lo)
    }
}

impl Kernels {
    /// Each row of `width` of `(y, grad_out)`: the row's elementwise body from `row_op(y, g)`,
    /// run on this ISA into the row of `out` (sizes checked by the caller).
    fn backward_rows<T: Element, Op: GatedOp>(
        self,
        (y, grad_out, width): (&[T], &[T], usize),
        out: &mut [T],
        row_op: impl Fn(&[T], &[T]) -> Op,
    ) {
        let rows = y
            .chunks_exact(width)
            .zip(grad_out.chunks_exact(width))
            .zip(out.chunks_exact_mut(width));
        for ((y, g), out) in rows {
            let op = row_op(y, g);
            let gate = GateSlice::Separate { gate: y, out };
            self.dispatch(MapGated {
                op: &op,
                gate,
                up: g,
            });
        }
    }

    /// The backward pass of [`Kernels::softmax`] from its output `y`: for each row of `width`,
    /// `grad_in_i = y_i (g_i - Σ_j g_j y_j)`.
    ///
    /// Algorithm: the dot product in f64 (see the module docs), rounded to an f32 pair; then
    /// `g - dot` as an exact two-sum rounded once and one product.
    ///
    /// Accuracy: within 2 ULP of the output type of the value computed in f64 from the same
    /// `y` and `g`, plus an absolute `2^-48 · y_i · Σ_j |g_j y_j|` for the f64 dot product
    /// (tested for widths up to 2^16). NaN in a row's `y` or `g` makes the outputs of the
    /// whole row NaN.
    ///
    /// # Panics
    /// If `width` is 0 or the three slices are not the same whole number of rows.
    ///
    /// # Example
    /// ```
    /// let y = [0.25_f32, 0.75];
    /// let g = [1.0_f32, 0.0];
    /// let mut grad_in = [0.0_f32; 2];
    /// simd_activations::Kernels::detect().softmax_backward(&y, &g, 2, &mut grad_in);
    /// assert_eq!(grad_in, [0.25 * 0.75, -0.75 * 0.25]);
    /// ```
    pub fn softmax_backward<T: Element>(
        self,
        y: &[T],
        grad_out: &[T],
        width: usize,
        grad_in: &mut [T],
    ) {
        check_softmax_backward(
            "softmax_backward",
            y.len(),
            grad_out.len(),
            width,
            grad_in.len(),
        );
        self.backward_rows((y, grad_out, width), grad_in, |y, g| {
            let (hi, lo) = self.row_sum(Some(y), g);
            SoftmaxGrad { hi, lo }
        });
    }

    /// The backward pass of [`Kernels::log_softmax`] from its output `y`: for each row of
    /// `width`, `grad_in_i = g_i - e^(y_i) Σ_j g_j`.
    ///
    /// Algorithm: the gradient's row sum in f64 (see the module docs), rounded to an f32 pair;
    /// `e^y` by the exp core (`y` clamped at 0 above), then two fmas.
    ///
    /// Accuracy: within 2 ULP of the output type of the value computed in f64 from the same
    /// `y` and `g`, plus an absolute 2 ULP of f32 of `e^(y_i) |Σ_j g_j|` (the exponential's
    /// rounding, where `g_i` and `e^(y_i) Σ g` cancel). NaN in a row makes its outputs NaN.
    ///
    /// # Panics
    /// If `width` is 0 or the three slices are not the same whole number of rows.
    ///
    /// # Example
    /// ```
    /// let y = [0.5_f32.ln(), 0.5_f32.ln()];
    /// let g = [1.0_f32, 0.0];
    /// let mut grad_in = [0.0_f32; 2];
    /// simd_activations::Kernels::detect().log_softmax_backward(&y, &g, 2, &mut grad_in);
    /// assert!((grad_in[0] - 0.5).abs() < 1e-6 && (grad_in[1] + 0.5).abs() < 1e-6);
    /// ```
    pub fn log_softmax_backward<T: Element>(
        self,
        y: &[T],
        grad_out: &[T],
        width: usize,
        grad_in: &mut [T],
    ) {
        let name = "log_softmax_backward";
        check_softmax_backward(name, y.len(), grad_out.len(), width, grad_in.len());
        self.backward_rows((y, grad_out, width), grad_in, |_, g| {
            let (hi, lo) = self.row_sum(None, g);
            LogSoftmaxGrad { hi, lo }
        });
    }
}

/// [`Kernels::softmax_backward`] on the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::softmax_backward`].
///
/// # Example
/// ```
/// let mut grad_in = [0.0_f32; 2];
/// simd_activations::softmax_backward(&[0.5, 0.5], &[1.0, -1.0], 2, &mut grad_in);
/// assert_eq!(grad_in, [0.5, -0.5]);
/// ```
pub fn softmax_backward<T: Element>(y: &[T], grad_out: &[T], width: usize, grad_in: &mut [T]) {
    Kernels::global().softmax_backward(y, grad_out, width, grad_in);
}

/// [`Kernels::log_softmax_backward`] on the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::log_softmax_backward`].
///
/// # Example
/// ```
/// let y = [0.5_f32.ln(); 2];
/// let mut grad_in = [0.0_f32; 2];
/// simd_activations::log_softmax_backward(&y, &[1.0, 1.0], 2, &mut grad_in);
/// assert!(grad_in.iter().all(|v| v.abs() < 1e-6));
/// ```
pub fn log_softmax_backward<T: Element>(y: &[T], grad_out: &[T], width: usize, grad_in: &mut [T]) {
    Kernels::global().log_softmax_backward(y, grad_out, width, grad_in);
}

/// The f64 `grad_in` of one row of [`Kernels::softmax_backward`] from the same `y` and `g`:
/// `y_i (g_i - Σ_j g_j y_j)` (the catalogue's `RowBackwardSpec::reference` of `softmax`).
#[cfg(not(test))]
pub(crate) fn softmax_backward_reference(y: &[f64], g: &[f64]) -> Vec<f64> {
    let dot: f64 = y.iter().zip(g).map(|(a, b)| a * b).sum();
    y.iter().zip(g).map(|(&yi, &gi)| yi * (gi - dot)).collect()
}

/// The absolute term of each output of [`Kernels::softmax_backward`] beyond its ULP budget: the
/// f64 dot product's error, `SOFTMAX_BACKWARD_DOT_ERROR · y_i · Σ_j |g_j y_j|`.
#[cfg(not(test))]
pub(crate) fn softmax_backward_slack(y: &[f64], g: &[f64]) -> Vec<f64> {
    let abs_dot: f64 = y.iter().zip(g).map(|(a, b)| (a * b).abs()).sum();
    let error = f64::from(crate::catalogue::consts::SOFTMAX_BACKWARD_DOT_ERROR);
    y.iter().map(|&yi| error * yi * abs_dot).collect()
}

/// The f64 `grad_in` of one row of [`Kernels::log_softmax_backward`] from the same `y` and
/// `g`: `g_i - e^(y_i) Σ_j g_j`.
#[cfg(not(test))]
pub(crate) fn log_softmax_backward_reference(y: &[f64], g: &[f64]) -> Vec<f64> {
    let sum: f64 = g.iter().sum();
    y.iter()
        .zip(g)
        .map(|(&yi, &gi)| gi - yi.exp() * sum)
        .collect()
}

/// The absolute term of each output of [`Kernels::log_softmax_backward`] beyond its ULP
/// budget: the exponential's rounding, `LOG_SOFTMAX_BACKWARD_EXP_ULP` ULP of f32 of
/// `e^(y_i) Σ_j g_j`.
#[cfg(not(test))]
pub(crate) fn log_softmax_backward_slack(y: &[f64], g: &[f64]) -> Vec<f64> {
    let sum: f64 = g.iter().sum();
    let ulps = f64::from(crate::catalogue::consts::LOG_SOFTMAX_BACKWARD_EXP_ULP);
    y.iter()
        .map(|&yi| ulps * crate::ulp::ulp_of_in::<f32>(yi.exp() * sum))
        .collect()
}
