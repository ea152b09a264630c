//! Scalar f64 reference implementations of every op: the "exact" values the ULP checks compare
//! against. They favour accuracy over speed (no cancellation in the tails, libm's erf/erfc).
//!
//! # Example
//! ```
//! let exact = simd_activations::reference::silu(-3.0);
//! assert!((exact + 0.142_277_619).abs() < 1e-9);
//! ```

/// `e^x`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (1.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::exp_inplace(&mut y);
/// let exact = simd_activations::reference::exp(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 1.0);
/// ```
pub fn exp(x: f64) -> f64 {
    x.exp()
}

/// `1 / (1 + e^-x)`, written so neither side cancels or overflows.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::sigmoid_inplace(&mut y);
/// let exact = simd_activations::reference::sigmoid(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `tanh x`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::tanh_inplace(&mut y);
/// let exact = simd_activations::reference::tanh(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn tanh(x: f64) -> f64 {
    x.tanh()
}

/// `erf x` (libm's f64 erf, under 1 ULP of f64).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::erf_inplace(&mut y);
/// let exact = simd_activations::reference::erf(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// `x · sigmoid(x)`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::silu_inplace(&mut y);
/// let exact = simd_activations::reference::silu(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn silu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        -0.0
    } else {
        x * sigmoid(x)
    }
}

/// `x · sigmoid(beta x)`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::swish_inplace(&mut y, 1.0_f32);
/// let exact = simd_activations::reference::swish(f64::from(0.7_f32), f64::from(1.0_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn swish(x: f64, beta: f64) -> f64 {
    let s = sigmoid(beta * x);
    if s == 0.0 { 0.0 * x.signum() } else { x * s }
}

/// `x Φ(x) = x erfc(-x/√2) / 2`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::gelu_inplace(&mut y);
/// let exact = simd_activations::reference::gelu(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn gelu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        -0.0
    } else {
        x * 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
    }
}

/// `x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)))`, evaluated as `x sigmoid(2u)` so the negative tail
/// does not cancel.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::gelu_tanh_inplace(&mut y);
/// let exact = simd_activations::reference::gelu_tanh(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn gelu_tanh(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        return -0.0;
    }
    let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
    x * sigmoid(2.0 * u)
}

/// `max(x, 0)`, with `relu(-0) = -0` and `relu(NaN) = NaN` like the kernel.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (0.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::relu_inplace(&mut y);
/// let exact = simd_activations::reference::relu(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 0.0);
/// ```
pub fn relu(x: f64) -> f64 {
    if x < 0.0 { 0.0 } else { x }
}

/// `x >= threshold ? 1 : 0` (NaN stays NaN).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (0.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::step_inplace(&mut y, 0.0_f32);
/// let exact = simd_activations::reference::step(f64::from(0.7_f32), f64::from(0.0_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 0.0);
/// ```
pub fn step(x: f64, threshold: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x >= threshold {
        1.0
    } else {
        0.0
    }
}

/// `min(max(x, 0), 6)`, with `relu6(-0) = -0` like [`relu`].
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (0.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::relu6_inplace(&mut y);
/// let exact = simd_activations::reference::relu6(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 0.0);
/// ```
pub fn relu6(x: f64) -> f64 {
    if x > 6.0 { 6.0 } else { relu(x) }
}

/// `x < 0 ? alpha x : x`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (0.5 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::leaky_relu_inplace(&mut y, 0.01_f32);
/// let exact = simd_activations::reference::leaky_relu(f64::from(0.7_f32), f64::from(0.01_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 0.5);
/// ```
pub fn leaky_relu(x: f64, alpha: f64) -> f64 {
    if x < 0.0 { alpha * x } else { x }
}

/// Randomized leaky ReLU in inference mode: `x < 0 ? (lower + upper)/2 · x : x`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (1.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::rrelu_inplace(&mut y, 0.125_f32, 0.3333333333333333_f32);
/// let exact = simd_activations::reference::rrelu(f64::from(0.7_f32), f64::from(0.125_f32), f64::from(0.3333333333333333_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 1.0);
/// ```
pub fn rrelu(x: f64, lower: f64, upper: f64) -> f64 {
    leaky_relu(x, (lower + upper) / 2.0)
}

/// `x >= 0 ? x : alpha (e^x - 1)`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::elu_inplace(&mut y, 1.0_f32);
/// let exact = simd_activations::reference::elu(f64::from(0.7_f32), f64::from(1.0_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn elu(x: f64, alpha: f64) -> f64 {
    if x >= 0.0 || x.is_nan() {
        x
    } else {
        alpha * libm::expm1(x)
    }
}

/// SELU: `lambda · elu(x, alpha)` with the constants of Klambauer et al. (2017).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::selu_inplace(&mut y);
/// let exact = simd_activations::reference::selu(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn selu(x: f64) -> f64 {
    const LAMBDA: f64 = 1.050_700_987_355_480_5;
    const ALPHA: f64 = 1.673_263_242_354_377_3;
    LAMBDA * elu(x, ALPHA)
}

/// `x >= 0 ? x : alpha (e^(x/alpha) - 1)`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::celu_inplace(&mut y, 1.0_f32);
/// let exact = simd_activations::reference::celu(f64::from(0.7_f32), f64::from(1.0_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn celu(x: f64, alpha: f64) -> f64 {
    if x >= 0.0 || x.is_nan() {
        x
    } else {
        alpha * libm::expm1(x / alpha)
    }
}

/// `ln(1 + e^z)` without overflow or cancellation: `max(z, 0) + ln(1 + e^-|z|)`.
fn ln_one_plus_exp(z: f64) -> f64 {
    z.max(0.0) + libm::log1p((-z.abs()).exp())
}

