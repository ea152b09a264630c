//! Throughput of every op of the catalogue on every ISA of this CPU, in place, one thread, f32.
//!
//! `cargo bench --bench unary` runs everything (about 2.5 minutes on a 2-core Zen 3, plots off;
//! `BENCH_PLOTS=1` for criterion's HTML plots, which add ~3 s per benchmark); filter as criterion
//! does, e.g. `cargo bench --bench unary -- unary/silu/avx2` or `-- memory`.
//!
//! - `unary/OP/ISA/N`: `N` elements spread evenly over [-8, 8] (as the peer benchmarks), in place.
//! - `rational/rational/ISA/N`: the rational activation, default coefficients, in place.
//! - `backward/OP/ISA/N`: `OP_backward` out of place (gradients 1).
//! - `prelu_backward/prelu_backward/ISA/N` (768 channels, per-channel slopes) and
//!   `rational_backward/rational_backward/ISA/N` (default coefficients): the backward passes
//!   with their parameter gradients, out of place (gradients over [-1, 1]).
//! - `rowwise/OP/ISA/widthW/N`: softmax and log_softmax in place over rows of `W` (inputs as
//!   above).
//! - `rowwise_backward/OP/ISA/width4096/N`: `softmax_backward` / `log_softmax_backward` out of
//!   place from the forward's outputs.
//! - `memory/relu_inplace/N` and `memory/mul_one/N`: the bandwidth line at the same sizes, the
//!   free `relu_inplace` (detected ISA) and a plain read-modify-write loop `x[i] *= 1.0` (the
//!   factor through `black_box`, so the pass is not optimised away).
//!
//! Every iteration first restores the input buffer from a template, untimed (an in-place op
//! applied to its own output would drift to other inputs: exp overflows to infinity within a
//! few calls), then times exactly one call with `Instant` (`iter_custom`). The buffer is reused,
//! so no allocation or page fault lands in the setup; the timer's own cost (~25 ns) is under
//! 2% of the smallest case. Throughput is reported in elements (`Throughput::Elements(N)`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::catalogue::{OPS, ROWWISE};
use simd_activations::{Isa, Kernels};

/// f32 elements per call: 16 KiB (L1), 256 KiB (L2), 4 MiB (L3), 64 MiB (memory).
const SIZES: [usize; 4] = [4096, 65536, 1 << 20, 1 << 24];

/// `N` inputs spread evenly over [-8, 8], the range the peer benchmarks
/// (`../shared/peers/run.sh`) use, so the figures compare.
fn inputs(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| (-8.0 + 16.0 * (i as f64 + 0.5) / n as f64) as f32)
        .collect()
}

/// Sampling for `n` elements: linear (criterion's default) while a call is short, flat (the
/// same iteration count per sample) for the large sizes so that a slow op on 16 Mi elements
/// does not need 210 calls for 20 samples.
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.throughput(Throughput::Elements(n as u64));
    if n <= 1 << 16 {
        group.sampling_mode(SamplingMode::Linear).sample_size(20);
    } else {
        group.sampling_mode(SamplingMode::Flat).sample_size(10);
    }
}

/// Times `f` on `buf` (restored from `template` before every call, untimed).
fn time_in_place(
    iters: u64,
    template: &[f32],
    buf: &mut [f32],
    mut f: impl FnMut(&mut [f32]),
) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        buf.copy_from_slice(template);
        let start = Instant::now();
        f(black_box(&mut *buf));
        total += start.elapsed();
    }
    black_box(&*buf);
    total
}

fn unary(c: &mut Criterion) {
    let mut group = c.benchmark_group("unary");
    for op in OPS {
        let run = op.eval_inplace_f32;
        for isa in Isa::available() {
            let k = Kernels::new(isa).expect("an available ISA");
            for n in SIZES {
                configure(&mut group, n);
                let template = inputs(n);
                let mut buf = template.clone();
                let id = BenchmarkId::new(format!("{}/{}", op.name, isa.name()), n);
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| time_in_place(iters, &template, &mut buf, |x| run(k, x)))
                });
            }
        }
    }
    group.finish();
}

