//! Fuzz target `gated`: the gated ops of `catalogue::GATED` (`out = act(gate) · up`) in all
//! four layouts, on f32, bf16 and f16 values decoded from the input, on every ISA this CPU has.
//!
//! Input: byte 0 picks the op (index mod `GATED.len()`); byte 1 picks the row width among the
//! divisors of the number of pairs; byte 2 picks how the element bytes are read as gate and up
//! (gates then ups, interleaved pairs, or rows `[gate(width) | up(width)]`); byte 3 picks the
//! `Par::with_min_len` value; bytes 4 to 6 are the offsets (mod 32 elements) of the gate, up and
//! output slices from a 64-byte boundary. The rest are the elements: f32 little-endian bit
//! patterns, at most 4096 (gate, up) pairs; and the same bytes read as 16-bit patterns, first
//! half gates, second half ups, for bf16 and f16 (at most 4096 pairs).
//!
//! f32, on each ISA:
//! - `eval_f32` (separate slices), `inplace_f32` (into the gate), `rows_f32` (rows
//!   `[gate(width) | up(width)]`) and `interleaved_f32` (`[g0, u0, g1, u1, …]`) give the same
//!   bits, and none writes outside its output slice;
//! - `par_f32`, `par_rows_f32` and `par_interleaved_f32` give the serial bits (on the widest
//!   ISA only: the split does not depend on the ISA, and Scalar is slow);
//! - every element has the bits of a one-pair call (no dependence on offset, length or
//!   neighbours: block vs. tail, the lean fast core vs. the full one): every element on
//!   Scalar, which with cross-ISA identity covers every ISA, up to 64 spread over the slice on
//!   the SIMD ISAs (one-pair tail path);
//! - the bits equal those of `Isa::Scalar`, and so do the free function's.
//!
//! f32, on the results (README "Special values"): a NaN gate gives the gate's own bits, else a
//! NaN up the up's bits, and a NaN made from numbers (`0 · inf`) is the positive quiet NaN
//! `0x7FC0_0000`; otherwise the output is NaN exactly when the f64 reference is, and within the budget of `tests/gated.rs` (`op.ulp_f32` ULP, plus
//! `|up| · 2^-149` where the activation itself is not a normal f32): see
//! `simd_activations_fuzz::gated_within`. An infinite `up` (outside the budget, which covers
//! finite inputs) is judged by the activation `a = op(gate, 1)`: NaN where `a` is 0, the
//! reference's infinity where `a` is clear of f32 underflow, either in between.
//!
//! bf16 and f16 (`eval_bf16`, `eval_f16`, separate slices), on each ISA: no write outside the
//! output, the bits of one-pair calls (chosen as for f32) and of `Isa::Scalar`; on the results
//! the same rules, with the NaNs as the stores give them (a quiet NaN of the gate's, else the
//! up's, sign; `0 · inf` the positive quiet NaN of the type) and a budget of 1 ULP of the type.
#![no_main]

use libfuzzer_sys::fuzz_target;
use simd_activations::catalogue::{GATED, GatedSpec};
use simd_activations::{Isa, Kernels, bf16, f16};
use simd_activations_fuzz::{
    Bits, F32_TINY, Guarded, Half, MAX_LEN, PAR_MIN_LENS, Reader, assert_same_bits, f32s,
    gated_within, halves, kernels, nan_kept, one_by_one, show,
};

/// Layout parameters decoded from the input header.
struct Layout {
    width_pick: usize,
    source: u8,
    min_len: usize,
    gate_offset: usize,
    up_offset: usize,
    out_offset: usize,
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let op = &GATED[usize::from(r.byte()) % GATED.len()];
    let layout = Layout {
        width_pick: usize::from(r.byte()),
        source: r.byte() % 3,
        min_len: PAR_MIN_LENS[usize::from(r.byte()) % PAR_MIN_LENS.len()],
        gate_offset: usize::from(r.byte()),
        up_offset: usize::from(r.byte()),
        out_offset: usize::from(r.byte()),
    };
    let rest = r.rest();

