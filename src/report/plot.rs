//! `--plot DIR`: SVG charts (plotters, SVG backend only).
//!
//! - `throughput_OP.svg` for every op: Gelem/s against size (both axes logarithmic), one line
//!   per ISA × dtype on one thread (f32 solid, bf16 dashed, f16 short dashes), and f32 with
//!   `par` (thin, with points).
//! - `ulp_OP.svg` for every unary op and backward pass: the max ULP error per bin of x over the
//!   op's sweep, per dtype, on the widest reported ISA, with the budgets.

use std::error::Error;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use simd_activations::Isa;

use super::accuracy::BINS;
use super::dtype::Dtype;
use super::results::Block;
use super::subject::Subject;
use super::units::size_label;

/// Chart size in pixels.
const SIZE: (u32, u32) = (960, 600);

/// The colour of an ISA's lines.
fn colour(isa: Isa) -> RGBColor {
    match isa {
        Isa::Scalar => RGBColor(120, 120, 120),
        Isa::Avx2 => RGBColor(31, 119, 180),
        Isa::Avx512 => RGBColor(214, 39, 40),
        Isa::Neon => RGBColor(44, 160, 44),
    }
}

/// The colour of a dtype's line on the ULP charts.
fn dtype_colour(dtype: Dtype) -> RGBColor {
    match dtype {
        Dtype::F32 => RGBColor(31, 119, 180),
        Dtype::Bf16 => RGBColor(255, 127, 14),
        Dtype::F16 => RGBColor(44, 160, 44),
    }
}

/// Writes every chart for `blocks` into `dir` (created if missing); returns the files.
pub fn write(dir: &Path, blocks: &[Block], threads: usize) -> Result<Vec<PathBuf>, Box<dyn Error>> {
    std::fs::create_dir_all(dir)?;
    let mut files = Vec::new();
    let mut subjects: Vec<Subject> = Vec::new();
    for b in blocks {
        if !subjects.iter().any(|s| s.name() == b.subject.name()) {
            subjects.push(b.subject);
        }
    }
    for subject in subjects {
        let name = subject.name();
        let of: Vec<&Block> = blocks.iter().filter(|b| b.subject.name() == name).collect();
        let path = dir.join(format!("throughput_{name}.svg"));
        throughput(&path, &name, &of, threads)?;
        files.push(path);
        if let Some(sweep) = subject.sweep() {
            let path = dir.join(format!("ulp_{name}.svg"));
            ulp(&path, &name, sweep, &of)?;
            files.push(path);
        }
    }
    Ok(files)
}

/// One series of a throughput chart.
struct Series {
    label: String,
    colour: RGBColor,
    dtype: Dtype,
    parallel: bool,
    points: Vec<(f64, f64)>,
}

fn throughput_series(blocks: &[&Block], threads: usize) -> Vec<Series> {
    let mut series = Vec::new();
    for block in blocks {
        let mut isas: Vec<Isa> = block.rows.iter().map(|r| r.isa).collect();
        isas.dedup();
        for isa in isas {
            let rows = || block.rows.iter().filter(move |r| r.isa == isa);
            series.push(Series {
                label: format!("{isa} {}", block.dtype.name()),
                colour: colour(isa),
                dtype: block.dtype,
                parallel: false,
                points: rows()
                    .map(|r| (r.size as f64, r.single.gelem_per_s()))
                    .collect(),
            });
            let par: Vec<(f64, f64)> = rows()
                .filter_map(|r| r.parallel.map(|p| (r.size as f64, p.gelem_per_s())))
                .collect();
            if !par.is_empty() {
                series.push(Series {
                    label: format!("{isa} {} x{threads} threads", block.dtype.name()),
                    colour: colour(isa),
                    dtype: block.dtype,
                    parallel: true,
                    points: par,
                });
            }
        }
    }
    series
}

/// `[lo, hi]` of `values` widened by `factor` on both sides (a log axis needs `lo < hi`).
fn log_bounds(values: impl Iterator<Item = f64>, factor: f64) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| v.is_finite() && *v > 0.0)
        .fold((f64::INFINITY, 0.0_f64), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
    if hi == 0.0 {
        (1.0, 10.0)
    } else {
        (lo / factor, hi * factor)
    }
}