/// `beta x > threshold ? x : ln(1 + e^(beta x)) / beta` (PyTorch's softplus).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::softplus_inplace(&mut y, 1.0_f32, 20.0_f32);
/// let exact = simd_activations::reference::softplus(f64::from(0.7_f32), f64::from(1.0_f32), f64::from(20.0_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn softplus(x: f64, beta: f64, threshold: f64) -> f64 {
    if x.is_nan() || beta * x > threshold {
        x
    } else {
        ln_one_plus_exp(beta * x) / beta
    }
}

/// `ln sigmoid(x) = -ln(1 + e^-x)`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::log_sigmoid_inplace(&mut y);
/// let exact = simd_activations::reference::log_sigmoid(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn log_sigmoid(x: f64) -> f64 {
    if x.is_nan() { x } else { -ln_one_plus_exp(-x) }
}

/// `x tanh(ln(1 + e^x))`, with `mish(-inf) = -0` (the limit).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::mish_inplace(&mut y);
/// let exact = simd_activations::reference::mish(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn mish(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        -0.0
    } else {
        x * ln_one_plus_exp(x).tanh()
    }
}

/// `relu6(x + 3) / 6`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (1.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::hard_sigmoid_inplace(&mut y);
/// let exact = simd_activations::reference::hard_sigmoid(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 1.0);
/// ```
pub fn hard_sigmoid(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        (x + 3.0).clamp(0.0, 6.0) / 6.0
    }
}

/// `x relu6(x + 3) / 6`, with `-0` for every `x <= -3` (`-inf` included, the limit).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (1.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::hard_swish_inplace(&mut y);
/// let exact = simd_activations::reference::hard_swish(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 1.0);
/// ```
pub fn hard_swish(x: f64) -> f64 {
    if x.is_nan() || x >= 3.0 {
        x
    } else if x <= -3.0 {
        -0.0
    } else {
        x * (x + 3.0) / 6.0
    }
}

/// `max(x, 0)²`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (0.5 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::squared_relu_inplace(&mut y);
/// let exact = simd_activations::reference::squared_relu(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 0.5);
/// ```
pub fn squared_relu(x: f64) -> f64 {
    relu(x) * relu(x)
}

/// StarReLU: `scale · max(x, 0)² + bias`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (1.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::star_relu_inplace(&mut y, 0.8944_f32, -0.4472_f32);
/// let exact = simd_activations::reference::star_relu(f64::from(0.7_f32), f64::from(0.8944_f32), f64::from(-0.4472_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 1.0);
/// ```
pub fn star_relu(x: f64, scale: f64, bias: f64) -> f64 {
    scale * squared_relu(x) + bias
}

/// `x sigmoid(beta x)` with `beta` the f32 value of 1.702 the kernel is defined with
/// ([`crate::catalogue::consts::GELU_SIGMOID_BETA`]).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (2.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::gelu_sigmoid_inplace(&mut y);
/// let exact = simd_activations::reference::gelu_sigmoid(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 2.0);
/// ```
pub fn gelu_sigmoid(x: f64) -> f64 {
    swish(x, f64::from(crate::catalogue::consts::GELU_SIGMOID_BETA))
}

/// `x / (1 + |x|)`, `±1` at `±inf`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (1.0 ULP) of this reference.
/// let mut y = [0.7_f32];
/// simd_activations::softsign_inplace(&mut y);
/// let exact = simd_activations::reference::softsign(f64::from(0.7_f32));
/// assert!(simd_activations::ulp::ulp_distance(y[0], exact) <= 1.0);
/// ```
pub fn softsign(x: f64) -> f64 {
    if x.is_infinite() {
        x.signum()
    } else {
        x / (1.0 + x.abs())
    }
}

/// GLU: `sigmoid(gate) · up`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (3.0 ULP) of this reference.
/// let mut out = [0.0_f32];
/// simd_activations::glu(&[0.7], &[-1.3], &mut out);
/// let exact = simd_activations::reference::glu(f64::from(0.7_f32), f64::from(-1.3_f32));
/// assert!(simd_activations::ulp::ulp_distance(out[0], exact) <= 3.0);
/// ```
pub fn glu(gate: f64, up: f64) -> f64 {
    sigmoid(gate) * up
}

/// SwiGLU: `silu(gate) · up`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (3.0 ULP) of this reference.
/// let mut out = [0.0_f32];
/// simd_activations::swiglu(&[0.7], &[-1.3], &mut out);
/// let exact = simd_activations::reference::swiglu(f64::from(0.7_f32), f64::from(-1.3_f32));
/// assert!(simd_activations::ulp::ulp_distance(out[0], exact) <= 3.0);
/// ```
pub fn swiglu(gate: f64, up: f64) -> f64 {
    silu(gate) * up
}

/// GeGLU: `gelu(gate) · up` (erf form).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (3.0 ULP) of this reference.
/// let mut out = [0.0_f32];
/// simd_activations::geglu(&[0.7], &[-1.3], &mut out);
/// let exact = simd_activations::reference::geglu(f64::from(0.7_f32), f64::from(-1.3_f32));
/// assert!(simd_activations::ulp::ulp_distance(out[0], exact) <= 3.0);
/// ```
pub fn geglu(gate: f64, up: f64) -> f64 {
    gelu(gate) * up
}

/// GeGLU with the tanh form of GELU: `gelu_tanh(gate) · up`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (3.0 ULP) of this reference.
/// let mut out = [0.0_f32];
/// simd_activations::geglu_tanh(&[0.7], &[-1.3], &mut out);
/// let exact = simd_activations::reference::geglu_tanh(f64::from(0.7_f32), f64::from(-1.3_f32));
/// assert!(simd_activations::ulp::ulp_distance(out[0], exact) <= 3.0);
/// ```
pub fn geglu_tanh(gate: f64, up: f64) -> f64 {
    gelu_tanh(gate) * up
}

