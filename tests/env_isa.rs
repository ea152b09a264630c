//! `SIMD_ACTIVATIONS_ISA=scalar` forces the free functions onto the scalar kernels. Its own test
//! binary, so `Kernels::global()`'s `OnceLock` has not been initialised before the variable is
//! set.

use simd_activations::{ISA_ENV_VAR, Isa, Kernels};

#[test]
fn env_var_forces_scalar() {
    assert_eq!(ISA_ENV_VAR, "SIMD_ACTIVATIONS_ISA");
    // SAFETY: this is the only test of this binary and nothing else runs in this process yet, so
    // no other thread reads or writes the environment concurrently.
    unsafe { std::env::set_var(ISA_ENV_VAR, "scalar") };
    assert_eq!(Kernels::global().isa(), Isa::Scalar);

    // the free functions run on it
    let x: Vec<f32> = (0..1000).map(|i| -8.0 + 0.016 * i as f32).collect();
    let mut free = x.clone();
    simd_activations::silu_inplace(&mut free);
    let mut scalar = x.clone();
    Kernels::new(Isa::Scalar).unwrap().silu_inplace(&mut scalar);
    assert!(
        free.iter()
            .zip(&scalar)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );

    // read once per process: changing the variable later has no effect
    // SAFETY: as above, still the only thread touching the environment.
    unsafe { std::env::set_var(ISA_ENV_VAR, Isa::detect().name()) };
    assert_eq!(Kernels::global().isa(), Isa::Scalar);
}
