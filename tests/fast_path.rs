//! Fast paths give the bits of the full paths (so results never depend on how a slice is cut
//! into blocks, tails or `par` chunks): every 97th f32 pattern in [-100, 100] on the SIMD ISAs
//! (every 4099th on the scalar path), each evaluated in a block of like inputs and in a block
//! forced onto the full path by a NaN (every N-th of those with
//! `SIMD_ACTIVATIONS_TEST_THIN=N`). `examples/fast_path_scan.rs` runs the exhaustive version.

mod common;

use simd_activations::Kernels;
use simd_activations::catalogue::{GATED, OPS};

const BLOCK: usize = 32;

fn inputs(stride: u64) -> Vec<f32> {
    let top = u64::from(100.0_f32.to_bits());
    (0..2 * top)
        .step_by(stride as usize)
        .map(|i| {
            if i < top {
                f32::from_bits(i as u32)
            } else {
                -f32::from_bits((i - top) as u32)
            }
        })
        .collect()
}

fn forced_full(x: &[f32]) -> Vec<f32> {
    let mut y = x.to_vec();
    for b in y.chunks_exact_mut(BLOCK) {
        b[BLOCK - 1] = f32::NAN;
    }
    y
}

fn assert_same(name: &str, k: Kernels, x: &[f32], fast: &[f32], full: &[f32]) {
    for i in (0..x.len()).filter(|i| i % BLOCK != BLOCK - 1) {
        assert_eq!(
            fast[i].to_bits(),
            full[i].to_bits(),
            "{name} {}: fast and full paths differ at {:e}",
            k.isa(),
            x[i]
        );
    }
}

#[test]
fn unary_and_gated_fast_paths_match_the_full_paths() {
    for k in common::all_kernels() {
        let stride = common::thin()
            * if k.isa() == simd_activations::Isa::Scalar {
                4099
            } else {
                97
            };
        let x = inputs(stride);
        let xf = forced_full(&x);
        let up: Vec<f32> = x.iter().map(|v| (v * 0.37).sin() * 5.0).collect();
        for op in OPS {
            let (mut fast, mut full) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            (op.eval_f32)(k, &x, &mut fast);
            (op.eval_f32)(k, &xf, &mut full);
            assert_same(op.name, k, &x, &fast, &full);
        }
        for op in GATED {
            let (mut fast, mut full) = (vec![0.0; x.len()], vec![0.0; x.len()]);
            (op.eval_f32)(k, &x, &up, &mut fast);
            (op.eval_f32)(k, &xf, &up, &mut full);
            assert_same(op.name, k, &x, &fast, &full);
        }
    }
}
