//! The checks of crate-private code (element conversions, shims), through the hidden
//! `simd_activations::self_check` module that the test build enables (feature `self-check`).
#![cfg(feature = "rayon")]

mod common;

use simd_activations::self_check as check;

/// Every f32 bit pattern (a sample on the scalar path and, `SIMD_ACTIVATIONS_TEST_THIN`, in
/// reduced runs) and every 16-bit pattern through the block loads and stores, against the
/// `half` crate.
#[test]
fn conversions_match_the_half_crate() {
    check::conversions_match_the_half_crate(common::thin());
}

/// The portable f16 conversions (Scalar, NEON) give the hardware's bits (F16C, AVX-512).
#[test]
fn portable_f16_conversion_matches_the_hardware() {
    check::portable_f16_conversion_matches_the_hardware(common::thin());
}

/// `Element::from_f64` rounds once.
#[test]
fn from_f64_rounds_once() {
    check::from_f64_rounds_once();
}

/// The shims' lanes equal their definitions on every ISA.
#[test]
fn shims_agree_with_their_definition_on_every_isa() {
    check::shims_agree_with_their_definition_on_every_isa();
}
