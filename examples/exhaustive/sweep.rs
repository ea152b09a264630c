//! What the unary and gated checks share: the element types they sweep, the tally of one block
//! of inputs, the parallel loop over blocks with its progress bar, and the list of checks.

use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use simd_activations::catalogue::{GatedSpec, OpSpec};
use simd_activations::{Element, Kernels, bf16, f16};

use crate::cli::{DType, Options};
use crate::{gated, unary};

/// Share of the judged outputs of bf16/f16 that must be correctly rounded, for the gated ops
/// (the unary ops carry theirs in the catalogue, `OpSpec::correctly_rounded`).
pub const MIN_CORRECTLY_ROUNDED: f64 = 0.999;

/// An element type the checker sweeps: its bit patterns, its kernels and its budget.
pub trait Swept: Element {
    /// The type of the element.
    const DTYPE: DType;
    /// Number of bit patterns.
    const PATTERNS: u64;
    /// Whether the share of correctly rounded outputs is judged (bf16/f16).
    const JUDGES_ROUNDING: bool;
    /// The element with bit pattern `bits` (below [`Swept::PATTERNS`]).
    fn from_pattern(bits: u64) -> Self;
    /// The op's kernel on slices of this type.
    fn unary(op: &OpSpec) -> fn(Kernels, &[Self], &mut [Self]);
    /// The gated op's kernel on slices of this type.
    fn gated(op: &GatedSpec) -> fn(Kernels, &[Self], &[Self], &mut [Self]);
    /// The budget in ULP of this type for an op whose f32 budget is `ulp_f32`.
    fn budget(ulp_f32: f64) -> f64;
}

impl Swept for f32 {
    const DTYPE: DType = DType::F32;
    const PATTERNS: u64 = 1 << 32;
    const JUDGES_ROUNDING: bool = false;
    fn from_pattern(bits: u64) -> f32 {
        f32::from_bits(bits as u32)
    }
    fn unary(op: &OpSpec) -> fn(Kernels, &[f32], &mut [f32]) {
        op.eval_f32
    }
    fn gated(op: &GatedSpec) -> fn(Kernels, &[f32], &[f32], &mut [f32]) {
        op.eval_f32
    }
    fn budget(ulp_f32: f64) -> f64 {
        ulp_f32
    }
}

impl Swept for bf16 {
    const DTYPE: DType = DType::Bf16;
    const PATTERNS: u64 = 1 << 16;
    const JUDGES_ROUNDING: bool = true;
    fn from_pattern(bits: u64) -> bf16 {
        bf16::from_bits(bits as u16)
    }
    fn unary(op: &OpSpec) -> fn(Kernels, &[bf16], &mut [bf16]) {
        op.eval_bf16
    }
    fn gated(op: &GatedSpec) -> fn(Kernels, &[bf16], &[bf16], &mut [bf16]) {
        op.eval_bf16
    }
    fn budget(_ulp_f32: f64) -> f64 {
        1.0
    }
}

impl Swept for f16 {
    const DTYPE: DType = DType::F16;
    const PATTERNS: u64 = 1 << 16;
    const JUDGES_ROUNDING: bool = true;
    fn from_pattern(bits: u64) -> f16 {
        f16::from_bits(bits as u16)
    }
    fn unary(op: &OpSpec) -> fn(Kernels, &[f16], &mut [f16]) {
        op.eval_f16
    }
    fn gated(op: &GatedSpec) -> fn(Kernels, &[f16], &[f16], &mut [f16]) {
        op.eval_f16
    }
    fn budget(_ulp_f32: f64) -> f64 {
        1.0
    }
}

/// What a block of inputs (and, merged in order, a whole check) found.
#[derive(Clone, Copy, Debug)]
pub struct Tally {
    /// Inputs checked, NaN ones included.
    pub inputs: u64,
    /// Largest error in ULP (gated: where the activation is a normal f32).
    pub max_ulp: f64,
    /// The input (gated: the gate) where `max_ulp` first occurs.
    pub worst_input: f32,
    /// The up where `max_ulp` first occurs (gated only).
    pub worst_up: f32,
    /// Inputs with an error over 1 ULP (gated: among normal activations).
    pub above_one: u64,
    /// Inputs beyond the budget.
    pub over_budget: u64,
    /// Whether every NaN input gave NaN.
    pub nan_ok: bool,
    /// Pairs of consecutive inputs whose outputs go against their order (monotone ops).
    pub drops: u64,
    /// Judged outputs that are the correctly rounded value (bf16/f16).
    pub rounded: u64,
    /// Outputs the correctly rounded share is taken over.
    pub judged: u64,
}

