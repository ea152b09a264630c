//! Max ULP error of every subject on every ISA against the catalogue's f64 references, on dense
//! input sets: computed once per op × dtype × ISA (not per size), the reference once per op ×
//! dtype and shared by the ISAs.
//!
//! - unary: f32 over three sets of `density.points` inputs each (a uniform grid over the op's
//!   sweep, evenly spaced bit patterns within the sweep, evenly spaced bit patterns of all finite
//!   f32) plus zeros and extremes; bf16 and f16 over every one of the 65 536 bit patterns.
//! - backward: the same inputs with `grad_out` cycling through [`GRADS`], measured where the
//!   catalogue's budget is in ULP (`BackwardSpec::counts_in_ulp`, as `tests/backward.rs`): f'
//!   and `grad_out · f'` normal numbers of the type, `x` farther than `near_zero` from a zero of
//!   f'.
//! - gated: a 2-D grid, gates (evenly spaced bit patterns and a uniform grid over the op's
//!   sweep in f32, every pattern in bf16/f16) × the 24 ups of [`ups`], measured where the
//!   activation itself (`up = 1`) is a normal f32 (`GatedSpec::counts_in_ulp`, as
//!   `tests/gated.rs`).
//! - gated backward: the same gates × the 7 ups of [`BACKWARD_UPS`], `grad_out` cycling through
//!   [`GATED_GRADS`], both outputs, measured where they count in ULP
//!   (`GatedBackwardSpec::counts_in_ulp`, as `tests/gated_backward.rs`).
//! - rowwise: a few rows of widths 1 to 4096 and five logit distributions, every output.
//! - rowwise backward: the forward's outputs of rows of widths 1 to 4096 (logits and gradients
//!   at three scales, as `tests/softmax_backward.rs`), measured where
//!   the row reduction's absolute term is at most one ULP (`RowBackwardSpec::counts_in_ulp`).
//! - sliced: prelu and rational on the unary inputs over leaky_relu's sweep (prelu in rows of
//!   [`PRELU_CHANNELS`] slopes; rational, which approximates leaky_relu, with its default
//!   coefficients, measured where its documented rounding bound is within the budget, i.e.
//!   where the terms of its polynomials do not cancel); smooth_swiglu as the gated ops, in rows
//!   of [`SMOOTH_SWIGLU_CHANNELS`] scales of magnitudes 1e-3 to 1e3, measured where silu(gate)
//!   and `up · scale` (which the kernel rounds to f32 first) are normal f32. Their backward
//!   passes on the same inputs with `grad_out` cycling through [`GRADS`]: `grad_in` of
//!   prelu_backward wherever the exact value is within the type's range, of rational_backward where its absolute term (cancellation) is
//!   at most a quarter ULP and `x` is off the kink of `|A|` (as `tests/rational_backward.rs`).

use rayon::prelude::*;
use simd_activations::catalogue::cores::{RATIONAL_LEAKY_B, RATIONAL_LEAKY_P};
use simd_activations::catalogue::{
    BackwardSpec, GatedBackwardSpec, GatedSpec, OpSpec, RowBackwardSpec, RowSpec,
};
use simd_activations::reference;
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Isa, Kernels, bf16, f16};

use super::dtype::{Dtype, Elem};
use super::subject::{Sliced, Subject};

/// Bins of the input range for the per-bin error of one-input ops (the ULP charts).
pub const BINS: usize = 160;

/// Gradients the backward passes are checked with (those of `tests/backward.rs` that keep the
/// result a normal number).
const GRADS: [f32; 4] = [1.0, -0.37, 3.5e4, -2.0e-3];

/// Ups of the gated backward passes, each paired with every gate (those of
/// `tests/gated_backward.rs`).
const BACKWARD_UPS: [f32; 7] = [1.0, -2.5, 0.37, 7.0, -1.0e3, 3.0e-5, 6.5];

/// Gradients of the gated backward passes, cycling over the gates (those of
/// `tests/gated_backward.rs`).
const GATED_GRADS: [f32; 5] = [1.0, -0.37, 3.5e4, -2.0e-3, 1.0e-20];

/// Channels (slopes) of a prelu row: an odd count, so rows end in a vector tail.
const PRELU_CHANNELS: usize = 17;

/// Channels (scales) of a smooth_swiglu row.
const SMOOTH_SWIGLU_CHANNELS: usize = 33;

