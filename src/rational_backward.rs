//! The backward pass of the safe rational activation (with the gradients of its coefficients,
//! as the Padé Activation Unit learns them): its public entry points. The body is
//! [`crate::ops::RationalBackward`], in f64 lanes; the coefficient gradients are reduced
//! deterministically ([`crate::reduce`]).

use crate::element::Element;
use crate::kernels::Kernels;
use crate::ops::{GateSlice, MAX_DENOMINATOR, MAX_NUMERATOR, RATIONAL_LANES, Rational};
use crate::ops::{RationalBackward, RationalLimits};
use crate::rational::rational_body;
use crate::reduce::{REDUCE_CHUNK, pairwise, round_sum, tree_sum};

/// Panics naming `name` unless the sizes fit: the coefficient counts as [`Kernels::rational`]
/// takes them, `grad_out` and `grad_in` as long as `x`, one gradient per coefficient.
pub(crate) fn check_rational_backward(
    name: &str,
    (x, grad_out, grad_in): (usize, usize, usize),
    (numerator, denominator): (&[f32], &[f32]),
    (grad_numerator, grad_denominator): (usize, usize),
) -> Rational {
    let body = rational_body(name, numerator, denominator);
    assert!(
        grad_out == x && grad_in == x,
        "simd_activations::{name}: x has {x} elements, grad_out {grad_out} and grad_in {grad_in}; all three must be equal"
    );
    assert!(
        grad_numerator == numerator.len() && grad_denominator == denominator.len(),
        "simd_activations::{name}: the coefficient gradients have {grad_numerator} and {grad_denominator} elements but the numerator has {} coefficients and the denominator {}",
        numerator.len(),
        denominator.len()
    );
    body
}

/// `|x|^e` as `|x| → inf`, times `c`: `c` itself for `e = 0`, `±inf` for `e > 0`, 0 for
/// `e < 0` (and 0 when `c` is 0, whatever `e`).
fn growth(c: f64, e: i32) -> f64 {
    match e {
        _ if c == 0.0 => 0.0,
        0 => c,
        e if e > 0 => c * f64::INFINITY,
        _ => 0.0,
    }
}

/// `sign^k` for `sign = ±1`.
fn power_of_sign(sign: f64, k: i32) -> f64 {
    if k.rem_euclid(2) == 0 { 1.0 } else { sign }
}

/// The limits at `x = ±inf` of `R'` and of the coefficient gradients' terms per unit of
/// `grad_out`, from the leading terms: with `d` and `n` the degrees of `P` and `A`, `β = |bn|`
/// (1 without a denominator), `R ~ (ad/β) x^d / |x|^n`, so `R' ~ ad (d - n)/β x^(d-1)/|x|^n`,
/// `x^k/Q ~ x^k / (β |x|^n)` and `R sign(A) x^j / Q ~ (ad/β²) sign(bn) x^(d+n+j) / |x|^(2n)`.
fn limits(body: &Rational, (nums, dens): (usize, usize)) -> RationalLimits {
    let degree = |len: usize| i32::try_from(len).expect("at most 9 coefficients");
    let d = degree(body.num_len) - 1;
    let n = degree(body.den_len);
    let ad = f64::from(body.a[body.num_len - 1]);
    let (beta, sign_bn) = match body.den_len {
        0 => (1.0, 0.0),
        len => {
            let bn = f64::from(body.b[len - 1]);
            (bn.abs(), bn.signum())
        }
    };
    let mut out = RationalLimits {
        derivative: [0.0; 2],
        terms: [[0.0; 2]; MAX_NUMERATOR + MAX_DENOMINATOR],
    };
    for (i, sign) in [1.0, -1.0].into_iter().enumerate() {
        let lead = ad * f64::from(d - n) / beta * power_of_sign(sign, d - 1);
        out.derivative[i] = growth(lead, d - 1 - n);
        for (k, term) in (0..).zip(&mut out.terms[..nums]) {
            term[i] = growth(power_of_sign(sign, k) / beta, k - n);
        }
        for (j, term) in (1..).zip(&mut out.terms[nums..nums + dens]) {
            let c = -ad / (beta * beta) * sign_bn * power_of_sign(sign, d + n + j);
            term[i] = growth(c, d + j - 2 * n);
        }
    }
    out
}

