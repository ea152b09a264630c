//! Throughput of every gated op of the catalogue (`out = f(gate, up)`, separate slices) on every
//! ISA of this CPU, for f32, bf16 and f16, on one thread and on all threads, with the memory line
//! it is bounded by.
//!
//! `cargo bench --bench gated` runs everything, 146 benchmarks (about 2 minutes 15 s on a 2-core
//! Zen 3, plots off; `BENCH_PLOTS=1` turns criterion's HTML plots back on); filter as criterion does, e.g. `cargo bench --bench gated -- gated/swiglu/f32`,
//! `-- gated_memory` or `-- par_threshold`. `SIMD_ACTIVATIONS_BENCH_SIZES=4096,65536` replaces the
//! default sizes (4 Ki, 64 Ki, 1 Mi, 16 Mi elements of output) by a comma-separated list of
//! element counts, for CI and quick runs.
//!
//! How to read it: throughput is in elements of *output* (`Throughput::Elements(N)`), so
//! criterion's `Gelem/s` is output elements per second whatever the element type; one element
//! moves `3 * size_of::<T>()` bytes (gate and up read, out written): the default sizes touch
//! 48 KiB, 768 KiB, 12 MiB and 192 MiB in f32 (half that in bf16 and f16), i.e. L2, L2 or L3,
//! L3 and memory on a Zen 3 (512 KiB L2 per core, 32 MiB L3).
//!
//! - `gated/OP/DTYPE/ISA/N`: one thread, `Kernels::new(ISA)`, the op's separate-slices form
//!   (`GatedSpec::eval_f32`, `eval_bf16`, `eval_f16`) with default parameters. Every ISA but
//!   `Scalar`; `Scalar` only for f32 at 4 Ki elements (or the smallest size, if smaller), enough
//!   to show the ratio (it is about 50x slower).
//! - `gated_backward/OP/f32/ISA/N`: the op's backward pass (`GatedBackwardSpec::eval_f32`: gate,
//!   up and grad_out read, grad_gate and grad_up written, 20 bytes per element), one thread,
//!   every SIMD ISA.
//! - `gated_par/OP/f32/ISA/N`: all threads of the global rayon pool, `GatedSpec::par_f32` on
//!   `Kernels::new(ISA).par()` (default threshold: below `par::DEFAULT_MIN_LEN` elements the call
//!   runs serially, so there it matches `gated/OP/f32/ISA/N`). Needs the `rayon` feature.
//! - `gated_memory/DTYPE/serial/N` and `gated_memory/DTYPE/par/N`: the memory line, the bytes
//!   the op must move and nothing else: one pass `out[i] = gate[i] | up[i]` on the raw bits
//!   (integer ops, no floating point), on one thread and split over the global rayon pool
//!   (always split, in chunks cut as `par` cuts them). An op at or near its line is
//!   bandwidth-bound at that size; below it, compute-bound.
//! - `par_threshold/OP/serial/N` and `par_threshold/OP/split/N`: for `reglu` (the cheapest op)
//!   and `geglu` (one of the dearest) on f32 with the detected ISA, at 4 Ki to 256 Ki elements,
//!   serial `eval_f32` against `par_f32` with `with_min_len(0)` (always split): where `split`
//!   starts winning is where `par::DEFAULT_MIN_LEN` should sit. Needs the `rayon` feature.
//!
//! Inputs: gates evenly spread over [-8, 8] and ups over [-4, 4] (the range of the unary bench),
//! in an order that mixes magnitudes within each vector (two Weyl sequences, so every prefix is
//! evenly spread too), rounded to bf16 or f16 with `from_f32`. The out-of-place ops do not alter
//! their inputs, so each sample times `iters` back-to-back calls with one `Instant` pair
//! (`iter_custom`); buffers are allocated and touched before timing. The `par` calls come from
//! the bench's main thread, outside the pool (as a caller of the free `par::` functions does), so
//! every split call pays for waking the pool's workers and waiting for them.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{
    BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main, measurement::WallTime,
};
use rayon::prelude::*;
use simd_activations::catalogue::{GATED, GatedSpec};
use simd_activations::{Isa, Kernels, bf16, f16};