impl Tally {
    /// Nothing checked yet (the identity of [`Tally::merge`]).
    pub const EMPTY: Tally = Tally {
        inputs: 0,
        max_ulp: 0.0,
        worst_input: 0.0,
        worst_up: 0.0,
        above_one: 0,
        over_budget: 0,
        nan_ok: true,
        drops: 0,
        rounded: 0,
        judged: 0,
    };

    /// Counts an error of `err` ULP at `input` (and `up`) toward the maximum (earlier inputs win
    /// ties) and the count over 1 ULP.
    pub fn note_error(&mut self, err: f64, input: f32, up: f32) {
        self.above_one += u64::from(err > 1.0);
        if err > self.max_ulp {
            self.max_ulp = err;
            self.worst_input = input;
            self.worst_up = up;
        }
    }

    /// `self` followed by `later`: counts add up, the maximum keeps the earlier input on ties.
    pub fn merge(self, later: Tally) -> Tally {
        let (max_ulp, worst_input, worst_up) = if later.max_ulp > self.max_ulp {
            (later.max_ulp, later.worst_input, later.worst_up)
        } else {
            (self.max_ulp, self.worst_input, self.worst_up)
        };
        Tally {
            inputs: self.inputs + later.inputs,
            max_ulp,
            worst_input,
            worst_up,
            above_one: self.above_one + later.above_one,
            over_budget: self.over_budget + later.over_budget,
            nan_ok: self.nan_ok && later.nan_ok,
            drops: self.drops + later.drops,
            rounded: self.rounded + later.rounded,
            judged: self.judged + later.judged,
        }
    }
}

/// Runs `block(0..blocks)` on all cores, advancing `bar` (of length `blocks`) after each, and merges the tallies in
/// block order (so the result does not depend on the scheduling).
pub fn run_blocks(blocks: u64, bar: &ProgressBar, block: impl Fn(u64) -> Tally + Sync) -> Tally {
    bar.set_length(blocks);
    (0..blocks)
        .into_par_iter()
        .map(|b| {
            let tally = block(b);
            bar.inc(1);
            tally
        })
        .reduce(|| Tally::EMPTY, Tally::merge)
}

/// Unary or gated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// `out = f(x)`.
    Unary,
    /// `out = f(gate, up)`.
    Gated,
}

impl Kind {
    /// `"unary"` or `"gated"`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Unary => "unary",
            Kind::Gated => "gated",
        }
    }
}

/// The outcome of one check: an op in one element type.
#[derive(Clone, Debug)]
pub struct Record {
    /// Unary or gated.
    pub kind: Kind,
    /// The op's name.
    pub op: &'static str,
    /// The element type.
    pub dtype: DType,
    /// Bit-pattern stride of the inputs (gated: of the gates).
    pub stride: u64,
    /// Ups per gate (gated), 0 for unary ops.
    pub ups: usize,
    /// Allowed error in ULP of the type.
    pub budget: f64,
    /// Whether the op must be monotone (the drops count).
    pub monotone: bool,
    /// Least share of correctly rounded outputs (bf16/f16).
    pub min_rounded: f64,
    /// What the check found.
    pub tally: Tally,
    /// Wall time of the check.
    pub seconds: f64,
}

impl Record {
    /// The share of correctly rounded outputs, where it is judged.
    pub fn correctly_rounded(&self) -> Option<f64> {
        (self.dtype != DType::F32).then(|| self.tally.rounded as f64 / self.tally.judged as f64)
    }

    /// Whether the outputs kept the order of the inputs, for monotone ops.
    pub fn monotone_ok(&self) -> Option<bool> {
        self.monotone.then_some(self.tally.drops == 0)
    }

