//! The element types the report measures, and how each picks its entry point from the catalogue.

use simd_activations::catalogue::{
    BackwardSpec, GatedBackwardSpec, GatedGrads, GatedInputs, GatedSpec, OpSpec, RowBackwardSpec,
    RowSpec,
};
use simd_activations::par::Par;
use simd_activations::{Element, Kernels, bf16, f16};

use super::subject::{Sliced, Subject};

/// An element type of the inputs and outputs (the kernels compute in f32 lanes either way).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, clap::ValueEnum)]
pub enum Dtype {
    /// IEEE binary32.
    F32,
    /// bfloat16 (8 exponent bits, 7 fraction bits).
    Bf16,
    /// IEEE binary16 (5 exponent bits, 10 fraction bits).
    F16,
}

impl Dtype {
    /// Every element type, in report order.
    pub const ALL: [Dtype; 3] = [Dtype::F32, Dtype::Bf16, Dtype::F16];

    /// The name the report prints (`f32`, `bf16`, `f16`).
    pub fn name(self) -> &'static str {
        match self {
            Dtype::F32 => <f32 as Element>::NAME,
            Dtype::Bf16 => <bf16 as Element>::NAME,
            Dtype::F16 => <f16 as Element>::NAME,
        }
    }

    /// Bytes of one element.
    pub fn bytes(self) -> usize {
        match self {
            Dtype::F32 => size_of::<f32>(),
            Dtype::Bf16 => size_of::<bf16>(),
            Dtype::F16 => size_of::<f16>(),
        }
    }
}

/// An out-of-place unary kernel or a gated one's separate-slices form.
pub type Map<T> = fn(Kernels, &[T], &mut [T]);
/// A kernel of two input slices (gated: gate and up; backward: x and grad_out).
pub type Map2<T> = fn(Kernels, &[T], &[T], &mut [T]);
/// A row-wise kernel over rows of `width`.
pub type Rows<T> = fn(Kernels, &[T], usize, &mut [T]);
/// A gated backward kernel: `(gate, up, grad_out) -> (grad_gate, grad_up)`.
pub type GatedBackward<T> = fn(Kernels, GatedInputs<'_, T>, GatedGrads<'_, T>);
/// A row-wise backward kernel: `(y, grad_out)` in rows of `width` `-> grad_in`.
pub type Rows2<T> = fn(Kernels, &[T], &[T], usize, &mut [T]);

/// The catalogue's `par` form of a kernel (split over the current rayon pool), by shape.
#[derive(Clone, Copy, Debug)]
pub enum ParKernel<T> {
    /// One input slice.
    Map(fn(Par, &[T], &mut [T])),
    /// Two input slices.
    Map2(fn(Par, &[T], &[T], &mut [T])),
    /// Rows of a width.
    Rows(fn(Par, &[T], usize, &mut [T])),
    /// A gated backward pass.
    GatedBackward(fn(Par, GatedInputs<'_, T>, GatedGrads<'_, T>)),
    /// Two input slices in rows of a width.
    Rows2(fn(Par, &[T], &[T], usize, &mut [T])),
    /// A hand-written op with slice parameters (its `Par` method, generic over the type).
    Sliced(Sliced),
}

/// An [`Element`] the report runs, with the catalogue's function pointer of each kind for it.
pub trait Elem: Element {
    /// This type as a [`Dtype`].
    const DTYPE: Dtype;

    /// The op's out-of-place kernel on slices of this type.
    fn unary(op: &OpSpec) -> Map<Self>;
    /// The backward kernel `(x, grad_out) -> grad_in`.
    fn backward(b: &BackwardSpec) -> Map2<Self>;
    /// The gated kernel `(gate, up) -> out` on separate slices.
    fn gated(op: &GatedSpec) -> Map2<Self>;
    /// The row-wise kernel.
    fn rowwise(op: &RowSpec) -> Rows<Self>;
    /// The gated backward kernel.
    fn gated_backward(b: &GatedBackwardSpec) -> GatedBackward<Self>;
    /// The row-wise backward kernel.
    fn rowwise_backward(b: &RowBackwardSpec) -> Rows2<Self>;
    /// Every bit pattern of the type in ascending order of the bits, where that is few enough
    /// to test exhaustively (the 16-bit types); `None` for f32.
    fn patterns() -> Option<Vec<Self>>;
    /// The subject's `par` kernel on this type, where the catalogue has one (only f32 has).
    fn par(subject: Subject) -> Option<ParKernel<Self>>;
}

