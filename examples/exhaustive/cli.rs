//! The command line: options parsed by hand, errors with what exists.

use std::path::PathBuf;

use simd_activations::Isa;
use simd_activations::catalogue::{GATED, GatedSpec, OPS, OpSpec};

/// Default `--gate-stride`: every 2^8-th f32 gate bit pattern (16 777 216 gates × 24 ups per op:
/// about 100 s of CPU time, a minute of two cores, for the six gated ops in all three types).
pub const DEFAULT_GATE_STRIDE: u64 = 1 << 8;

/// The element types, in the order the checks and tables list them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DType {
    /// `f32`.
    F32,
    /// `bf16`.
    Bf16,
    /// `f16`.
    F16,
}

impl DType {
    /// Every type, in table order.
    pub const ALL: [DType; 3] = [DType::F32, DType::Bf16, DType::F16];

    /// The name `--dtype` takes and the report prints.
    pub fn name(self) -> &'static str {
        match self {
            DType::F32 => "f32",
            DType::Bf16 => "bf16",
            DType::F16 => "f16",
        }
    }
}

/// Where a table goes.
#[derive(Clone, Debug)]
pub enum Dest {
    /// Standard output (`-`).
    Stdout,
    /// A file, created or truncated.
    File(PathBuf),
}

/// What to check and where to write it.
#[derive(Debug)]
pub struct Options {
    /// Unary ops to check, in catalogue order.
    pub unary: Vec<&'static OpSpec>,
    /// Gated ops to check, in catalogue order.
    pub gated: Vec<&'static GatedSpec>,
    /// Element types, in [`DType::ALL`] order.
    pub dtypes: Vec<DType>,
    /// The ISA the kernels run on.
    pub isa: Isa,
    /// Unary f32: every `stride`-th bit pattern.
    pub stride: u64,
    /// Gated f32: every `gate_stride`-th gate bit pattern.
    pub gate_stride: u64,
    /// `--markdown`.
    pub markdown: Option<Dest>,
    /// `--json`.
    pub json: Option<Dest>,
    /// `--quiet`.
    pub quiet: bool,
    /// The arguments as given, for the report.
    pub args: Vec<String>,
}

/// Summary of the options, printed by `--help` and after a command-line error.
const USAGE: &str = "usage: exhaustive [--op NAME|unary|gated]... [--dtype f32|bf16|f16]... \
[--isa NAME] [--stride N] [--gate-stride N] [--markdown FILE|-] [--json FILE|-] [--quiet]";

/// Parses the arguments (without the program name); exits with code 2 and a message on error.
pub fn parse(args: Vec<String>) -> Options {
    let mut names: Vec<String> = Vec::new();
    let mut dtypes: Vec<DType> = Vec::new();
    let mut opts = Options {
        unary: Vec::new(),
        gated: Vec::new(),
        dtypes: Vec::new(),
        isa: Isa::detect(),
        stride: 1,
        gate_stride: DEFAULT_GATE_STRIDE,
        markdown: None,
        json: None,
        quiet: false,
        args: args.clone(),
    };
    let mut it = args.into_iter();
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .unwrap_or_else(|| fail(&format!("{arg} needs a value")))
        };
        match arg.as_str() {
            "--op" => names.push(value()),
            "--dtype" => dtypes.push(parse_dtype(&value())),
            "--isa" => opts.isa = value().parse().unwrap_or_else(|e| fail(&format!("{e}"))),
            "--stride" => opts.stride = parse_stride("--stride", &value()),
            "--gate-stride" => opts.gate_stride = parse_stride("--gate-stride", &value()),
            "--markdown" => opts.markdown = Some(parse_dest(value())),
            "--json" => opts.json = Some(parse_dest(value())),
            "--quiet" => opts.quiet = true,
            "--help" | "-h" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            _ => fail(&format!("unknown option {arg:?}")),
        }
    }
    for name in &names {
        check_op_name(name);
    }
    let wanted = |name: &str, family: &str| {
        names.is_empty() || names.iter().any(|n| n == name || n == family)
    };
    opts.unary = OPS.iter().filter(|o| wanted(o.name, "unary")).collect();
    opts.gated = GATED.iter().filter(|o| wanted(o.name, "gated")).collect();
    opts.dtypes = DType::ALL
        .into_iter()
        .filter(|d| dtypes.is_empty() || dtypes.contains(d))
        .collect();
    opts
}

/// Exits with an error listing every op and family unless `name` is one of them.
fn check_op_name(name: &str) {
    if name == "unary"
        || name == "gated"
        || OpSpec::find(name).is_some()
        || GatedSpec::find(name).is_some()
    {
        return;
    }
    let unary: Vec<&str> = OPS.iter().map(|o| o.name).collect();
    let gated: Vec<&str> = GATED.iter().map(|o| o.name).collect();
    fail(&format!(
        "unknown op {name:?}; unary ops: {}; gated ops: {}; families: unary, gated",
        unary.join(", "),
        gated.join(", ")
    ))
}

/// The element type named `name`, or an error listing the three.
fn parse_dtype(name: &str) -> DType {
    DType::ALL
        .into_iter()
        .find(|d| d.name() == name)
        .unwrap_or_else(|| fail(&format!("unknown dtype {name:?}; dtypes: f32, bf16, f16")))
}

/// A positive integer for the option `option`.
fn parse_stride(option: &str, value: &str) -> u64 {
    match value.parse::<u64>() {
        Ok(n) if n >= 1 => n,
        _ => fail(&format!("{option} takes a positive integer, not {value:?}")),
    }
}

/// `-` for stdout, anything else a file path.
fn parse_dest(value: String) -> Dest {
    if value == "-" {
        Dest::Stdout
    } else {
        Dest::File(PathBuf::from(value))
    }
}

/// Prints `msg` and the usage to stderr and exits with code 2.
pub fn fail(msg: &str) -> ! {
    eprintln!("exhaustive: {msg}\n{USAGE}");
    std::process::exit(2)
}
