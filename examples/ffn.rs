//! A LLaMA-style feed-forward block, `out = W_down · swiglu(W_gate · x, W_up · x)`, with the
//! projections done by the `gemm` crate and the activation by this crate, timed step by step
//! next to the same block with the scalar loop a user would otherwise write.
//!
//! ```sh
//! cargo run --release --example ffn             # d_model 4096, hidden 11008 (LLaMA-7B's sizes)
//! cargo run --release --example ffn -- --small  # d_model 512, hidden 1376: a few seconds
//! ```
//!
//! The gate and up projections are one matrix product with the stacked weight
//! `W_gu = [W_gate; W_up]` (`2·hidden × d_model`), so each token's row of its output is
//! `[gate(hidden) | up(hidden)]`: the layout [`simd_activations::swiglu_rows`] reads. The
//! weights are stored input-major (`Wᵀ`, row-major `d_model × 2·hidden`, as in `x @ W`), the
//! layout `gemm` runs fastest on for the big product: at 64 tokens the gate/up gemm took 100
//! to 145 ms this way and 630 to 700 ms with `W` row-major (PyTorch's `Linear` layout), on a
//! 2-core AMD EPYC with AVX-512.
//!
//! Batches of 1 and 64 tokens, with f32 and with bf16 activations (the fused gate/up output and
//! the hidden activation stored as bf16 between the projections; see `forward` for what stands
//! in for a bf16 gemm). Every output is checked against an f64 reference FFN (all tokens
//! with `--small`, the first and last token otherwise); the exit code is 1 if any is out of
//! tolerance. Weights and inputs come from a seeded SplitMix64, so every run sees the same data.
//!
//! Each table is the median over several runs of each step: the gate/up gemm, the activation
//! and the down gemm (both gemms on the whole rayon pool), for three activations: the crate's
//! `swiglu_rows` (one thread), `par::swiglu_rows` (the rayon pool; serial below 32 Ki elements,
//! so at one token it is the serial call) and the naive `g / (1 + exp(-g)) * u` loop.

use std::process::ExitCode;
use std::time::Instant;

use half::slice::HalfFloatSliceExt;
use simd_activations::{self as sa, Element, Kernels, bf16};

const USAGE: &str = "usage: ffn [--small]\n  \
    --small  d_model 512, hidden 1376 (default: d_model 4096, hidden 11008)";

/// Sizes of the run.
struct Config {
    d_model: usize,
    hidden: usize,
    /// Timed repetitions of every (batch, precision, activation); the tables show medians.
    reps: usize,
    /// Check every token against the reference (else the first and the last).
    check_all_tokens: bool,
}

/// `Ok(None)` when `--help` was asked for (and printed).
fn parse_args() -> Result<Option<Config>, String> {
    let mut small = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--small" => small = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    Ok(Some(if small {
        Config {
            d_model: 512,
            hidden: 1376,
            reps: 15,
            check_all_tokens: true,
        }
    } else {
        Config {
            d_model: 4096,
            hidden: 11008,
            reps: 5,
            check_all_tokens: false,
        }
    }))
}

/// SplitMix64 (Steele, Lea and Flood, 2014): tiny, fast, and plenty for test data.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform on [-1, 1): the top 24 bits, exact in an f32.
    fn symmetric(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 * 2f32.powi(-23) - 1.0
    }
}

/// `len` values uniform on `[-bound, bound)`.
fn uniform(len: usize, bound: f32, seed: u64) -> Vec<f32> {
    let mut rng = SplitMix64(seed);
    (0..len).map(|_| bound * rng.symmetric()).collect()
}

/// The block's weights, transposed (`in_features × out_features`, row-major).
struct Ffn {
    d_model: usize,
    hidden: usize,
    /// `W_guᵀ`, `d_model × 2·hidden`: in each row, columns `0..hidden` are `W_gate`'s and
    /// `hidden..2·hidden` are `W_up`'s weights of that input.
    w_gu: Vec<f32>,
    /// `W_downᵀ`, `hidden × d_model`.
    w_down: Vec<f32>,
}

impl Ffn {
    /// Uniform weights of variance `1 / fan_in`, so every projection keeps the variance of its
    /// input (unit for the gate and up values, as in a trained model's typical range).
    fn random(d_model: usize, hidden: usize) -> Ffn {
        let bound = |fan_in: usize| (3.0 / fan_in as f32).sqrt();
        Ffn {
            d_model,
            hidden,
            w_gu: uniform(d_model * 2 * hidden, bound(d_model), 1),
            w_down: uniform(hidden * d_model, bound(hidden), 2),
        }
    }
}