    let values = f32s(rest, 2 * MAX_LEN);
    let n = values.len() / 2;
    let width = pick_width(n, layout.width_pick);
    let (gate, up) = split(&values[..2 * n], layout.source, width);
    check_f32(op, &gate, &up, width, &layout);

    let h = halves::<bf16>(rest, 2 * MAX_LEN);
    let m = h.len() / 2;
    check_half(op, op.eval_bf16, &h[..m], &h[m..2 * m], &layout);
    let h = halves::<f16>(rest, 2 * MAX_LEN);
    check_half(op, op.eval_f16, &h[..m], &h[m..2 * m], &layout);
});

/// A row width for `n` pairs: one of the divisors of `n` (any of 1..=16 when `n` is 0, where
/// every positive width fits).
fn pick_width(n: usize, pick: usize) -> usize {
    if n == 0 {
        return 1 + pick % 16;
    }
    let divisors: Vec<usize> = (1..=n).filter(|&d| n.is_multiple_of(d)).collect();
    divisors[pick % divisors.len()]
}

/// Gates and ups from `v` (2n values) read as gates then ups (0), interleaved pairs (1), or
/// rows of `[gate(width) | up(width)]` (2).
fn split(v: &[f32], source: u8, width: usize) -> (Vec<f32>, Vec<f32>) {
    let n = v.len() / 2;
    match source {
        0 => (v[..n].to_vec(), v[n..].to_vec()),
        1 => (
            v.iter().step_by(2).copied().collect(),
            v.iter().skip(1).step_by(2).copied().collect(),
        ),
        _ => {
            let rows = v.chunks(2 * width);
            let gate = rows.clone().flat_map(|r| &r[..width]).copied().collect();
            let up = rows.flat_map(|r| &r[width..]).copied().collect();
            (gate, up)
        }
    }
}

/// `[gate(width) | up(width)]` rows.
fn to_rows(gate: &[f32], up: &[f32], width: usize) -> Vec<f32> {
    gate.chunks(width)
        .zip(up.chunks(width))
        .flat_map(|(g, u)| g.iter().chain(u))
        .copied()
        .collect()
}

/// `[g0, u0, g1, u1, …]`.
fn to_pairs(gate: &[f32], up: &[f32]) -> Vec<f32> {
    gate.iter().zip(up).flat_map(|(&g, &u)| [g, u]).collect()
}

/// `b` (from `isa`) has the bits of `a` (from `Isa::Scalar`).
fn assert_cross<T: Bits>(
    op: &GatedSpec,
    isa: Isa,
    what: &str,
    (gate, up): (&[T], &[T]),
    a: &[T],
    b: &[T],
) {
    let what = format!("{} {} {isa}: {what} vs scalar", op.name, T::NAME);
    assert_same_bits(&what, a, b, |i| {
        format!("gate {}, up {}", show(gate[i]), show(up[i]))
    });
}

/// The elements of `y` (the result of `eval` on `k`) that [`one_by_one`] picks have the bits of
/// a one-pair call.
fn assert_elementwise<T: Bits>(
    op: &GatedSpec,
    k: Kernels,
    eval: fn(Kernels, &[T], &[T], &mut [T]),
    (gate, up): (&[T], &[T]),
    y: &[T],
) {
    for i in one_by_one(k.isa(), y.len()) {
        let mut one = [T::UNWRITTEN];
        eval(k, &gate[i..=i], &up[i..=i], &mut one);
        if one[0].bits() != y[i].bits() {
            panic!(
                "{} {} {}: element {i} of {} (gate {}, up {}) gives {} in the slice but {} alone",
                op.name,
                T::NAME,
                k.isa(),
                y.len(),
                show(gate[i]),
                show(up[i]),
                show(y[i]),
                show(one[0])
            );
        }
    }
}

