//! Accuracy and shape of every op of the catalogue on every ISA of this CPU, generated from
//! `catalogue::OPS` (a new op is covered without touching this file):
//!
//! - max ULP error against the op's f64 `reference` within its `ulp_f32` budget, over (a) every
//!   61st f32 bit pattern of the whole finite range and (b) every f32 of the op's `sweep` interval
//!   with magnitude in [2^-3, 2^7] (the tight region);
//! - every NaN bit pattern gives NaN;
//! - (c) outputs within the op's `range`; (d) monotone ops non-decreasing over consecutive inputs
//!   (sorted by value) of both input sets; (e) odd ops exactly odd (`f(-x) == -f(x)` bitwise).
//!
//! Cost: the tight region holds 67 M (relu) to 160 M (exp) inputs per op; the f64 reference is
//! computed once per input and shared by the ISAs. The scalar fallback runs the same generic
//! bodies as the SIMD ISAs, but its `f32::mul_add` is a libm call: on every input it took 233 s
//! of this file's 280 s (the AVX2 share: 48 s; Xeon, 2 cores, 2026-12-06). So in a full run it
//! is checked on every [`SCALAR_STRIDE`]-th input of each set (still millions per op), and
//! `tests/identity.rs` holds it to the SIMD ISAs' bits; the Westmere stage of `.ci/run` runs
//! this file on the real software-FMA fallback, reduced. `SIMD_ACTIVATIONS_TEST_THIN=N`
//! (emulated runs) checks every N-th input of each set on every ISA instead.

mod common;

use std::borrow::Cow;
use std::cmp::Ordering::{Equal, Less};
use std::fmt::Write as _;

use common::{Seq, all_kernels, show, sweep_region};
use rayon::prelude::*;
use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::ulp_distance;
use simd_activations::{Isa, Kernels};

/// The stride of the whole-range sample (every 61st bit pattern: 70 M finite inputs).
const STRIDE: u32 = 61;

/// The scalar fallback's sample of each input set in a full run (see the file header); a
/// divisor of `common::BLOCK`, so that the one-input overlap of the blocks is kept.
const SCALAR_STRIDE: usize = 16;
const _: () = assert!(common::BLOCK.is_multiple_of(SCALAR_STRIDE as u64));

/// Every how many inputs of a set `k` is checked on: [`SCALAR_STRIDE`] for the scalar fallback
/// in a full run, 1 otherwise (a reduced run has thinned the sets already).
fn sample_stride(k: Kernels) -> usize {
    if k.isa() == Isa::Scalar && common::thin() == 1 {
        SCALAR_STRIDE
    } else {
        1
    }
}

/// The inputs of the block `x` that `k` is checked on (see [`sample_stride`]).
fn sample(k: Kernels, x: &[f32]) -> Cow<'_, [f32]> {
    match sample_stride(k) {
        1 => Cow::Borrowed(x),
        stride => Cow::Owned(x.iter().step_by(stride).copied().collect()),
    }
}

/// Runs `check` on the inputs of `seq` in parallel blocks (overlapping by one input when
/// `overlap`), combining the per-block results left to right with `merge`.
fn par_blocks<T: Send>(
    seq: &Seq,
    overlap: bool,
    check: impl Fn(&[f32]) -> T + Sync + Send,
    merge: impl Fn(T, T) -> T + Sync + Send,
) -> Option<T> {
    seq.blocks(overlap)
        .into_par_iter()
        .map(|r| check(&seq.get(r)))
        .reduce_with(merge)
}

/// Output of `op` on `k` for `x`.
fn eval(op: &OpSpec, k: Kernels, x: &[f32]) -> Vec<f32> {
    let mut y = vec![0.0; x.len()];
    (op.eval_f32)(k, x, &mut y);
    y
}

// ---------------------------------------------------------------- ULP

#[derive(Clone, Copy, Debug)]
struct UlpStats {
    checked: u64,
    over: u64,
    max_ulp: f64,
    worst: f32,
    worst_got: f32,
}

impl UlpStats {
    const EMPTY: UlpStats = UlpStats {
        checked: 0,
        over: 0,
        max_ulp: -1.0,
        worst: f32::NAN,
        worst_got: f32::NAN,
    };