/// Default elements of output per call: 4 Ki, 64 Ki, 1 Mi, 16 Mi.
const DEFAULT_SIZES: [usize; 4] = [1 << 12, 1 << 16, 1 << 20, 1 << 24];

/// Environment variable replacing [`DEFAULT_SIZES`]: comma-separated element counts.
const SIZES_ENV_VAR: &str = "SIMD_ACTIVATIONS_BENCH_SIZES";

/// Measurement time of one benchmark (criterion's default is 5 s).
const MEASUREMENT: Duration = Duration::from_millis(400);

/// Measurement time above 1 Mi elements.
const LONG_MEASUREMENT: Duration = Duration::from_millis(800);

/// Size at which `Scalar` runs (f32 only; the smallest size instead, if that is smaller).
const SCALAR_SIZE: usize = 1 << 12;

/// Sizes of the `par_threshold` group, around `par::DEFAULT_MIN_LEN` (32 Ki).
#[cfg(feature = "rayon")]
const THRESHOLD_SIZES: [usize; 5] = [1 << 12, 1 << 14, 1 << 15, 1 << 16, 1 << 18];

/// The ops of the `par_threshold` group: the cheapest and one of the dearest.
#[cfg(feature = "rayon")]
const THRESHOLD_OPS: [&str; 2] = ["reglu", "geglu"];

/// The sizes to run: [`SIZES_ENV_VAR`] if set and not empty, else [`DEFAULT_SIZES`].
fn sizes() -> Vec<usize> {
    match std::env::var(SIZES_ENV_VAR) {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|s| {
                let s = s.trim();
                s.parse::<usize>()
                    .ok()
                    .filter(|&n| n > 0)
                    .unwrap_or_else(|| panic!("{SIZES_ENV_VAR}: {s:?} is not a positive count"))
            })
            .collect(),
        _ => DEFAULT_SIZES.to_vec(),
    }
}

/// An element type of the bench: its name, conversion, the op's entry point and the bitwise
/// or of the memory line.
trait Elem: Copy + Default + Send + Sync {
    /// Name in the group ids: `f32`, `bf16`, `f16`.
    const NAME: &'static str;
    /// Round an f32 input to this type.
    fn from_f32(x: f32) -> Self;
    /// The op's separate-slices form for this type.
    fn eval(op: &GatedSpec) -> fn(Kernels, &[Self], &[Self], &mut [Self]);
    /// `a | b` on the raw bits (an integer op: costs no floating point).
    fn or_bits(a: Self, b: Self) -> Self;
}

impl Elem for f32 {
    const NAME: &'static str = "f32";
    fn from_f32(x: f32) -> Self {
        x
    }
    fn eval(op: &GatedSpec) -> fn(Kernels, &[Self], &[Self], &mut [Self]) {
        op.eval_f32
    }
    fn or_bits(a: Self, b: Self) -> Self {
        f32::from_bits(a.to_bits() | b.to_bits())
    }
}

impl Elem for bf16 {
    const NAME: &'static str = "bf16";
    fn from_f32(x: f32) -> Self {
        bf16::from_f32(x)
    }
    fn eval(op: &GatedSpec) -> fn(Kernels, &[Self], &[Self], &mut [Self]) {
        op.eval_bf16
    }
    fn or_bits(a: Self, b: Self) -> Self {
        bf16::from_bits(a.to_bits() | b.to_bits())
    }
}

impl Elem for f16 {
    const NAME: &'static str = "f16";
    fn from_f32(x: f32) -> Self {
        f16::from_f32(x)
    }
    fn eval(op: &GatedSpec) -> fn(Kernels, &[Self], &[Self], &mut [Self]) {
        op.eval_f16
    }
    fn or_bits(a: Self, b: Self) -> Self {
        f16::from_bits(a.to_bits() | b.to_bits())
    }
}

/// Gate, up and out buffers of `n` elements: gates evenly spread over [-8, 8], ups over
/// [-4, 4], in the order of two Weyl sequences (`frac(i * phi)`, `frac(i * sqrt 2)`), so that
/// neighbouring elements (one vector) span the range and every prefix is spread as evenly; a
/// size `m <= n` runs on the first `m` elements of each ([`Buffers::prefix`]).
struct Buffers<T> {
    gate: Vec<T>,
    up: Vec<T>,
    out: Vec<T>,
}

