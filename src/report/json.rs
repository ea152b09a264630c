#![doc = include_str!("json_fields.md")]

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use simd_activations::Isa;

use super::accuracy::Accuracy;
use super::cli::SCALAR_MAX_SIZE;
use super::output::{Context, Format};
use super::results::{Block, Row, bandwidth_at};
use super::throughput::Rate;

/// The field list above, for `--help`.
pub const FIELDS: &str = include_str!("json_fields.md");

/// The JSON Lines format.
pub struct Json;

/// `s` as a JSON string literal.
fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `v` as a JSON number (shortest round-trip form, an exponent for very large or small
/// magnitudes), `null` if it is not finite.
fn number(v: f64) -> String {
    if !v.is_finite() {
        "null".into()
    } else if v == 0.0 || (1e-5..1e16).contains(&v.abs()) {
        format!("{v}")
    } else {
        format!("{v:e}")
    }
}

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(string).collect();
    format!("[{}]", items.join(","))
}

/// One JSON object, fields in insertion order.
struct Object(Vec<(&'static str, String)>);

impl Object {
    fn record(kind: &str) -> Object {
        Object(vec![("record", string(kind))])
    }

    /// A field whose value is already JSON.
    fn raw(mut self, key: &'static str, json: String) -> Object {
        self.0.push((key, json));
        self
    }

    fn str(self, key: &'static str, v: &str) -> Object {
        self.raw(key, string(v))
    }

    fn num(self, key: &'static str, v: f64) -> Object {
        self.raw(key, number(v))
    }

    fn int(self, key: &'static str, v: usize) -> Object {
        self.raw(key, v.to_string())
    }

    /// The object and a newline.
    fn line(self) -> String {
        let fields: Vec<String> = self
            .0
            .into_iter()
            .map(|(k, v)| format!("{}:{v}", string(k)))
            .collect();
        format!("{{{}}}\n", fields.join(","))
    }
}

fn isa_names(isas: &[Isa]) -> String {
    strings(isas.iter().map(|i| i.name()))
}

/// The fields shared by the accuracy and throughput records of a block on `isa`.
fn block_fields(kind: &str, block: &Block, isa: Isa) -> Object {
    Object::record(kind)
        .str("op", &block.subject.name())
        .str("family", block.subject.family().name())
        .str("dtype", block.dtype.name())
        .str("isa", isa.name())
}

fn accuracy(block: &Block, acc: &Accuracy) -> String {
    let worst: Vec<String> = acc
        .worst
        .iter()
        .map(|(k, v)| format!("{}:{}", string(k), number(*v)))
        .collect();
    block_fields("accuracy", block, acc.isa)
        .num("max_ulp", acc.max_ulp)
        .num("ulp_budget", block.budget())
        .raw("worst", format!("{{{}}}", worst.join(",")))
        .int("points", acc.points)
        .line()
}

fn throughput(
    block: &Block,
    row: &Row,
    rate: &Rate,
    threads: usize,
    line: &Rate,
    speedup: Option<f64>,
) -> String {
    let acc = block.accuracy_on(row.isa);
    block_fields("throughput", block, row.isa)
        .int("size", row.size)
        .int("threads", threads)
        .num("seconds", rate.seconds)
        .num("gelem_per_s", rate.gelem_per_s())
        .num("gb_per_s", rate.gb_per_s())
        .int("bytes", rate.bytes)
        .num("bandwidth_gb_per_s", line.gb_per_s())
        .num("bandwidth_share", rate.gb_per_s() / line.gb_per_s())
        .num("speedup_vs_scalar", speedup.unwrap_or(f64::NAN))
        .int("scalar_size", row.scalar_size)
        .num("max_ulp", acc.max_ulp)
        .num("ulp_budget", block.budget())
        .line()
}

impl Format for Json {
    fn header(&self, ctx: &Context) -> String {
        let (m, p) = (ctx.machine, ctx.plan);
        let mut s = Object::record("run")
            .str("version", env!("CARGO_PKG_VERSION"))
            .raw("cpu", m.model.as_deref().map_or("null".into(), string))
            .int("cores", m.cores)
            .raw("isas_available", isa_names(&m.isas))
            .str("isa_global", m.global.name())
            .raw("isas", isa_names(&p.isas))
            .raw("dtypes", strings(p.dtypes.iter().map(|d| d.name())))
            .int("threads", p.threads)
            .raw("quick", p.quick.to_string())
            .num("budget_s", p.budget.seconds)
            .int("scalar_max_size", SCALAR_MAX_SIZE)
            .line();
        for b in ctx.bandwidth {
            let lines = [(1, Some(b.single)), (p.threads, b.parallel)];
            for (threads, rate) in lines {
                if let Some(r) = rate {
                    s += &Object::record("bandwidth")
                        .str("dtype", b.dtype.name())
                        .int("size", b.size)
                        .int("threads", threads)
                        .num("seconds", r.seconds)
                        .num("gb_per_s", r.gb_per_s())
                        .num("gelem_per_s", r.gelem_per_s())
                        .line();
                }
            }
        }
        s
    }

    fn block(&self, ctx: &Context, block: &Block) -> String {
        let mut s: String = block.accuracy.iter().map(|a| accuracy(block, a)).collect();
        for row in &block.rows {
            let line = bandwidth_at(ctx.bandwidth, block.dtype, row.size);
            s += &throughput(block, row, &row.single, 1, &line.single, Some(row.speedup));
            if let (Some(p), Some(l)) = (row.parallel, line.parallel) {
                s += &throughput(block, row, &p, ctx.plan.threads, &l, None);
            }
        }
        s
    }

    fn footer(&self, _ctx: &Context, elapsed: Duration, charts: &[PathBuf]) -> String {
        let paths: Vec<String> = charts.iter().map(|c| c.display().to_string()).collect();
        Object::record("done")
            .num("seconds", elapsed.as_secs_f64())
            .raw("charts", strings(paths.iter().map(String::as_str)))
            .line()
    }
}
