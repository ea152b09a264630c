//! Property tests (proptest) of `par`: for random ops, lengths, start offsets, thresholds (which
//! set the chunk length), thread counts 1..=8, element types and layouts, the split result is
//! bitwise identical to the serial call. `tests/par.rs` holds the fixed cases.
#![cfg(feature = "rayon")]

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use simd_activations::catalogue::{GATED, OPS};
use simd_activations::{Element, Kernels, bf16, f16};

/// One pool per thread count 1..=8, built once.
fn pool(threads: usize) -> &'static rayon::ThreadPool {
    static POOLS: OnceLock<Vec<rayon::ThreadPool>> = OnceLock::new();
    &POOLS.get_or_init(|| {
        (1..=8)
            .map(|n| {
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .build()
                    .expect("a rayon pool")
            })
            .collect()
    })[threads - 1]
}

/// Inputs from bit patterns: values on [-24, 24] mostly, any f32 (NaN, inf, subnormal) in one
/// of every eight.
fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        7 => -24.0_f32..24.0,
        1 => any::<u32>().prop_map(f32::from_bits),
    ]
}

/// The split: thread count, threshold (0 always splits; the chunk length grows with it), and
/// where the slice starts inside its buffer (so chunks are not aligned to it).
#[derive(Clone, Copy, Debug)]
struct Split {
    threads: usize,
    min_len: usize,
    offset: usize,
}

fn split() -> impl Strategy<Value = Split> {
    (1usize..=8, prop_oneof![Just(0), 0usize..40_000], 0usize..17).prop_map(
        |(threads, min_len, offset)| Split {
            threads,
            min_len,
            offset,
        },
    )
}

fn same_bits<T: Element + bytemuck::Pod>(a: &[T], b: &[T]) -> bool {
    bytemuck::cast_slice::<T, u8>(a) == bytemuck::cast_slice::<T, u8>(b)
}

/// silu in element type `T`: `par` against serial, out of place and in place.
fn silu_matches<T: Element + bytemuck::Pod>(x: &[f32], s: Split) -> Result<(), TestCaseError> {
    let buf: Vec<T> = x.iter().map(|&v| T::from_f32(v)).collect();
    let x = &buf[s.offset.min(buf.len())..];
    let k = Kernels::detect();
    let mut serial = vec![T::default(); x.len()];
    k.silu(x, &mut serial);
    let p = k.par().with_min_len(s.min_len);
    let mut split = vec![T::default(); x.len()];
    let mut inplace = x.to_vec();
    pool(s.threads).install(|| {
        p.silu(x, &mut split);
        p.silu_inplace(&mut inplace);
    });
    prop_assert!(same_bits(&serial, &split), "{} out of place", T::NAME);
    prop_assert!(same_bits(&serial, &inplace), "{} in place", T::NAME);
    Ok(())
}

proptest! {
    // 96 cases per property; fewer in reduced (emulated) runs.
    #![proptest_config(ProptestConfig {
        cases: (96 / common::thin()).max(4) as u32,
        ..ProptestConfig::default()
    })]

    /// Every unary op of the catalogue (f32).
    #[test]
    fn unary_par_is_serial(
        op in 0..OPS.len(),
        x in prop::collection::vec(value(), 0..150_000),
        s in split(),
    ) {
        let op = &OPS[op];
        let x = &x[s.offset.min(x.len())..];
        let k = Kernels::detect();
        let mut serial = vec![0.0; x.len()];
        (op.eval_f32)(k, x, &mut serial);
        let mut split = vec![0.0; x.len()];
        pool(s.threads).install(|| (op.par_f32)(k.par().with_min_len(s.min_len), x, &mut split));
        prop_assert!(
            common::first_bit_difference(&serial, &split).is_none(),
            "{} len {} {:?}", op.name, x.len(), s
        );
    }

    /// silu in every element type, out of place and in place.
    #[test]
    fn every_element_type_par_is_serial(
        x in prop::collection::vec(value(), 0..150_000),
        s in split(),
    ) {
        silu_matches::<f32>(&x, s)?;
        silu_matches::<bf16>(&x, s)?;
        silu_matches::<f16>(&x, s)?;
    }

    /// Every gated op in the separate, rows and interleaved layouts (f32).
    #[test]
    fn gated_par_is_serial_in_every_layout(
        op in 0..GATED.len(),
        rows in 1usize..64,
        width in 1usize..3000,
        seed in prop::collection::vec(value(), 64),
        s in split(),
    ) {
        let op = &GATED[op];
        let n = rows * width;
        let at = |i: usize, salt: usize| seed[(i * 7 + salt) % seed.len()] * (1.0 + (i % 13) as f32);
        let gate: Vec<f32> = (0..n).map(|i| at(i, 0)).collect();
        let up: Vec<f32> = (0..n).map(|i| at(i, 5)).collect();
        let k = Kernels::detect();
        let mut serial = vec![0.0; n];
        (op.eval_f32)(k, &gate, &up, &mut serial);
        let gate_up: Vec<f32> = gate
            .chunks(width)
            .zip(up.chunks(width))
            .flat_map(|(g, u)| g.iter().chain(u).copied())
            .collect();
        let pairs: Vec<f32> = gate.iter().zip(&up).flat_map(|(&g, &u)| [g, u]).collect();
        let p = k.par().with_min_len(s.min_len);
        let (mut separate, mut by_rows, mut interleaved) = (vec![0.0; n], vec![0.0; n], vec![0.0; n]);
        pool(s.threads).install(|| {
            (op.par_f32)(p, &gate, &up, &mut separate);
            (op.par_rows_f32)(p, &gate_up, width, &mut by_rows);
            (op.par_interleaved_f32)(p, &pairs, &mut interleaved);
        });
        for (layout, got) in [("separate", &separate), ("rows", &by_rows), ("interleaved", &interleaved)] {
            prop_assert!(
                common::first_bit_difference(&serial, got).is_none(),
                "{} {layout} {rows}x{width} {:?}", op.name, s
            );
        }
    }
}