/// PReLU with one slope per channel, rows of 768 channels (a transformer's hidden width).
fn prelu(c: &mut Criterion) {
    let channels = 768;
    let mut group = c.benchmark_group("prelu");
    for isa in Isa::available() {
        let k = Kernels::new(isa).expect("an available ISA");
        for n in SIZES {
            let n = n.next_multiple_of(channels);
            configure(&mut group, n);
            let template = inputs(n);
            let alpha: Vec<f32> = (0..channels).map(|c| 0.01 + c as f32 / 4096.0).collect();
            let mut buf = template.clone();
            let id = BenchmarkId::new(format!("prelu/{}", isa.name()), n);
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    time_in_place(iters, &template, &mut buf, |x| {
                        k.prelu_inplace(x, &alpha, channels)
                    })
                })
            });
        }
    }
    group.finish();
}

/// The PReLU backward pass with the forward's shapes (768 channels, per-channel slopes), out
/// of place, `grad_in` and `grad_alpha`, 64 Ki and 1 Mi elements.
fn prelu_backward(c: &mut Criterion) {
    let channels = 768;
    let mut group = c.benchmark_group("prelu_backward");
    for isa in Isa::available() {
        let k = Kernels::new(isa).expect("an available ISA");
        for n in [1_usize << 16, 1 << 20] {
            let n = n.next_multiple_of(channels);
            configure(&mut group, n);
            let x = inputs(n);
            let grad: Vec<f32> = x.iter().map(|v| v / 8.0).collect();
            let alpha: Vec<f32> = (0..channels).map(|c| 0.01 + c as f32 / 4096.0).collect();
            let mut grad_in = vec![0.0_f32; n];
            let mut grad_alpha = vec![0.0_f32; channels];
            let id = BenchmarkId::new(format!("prelu_backward/{}", isa.name()), n);
            group.bench_function(id, |b| {
                b.iter(|| {
                    k.prelu_backward(
                        black_box(&x),
                        black_box(&grad),
                        &alpha,
                        channels,
                        black_box(&mut grad_in),
                        black_box(&mut grad_alpha),
                    )
                })
            });
        }
    }
    group.finish();
}

/// The backward pass of every op that has one, `NAME_backward(x, grad_out, grad_in)` out of
/// place, 64 Ki and 1 Mi elements (inputs as above, gradients 1), beside the forward figures.
fn backward(c: &mut Criterion) {
    let mut group = c.benchmark_group("backward");
    for op in OPS {
        let Some(b) = op.backward else { continue };
        for isa in Isa::available() {
            let k = Kernels::new(isa).expect("an available ISA");
            for n in [1 << 16, 1 << 20] {
                configure(&mut group, n);
                let x = inputs(n);
                let grad = vec![1.0_f32; n];
                let mut out = vec![0.0_f32; n];
                let id = BenchmarkId::new(format!("{}/{}", op.name, isa.name()), n);
                group.bench_function(id, |bch| {
                    bch.iter(|| {
                        (b.eval_f32)(k, black_box(&x), black_box(&grad), black_box(&mut out))
                    })
                });
            }
        }
    }
    group.finish();
}

/// The rational activation with its default (5, 4) leaky-ReLU coefficients, in place.
fn rational(c: &mut Criterion) {
    let mut group = c.benchmark_group("rational");
    for isa in Isa::available() {
        let k = Kernels::new(isa).expect("an available ISA");
        for n in SIZES {
            configure(&mut group, n);
            let template = inputs(n);
            let mut buf = template.clone();
            let id = BenchmarkId::new(format!("rational/{}", isa.name()), n);
            group.bench_function(id, |b| {
                b.iter_custom(|iters| {
                    time_in_place(iters, &template, &mut buf, |x| {
                        k.rational_inplace(x, &RATIONAL_LEAKY_P, &RATIONAL_LEAKY_B)
                    })
                })
            });
        }
    }
    group.finish();
}

/// The rational activation's backward pass with its coefficient gradients (default (5, 4)
/// coefficients), out of place, 64 Ki and 1 Mi elements, gradients over [-1, 1].
fn rational_backward(c: &mut Criterion) {
    let mut group = c.benchmark_group("rational_backward");
    for isa in Isa::available() {
        let k = Kernels::new(isa).expect("an available ISA");
        for n in [1_usize << 16, 1 << 20] {
            configure(&mut group, n);
            let x = inputs(n);
            let grad: Vec<f32> = x.iter().map(|v| v / 8.0).collect();
            let mut grad_in = vec![0.0_f32; n];
            let (mut grad_a, mut grad_b) = ([0.0_f32; 6], [0.0_f32; 4]);
            let id = BenchmarkId::new(format!("rational_backward/{}", isa.name()), n);
            group.bench_function(id, |b| {
                b.iter(|| {
                    k.rational_backward(
                        black_box(&x),
                        black_box(&grad),
                        &RATIONAL_LEAKY_P,
                        &RATIONAL_LEAKY_B,
                        black_box(&mut grad_in),
                        (black_box(&mut grad_a), black_box(&mut grad_b)),
                    )
                })
            });
        }
    }
    group.finish();
}

