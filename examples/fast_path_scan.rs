//! Checks that each unary op's fast path gives the same bits as its full path, for every f32 in
//! [-100, 100] (every fast limit of the catalogue lies inside): the property that makes results
//! independent of how a slice is split (blocks, tails, `par` chunks).
//!
//! Each input is evaluated once in a block of like inputs (fast path where within the limit)
//! and once in a block that also holds a NaN (which forces the full path).
//!
//! `cargo run --release --example fast_path_scan [OP…]` (all ops by default; about 40 s per op
//! on 2 cores).

use rayon::prelude::*;
use simd_activations::Kernels;
use simd_activations::catalogue::OPS;

/// Lanes per forced block: a multiple of every ISA's block (2 vectors of up to 16 lanes).
const BLOCK: usize = 32;

fn main() {
    let k = Kernels::detect();
    let only: Vec<String> = std::env::args().skip(1).collect();
    let top = u64::from(100.0_f32.to_bits());
    let value = |i: u64| {
        if i < top {
            f32::from_bits(i as u32)
        } else {
            -f32::from_bits((i - top) as u32)
        }
    };
    println!("ISA {}", k.isa());
    for op in OPS
        .iter()
        .filter(|op| only.is_empty() || only.iter().any(|o| o == op.name))
    {
        let chunk = 1u64 << 20;
        let (count, smallest) = (0..(2 * top).div_ceil(chunk))
            .into_par_iter()
            .map(|c| {
                let mut x: Vec<f32> = (c * chunk..((c + 1) * chunk).min(2 * top))
                    .map(value)
                    .collect();
                let mut fast = vec![0.0; x.len()];
                (op.eval_f32)(k, &x, &mut fast);
                for b in x.chunks_exact_mut(BLOCK) {
                    b[BLOCK - 1] = f32::NAN;
                }
                let mut full = vec![0.0; x.len()];
                (op.eval_f32)(k, &x, &mut full);
                let differ: Vec<f32> = (0..x.len())
                    .filter(|&i| i % BLOCK != BLOCK - 1 && fast[i].to_bits() != full[i].to_bits())
                    .map(|i| x[i].abs())
                    .collect();
                (
                    differ.len() as u64,
                    differ.into_iter().fold(f32::INFINITY, f32::min),
                )
            })
            .reduce(|| (0, f32::INFINITY), |a, b| (a.0 + b.0, a.1.min(b.1)));
        println!(
            "{:>10}: {count} inputs where fast and full paths differ (smallest |x|: {smallest:e})",
            op.name
        );
    }
}
