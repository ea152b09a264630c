//! The Markdown report: header lines, one table per family and element kind, the status line.

use std::fmt::Write as _;

use simd_activations::{bf16, f16};

use crate::cli::DType;
use crate::gated;
use crate::report::Header;
use crate::sweep::{Kind, Record};

/// The Markdown report: header lines, then the tables of unary f32, unary bf16/f16 and gated
/// ops (those that ran), then the status line.
pub fn markdown(h: &Header, records: &[Record], status: &str) -> String {
    let has = |kind: Kind, half: bool| {
        records
            .iter()
            .any(|r| r.kind == kind && (r.dtype != DType::F32) == half)
    };
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Accuracy against the f64 reference: ISA {}, {} (UTC), CPU {}.",
        h.isa, h.date, h.cpu
    );
    let _ = writeln!(
        s,
        "`cargo run --release --example exhaustive -- {}`\n",
        h.args
    );
    if has(Kind::Unary, false) {
        let _ = writeln!(s, "Unary ops, f32, {}:\n", unary_f32_inputs(h.stride));
        s += &unary_f32_table(records);
    }
    if has(Kind::Unary, true) {
        s += "Unary ops, bf16 and f16, every one of the 65536 inputs of each type (budget 1 ULP, \
              99.9% correctly rounded):\n\n";
        s += &unary_half_table(records);
    }
    let (gated_f32, gated_half) = (has(Kind::Gated, false), has(Kind::Gated, true));
    if gated_f32 || gated_half {
        let inputs = gated_inputs(gated_f32, gated_half, h.gate_stride);
        let _ = writeln!(s, "Gated ops, {inputs}:\n");
        s += &gated_table(records);
    }
    let _ = writeln!(s, "**{status}**");
    s
}

/// The input set of unary f32 at `stride`.
fn unary_f32_inputs(stride: u64) -> String {
    if stride == 1 {
        "all 2^32 inputs".to_string()
    } else {
        format!(
            "every {stride}-th bit pattern ({} inputs)",
            (1u64 << 32).div_ceil(stride)
        )
    }
}

/// The input sets of the gated ops (f32 with a gate stride of `stride`, bf16/f16 where `half`)
/// and how they are judged.
fn gated_inputs(f32_ran: bool, half_ran: bool, stride: u64) -> String {
    let ups = gated::f32_ups();
    let mut sets = Vec::new();
    if f32_ran {
        let gates = match stride {
            1 => "all 2^32 gates".to_string(),
            _ => format!(
                "every {stride}-th gate bit pattern ({} gates)",
                (1u64 << 32).div_ceil(stride)
            ),
        };
        let magnitudes = ups.iter().filter(|u| **u != 0.0).map(|u| u.abs());
        let lo = magnitudes.clone().fold(f32::INFINITY, f32::min);
        let hi = magnitudes.fold(0.0, f32::max);
        sets.push(format!(
            "f32: {gates} × {} ups ({lo:e} to {hi:e} in magnitude, and ±0)",
            ups.len()
        ));
    }
    if half_ran {
        sets.push(format!(
            "bf16 and f16: all 65536 gates × the ups rounded to the type ({} and {} distinct \
             finite ones; correctly rounded share of the normal outputs with |gate| >= 2^-24)",
            gated::ups::<bf16>().len(),
            gated::ups::<f16>().len()
        ));
    }
    format!(
        "{}. Max error where the activation (up = 1) is a normal f32; elsewhere the budget plus \
         |up|·2^-149",
        sets.join("; ")
    )
}

/// The table of unary f32 checks.
fn unary_f32_table(records: &[Record]) -> String {
    let mut s = String::from(
        "| op | max ULP | at x | inputs > 1 ULP | budget | inputs over budget | NaN → NaN | \
         monotone |\n|---|---|---|---|---|---|---|---|\n",
    );
    for r in records
        .iter()
        .filter(|r| r.kind == Kind::Unary && r.dtype == DType::F32)
    {
        let t = &r.tally;
        let _ = writeln!(
            s,
            "| {} | {} | {:e} | {} | {} | {} | {} | {} |",
            r.op,
            ulp(t.max_ulp),
            t.worst_input,
            t.above_one,
            r.budget,
            t.over_budget,
            yes_no(t.nan_ok),
            monotone(r)
        );
    }
    s + "\n"
}