impl Elem for f32 {
    const DTYPE: Dtype = Dtype::F32;
    fn unary(op: &OpSpec) -> Map<f32> {
        op.eval_f32
    }
    fn backward(b: &BackwardSpec) -> Map2<f32> {
        b.eval_f32
    }
    fn gated(op: &GatedSpec) -> Map2<f32> {
        op.eval_f32
    }
    fn rowwise(op: &RowSpec) -> Rows<f32> {
        op.eval_f32
    }
    fn gated_backward(b: &GatedBackwardSpec) -> GatedBackward<f32> {
        b.eval_f32
    }
    fn rowwise_backward(b: &RowBackwardSpec) -> Rows2<f32> {
        b.eval_f32
    }
    fn patterns() -> Option<Vec<f32>> {
        None
    }
    fn par(subject: Subject) -> Option<ParKernel<f32>> {
        Some(match subject {
            Subject::Unary(op) => ParKernel::Map(op.par_f32),
            Subject::Backward(_, b) => ParKernel::Map2(b.par_f32),
            Subject::Gated(op) => ParKernel::Map2(op.par_f32),
            Subject::Rowwise(op) => ParKernel::Rows(op.par_f32),
            Subject::GatedBackward(_, b) => ParKernel::GatedBackward(b.par_f32),
            Subject::RowwiseBackward(_, b) => ParKernel::Rows2(b.par_f32),
            Subject::Sliced(s) => ParKernel::Sliced(s),
        })
    }
}

impl Elem for bf16 {
    const DTYPE: Dtype = Dtype::Bf16;
    fn unary(op: &OpSpec) -> Map<bf16> {
        op.eval_bf16
    }
    fn backward(b: &BackwardSpec) -> Map2<bf16> {
        b.eval_bf16
    }
    fn gated(op: &GatedSpec) -> Map2<bf16> {
        op.eval_bf16
    }
    fn rowwise(op: &RowSpec) -> Rows<bf16> {
        op.eval_bf16
    }
    fn gated_backward(b: &GatedBackwardSpec) -> GatedBackward<bf16> {
        b.eval_bf16
    }
    fn rowwise_backward(b: &RowBackwardSpec) -> Rows2<bf16> {
        b.eval_bf16
    }
    fn patterns() -> Option<Vec<bf16>> {
        Some((0..=u16::MAX).map(bf16::from_bits).collect())
    }
    fn par(_: Subject) -> Option<ParKernel<bf16>> {
        None
    }
}

impl Elem for f16 {
    const DTYPE: Dtype = Dtype::F16;
    fn unary(op: &OpSpec) -> Map<f16> {
        op.eval_f16
    }
    fn backward(b: &BackwardSpec) -> Map2<f16> {
        b.eval_f16
    }
    fn gated(op: &GatedSpec) -> Map2<f16> {
        op.eval_f16
    }
    fn rowwise(op: &RowSpec) -> Rows<f16> {
        op.eval_f16
    }
    fn gated_backward(b: &GatedBackwardSpec) -> GatedBackward<f16> {
        b.eval_f16
    }
    fn rowwise_backward(b: &RowBackwardSpec) -> Rows2<f16> {
        b.eval_f16
    }
    fn patterns() -> Option<Vec<f16>> {
        Some((0..=u16::MAX).map(f16::from_bits).collect())
    }
    fn par(_: Subject) -> Option<ParKernel<f16>> {
        None
    }
}