impl Kernels {
    /// The backward pass into `grad` and the coefficient gradients, sizes checked by the
    /// caller; the chunks' halves on rayon's `join` when `parallel` (the same bits).
    pub(crate) fn rational_backward_into<T: Element>(
        self,
        (x, body, coefficients): (&[T], &Rational, (&[f32], &[f32])),
        grad: GateSlice<'_, T>,
        (grad_numerator, grad_denominator): (&mut [f32], &mut [f32]),
        parallel: bool,
    ) {
        let counts = (coefficients.0.len(), coefficients.1.len());
        let limits = limits(body, counts);
        let mut acc = vec![0.0_f64; (counts.0 + counts.1) * RATIONAL_LANES];
        let leaf = |(x, grad), acc: &mut [f64]| {
            self.dispatch(RationalBackward {
                x,
                grad,
                body,
                limits: &limits,
                counts,
                acc,
            });
        };
        let chunks = x.len().div_ceil(REDUCE_CHUNK);
        tree_sum((x, grad), (chunks, REDUCE_CHUNK), parallel, &leaf, &mut acc);
        let mut rows = acc.chunks_exact(RATIONAL_LANES);
        for (g, row) in grad_numerator.iter_mut().zip(&mut rows) {
            *g = round_sum(pairwise(row));
        }
        for (g, row) in grad_denominator.iter_mut().zip(rows) {
            *g = round_sum(pairwise(row));
        }
    }

    /// The backward pass of [`Kernels::rational`], with the gradients of its coefficients (the
    /// Padé Activation Unit's training step): for `R = P/Q`, `Q = 1 + |A|`,
    /// `A(x) = b1 x + … + bn x^n`,
    /// `grad_in = grad_out · R'(x)` with `R' = (P' - R · sign(A) · A') / Q`,
    /// `grad_numerator[k] = Σ grad_out · x^k / Q` and
    /// `grad_denominator[k - 1] = Σ -grad_out · R · sign(A) · x^k / Q` over all elements.
    /// `sign(0) = 0`: where `A` is 0 (at `x = 0` always) the subgradient midway between the
    /// one-sided derivatives, as PyTorch's `sign` gives. Every coefficient passed gets its
    /// gradient, trailing zeros too. The coefficient gradients are overwritten, not
    /// accumulated into.
    ///
    /// Algorithm: one pass in f64 lanes (each f32 lane widened exactly): Horner with its
    /// derivative for `P` and `A`, one division for `1/Q`; `grad_in` rounded once to f32 (then
    /// to the element type); the coefficient terms built by repeated multiplication by `x` and
    /// each added to an f64 accumulator of its position modulo 64, in chunks of 16 Ki elements
    /// combined by a fixed pairwise tree (see `src/reduce.rs`), so every ISA, and
    /// [`crate::par::Par::rational_backward`] at any thread count, gives the same bits.
    ///
    /// Accuracy: `grad_in` within 1 ULP of the element type where `P'` and `R · sign(A) · A'`
    /// do not cancel; near a zero of `R'` within `2^-46 · |grad_out| (|P'|~ + |P|~ |A'|~ / Q) / Q`
    /// (`~`: the sums of the terms' absolute values, `|P|~ = Σ|ak| |x|^k`) plus 1 ULP. A coefficient gradient
    /// is within half an ULP of f32 of the exact sum plus `2^-44 · Σ|term|`. At `x = ±inf`
    /// each value is its limit (from the leading terms: `±inf`, a finite value or 0 by the
    /// degrees); `grad_out = 0` there with an infinite limit gives NaN. A finite `x` whose
    /// powers leave f64 (`|a8 x^8| > 1.8e308`, possible only with a degree-8 coefficient of
    /// magnitude about 1 or more and `|x| > 2^124`) gives ±inf or NaN. NaN in `x` or
    /// `grad_out` gives NaN in `grad_in` (the input's bits); a NaN term makes the coefficient
    /// gradients the positive quiet NaN on every ISA.
    ///
    /// Out of place, on this `Kernels`' ISA.
    ///
    /// # Panics
    /// As [`Kernels::rational`] for the coefficient counts; if `grad_out` or `grad_in` differ
    /// in length from `x`, or a coefficient gradient in length from its coefficients; the
    /// message names the function and the sizes.
    ///
    /// # Example
    /// ```
    /// let k = simd_activations::Kernels::detect();
    /// // R(x) = x / (1 + |x|): R'(1) = 1/4, d/da1 = x/Q = 1/2, d/db1 = -R x / Q = -1/4.
    /// let (x, grad_out) = ([1.0_f32], [1.0_f32]);
    /// let mut grad_in = [0.0_f32];
    /// let (mut grad_a, mut grad_b) = ([0.0_f32; 2], [0.0_f32]);
    /// k.rational_backward(&x, &grad_out, &[0.0, 1.0], &[1.0], &mut grad_in, (&mut grad_a, &mut grad_b));
    /// assert_eq!((grad_in, grad_a, grad_b), ([0.25], [0.5, 0.5], [-0.25]));
    /// ```
    pub fn rational_backward<T: Element>(
        self,
        x: &[T],
        grad_out: &[T],
        numerator: &[f32],
        denominator: &[f32],
        grad_in: &mut [T],
        grad_coefficients: (&mut [f32], &mut [f32]),
    ) {
        let sizes = (x.len(), grad_out.len(), grad_in.len());
        let counts = (grad_coefficients.0.len(), grad_coefficients.1.len());
        let coefficients = (numerator, denominator);
        let body = check_rational_backward("rational_backward", sizes, coefficients, counts);
        let grad = GateSlice::Separate {
            gate: grad_out,
            out: grad_in,
        };
        self.rational_backward_into((x, &body, coefficients), grad, grad_coefficients, false);
    }