impl<T: Elem> Buffers<T> {
    /// Buffers for `n` elements of output (out filled with ones, not zeros, so that its pages
    /// are mapped now rather than on the first timed write).
    fn new(n: usize) -> Self {
        const PHI: f64 = 0.618_033_988_749_894_9;
        const SQRT2: f64 = std::f64::consts::SQRT_2;
        let spread = |i: usize, step: f64, half_width: f64| {
            let t = ((i as f64 + 0.5) * step).fract();
            T::from_f32((half_width * (2.0 * t - 1.0)) as f32)
        };
        Buffers {
            gate: (0..n).map(|i| spread(i, PHI, 8.0)).collect(),
            up: (0..n).map(|i| spread(i, SQRT2, 4.0)).collect(),
            out: vec![T::from_f32(1.0); n],
        }
    }

    /// The first `n` elements of gate, up and out.
    fn prefix(&mut self, n: usize) -> (&[T], &[T], &mut [T]) {
        (&self.gate[..n], &self.up[..n], &mut self.out[..n])
    }
}

/// [`Buffers`] for the largest of some sizes, made on the first benchmark that runs, so that
/// `--list` and filtered runs do not fill hundreds of MiB they never use.
struct LazyBuffers<T> {
    len: usize,
    buf: Option<Buffers<T>>,
}

impl<T: Elem> LazyBuffers<T> {
    /// Buffers for the largest of `sizes`, not made yet.
    fn for_sizes(sizes: &[usize]) -> Self {
        let len = sizes.iter().copied().max().unwrap_or(0);
        LazyBuffers { len, buf: None }
    }

    /// The first `n` elements of gate, up and out (made now if they were not).
    fn prefix(&mut self, n: usize) -> (&[T], &[T], &mut [T]) {
        let len = self.len;
        self.buf.get_or_insert_with(|| Buffers::new(len)).prefix(n)
    }
}

/// Sampling for `n` elements: linear (criterion's default) while a call is short, flat (the
/// same iteration count per sample) for the large sizes, as in the unary bench; above 1 Mi
/// elements 800 ms of measurement, room for the 10 calls of 16 Mi (up to ~60 ms each).
fn configure(group: &mut BenchmarkGroup<'_, WallTime>, n: usize) {
    group.throughput(Throughput::Elements(n as u64));
    if n <= 1 << 16 {
        group.sampling_mode(SamplingMode::Linear);
    } else {
        group.sampling_mode(SamplingMode::Flat);
    }
    group.measurement_time(if n > 1 << 20 {
        LONG_MEASUREMENT
    } else {
        MEASUREMENT
    });
}

/// Benchmarks `f(gate, up, out)` on the first `n` elements of `buf` as `id`. The buffers are
/// made (if they were not) before `iter_custom`, so their cost stays out of criterion's
/// warm-up estimate as well as out of the timings.
fn bench<T: Elem>(
    group: &mut BenchmarkGroup<'_, WallTime>,
    id: BenchmarkId,
    buf: &mut LazyBuffers<T>,
    n: usize,
    mut f: impl FnMut(&[T], &[T], &mut [T]),
) {
    group.bench_function(id, |b| {
        let (gate, up, out) = buf.prefix(n);
        b.iter_custom(|iters| time_gated(iters, (gate, up, &mut *out), &mut f))
    });
}

/// Times `iters` back-to-back calls `f(gate, up, out)` (inputs and output through
/// `black_box`, so no call is hoisted or dropped).
fn time_gated<T>(
    iters: u64,
    (gate, up, out): (&[T], &[T], &mut [T]),
    mut f: impl FnMut(&[T], &[T], &mut [T]),
) -> Duration {
    let start = Instant::now();
    for _ in 0..iters {
        f(black_box(gate), black_box(up), black_box(&mut *out));
    }
    let elapsed = start.elapsed();
    black_box(&*out);
    elapsed
}