/// ReGLU: `relu(gate) · up`.
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (0.5 ULP) of this reference.
/// let mut out = [0.0_f32];
/// simd_activations::reglu(&[0.7], &[-1.3], &mut out);
/// let exact = simd_activations::reference::reglu(f64::from(0.7_f32), f64::from(-1.3_f32));
/// assert!(simd_activations::ulp::ulp_distance(out[0], exact) <= 0.5);
/// ```
pub fn reglu(gate: f64, up: f64) -> f64 {
    relu(gate) * up
}

/// GPT-OSS's clamped SwiGLU: `g = min(gate, limit)`, `u = clamp(up, -limit, limit)`,
/// `g · sigmoid(alpha · g) · (u + 1)` (NaN propagates through the clamps; a negative limit
/// clamps every `up` to `limit`, as PyTorch's `clamp` with `min > max`; a NaN limit clamps
/// nothing).
///
/// # Example
/// ```
/// // The f32 kernel is within its catalogue budget (3.0 ULP) of this reference.
/// let mut out = [0.0_f32];
/// simd_activations::swiglu_oai(&[0.7], &[-1.3], 1.702_f32, 7.0_f32, &mut out);
/// let exact = simd_activations::reference::swiglu_oai(f64::from(0.7_f32), f64::from(-1.3_f32), f64::from(1.702_f32), f64::from(7.0_f32));
/// assert!(simd_activations::ulp::ulp_distance(out[0], exact) <= 3.0);
/// ```
pub fn swiglu_oai(gate: f64, up: f64, alpha: f64, limit: f64) -> f64 {
    let g = if gate > limit { limit } else { gate };
    swish(g, alpha) * (clamp_up(up, limit) + 1.0)
}

/// `min(max(up, -limit), limit)`, as PyTorch's `clamp(up, -limit, limit)`: a negative limit
/// gives `limit` everywhere (`min > max`), a NaN limit or up leaves `up` as it is.
fn clamp_up(up: f64, limit: f64) -> f64 {
    let u = if up < -limit { -limit } else { up };
    if u > limit { limit } else { u }
}

/// The row's max and `ln Σ e^(x - max)` as `ln_1p` of the sum without one of the max terms
/// (exact near 0, where one entry dominates); `None` for a row with a NaN or of all `-inf`.
/// `+inf` entries are the limit: they count as the max and every finite entry as `-inf`.
fn softmax_parts(row: &[f64]) -> Option<(f64, f64)> {
    if row.iter().any(|v| v.is_nan()) {
        return None;
    }
    let max = row.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if max == f64::NEG_INFINITY {
        return None;
    }
    let ties = row.iter().filter(|&&v| v == max).count();
    #[expect(
        clippy::cast_precision_loss,
        reason = "a count of row elements, far below 2^53"
    )]
    let rest = (ties - 1) as f64
        + row
            .iter()
            .filter(|&&v| v != max)
            .map(|&v| (v - max).exp())
            .sum::<f64>();
    Some((max, rest.ln_1p()))
}

/// `x - max` with the limit where both are `+inf` (0).
fn minus_max(v: f64, max: f64) -> f64 {
    if v == max { 0.0 } else { v - max }
}

/// `softmax(x)_i = e^(x_i - max) / Σ_j e^(x_j - max)` of one row, in f64 (NaN everywhere for a
/// row with a NaN or of all `-inf`; `+inf` entries share the row equally).
///
/// # Example
/// ```
/// let p = simd_activations::reference::softmax(&[0.0, 2.0_f64.ln()]);
/// assert!((p[1] - 2.0 / 3.0).abs() < 1e-15);
/// ```
pub fn softmax(row: &[f64]) -> Vec<f64> {
    match softmax_parts(row) {
        None => vec![f64::NAN; row.len()],
        Some((max, ln_sum)) => row
            .iter()
            .map(|&v| (minus_max(v, max) - ln_sum).exp())
            .collect(),
    }
}

/// `log_softmax(x)_i = (x_i - max) - ln Σ_j e^(x_j - max)` of one row, in f64 (NaN everywhere
/// for a row with a NaN or of all `-inf`).
///
/// # Example
/// ```
/// let l = simd_activations::reference::log_softmax(&[1.0, 1.0]);
/// assert_eq!(l, [-std::f64::consts::LN_2; 2]);
/// ```
pub fn log_softmax(row: &[f64]) -> Vec<f64> {
    match softmax_parts(row) {
        None => vec![f64::NAN; row.len()],
        Some((max, ln_sum)) => row.iter().map(|&v| minus_max(v, max) - ln_sum).collect(),
    }
}

/// The safe rational activation `P(x) / (1 + |b1 x + … + bn x^n|)`, `P(x) = a0 + a1 x + …`
/// (`a` = `[a0, …]`, `b` = `[b1, …]`), by Horner's rule in f64; `±inf` gives the limit.
///
/// # Example
/// ```
/// let r = simd_activations::reference::rational(2.0, &[0.0, 1.0], &[1.0]);
/// assert_eq!(r, 2.0 / 3.0);
/// ```
pub fn rational(x: f64, a: &[f64], b: &[f64]) -> f64 {
    let horner = |c: &[f64], t: f64| match c.split_last() {
        None => 0.0,
        Some((&lead, rest)) => rest.iter().rev().fold(lead, |acc, &ck| acc * t + ck),
    };
    let m = a.iter().rposition(|&c| c != 0.0).unwrap_or(0);
    let n = b.iter().rposition(|&c| c != 0.0).map_or(0, |i| i + 1);
    if n == 0 {
        return horner(&a[..=m], x);
    }
    if x.abs() <= 1.0 {
        return horner(&a[..=m], x) / (1.0 + (x * horner(&b[..n], x)).abs());
    }
    // |x| > 1: in t = 1/x, R = sign(x)^m |x|^(m-n) P~(t) / (|t|^n + |B~(t)|) with the reversed
    // polynomials (no overflow of the powers; t = 0 at ±inf gives the limit).
    let t = 1.0 / x;
    let p_rev: Vec<f64> = a[..=m].iter().rev().copied().collect();
    let b_rev: Vec<f64> = b[..n].iter().rev().copied().collect();
    let exponent = |k: usize| i32::try_from(k).expect("degree <= 8");
    let r = horner(&p_rev, t) / (t.abs().powi(exponent(n)) + horner(&b_rev, t).abs());
    let scale = if m >= n {
        x.abs().powi(exponent(m - n))
    } else {
        t.abs().powi(exponent(n - m))
    };
    let sign = if m % 2 == 1 && x < 0.0 { -1.0 } else { 1.0 };
    sign * r * scale
}

