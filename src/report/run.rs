//! The run: the bandwidth line, then every subject × dtype (accuracy, then throughput on every
//! ISA and size), each written out as soon as it is measured, a progress bar on stderr, the
//! charts, the total time.

use std::error::Error;
use std::io::{self, Write as _};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use rayon::{ThreadPool, ThreadPoolBuilder};
use simd_activations::{Isa, Kernels, bf16, f16};

use super::accuracy;
use super::cli::{Plan, SCALAR_MAX_SIZE};
use super::cpu::Machine;
use super::dtype::{Dtype, Elem};
use super::json::Json;
use super::output::{Context, Format};
use super::plot;
use super::results::{Bandwidth, Block, Row};
use super::subject::Subject;
use super::table::Table;
use super::throughput::{Buffers, Rate, copy_line};

/// How many times longer the bandwidth line is timed than each op (it is a divisor of many).
pub const BANDWIDTH_BUDGET: f64 = 4.0;

/// Every size `dtype` is timed at (the plan's and the scalar path's), ascending.
fn all_sizes(plan: &Plan, dtype: Dtype) -> Vec<usize> {
    let mut sizes = plan.sizes(dtype);
    sizes.extend(plan.scalar_sizes(dtype));
    sizes.sort_unstable();
    sizes.dedup();
    sizes
}

/// Whether `dtype` gets `par` measurements (the catalogue has `par` entries for f32 only).
fn parallel(plan: &Plan, dtype: Dtype) -> bool {
    plan.parallel() && dtype == Dtype::F32
}

/// Steps of the progress bar: each measurement and each accuracy sweep.
fn steps(plan: &Plan) -> u64 {
    let mut n = 0;
    for &dtype in &plan.dtypes {
        let per_run = 1 + usize::from(parallel(plan, dtype));
        n += all_sizes(plan, dtype).len() * per_run;
        let scalar_rows = if plan.isas.contains(&Isa::Scalar) {
            per_run
        } else {
            1
        };
        let simd = plan.isas.iter().filter(|&&i| i != Isa::Scalar).count();
        let per_subject = 1
            + plan.scalar_sizes(dtype).len() * scalar_rows
            + plan.sizes(dtype).len() * simd * per_run;
        n += plan.subjects.len() * per_subject;
    }
    n as u64
}