/// The table of unary bf16/f16 checks, one row per op.
fn unary_half_table(records: &[Record]) -> String {
    let mut s = String::from(
        "| op | bf16 max ULP | f16 max ULP | correctly rounded (bf16 / f16) | over budget \
         (bf16 / f16) | NaN → NaN | monotone |\n|---|---|---|---|---|---|---|\n",
    );
    for op in ops_of(records, Kind::Unary) {
        let (b, h) = (
            find(records, Kind::Unary, op, DType::Bf16),
            find(records, Kind::Unary, op, DType::F16),
        );
        let _ = writeln!(
            s,
            "| {op} | {} | {} | {} / {} | {} / {} | {} | {} |",
            cell(b, |r| ulp(r.tally.max_ulp)),
            cell(h, |r| ulp(r.tally.max_ulp)),
            cell(b, share),
            cell(h, share),
            cell(b, |r| r.tally.over_budget.to_string()),
            cell(h, |r| r.tally.over_budget.to_string()),
            all_of(&[b, h], |r| Some(r.tally.nan_ok)),
            all_of(&[b, h], Record::monotone_ok),
        );
    }
    s + "\n"
}

/// The table of gated checks, one row per op.
fn gated_table(records: &[Record]) -> String {
    let mut s = String::from(
        "| op | f32 max ULP | at (gate, up) | budget | bf16 max ULP | f16 max ULP | correctly \
         rounded (bf16 / f16) | over budget (f32 / bf16 / f16) | NaN → NaN |\n\
         |---|---|---|---|---|---|---|---|---|\n",
    );
    for op in ops_of(records, Kind::Gated) {
        let [f, b, h] = DType::ALL.map(|d| find(records, Kind::Gated, op, d));
        let over = |r: &Record| r.tally.over_budget.to_string();
        let _ = writeln!(
            s,
            "| {op} | {} | {} | {} | {} | {} | {} / {} | {} / {} / {} | {} |",
            cell(f, |r| ulp(r.tally.max_ulp)),
            cell(f, |r| format!(
                "({:e}, {:e})",
                r.tally.worst_input, r.tally.worst_up
            )),
            cell(f, |r| r.budget.to_string()),
            cell(b, |r| ulp(r.tally.max_ulp)),
            cell(h, |r| ulp(r.tally.max_ulp)),
            cell(b, share),
            cell(h, share),
            cell(f, over),
            cell(b, over),
            cell(h, over),
            all_of(&[f, b, h], |r| Some(r.tally.nan_ok)),
        );
    }
    s + "\n"
}

/// The ops of `kind` among `records`, each once, in order.
fn ops_of(records: &[Record], kind: Kind) -> Vec<&'static str> {
    let mut ops: Vec<&'static str> = Vec::new();
    for r in records.iter().filter(|r| r.kind == kind) {
        if !ops.contains(&r.op) {
            ops.push(r.op);
        }
    }
    ops
}

/// The record of `op` of `kind` in type `dtype`, if it ran.
fn find<'a>(records: &'a [Record], kind: Kind, op: &str, dtype: DType) -> Option<&'a Record> {
    records
        .iter()
        .find(|r| r.kind == kind && r.op == op && r.dtype == dtype)
}

/// `f(record)`, or `–` where the check did not run.
fn cell(record: Option<&Record>, f: impl Fn(&Record) -> String) -> String {
    record.map_or("–".to_string(), f)
}

/// `yes` if `ok` holds for every record that ran, `NO (types)` naming those where it does not,
/// `n/a` where it does not apply (`None`), `–` where none ran.
fn all_of(records: &[Option<&Record>], ok: impl Fn(&Record) -> Option<bool>) -> String {
    let ran: Vec<&Record> = records.iter().flatten().copied().collect();
    let judged: Vec<(&Record, bool)> = ran.iter().filter_map(|r| ok(r).map(|v| (*r, v))).collect();
    let failed: Vec<&str> = judged
        .iter()
        .filter(|(_, v)| !v)
        .map(|(r, _)| r.dtype.name())
        .collect();
    match (ran.is_empty(), judged.is_empty(), failed.is_empty()) {
        (true, _, _) => "–".to_string(),
        (false, true, _) => "n/a".to_string(),
        (false, false, true) => "yes".to_string(),
        (false, false, false) => format!("NO ({})", failed.join(", ")),
    }
}

/// An error in ULP with three decimals (`inf` for a NaN or infinite output).
fn ulp(err: f64) -> String {
    format!("{err:.3}")
}

/// `yes` or `NO`.
fn yes_no(ok: bool) -> String {
    (if ok { "yes" } else { "NO" }).to_string()
}

/// The monotone cell of a unary f32 row.
fn monotone(r: &Record) -> String {
    match r.monotone_ok() {
        None => "n/a".to_string(),
        Some(true) => "yes".to_string(),
        Some(false) => format!("NO ({} drops)", r.tally.drops),
    }
}

/// The correctly rounded share in percent, truncated to three decimals (so that only an
/// exact 100% reads `100%`).
fn share(r: &Record) -> String {
    match r.correctly_rounded() {
        None => "–".to_string(),
        Some(_) if r.tally.rounded == r.tally.judged => "100%".to_string(),
        Some(s) => format!("{:.3}%", (s * 100_000.0).floor() / 1000.0),
    }
}
