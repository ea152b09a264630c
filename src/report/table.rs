//! The aligned text table: a self-explanatory header (machine, plan, columns, bandwidth line),
//! one line per subject × dtype × ISA × size, the total time.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::time::Duration;

use simd_activations::Isa;

use super::cli::SCALAR_MAX_SIZE;
use super::output::{Context, Format};
use super::results::{Block, Row, bandwidth_at};
use super::run::BANDWIDTH_BUDGET;
use super::subject::ROW_WIDTH;
use super::throughput::Rate;
use super::units::{sig3, size_label};

/// Width of the op column (the longest name, `gelu_sigmoid_backward`, has 21 characters).
const OP: usize = 21;

/// The table format.
pub struct Table;

fn names(isas: &[Isa]) -> String {
    isas.iter().map(|i| i.name()).collect::<Vec<_>>().join(", ")
}

fn sizes(list: &[usize]) -> String {
    list.iter()
        .map(|&s| size_label(s))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `f32: 4Ki 64Ki ...; bf16, f16: ...`, grouping dtypes with the same sizes.
fn sizes_by_dtype(ctx: &Context) -> String {
    let mut groups: Vec<(Vec<&str>, Vec<usize>)> = Vec::new();
    for &d in &ctx.plan.dtypes {
        let s = ctx.plan.sizes(d);
        match groups.iter_mut().find(|(_, g)| *g == s) {
            Some((ds, _)) => ds.push(d.name()),
            None => groups.push((vec![d.name()], s)),
        }
    }
    groups
        .iter()
        .map(|(ds, s)| format!("{}: {}", ds.join(", "), sizes(s)))
        .collect::<Vec<_>>()
        .join("; ")
}

/// `GB/s` and the share of the bandwidth line, as two cells.
fn traffic(rate: &Rate, line: &Rate) -> (String, String) {
    (
        sig3(rate.gb_per_s()),
        format!("{:.0}%", 100.0 * rate.gb_per_s() / line.gb_per_s()),
    )
}

/// A budget to at most 4 decimals (rational's 16-bit budgets are 0.5 plus a small f32 term).
fn budget_cell(v: f64) -> String {
    let s = format!("{v:.4}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

fn max_ulp(v: f64, budget: f64) -> String {
    let mark = if v > budget { " !" } else { "" };
    if v.is_finite() {
        format!("{v:.3}{mark}")
    } else {
        format!("{v}{mark}")
    }
}

impl Table {
    fn column_names(ctx: &Context) -> String {
        let mut s = format!(
            "{:<OP$} {:<5} {:<6} {:>5} {:>8} {:>7} {:>5} {:>8}",
            "op", "dtype", "ISA", "size", "Gelem/s", "GB/s", "%bw", "xscalar"
        );
        if ctx.plan.parallel() {
            let n = ctx.plan.threads;
            let _ = write!(
                s,
                " | {:>13} {:>7} {:>5}",
                format!("{n} thr Gelem/s"),
                "GB/s",
                "%bw"
            );
        }
        let _ = write!(s, " | {:>8} {:>6}", "max ULP", "budget");
        s
    }

    fn row(ctx: &Context, block: &Block, row: &Row) -> String {
        let line = bandwidth_at(ctx.bandwidth, block.dtype, row.size);
        let (gb, bw) = traffic(&row.single, &line.single);
        let speedup = if row.isa == Isa::Scalar {
            "1.0".to_string()
        } else {
            let mark = if row.scalar_size == row.size { "" } else { "*" };
            format!("{:.1}{mark}", row.speedup)
        };
        let mut s = format!(
            "{:<OP$} {:<5} {:<6} {:>5} {:>8} {:>7} {:>5} {:>8}",
            block.subject.name(),
            block.dtype.name(),
            row.isa.name(),
            size_label(row.size),
            sig3(row.single.gelem_per_s()),
            gb,
            bw,
            speedup
        );
        if ctx.plan.parallel() {
            let cells = match (row.parallel, line.parallel) {
                (Some(p), Some(l)) => {
                    let (gb, bw) = traffic(&p, &l);
                    (sig3(p.gelem_per_s()), gb, bw)
                }
                _ => ("-".into(), "-".into(), "-".into()),
            };
            let _ = write!(s, " | {:>13} {:>7} {:>5}", cells.0, cells.1, cells.2);
        }
        let acc = block.accuracy_on(row.isa);
        let budget = block.budget();
        let _ = write!(
            s,
            " | {:>8} {:>6}",
            max_ulp(acc.max_ulp, budget),
            budget_cell(budget)
        );
        s
    }
}

impl Format for Table {
    fn header(&self, ctx: &Context) -> String {
        let (m, p) = (ctx.machine, ctx.plan);
        let mut s = String::new();
        let _ = writeln!(
            s,
            "simd-activations {}: throughput and accuracy of every kernel on this machine\n",
            env!("CARGO_PKG_VERSION")
        );
        let _ = writeln!(s, "CPU        {}", m.describe());
        let _ = writeln!(
            s,
            "ISAs       {} on this CPU (the free functions use {}); reported: {}",
            names(&m.isas),
            m.global,
            names(&p.isas)
        );
        if p.parallel() {
            let _ = writeln!(
                s,
                "threads    1, and {n} for f32: `par` in a rayon pool of {n} threads with each op's\n           \
                 catalogue threshold (shorter calls run serially); the catalogue has `par`\n           \
                 entries for f32 only, so bf16 and f16 rows show '-'",
                n = p.threads
            );
        } else {
            let _ = writeln!(s, "threads    1 (--threads {} leaves out `par`)", p.threads);
        }
        let _ = writeln!(
            s,
            "timing     median of {}-{} samples of calibrated length, about {:.0} ms per cell; outputs\n           \
             preallocated, inputs through black_box; x, gates and logits evenly spread over\n           \
             [-8, 8], ups over [-4, 4], grad_out over [-1, 1]; gated ops on separate gate and up\n           \
             slices; row-wise ops on rows of {ROW_WIDTH} (one row where that does not divide the size),\n           \
             prelu and smooth_swiglu on as many channels (slopes over [0.01, 0.3], scales over\n           \
             [0.5, 2]), rational with its default coefficients",
            p.budget.min_samples,
            p.budget.max_samples,
            p.budget.seconds * 1e3
        );
        let _ = writeln!(
            s,
            "sizes      {} (Ki = 1024 elements, Mi = 1024 Ki);\n           \
             the scalar path only up to {} (most ops run at 0.01 to 0.05 Gelem/s there, so a\n           \
             16Mi call would take about a second)",
            sizes_by_dtype(ctx),
            size_label(SCALAR_MAX_SIZE)
        );
        let _ = writeln!(
            s,
            "accuracy   max error against the f64 reference in ULP of the dtype, once per op x dtype\n           \
             x ISA (the same on every size): unary and backward f32 on 3 x {} inputs (a grid and\n           \
             bit patterns over the op's sweep, bit patterns over all finite f32), bf16 and f16 on\n           \
             all 65536; gated on gates x 24 ups (gated backward: x 7 ups); row-wise on 20 rows of\n           \
             widths 1 to 4096 (backward: rows of softmax outputs); prelu and rational as unary,\n           \
             smooth_swiglu as gated; each where the catalogue's budget is in ULP (details: --help)",
            p.density.points
        );
        let _ = writeln!(s, "\ncolumns");
        let par_line = if p.parallel() {
            format!(
                "  {} thr ...  the same three with `par` on {} threads (f32 only)\n",
                p.threads, p.threads
            )
        } else {
            String::new()
        };
        let _ = write!(
            s,
            "  op         catalogue name (or a hand-written op with slice parameters: prelu,\n             \
                        rational, smooth_swiglu); NAME_backward is its backward pass\n  \
             dtype      element type of inputs and outputs (the math runs in f32 lanes)\n  \
             ISA        instruction set the kernels are pinned to (Kernels::new)\n  \
             size       output elements per call (gated backward: per gradient)\n  \
             Gelem/s    1e9 output elements per second, one thread\n  \
             GB/s       1e9 bytes per second read + written, each array once (unary,\n             \
                        row-wise, prelu, rational: 2 arrays; gated, backward, row-wise\n             \
                        backward, smooth_swiglu: 3; gated backward: 5)\n  \
             %bw        GB/s as a share of the bandwidth line of the same dtype, size, threads\n             \
                        (over 100% where the op's loop moves bytes faster than memcpy)\n  \
             xscalar    speed-up over the scalar path at the same dtype and size ('*': over\n             \
                        its {} rate)\n\
             {par_line}  \
             max ULP    largest error seen ('!': over budget)\n  \
             budget     the documented bound in ULP of the dtype, the catalogue's (rational:\n             \
                        its rounding bound where the terms do not cancel; details: --help)\n",
            size_label(SCALAR_MAX_SIZE)
        );
        let _ = writeln!(
            s,
            "\nbandwidth line: copy_from_slice of `size` elements into a preallocated slice, GB/s\n\
             (read + written), timed {BANDWIDTH_BUDGET} times longer than each op{}",
            if p.parallel() {
                "; with threads split as `par` splits an op"
            } else {
                ""
            }
        );
        let _ = write!(s, "  {:<5} {:>5} {:>10}", "dtype", "size", "1 thread");
        if p.parallel() {
            let _ = write!(s, " {:>10}", format!("{} threads", p.threads));
        }
        s.push('\n');
        for b in ctx.bandwidth {
            let _ = write!(
                s,
                "  {:<5} {:>5} {:>10}",
                b.dtype.name(),
                size_label(b.size),
                sig3(b.single.gb_per_s())
            );
            if let Some(par) = b.parallel {
                let _ = write!(s, " {:>10}", sig3(par.gb_per_s()));
            }
            s.push('\n');
        }
        let names = Table::column_names(ctx);
        let _ = writeln!(s, "\n{names}\n{}", "-".repeat(names.len()));
        s
    }

    fn block(&self, ctx: &Context, block: &Block) -> String {
        let mut s = String::new();
        if block.dtype == ctx.plan.dtypes[0] {
            s.push('\n');
        }
        for row in &block.rows {
            let _ = writeln!(s, "{}", Table::row(ctx, block, row));
        }
        s
    }

    fn footer(&self, _ctx: &Context, elapsed: Duration, charts: &[PathBuf]) -> String {
        let mut s = String::new();
        if let Some(dir) = charts.first().and_then(|c| c.parent()) {
            let _ = writeln!(s, "\n{} SVG charts in {}", charts.len(), dir.display());
        }
        let _ = writeln!(s, "\ntotal time {:.1} s", elapsed.as_secs_f64());
        s
    }
}
