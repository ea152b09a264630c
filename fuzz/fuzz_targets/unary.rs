//! Fuzz target `unary`: the unary ops of `catalogue::OPS` on f32, bf16 and f16 slices decoded
//! from the input, on every ISA this CPU has.
//!
//! Input: byte 0 picks the op (index mod `OPS.len()`); byte 1 is the input slice's offset from
//! a 64-byte boundary and byte 2 the output's (mod 32 elements); byte 3 picks the
//! `Par::with_min_len` value; the remaining bytes are the elements: f32 little-endian bit
//! patterns (at most 4096), and the same bytes read as 16-bit patterns for bf16 and f16 (at
//! most 4096). The length of the slices is the number of elements.
//!
//! f32, on each ISA:
//! - `eval_f32` out of place and `eval_inplace_f32` in place give the same bits, and neither
//!   writes outside its slice;
//! - `par_f32` (split over rayon chunks) gives the same bits as the serial call (on the
//!   widest ISA only: the split does not depend on the ISA, and Scalar is slow);
//! - every element has the bits of a one-element call on the same input (results do not
//!   depend on the offset, the length or the neighbouring elements: block vs. tail code, fast
//!   path vs. full path): every element on Scalar, which with cross-ISA identity covers every
//!   ISA, and up to 64 spread over the slice on the SIMD ISAs (one-element tail path);
//! - the bits equal those of `Isa::Scalar` (cross-ISA identity), and so do those of the free
//!   functions (`Kernels::global()`).
//!
//! f32, on the results (the same on every ISA):
//! - a NaN input gives the input's own bits, signalling NaNs included (README "Special
//!   values"), a non-NaN input never gives NaN;
//! - every non-NaN input is within `op.ulp_f32` ULP (`ulp_distance`) of `(op.reference)(x)`;
//! - outputs lie in `op.range`; odd ops give `f(-x) == -f(x)` bit for bit; monotone ops give
//!   non-decreasing outputs over the inputs sorted by value.
//!
//! bf16 and f16 (`eval_bf16`, `eval_f16`), on each ISA: no write outside the output slice, the
//! same bits as one-element calls (chosen as for f32) and as `Isa::Scalar`; on the results: a NaN input gives a
//! quiet NaN with the input's sign, every other input a result within 1 ULP of the type
//! (`ulp_distance_in`) of the f64 reference of the widened input (the bound `tests/elements.rs`
//! holds every bf16 and f16 input to).
#![no_main]

use libfuzzer_sys::fuzz_target;
use simd_activations::catalogue::{OPS, OpSpec};
use simd_activations::ulp::{ulp_distance, ulp_distance_in};
use simd_activations::{Isa, Kernels, bf16, f16};
use simd_activations_fuzz::{
    Bits, Guarded, Half, MAX_LEN, PAR_MIN_LENS, Reader, assert_same_bits, f32s, halves, kernels,
    nan_kept, one_by_one, show,
};

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let op = &OPS[usize::from(r.byte()) % OPS.len()];
    let x_offset = usize::from(r.byte());
    let out_offset = usize::from(r.byte());
    let min_len = PAR_MIN_LENS[usize::from(r.byte()) % PAR_MIN_LENS.len()];
    let rest = r.rest();
    check_f32(op, &f32s(rest, MAX_LEN), x_offset, out_offset, min_len);
    check_half::<bf16>(
        op,
        op.eval_bf16,
        &halves(rest, MAX_LEN),
        x_offset,
        out_offset,
    );
    check_half::<f16>(
        op,
        op.eval_f16,
        &halves(rest, MAX_LEN),
        x_offset,
        out_offset,
    );
});

/// `b` (from `isa`) has the bits of `a` (from `Isa::Scalar`).
fn assert_cross<T: Bits>(op: &OpSpec, isa: Isa, what: &str, x: &[T], a: &[T], b: &[T]) {
    let what = format!("{} {} {isa}: {what} vs scalar", op.name, T::NAME);
    assert_same_bits(&what, a, b, |i| show(x[i]).to_string());
}

/// The elements of `y` (the result of `eval` on `x` on `k`) that [`one_by_one`] picks have the
/// bits of a one-element call.
fn assert_elementwise<T: Bits>(
    op: &OpSpec,
    k: Kernels,
    eval: fn(Kernels, &[T], &mut [T]),
    x: &[T],
    y: &[T],
) {
    for i in one_by_one(k.isa(), x.len()) {
        let (v, want) = (x[i], y[i]);
        let mut one = [T::UNWRITTEN];
        eval(k, &[v], &mut one);
        if one[0].bits() != want.bits() {
            panic!(
                "{} {} {}: element {i} of {} (input {}) gives {} in the slice but {} alone",
                op.name,
                T::NAME,
                k.isa(),
                x.len(),
                show(v),
                show(want),
                show(one[0])
            );
        }
    }
}