/// The memory line on one thread: `out[i] = gate[i] | up[i]` on the raw bits.
fn or_pass<T: Elem>(gate: &[T], up: &[T], out: &mut [T]) {
    for ((o, &g), &u) in out.iter_mut().zip(gate).zip(up) {
        *o = T::or_bits(g, u);
    }
}

/// The memory line on all threads of the current rayon pool: [`or_pass`] on chunks cut as
/// `par` cuts them (about four per thread, a multiple of 64 elements).
fn or_pass_par<T: Elem>(gate: &[T], up: &[T], out: &mut [T]) {
    let chunk = out
        .len()
        .div_ceil(4 * rayon::current_num_threads())
        .next_multiple_of(64)
        .max(64);
    out.par_chunks_mut(chunk)
        .zip(gate.par_chunks(chunk))
        .zip(up.par_chunks(chunk))
        .for_each(|((o, g), u)| or_pass(g, u, o));
}

/// `gated/OP/DTYPE/ISA/N` for one element type, one thread: every ISA but `Scalar` at every
/// size, and `Scalar` for f32 at 4 Ki (or the smallest size, if smaller).
fn gated_one<T: Elem>(c: &mut Criterion) {
    let sizes = sizes();
    let scalar_n = sizes.iter().copied().fold(SCALAR_SIZE, usize::min);
    let mut buf = LazyBuffers::<T>::for_sizes(&sizes);
    for op in GATED {
        let eval = T::eval(op);
        for isa in Isa::available() {
            let runs = match isa {
                Isa::Scalar if T::NAME == "f32" => vec![scalar_n],
                Isa::Scalar => continue,
                _ => sizes.clone(),
            };
            let k = Kernels::new(isa).expect("an available ISA");
            let mut group = c.benchmark_group(format!("gated/{}/{}/{}", op.name, T::NAME, isa));
            for n in runs {
                configure(&mut group, n);
                bench(
                    &mut group,
                    BenchmarkId::from_parameter(n),
                    &mut buf,
                    n,
                    |g, u, o| eval(k, g, u, o),
                );
            }
            group.finish();
        }
    }
}

/// One thread, every op, every element type.
fn gated(c: &mut Criterion) {
    gated_one::<f32>(c);
    gated_one::<bf16>(c);
    gated_one::<f16>(c);
}

/// `smooth_swiglu/f32/ISA/N`: smooth-SwiGLU with rows of 4096 channels (an LLM hidden size's
/// order), scales spread over [0.5, 2], beside `gated/swiglu` in the same run.
fn smooth_swiglu(c: &mut Criterion) {
    let width = 4096;
    let sizes: Vec<usize> = sizes()
        .into_iter()
        .map(|n| n.next_multiple_of(width))
        .collect();
    let mut buf = LazyBuffers::<f32>::for_sizes(&sizes);
    let scale: Vec<f32> = (0..width)
        .map(|c| 0.5 + 1.5 * c as f32 / width as f32)
        .collect();
    for isa in Isa::available() {
        let k = Kernels::new(isa).expect("an available ISA");
        let mut group = c.benchmark_group(format!("smooth_swiglu/f32/{isa}"));
        for &n in &sizes {
            configure(&mut group, n);
            bench(
                &mut group,
                BenchmarkId::from_parameter(n),
                &mut buf,
                n,
                |g, u, o| k.smooth_swiglu(g, u, &scale, o),
            );
        }
        group.finish();
    }
}

/// `gated_backward/OP/f32/ISA/N`: `NAME_backward(gate, up, grad_out, grad_gate, grad_up)` on
/// one thread (gradients: the ups), every SIMD ISA, beside `gated/OP/f32` of the same run.
fn gated_backward(c: &mut Criterion) {
    let sizes = sizes();
    let mut buf = LazyBuffers::<f32>::for_sizes(&sizes);
    let largest = sizes.iter().copied().max().unwrap_or(0);
    let mut grad_up = vec![0.0_f32; largest];
    for op in GATED {
        let Some(b) = op.backward else { continue };
        for isa in Isa::available().into_iter().filter(|&i| i != Isa::Scalar) {
            let k = Kernels::new(isa).expect("an available ISA");
            let mut group = c.benchmark_group(format!("gated_backward/{}/f32/{isa}", op.name));
            for &n in &sizes {
                configure(&mut group, n);
                let du = &mut grad_up[..n];
                bench(
                    &mut group,
                    BenchmarkId::from_parameter(n),
                    &mut buf,
                    n,
                    |g, u, dg| (b.eval_f32)(k, (g, u, u), (dg, &mut *du)),
                );
            }
            group.finish();
        }
    }
}