// ------------------------------------------------------------ derivatives (backward passes)
// PyTorch's conventions at the kinks: the derivative at a kink is that of the side named.

/// `sigmoid(x) sigmoid(-x)`, the derivative of [`sigmoid`].
///
/// # Example
/// ```
/// use simd_activations::reference::{sigmoid, sigmoid_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (sigmoid(x + h) - sigmoid(x - h)) / (2.0 * h);
/// assert!((sigmoid_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn sigmoid_derivative(x: f64) -> f64 {
    sigmoid(x) * sigmoid(-x)
}

/// `e^x`, the derivative of [`exp`].
///
/// # Example
/// ```
/// use simd_activations::reference::{exp, exp_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (exp(x + h) - exp(x - h)) / (2.0 * h);
/// assert!((exp_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn exp_derivative(x: f64) -> f64 {
    x.exp()
}

/// `1 - tanh² x = 4 sigmoid'(2x)`, the derivative of [`tanh`].
///
/// # Example
/// ```
/// use simd_activations::reference::{tanh, tanh_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (tanh(x + h) - tanh(x - h)) / (2.0 * h);
/// assert!((tanh_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn tanh_derivative(x: f64) -> f64 {
    4.0 * sigmoid_derivative(2.0 * x)
}

/// `sigmoid(bx) + bx sigmoid'(bx)`, the derivative of [`swish`] (0 · inf taken as 0).
///
/// # Example
/// ```
/// use simd_activations::reference::{swish, swish_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (swish(x + h, 1.0) - swish(x - h, 1.0)) / (2.0 * h);
/// assert!((swish_derivative(x, 1.0) - slope).abs() < 1e-6);
/// ```
pub fn swish_derivative(x: f64, beta: f64) -> f64 {
    let z = beta * x;
    let d = sigmoid_derivative(z);
    if d == 0.0 {
        sigmoid(z)
    } else {
        sigmoid(z) + z * d
    }
}

/// The derivative of [`silu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{silu, silu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (silu(x + h) - silu(x - h)) / (2.0 * h);
/// assert!((silu_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn silu_derivative(x: f64) -> f64 {
    swish_derivative(x, 1.0)
}

/// The derivative of [`gelu_sigmoid`].
///
/// # Example
/// ```
/// use simd_activations::reference::{gelu_sigmoid, gelu_sigmoid_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (gelu_sigmoid(x + h) - gelu_sigmoid(x - h)) / (2.0 * h);
/// assert!((gelu_sigmoid_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn gelu_sigmoid_derivative(x: f64) -> f64 {
    swish_derivative(x, f64::from(crate::catalogue::consts::GELU_SIGMOID_BETA))
}

/// `x > 0 ? 1 : 0`, the derivative of [`relu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{relu, relu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (relu(x + h) - relu(x - h)) / (2.0 * h);
/// assert!((relu_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn relu_derivative(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        1.0
    } else {
        0.0
    }
}

/// `0`, the derivative of [`step`] (NaN for NaN).
///
/// # Example
/// ```
/// use simd_activations::reference::{step, step_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (step(x + h, 0.0) - step(x - h, 0.0)) / (2.0 * h);
/// assert!((step_derivative(x, 0.0) - slope).abs() < 1e-6);
/// ```
pub fn step_derivative(x: f64, _threshold: f64) -> f64 {
    if x.is_nan() { x } else { 0.0 }
}

/// `0 < x < 6 ? 1 : 0`, the derivative of [`relu6`].
///
/// # Example
/// ```
/// use simd_activations::reference::{relu6, relu6_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (relu6(x + h) - relu6(x - h)) / (2.0 * h);
/// assert!((relu6_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn relu6_derivative(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 && x < 6.0 {
        1.0
    } else {
        0.0
    }
}

/// `x > 0 ? 1 : alpha`, the derivative of [`leaky_relu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{leaky_relu, leaky_relu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (leaky_relu(x + h, 1.0) - leaky_relu(x - h, 1.0)) / (2.0 * h);
/// assert!((leaky_relu_derivative(x, 1.0) - slope).abs() < 1e-6);
/// ```
pub fn leaky_relu_derivative(x: f64, alpha: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        1.0
    } else {
        alpha
    }
}

/// The derivative of [`rrelu`] in inference mode, the slope rounded to f32 as the kernel does.
///
/// # Example
/// ```
/// use simd_activations::reference::{rrelu, rrelu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (rrelu(x + h, 0.125, 0.333) - rrelu(x - h, 0.125, 0.333)) / (2.0 * h);
/// assert!((rrelu_derivative(x, 0.125, 0.333) - slope).abs() < 1e-6);
/// ```
pub fn rrelu_derivative(x: f64, lower: f64, upper: f64) -> f64 {
    #[expect(clippy::cast_possible_truncation, reason = "the kernel's f32 slope")]
    let slope = f64::from((lower as f32 + upper as f32) * 0.5);
    leaky_relu_derivative(x, slope)
}

