//! Wall-clock timing of one call: a calibrated number of calls per sample, the median of the
//! samples.

use std::time::Instant;

/// How long to spend on one measurement.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    /// Target wall time of all samples together, in seconds (a call longer than
    /// `seconds / max_samples` gets one call per sample and fewer samples).
    pub seconds: f64,
    /// Samples when calls are short.
    pub max_samples: usize,
    /// Samples however long a call is.
    pub min_samples: usize,
}

impl Budget {
    /// The default run: 9 samples of about 3 ms each, at least 3 samples.
    pub const FULL: Budget = Budget {
        seconds: 0.027,
        max_samples: 9,
        min_samples: 3,
    };

    /// `--quick`: 5 samples of about 0.6 ms each, at least 3.
    pub const QUICK: Budget = Budget {
        seconds: 0.003,
        max_samples: 5,
        min_samples: 3,
    };
}

impl Budget {
    /// `factor` times the time and about twice the samples (for the few measurements every
    /// other one is compared with).
    pub fn longer(self, factor: f64) -> Budget {
        Budget {
            seconds: self.seconds * factor,
            max_samples: 2 * self.max_samples + 1,
            min_samples: self.min_samples,
        }
    }
}

/// Seconds of `f()` run `reps` times.
fn time_reps(f: &mut impl FnMut(), reps: usize) -> f64 {
    let start = Instant::now();
    for _ in 0..reps {
        f();
    }
    start.elapsed().as_secs_f64()
}

/// Median seconds per call of `call`: one untimed warm-up call (caches, page faults), then the
/// calls per sample doubled until a batch lasts an eighth of a sample, then the samples (a call
/// longer than a sample is one sample on its own, the calibration call the first of them).
/// `call` must `black_box` its inputs and write a preallocated output.
pub fn median_seconds(budget: Budget, mut call: impl FnMut()) -> f64 {
    call();
    let per_sample = budget.seconds / budget.max_samples as f64;
    let mut reps = 1;
    let mut batch = time_reps(&mut call, reps);
    while batch < per_sample / 8.0 {
        reps *= 2;
        batch = time_reps(&mut call, reps);
    }
    let once = batch / reps as f64;
    let mut per_call = Vec::with_capacity(budget.max_samples);
    if once < per_sample {
        let reps = (per_sample / once).ceil() as usize;
        per_call.extend((0..budget.max_samples).map(|_| time_reps(&mut call, reps) / reps as f64));
    } else {
        let samples =
            ((budget.seconds / once) as usize).clamp(budget.min_samples, budget.max_samples);
        per_call.push(once);
        per_call.extend((1..samples).map(|_| time_reps(&mut call, 1)));
    }
    per_call.sort_by(f64::total_cmp);
    per_call[per_call.len() / 2]
}
