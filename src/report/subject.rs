//! What the report measures: every entry of the catalogue (unary ops and their backward passes,
//! gated ops and theirs, row-wise ops and theirs) and the hand-written ops with slice
//! parameters, each as one [`Subject`] with a name, a family, its memory traffic and its budget
//! per dtype (from the catalogue).

use simd_activations::catalogue::consts::{
    PRELU_ULP, RATIONAL_BACKWARD_ULP, SMOOTH_SWIGLU_ULP_F32, SMOOTH_SWIGLU_ULP_HALF,
};
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::catalogue::{
    BackwardSpec, GATED, GatedBackwardSpec, GatedSpec, OPS, OpSpec, ROWWISE, RowBackwardSpec,
    RowSpec,
};
use simd_activations::{Element, bf16, f16};

use super::dtype::Dtype;

/// Row width of the row-wise ops (and the channel count of the sliced ones) when the size is a
/// multiple of it (else one row of `size`).
pub const ROW_WIDTH: usize = 4096;

/// A family of subjects, selectable as a whole with `--op FAMILY`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Family {
    /// `catalogue::OPS`: `out = f(x)`.
    Unary,
    /// `OpSpec::backward`: `grad_in = grad_out · f'(x)`.
    Backward,
    /// `catalogue::GATED`: `out = act(gate) · up`.
    Gated,
    /// `GatedSpec::backward`: `(grad_gate, grad_up) = grad_out · (∂f/∂gate, ∂f/∂up)`.
    GatedBackward,
    /// `catalogue::ROWWISE`: each output depends on its whole row.
    Rowwise,
    /// `RowSpec::backward`: `grad_in` of a row from the forward's output and `grad_out`.
    RowwiseBackward,
    /// [`Sliced`]: the hand-written ops whose parameters are slices.
    Sliced,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 7] = [
        Family::Unary,
        Family::Backward,
        Family::Gated,
        Family::GatedBackward,
        Family::Rowwise,
        Family::RowwiseBackward,
        Family::Sliced,
    ];

    /// The name `--op` takes and the JSON prints.
    pub fn name(self) -> &'static str {
        match self {
            Family::Unary => "unary",
            Family::Backward => "backward",
            Family::Gated => "gated",
            Family::GatedBackward => "gated_backward",
            Family::Rowwise => "rowwise",
            Family::RowwiseBackward => "rowwise_backward",
            Family::Sliced => "sliced",
        }
    }
}

/// The ops whose parameters are slices (per-channel slopes, scales, coefficient lists), so the
/// catalogue's tables (scalar parameters with defaults, generated entry points) do not hold
/// them: their entry points are hand-written and the report calls them directly, with the
/// parameters of [`super::accuracy`] and [`super::throughput`]. Their budgets are the
/// catalogue's: `PRELU_ULP`, `SMOOTH_SWIGLU_ULP_*`, and for rational the documented rounding
/// bound of its default coefficients (`cores::RATIONAL_LEAKY_P`/`_B`) where nothing cancels.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sliced {
    /// `Kernels::prelu(x, alpha, channels, out)`: one slope per channel.
    Prelu,
    /// `Kernels::rational(x, numerator, denominator, out)` with the default coefficients.
    Rational,
    /// `Kernels::smooth_swiglu(gate, up, scale, out)`: one scale per channel.
    SmoothSwiglu,
    /// `Kernels::prelu_backward(x, grad_out, alpha, channels, grad_in, grad_alpha)`.
    PreluBackward,
    /// `Kernels::rational_backward` with the default coefficients (and their gradients).
    RationalBackward,
}

impl Sliced {
    /// Every sliced op, in report order.
    pub const ALL: [Sliced; 5] = [
        Sliced::Prelu,
        Sliced::Rational,
        Sliced::SmoothSwiglu,
        Sliced::PreluBackward,
        Sliced::RationalBackward,
    ];

    /// The public name.
    pub fn name(self) -> &'static str {
        match self {
            Sliced::Prelu => "prelu",
            Sliced::Rational => "rational",
            Sliced::SmoothSwiglu => "smooth_swiglu",
            Sliced::PreluBackward => "prelu_backward",
            Sliced::RationalBackward => "rational_backward",
        }
    }
}

/// The degrees `(m, n)` of the default rational activation: of `P` (the last non-zero of
/// `RATIONAL_LEAKY_P`) and of `B` (its terms start at x^1).
pub fn rational_degrees() -> (usize, usize) {
    let m = RATIONAL_LEAKY_P
        .iter()
        .rposition(|&c| c != 0.0)
        .unwrap_or(0);
    let n = RATIONAL_LEAKY_B
        .iter()
        .rposition(|&c| c != 0.0)
        .map_or(0, |i| i + 1);
    (m, n)
}

/// The rational activation's documented bound (`Kernels::rational`) in ULP of `T` where nothing
/// cancels (`Σ|a_k||x|^k = |P(x)|`, `Σ|b_k||x|^k = |B(x)|`): `(2m + 2) + (2n + 3)` ULP of f32,
/// `|m - n| + 2` more beyond |x| = 256, and for the 16-bit types half an ULP of `T` for the
/// final rounding plus that f32 error in ULP of `T`.
fn rational_budget<T: Element>() -> f64 {
    let (m, n) = rational_degrees();
    let f32_ulps = (2 * m + 2 + 2 * n + 3 + m.abs_diff(n) + 2) as f64;
    if T::MANTISSA_BITS == <f32 as Element>::MANTISSA_BITS {
        f32_ulps
    } else {
        0.5 + f32_ulps * 2f64.powi(T::MANTISSA_BITS - <f32 as Element>::MANTISSA_BITS)
    }
}