fn check_f32(op: &GatedSpec, gate: &[f32], up: &[f32], width: usize, layout: &Layout) {
    let n = gate.len();
    let input = |i: usize| format!("gate {}, up {}", show(gate[i]), show(up[i]));
    let gate_g = Guarded::new(gate, layout.gate_offset);
    let up_g = Guarded::new(up, layout.up_offset);
    let rows = Guarded::new(&to_rows(gate, up, width), layout.gate_offset);
    let pairs = Guarded::new(&to_pairs(gate, up), layout.up_offset);
    let widest = kernels().last().expect("Scalar is always available").isa();
    let mut scalar: Option<Vec<f32>> = None;
    for &k in kernels() {
        let isa = k.isa();
        let name = op.name;
        let mut out = Guarded::output(n, layout.out_offset);
        (op.eval_f32)(k, gate_g.get(), up_g.get(), out.get_mut());
        out.check_guards(&format_args!("{name} f32 {isa} separate slices"));
        let y = out.get();

        let mut inplace = Guarded::new(gate, layout.out_offset);
        (op.inplace_f32)(k, inplace.get_mut(), up_g.get());
        inplace.check_guards(&format_args!("{name} f32 {isa} in place"));
        let what = format!("{name} f32 {isa}: in place vs separate slices");
        assert_same_bits(&what, y, inplace.get(), input);

        let mut by_rows = Guarded::output(n, layout.out_offset);
        (op.rows_f32)(k, rows.get(), width, by_rows.get_mut());
        by_rows.check_guards(&format_args!("{name} f32 {isa} rows of {width}"));
        let what = format!("{name} f32 {isa}: rows of {width} vs separate slices");
        assert_same_bits(&what, y, by_rows.get(), input);

        let mut inter = Guarded::output(n, layout.out_offset);
        (op.interleaved_f32)(k, pairs.get(), inter.get_mut());
        inter.check_guards(&format_args!("{name} f32 {isa} interleaved"));
        let what = format!("{name} f32 {isa}: interleaved vs separate slices");
        assert_same_bits(&what, y, inter.get(), input);

        // The split is the same on every ISA: run it on the widest (the others are slower).
        if isa == widest {
            let min_len = layout.min_len;
            let par = k.par().with_min_len(min_len);
            let mut split = Guarded::output(n, layout.gate_offset);
            (op.par_f32)(par, gate_g.get(), up_g.get(), split.get_mut());
            split.check_guards(&format_args!("{name} f32 {isa} par (min_len {min_len})"));
            let what = format!("{name} f32 {isa}: par (min_len {min_len}) vs serial");
            assert_same_bits(&what, y, split.get(), input);
            let mut split = Guarded::output(n, layout.up_offset);
            (op.par_rows_f32)(par, rows.get(), width, split.get_mut());
            split.check_guards(&format_args!(
                "{name} f32 {isa} par rows (min_len {min_len})"
            ));
            let what =
                format!("{name} f32 {isa}: par rows of {width} (min_len {min_len}) vs serial");
            assert_same_bits(&what, y, split.get(), input);
            let mut split = Guarded::output(n, layout.out_offset);
            (op.par_interleaved_f32)(par, pairs.get(), split.get_mut());
            split.check_guards(&format_args!(
                "{name} f32 {isa} par interleaved (min_len {min_len})"
            ));
            let what = format!("{name} f32 {isa}: par interleaved (min_len {min_len}) vs serial");
            assert_same_bits(&what, y, split.get(), input);
        }

        assert_elementwise(op, k, op.eval_f32, (gate, up), y);
        match &scalar {
            None => scalar = Some(y.to_vec()),
            Some(s) => assert_cross(op, isa, "separate slices", (gate, up), s, y),
        }
    }
    let y = scalar.expect("Scalar is always available");

    let mut free = vec![f32::UNWRITTEN; n];
    (op.free_f32)(gate, up, &mut free);
    assert_cross(
        op,
        Kernels::global().isa(),
        "free function",
        (gate, up),
        &y,
        &free,
    );

    for i in 0..n {
        check_pair(op, gate[i], up[i], y[i], op.ulp_f32);
    }
}