/// `x > 0 ? 1 : alpha e^x`, the derivative of [`elu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{elu, elu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (elu(x + h, 1.0) - elu(x - h, 1.0)) / (2.0 * h);
/// assert!((elu_derivative(x, 1.0) - slope).abs() < 1e-6);
/// ```
pub fn elu_derivative(x: f64, alpha: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        1.0
    } else {
        alpha * x.exp()
    }
}

/// `x > 0 ? lambda : lambda alpha e^x`, the derivative of [`selu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{selu, selu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (selu(x + h) - selu(x - h)) / (2.0 * h);
/// assert!((selu_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn selu_derivative(x: f64) -> f64 {
    const LAMBDA: f64 = 1.050_700_987_355_480_5;
    const ALPHA: f64 = 1.673_263_242_354_377_3;
    LAMBDA * elu_derivative(x, ALPHA)
}

/// `x > 0 ? 1 : e^(x/alpha)`, the derivative of [`celu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{celu, celu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (celu(x + h, 1.0) - celu(x - h, 1.0)) / (2.0 * h);
/// assert!((celu_derivative(x, 1.0) - slope).abs() < 1e-6);
/// ```
pub fn celu_derivative(x: f64, alpha: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        1.0
    } else {
        (x / alpha).exp()
    }
}

/// `sigmoid(beta x)`, 1 where `beta x > threshold`: the derivative of [`softplus`].
///
/// # Example
/// ```
/// use simd_activations::reference::{softplus, softplus_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (softplus(x + h, 1.0, 20.0) - softplus(x - h, 1.0, 20.0)) / (2.0 * h);
/// assert!((softplus_derivative(x, 1.0, 20.0) - slope).abs() < 1e-6);
/// ```
pub fn softplus_derivative(x: f64, beta: f64, threshold: f64) -> f64 {
    if x.is_nan() {
        x
    } else if beta * x > threshold {
        1.0
    } else {
        sigmoid(beta * x)
    }
}

/// `sigmoid(-x)`, the derivative of [`log_sigmoid`].
///
/// # Example
/// ```
/// use simd_activations::reference::{log_sigmoid, log_sigmoid_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (log_sigmoid(x + h) - log_sigmoid(x - h)) / (2.0 * h);
/// assert!((log_sigmoid_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn log_sigmoid_derivative(x: f64) -> f64 {
    sigmoid(-x)
}

/// `-3 < x < 3 ? 1/6 : 0`, the derivative of [`hard_sigmoid`].
///
/// # Example
/// ```
/// use simd_activations::reference::{hard_sigmoid, hard_sigmoid_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (hard_sigmoid(x + h) - hard_sigmoid(x - h)) / (2.0 * h);
/// assert!((hard_sigmoid_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn hard_sigmoid_derivative(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x.abs() < 3.0 {
        1.0 / 6.0
    } else {
        0.0
    }
}

/// `x < -3 ? 0 : x <= 3 ? (2x + 3)/6 : 1`, the derivative of [`hard_swish`] (PyTorch's sides).
///
/// # Example
/// ```
/// use simd_activations::reference::{hard_swish, hard_swish_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (hard_swish(x + h) - hard_swish(x - h)) / (2.0 * h);
/// assert!((hard_swish_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn hard_swish_derivative(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x < -3.0 {
        0.0
    } else if x <= 3.0 {
        (2.0 * x + 3.0) / 6.0
    } else {
        1.0
    }
}

/// `x > 0 ? 2x : 0`, the derivative of [`squared_relu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{squared_relu, squared_relu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (squared_relu(x + h) - squared_relu(x - h)) / (2.0 * h);
/// assert!((squared_relu_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn squared_relu_derivative(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        2.0 * x
    } else {
        0.0
    }
}

/// `x > 0 ? 2 scale x : 0`, the derivative of [`star_relu`].
///
/// # Example
/// ```
/// use simd_activations::reference::{star_relu, star_relu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (star_relu(x + h, 0.8944, -0.4472) - star_relu(x - h, 0.8944, -0.4472)) / (2.0 * h);
/// assert!((star_relu_derivative(x, 0.8944, -0.4472) - slope).abs() < 1e-6);
/// ```
pub fn star_relu_derivative(x: f64, scale: f64, _bias: f64) -> f64 {
    if x.is_nan() {
        x
    } else if x > 0.0 {
        2.0 * scale * x
    } else {
        0.0
    }
}

/// `1 / (1 + |x|)²`, the derivative of [`softsign`].
///
/// # Example
/// ```
/// use simd_activations::reference::{softsign, softsign_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (softsign(x + h) - softsign(x - h)) / (2.0 * h);
/// assert!((softsign_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn softsign_derivative(x: f64) -> f64 {
    let r = 1.0 / (1.0 + x.abs());
    r * r
}

/// `(2/√π) e^(-x²)`, the derivative of [`erf`].
///
/// # Example
/// ```
/// use simd_activations::reference::{erf, erf_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (erf(x + h) - erf(x - h)) / (2.0 * h);
/// assert!((erf_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn erf_derivative(x: f64) -> f64 {
    std::f64::consts::FRAC_2_SQRT_PI * (-x * x).exp()
}

/// `Φ(x) + x φ(x)`, the derivative of [`gelu`] (0 at -inf, 1 at +inf).
///
/// # Example
/// ```
/// use simd_activations::reference::{gelu, gelu_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (gelu(x + h) - gelu(x - h)) / (2.0 * h);
/// assert!((gelu_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn gelu_derivative(x: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let cdf = 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2);
    let pdf = (-0.5 * x * x).exp() / (2.0 * std::f64::consts::PI).sqrt();
    cdf + x * pdf
}

