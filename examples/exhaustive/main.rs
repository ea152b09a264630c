//! Exhaustive accuracy check of every op against its f64 reference, in f32, bf16 and f16.
//!
//! `cargo run --release --example exhaustive -- [OPTION]...`
//!
//! What it checks, on one ISA (all cores, rayon; results do not depend on the thread count):
//!
//! - **Unary ops, f32**: every one of the 2^32 bit patterns (or every N-th with `--stride N`).
//!   Max error in ULP of f32 and the input where it first occurs, inputs over 1 ULP and over the
//!   op's budget (`ulp_f32`), NaN in gives NaN out, and for monotone ops that the outputs of
//!   consecutive inputs never go against the order of the inputs.
//! - **Unary ops, bf16 and f16**: every one of the 65 536 inputs of the type. Max error in ULP of
//!   the type, inputs over 1 ULP (the budget), the share of correctly rounded outputs (at least
//!   99.9%), NaN in gives NaN out, monotonicity.
//! - **Gated ops**: gates × ups. f32: every N-th gate bit pattern of all 2^32
//!   (`--gate-stride N`, default 2^8: 16 777 216 gates, about a minute of the two cores for the
//!   six ops in all three types) × the 24 ups of `tests/gated.rs` (±0, ±1, magnitudes from
//!   6e-42 to 1e20, twelve values in [-8, 8]); bf16 and f16: every gate bit pattern × those ups
//!   rounded to the type (the finite ones, once each). The budget is that of `tests/gated.rs`:
//!   `ulp_f32` ULP of f32 (1 ULP of bf16/f16), plus `|up| · 2^-149` where the activation itself
//!   (the op with `up = 1`) is not a normal f32; the max error is taken where it is. The
//!   correctly rounded share (bf16/f16, at least 99.9%) counts normal outputs of gates with
//!   `|gate| >= 2^-24`.
//!
//! Options:
//!
//! - `--op NAME` (repeatable): an op of the catalogue, or `unary` / `gated` for a family
//!   (default: every op).
//! - `--dtype f32|bf16|f16` (repeatable; default all three).
//! - `--isa scalar|avx2|avx512|neon` (default: the best of this CPU).
//! - `--stride N`: unary f32 checks every N-th bit pattern (default 1: all 2^32).
//! - `--gate-stride N`: gated f32 takes every N-th gate bit pattern.
//! - `--markdown FILE`, `--json FILE`: write the tables there (`-`: stdout). With neither, the
//!   Markdown goes to stdout.
//! - `--quiet`: no progress bar and no per-check lines on stderr (the bar is also hidden when
//!   stderr is not a terminal).
//!
//! The status line (PASS, or FAIL and what failed) goes to stderr and ends the Markdown. Exit
//! code: 0 when every check passed, 1 when one failed, 2 for a bad command line or an output
//! that could not be written.
//!
//! The Markdown starts with the ISA, the date (UTC), the CPU model and the input sets, then has
//! a table for unary f32, one for unary bf16/f16 and one for the gated ops.
//!
//! JSON Lines: one object per check (op × element type), with these fields:
//!
//! - `kind`: `"unary"` or `"gated"`; `op`: the op's name; `dtype`: `"f32"`, `"bf16"`, `"f16"`.
//! - `isa`, `date` (`YYYY-MM-DD`, UTC), `cpu` (model name, or `"unknown"`).
//! - `inputs`: inputs (gated: gate × up pairs) checked, NaN ones included.
//! - `stride`: the bit-pattern stride of the inputs (gated: of the gates); 1 for bf16/f16.
//! - `ups`: ups per gate (gated), `null` for unary ops.
//! - `max_ulp`: max error in ULP of the type (`null` if infinite); gated: where the activation
//!   is a normal f32.
//! - `worst_input`: the input (gated: the gate) of `max_ulp`, first in bit-pattern order on ties
//!   (shortest decimal that reads back as that f32); `worst_up`: its up (gated), else `null`.
//! - `budget`: ULP of the type allowed; `over_budget`: inputs beyond it (must be 0).
//! - `above_one_ulp`: inputs with an error over 1 ULP (gated: among normal activations).
//! - `nan_ok`: every NaN input gave NaN.
//! - `monotone`: no order violations (`null` where the op is not monotone or gated).
//! - `correctly_rounded`: share of correctly rounded outputs in [0, 1] (bf16/f16), else `null`.
//! - `pass`: whether the check passed; `seconds`: its wall time.
//!
//! Example line: `{"kind":"unary","op":"silu","dtype":"f32","isa":"avx2","inputs":4294967296,
//! "stride":1,"max_ulp":1.645…,"worst_input":-16.977913,"over_budget":0,"above_one_ulp":84713,
//! "budget":2.0,"nan_ok":true,"monotone":null,"correctly_rounded":null,"date":"2026-11-23",…}`.

mod cli;
mod gated;
mod markdown;
mod report;
mod sweep;
mod unary;

use simd_activations::Kernels;

fn main() {
    let opts = cli::parse(std::env::args().skip(1).collect());
    let kernels = Kernels::new(opts.isa).unwrap_or_else(|e| cli::fail(&e.to_string()));
    let mut sinks = report::Sinks::open(&opts);
    let records = sweep::run_all(&opts, kernels);
    let header = report::Header::now(&opts);
    let status = report::status(&records);
    sinks.write(&header, &records, &status);
    eprintln!("exhaustive: {status}");
    if records.iter().any(|r| !r.passed()) {
        std::process::exit(1);
    }
}
