//! The machine the report runs on: CPU model, the ISAs of the crate it supports, its cores.

use simd_activations::{Isa, Kernels};

/// What the report says about this machine in its header.
#[derive(Clone, Debug)]
pub struct Machine {
    /// The CPU's model name (`/proc/cpuinfo` on Linux), if the OS gives one.
    pub model: Option<String>,
    /// The ISAs this CPU runs, `scalar` first, the widest last.
    pub isas: Vec<Isa>,
    /// The ISA the free functions use (`SIMD_ACTIVATIONS_ISA` or the widest).
    pub global: Isa,
    /// Logical cores available to this process.
    pub cores: usize,
}

impl Machine {
    /// Detects this machine.
    pub fn detect() -> Machine {
        Machine {
            model: model_name(),
            isas: Isa::available(),
            global: Kernels::global().isa(),
            cores: std::thread::available_parallelism().map_or(1, usize::from),
        }
    }

    /// `model, N logical cores`, with `unknown CPU` where the OS does not name it.
    pub fn describe(&self) -> String {
        format!(
            "{} ({} logical cores)",
            self.model.as_deref().unwrap_or("unknown CPU"),
            self.cores
        )
    }
}

/// The first `model name` (x86) or `Model` / `Hardware` (Arm) line of `/proc/cpuinfo`.
fn model_name() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines().find_map(|line| {
        let (key, value) = line.split_once(':')?;
        let key = key.trim();
        let value = value.trim();
        (matches!(key, "model name" | "Model" | "Hardware") && !value.is_empty())
            .then(|| value.to_string())
    })
}
