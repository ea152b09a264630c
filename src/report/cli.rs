//! The command line (clap) and the plan it resolves to: which subjects, element types, ISAs,
//! sizes and thread count, and how long to time each measurement.

use std::path::PathBuf;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};
use simd_activations::{Isa, Kernels};

use super::accuracy::Density;
use super::dtype::Dtype;
use super::json;
use super::subject::{Family, Subject};
use super::timing::Budget;

/// The scalar path (one lane, `fmaf` calls: 0.01 to 0.05 Gelem/s for most ops, compute-bound)
/// is measured at sizes up to this; the speed-ups at larger sizes are over its rate here.
pub const SCALAR_MAX_SIZE: usize = 64 << 10;

const ABOUT: &str = "Throughput and accuracy of every simd-activations kernel on this CPU";

const LONG_ABOUT: &str = "\
Throughput and accuracy of every simd-activations kernel on this CPU.

For every op of the catalogue (unary, gated and row-wise, and their backward passes) and the
hand-written ops with slice parameters (prelu, rational, smooth_swiglu, and the backward
passes of prelu and rational with their parameter gradients) x element type
(f32, bf16, f16) x ISA this CPU has x size, it measures output elements per second and GB/s
(bytes read + written, each array once) on one thread and, for f32, with `par` on a rayon pool
of --threads threads; next to the bandwidth line (copy_from_slice of the same size, same
threads), the speed-up over the scalar path and the max ULP error against the f64 reference on a
dense sweep (once per op x dtype x ISA). Each time is the median of several samples of
calibrated length; outputs are preallocated and inputs pass through black_box.

Default sizes: 4Ki, 64Ki, 1Mi, and 16Mi for f32 only (--sizes applies to every dtype). The
scalar path is measured at sizes up to 64Ki (most ops run at 0.01 to 0.05 Gelem/s there, so a
16Mi call would take about a second); speed-ups at larger sizes are over its 64Ki rate, marked with '*'. The default run takes
about two minutes on two cores, --quick under 20 seconds.

Accuracy (max ULP of the dtype against the catalogue's f64 reference, the reference computed
once and shared by the ISAs), counted where the catalogue's budget is in ULP (its rules, which
the tests apply too; elsewhere the bound is absolute):
  unary     f32: 3 x 2^18 inputs (--quick: 2^15): a uniform grid over the op's sweep interval,
            evenly spaced bit patterns within it, evenly spaced bit patterns of all finite
            f32, plus zeros and extremes; bf16, f16: all 65536 bit patterns; every output
  backward  the same inputs, grad_out cycling through 1, -0.37, 3.5e4, -2e-3; counted where
            f'(x) and grad_out * f'(x) are normal numbers of the dtype and x is farther than
            the catalogue's near_zero (0.5) from a zero of f'
  gated     gates (2 x 2^14 bit patterns and grid points over the op's sweep in f32, every
            pattern in bf16/f16) x 24 ups from 6e-42 to 1e20; counted where act(gate) is a
            normal f32
  gated_backward
            the same gates x 7 ups from 3e-5 to 1e3, grad_out cycling through 1, -0.37, 3.5e4,
            -2e-3, 1e-20; both gradients, each counted where it is a normal number of the
            dtype of at least 1e-36, no factor is an f32 subnormal and (grad_gate) the gate is
            farther than 0.5 from a zero of the activation's derivative
  rowwise   20 rows: widths 1, 17, 1000, 4096 x five logit distributions, every output
  rowwise_backward
            the forward's outputs of rows of widths 1, 17, 1000, 4096 (8193 to 3 rows) of
            logits and gradients at three scales; counted where the row reduction's absolute
            term is at most one ULP of the output
  sliced    prelu: the unary inputs over leaky_relu's sweep in rows of 17 slopes, every
            output; rational (default coefficients): the same inputs, counted where its
            documented rounding bound is within the budget (the terms of P and B do not
            cancel); smooth_swiglu: as gated, in rows of 33 scales from 1e-3 to 1e3,
            counted where silu(gate) and up * scale are normal f32; prelu_backward,
            rational_backward: grad_in on the prelu / rational inputs, grad_out cycling
            as for backward, rational's counted where its cancellation term is at most a
            quarter ULP and x is off the kink of |A|
