//! The interface of the two output formats (the aligned table, JSON Lines): a header once the
//! bandwidth line is measured, a block per subject × dtype as soon as it is, a footer.

use std::path::PathBuf;
use std::time::Duration;

use super::cli::Plan;
use super::cpu::Machine;
use super::results::{Bandwidth, Block};

/// What every part of the output may refer to.
pub struct Context<'a> {
    /// This machine.
    pub machine: &'a Machine,
    /// What runs.
    pub plan: &'a Plan,
    /// The bandwidth lines of every dtype and size of the plan.
    pub bandwidth: &'a [Bandwidth],
}

/// An output format: each method returns the text to write to stdout.
pub trait Format {
    /// Before any block: the machine, the plan, the columns, the bandwidth line.
    fn header(&self, ctx: &Context) -> String;
    /// One subject × dtype.
    fn block(&self, ctx: &Context, block: &Block) -> String;
    /// After the last block: the wall time of the whole run and the charts written.
    fn footer(&self, ctx: &Context, elapsed: Duration, charts: &[PathBuf]) -> String;
}