/// Ups every gate is paired with: signed zeros and ones, magnitudes from 6e-42 to 1e20, and
/// twelve values spread over [-8, 8] (those of `tests/gated.rs`).
fn ups() -> Vec<f32> {
    let mut v = vec![
        0.0, -0.0, 1.0, -1.0, 0.5, 3.75, -7.0, 1e-3, -2.5e-20, 1e20, 1e-38, 6e-42,
    ];
    v.extend((1..=12).map(|i| (i as f32 * 0.618_034).fract() * 16.0 - 8.0));
    v
}

/// How many inputs the sweeps take.
#[derive(Clone, Copy, Debug)]
pub struct Density {
    /// Inputs of each of the three f32 sets of a one-input op.
    pub points: usize,
    /// Gates of each of the two f32 gate sets of a gated op.
    pub gates: usize,
}

impl Density {
    /// The default run: 3 × 2^18 f32 inputs per unary op, 2 × 2^14 f32 gates.
    pub const FULL: Density = Density {
        points: 1 << 18,
        gates: 1 << 14,
    };
    /// `--quick`: 3 × 2^15 inputs, 2 × 2^11 gates.
    pub const QUICK: Density = Density {
        points: 1 << 15,
        gates: 1 << 11,
    };
}

/// The accuracy of one subject × dtype on one ISA.
#[derive(Clone, Debug)]
pub struct Accuracy {
    /// The ISA the outputs came from.
    pub isa: Isa,
    /// Largest error in ULP of the dtype over the measured points.
    pub max_ulp: f64,
    /// Where it occurred: named input coordinates (`x`, `grad`, `gate`, `up`, `width`).
    pub worst: Vec<(&'static str, f64)>,
    /// Outputs compared.
    pub points: usize,
    /// One-input ops: max ULP per bin of `x` over the op's sweep ([`BINS`] bins, NaN where no
    /// input fell); empty otherwise.
    pub bins: Vec<f64>,
}

/// Running maximum of one ISA's errors.
struct Tracker {
    acc: Accuracy,
    sweep: Option<(f64, f64)>,
}

impl Tracker {
    fn new(isa: Isa, sweep: Option<(f64, f64)>) -> Tracker {
        let bins = if sweep.is_some() {
            vec![f64::NAN; BINS]
        } else {
            Vec::new()
        };
        Tracker {
            acc: Accuracy {
                isa,
                max_ulp: 0.0,
                worst: Vec::new(),
                points: 0,
                bins,
            },
            sweep,
        }
    }