    /// What failed, one phrase each (empty when the check passed).
    pub fn failures(&self) -> Vec<String> {
        let t = &self.tally;
        let mut out = Vec::new();
        if t.over_budget > 0 {
            out.push(format!("{} over budget", t.over_budget));
        }
        if !t.nan_ok {
            out.push("a NaN input gave a number".to_string());
        }
        if t.drops > 0 {
            out.push(format!("{} monotonicity drops", t.drops));
        }
        match self.correctly_rounded() {
            Some(share) if share.is_nan() || share < self.min_rounded => out.push(format!(
                "{:.3}% correctly rounded (< {}%)",
                100.0 * share,
                100.0 * self.min_rounded
            )),
            _ => {}
        }
        out
    }

    /// Whether the check passed.
    pub fn passed(&self) -> bool {
        self.failures().is_empty()
    }
}

/// Runs every check the options ask for: the unary ops, then the gated ops, each op in every
/// requested type.
pub fn run_all(opts: &Options, k: Kernels) -> Vec<Record> {
    let mut records = Vec::new();
    for &op in &opts.unary {
        for &dtype in &opts.dtypes {
            records.push(match dtype {
                DType::F32 => unary_check::<f32>(opts, op, k, opts.stride),
                DType::Bf16 => unary_check::<bf16>(opts, op, k, 1),
                DType::F16 => unary_check::<f16>(opts, op, k, 1),
            });
        }
    }
    for &op in &opts.gated {
        for &dtype in &opts.dtypes {
            records.push(match dtype {
                DType::F32 => gated_check::<f32>(opts, op, k, opts.gate_stride),
                DType::Bf16 => gated_check::<bf16>(opts, op, k, 1),
                DType::F16 => gated_check::<f16>(opts, op, k, 1),
            });
        }
    }
    records
}

/// The unary op `op` in type `T`, on every `stride`-th bit pattern.
fn unary_check<T: Swept>(opts: &Options, op: &OpSpec, k: Kernels, stride: u64) -> Record {
    let record = Record {
        kind: Kind::Unary,
        op: op.name,
        dtype: T::DTYPE,
        stride,
        ups: 0,
        budget: T::budget(op.ulp_f32),
        monotone: op.monotone,
        min_rounded: op.correctly_rounded,
        tally: Tally::EMPTY,
        seconds: 0.0,
    };
    timed(opts, record, |bar| unary::check::<T>(op, k, stride, bar))
}

/// The gated op `op` in type `T`, on every `stride`-th gate bit pattern × the ups.
fn gated_check<T: Swept>(opts: &Options, op: &GatedSpec, k: Kernels, stride: u64) -> Record {
    let record = Record {
        kind: Kind::Gated,
        op: op.name,
        dtype: T::DTYPE,
        stride,
        ups: gated::ups::<T>().len(),
        budget: T::budget(op.ulp_f32),
        monotone: false,
        min_rounded: MIN_CORRECTLY_ROUNDED,
        tally: Tally::EMPTY,
        seconds: 0.0,
    };
    timed(opts, record, |bar| gated::check::<T>(op, k, stride, bar))
}

/// Runs `check` with a progress bar and a clock, fills in `record` with what it found, and
/// prints a line about it to stderr (unless `--quiet`).
fn timed(opts: &Options, mut record: Record, check: impl FnOnce(&ProgressBar) -> Tally) -> Record {
    let name = format!(
        "{} {} {}",
        record.kind.name(),
        record.op,
        record.dtype.name()
    );
    let bar = if opts.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("{prefix:>22} [{bar:40}] {pos}/{len} blocks, ETA {eta}")
            .expect("a valid template"),
    );
    bar.set_prefix(name.clone());
    let start = Instant::now();
    record.tally = check(&bar);
    record.seconds = start.elapsed().as_secs_f64();
    bar.finish_and_clear();
    if !opts.quiet {
        let t = &record.tally;
        eprintln!(
            "exhaustive: {name}: max {:.3} ULP, {} of {} inputs over budget{}, {:.1} s",
            t.max_ulp,
            t.over_budget,
            t.inputs,
            if record.passed() { "" } else { ", FAILED" },
            record.seconds
        );
    }
    record
}
