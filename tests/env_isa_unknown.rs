//! An unknown `SIMD_ACTIVATIONS_ISA` value falls back to the detected ISA (with a message on
//! stderr). Its own test binary, so `Kernels::global()`'s `OnceLock` is fresh.

use simd_activations::{ISA_ENV_VAR, Isa, Kernels};

#[test]
fn unknown_env_value_falls_back_to_detection() {
    // SAFETY: this is the only test of this binary and nothing else runs in this process yet, so
    // no other thread reads or writes the environment concurrently.
    unsafe { std::env::set_var(ISA_ENV_VAR, "bogus") };
    assert_eq!(Kernels::global().isa(), Isa::detect());
}