    /// `self` then `later`: the first input wins ties, so the report is deterministic.
    fn merge(self, later: UlpStats) -> UlpStats {
        let keep_self = self.max_ulp >= later.max_ulp;
        let w = if keep_self { self } else { later };
        UlpStats {
            checked: self.checked + later.checked,
            over: self.over + later.over,
            ..w
        }
    }
}

/// Max ULP error of every op on every ISA over `inputs(op)` (finite inputs only); panics with a
/// table of every op and ISA if any exceeds its budget.
fn ulp_check(what: &str, inputs: impl Fn(&OpSpec) -> Seq) {
    let kernels = all_kernels();
    let mut table = String::new();
    let mut failures = Vec::new();
    for op in OPS {
        let seq = inputs(op);
        assert!(seq.len() > 0, "{}: empty input set for {what}", op.name);
        let per_isa = par_blocks(
            &seq,
            false,
            |x| {
                // the reference is the expensive part: once per input, shared by the ISAs
                let exact: Vec<f64> = x.iter().map(|&v| (op.reference)(f64::from(v))).collect();
                kernels
                    .iter()
                    .map(|&k| {
                        let x = sample(k, x);
                        let exact = exact.iter().step_by(sample_stride(k));
                        let y = eval(op, k, &x);
                        let mut s = UlpStats::EMPTY;
                        for ((&xi, &yi), &e) in x.iter().zip(&y).zip(exact) {
                            if !xi.is_finite() {
                                continue;
                            }
                            let d = ulp_distance(yi, e);
                            s.checked += 1;
                            s.over += u64::from(d > op.ulp_f32);
                            if d > s.max_ulp {
                                (s.max_ulp, s.worst, s.worst_got) = (d, xi, yi);
                            }
                        }
                        s
                    })
                    .collect::<Vec<_>>()
            },
            |a, b| a.into_iter().zip(b).map(|(a, b)| a.merge(b)).collect(),
        )
        .expect("non-empty input set");
        for (k, s) in kernels.iter().zip(per_isa) {
            let bad = s.over > 0;
            let line = format!(
                "{} {:<10} {:<7} max {:>9.4} ULP (budget {}) at x = {} -> {} (exact {:e}); {} of {} inputs over budget",
                if bad { "FAIL" } else { "ok  " },
                op.name,
                k.isa().name(),
                s.max_ulp,
                op.ulp_f32,
                show(s.worst),
                show(s.worst_got),
                (op.reference)(f64::from(s.worst)),
                s.over,
                s.checked,
            );
            writeln!(table, "{line}").unwrap();
            if bad {
                failures.push(line);
            }
        }
    }
    assert!(
        failures.is_empty(),
        "ULP budget exceeded over {what} ({} op/ISA pairs):\n{}\n\nall ops:\n{table}",
        failures.len(),
        failures.join("\n")
    );
}

/// (a) Every 61st f32 bit pattern over the whole finite range (70 M inputs per op and SIMD ISA).
#[test]
fn ulp_whole_range_stride_61() {
    ulp_check("every 61st finite f32 bit pattern", |_| {
        Seq::finite_stride(STRIDE).thinned()
    });
}

/// (b) Every f32 of the op's sweep interval with magnitude in [2^-3, 2^7] (every bit pattern:
/// 67 M to 160 M inputs per op; every 16th of them on the scalar fallback).
#[test]
fn ulp_sweep_region() {
    ulp_check(
        "every f32 of the sweep interval with 2^-3 <= |x| <= 2^7",
        |op| sweep_region(op).thinned(),
    );
}

// ---------------------------------------------------------------- NaN

