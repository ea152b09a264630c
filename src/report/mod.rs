//! The report binary's parts, one job each.

pub mod accuracy;
pub mod cli;
pub mod cpu;
pub mod dtype;
pub mod json;
pub mod output;
pub mod plot;
pub mod results;
pub mod run;
pub mod subject;
pub mod table;
pub mod throughput;
pub mod timing;
pub mod units;
