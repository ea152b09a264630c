//! The report: where it goes, the header it carries, the status line, and the JSON Lines.

use std::fmt::Write as _;
use std::fs::File;
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::json;

use crate::cli::{Dest, Options, fail};
use crate::markdown::markdown;
use crate::sweep::{Kind, Record};

/// Where the Markdown and the JSON go, opened before the checks run so that a bad path fails
/// at once.
pub struct Sinks {
    /// The Markdown's destination (stdout when neither `--markdown` nor `--json` was given).
    markdown: Option<Sink>,
    /// The JSON Lines' destination.
    json: Option<Sink>,
}

/// One opened destination.
enum Sink {
    /// Standard output.
    Stdout,
    /// A created file, with its path for error messages.
    File(File, String),
}

impl Sink {
    /// Creates the file of `dest`, or exits with code 2.
    fn open(dest: &Dest) -> Sink {
        match dest {
            Dest::Stdout => Sink::Stdout,
            Dest::File(path) => {
                let name = path.display().to_string();
                let file = File::create(path).unwrap_or_else(|e| fail(&format!("{name}: {e}")));
                Sink::File(file, name)
            }
        }
    }

    /// Writes `text`, or exits with code 2.
    fn write(&mut self, text: &str) {
        let result = match self {
            Sink::Stdout => std::io::stdout().write_all(text.as_bytes()),
            Sink::File(file, _) => file.write_all(text.as_bytes()),
        };
        if let Err(e) = result {
            let name = match self {
                Sink::Stdout => "stdout",
                Sink::File(_, name) => name,
            };
            fail(&format!("writing {name}: {e}"));
        }
    }
}

impl Sinks {
    /// Opens the destinations of `opts`.
    pub fn open(opts: &Options) -> Sinks {
        let markdown = match (&opts.markdown, &opts.json) {
            (None, None) => Some(Dest::Stdout),
            (md, _) => md.clone(),
        };
        Sinks {
            markdown: markdown.as_ref().map(Sink::open),
            json: opts.json.as_ref().map(Sink::open),
        }
    }

    /// Writes the Markdown (ending in `status`) and the JSON Lines of `records`.
    pub fn write(&mut self, header: &Header, records: &[Record], status: &str) {
        if let Some(sink) = &mut self.markdown {
            sink.write(&markdown(header, records, status));
        }
        if let Some(sink) = &mut self.json {
            sink.write(&json_lines(header, records));
        }
    }
}

/// When, where and on what the checks ran.
pub struct Header {
    /// The ISA's name.
    pub isa: &'static str,
    /// Today, UTC, `YYYY-MM-DD`.
    pub date: String,
    /// The CPU's model name.
    pub cpu: String,
    /// The command-line arguments.
    pub args: String,
    /// Unary f32: every `stride`-th bit pattern.
    pub stride: u64,
    /// Gated f32: every `gate_stride`-th gate bit pattern.
    pub gate_stride: u64,
}

impl Header {
    /// The header of a run with `opts`, dated now.
    pub fn now(opts: &Options) -> Header {
        let secs = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Header {
            isa: opts.isa.name(),
            date: utc_date(secs),
            cpu: cpu_model(),
            args: opts.args.join(" "),
            stride: opts.stride,
            gate_stride: opts.gate_stride,
        }
    }
}

/// The UTC date `YYYY-MM-DD` of `secs` seconds after the Unix epoch.
fn utc_date(secs: u64) -> String {
    let leap = |y: u64| (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400);
    let mut days = secs / 86_400;
    let mut year = 1970;
    while days >= if leap(year) { 366 } else { 365 } {
        days -= if leap(year) { 366 } else { 365 };
        year += 1;
    }
    let february = if leap(year) { 29 } else { 28 };
    let lengths = [31, february, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let mut month = 0;
    while days >= lengths[month] {
        days -= lengths[month];
        month += 1;
    }
    format!("{year:04}-{:02}-{:02}", month + 1, days + 1)
}

/// The first `model name` of /proc/cpuinfo, or `unknown`.
fn cpu_model() -> String {
    let info = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    info.lines()
        .filter(|line| line.starts_with("model name"))
        .find_map(|line| line.split_once(':'))
        .map_or("unknown".to_string(), |(_, model)| model.trim().to_string())
}

/// `PASS` with the number of checks, or `FAIL` and what failed in which check.
pub fn status(records: &[Record]) -> String {
    let failed: Vec<String> = records
        .iter()
        .filter(|r| !r.passed())
        .map(|r| {
            let what = r.failures().join(", ");
            format!("{} {} {}: {what}", r.kind.name(), r.op, r.dtype.name())
        })
        .collect();
    if failed.is_empty() {
        let n = records.len();
        format!(
            "PASS: {n} check{} within budget",
            if n == 1 { "" } else { "s" }
        )
    } else {
        format!("FAIL: {}", failed.join("; "))
    }
}

/// One JSON object per record, one per line.
fn json_lines(h: &Header, records: &[Record]) -> String {
    let mut s = String::new();
    for r in records {
        let t = &r.tally;
        let gated = r.kind == Kind::Gated;
        let line = json!({
            "kind": r.kind.name(),
            "op": r.op,
            "dtype": r.dtype.name(),
            "isa": h.isa,
            "date": h.date,
            "cpu": h.cpu,
            "inputs": t.inputs,
            "stride": r.stride,
            "ups": gated.then_some(r.ups),
            "max_ulp": t.max_ulp,
            "worst_input": shortest(t.worst_input),
            "worst_up": gated.then(|| shortest(t.worst_up)),
            "budget": r.budget,
            "over_budget": t.over_budget,
            "above_one_ulp": t.above_one,
            "nan_ok": t.nan_ok,
            "monotone": r.monotone_ok(),
            "correctly_rounded": r.correctly_rounded(),
            "pass": r.passed(),
            "seconds": (r.seconds * 1000.0).round() / 1000.0,
        });
        let _ = writeln!(s, "{line}");
    }
    s
}

/// `x` as the f64 whose shortest decimal is that of the f32 (`-16.977913`, not
/// `-16.977912902832031`); JSON prints a non-finite one as `null`.
fn shortest(x: f32) -> f64 {
    x.to_string().parse().unwrap_or(f64::NAN)
}