/// `sigmoid(2u) + 2 x u'(x) sigmoid'(2u)`, `u = √(2/π)(x + 0.044715 x³)`, the derivative of
/// [`gelu_tanh`] (0 · inf taken as 0).
///
/// # Example
/// ```
/// use simd_activations::reference::{gelu_tanh, gelu_tanh_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (gelu_tanh(x + h) - gelu_tanh(x - h)) / (2.0 * h);
/// assert!((gelu_tanh_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn gelu_tanh_derivative(x: f64) -> f64 {
    let k = (2.0 / std::f64::consts::PI).sqrt();
    let z = 2.0 * k * (x + 0.044715 * x * x * x);
    let w = 2.0 * k * x * (1.0 + 3.0 * 0.044715 * x * x);
    let d = sigmoid_derivative(z);
    if d == 0.0 {
        sigmoid(z)
    } else {
        sigmoid(z) + w * d
    }
}

/// `tanh(sp) + x sigmoid(x) sech²(sp)`, `sp = ln(1 + e^x)`, the derivative of [`mish`] (0 at
/// -inf, 1 at +inf).
///
/// # Example
/// ```
/// use simd_activations::reference::{mish, mish_derivative};
/// // A central difference of the function agrees with the derivative.
/// let (x, h) = (0.7, 1e-5);
/// let slope = (mish(x + h) - mish(x - h)) / (2.0 * h);
/// assert!((mish_derivative(x) - slope).abs() < 1e-6);
/// ```
pub fn mish_derivative(x: f64) -> f64 {
    if x.is_infinite() {
        return if x > 0.0 { 1.0 } else { 0.0 };
    }
    let sp = ln_one_plus_exp(x);
    let sech = 1.0 / sp.cosh();
    sp.tanh() + x * sigmoid(x) * sech * sech
}

// ------------------------------------------------- partial derivatives of the gated ops

/// `(∂/∂gate, ∂/∂up)` of [`glu`]: `(up · sigmoid'(gate), sigmoid(gate))`.
///
/// # Example
/// ```
/// use simd_activations::reference::{glu, glu_partials};
/// // Central differences of the gated function agree with both partials.
/// let (g, u, h) = (0.7, -1.3, 1e-5);
/// let (dg, du) = glu_partials(g, u);
/// assert!((dg - (glu(g + h, u) - glu(g - h, u)) / (2.0 * h)).abs() < 1e-6);
/// assert!((du - (glu(g, u + h) - glu(g, u - h)) / (2.0 * h)).abs() < 1e-6);
/// ```
pub fn glu_partials(gate: f64, up: f64) -> (f64, f64) {
    (up * sigmoid_derivative(gate), sigmoid(gate))
}

/// `(∂/∂gate, ∂/∂up)` of [`swiglu`]: `(up · silu'(gate), silu(gate))`.
///
/// # Example
/// ```
/// use simd_activations::reference::{swiglu, swiglu_partials};
/// // Central differences of the gated function agree with both partials.
/// let (g, u, h) = (0.7, -1.3, 1e-5);
/// let (dg, du) = swiglu_partials(g, u);
/// assert!((dg - (swiglu(g + h, u) - swiglu(g - h, u)) / (2.0 * h)).abs() < 1e-6);
/// assert!((du - (swiglu(g, u + h) - swiglu(g, u - h)) / (2.0 * h)).abs() < 1e-6);
/// ```
pub fn swiglu_partials(gate: f64, up: f64) -> (f64, f64) {
    (up * silu_derivative(gate), silu(gate))
}

/// `(∂/∂gate, ∂/∂up)` of [`geglu`]: `(up · gelu'(gate), gelu(gate))`.
///
/// # Example
/// ```
/// use simd_activations::reference::{geglu, geglu_partials};
/// // Central differences of the gated function agree with both partials.
/// let (g, u, h) = (0.7, -1.3, 1e-5);
/// let (dg, du) = geglu_partials(g, u);
/// assert!((dg - (geglu(g + h, u) - geglu(g - h, u)) / (2.0 * h)).abs() < 1e-6);
/// assert!((du - (geglu(g, u + h) - geglu(g, u - h)) / (2.0 * h)).abs() < 1e-6);
/// ```
pub fn geglu_partials(gate: f64, up: f64) -> (f64, f64) {
    (up * gelu_derivative(gate), gelu(gate))
}

/// `(∂/∂gate, ∂/∂up)` of [`geglu_tanh`]: `(up · gelu_tanh'(gate), gelu_tanh(gate))`.
///
/// # Example
/// ```
/// use simd_activations::reference::{geglu_tanh, geglu_tanh_partials};
/// // Central differences of the gated function agree with both partials.
/// let (g, u, h) = (0.7, -1.3, 1e-5);
/// let (dg, du) = geglu_tanh_partials(g, u);
/// assert!((dg - (geglu_tanh(g + h, u) - geglu_tanh(g - h, u)) / (2.0 * h)).abs() < 1e-6);
/// assert!((du - (geglu_tanh(g, u + h) - geglu_tanh(g, u - h)) / (2.0 * h)).abs() < 1e-6);
/// ```
pub fn geglu_tanh_partials(gate: f64, up: f64) -> (f64, f64) {
    (up * gelu_tanh_derivative(gate), gelu_tanh(gate))
}