fn throughput(
    path: &Path,
    name: &str,
    blocks: &[&Block],
    threads: usize,
) -> Result<(), Box<dyn Error>> {
    let series = throughput_series(blocks, threads);
    let points = || series.iter().flat_map(|s| s.points.iter());
    let (x0, x1) = log_bounds(points().map(|p| p.0), 1.5);
    let (y0, y1) = log_bounds(points().map(|p| p.1), 1.5);
    // Sizes on a linear axis of log2(size), so that ticks fall on powers of two.
    let (x0, x1) = (x0.log2(), x1.log2());
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{name}: throughput"), ("sans-serif", 22))
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, (y0..y1).log_scale())?;
    chart
        .configure_mesh()
        .x_desc("size (elements per call)")
        .y_desc("Gelem/s (1e9 output elements per second)")
        .x_label_formatter(&|v| {
            if (v - v.round()).abs() < 1e-6 {
                size_label(v.round().exp2() as usize)
            } else {
                String::new()
            }
        })
        .draw()?;
    for s in &series {
        let width = if s.parallel { 1 } else { 2 };
        let style = s.colour.stroke_width(width);
        let dashes = match s.dtype {
            Dtype::F32 => None,
            Dtype::Bf16 => Some((10, 6)),
            Dtype::F16 => Some((3, 4)),
        };
        let pts = s.points.iter().map(|&(size, rate)| (size.log2(), rate));
        let drawn = match dashes {
            None if s.parallel => {
                chart.draw_series(pts.clone().map(|p| Circle::new(p, 4, s.colour.filled())))?;
                chart.draw_series(LineSeries::new(pts, style))?
            }
            None => chart.draw_series(LineSeries::new(pts, style))?,
            Some((dash, gap)) => chart.draw_series(DashedLineSeries::new(pts, dash, gap, style))?,
        };
        let dash_note = match s.dtype {
            Dtype::F32 => "",
            Dtype::Bf16 => " (dashed)",
            Dtype::F16 => " (short dashes)",
        };
        drawn
            .label(format!("{}{dash_note}", s.label))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::LowerRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}

/// Runs of consecutive non-empty bins as `(bin centre, max ULP)` lines, errors above `cap`
/// drawn at `cap`.
fn bin_runs((lo, hi): (f64, f64), bins: &[f64], cap: f64) -> Vec<Vec<(f64, f64)>> {
    let width = (hi - lo) / BINS as f64;
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (i, &v) in bins.iter().enumerate() {
        if v.is_nan() {
            runs.push(Vec::new());
        } else if let Some(run) = runs.last_mut() {
            run.push((lo + width * (i as f64 + 0.5), v.min(cap)));
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn ulp(
    path: &Path,
    name: &str,
    sweep: (f64, f64),
    blocks: &[&Block],
) -> Result<(), Box<dyn Error>> {
    let isa = blocks
        .iter()
        .flat_map(|b| b.accuracy.iter().map(|a| a.isa))
        .max()
        .unwrap_or(Isa::Scalar);
    let finite_max = blocks
        .iter()
        .flat_map(|b| b.accuracy_on(isa).bins.iter().copied())
        .filter(|v| v.is_finite())
        .fold(0.0_f64, f64::max);
    let budget_max = blocks.iter().map(|b| b.budget()).fold(0.0_f64, f64::max);
    let top = finite_max.max(budget_max) * 1.15;
    let root = SVGBackend::new(path, SIZE).into_drawing_area();
    root.fill(&WHITE)?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            format!("{name}: max ULP error per bin of x ({BINS} bins, {isa})"),
            ("sans-serif", 22),
        )
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(64)
        .build_cartesian_2d(sweep.0..sweep.1, 0.0..top)?;
    chart
        .configure_mesh()
        .x_desc("x")
        .y_desc("max error (ULP of the dtype)")
        .draw()?;
    for block in blocks {
        let c = dtype_colour(block.dtype);
        let style = c.stroke_width(2);
        let acc = block.accuracy_on(isa);
        for (i, run) in bin_runs(sweep, &acc.bins, top).into_iter().enumerate() {
            let drawn = chart.draw_series(LineSeries::new(run, style))?;
            if i == 0 {
                drawn
                    .label(format!("{} (max {:.3})", block.dtype.name(), acc.max_ulp))
                    .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], style));
            }
        }
        let budget = [(sweep.0, block.budget()), (sweep.1, block.budget())];
        chart
            .draw_series(DashedLineSeries::new(budget, 8, 6, c.stroke_width(1)))?
            .label(format!("{} budget {}", block.dtype.name(), block.budget()))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], c.stroke_width(1)));
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    root.present()?;
    Ok(())
}