/// `out = a · w` for row-major `a` (`m × k`), `w` (`k × n`) and `out` (`m × n`), by the `gemm`
/// crate on the current rayon pool.
fn matmul(a: &[f32], w: &[f32], k: usize, out: &mut [f32]) {
    assert!(k > 0, "matmul: k must be positive");
    let (m, n) = (a.len() / k, w.len() / k);
    assert!(
        a.len() == m * k && w.len() == n * k && out.len() == m * n,
        "matmul: a has {} elements, w {} and out {} with k = {k}",
        a.len(),
        w.len(),
        out.len()
    );
    let stride = |v: usize| isize::try_from(v).expect("a matrix dimension fits in isize");
    // SAFETY: by the assert above every element the strides reach lies in its slice: dst is
    // `m × n` with column stride 1 and row stride n in `out`; lhs is `m × k` with column
    // stride 1 and row stride k in `a`; rhs is `k × n` with column stride 1 and row stride n
    // in `w`. `out` is a unique borrow, so it aliases neither input, and with
    // `read_dst = false` its old contents are never read (`alpha` is unused).
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            out.as_mut_ptr(),
            1,
            stride(n),
            false,
            a.as_ptr(),
            1,
            stride(k),
            w.as_ptr(),
            1,
            stride(n),
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(0),
        );
    }
}

/// The activation step: fused `[gate | up]` rows of `2·width` to rows of `width`.
#[derive(Clone, Copy)]
enum Activation {
    Rows,
    ParRows,
    Naive,
}

impl Activation {
    const ALL: [Activation; 3] = [Activation::Rows, Activation::ParRows, Activation::Naive];

    fn name(self) -> &'static str {
        match self {
            Activation::Rows => "swiglu_rows",
            Activation::ParRows => "par::swiglu_rows",
            Activation::Naive => "naive loop",
        }
    }

    fn apply<T: Element>(self, gate_up: &[T], width: usize, out: &mut [T]) {
        match self {
            Activation::Rows => sa::swiglu_rows(gate_up, width, out),
            Activation::ParRows => sa::par::swiglu_rows(gate_up, width, out),
            Activation::Naive => naive_swiglu_rows(gate_up, width, out),
        }
    }
}

