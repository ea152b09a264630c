//! Helpers shared by the integration tests: the per-op function tables the catalogue does not
//! carry (in place, free functions), f32 input sets described as runs of bit patterns, and
//! parallel block iteration over them.
#![allow(dead_code)] // every test binary uses a different subset

pub mod placement;

use std::io::Write as _;
use std::ops::Range;

use simd_activations::catalogue::OpSpec;
use simd_activations::{Isa, Kernels};

/// Elements per parallel block of the dense sweeps.
pub const BLOCK: u64 = 1 << 16;

/// Writes a line to the real stderr, bypassing libtest's output capture, so that notes about
/// what could not be checked on this machine show in a plain `cargo test` run.
pub fn note(msg: &str) {
    let _ = writeln!(std::io::stderr(), "{msg}");
}

/// `SIMD_ACTIVATIONS_TEST_ISAS=a,b`: the suite checks only these ISAs (of those the CPU has).
/// For emulated runs, where the one-lane scalar path under an emulated NEON costs minutes and
/// the scalar fallback has its own run on an x86 CPU without AVX2.
pub const TEST_ISAS_VAR: &str = "SIMD_ACTIVATIONS_TEST_ISAS";
/// `SIMD_ACTIVATIONS_TEST_THIN=N`: the dense sweeps check every N-th of their inputs (default 1,
/// all of them). For emulated runs, which are 50 to 100 times slower than the host.
pub const TEST_THIN_VAR: &str = "SIMD_ACTIVATIONS_TEST_THIN";

/// The ISAs under test: every ISA this CPU has (`Scalar` first), or those of them named by
/// `SIMD_ACTIVATIONS_TEST_ISAS` (a note says so; an unknown name panics).
pub fn test_isas() -> Vec<Isa> {
    let available = Isa::available();
    let Ok(list) = std::env::var(TEST_ISAS_VAR) else {
        return available;
    };
    let wanted: Vec<Isa> = list
        .split(',')
        .map(|name| {
            name.parse()
                .unwrap_or_else(|e| panic!("{TEST_ISAS_VAR}={list}: {e}"))
        })
        .collect();
    let chosen: Vec<Isa> = available
        .into_iter()
        .filter(|isa| wanted.contains(isa))
        .collect();
    note_once(&format!(
        "NOTE: {TEST_ISAS_VAR}={list}: testing only [{}]",
        chosen
            .iter()
            .map(|i| i.name())
            .collect::<Vec<_>>()
            .join(", ")
    ));
    chosen
}

/// The thinning factor of the dense sweeps: `SIMD_ACTIVATIONS_TEST_THIN`, default 1 (a note
/// says when it is not 1; anything but a positive integer panics).
pub fn thin() -> u64 {
    let Ok(v) = std::env::var(TEST_THIN_VAR) else {
        return 1;
    };
    let n: u64 = v
        .parse()
        .ok()
        .filter(|&n| n > 0)
        .unwrap_or_else(|| panic!("{TEST_THIN_VAR}={v}: expected a positive integer"));
    if n > 1 {
        note_once(&format!(
            "NOTE: {TEST_THIN_VAR}={n}: dense sweeps check every {n}-th input (reduced run)"
        ));
    }
    n
}

/// [`note`], once per process and message.
fn note_once(msg: &str) {
    static SEEN: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());
    let mut seen = SEEN
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !seen.iter().any(|m| m == msg) {
        note(msg);
        seen.push(msg.to_string());
    }
}

/// Kernels for every ISA under test ([`test_isas`], `Scalar` first).
pub fn all_kernels() -> Vec<Kernels> {
    test_isas()
        .into_iter()
        .map(|isa| Kernels::new(isa).expect("an available ISA builds"))
        .collect()
}

/// The SIMD ISAs (everything but `Scalar`) under test.
pub fn simd_isas() -> Vec<Isa> {
    test_isas()
        .into_iter()
        .filter(|&isa| isa != Isa::Scalar)
        .collect()
}