/// One catalogue entry or hand-written op.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    /// A unary op.
    Unary(&'static OpSpec),
    /// The backward pass of a unary op.
    Backward(&'static OpSpec, &'static BackwardSpec),
    /// A gated op (separate gate and up slices).
    Gated(&'static GatedSpec),
    /// The backward pass of a gated op (separate slices).
    GatedBackward(&'static GatedSpec, &'static GatedBackwardSpec),
    /// A row-wise op.
    Rowwise(&'static RowSpec),
    /// The backward pass of a row-wise op.
    RowwiseBackward(&'static RowSpec, &'static RowBackwardSpec),
    /// An op with slice parameters.
    Sliced(Sliced),
}

impl Subject {
    /// Every subject, family by family in catalogue order.
    pub fn all() -> Vec<Subject> {
        let backward = OPS
            .iter()
            .filter_map(|op| op.backward.as_ref().map(|b| Subject::Backward(op, b)));
        let gated_backward = GATED
            .iter()
            .filter_map(|op| op.backward.as_ref().map(|b| Subject::GatedBackward(op, b)));
        let rowwise_backward = ROWWISE.iter().filter_map(|op| {
            op.backward
                .as_ref()
                .map(|b| Subject::RowwiseBackward(op, b))
        });
        OPS.iter()
            .map(Subject::Unary)
            .chain(backward)
            .chain(GATED.iter().map(Subject::Gated))
            .chain(gated_backward)
            .chain(ROWWISE.iter().map(Subject::Rowwise))
            .chain(rowwise_backward)
            .chain(Sliced::ALL.into_iter().map(Subject::Sliced))
            .collect()
    }

    /// The public name (`silu`, `silu_backward`, `swiglu`, `swiglu_backward`, `softmax`,
    /// `softmax_backward`, `prelu`).
    pub fn name(self) -> String {
        match self {
            Subject::Unary(op) => op.name.to_string(),
            Subject::Gated(op) => op.name.to_string(),
            Subject::Rowwise(op) => op.name.to_string(),
            Subject::Backward(op, _) => format!("{}_backward", op.name),
            Subject::GatedBackward(op, _) => format!("{}_backward", op.name),
            Subject::RowwiseBackward(op, _) => format!("{}_backward", op.name),
            Subject::Sliced(s) => s.name().to_string(),
        }
    }

    /// The family it belongs to.
    pub fn family(self) -> Family {
        match self {
            Subject::Unary(_) => Family::Unary,
            Subject::Backward(..) => Family::Backward,
            Subject::Gated(_) => Family::Gated,
            Subject::GatedBackward(..) => Family::GatedBackward,
            Subject::Rowwise(_) => Family::Rowwise,
            Subject::RowwiseBackward(..) => Family::RowwiseBackward,
            Subject::Sliced(_) => Family::Sliced,
        }
    }

    /// Arrays of `size` elements the op must read and write once (its bytes moved per output
    /// element, in elements): unary, row-wise, prelu and rational 2; gated, backward, row-wise
    /// backward and smooth_swiglu 3; gated backward 5 (gate, up, grad_out in, two gradients
    /// out). Per-channel parameters (one row) are not counted.
    pub fn streams(self) -> usize {
        match self {
            Subject::Unary(_)
            | Subject::Rowwise(_)
            | Subject::Sliced(Sliced::Prelu | Sliced::Rational) => 2,
            Subject::Backward(..)
            | Subject::Gated(_)
            | Subject::RowwiseBackward(..)
            | Subject::Sliced(
                Sliced::SmoothSwiglu | Sliced::PreluBackward | Sliced::RationalBackward,
            ) => 3,
            Subject::GatedBackward(..) => 5,
        }
    }

    /// The documented error bound in ULP of `dtype` (the catalogue's).
    pub fn budget(self, dtype: Dtype) -> f64 {
        match dtype {
            Dtype::F32 => self.budget_in::<f32>(),
            Dtype::Bf16 => self.budget_in::<bf16>(),
            Dtype::F16 => self.budget_in::<f16>(),
        }
    }

    fn budget_in<T: Element>(self) -> f64 {
        let half = T::MANTISSA_BITS != <f32 as Element>::MANTISSA_BITS;
        match self {
            Subject::Unary(op) => op.ulp_in::<T>(),
            Subject::Backward(_, b) => b.ulp_in::<T>(),
            Subject::Gated(op) => op.ulp_in::<T>(),
            Subject::GatedBackward(_, b) => b.ulp_in::<T>(),
            Subject::Rowwise(op) => op.ulp_in::<T>(),
            Subject::RowwiseBackward(_, b) => b.ulp_in::<T>(),
            Subject::Sliced(Sliced::Prelu | Sliced::PreluBackward) => f64::from(PRELU_ULP),
            Subject::Sliced(Sliced::RationalBackward) => f64::from(RATIONAL_BACKWARD_ULP),
            Subject::Sliced(Sliced::Rational) => rational_budget::<T>(),
            Subject::Sliced(Sliced::SmoothSwiglu) if half => f64::from(SMOOTH_SWIGLU_ULP_HALF),
            Subject::Sliced(Sliced::SmoothSwiglu) => f64::from(SMOOTH_SWIGLU_ULP_F32),
        }
    }

    /// The input interval of a one-input op (unary, backward), where its ULP chart is drawn.
    pub fn sweep(self) -> Option<(f64, f64)> {
        match self {
            Subject::Unary(op) | Subject::Backward(op, _) => Some(op.sweep),
            _ => None,
        }
    }
}