fn progress_bar(plan: &Plan) -> ProgressBar {
    let bar = ProgressBar::new(steps(plan));
    let style = ProgressStyle::with_template("{elapsed:>4} [{bar:30}] {pos}/{len} {msg}")
        .expect("a valid template")
        .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Writes `text` to stdout with the progress bar out of the way.
fn emit(bar: &ProgressBar, text: &str) -> io::Result<()> {
    bar.suspend(|| {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    })
}

fn bandwidth_lines(plan: &Plan, pool: &ThreadPool, bar: &ProgressBar) -> Vec<Bandwidth> {
    let mut lines = Vec::new();
    for &dtype in &plan.dtypes {
        for size in all_sizes(plan, dtype) {
            bar.set_message(format!("bandwidth line {} {}", dtype.name(), size));
            let pool = parallel(plan, dtype).then_some(pool);
            let line = match dtype {
                Dtype::F32 => line::<f32>(size, pool, plan, bar),
                Dtype::Bf16 => line::<bf16>(size, pool, plan, bar),
                Dtype::F16 => line::<f16>(size, pool, plan, bar),
            };
            lines.push(line);
        }
    }
    lines
}

/// The bandwidth line of `T` at `size`, timed [`BANDWIDTH_BUDGET`] times longer than the
/// measurements it is compared with.
fn line<T: Elem>(
    size: usize,
    pool: Option<&ThreadPool>,
    plan: &Plan,
    bar: &ProgressBar,
) -> Bandwidth {
    let budget = plan.budget.longer(BANDWIDTH_BUDGET);
    let single = copy_line::<T>(size, None, budget);
    bar.inc(1);
    let parallel = pool.map(|pool| {
        let rate = copy_line::<T>(size, Some(pool), budget);
        bar.inc(1);
        rate
    });
    Bandwidth {
        dtype: T::DTYPE,
        size,
        single,
        parallel,
    }
}

/// Everything about `subject` in `T`: the accuracy on every reported ISA, then the rows.
fn block<T: Elem>(plan: &Plan, subject: Subject, pool: &ThreadPool, bar: &ProgressBar) -> Block {
    let dtype = T::DTYPE;
    let label = format!("{} {}", subject.name(), dtype.name());
    bar.set_message(format!("{label}: accuracy"));
    let accuracy = accuracy::measure(subject, dtype, &plan.isas, plan.density);
    bar.inc(1);
    let sizes = plan.sizes(dtype);
    let scalar_sizes = plan.scalar_sizes(dtype);
    let par = parallel(plan, dtype);
    let scalar = Kernels::new(Isa::Scalar).expect("the scalar path is always available");
    let mut baseline: Vec<(usize, Rate)> = Vec::new();
    let mut rows = Vec::new();
    for size in all_sizes(plan, dtype) {
        let mut bufs = Buffers::<T>::new(subject, size);
        let mut time = |isa: Isa, k: Kernels, with_par: bool| {
            bar.set_message(format!("{label}: {isa} {size}"));
            let single = bufs.serial(k, plan.budget);
            bar.inc(1);
            let parallel = with_par
                .then(|| {
                    let rate = bufs.parallel(k, pool, plan.budget);
                    bar.inc(1);
                    rate
                })
                .flatten();
            (single, parallel)
        };
        if scalar_sizes.contains(&size) {
            let shown = plan.isas.contains(&Isa::Scalar);
            let (single, parallel) = time(Isa::Scalar, scalar, shown && par);
            baseline.push((size, single));
            if shown {
                rows.push(Row {
                    isa: Isa::Scalar,
                    size,
                    single,
                    speedup: 1.0,
                    scalar_size: size,
                    parallel,
                });
            }
        }
        if !sizes.contains(&size) {
            continue;
        }
        let scalar_size = size.min(SCALAR_MAX_SIZE);
        let (_, base) = *baseline
            .iter()
            .find(|(s, _)| *s == scalar_size)
            .expect("the scalar baseline of a size is timed before it");
        for &isa in plan.isas.iter().filter(|&&i| i != Isa::Scalar) {
            let k = Kernels::new(isa).expect("the plan holds available ISAs only");
            let (single, parallel) = time(isa, k, par);
            rows.push(Row {
                isa,
                size,
                single,
                speedup: single.gelem_per_s() / base.gelem_per_s(),
                scalar_size,
                parallel,
            });
        }
    }
    rows.sort_by_key(|r| (r.isa, r.size));
    Block {
        subject,
        dtype,
        accuracy,
        rows,
    }
}

/// Runs `plan`, writing the report to stdout; stops quietly when stdout is closed (`| head`).
pub fn run(plan: &Plan) -> Result<(), Box<dyn Error>> {
    let start = Instant::now();
    let machine = Machine::detect();
    let pool = ThreadPoolBuilder::new().num_threads(plan.threads).build()?;
    let bar = progress_bar(plan);
    let bandwidth = bandwidth_lines(plan, &pool, &bar);
    let ctx = Context {
        machine: &machine,
        plan,
        bandwidth: &bandwidth,
    };
    let format: &dyn Format = if plan.json { &Json } else { &Table };
    let mut blocks = Vec::new();
    let result = (|| -> io::Result<()> {
        emit(&bar, &format.header(&ctx))?;
        for &subject in &plan.subjects {
            for &dtype in &plan.dtypes {
                let b = match dtype {
                    Dtype::F32 => block::<f32>(plan, subject, &pool, &bar),
                    Dtype::Bf16 => block::<bf16>(plan, subject, &pool, &bar),
                    Dtype::F16 => block::<f16>(plan, subject, &pool, &bar),
                };
                emit(&bar, &format.block(&ctx, &b))?;
                blocks.push(b);
            }
        }
        Ok(())
    })();
    match result {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Ok(()),
        other => other?,
    }
    bar.set_message("charts");
    let charts = match &plan.plot {
        Some(dir) => plot::write(dir, &blocks, plan.threads)?,
        None => Vec::new(),
    };
    bar.finish_and_clear();
    match emit(&bar, &format.footer(&ctx, start.elapsed(), &charts)) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}