fn check_f32(op: &OpSpec, x: &[f32], x_offset: usize, out_offset: usize, min_len: usize) {
    let n = x.len();
    let input = |i: usize| show(x[i]).to_string();
    let xg = Guarded::new(x, x_offset);
    let widest = kernels().last().expect("Scalar is always available").isa();
    let mut scalar: Option<Vec<f32>> = None;
    for &k in kernels() {
        let isa = k.isa();
        let mut out = Guarded::output(n, out_offset);
        (op.eval_f32)(k, xg.get(), out.get_mut());
        out.check_guards(&format_args!("{} f32 {isa} out of place", op.name));
        let y = out.get();

        let mut inplace = Guarded::new(x, out_offset);
        (op.eval_inplace_f32)(k, inplace.get_mut());
        inplace.check_guards(&format_args!("{} f32 {isa} in place", op.name));
        let what = format!("{} f32 {isa}: in place vs out of place", op.name);
        assert_same_bits(&what, y, inplace.get(), input);

        // The split is the same on every ISA: run it on the widest (the others are slower).
        if isa == widest {
            let par = k.par().with_min_len(min_len);
            let mut split = Guarded::output(n, x_offset);
            (op.par_f32)(par, xg.get(), split.get_mut());
            split.check_guards(&format_args!(
                "{} f32 {isa} par (min_len {min_len})",
                op.name
            ));
            let what = format!("{} f32 {isa}: par (min_len {min_len}) vs serial", op.name);
            assert_same_bits(&what, y, split.get(), input);
        }

        assert_elementwise(op, k, op.eval_f32, x, y);
        match &scalar {
            None => scalar = Some(y.to_vec()),
            Some(s) => assert_cross(op, isa, "eval_f32", x, s, y),
        }
    }
    let y = scalar.expect("Scalar is always available");

    let global = Kernels::global().isa();
    let mut free = vec![f32::UNWRITTEN; n];
    (op.free_f32)(x, &mut free);
    assert_cross(op, global, "free function", x, &y, &free);
    let mut free = x.to_vec();
    (op.free_inplace_f32)(&mut free);
    assert_cross(op, global, "free in-place function", x, &y, &free);

    for (&xi, &yi) in x.iter().zip(&y) {
        if xi.is_nan() {
            assert!(
                nan_kept(xi, yi),
                "{} f32: NaN input {} gives {}, not the input's bits",
                op.name,
                show(xi),
                show(yi)
            );
            continue;
        }
        assert!(
            !yi.is_nan(),
            "{} f32: non-NaN input {} gives NaN {}",
            op.name,
            show(xi),
            show(yi)
        );
        let exact = (op.reference)(f64::from(xi));
        let err = ulp_distance(yi, exact);
        assert!(
            err <= op.ulp_f32,
            "{} f32: input {} gives {}, exact {exact:e}: {err} ULP (budget {})",
            op.name,
            show(xi),
            show(yi),
            op.ulp_f32
        );
        if let Some((lo, hi)) = op.range {
            let v = f64::from(yi);
            assert!(
                lo <= v && v <= hi,
                "{} f32: input {} gives {}, outside the range [{lo}, {hi}]",
                op.name,
                show(xi),
                show(yi)
            );
        }
    }

    if op.odd {
        check_odd(op, x, &y);
    }
    if op.monotone {
        check_monotone(op, x, &y);
    }
}

/// `f(-x) == -f(x)` bit for bit on the widest ISA (the others give the same bits).
fn check_odd(op: &OpSpec, x: &[f32], y: &[f32]) {
    let k = *kernels().last().expect("Scalar is always available");
    let neg: Vec<f32> = x.iter().map(|v| -v).collect();
    let mut out = vec![f32::UNWRITTEN; x.len()];
    (op.eval_f32)(k, &neg, &mut out);
    for i in 0..x.len() {
        assert!(
            out[i].bits() == (-y[i]).bits(),
            "{} f32 {}: not odd: f({}) = {} but f({}) = {}",
            op.name,
            k.isa(),
            show(x[i]),
            show(y[i]),
            show(neg[i]),
            show(out[i])
        );
    }
}

/// Outputs non-decreasing over the non-NaN inputs sorted by value.
fn check_monotone(op: &OpSpec, x: &[f32], y: &[f32]) {
    let mut order: Vec<usize> = (0..x.len()).filter(|&i| !x[i].is_nan()).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]));
    for w in order.windows(2) {
        let (a, b) = (w[0], w[1]);
        assert!(
            y[a] <= y[b],
            "{} f32: not monotone: f({}) = {} > f({}) = {}",
            op.name,
            show(x[a]),
            show(y[a]),
            show(x[b]),
            show(y[b])
        );
    }
}

fn check_half<T: Half>(
    op: &OpSpec,
    eval: fn(Kernels, &[T], &mut [T]),
    x: &[T],
    x_offset: usize,
    out_offset: usize,
) {
    let xg = Guarded::new(x, x_offset);
    let mut scalar: Option<Vec<T>> = None;
    for &k in kernels() {
        let isa = k.isa();
        let mut out = Guarded::output(x.len(), out_offset);
        eval(k, xg.get(), out.get_mut());
        out.check_guards(&format_args!("{} {} {isa}", op.name, T::NAME));
        let y = out.get();
        assert_elementwise(op, k, eval, x, y);
        match &scalar {
            None => scalar = Some(y.to_vec()),
            Some(s) => assert_cross(op, isa, "eval", x, s, y),
        }
    }
    let y = scalar.expect("Scalar is always available");
    for (&xi, &yi) in x.iter().zip(&y) {
        let xf = xi.to_f32();
        if xf.is_nan() {
            assert!(
                nan_kept(xi, yi),
                "{} {}: NaN input {} gives {}, not a quiet NaN of the same sign",
                op.name,
                T::NAME,
                show(xi),
                show(yi)
            );
            continue;
        }
        let exact = (op.reference)(f64::from(xf));
        let err = ulp_distance_in(yi, exact);
        assert!(
            err <= 1.0,
            "{} {}: input {} gives {}, exact {exact:e}: {err} ULP of {} (budget 1)",
            op.name,
            T::NAME,
            show(xi),
            show(yi),
            T::NAME
        );
    }
}