/// The result `got` of `op(gate, up)`: a NaN gate's NaN, else a NaN up's ([`nan_kept`]);
/// otherwise [`check_value`].
fn check_pair<T: Bits>(op: &GatedSpec, gate: T, up: T, got: T, budget: f64) {
    let nan = [gate, up].into_iter().find(|v| v.is_nan_value());
    if let Some(nan) = nan {
        assert!(
            nan_kept(nan, got),
            "{} {}: gate {}, up {} gives {}, not the NaN of the {}",
            op.name,
            T::NAME,
            show(gate),
            show(up),
            show(got),
            if gate.is_nan_value() { "gate" } else { "up" }
        );
        return;
    }
    check_value(op, gate.to_f32(), up.to_f32(), got, budget);
}

/// The result `got` for a gate and up that are numbers: NaN exactly when the reference is, and
/// then the positive quiet NaN ([`Bits::CANONICAL_NAN`]); else within `budget`
/// ([`gated_within`]).
fn check_value<T: Bits>(op: &GatedSpec, gate: f32, up: f32, got: T, budget: f64) {
    let exact = (op.reference)(f64::from(gate), f64::from(up));
    if up.is_infinite() && !exact.is_finite() {
        check_infinite_up(op, gate, up, got, exact);
        return;
    }
    if exact.is_nan() || got.is_nan_value() {
        assert!(
            exact.is_nan() && got.bits() == T::CANONICAL_NAN,
            "{} {}: gate {gate:e}, up {up:e} gives {}, exact {exact:e}",
            op.name,
            T::NAME,
            show(got)
        );
        return;
    }
    let (ok, err) = gated_within(op, gate, up, got, budget);
    assert!(
        ok,
        "{} {}: gate {gate:e} ({:#010x}), up {up:e} ({:#010x}) gives {}, exact {exact:e}: \
         {err} ULP (budget {budget})",
        op.name,
        T::NAME,
        gate.to_bits(),
        up.to_bits(),
        show(got)
    );
}

/// An infinite `up` (outside the budget, which covers finite inputs) times the activation
/// `a = op(gate, 1)`: the kernel computes `a` in f32 and multiplies, so `a` exactly 0 must give
/// NaN (`0 · inf`, the positive quiet NaN), an `a` clear of f32 underflow (more than
/// `ulp_f32 + 1` subnormal steps) must give the reference's infinity, and an `a` in between
/// either of the two.
fn check_infinite_up<T: Bits>(op: &GatedSpec, gate: f32, up: f32, got: T, exact: f64) {
    let activation = (op.reference)(f64::from(gate), 1.0).abs();
    let clear = (op.ulp_f32 + 1.0) * F32_TINY;
    let g = got.to_f32();
    let same_infinity = f64::from(g) == exact;
    let nan = got.bits() == T::CANONICAL_NAN;
    let ok = if activation == 0.0 {
        nan
    } else if activation > clear {
        same_infinity
    } else {
        nan || same_infinity
    };
    assert!(
        ok,
        "{} {}: gate {gate:e} ({:#010x}), up {up:e} gives {}, exact {exact:e} \
         (activation {activation:e})",
        op.name,
        T::NAME,
        gate.to_bits(),
        show(got)
    );
}

fn check_half<T: Half>(
    op: &GatedSpec,
    eval: fn(Kernels, &[T], &[T], &mut [T]),
    gate: &[T],
    up: &[T],
    layout: &Layout,
) {
    let gate_g = Guarded::new(gate, layout.gate_offset);
    let up_g = Guarded::new(up, layout.up_offset);
    let mut scalar: Option<Vec<T>> = None;
    for &k in kernels() {
        let isa = k.isa();
        let mut out = Guarded::output(gate.len(), layout.out_offset);
        eval(k, gate_g.get(), up_g.get(), out.get_mut());
        out.check_guards(&format_args!("{} {} {isa}", op.name, T::NAME));
        let y = out.get();
        assert_elementwise(op, k, eval, (gate, up), y);
        match &scalar {
            None => scalar = Some(y.to_vec()),
            Some(s) => assert_cross(op, isa, "separate slices", (gate, up), s, y),
        }
    }
    let y = scalar.expect("Scalar is always available");
    for i in 0..y.len() {
        check_pair(op, gate[i], up[i], y[i], 1.0);
    }
}