/// The default value of the parameter `name` of `op`.
pub fn param_default(op: &OpSpec, name: &str) -> f32 {
    op.params
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("op {} has no parameter {name}", op.name))
        .default
}

/// `Kernels::NAME_inplace` with the op's default parameters (from the catalogue).
pub fn inplace_fn(name: &str) -> fn(Kernels, &mut [f32]) {
    op(name).eval_inplace_f32
}

/// An in-place free function.
pub type InPlace = fn(&mut [f32]);
/// An out-of-place free function.
pub type OutOfPlace = fn(&[f32], &mut [f32]);

/// The free functions of one op (which run on `Kernels::global()`), default parameters.
pub struct FreeFns {
    pub inplace: InPlace,
    pub out_of_place: OutOfPlace,
}

/// The free functions `simd_activations::NAME{,_inplace}` (from the catalogue).
pub fn free_fns(name: &str) -> FreeFns {
    let op = op(name);
    FreeFns {
        inplace: op.free_inplace_f32,
        out_of_place: op.free_f32,
    }
}

fn op(name: &str) -> &'static OpSpec {
    OpSpec::find(name).unwrap_or_else(|| panic!("no op {name} in the catalogue"))
}

/// `n` inputs spread over `[lo, hi]` in a scrambled order, with special values (zeros, NaN,
/// infinities, a subnormal, a large negative) at every 11th place; `seed` shifts both, so that
/// several input streams of one test differ.
pub fn scrambled_inputs(n: usize, lo: f64, hi: f64, seed: usize) -> Vec<f32> {
    let specials = [
        0.0,
        -0.0,
        f32::NAN,
        f32::INFINITY,
        -f32::INFINITY,
        1e-40,
        -1e30,
    ];
    (0..n)
        .map(|i| {
            if (i + seed) % 11 == 5 {
                specials[((i + seed) / 11) % specials.len()]
            } else {
                let t = ((i * 7919 + seed * 104_729) % n) as f64 / n as f64;
                (lo + (hi - lo) * t) as f32
            }
        })
        .collect()
}

/// `a.to_bits() == b.to_bits()` for whole slices; on mismatch, the first differing index.
pub fn first_bit_difference(a: &[f32], b: &[f32]) -> Option<usize> {
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .position(|(x, y)| x.to_bits() != y.to_bits())
}

/// The smallest f32 `>= v`.
pub fn f32_at_least(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) < v { f.next_up() } else { f }
}

/// The largest f32 `<= v`.
pub fn f32_at_most(v: f64) -> f32 {
    let f = v as f32;
    if f64::from(f) > v { f.next_down() } else { f }
}

/// Bit patterns `first, first + step, …` (`len` of them).
#[derive(Clone, Copy, Debug)]
pub struct Run {
    pub first: u32,
    pub step: i64,
    pub len: u64,
}

impl Run {
    fn bits(&self, i: u64) -> u32 {
        (i64::from(self.first) + self.step * i as i64) as u32
    }
}

/// A sequence of f32 inputs made of runs of bit patterns, indexed `0..len()`.
#[derive(Clone, Debug, Default)]
pub struct Seq {
    runs: Vec<Run>,
}

impl Seq {
    pub fn len(&self) -> u64 {
        self.runs.iter().map(|r| r.len).sum()
    }

    pub fn push(&mut self, run: Run) {
        if run.len > 0 {
            self.runs.push(run);
        }
    }

    pub fn then(mut self, other: Seq) -> Seq {
        self.runs.extend(other.runs);
        self
    }

