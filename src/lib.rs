//! Runtime-dispatched SIMD kernels for the activation functions of neural networks.
//!
//! Every op is one generic body over [`pulp::Simd`], run on AVX2+FMA, AVX-512, NEON or a scalar
//! fallback picked at run time ([`Isa`], [`Kernels`]). The SIMD ISAs give bitwise identical
//! results; every op is checked against an f64 [`reference`](mod@reference) within the ULP budget of the
//! [`catalogue`] (generated from `kernels/catalogue.toml`).
//!
//! ```
//! let mut x = vec![-2.0_f32, -0.5, 0.0, 0.5, 2.0];
//! simd_activations::silu_inplace(&mut x);
//! assert!((x[4] - 1.761_594_2).abs() < 1e-6);
//!
//! // Pin an ISA to benchmark or reproduce results:
//! let k = simd_activations::Kernels::new(simd_activations::Isa::Scalar).unwrap();
//! let mut out = vec![0.0_f32; 5];
//! k.gelu(&x, &mut out);
//! ```
#![deny(missing_docs)]
#![deny(unsafe_op_in_unsafe_fn)]
#![deny(unsafe_code)]
#![warn(clippy::undocumented_unsafe_blocks)]
// Casts between numeric types are where numeric code loses bits silently: every one in the
// library is either lossless by construction (`From`) or carries an `expect` saying why not.
#![warn(
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::cast_precision_loss,
    clippy::cast_lossless
)]

mod block_order;
pub mod catalogue;
mod element;
mod isa;
mod kernels;
mod math;
mod ops;
#[cfg(feature = "rayon")]
pub mod par;
mod prelu;
mod rational;
mod rational_backward;
mod reduce;
pub mod reference;
mod shim;
mod smooth_swiglu;
mod softmax;
mod softmax_backward;
pub mod ulp;

/// Checks of crate-private code (element conversions, shims) for `tests/self_check.rs`: an
/// integration test instead of unit tests, so that `cargo test` compiles the library once, not a
/// second time as a unit-test harness. Not part of the API.
#[cfg(all(feature = "self-check", feature = "rayon"))]
#[doc(hidden)]
pub mod self_check {
    pub use crate::element::self_check::*;
    pub use crate::shim::self_check::*;
}

pub use block_order::{BLOCK_ORDER_ENV_VAR, BlockOrder, UnknownBlockOrder};
pub use element::{Element, bf16, f16};
pub use isa::{Isa, IsaUnavailable, UnknownIsa};
pub use kernels::{ISA_ENV_VAR, Kernels};
pub use prelu::{prelu, prelu_backward, prelu_backward_inplace, prelu_inplace};
pub use rational::{rational, rational_inplace};
pub use rational_backward::{rational_backward, rational_backward_inplace};
pub use smooth_swiglu::{
    smooth_swiglu, smooth_swiglu_inplace, smooth_swiglu_interleaved, smooth_swiglu_rows,
};
pub use softmax::{log_softmax, log_softmax_inplace, softmax, softmax_inplace};
pub use softmax_backward::{log_softmax_backward, softmax_backward};

include!(concat!(env!("OUT_DIR"), "/api.rs"));

/// The README's Rust examples, compiled and run as doctests (`cargo test --doc`), so the
/// README cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