The ULP charts of --plot show the max error per bin of x over the op's sweep, on the widest
ISA reported.";

/// `cargo run --release -- [options]`.
#[derive(Debug, Parser)]
#[command(
    name = "simd-activations",
    version,
    about = ABOUT,
    long_about = LONG_ABOUT,
    after_long_help = json::FIELDS
)]
pub struct Args {
    /// Ops to run: a name (`silu`, `silu_backward`, `swiglu`, `swiglu_backward`, `softmax`,
    /// `softmax_backward`, `prelu`, ...) or a family (`unary`, `backward`, `gated`,
    /// `gated_backward`, `rowwise`, `rowwise_backward`, `sliced`, `all`); repeatable or
    /// comma-separated [default: all]
    #[arg(long = "op", value_name = "NAME", value_delimiter = ',')]
    ops: Vec<String>,

    /// Element types [default: all]
    #[arg(
        long = "dtype",
        value_name = "DTYPE",
        value_enum,
        value_delimiter = ','
    )]
    dtypes: Vec<Dtype>,

    /// ISAs, of those this CPU has [default: all of them]; the scalar path is measured anyway
    /// as the baseline of the speed-ups
    #[arg(long = "isa", value_name = "ISA", value_parser = parse_isa, value_delimiter = ',')]
    isas: Vec<Isa>,

    /// Sizes in elements, e.g. `4Ki,64Ki,1Mi` (suffixes Ki, Mi, Gi: powers of 1024) [default:
    /// 4Ki,64Ki,1Mi and 16Mi for f32; --quick: 4Ki,1Mi]
    #[arg(long, value_name = "SIZES", value_parser = parse_size, value_delimiter = ',')]
    sizes: Vec<usize>,

    /// Threads of the rayon pool for the `par` measurements (1: none) [default: all cores]
    #[arg(long, value_name = "N", value_parser = parse_threads)]
    threads: Option<usize>,

    /// A run under 20 seconds: sizes 4Ki and 1Mi, short timing budgets, sparser f32 sweeps
    #[arg(long)]
    quick: bool,

    /// JSON Lines on stdout instead of the table (fields: see --help)
    #[arg(long)]
    json: bool,

    /// Write SVG charts to DIR: throughput per ISA of each op, ULP error across the input
    /// range of each unary op and backward pass
    #[arg(long, value_name = "DIR")]
    plot: Option<PathBuf>,
}

/// What to run, resolved from [`Args`].
#[derive(Clone, Debug)]
pub struct Plan {
    /// Subjects, in catalogue order.
    pub subjects: Vec<Subject>,
    /// Element types, in [`Dtype::ALL`] order.
    pub dtypes: Vec<Dtype>,
    /// ISAs to report, `scalar` first.
    pub isas: Vec<Isa>,
    /// `--sizes`, sorted, or `None` for the defaults.
    sizes: Option<Vec<usize>>,
    /// Threads of the `par` pool (1: no `par` measurements).
    pub threads: usize,
    /// Time per measurement.
    pub budget: Budget,
    /// Density of the accuracy sweeps.
    pub density: Density,
    /// Whether this is a `--quick` run.
    pub quick: bool,
    /// JSON Lines instead of the table.
    pub json: bool,
    /// Where to write the charts.
    pub plot: Option<PathBuf>,
}

impl Plan {
    /// Parses the command line; exits with clap's message (and status 2) on a bad one.
    pub fn from_command_line() -> Plan {
        let args = Args::parse();
        Plan::resolve(args).unwrap_or_else(|e| e.exit())
    }

    fn resolve(args: Args) -> Result<Plan, clap::Error> {
        let subjects = select_subjects(&args.ops)?;
        let mut dtypes = if args.dtypes.is_empty() {
            Dtype::ALL.to_vec()
        } else {
            args.dtypes
        };
        dtypes.sort();
        dtypes.dedup();
        let mut isas = if args.isas.is_empty() {
            Isa::available()
        } else {
            args.isas
        };
        isas.sort();
        isas.dedup();
        let sizes = (!args.sizes.is_empty()).then(|| {
            let mut s = args.sizes;
            s.sort_unstable();
            s.dedup();
            s
        });
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Ok(Plan {
            subjects,
            dtypes,
            isas,
            sizes,
            threads: args.threads.unwrap_or(cores),
            budget: if args.quick {
                Budget::QUICK
            } else {
                Budget::FULL
            },
            density: if args.quick {
                Density::QUICK
            } else {
                Density::FULL
            },
            quick: args.quick,
            json: args.json,
            plot: args.plot,
        })
    }