/// `(∂/∂gate, ∂/∂up)` of [`reglu`]: `(up · relu'(gate), relu(gate))`.
///
/// # Example
/// ```
/// use simd_activations::reference::{reglu, reglu_partials};
/// // Central differences of the gated function agree with both partials.
/// let (g, u, h) = (0.7, -1.3, 1e-5);
/// let (dg, du) = reglu_partials(g, u);
/// assert!((dg - (reglu(g + h, u) - reglu(g - h, u)) / (2.0 * h)).abs() < 1e-6);
/// assert!((du - (reglu(g, u + h) - reglu(g, u - h)) / (2.0 * h)).abs() < 1e-6);
/// ```
pub fn reglu_partials(gate: f64, up: f64) -> (f64, f64) {
    (up * relu_derivative(gate), relu(gate))
}

/// `(∂/∂gate, ∂/∂up)` of [`swiglu_oai`]: `(swish'(g) (u + 1), swish(g))`, each 0 where its clamp
/// is active (PyTorch's convention: the bounds count as inside); NaN where `up` is NaN.
///
/// # Example
/// ```
/// use simd_activations::reference::{swiglu_oai, swiglu_oai_partials};
/// // Central differences of the gated function agree with both partials.
/// let (g, u, h) = (0.7, -1.3, 1e-5);
/// let (dg, du) = swiglu_oai_partials(g, u, 1.702, 7.0);
/// assert!((dg - (swiglu_oai(g + h, u, 1.702, 7.0) - swiglu_oai(g - h, u, 1.702, 7.0)) / (2.0 * h)).abs() < 1e-6);
/// assert!((du - (swiglu_oai(g, u + h, 1.702, 7.0) - swiglu_oai(g, u - h, 1.702, 7.0)) / (2.0 * h)).abs() < 1e-6);
/// ```
pub fn swiglu_oai_partials(gate: f64, up: f64, alpha: f64, limit: f64) -> (f64, f64) {
    let g = if gate > limit { limit } else { gate };
    let u = clamp_up(up, limit);
    let d_gate = if gate > limit {
        0.0
    } else {
        swish_derivative(g, alpha) * (u + 1.0)
    };
    let d_up = if up.abs() > limit {
        0.0
    } else {
        swish(g, alpha)
    };
    (d_gate, if up.is_nan() { up } else { d_up })
}

/// `Σ terms` by Neumaier's compensated summation: within `2^-53 |Σ| + n² 2^-106 Σ|t|` of the
/// exact sum (far below the kernels' f64 sums, so it serves as their reference); an infinite
/// or NaN sum is the plain sum's (`inf`, or NaN for infinities of both signs).
fn compensated_sum(terms: impl IntoIterator<Item = f64>) -> f64 {
    let (mut s, mut c) = (0.0_f64, 0.0_f64);
    for t in terms {
        let u = s + t;
        c += if s.abs() >= t.abs() {
            (s - u) + t
        } else {
            (t - u) + s
        };
        s = u;
    }
    if s.is_finite() { s + c } else { s }
}

/// The backward pass of PReLU over rows of `channels`: `grad_in[i] = grad_out[i] ·
/// leaky_relu'(x[i], alpha[c])` and `grad_alpha[c] = Σ (x > 0 ? 0 : x · grad_out)` over the
/// elements of channel `c` (one sum over all when `alpha` has one slope), by compensated
/// summation ([`prelu`](fn@crate::prelu) takes the slope side at `x = 0`, as PyTorch).
///
/// # Example
/// ```
/// let (gi, ga) = simd_activations::reference::prelu_backward(&[-1.0, 2.0], &[3.0, 3.0], &[0.5], 2);
/// assert_eq!((gi, ga), (vec![1.5, 3.0], vec![-3.0]));
/// ```
pub fn prelu_backward(
    x: &[f64],
    grad_out: &[f64],
    alpha: &[f64],
    channels: usize,
) -> (Vec<f64>, Vec<f64>) {
    let slope = |i: usize| alpha[if alpha.len() == 1 { 0 } else { i % channels }];
    let grad_in = x
        .iter()
        .zip(grad_out)
        .enumerate()
        .map(|(i, (&x, &g))| g * leaky_relu_derivative(x, slope(i)))
        .collect();
    let term = |i: usize| if x[i] > 0.0 { 0.0 } else { x[i] * grad_out[i] };
    let grad_alpha = (0..alpha.len())
        .map(|c| {
            let stride = if alpha.len() == 1 { 1 } else { channels };
            compensated_sum((c..x.len()).step_by(stride).map(term))
        })
        .collect();
    (grad_in, grad_alpha)
}

/// The backward pass of [`rational`] with its coefficient gradients, for finite `x`: with
/// `Q = 1 + |A|`, `A(x) = b1 x + … + bn x^n`, `grad_in[i] = grad_out[i] · R'(x[i])` by the
/// quotient rule `R' = (P' Q - P sign(A) A') / Q²`, and over all elements (by compensated
/// summation) `grad_a[k] = Σ grad_out · x^k / Q`, `grad_b[k - 1] = Σ -grad_out · P sign(A)
/// x^k / Q²`; the powers by `powi`, so the evaluation order differs from the kernel's Horner.
///
/// # Example
/// ```
/// let (gi, ga, gb) = simd_activations::reference::rational_backward(&[1.0], &[1.0], &[0.0, 1.0], &[1.0]);
/// assert_eq!((gi, ga, gb), (vec![0.25], vec![0.5, 0.5], vec![-0.25]));
/// ```
pub fn rational_backward(
    x: &[f64],
    grad_out: &[f64],
    a: &[f64],
    b: &[f64],
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let degree = |k: usize| i32::try_from(k).expect("degree <= 8");
    let power = |x: f64, k: usize| x.powi(degree(k));
    let parts = |x: f64| {
        let p: f64 = a.iter().enumerate().map(|(k, &c)| c * power(x, k)).sum();
        let dp: f64 = (1..a.len())
            .map(|k| f64::from(degree(k)) * a[k] * power(x, k - 1))
            .sum();
        let big_a: f64 = (0..b.len()).map(|k| b[k] * power(x, k + 1)).sum();
        let da: f64 = (0..b.len())
            .map(|k| f64::from(degree(k + 1)) * b[k] * power(x, k))
            .sum();
        let sign = if big_a > 0.0 {
            1.0
        } else if big_a < 0.0 {
            -1.0
        } else {
            0.0
        };
        (p, dp, 1.0 + big_a.abs(), sign, da)
    };
    let parts: Vec<_> = x.iter().map(|&x| parts(x)).collect();
    let grad_in = parts
        .iter()
        .zip(grad_out)
        .map(|(&(p, dp, q, sign, da), &g)| g * (dp * q - p * sign * da) / (q * q))
        .collect();
    let each = |term: &dyn Fn(usize) -> f64| compensated_sum((0..x.len()).map(term));
    let numerator = (0..a.len())
        .map(|k| each(&|i| grad_out[i] * power(x[i], k) / parts[i].2))
        .collect();
    let denominator = (1..=b.len())
        .map(|k| {
            each(&|i| {
                let (p, _, q, sign, _) = parts[i];
                -grad_out[i] * p * sign * power(x[i], k) / (q * q)
            })
        })
        .collect();
    (grad_in, numerator, denominator)
}

