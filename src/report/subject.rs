//! What the report measures: every entry of the catalogue (unary ops, their backward passes,
//! gated ops, row-wise ops) as one [`Subject`] with a name, a family and its memory traffic.

use simd_activations::catalogue::{BackwardSpec, GATED, GatedSpec, OPS, OpSpec, ROWWISE, RowSpec};

use super::dtype::Dtype;

/// Budget of the unary and gated ops in ULP of bf16 and f16 (the catalogue states only the f32
/// budget; README "Accuracy" and `tests/elements.rs`, `tests/gated.rs` hold them to 1 ULP).
const HALF_BUDGET: f64 = 1.0;

/// Budget of every backward pass in ULP of its output type (README "Backward passes";
/// `tests/backward.rs`), outside the neighbourhoods of the zeros of f'.
pub const BACKWARD_BUDGET: f64 = 4.0;

/// Half-width of the neighbourhood of a zero of f' where `tests/backward.rs` bounds a backward
/// pass absolutely instead of in ULP.
pub const BACKWARD_NEAR_ZERO: f64 = 0.5;

/// Row width of the row-wise ops when the size is a multiple of it (else one row of `size`).
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
    /// `catalogue::ROWWISE`: each output depends on its whole row.
    Rowwise,
}

impl Family {
    /// Every family, in report order.
    pub const ALL: [Family; 4] = [
        Family::Unary,
        Family::Backward,
        Family::Gated,
        Family::Rowwise,
    ];

    /// The name `--op` takes and the JSON prints.
    pub fn name(self) -> &'static str {
        match self {
            Family::Unary => "unary",
            Family::Backward => "backward",
            Family::Gated => "gated",
            Family::Rowwise => "rowwise",
        }
    }
}

/// One catalogue entry.
#[derive(Clone, Copy, Debug)]
pub enum Subject {
    /// A unary op.
    Unary(&'static OpSpec),
    /// The backward pass of a unary op.
    Backward(&'static OpSpec, &'static BackwardSpec),
    /// A gated op (separate gate and up slices).
    Gated(&'static GatedSpec),
    /// A row-wise op.
    Rowwise(&'static RowSpec),
}

impl Subject {
    /// Every entry of the catalogue, family by family in catalogue order.
    pub fn all() -> Vec<Subject> {
        let backward = OPS
            .iter()
            .filter_map(|op| op.backward.as_ref().map(|b| Subject::Backward(op, b)));
        OPS.iter()
            .map(Subject::Unary)
            .chain(backward)
            .chain(GATED.iter().map(Subject::Gated))
            .chain(ROWWISE.iter().map(Subject::Rowwise))
            .collect()
    }

    /// The public name (`silu`, `silu_backward`, `swiglu`, `softmax`).
    pub fn name(self) -> String {
        match self {
            Subject::Unary(op) => op.name.to_string(),
            Subject::Backward(op, _) => format!("{}_backward", op.name),
            Subject::Gated(op) => op.name.to_string(),
            Subject::Rowwise(op) => op.name.to_string(),
        }
    }

    /// The family it belongs to.
    pub fn family(self) -> Family {
        match self {
            Subject::Unary(_) => Family::Unary,
            Subject::Backward(..) => Family::Backward,
            Subject::Gated(_) => Family::Gated,
            Subject::Rowwise(_) => Family::Rowwise,
        }
    }

    /// Arrays of `size` elements the op must read and write once (its bytes moved per output
    /// element, in elements): unary and row-wise 2, gated and backward 3.
    pub fn streams(self) -> usize {
        match self {
            Subject::Unary(_) | Subject::Rowwise(_) => 2,
            Subject::Backward(..) | Subject::Gated(_) => 3,
        }
    }

    /// The documented error bound in ULP of `dtype`.
    pub fn budget(self, dtype: Dtype) -> f64 {
        let half = dtype != Dtype::F32;
        match self {
            Subject::Unary(op) if !half => op.ulp_f32,
            Subject::Gated(op) if !half => op.ulp_f32,
            Subject::Unary(_) | Subject::Gated(_) => HALF_BUDGET,
            Subject::Backward(..) => BACKWARD_BUDGET,
            Subject::Rowwise(op) if half => op.ulp_half,
            Subject::Rowwise(op) => op.ulp_f32,
        }
    }

    /// The input interval of a one-input op (unary, backward), where its ULP chart is drawn.
    pub fn sweep(self) -> Option<(f64, f64)> {
        match self {
            Subject::Unary(op) | Subject::Backward(op, _) => Some(op.sweep),
            Subject::Gated(_) | Subject::Rowwise(_) => None,
        }
    }
}