    /// [`Kernels::rational_backward`] with `grad_in` written over `grad_out` (the same bits).
    ///
    /// # Panics
    /// As [`Kernels::rational_backward`], with `grad_out` in place of both gradients.
    ///
    /// # Example
    /// ```
    /// let x = [1.0_f32, -1.0];
    /// let mut grad = [2.0_f32, 2.0];
    /// let (mut grad_a, mut grad_b) = ([0.0_f32; 2], [0.0_f32]);
    /// simd_activations::Kernels::detect()
    ///     .rational_backward_inplace(&x, &mut grad, &[0.0, 1.0], &[1.0], (&mut grad_a, &mut grad_b));
    /// assert_eq!((grad, grad_a, grad_b), ([0.5, 0.5], [2.0, 0.0], [0.0]));
    /// ```
    pub fn rational_backward_inplace<T: Element>(
        self,
        x: &[T],
        grad_out: &mut [T],
        numerator: &[f32],
        denominator: &[f32],
        grad_coefficients: (&mut [f32], &mut [f32]),
    ) {
        let n = grad_out.len();
        let counts = (grad_coefficients.0.len(), grad_coefficients.1.len());
        let coefficients = (numerator, denominator);
        let body = check_rational_backward(
            "rational_backward_inplace",
            (x.len(), n, n),
            coefficients,
            counts,
        );
        let grad = GateSlice::InPlace(grad_out);
        self.rational_backward_into((x, &body, coefficients), grad, grad_coefficients, false);
    }
}

/// [`Kernels::rational_backward`] with the ISA chosen once per process ([`Kernels::global`]).
///
/// # Panics
/// As [`Kernels::rational_backward`].
///
/// # Example
/// ```
/// use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
/// let x = [3.0_f32];
/// let mut grad_in = [0.0_f32];
/// let (mut grad_a, mut grad_b) = ([0.0_f32; 6], [0.0_f32; 4]);
/// simd_activations::rational_backward(
///     &x, &[1.0], &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B, &mut grad_in, (&mut grad_a, &mut grad_b),
/// );
/// // The default coefficients approximate leaky ReLU: slope about 1 at x = 3.
/// assert!((grad_in[0] - 1.0).abs() < 0.1);
/// ```
pub fn rational_backward<T: Element>(
    x: &[T],
    grad_out: &[T],
    numerator: &[f32],
    denominator: &[f32],
    grad_in: &mut [T],
    grad_coefficients: (&mut [f32], &mut [f32]),
) {
    Kernels::global().rational_backward(
        x,
        grad_out,
        numerator,
        denominator,
        grad_in,
        grad_coefficients,
    );
}

/// [`Kernels::rational_backward_inplace`] with the ISA chosen once per process.
///
/// # Panics
/// As [`Kernels::rational_backward_inplace`].
///
/// # Example
/// ```
/// let x = [0.0_f32];
/// let mut grad = [1.0_f32];
/// let (mut grad_a, mut grad_b) = ([0.0_f32; 2], [0.0_f32]);
/// // R(x) = 1 + 2x over 1 + |x|, at 0 (sign(0) = 0): R'(0) = 2.
/// simd_activations::rational_backward_inplace(&x, &mut grad, &[1.0, 2.0], &[1.0], (&mut grad_a, &mut grad_b));
/// assert_eq!((grad, grad_a, grad_b), ([2.0], [1.0, 0.0], [0.0]));
/// ```
pub fn rational_backward_inplace<T: Element>(
    x: &[T],
    grad_out: &mut [T],
    numerator: &[f32],
    denominator: &[f32],
    grad_coefficients: (&mut [f32], &mut [f32]),
) {
    Kernels::global().rational_backward_inplace(
        x,
        grad_out,
        numerator,
        denominator,
        grad_coefficients,
    );
}