/// The absolute part of the bound of [`crate::Kernels::rational_backward`]'s `grad_in` at `x`
/// with gradient `g` (`RATIONAL_BACKWARD_CANCEL · |g| (|P'|~ + |P|~ |A'|~ / Q) / Q`, `~` the
/// sums of the terms' absolute values), and whether `x` is at a kink of `|A|`
/// (`|A(x)| <= RATIONAL_BACKWARD_CANCEL · |A|~`), where either one-sided derivative, or the
/// midway one, is right. Coefficients as [`rational`].
///
/// # Example
/// ```
/// let (slack, kink) = simd_activations::reference::rational_backward_slack(0.0, 1.0, &[0.0, 1.0], &[1.0]);
/// assert!(kink && slack > 0.0 && slack < 1e-13);
/// ```
pub fn rational_backward_slack(x: f64, g: f64, a: &[f64], b: &[f64]) -> (f64, bool) {
    let ax = x.abs();
    let sums = |c: &[f64], shift: i32| {
        let (mut value, mut slope) = (0.0, 0.0);
        for (k, &ck) in (shift..).zip(c) {
            value += ck.abs() * ax.powi(k);
            if k > 0 {
                slope += f64::from(k) * ck.abs() * ax.powi(k - 1);
            }
        }
        (value, slope)
    };
    let (p_abs, dp_abs) = sums(a, 0);
    let (a_abs, da_abs) = sums(b, 1);
    let big_a: f64 = (1..).zip(b).map(|(k, &c)| c * x.powi(k)).sum();
    let q = 1.0 + big_a.abs();
    let cancel = f64::from(crate::catalogue::consts::RATIONAL_BACKWARD_CANCEL);
    let slack = cancel * g.abs() * (dp_abs + p_abs / q * da_abs) / q;
    (slack, big_a.abs() <= cancel * a_abs)
}

/// The documented error bound of [`crate::Kernels::rational`] at `x` in absolute terms, for the
/// f32 coefficients `a` (`a0, a1, …`) and `b` (`b1, b2, …`) and its exact value `exact`:
/// `2^-24 ((2m + 2) Σ|ak||x|^k + |R| (2n + 3 + e) (1 + Σ|bk||x|^k)) / Q` (`e = |m - n| + 2`
/// beyond |x| = 256, where the reversed form runs), plus half an ULP of `T` for the final
/// rounding of a 16-bit type and `2^-149`. Tests and the report hold the kernel to it.
///
/// # Example
/// ```
/// use simd_activations::reference::{rational, rational_bound};
/// // softsign x / (1 + |x|) at 2: a few ULP of f32 of 2/3.
/// let bound = rational_bound::<f32>(2.0, &[0.0, 1.0], &[1.0], rational(2.0, &[0.0, 1.0], &[1.0]));
/// assert!(bound > 0.0 && bound < 1e-6);
/// ```
pub fn rational_bound<T: crate::Element>(x: f64, a: &[f32], b: &[f32], exact: f64) -> f64 {
    let ax = x.abs();
    let degree = |len: usize| i32::try_from(len).expect("at most 9 coefficients");
    let m = a.iter().rposition(|&c| c != 0.0).map_or(0, degree);
    let n = b
        .iter()
        .rposition(|&c| c != 0.0)
        .map_or(0, |i| degree(i) + 1);
    let p_abs: f64 = (0..)
        .zip(a)
        .map(|(k, &c)| f64::from(c).abs() * ax.powi(k))
        .sum();
    let b_abs: f64 = (1..)
        .zip(b)
        .map(|(k, &c)| f64::from(c).abs() * ax.powi(k))
        .sum();
    let b_val: f64 = (1..).zip(b).map(|(k, &c)| f64::from(c) * x.powi(k)).sum();
    let q = 1.0 + b_val.abs();
    let eps = 2f64.powi(-24);
    let extra = if ax > 256.0 {
        f64::from((m - n).abs() + 2)
    } else {
        0.0
    };
    let f32_bound = eps
        * (f64::from(2 * m + 2) * p_abs
            + exact.abs() * (f64::from(2 * n + 3) + extra) * (1.0 + b_abs))
        / q;
    let half = if T::MANTISSA_BITS == <f32 as crate::Element>::MANTISSA_BITS {
        0.0
    } else {
        0.5 * crate::ulp::ulp_of_in::<T>(exact)
    };
    f32_bound + half + 2f64.powi(-149)
}