/// `gated_par/OP/f32/ISA/N`: `par_f32` on `Kernels::new(ISA).par()`, global rayon pool.
fn gated_par(c: &mut Criterion) {
    #[cfg(feature = "rayon")]
    {
        let sizes = sizes();
        let mut buf = LazyBuffers::<f32>::for_sizes(&sizes);
        for op in GATED {
            let par = op.par_f32;
            for isa in Isa::available().into_iter().filter(|&i| i != Isa::Scalar) {
                let p = Kernels::new(isa).expect("an available ISA").par();
                let mut group = c.benchmark_group(format!("gated_par/{}/f32/{isa}", op.name));
                for &n in &sizes {
                    configure(&mut group, n);
                    bench(
                        &mut group,
                        BenchmarkId::from_parameter(n),
                        &mut buf,
                        n,
                        |g, u, o| par(p, g, u, o),
                    );
                }
                group.finish();
            }
        }
    }
    #[cfg(not(feature = "rayon"))]
    let _ = c;
}

/// `gated_memory/DTYPE/{serial,par}/N` for one element type.
fn memory_one<T: Elem>(c: &mut Criterion) {
    let sizes = sizes();
    let mut buf = LazyBuffers::<T>::for_sizes(&sizes);
    let mut group = c.benchmark_group(format!("gated_memory/{}", T::NAME));
    for n in sizes {
        configure(&mut group, n);
        bench(
            &mut group,
            BenchmarkId::new("serial", n),
            &mut buf,
            n,
            or_pass,
        );
        bench(
            &mut group,
            BenchmarkId::new("par", n),
            &mut buf,
            n,
            or_pass_par,
        );
    }
    group.finish();
}

/// The memory line for every element type.
fn memory(c: &mut Criterion) {
    memory_one::<f32>(c);
    memory_one::<bf16>(c);
    memory_one::<f16>(c);
}

/// `par_threshold/OP/{serial,split}/N`: serial `eval_f32` against `par_f32` always split.
fn par_threshold(c: &mut Criterion) {
    #[cfg(feature = "rayon")]
    {
        let k = Kernels::detect();
        let split = k.par().with_min_len(0);
        let mut buf = LazyBuffers::<f32>::for_sizes(&THRESHOLD_SIZES);
        for name in THRESHOLD_OPS {
            let op = GatedSpec::find(name).expect("a gated op of the catalogue");
            let (eval, par) = (op.eval_f32, op.par_f32);
            let mut group = c.benchmark_group(format!("par_threshold/{name}"));
            for n in THRESHOLD_SIZES {
                configure(&mut group, n);
                bench(
                    &mut group,
                    BenchmarkId::new("serial", n),
                    &mut buf,
                    n,
                    |g, u, o| eval(k, g, u, o),
                );
                bench(
                    &mut group,
                    BenchmarkId::new("split", n),
                    &mut buf,
                    n,
                    |g, u, o| par(split, g, u, o),
                );
            }
            group.finish();
        }
    }
    #[cfg(not(feature = "rayon"))]
    let _ = c;
}

/// Short warm-up and measurement, 10 samples, so the whole run with the default sizes stays
/// within a few minutes on 2 cores. Plots are off (criterion's plotters backend costs ~3 s per
/// benchmark); `BENCH_PLOTS=1` turns them back on for the HTML report.
fn config() -> Criterion {
    let c = Criterion::default()
        .warm_up_time(Duration::from_millis(200))
        .measurement_time(MEASUREMENT)
        .sample_size(10);
    if std::env::var_os("BENCH_PLOTS").is_some_and(|v| v == "1") {
        c
    } else {
        c.without_plots()
    }
}

criterion_group! {
    name = benches;
    config = config();
    targets = gated, smooth_swiglu, gated_backward, gated_par, memory, par_threshold
}
criterion_main!(benches);