/// What one writes without this crate: `silu(g) · u` as `g / (1 + exp(-g)) · u` in f32, one
/// element at a time (for bf16, widened before and rounded after, as the kernels do).
fn naive_swiglu_rows<T: Element>(gate_up: &[T], width: usize, out: &mut [T]) {
    for (row, out) in gate_up
        .chunks_exact(2 * width)
        .zip(out.chunks_exact_mut(width))
    {
        let (gate, up) = row.split_at(width);
        for ((o, &g), &u) in out.iter_mut().zip(gate).zip(up) {
            let (g, u) = (g.to_f32(), u.to_f32());
            *o = T::from_f32(g / (1.0 + (-g).exp()) * u);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Precision {
    F32,
    Bf16,
}

impl Precision {
    fn name(self) -> &'static str {
        match self {
            Precision::F32 => "f32",
            Precision::Bf16 => "bf16",
        }
    }

    /// Largest accepted `‖out − ref‖₂ / ‖ref‖₂`. f32: the gemms' rounding, which grows like
    /// `2^-24 · √k` for sums of length k with errors of random sign (Higham and Mary, 2019);
    /// `4 · 2^-24 · √(d_model + hidden)` covers the two chained products (the runs measure a
    /// tenth of it) and is still far below what a wrong layout or activation gives (order 1).
    /// bf16: gate, up and the hidden activation are each rounded to bf16 (relative error up to
    /// 2^-9 each, an error in the gate amplified by silu's `|g·silu'(g)/silu(g)|`, a few units
    /// over the gates' range), so a few 2^-9: 2^-6 bounds that with a margin.
    fn tolerance(self, ffn: &Ffn) -> f64 {
        match self {
            Precision::F32 => 4.0 * 2f64.powi(-24) * ((ffn.d_model + ffn.hidden) as f64).sqrt(),
            Precision::Bf16 => 2f64.powi(-6),
        }
    }
}

/// Preallocated activations of one batch, so the timed passes allocate nothing.
struct Buffers {
    /// `tokens × 2·hidden`: the fused projection's rows `[gate | up]`.
    gate_up: Vec<f32>,
    gate_up_bf16: Vec<bf16>,
    /// `tokens × hidden`: the down projection's input.
    hidden: Vec<f32>,
    hidden_bf16: Vec<bf16>,
    /// `tokens × d_model`.
    out: Vec<f32>,
}

impl Buffers {
    fn new(ffn: &Ffn, tokens: usize) -> Buffers {
        let h = tokens * ffn.hidden;
        Buffers {
            gate_up: vec![0.0; 2 * h],
            gate_up_bf16: vec![bf16::ZERO; 2 * h],
            hidden: vec![0.0; h],
            hidden_bf16: vec![bf16::ZERO; h],
            out: vec![0.0; tokens * ffn.d_model],
        }
    }
}

/// Seconds spent in each step of one forward pass (`narrow`, `widen`: bf16 only).
#[derive(Clone, Copy, Default)]
struct Steps {
    gate_up: f64,
    narrow: f64,
    act: f64,
    widen: f64,
    down: f64,
}

impl Steps {
    /// What a real engine spends: the two gemms and the activation (see [`forward`] on the
    /// conversion passes).
    fn total(self) -> f64 {
        self.gate_up + self.act + self.down
    }
}

/// One forward pass of the batch `x` (`tokens × d_model`) into `buf.out`.
fn forward(
    ffn: &Ffn,
    x: &[f32],
    precision: Precision,
    act: Activation,
    buf: &mut Buffers,
) -> Steps {
    let mut last = Instant::now();
    let mut lap = || {
        let now = Instant::now();
        let seconds = (now - last).as_secs_f64();
        last = now;
        seconds
    };
    let mut steps = Steps::default();
    matmul(x, &ffn.w_gu, ffn.d_model, &mut buf.gate_up);
    steps.gate_up = lap();
    match precision {
        Precision::F32 => {
            act.apply(&buf.gate_up, ffn.hidden, &mut buf.hidden);
            steps.act = lap();
        }
        Precision::Bf16 => {
            // A bf16 engine's gemm accumulates in f32 and rounds to bf16 in its epilogue, the
            // activation reads and writes bf16 rows (the math in f32 lanes), and the down
            // gemm reads the bf16 hidden activation, widening it as it packs its panels. The
            // `gemm` crate has no bf16, so two conversion passes stand in for that epilogue and
            // that packing; they are timed apart and left out of the total. (The weights stay
            // f32 here, so the check isolates the bf16 storage of the activations.)
            buf.gate_up_bf16.convert_from_f32_slice(&buf.gate_up);
            steps.narrow = lap();
            act.apply(&buf.gate_up_bf16, ffn.hidden, &mut buf.hidden_bf16);
            steps.act = lap();
            buf.hidden_bf16.convert_to_f32_slice(&mut buf.hidden);
            steps.widen = lap();
        }
    }
    matmul(&buf.hidden, &ffn.w_down, ffn.hidden, &mut buf.out);
    steps.down = lap();
    steps
}

/// The f64 reference outputs of some tokens of a batch.
struct Reference {
    tokens: Vec<usize>,
    /// `tokens.len() × d_model`.
    out: Vec<f64>,
}

impl Reference {
    /// Plain loops with f64 products and sums of the same f32 weights and inputs, and the
    /// crate's f64 `reference::swiglu`.
    fn new(ffn: &Ffn, x: &[f32], tokens: Vec<usize>) -> Reference {
        let (d, h) = (ffn.d_model, ffn.hidden);
        // `v · w` for a row-major `w` of `v.len()` rows, row by row.
        let times = |v: &[f64], w: &[f32]| -> Vec<f64> {
            let mut acc = vec![0.0; w.len() / v.len()];
            for (&vi, row) in v.iter().zip(w.chunks_exact(acc.len())) {
                for (a, &wij) in acc.iter_mut().zip(row) {
                    *a += vi * f64::from(wij);
                }
            }
            acc
        };
        let mut out = Vec::with_capacity(tokens.len() * d);
        for &t in &tokens {
            let xt: Vec<f64> = x[t * d..(t + 1) * d]
                .iter()
                .map(|&v| f64::from(v))
                .collect();
            let gate_up = times(&xt, &ffn.w_gu);
            let hidden: Vec<f64> = (0..h)
                .map(|i| sa::reference::swiglu(gate_up[i], gate_up[h + i]))
                .collect();
            out.extend(times(&hidden, &ffn.w_down));
        }
        Reference { tokens, out }
    }

    /// `‖out − ref‖₂ / ‖ref‖₂` over the reference's tokens of `out` (`tokens × d_model`).
    fn relative_error(&self, out: &[f32], d_model: usize) -> f64 {
        let (mut err, mut norm) = (0.0, 0.0);
        for (&t, exact) in self.tokens.iter().zip(self.out.chunks_exact(d_model)) {
            for (&got, &exact) in out[t * d_model..(t + 1) * d_model].iter().zip(exact) {
                err += (f64::from(got) - exact).powi(2);
                norm += exact * exact;
            }
        }
        (err / norm).sqrt()
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// `seconds` with a unit that keeps three or four significant digits.
fn duration(seconds: f64) -> String {
    if seconds >= 1e-3 {
        format!("{:.2} ms", seconds * 1e3)
    } else {
        format!("{:.1} µs", seconds * 1e6)
    }
}

/// One line of a table: the label, then one cell per activation.
fn row(label: &str, cells: impl IntoIterator<Item = String>) {
    print!("{label:<28}");
    for cell in cells {
        print!("{cell:>18}");
    }
    println!();
}

/// Times every activation on one batch and precision, prints the table and the checks; returns
/// whether every output was within tolerance.
fn bench(ffn: &Ffn, x: &[f32], precision: Precision, reference: &Reference, cfg: &Config) -> bool {
    let tokens = x.len() / ffn.d_model;
    let mut buf = Buffers::new(ffn, tokens);
    let mut runs: Vec<Vec<Steps>> = vec![Vec::with_capacity(cfg.reps); Activation::ALL.len()];
    let mut errors = [0.0; Activation::ALL.len()];
    // One untimed pass of each first (page faults, rayon start-up); then the activations take
    // turns, so drift of the machine's speed spreads over all of them alike.
    for rep in 0..=cfg.reps {
        for (i, &act) in Activation::ALL.iter().enumerate() {
            let steps = forward(ffn, x, precision, act, &mut buf);
            if rep > 0 {
                runs[i].push(steps);
            }
            if rep == cfg.reps {
                errors[i] = reference.relative_error(&buf.out, ffn.d_model);
            }
        }
    }

    println!(
        "\n{tokens} token{}, {} activations: median of {} runs",
        if tokens == 1 { "" } else { "s" },
        precision.name(),
        cfg.reps
    );
    row("step", Activation::ALL.map(|a| a.name().to_string()));
    let step = |f: fn(&Steps) -> f64| -> Vec<f64> {
        runs.iter()
            .map(|r| median(r.iter().map(f).collect()))
            .collect()
    };
    let act = step(|s| s.act);
    let total = step(|s| s.total());
    let naive_act = act[act.len() - 1];
    let elements = (tokens * ffn.hidden) as f64;
    let times = |v: Vec<f64>| v.into_iter().map(duration);
    row("gate/up gemm", times(step(|s| s.gate_up)));
    if precision == Precision::Bf16 {
        row("(f32 -> bf16, not in total)", times(step(|s| s.narrow)));
    }
    row("activation", times(act.clone()));
    if precision == Precision::Bf16 {
        row("(bf16 -> f32, not in total)", times(step(|s| s.widen)));
    }
    row("down gemm", times(step(|s| s.down)));
    row("total", times(total.clone()));
    row(
        "activation share of total",
        act.iter()
            .zip(&total)
            .map(|(a, t)| format!("{:.1}%", 100.0 * a / t)),
    );
    row(
        "activation Gelem/s",
        act.iter().map(|a| format!("{:.2}", elements / a / 1e9)),
    );
    row(
        "activation vs naive loop",
        act.iter().map(|a| format!("{:.1}x", naive_act / a)),
    );

    let tol = precision.tolerance(ffn);
    let ok = errors.iter().all(|&e| e <= tol);
    row(
        &format!("rel. error (tol {tol:.1e})"),
        errors.iter().map(|e| format!("{e:.2e}")),
    );
    let checked = if reference.tokens.len() == tokens {
        format!("all {tokens} token{}", if tokens == 1 { "" } else { "s" })
    } else {
        format!("tokens {:?} of {tokens}", reference.tokens)
    };
    println!(
        "check against the f64 reference on {checked}: {}",
        if ok { "ok" } else { "FAILED" }
    );
    ok
}

fn main() -> ExitCode {
    let cfg = match parse_args() {
        Ok(Some(cfg)) => cfg,
        Ok(None) => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("ffn: {e}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    println!(
        "FFN d_model {}, hidden {}: ISA {}, {} rayon threads (gemm and par::swiglu_rows)",
        cfg.d_model,
        cfg.hidden,
        Kernels::global().isa(),
        rayon::current_num_threads()
    );
    let start = Instant::now();
    let ffn = Ffn::random(cfg.d_model, cfg.hidden);
    println!(
        "random weights: {:.1} M parameters in {:.2} s",
        (ffn.w_gu.len() + ffn.w_down.len()) as f64 / 1e6,
        start.elapsed().as_secs_f64()
    );

    let mut ok = true;
    for (seed, tokens) in [(3, 1), (4, 64)] {
        // Unit-variance inputs, like the normalised residual stream an FFN reads.
        let x = uniform(tokens * cfg.d_model, 3f32.sqrt(), seed);
        let checked = if cfg.check_all_tokens || tokens == 1 {
            (0..tokens).collect()
        } else {
            vec![0, tokens - 1]
        };
        let reference = Reference::new(&ffn, &x, checked);
        for precision in [Precision::F32, Precision::Bf16] {
            ok &= bench(&ffn, &x, precision, &reference, &cfg);
        }
    }
    println!("\ntotal run time {:.1} s", start.elapsed().as_secs_f64());
    if ok {
        ExitCode::SUCCESS
    } else {
        eprintln!("ffn: an output was out of tolerance");
        ExitCode::FAILURE
    }
}
