//! `SIMD_ACTIVATIONS_BLOCK_ORDER=forward` forces that block order on every elementwise loop, and
//! every loop gives the same bits at every placement of its streams modulo 4 KiB (see
//! `common::placement`). Its own test binary, so `BlockOrder::global()`'s `OnceLock` is fresh.

mod common;

use simd_activations::{BLOCK_ORDER_ENV_VAR, BlockOrder};

#[test]
fn every_loop_gives_the_same_bits_at_every_placement() {
    // SAFETY: this is the only test of this binary and nothing else runs in this process yet, so
    // no other thread reads or writes the environment concurrently.
    unsafe { std::env::set_var(BLOCK_ORDER_ENV_VAR, "forward") };
    assert_eq!(BlockOrder::global().name(), "forward");
    let failures = common::placement::check_every_loop_at_every_placement();
    assert!(failures.is_empty(), "{failures}");
}
