//! A known but unavailable `SIMD_ACTIVATIONS_ISA` value (NEON on x86-64, AVX2 on AArch64) falls
//! back to the detected ISA. Its own test binary, so `Kernels::global()`'s `OnceLock` is fresh.

use simd_activations::{ISA_ENV_VAR, Isa, Kernels};

#[test]
fn unavailable_env_value_falls_back_to_detection() {
    let unavailable = Isa::ALL
        .into_iter()
        .find(|isa| !isa.is_supported())
        .expect("every CPU lacks another architecture's ISA");
    // SAFETY: this is the only test of this binary and nothing else runs in this process yet, so
    // no other thread reads or writes the environment concurrently.
    unsafe { std::env::set_var(ISA_ENV_VAR, unavailable.name()) };
    assert_eq!(Kernels::global().isa(), Isa::detect());
}
