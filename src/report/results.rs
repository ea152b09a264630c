//! What one run measured, as the table, the JSON Lines and the charts read it.

use simd_activations::Isa;

use super::accuracy::Accuracy;
use super::dtype::Dtype;
use super::subject::Subject;
use super::throughput::Rate;

/// The bandwidth line at one dtype and size.
#[derive(Clone, Copy, Debug)]
pub struct Bandwidth {
    /// Element type copied.
    pub dtype: Dtype,
    /// Elements copied.
    pub size: usize,
    /// On one thread.
    pub single: Rate,
    /// Split over the `par` pool (f32 only, the one dtype with `par` measurements).
    pub parallel: Option<Rate>,
}

/// The bandwidth line of `dtype` at `size` (every size of the plan has one).
pub fn bandwidth_at(lines: &[Bandwidth], dtype: Dtype, size: usize) -> &Bandwidth {
    lines
        .iter()
        .find(|b| b.dtype == dtype && b.size == size)
        .expect("a bandwidth line is measured for every dtype and size of the plan")
}

/// One subject × dtype × ISA × size.
#[derive(Clone, Copy, Debug)]
pub struct Row {
    /// The ISA the kernels ran on.
    pub isa: Isa,
    /// Elements of output.
    pub size: usize,
    /// On one thread.
    pub single: Rate,
    /// `single` over the scalar path's one-thread rate.
    pub speedup: f64,
    /// The size the scalar path was measured at for `speedup` (`size`, or the cap below it).
    pub scalar_size: usize,
    /// With `par` on the pool (f32 only; `None` without `--threads` > 1).
    pub parallel: Option<Rate>,
}

/// Everything measured for one subject in one dtype.
#[derive(Clone, Debug)]
pub struct Block {
    /// The op.
    pub subject: Subject,
    /// The element type.
    pub dtype: Dtype,
    /// One per reported ISA, in the order of the plan.
    pub accuracy: Vec<Accuracy>,
    /// By ISA, then size.
    pub rows: Vec<Row>,
}

impl Block {
    /// The accuracy on `isa` (every reported ISA has one).
    pub fn accuracy_on(&self, isa: Isa) -> &Accuracy {
        self.accuracy
            .iter()
            .find(|a| a.isa == isa)
            .expect("accuracy is measured on every reported ISA")
    }

    /// The documented budget in ULP of the block's dtype.
    pub fn budget(&self) -> f64 {
        self.subject.budget(self.dtype)
    }
}
