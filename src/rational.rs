//! The safe rational activation (Padé Activation Unit): its public entry points. The
//! coefficients are slices, so it does not fit the catalogue's scalar parameters; the body is
//! [`crate::ops::Rational`], the default coefficients the catalogue cores `rational_leaky_p`
//! and `rational_leaky_b`.

use crate::element::Element;
use crate::kernels::Kernels;
use crate::ops::{MAX_DENOMINATOR, MAX_NUMERATOR, Rational};

/// The body for these coefficients, trailing zeros dropped; panics naming `name` on a
/// numerator that is empty or longer than 9, or a denominator longer than 8.
pub(crate) fn rational_body(name: &str, numerator: &[f32], denominator: &[f32]) -> Rational {
    assert!(
        (1..=MAX_NUMERATOR).contains(&numerator.len()),
        "simd_activations::{name}: numerator has {} coefficients; need 1 to {MAX_NUMERATOR} (degree 0 to 8)",
        numerator.len()
    );
    assert!(
        denominator.len() <= MAX_DENOMINATOR,
        "simd_activations::{name}: denominator has {} coefficients b1..bn; need at most {MAX_DENOMINATOR} (degree 8)",
        denominator.len()
    );
    let num_len = numerator
        .iter()
        .rposition(|&c| c != 0.0)
        .map_or(1, |i| i + 1);
    let den_len = denominator
        .iter()
        .rposition(|&c| c != 0.0)
        .map_or(0, |i| i + 1);
    let mut body = Rational {
        a: [0.0; MAX_NUMERATOR],
        b: [0.0; MAX_DENOMINATOR],
        num_len,
        den_len,
    };
    body.a[..num_len].copy_from_slice(&numerator[..num_len]);
    body.b[..den_len].copy_from_slice(&denominator[..den_len]);
    body
}

impl Kernels {
    /// The safe rational activation `R(x) = P(x) / (1 + |b1 x + b2 x² + … + bn x^n|)` with
    /// `P(x) = a0 + a1 x + … + am x^m`, elementwise, out of place, on this `Kernels`' ISA.
    /// `numerator` is `[a0, …, am]` (1 to 9 coefficients, degree up to 8), `denominator`
    /// `[b1, …, bn]` (0 to 8). The denominator is at least 1, so there are no poles (the
    /// "safe" Padé Activation Unit of Molina, Schramowski and Kersting, ICLR 2020, in the
    /// form with the absolute value of the whole sum). Trailing zero coefficients are dropped.
    ///
    /// Default coefficients: [`crate::catalogue::cores::RATIONAL_LEAKY_P`] and
    /// [`crate::catalogue::cores::RATIONAL_LEAKY_B`], degrees (5, 4) fitted to
    /// `leaky_relu(x, 0.01)` on [-3, 3] (within 0.0365), the paper's initialisation.
    ///
    /// Algorithm: Horner with fmas for `|x| <= 256`, then one IEEE division; beyond, Horner
    /// in `t = 1/x` of the reversed polynomials (`R = sign(x)^m |x|^(m-n) P~(t) / (|t|^n +
    /// |B~(t)|)`), so neither polynomial overflows into `inf / inf`, and `±inf` gives the
    /// limit of `R`.
    ///
    /// Accuracy: the rounding error of Horner's rule and the division. Against the f64
    /// value with the same f32 coefficients, `|error| <= 2^-24 ((2m + 2) Σ|ak||x|^k + |R| (2n +
    /// 3) (1 + Σ|bk||x|^k)) / (1 + |B(x)|)`: a few ULP where the terms do not cancel, an
    /// absolute bound near the zeros of `P` (tests/rational.rs checks it). NaN inputs pass
    /// unchanged; a NaN made from numbers (NaN or infinite coefficients) is the positive quiet
    /// NaN on every ISA.
    ///
    /// # Panics
    /// If `numerator` is empty or has more than 9 coefficients, `denominator` more than 8, or
    /// `out.len() != x.len()`; the message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// // x / (1 + |x|), i.e. softsign:
    /// let x = [1.0_f32, -3.0, 0.0];
    /// let mut out = [0.0_f32; 3];
    /// k.rational(&x, &[0.0, 1.0], &[1.0], &mut out);
    /// assert_eq!(out, [0.5, -0.75, 0.0]);
    /// ```
    pub fn rational<T: Element>(
        self,
        x: &[T],
        numerator: &[f32],
        denominator: &[f32],
        out: &mut [T],
    ) {
        let body = rational_body("rational", numerator, denominator);
        self.map("rational", &body, x, out);
    }

    /// [`Kernels::rational`] in place.
    ///
    /// # Panics
    /// If `numerator` is empty or has more than 9 coefficients, or `denominator` more than 8.
    ///
    /// # Example
    /// ```
    /// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
    /// let mut x = [2.0_f32, -2.0];
    /// simd_activations::Kernels::detect().rational_inplace(&mut x, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B);
    /// assert!((x[0] - 2.0).abs() < 0.04 && (x[1] + 0.02).abs() < 0.04);
    /// ```
    pub fn rational_inplace<T: Element>(self, x: &mut [T], numerator: &[f32], denominator: &[f32]) {
        let body = rational_body("rational_inplace", numerator, denominator);
        self.map_inplace(&body, x);
    }
}

/// [`Kernels::rational`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::rational`].
///
/// # Example
/// ```
/// let x = [2.0_f32];
/// let mut out = [0.0_f32];
/// // (1 + x²) / (1 + |x|):
/// simd_activations::rational(&x, &[1.0, 0.0, 1.0], &[1.0], &mut out);
/// assert_eq!(out, [5.0 / 3.0]);
/// ```
pub fn rational<T: Element>(x: &[T], numerator: &[f32], denominator: &[f32], out: &mut [T]) {
    Kernels::global().rational(x, numerator, denominator, out);
}

/// [`Kernels::rational_inplace`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::rational_inplace`].
///
/// # Example
/// ```
/// let mut x = [f32::INFINITY, f32::NEG_INFINITY];
/// simd_activations::rational_inplace(&mut x, &[0.0, 2.0], &[1.0]);
/// assert_eq!(x, [2.0, -2.0]);
/// ```
pub fn rational_inplace<T: Element>(x: &mut [T], numerator: &[f32], denominator: &[f32]) {
    Kernels::global().rational_inplace(x, numerator, denominator);
}