/// Every NaN bit pattern (both signs, quiet and signalling payloads) gives a NaN.
#[test]
fn nan_inputs_give_nan() {
    let seq = Seq::all_nans().thinned();
    let mut failures = Vec::new();
    for op in OPS {
        for k in all_kernels() {
            let bad = par_blocks(
                &seq,
                false,
                |x| {
                    let x = &sample(k, x);
                    let y = eval(op, k, x);
                    let first = x.iter().zip(&y).find(|(_, y)| !y.is_nan());
                    (
                        y.iter().filter(|y| !y.is_nan()).count(),
                        first.map(|(&a, &b)| (a, b)),
                    )
                },
                |a, b| (a.0 + b.0, a.1.or(b.1)),
            )
            .unwrap();
            if let (n, Some((x, y))) = bad {
                failures.push(format!(
                    "{} on {}: {n} NaN inputs give a non-NaN, e.g. {} -> {}",
                    op.name,
                    k.isa(),
                    show(x),
                    show(y)
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------- shape

/// Both input sets of the shape checks, each sorted by value.
fn shape_inputs(op: &OpSpec) -> [(&'static str, Seq); 2] {
    [
        ("sweep region", sweep_region(op).thinned()),
        (
            "every 61st finite f32",
            Seq::finite_stride(STRIDE).thinned(),
        ),
    ]
}

/// (c) Ops with a `range`: every output for a finite input lies in it (NaN does not).
#[test]
fn outputs_within_range() {
    let mut failures = Vec::new();
    let mut checked_ops = 0;
    for op in OPS {
        let Some((lo, hi)) = op.range else { continue };
        checked_ops += 1;
        for k in all_kernels() {
            for (set, seq) in shape_inputs(op) {
                let outside = |y: f32| !(f64::from(y) >= lo && f64::from(y) <= hi);
                let (n, first) = par_blocks(
                    &seq,
                    false,
                    |x| {
                        let x = &sample(k, x);
                        let y = eval(op, k, x);
                        let bad = || x.iter().zip(&y).filter(|(_, y)| outside(**y));
                        (bad().count(), bad().next().map(|(&a, &b)| (a, b)))
                    },
                    |a, b| (a.0 + b.0, a.1.or(b.1)),
                )
                .unwrap();
                if let Some((x, y)) = first {
                    failures.push(format!(
                        "{} on {} ({set}): {n} outputs outside [{lo}, {hi}], e.g. {} -> {}",
                        op.name,
                        k.isa(),
                        show(x),
                        show(y)
                    ));
                }
            }
        }
    }
    assert!(checked_ops > 0, "no op of the catalogue has a range");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (d) Monotone ops: `f(x_i) <= f(x_(i+1))` for consecutive inputs sorted by value, over the
/// sweep region and over the stride-61 sample.
#[test]
fn monotone_ops_are_non_decreasing() {
    let mut failures = Vec::new();
    let mut checked_ops = 0;
    for op in OPS.iter().filter(|op| op.monotone) {
        checked_ops += 1;
        for k in all_kernels() {
            for (set, seq) in shape_inputs(op) {
                // blocks overlap by one input, so every consecutive pair is inside one block
                let (n, first) = par_blocks(
                    &seq,
                    true,
                    |x| {
                        let x = &sample(k, x);
                        let y = eval(op, k, x);
                        // a NaN for a finite input counts as a drop too
                        let drops = || {
                            (1..x.len()).filter(|&i| {
                                !matches!(y[i - 1].partial_cmp(&y[i]), Some(Less | Equal))
                            })
                        };
                        let first = drops().next().map(|i| (x[i - 1], y[i - 1], x[i], y[i]));
                        (drops().count(), first)
                    },
                    |a, b| (a.0 + b.0, a.1.or(b.1)),
                )
                .unwrap();
                if let Some((x0, y0, x1, y1)) = first {
                    failures.push(format!(
                        "{} on {} ({set}): decreases {n} times, e.g. f({}) = {} > f({}) = {}",
                        op.name,
                        k.isa(),
                        show(x0),
                        show(y0),
                        show(x1),
                        show(y1)
                    ));
                }
            }
        }
    }
    assert!(checked_ops > 0, "no op of the catalogue is monotone");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// (e) Odd ops: `f(-x).to_bits() == (-f(x)).to_bits()` over both input sets.
#[test]
fn odd_ops_are_exactly_odd() {
    let mut failures = Vec::new();
    let mut checked_ops = 0;
    for op in OPS.iter().filter(|op| op.odd) {
        checked_ops += 1;
        for k in all_kernels() {
            for (set, seq) in shape_inputs(op) {
                let (n, first) = par_blocks(
                    &seq,
                    false,
                    |x| {
                        let x = &sample(k, x);
                        let neg: Vec<f32> = x.iter().map(|&v| -v).collect();
                        let (y, z) = (eval(op, k, x), eval(op, k, &neg));
                        let bad = || (0..x.len()).filter(|&i| z[i].to_bits() != (-y[i]).to_bits());
                        (bad().count(), bad().next().map(|i| (x[i], y[i], z[i])))
                    },
                    |a, b| (a.0 + b.0, a.1.or(b.1)),
                )
                .unwrap();
                if let Some((x, y, z)) = first {
                    failures.push(format!(
                        "{} on {} ({set}): {n} inputs with f(-x) != -f(x), e.g. f({}) = {} but f({}) = {}",
                        op.name,
                        k.isa(),
                        show(x),
                        show(y),
                        show(-x),
                        show(z)
                    ));
                }
            }
        }
    }
    assert!(checked_ops > 0, "no op of the catalogue is odd");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------- the input sets themselves

/// The input sets hold what the tests above claim: finite, sorted by value, the right sizes,
/// the sweep region inside the sweep interval and the magnitude window, with both ends there.
#[test]
fn input_sets_are_what_they_claim() {
    if common::thin() > 1 {
        // They are the same on every machine; a reduced run need not walk their 1.1 G inputs.
        common::note("SKIPPED (accuracy): input-set self-check, reduced run");
        return;
    }
    let check_sorted_finite = |name: &str, seq: &Seq| {
        let ok = par_blocks(
            seq,
            true,
            |x| {
                x.iter().all(|v| v.is_finite())
                    && x.windows(2).all(|w| {
                        w[0] < w[1] || (w[0] == 0.0 && w[1] == 0.0 && w[0].is_sign_negative())
                    })
            },
            |a, b| a && b,
        );
        assert_eq!(ok, Some(true), "{name}: not finite and strictly increasing");
    };

    let stride = Seq::finite_stride(STRIDE);
    // finite bit patterns: 2^32 minus the 2^24 with an all-ones exponent
    let finite = (1u64 << 32) - (1 << 24);
    assert!(stride.len().abs_diff(finite / u64::from(STRIDE)) <= 2);
    let multiples = par_blocks(
        &stride,
        false,
        |x| x.iter().all(|v| v.to_bits() % STRIDE == 0),
        |a, b| a && b,
    );
    assert_eq!(multiples, Some(true));
    let ends = (
        stride.get(0..1)[0],
        stride.get(stride.len() - 1..stride.len())[0],
    );
    assert!(ends.0 < -3.0e38 && ends.1 > 3.0e38, "{ends:?}");
    check_sorted_finite("stride 61", &stride);

    for op in OPS {
        let seq = sweep_region(op);
        let (lo, hi) = op.sweep;
        assert!(seq.len() > 0, "{}: empty sweep region", op.name);
        // inside the interval and the magnitude window, and consecutive inputs are adjacent f32
        // (no gaps) except across the hole around zero
        let ok = par_blocks(
            &seq,
            true,
            |x| {
                let inside = x.iter().all(|&v| {
                    let (v, a) = (f64::from(v), f64::from(v.abs()));
                    v >= lo && v <= hi && (0.125..=128.0).contains(&a)
                });
                let gaps = x
                    .windows(2)
                    .filter(|w| w[0].next_up() != w[1] && !(w[0] < 0.0 && w[1] > 0.0))
                    .count();
                inside && gaps == 0
            },
            |a, b| a && b,
        );
        assert_eq!(
            ok,
            Some(true),
            "{}: sweep region leaves [{lo}, {hi}], the magnitude window or has gaps",
            op.name
        );
        // both ends are reached: nothing in the window is left out at the edges
        let first = seq.get(0..1)[0];
        let last = seq.get(seq.len() - 1..seq.len())[0];
        assert!(
            f64::from(first.next_down()) < lo.max(-128.0) || first == 0.125,
            "{}: sweep region starts at {first}",
            op.name
        );
        assert!(
            f64::from(last.next_up()) > hi.min(128.0) || last == -0.125,
            "{}: sweep region ends at {last}",
            op.name
        );
        check_sorted_finite(op.name, &seq);
    }

    let nans = Seq::all_nans();
    assert_eq!(nans.len(), (1 << 24) - 2);
    assert!(nans.get(0..nans.len()).iter().all(|v| v.is_nan()));
}
