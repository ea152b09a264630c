//! Shared numerical cores, written once over `pulp::Simd` and used by every op.
//!
//! All of them use `mul_add_f32s`, a fused multiply-add on every ISA (one instruction on AVX2,
//! AVX-512 and NEON, `f32::mul_add` on `pulp::Scalar`), so every ISA rounds identically and gives
//! the same bits; several cores rely on it for exact products and remainders.

pub(crate) mod bits;
pub(crate) mod divide;
pub(crate) mod erf;
pub(crate) mod exp;
pub(crate) mod log;
pub(crate) mod logistic;
pub(crate) mod phi;
pub(crate) mod poly;