/// Softmax and log-softmax in place over rows of 128, 4096 and 32 Ki logits (64 Ki elements
/// per call, and 1 Mi at width 4096), inputs over [-8, 8].
fn rowwise(c: &mut Criterion) {
    let mut group = c.benchmark_group("rowwise");
    for op in ROWWISE {
        for isa in Isa::available() {
            let k = Kernels::new(isa).expect("an available ISA");
            for (width, n) in [
                (128, 1 << 16),
                (4096, 1 << 16),
                (32768, 1 << 16),
                (4096, 1 << 20),
            ] {
                configure(&mut group, n);
                let template = inputs(n);
                let mut buf = template.clone();
                let id = BenchmarkId::new(format!("{}/{}/width{width}", op.name, isa.name()), n);
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| {
                        time_in_place(iters, &template, &mut buf, |x| {
                            (op.inplace_f32)(k, x, width)
                        })
                    })
                });
            }
        }
    }
    group.finish();
}

/// `rowwise_backward/OP/ISA/width4096/N`: `softmax_backward` and `log_softmax_backward` out of
/// place over rows of 4096 (the outputs of a softmax of the inputs above, gradients over
/// [-1, 1]), 64 Ki elements.
fn rowwise_backward(c: &mut Criterion) {
    let mut group = c.benchmark_group("rowwise_backward");
    let (width, n) = (4096, 1 << 16);
    let mut y = vec![0.0_f32; n];
    Kernels::global().softmax(&inputs(n), width, &mut y);
    let log_y: Vec<f32> = y.iter().map(|v| v.ln()).collect();
    let grad: Vec<f32> = inputs(n).iter().map(|v| v / 8.0).collect();
    let mut out = vec![0.0_f32; n];
    type Backward = fn(Kernels, &[f32], &[f32], usize, &mut [f32]);
    let ops: [(&str, &[f32], Backward); 2] = [
        ("softmax", &y, |k, y, g, w, o| {
            k.softmax_backward(y, g, w, o)
        }),
        ("log_softmax", &log_y, |k, y, g, w, o| {
            k.log_softmax_backward(y, g, w, o)
        }),
    ];
    for (name, y, f) in ops {
        for isa in Isa::available() {
            let k = Kernels::new(isa).expect("an available ISA");
            configure(&mut group, n);
            let id = BenchmarkId::new(format!("{name}/{}/width{width}", isa.name()), n);
            group.bench_function(id, |b| {
                b.iter(|| {
                    f(
                        k,
                        black_box(y),
                        black_box(&grad),
                        width,
                        black_box(&mut out),
                    )
                })
            });
        }
    }
    group.finish();
}

fn memory(c: &mut Criterion) {
    let mut group = c.benchmark_group("memory");
    for n in SIZES {
        configure(&mut group, n);
        let template = inputs(n);
        let mut buf = template.clone();
        group.bench_function(BenchmarkId::new("relu_inplace", n), |b| {
            b.iter_custom(|iters| {
                time_in_place(iters, &template, &mut buf, |x| {
                    simd_activations::relu_inplace(x)
                })
            })
        });
        group.bench_function(BenchmarkId::new("mul_one", n), |b| {
            b.iter_custom(|iters| {
                time_in_place(iters, &template, &mut buf, |x| {
                    let one = black_box(1.0f32);
                    for v in x.iter_mut() {
                        *v *= one;
                    }
                })
            })
        });
    }
    group.finish();
}

/// Short warm-up and measurement so the whole run stays under 3 minutes on 2 cores. Plots are
/// off (criterion's plotters backend costs ~3 s per benchmark, more than the measurement);
/// `BENCH_PLOTS=1` turns them back on for the HTML report.
fn config() -> Criterion {
    let c = Criterion::default()
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(1))
        .sample_size(20);
    if std::env::var_os("BENCH_PLOTS").is_some_and(|v| v == "1") {
        c
    } else {
        c.without_plots()
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = unary, prelu, prelu_backward, rational, rational_backward, rowwise, rowwise_backward, backward, memory
}
criterion_main!(benches);