    /// The sizes `dtype` runs at.
    pub fn sizes(&self, dtype: Dtype) -> Vec<usize> {
        match (&self.sizes, self.quick) {
            (Some(sizes), _) => sizes.clone(),
            (None, true) => vec![4 << 10, 1 << 20],
            (None, false) if dtype == Dtype::F32 => vec![4 << 10, 64 << 10, 1 << 20, 16 << 20],
            (None, false) => vec![4 << 10, 64 << 10, 1 << 20],
        }
    }

    /// The sizes the scalar path runs at for `dtype`: each size capped at
    /// [`SCALAR_MAX_SIZE`].
    pub fn scalar_sizes(&self, dtype: Dtype) -> Vec<usize> {
        let mut sizes: Vec<usize> = self
            .sizes(dtype)
            .into_iter()
            .map(|s| s.min(SCALAR_MAX_SIZE))
            .collect();
        sizes.dedup();
        sizes
    }

    /// Whether the `par` measurements run.
    pub fn parallel(&self) -> bool {
        self.threads > 1
    }
}

/// The subjects named by `--op` (all of them when none is).
fn select_subjects(names: &[String]) -> Result<Vec<Subject>, clap::Error> {
    let all = Subject::all();
    if names.is_empty() {
        return Ok(all);
    }
    let mut wanted = vec![false; all.len()];
    for name in names {
        let name = name.trim();
        let family = Family::ALL.into_iter().find(|f| f.name() == name);
        let mut matched = false;
        for (w, s) in wanted.iter_mut().zip(&all) {
            if name == "all" || family == Some(s.family()) || s.name() == name {
                *w = true;
                matched = true;
            }
        }
        if !matched {
            return Err(unknown_op(name, &all));
        }
    }
    Ok(all
        .into_iter()
        .zip(wanted)
        .filter_map(|(s, w)| w.then_some(s))
        .collect())
}

/// The error for an `--op` that is neither a family nor an op, listing what exists.
fn unknown_op(name: &str, all: &[Subject]) -> clap::Error {
    let families: Vec<&str> = Family::ALL
        .iter()
        .map(|f| f.name())
        .chain(["all"])
        .collect();
    let mut lines = vec![
        format!("unknown op {name:?}\n"),
        format!("  families: {}", families.join(", ")),
    ];
    for family in Family::ALL {
        let ops: Vec<String> = all
            .iter()
            .filter(|s| s.family() == family)
            .map(|s| s.name())
            .collect();
        lines.push(format!("  {:>16}: {}", family.name(), ops.join(", ")));
    }
    let msg = lines.join("\n");
    Args::command().error(ErrorKind::InvalidValue, msg)
}

/// An ISA name this CPU can run.
fn parse_isa(s: &str) -> Result<Isa, String> {
    let isa: Isa = s.parse().map_err(|e| format!("{e}"))?;
    Kernels::new(isa)
        .map(|k| k.isa())
        .map_err(|e| e.to_string())
}

/// A positive element count, plain or with a binary suffix (`4Ki`, `1Mi`, `1Gi`).
fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (digits, unit) = [("Ki", 1usize << 10), ("Mi", 1 << 20), ("Gi", 1 << 30)]
        .into_iter()
        .find_map(|(suffix, unit)| s.strip_suffix(suffix).map(|d| (d, unit)))
        .unwrap_or((s, 1));
    digits
        .parse::<usize>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .filter(|&n| n > 0)
        .ok_or_else(|| {
            format!("{s:?} is not a size (a positive count such as 4096, 4Ki, 64Ki or 1Mi)")
        })
}

/// A positive thread count.
fn parse_threads(s: &str) -> Result<usize, String> {
    s.parse::<usize>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("{s:?} is not a thread count (a positive integer)"))
}
