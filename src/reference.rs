//! Scalar f64 reference implementations of every op: the "exact" values the ULP checks compare
//! against. They favour accuracy over speed (no cancellation in the tails, libm's erf/erfc).
//!
//! # Example
//! ```
//! let exact = simd_activations::reference::silu(-3.0);
//! assert!((exact + 0.142_277_619).abs() < 1e-9);
//! ```

/// `e^x`.
pub fn exp(x: f64) -> f64 {
    x.exp()
}

/// `1 / (1 + e^-x)`, written so neither side cancels or overflows.
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `tanh x`.
pub fn tanh(x: f64) -> f64 {
    x.tanh()
}

/// `erf x` (libm's f64 erf, under 1 ULP of f64).
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// `x · sigmoid(x)`.
pub fn silu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        -0.0
    } else {
        x * sigmoid(x)
    }
}

/// `x · sigmoid(beta x)`.
pub fn swish(x: f64, beta: f64) -> f64 {
    let s = sigmoid(beta * x);
    if s == 0.0 { 0.0 * x.signum() } else { x * s }
}

/// `x Φ(x) = x erfc(-x/√2) / 2`.
pub fn gelu(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        -0.0
    } else {
        x * 0.5 * libm::erfc(-x / std::f64::consts::SQRT_2)
    }
}

/// `x/2 (1 + tanh(√(2/π)(x + 0.044715 x³)))`, evaluated as `x sigmoid(2u)` so the negative tail
/// does not cancel.
pub fn gelu_tanh(x: f64) -> f64 {
    if x == f64::NEG_INFINITY {
        return -0.0;
    }
    let u = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x * x * x);
    x * sigmoid(2.0 * u)
}

/// `max(x, 0)`, with `relu(-0) = -0` and `relu(NaN) = NaN` like the kernel.
pub fn relu(x: f64) -> f64 {
    if x < 0.0 { 0.0 } else { x }
}

/// GLU: `sigmoid(gate) · up`.
pub fn glu(gate: f64, up: f64) -> f64 {
    sigmoid(gate) * up
}

/// SwiGLU: `silu(gate) · up`.
pub fn swiglu(gate: f64, up: f64) -> f64 {
    silu(gate) * up
}

/// GeGLU: `gelu(gate) · up` (erf form).
pub fn geglu(gate: f64, up: f64) -> f64 {
    gelu(gate) * up
}

/// GeGLU with the tanh form of GELU: `gelu_tanh(gate) · up`.
pub fn geglu_tanh(gate: f64, up: f64) -> f64 {
    gelu_tanh(gate) * up
}

/// ReGLU: `relu(gate) · up`.
pub fn reglu(gate: f64, up: f64) -> f64 {
    relu(gate) * up
}

/// GPT-OSS's clamped SwiGLU: `g = min(gate, limit)`, `u = clamp(up, -limit, limit)`,
/// `g · sigmoid(alpha · g) · (u + 1)` (NaN propagates through the clamps).
pub fn swiglu_oai(gate: f64, up: f64, alpha: f64, limit: f64) -> f64 {
    let g = if gate > limit { limit } else { gate };
    let u = if up > limit {
        limit
    } else if up < -limit {
        -limit
    } else {
        up
    };
    swish(g, alpha) * (u + 1.0)
}
