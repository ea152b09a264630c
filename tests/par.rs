//! `par`: bitwise identical to the serial call for 1, 2, 3 and 7 threads, odd lengths,
//! unaligned starts and several chunk sizes, for every op and layout; serial below the threshold.
//! `tests/par_props.rs` draws random cases of the same.
#![cfg(feature = "rayon")]

mod common;

use simd_activations::catalogue::{GATED, OPS};
use simd_activations::{Kernels, par};

fn pool(threads: usize) -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
}

fn inputs(n: usize, seed: u32) -> Vec<f32> {
    (0..n as u32)
        .map(|i| {
            let h = (i ^ seed).wrapping_mul(0x9E37_79B9).rotate_left(13);
            (h as f32 / u32::MAX as f32) * 40.0 - 20.0
        })
        .collect()
}

const THREADS: [usize; 4] = [1, 2, 3, 7];
const MIN_LENS: [usize; 3] = [0, 1000, 20_000];

/// The slice lengths: odd, a little over a power of two, and a power of two; only the shortest
/// in a reduced (emulated) run, where it still splits (thresholds 0 and 1000).
fn lengths() -> Vec<usize> {
    if common::thin() > 1 {
        vec![4_097]
    } else {
        vec![70_001, 4_097, 1 << 17]
    }
}

#[test]
fn unary_ops_match_the_serial_bits() {
    let k = Kernels::detect();
    for op in OPS {
        for n in lengths() {
            // Start one element in, so chunks and the 64-byte head are exercised unaligned.
            let x = inputs(n + 1, n as u32);
            let x = &x[1..];
            let mut serial = vec![0.0; n];
            (op.eval_f32)(k, x, &mut serial);
            for threads in THREADS {
                for min_len in MIN_LENS {
                    let mut split = vec![0.0; n];
                    pool(threads)
                        .install(|| (op.par_f32)(k.par().with_min_len(min_len), x, &mut split));
                    assert!(
                        common::first_bit_difference(&serial, &split).is_none(),
                        "{} n={n} threads={threads} min_len={min_len}",
                        op.name
                    );
                }
            }
        }
    }
}

#[test]
fn gated_ops_match_the_serial_bits_in_every_layout() {
    let k = Kernels::detect();
    for op in GATED {
        for n in lengths() {
            let gate = inputs(n, 1);
            let up = inputs(n, 2);
            let mut serial = vec![0.0; n];
            (op.eval_f32)(k, &gate, &up, &mut serial);
            let pairs: Vec<f32> = gate.iter().zip(&up).flat_map(|(&g, &u)| [g, u]).collect();
            let width = [1, 7, 4097].into_iter().rev().find(|w| n % w == 0).unwrap();
            let rows: Vec<f32> = gate
                .chunks(width)
                .zip(up.chunks(width))
                .flat_map(|(g, u)| g.iter().chain(u).copied())
                .collect();
            for threads in THREADS {
                for min_len in MIN_LENS {
                    let p = k.par().with_min_len(min_len);
                    let mut out = vec![0.0; n];
                    let mut by_rows = vec![0.0; n];
                    let mut inter = vec![0.0; n];
                    pool(threads).install(|| {
                        (op.par_f32)(p, &gate, &up, &mut out);
                        (op.par_rows_f32)(p, &rows, width, &mut by_rows);
                        (op.par_interleaved_f32)(p, &pairs, &mut inter);
                    });
                    for (layout, got) in [
                        ("separate", &out),
                        ("rows", &by_rows),
                        ("interleaved", &inter),
                    ] {
                        assert!(
                            common::first_bit_difference(&serial, got).is_none(),
                            "{} {layout} n={n} threads={threads} min_len={min_len}",
                            op.name
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn free_functions_and_in_place_forms_match() {
    let x = inputs(50_001, 9);
    let mut a = x.clone();
    par::silu_inplace(&mut a);
    let mut b = vec![0.0; x.len()];
    simd_activations::silu(&x, &mut b);
    assert!(common::first_bit_difference(&a, &b).is_none());
    let up = inputs(50_001, 10);
    let mut g = x.clone();
    pool(3).install(|| par::swiglu_inplace(&mut g, &up));
    let mut s = vec![0.0; x.len()];
    simd_activations::swiglu(&x, &up, &mut s);
    assert!(common::first_bit_difference(&g, &s).is_none());
}

#[test]
fn length_mismatch_panics_before_splitting() {
    let err = std::panic::catch_unwind(|| {
        par::silu(&[1.0_f32; 100_000], &mut [0.0; 99_999]);
    })
    .expect_err("mismatch must panic");
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        msg.contains("silu") && msg.contains("100000") && msg.contains("99999"),
        "{msg}"
    );
}

#[test]
fn threshold_is_settable_and_reported() {
    let p = Kernels::detect().par();
    assert_eq!(p.min_len(), None);
    assert_eq!(p.with_min_len(5).min_len(), Some(5));
}
