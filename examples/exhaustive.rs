//! Exhaustive accuracy check: every one of the 2^32 f32 inputs of each op against its f64 reference.
//!
//! `cargo run --release --example exhaustive -- [--op NAME]... [--isa NAME] [--stride N]`
//!
//! `--stride N` checks every N-th bit pattern only (a quick dense sweep; default 1, exhaustive).
//!
//! Prints, per op: max ULP error, the input where it occurs, how many inputs exceed 1 ULP and the
//! budget, whether NaN inputs all gave NaN, and for monotone ops whether the outputs of
//! consecutive inputs ever decrease. Runs on all cores (rayon).

use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;
use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::ulp_distance;
use simd_activations::{Isa, Kernels};

const BLOCK: u64 = 1 << 16;

struct Outcome {
    max_ulp: f64,
    worst_input: f32,
    above_one: u64,
    nan_ok: bool,
    /// Consecutive inputs (in value order, within a block) whose outputs decrease.
    drops: u64,
}

fn check(op: &OpSpec, kernels: Kernels, stride: u64, progress: &AtomicU64) -> Outcome {
    let span = BLOCK * stride;
    let blocks = (1u64 << 32).div_ceil(span);
    let partial: Vec<Outcome> = (0..blocks)
        .into_par_iter()
        .map(|b| {
            let x: Vec<f32> = (b * span..((b + 1) * span).min(1 << 32))
                .step_by(stride as usize)
                .map(|bits| f32::from_bits(bits as u32))
                .collect();
            let mut y = vec![0.0f32; x.len()];
            (op.eval_f32)(kernels, &x, &mut y);
            let mut out = Outcome {
                max_ulp: 0.0,
                worst_input: 0.0,
                above_one: 0,
                nan_ok: true,
                drops: 0,
            };
            if op.monotone {
                // Bit patterns ascend with the value for +x and descend for -x.
                let negative = b * span >= 1 << 31;
                out.drops = y
                    .windows(2)
                    .zip(x.windows(2))
                    .filter(|(_, v)| !v[0].is_nan() && !v[1].is_nan())
                    .filter(|(w, _)| if negative { w[1] > w[0] } else { w[1] < w[0] })
                    .count() as u64;
            }
            for (&xi, &yi) in x.iter().zip(&y) {
                if xi.is_nan() {
                    out.nan_ok &= yi.is_nan();
                    continue;
                }
                let err = ulp_distance(yi, (op.reference)(f64::from(xi)));
                if err > 1.0 {
                    out.above_one += 1;
                }
                if err > out.max_ulp {
                    out.max_ulp = err;
                    out.worst_input = xi;
                }
            }
            let done = progress.fetch_add(1, Ordering::Relaxed) + 1;
            if done.is_multiple_of((blocks / 16).max(1)) {
                eprint!("\r  {:>3}%", done * 100 / blocks);
            }
            out
        })
        .collect();
    eprint!("\r");
    partial.into_iter().fold(
        Outcome {
            max_ulp: 0.0,
            worst_input: 0.0,
            above_one: 0,
            nan_ok: true,
            drops: 0,
        },
        |a, b| Outcome {
            max_ulp: a.max_ulp.max(b.max_ulp),
            worst_input: if b.max_ulp > a.max_ulp {
                b.worst_input
            } else {
                a.worst_input
            },
            above_one: a.above_one + b.above_one,
            nan_ok: a.nan_ok && b.nan_ok,
            drops: a.drops + b.drops,
        },
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut names = Vec::new();
    let mut isa = Isa::detect();
    let mut stride = 1u64;
    let mut i = 0;
    while i < args.len() {
        match (args[i].as_str(), args.get(i + 1)) {
            ("--op", Some(name)) => names.push(name.clone()),
            ("--stride", Some(n)) => {
                stride = n
                    .parse()
                    .unwrap_or_else(|_| fail("--stride takes a positive integer"))
            }
            ("--isa", Some(name)) => isa = name.parse().unwrap_or_else(|e| fail(&format!("{e}"))),
            _ => fail(&format!("unknown argument {:?}", args[i])),
        }
        i += 2;
    }
    for name in &names {
        if OpSpec::find(name).is_none() {
            let all: Vec<&str> = OPS.iter().map(|o| o.name).collect();
            fail(&format!("unknown op {name:?}; ops: {}", all.join(", ")));
        }
    }
    let kernels = Kernels::new(isa).unwrap_or_else(|e| fail(&format!("{e}")));
    if stride == 0 {
        fail("--stride takes a positive integer");
    }
    if stride == 1 {
        println!("exhaustive check over all 2^32 f32 inputs, ISA {isa}");
    } else {
        println!("check over every {stride}-th f32 bit pattern, ISA {isa}");
    }
    println!("| op | max ULP | at x | inputs > 1 ULP | budget | NaN -> NaN | monotone |");
    println!("|---|---|---|---|---|---|---|");
    for op in OPS
        .iter()
        .filter(|o| names.is_empty() || names.iter().any(|n| n == o.name))
    {
        let progress = AtomicU64::new(0);
        let o = check(op, kernels, stride, &progress);
        let monotone = match (op.monotone, o.drops) {
            (false, _) => "n/a".to_string(),
            (true, 0) => "yes".to_string(),
            (true, d) => format!("NO ({d} drops)"),
        };
        println!(
            "| {} | {:.3} | {:e} | {} | {} | {} | {monotone} |",
            op.name,
            o.max_ulp,
            o.worst_input,
            o.above_one,
            op.ulp_f32,
            if o.nan_ok { "yes" } else { "NO" }
        );
    }
}

fn fail(msg: &str) -> ! {
    eprintln!("exhaustive: {msg}");
    std::process::exit(2)
}