    /// Every `stride`-th bit pattern (multiples of `stride`) that is a finite f32, sorted by
    /// value: the negative ones from the most negative up, then the positive ones.
    pub fn finite_stride(stride: u32) -> Seq {
        let s = u64::from(stride);
        let max_pos = u64::from(f32::MAX.to_bits());
        let (neg_lo, neg_hi) = (0x8000_0000u64, u64::from(f32::MIN.to_bits()));
        let kmin = neg_lo.div_ceil(s);
        let kmax = neg_hi / s;
        let mut seq = Seq::default();
        seq.push(Run {
            first: (kmax * s) as u32,
            step: -i64::from(stride),
            len: kmax + 1 - kmin,
        });
        seq.push(Run {
            first: 0,
            step: i64::from(stride),
            len: max_pos / s + 1,
        });
        seq
    }

    /// Every f32 in `[lo, hi]` whose magnitude is in `[mag_lo, mag_hi]` (`mag_lo > 0`), sorted
    /// by value.
    pub fn interval(lo: f64, hi: f64, mag_lo: f64, mag_hi: f64) -> Seq {
        let mut seq = Seq::default();
        // negative part: values in [max(lo, -mag_hi), min(hi, -mag_lo)], ascending = bits descending
        let (a, b) = (lo.max(-mag_hi), hi.min(-mag_lo));
        if a <= b {
            let (a, b) = (f32_at_least(a), f32_at_most(b));
            if a <= b {
                seq.push(Run {
                    first: a.to_bits(),
                    step: -1,
                    len: u64::from(a.to_bits() - b.to_bits()) + 1,
                });
            }
        }
        let (a, b) = (lo.max(mag_lo), hi.min(mag_hi));
        if a <= b {
            let (a, b) = (f32_at_least(a), f32_at_most(b));
            if a <= b {
                seq.push(Run {
                    first: a.to_bits(),
                    step: 1,
                    len: u64::from(b.to_bits() - a.to_bits()) + 1,
                });
            }
        }
        seq
    }

    /// Every NaN bit pattern (both signs, quiet and signalling).
    pub fn all_nans() -> Seq {
        let mut seq = Seq::default();
        for sign in [0u32, 0x8000_0000] {
            seq.push(Run {
                first: sign | 0x7f80_0001,
                step: 1,
                len: (1 << 23) - 1,
            });
        }
        seq
    }

    /// Every [`thin()`]-th input of each run (all of them by default).
    pub fn thinned(self) -> Seq {
        let n = thin();
        Seq {
            runs: self
                .runs
                .into_iter()
                .map(|r| Run {
                    first: r.first,
                    step: r.step * n as i64,
                    len: r.len.div_ceil(n),
                })
                .collect(),
        }
    }

    /// Appends the inputs with indices in `range` to `out`.
    pub fn fill(&self, range: Range<u64>, out: &mut Vec<f32>) {
        let mut base = 0;
        for run in &self.runs {
            let (lo, hi) = (
                range.start.max(base) - base,
                range.end.min(base + run.len).saturating_sub(base),
            );
            out.extend((lo..hi).map(|i| f32::from_bits(run.bits(i))));
            base += run.len;
        }
    }

    /// The inputs with indices in `range`.
    pub fn get(&self, range: Range<u64>) -> Vec<f32> {
        let mut v = Vec::with_capacity((range.end - range.start) as usize);
        self.fill(range, &mut v);
        v
    }

    /// Index ranges of at most `BLOCK` inputs covering the sequence; with `overlap`, each range
    /// but the last also holds the first index of the next one (for checks on neighbours).
    pub fn blocks(&self, overlap: bool) -> Vec<Range<u64>> {
        let n = self.len();
        (0..n.div_ceil(BLOCK))
            .map(|b| {
                let end = ((b + 1) * BLOCK + u64::from(overlap)).min(n);
                b * BLOCK..end
            })
            .collect()
    }
}

/// The catalogue's "tight region" of an op: its sweep interval with `2^-3 <= |x| <= 2^7`.
pub fn sweep_region(op: &OpSpec) -> Seq {
    Seq::interval(op.sweep.0, op.sweep.1, 0.125, 128.0)
}

/// `f32::to_bits` as hex, with the value.
pub fn show(x: f32) -> String {
    format!("{x:e} (0x{:08x})", x.to_bits())
}
