//! `cargo run --release`: the detected ISA, then every op of the catalogue on every ISA of this
//! CPU with its throughput (one thread, out of place into a preallocated buffer, 64 Ki and 1 Mi
//! f32 elements spread over [-8, 8], median of timed runs) next to the copy line of the same run,
//! and its max ULP error over a dense sweep of all f32.

use std::time::Instant;

use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::ulp_distance;
use simd_activations::{Isa, Kernels};

const SIZES: [usize; 2] = [1 << 16, 1 << 20];

/// Median seconds per call of `f` over 7 samples of enough calls to fill ~`budget` seconds.
fn time_per_call(mut f: impl FnMut(), budget: f64) -> f64 {
    f();
    let start = Instant::now();
    let mut calls = 0usize;
    while start.elapsed().as_secs_f64() < budget / 20.0 {
        f();
        calls += 1;
    }
    let once = start.elapsed().as_secs_f64() / calls as f64;
    let reps = ((budget / 7.0) / once).ceil().max(1.0) as usize;
    let mut samples: Vec<f64> = (0..7)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..reps {
                f();
            }
            t.elapsed().as_secs_f64() / reps as f64
        })
        .collect();
    samples.sort_by(f64::total_cmp);
    samples[3]
}

/// Inputs spread evenly over [-8, 8], the range the peer benchmarks use.
fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (-8.0 + 16.0 * (i as f64 + 0.5) / n as f64) as f32)
        .collect()
}

/// Max ULP error over every 509th f32 bit pattern (8.4 M inputs, all exponents).
fn dense_max_ulp(op: &OpSpec, k: Kernels) -> f64 {
    let x: Vec<f32> = (0..u32::MAX / 509)
        .map(|i| f32::from_bits(i * 509))
        .filter(|v| !v.is_nan())
        .collect();
    let mut y = vec![0.0; x.len()];
    (op.eval_f32)(k, &x, &mut y);
    x.iter()
        .zip(&y)
        .map(|(&a, &b)| ulp_distance(b, (op.reference)(f64::from(a))))
        .fold(0.0, f64::max)
}

fn main() {
    println!(
        "simd-activations {}: detected ISA {} (available: {})",
        env!("CARGO_PKG_VERSION"),
        Isa::detect(),
        names(&Isa::available())
    );
    println!(
        "one thread, f32, out of place; Gelem/s = 1e9 elements per second (median of 7 runs)\n"
    );
    print!("{:<12} {:<8}", "op", "ISA");
    for n in SIZES {
        print!(" {:>13}", format!("{} Ki Gelem/s", n >> 10));
    }
    println!(" {:>10} {:>8}", "max ULP", "budget");
    for isa in Isa::available() {
        let k = Kernels::new(isa).expect("available ISA");
        print!("{:<12} {:<8}", "copy (line)", isa.name());
        for n in SIZES {
            let mut buf = vec![1.0f32; n];
            let src = vec![2.0f32; n];
            let t = time_per_call(|| buf.copy_from_slice(std::hint::black_box(&src)), 0.2);
            print!(" {:>13.2}", n as f64 / t / 1e9);
        }
        println!();
        for op in OPS {
            print!("{:<12} {:<8}", op.name, isa.name());
            for n in SIZES {
                let x = inputs(n);
                let mut out = vec![0.0f32; n];
                let t = time_per_call(|| (op.eval_f32)(k, std::hint::black_box(&x), &mut out), 0.2);
                print!(" {:>13.2}", n as f64 / t / 1e9);
            }
            println!(" {:>10.3} {:>8}", dense_max_ulp(op, k), op.ulp_f32);
        }
    }
}

fn names(isas: &[Isa]) -> String {
    isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ")
}
