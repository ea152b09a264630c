//! Shared numerical cores, written once over `pulp::Simd` and used by every op.
//!
//! All of them use `mul_add_e_f32s`: a fused multiply-add on every SIMD ISA (so AVX2, AVX-512 and
//! NEON round identically) and an unfused one on `pulp::Scalar`.

pub(crate) mod bits;
pub(crate) mod divide;
pub(crate) mod erf;
pub(crate) mod exp;
pub(crate) mod logistic;
pub(crate) mod phi;
pub(crate) mod poly;
