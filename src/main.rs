//! `cargo run --release -- [options]`: the throughput and accuracy report of every kernel of the
//! catalogue on this CPU (`--help` for the options, the columns and the JSON fields).
//!
//! For every op (unary, backward, gated, row-wise) × element type × available ISA × size it
//! times one thread and, for f32, `par` on a rayon pool, next to the bandwidth line of the same
//! run, and measures the max ULP error on a dense sweep; an aligned table (or JSON Lines with
//! `--json`, the fields documented in [`report::json`]) on stdout, a progress bar on stderr, SVG
//! charts with `--plot DIR`.

mod report;

use std::process::ExitCode;

fn main() -> ExitCode {
    let plan = report::cli::Plan::from_command_line();
    match report::run::run(&plan) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