    /// Counts `err` at the input `at`; a one-input op's bin is that of its first coordinate, x.
    fn record(&mut self, err: f64, at: &[(&'static str, f64)]) {
        self.acc.points += 1;
        if err > self.acc.max_ulp || self.acc.worst.is_empty() {
            self.acc.max_ulp = err;
            self.acc.worst = at.to_vec();
        }
        let (Some((lo, hi)), Some(&(_, x))) = (self.sweep, at.first()) else {
            return;
        };
        if (lo..=hi).contains(&x) {
            let i = (((x - lo) / (hi - lo)) * BINS as f64) as usize;
            let bin = &mut self.acc.bins[i.min(BINS - 1)];
            // NaN (an empty bin) or a smaller error: keep this one.
            if bin.is_nan() || *bin < err {
                *bin = err;
            }
        }
    }
}

/// The accuracy of `subject` in `dtype` on each of `isas`, in that order.
pub fn measure(subject: Subject, dtype: Dtype, isas: &[Isa], density: Density) -> Vec<Accuracy> {
    match dtype {
        Dtype::F32 => measure_in::<f32>(subject, isas, density),
        Dtype::Bf16 => measure_in::<bf16>(subject, isas, density),
        Dtype::F16 => measure_in::<f16>(subject, isas, density),
    }
}

fn measure_in<T: Elem>(subject: Subject, isas: &[Isa], density: Density) -> Vec<Accuracy> {
    let mut trackers: Vec<Tracker> = isas
        .iter()
        .map(|&isa| Tracker::new(isa, subject.sweep()))
        .collect();
    match subject {
        Subject::Unary(op) => unary::<T>(op, density, &mut trackers),
        Subject::Backward(op, b) => backward::<T>(op, b, density, &mut trackers),
        Subject::Gated(op) => gated::<T>(op, density, &mut trackers),
        Subject::GatedBackward(op, b) => gated_backward::<T>(op, b, density, &mut trackers),
        Subject::Rowwise(op) => rowwise::<T>(op, &mut trackers),
        Subject::RowwiseBackward(op, b) => rowwise_backward::<T>(op, b, &mut trackers),
        Subject::Sliced(Sliced::Prelu) => prelu::<T>(density, &mut trackers),
        Subject::Sliced(Sliced::Rational) => rational::<T>(subject, density, &mut trackers),
        Subject::Sliced(Sliced::SmoothSwiglu) => smooth_swiglu::<T>(density, &mut trackers),
        Subject::Sliced(Sliced::PreluBackward) => prelu_backward::<T>(density, &mut trackers),
        Subject::Sliced(Sliced::RationalBackward) => {
            rational_backward::<T>(density, &mut trackers);
        }
    }
    trackers.into_iter().map(|t| t.acc).collect()
}

/// The kernels of a tracker's ISA (every tracked ISA is an available one).
fn kernels(t: &Tracker) -> Kernels {
    Kernels::new(t.acc.isa).expect("the report only tracks available ISAs")
}

fn value<T: Elem>(v: T) -> f64 {
    f64::from(v.to_f32())
}

/// Position of `v` on the number line counted in f32 bit patterns (consecutive floats differ
/// by 1, both zeros are 0).
fn ordinal(v: f32) -> i64 {
    let magnitude = i64::from(v.to_bits() & 0x7fff_ffff);
    if v.is_sign_negative() {
        -magnitude
    } else {
        magnitude
    }
}

/// The f32 at ordinal `o` (the inverse of [`ordinal`], `+0` at 0).
fn from_ordinal(o: i64) -> f32 {
    let magnitude = o.unsigned_abs() as u32;
    f32::from_bits(if o < 0 {
        0x8000_0000 | magnitude
    } else {
        magnitude
    })
}

/// `n` f32 bit patterns evenly spaced from `lo` to `hi` (both included).
fn spaced_patterns(lo: f32, hi: f32, n: usize) -> impl Iterator<Item = f32> {
    let (a, b) = (ordinal(lo), ordinal(hi));
    let steps = (n.max(2) - 1) as i64;
    (0..=steps).map(move |i| from_ordinal(a + ((b - a) as i128 * i as i128 / steps as i128) as i64))
}

/// `n` values evenly spread over `[lo, hi]`, rounded to f32.
fn grid(lo: f64, hi: f64, n: usize) -> impl Iterator<Item = f32> {
    (0..n).map(move |i| (lo + (hi - lo) * (i as f64 + 0.5) / n as f64) as f32)
}

/// The inputs of a one-input op in `T` (see the module documentation).
fn one_input_set<T: Elem>((lo, hi): (f64, f64), density: Density) -> Vec<T> {
    T::patterns().unwrap_or_else(|| {
        let n = density.points;
        grid(lo, hi, n)
            .chain(spaced_patterns(lo as f32, hi as f32, n))
            .chain(spaced_patterns(-f32::MAX, f32::MAX, n))
            .chain([
                0.0,
                -0.0,
                f32::MIN_POSITIVE,
                1e-45,
                -1e-45,
                f32::MAX,
                -f32::MAX,
            ])
            .map(T::from_f32)
            .collect()
    })
}

fn unary<T: Elem>(op: &OpSpec, density: Density, trackers: &mut [Tracker]) {
    let x = one_input_set::<T>(op.sweep, density);
    let exact: Vec<f64> = x.par_iter().map(|&v| (op.reference)(value(v))).collect();
    let mut out = x.clone();
    for t in trackers {
        T::unary(op)(kernels(t), &x, &mut out);
        for ((&xi, &yi), &e) in x.iter().zip(&out).zip(&exact) {
            t.record(ulp_distance_in(yi, e), &[("x", value(xi))]);
        }
    }
}

/// `grad · f'(x)` where its error is measured in ULP of `T`, `None` where the catalogue bounds
/// it otherwise ([`BackwardSpec::counts_in_ulp`]).
fn backward_exact<T: Elem>(b: &BackwardSpec, x: f64, grad: f64) -> Option<f64> {
    b.counts_in_ulp::<T>(x, grad)
        .then(|| grad * (b.derivative)(x))
}

fn backward<T: Elem>(op: &OpSpec, b: &BackwardSpec, density: Density, trackers: &mut [Tracker]) {
    let x = one_input_set::<T>(op.sweep, density);
    let grad: Vec<T> = cycled_grads(x.len());
    let exact: Vec<Option<f64>> = x
        .par_iter()
        .zip(&grad)
        .map(|(&xi, &gi)| backward_exact::<T>(b, value(xi), value(gi)))
        .collect();
    let mut out = x.clone();
    for t in trackers {
        T::backward(b)(kernels(t), &x, &grad, &mut out);
        for (i, e) in exact.iter().enumerate() {
            if let Some(e) = *e {
                let (xi, gi) = (value(x[i]), value(grad[i]));
                t.record(ulp_distance_in(out[i], e), &[("x", xi), ("grad", gi)]);
            }
        }
    }
}

/// The gates of a gated op in `T` over `(lo, hi)` (see the module documentation).
fn gate_set<T: Elem>((lo, hi): (f64, f64), density: Density) -> Vec<T> {
    T::patterns()
        .map(|all| all.into_iter().filter(|g| !g.to_f32().is_nan()).collect())
        .unwrap_or_else(|| {
            spaced_patterns(lo as f32, hi as f32, density.gates)
                .chain(grid(lo, hi, density.gates))
                .chain([0.0, -0.0])
                .map(T::from_f32)
                .collect()
        })
}

fn gated<T: Elem>(op: &GatedSpec, density: Density, trackers: &mut [Tracker]) {
    let gate = gate_set::<T>(op.sweep, density);
    // Where the activation is an f32 subnormal its absolute error, scaled by up, is all the
    // f32 lanes can carry: the budget there is absolute (tests/gated.rs), so it is not counted.
    let normal: Vec<bool> = gate
        .par_iter()
        .map(|&g| op.counts_in_ulp(value(g)))
        .collect();
    let mut out = gate.clone();
    for up in ups()
        .into_iter()
        .map(T::from_f32)
        .filter(|u| u.to_f32().is_finite())
    {
        let ups = vec![up; gate.len()];
        let exact: Vec<f64> = gate
            .par_iter()
            .map(|&g| (op.reference)(value(g), value(up)))
            .collect();
        for t in trackers.iter_mut() {
            T::gated(op)(kernels(t), &gate, &ups, &mut out);
            for (i, &e) in exact.iter().enumerate() {
                if normal[i] && !e.is_nan() {
                    let at = [("gate", value(gate[i])), ("up", value(up))];
                    t.record(ulp_distance_in(out[i], e), &at);
                }
            }
        }
    }
}

fn gated_backward<T: Elem>(
    op: &GatedSpec,
    b: &GatedBackwardSpec,
    density: Density,
    trackers: &mut [Tracker],
) {
    let gate: Vec<T> = gate_set::<T>(op.sweep, density)
        .into_iter()
        .filter(|g| g.to_f32().is_finite())
        .collect();
    let grad: Vec<T> = (0..gate.len())
        .map(|i| T::from_f32(GATED_GRADS[i % GATED_GRADS.len()]))
        .collect();
    let (mut grad_gate, mut grad_up) = (gate.clone(), gate.clone());
    for up in BACKWARD_UPS.map(T::from_f32) {
        let ups = vec![up; gate.len()];
        // The exact (grad_gate, grad_up) where each counts in ULP of T.
        let exact: Vec<(Option<f64>, Option<f64>)> = gate
            .par_iter()
            .zip(&grad)
            .map(|(&g, &d)| {
                let (g, u, d) = (value(g), value(up), value(d));
                let (pg, pu) = (b.partials)(g, u);
                let (counts_g, counts_u) = b.counts_in_ulp::<T>(g, u, d);
                (counts_g.then_some(d * pg), counts_u.then_some(d * pu))
            })
            .collect();
        for t in trackers.iter_mut() {
            let grads = (&mut grad_gate[..], &mut grad_up[..]);
            T::gated_backward(b)(kernels(t), (&gate, &ups, &grad), grads);
            for (i, &(eg, eu)) in exact.iter().enumerate() {
                let at = [
                    ("gate", value(gate[i])),
                    ("up", value(up)),
                    ("grad", value(grad[i])),
                ];
                for (e, got) in [(eg, grad_gate[i]), (eu, grad_up[i])] {
                    if let Some(e) = e {
                        t.record(ulp_distance_in(got, e), &at);
                    }
                }
            }
        }
    }
}

/// SplitMix64: deterministic pseudo-random bits.
fn mix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A uniform draw in [0, 1).
fn uniform(state: &mut u64) -> f64 {
    (mix(state) >> 11) as f64 / (1u64 << 53) as f64
}

/// One row of `width` logits of distribution `kind`: bell-shaped of scale 0.1, 10 and 50, one
/// dominant entry (log_softmax near 0), and a spread over [-200, 10] with -inf entries (zero
/// and subnormal probabilities).
fn logits(width: usize, kind: usize, state: &mut u64) -> Vec<f32> {
    (0..width)
        .map(|i| {
            let u = uniform(state);
            let bell = (u - 0.5) * 3.4 + (uniform(state) - 0.5) * 3.4;
            let v = match kind {
                0 => bell * 0.1,
                1 => bell * 10.0,
                2 => bell * 50.0,
                3 if i == width / 2 => 30.0,
                3 => bell,
                _ if i % 7 == 3 => f64::NEG_INFINITY,
                _ => -200.0 + 210.0 * u,
            };
            v as f32
        })
        .collect()
}

fn rowwise<T: Elem>(op: &RowSpec, trackers: &mut [Tracker]) {
    let mut state = 7;
    for width in [1, 17, 1000, 4096] {
        for kind in 0..5 {
            let row: Vec<T> = logits(width, kind, &mut state)
                .into_iter()
                .map(T::from_f32)
                .collect();
            let exact = (op.reference)(&row.iter().map(|&v| value(v)).collect::<Vec<_>>());
            let mut out = row.clone();
            for t in trackers.iter_mut() {
                T::rowwise(op)(kernels(t), &row, width, &mut out);
                for ((&xi, &yi), &e) in row.iter().zip(&out).zip(&exact) {
                    let at = [("width", width as f64), ("x", value(xi))];
                    t.record(ulp_distance_in(yi, e), &at);
                }
            }
        }
    }
}

/// A deterministic spread of values in [-1, 1) (Weyl sequence).
fn weyl(i: usize, seed: f64) -> f64 {
    ((i as f64 * 0.618_033_988_749_895 + seed).fract()) * 2.0 - 1.0
}

/// `rows` rows of the forward's outputs `y` (the f64 reference of `op`, rounded to `T`, on
/// logits over [-`scale`, `scale`]) and of gradients over [-`grad_scale`, `grad_scale`] (the
/// distributions of `tests/softmax_backward.rs`).
fn backward_rows<T: Elem>(
    op: &RowSpec,
    width: usize,
    rows: usize,
    (scale, grad_scale): (f64, f64),
) -> (Vec<T>, Vec<T>) {
    let mut y = Vec::with_capacity(width * rows);
    let mut g = Vec::with_capacity(width * rows);
    for r in 0..rows {
        let logits: Vec<f64> = (0..width)
            .map(|i| scale * weyl(r * width + i, 0.1))
            .collect();
        y.extend((op.reference)(&logits).into_iter().map(T::from_f64));
        g.extend((0..width).map(|i| T::from_f64(grad_scale * weyl(r * width + i, 0.7))));
    }
    (y, g)
}

fn rowwise_backward<T: Elem>(op: &RowSpec, b: &RowBackwardSpec, trackers: &mut [Tracker]) {
    for width in [1, 17, 1000, 4096] {
        let rows = (1 << 16) / width / 8 + 1;
        for scales in [(1.0, 1.0), (20.0, 1e-3), (60.0, 3e4)] {
            let (y, g) = backward_rows::<T>(op, width, rows, scales);
            let (exact, slack): (Vec<f64>, Vec<f64>) = y
                .par_chunks(width)
                .zip(g.par_chunks(width))
                .flat_map_iter(|(yr, gr)| {
                    let yr: Vec<f64> = yr.iter().map(|&v| value(v)).collect();
                    let gr: Vec<f64> = gr.iter().map(|&v| value(v)).collect();
                    (b.reference)(&yr, &gr).into_iter().zip((b.slack)(&yr, &gr))
                })
                .unzip();
            let mut out = y.clone();
            for t in trackers.iter_mut() {
                T::rowwise_backward(b)(kernels(t), &y, &g, width, &mut out);
                for i in 0..out.len() {
                    let finite = T::from_f64(exact[i]).to_f32().is_finite();
                    if finite && b.counts_in_ulp::<T>(exact[i], slack[i]) {
                        let at = [
                            ("width", width as f64),
                            ("x", value(y[i])),
                            ("grad", value(g[i])),
                        ];
                        t.record(ulp_distance_in(out[i], exact[i]), &at);
                    }
                }
            }
        }
    }
}

/// The unary inputs of the sliced one-input ops: over leaky_relu's sweep, padded with zeros to
/// whole rows of `channels`.
fn sliced_inputs<T: Elem>(density: Density, channels: usize) -> Vec<T> {
    let leaky = OpSpec::find("leaky_relu").expect("leaky_relu is in the catalogue");
    let mut x = one_input_set::<T>(leaky.sweep, density);
    x.resize(x.len().next_multiple_of(channels), T::from_f32(0.0));
    x
}

fn prelu<T: Elem>(density: Density, trackers: &mut [Tracker]) {
    let x = sliced_inputs::<T>(density, PRELU_CHANNELS);
    let alpha: Vec<T> = prelu_slopes();
    let exact: Vec<f64> = x
        .par_iter()
        .enumerate()
        .map(|(i, &v)| reference::leaky_relu(value(v), value(alpha[i % PRELU_CHANNELS])))
        .collect();
    let mut out = x.clone();
    for t in trackers.iter_mut() {
        kernels(t).prelu(&x, &alpha, PRELU_CHANNELS, &mut out);
        for (i, (&yi, &e)) in out.iter().zip(&exact).enumerate() {
            let at = [
                ("x", value(x[i])),
                ("alpha", value(alpha[i % PRELU_CHANNELS])),
            ];
            t.record(ulp_distance_in(yi, e), &at);
        }
    }
}

fn rational<T: Elem>(subject: Subject, density: Density, trackers: &mut [Tracker]) {
    let x = sliced_inputs::<T>(density, 1);
    let (a, b) = (RATIONAL_LEAKY_P, RATIONAL_LEAKY_B);
    let a64 = a.map(f64::from);
    let b64 = b.map(f64::from);
    let budget = subject.budget(T::DTYPE);
    // The exact value where the documented bound is within the budget (the terms of P and B
    // do not cancel); elsewhere the bound is absolute.
    let exact: Vec<Option<f64>> = x
        .par_iter()
        .map(|&v| {
            let xf = value(v);
            let e = reference::rational(xf, &a64, &b64);
            let counted = e.is_finite()
                && xf.is_finite()
                && reference::rational_bound::<T>(xf, &a, &b, e) <= budget * ulp_of_in::<T>(e);
            counted.then_some(e)
        })
        .collect();
    let mut out = x.clone();
    for t in trackers.iter_mut() {
        kernels(t).rational(&x, &a, &b, &mut out);
        for (i, e) in exact.iter().enumerate() {
            if let Some(e) = *e {
                t.record(ulp_distance_in(out[i], e), &[("x", value(x[i]))]);
            }
        }
    }
}

/// The prelu slopes, one per channel: both signs and several magnitudes (those of
/// tests/prelu.rs).
fn prelu_slopes<T: Elem>() -> Vec<T> {
    (0..PRELU_CHANNELS)
        .map(|c| T::from_f64(0.01 + 0.37 * c as f64 - 0.2 * (c % 2) as f64))
        .collect()
}

/// `GRADS` cycled over `n` elements, as `T`.
fn cycled_grads<T: Elem>(n: usize) -> Vec<T> {
    (0..n)
        .map(|i| T::from_f32(GRADS[i % GRADS.len()]))
        .collect()
}

fn prelu_backward<T: Elem>(density: Density, trackers: &mut [Tracker]) {
    let x = sliced_inputs::<T>(density, PRELU_CHANNELS);
    let g = cycled_grads::<T>(x.len());
    let alpha: Vec<T> = prelu_slopes();
    let wide = |v: &[T]| v.iter().map(|&e| value(e)).collect::<Vec<f64>>();
    let (exact, _) = reference::prelu_backward(&wide(&x), &wide(&g), &wide(&alpha), PRELU_CHANNELS);
    let mut grad_in = x.clone();
    let mut grad_alpha = alpha.clone();
    for t in trackers.iter_mut() {
        kernels(t).prelu_backward(
            &x,
            &g,
            &alpha,
            PRELU_CHANNELS,
            &mut grad_in,
            &mut grad_alpha,
        );
        for (i, (&yi, &e)) in grad_in.iter().zip(&exact).enumerate() {
            // Where the exact value is within the type's range (3.5e4 · x may leave f16's).
            if T::from_f64(e).to_f32().is_finite() {
                let at = [("x", value(x[i])), ("grad_out", value(g[i]))];
                t.record(ulp_distance_in(yi, e), &at);
            }
        }
    }
}

fn rational_backward<T: Elem>(density: Density, trackers: &mut [Tracker]) {
    let x = sliced_inputs::<T>(density, 1);
    let g = cycled_grads::<T>(x.len());
    let (a, b) = (RATIONAL_LEAKY_P, RATIONAL_LEAKY_B);
    let (a64, b64) = (a.map(f64::from), b.map(f64::from));
    let (x64, g64): (Vec<f64>, Vec<f64>) = x
        .iter()
        .zip(&g)
        .map(|(&v, &d)| (value(v), value(d)))
        .unzip();
    let (exact, _, _) = reference::rational_backward(&x64, &g64, &a64, &b64);
    let counted: Vec<bool> = x64
        .par_iter()
        .zip(&g64)
        .zip(&exact)
        .map(|((&xv, &gv), &e)| {
            let (slack, kink) = reference::rational_backward_slack(xv, gv, &a64, &b64);
            xv.is_finite()
                && T::from_f64(e).to_f32().is_finite()
                && !kink
                && slack <= 0.25 * ulp_of_in::<T>(e)
        })
        .collect();
    let mut grad_in = x.clone();
    let (mut ga, mut gb) = (
        [0.0_f32; RATIONAL_LEAKY_P.len()],
        [0.0_f32; RATIONAL_LEAKY_B.len()],
    );
    for t in trackers.iter_mut() {
        kernels(t).rational_backward(&x, &g, &a, &b, &mut grad_in, (&mut ga, &mut gb));
        for (i, &e) in exact.iter().enumerate() {
            if counted[i] {
                t.record(
                    ulp_distance_in(grad_in[i], e),
                    &[("x", x64[i]), ("grad_out", g64[i])],
                );
            }
        }
    }
}

fn smooth_swiglu<T: Elem>(density: Density, trackers: &mut [Tracker]) {
    let swiglu = GatedSpec::find("swiglu").expect("swiglu is in the catalogue");
    let mut gate = gate_set::<T>(swiglu.sweep, density);
    gate.resize(
        gate.len().next_multiple_of(SMOOTH_SWIGLU_CHANNELS),
        T::from_f32(0.0),
    );
    // Scales of both signs from 1e-3 to 1e3 (those of tests/smooth_swiglu.rs).
    let scale: Vec<f32> = (0..SMOOTH_SWIGLU_CHANNELS)
        .map(|c| {
            let sign = if c % 3 == 0 { -1.0 } else { 1.0 };
            (10f64.powf(-3.0 + 6.0 * (c % 13) as f64 / 12.0) * sign) as f32
        })
        .collect();
    // As for swiglu: counted where silu(gate) is a normal f32.
    let normal: Vec<bool> = gate
        .par_iter()
        .map(|&g| swiglu.counts_in_ulp(value(g)))
        .collect();
    let mut out = gate.clone();
    for up in ups()
        .into_iter()
        .map(T::from_f32)
        .filter(|u| u.to_f32().is_finite())
    {
        let ups = vec![up; gate.len()];
        let exact: Vec<f64> = gate
            .par_iter()
            .enumerate()
            .map(|(i, &g)| {
                let s = f64::from(scale[i % SMOOTH_SWIGLU_CHANNELS]);
                (swiglu.reference)(value(g), value(up)) * s
            })
            .collect();
        for t in trackers.iter_mut() {
            kernels(t).smooth_swiglu(&gate, &ups, &scale, &mut out);
            for (i, &e) in exact.iter().enumerate() {
                let s = f64::from(scale[i % SMOOTH_SWIGLU_CHANNELS]);
                // The kernel rounds up · scale to f32 first: where that is subnormal its
                // relative error is unbounded and only an absolute bound holds.
                let scaled_up_normal = (value(up) * s).abs() >= f64::from(f32::MIN_POSITIVE);
                if normal[i] && scaled_up_normal && !e.is_nan() {
                    let at = [("gate", value(gate[i])), ("up", value(up)), ("scale", s)];
                    t.record(ulp_distance_in(out[i], e), &at);
                }
            }
        }
    }
}
