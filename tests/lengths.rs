//! Slice lengths and alignment: for every op and ISA, every length 0..=70 (and a few longer ones
//! around the unrolled main loop) at every start offset 0..=7 inside a larger buffer gives the
//! same bits as one long call over the whole buffer, in place and out of place; out-of-place
//! calls write nothing outside `out` and in-place calls nothing outside the slice; mismatched
//! lengths panic with a message naming the function and both lengths.

mod common;

use std::any::Any;
use std::fmt::Write as _;
use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, free_fns, inplace_fn, scrambled_inputs};
use simd_activations::Kernels;
use simd_activations::catalogue::{OPS, OpSpec};

/// Lengths checked at every offset: all of 0..=70, then some around 2, 4 and 8 vectors of 16
/// lanes times the unroll (the main loop of the widest ISA handles 64 elements at a time).
fn lengths() -> Vec<usize> {
    (0..=70)
        .chain([95, 96, 97, 127, 128, 129, 191, 192, 193, 255, 256, 257])
        .collect()
}

const OFFSETS: usize = 8;

/// Marks elements of `out` that must not be written (a NaN no op returns).
const SENTINEL: u32 = 0x7fa5_a5a5;

/// Inputs spread over the op's sweep interval in a scrambled order, with special values mixed in.
fn buffer(op: &OpSpec, n: usize) -> Vec<f32> {
    scrambled_inputs(n, op.sweep.0, op.sweep.1, 0)
}

fn bits(x: &[f32]) -> Vec<u32> {
    x.iter().map(|v| v.to_bits()).collect()
}

#[test]
fn every_length_and_offset_matches_one_long_call() {
    let lengths = lengths();
    let total = OFFSETS + lengths.iter().max().unwrap() + OFFSETS;
    let mut failures = String::new();
    let mut fail = |msg: String| {
        if failures.lines().count() < 40 {
            writeln!(failures, "{msg}").unwrap();
        }
    };
    for k in all_kernels() {
        let isa = k.isa();
        for op in OPS {
            let inplace = inplace_fn(op.name);
            let x = buffer(op, total);
            let mut whole = vec![0.0; total];
            (op.eval_f32)(k, &x, &mut whole);
            let whole = bits(&whole);
            let mut whole_inplace = x.clone();
            inplace(k, &mut whole_inplace);
            if bits(&whole_inplace) != whole {
                fail(format!(
                    "{} on {isa}: in place differs from out of place over {total} elements",
                    op.name
                ));
            }
            for &n in &lengths {
                for o in 0..OFFSETS {
                    let want = &whole[o..o + n];
                    // in place: the slice gets the long call's bits, its surroundings stay put
                    let mut buf = x.clone();
                    inplace(k, &mut buf[o..o + n]);
                    let got = bits(&buf);
                    if &got[o..o + n] != want {
                        fail(format!(
                            "{} on {isa}, in place, offset {o}, length {n}: differs from one long call",
                            op.name
                        ));
                    }
                    if got[..o] != bits(&x[..o]) || got[o + n..] != bits(&x[o + n..]) {
                        fail(format!(
                            "{} on {isa}, in place, offset {o}, length {n}: wrote outside the slice",
                            op.name
                        ));
                    }
                    // out of place, with `out` at a different misalignment than `x`
                    let p = (o * 5 + 3) % OFFSETS;
                    let mut out = vec![f32::from_bits(SENTINEL); total];
                    (op.eval_f32)(k, &x[o..o + n], &mut out[p..p + n]);
                    let got = bits(&out);
                    if &got[p..p + n] != want {
                        fail(format!(
                            "{} on {isa}, out of place, input offset {o}, output offset {p}, length {n}: \
                             differs from one long call",
                            op.name
                        ));
                    }
                    if got[..p].iter().chain(&got[p + n..]).any(|&b| b != SENTINEL) {
                        fail(format!(
                            "{} on {isa}, out of place, output offset {p}, length {n}: wrote outside `out`",
                            op.name
                        ));
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures}");
}

/// Empty slices through every entry point: `eval_f32`, the `Kernels` methods and the free
/// functions, in place and out of place.
#[test]
fn empty_slices_are_fine() {
    for k in all_kernels() {
        for op in OPS {
            (op.eval_f32)(k, &[], &mut []);
            inplace_fn(op.name)(k, &mut []);
            let free = free_fns(op.name);
            (free.inplace)(&mut []);
            (free.out_of_place)(&[], &mut []);
        }
        let mut empty: [f32; 0] = [];
        k.swish_inplace(&mut empty, 0.5);
        k.swish(&[], 2.0, &mut empty);
    }
}

/// The panic message of `f`, if it panics.
fn panic_message(f: impl FnOnce()) -> Option<String> {
    let payload: Box<dyn Any + Send> = catch_unwind(AssertUnwindSafe(f)).err()?;
    Some(
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "<non-string panic payload>".to_string()),
    )
}

/// Checks that `f` panics with `simd_activations::{name}: input has {a} elements but output has
/// {b}`.
fn expect_mismatch_panic(
    name: &str,
    a: usize,
    b: usize,
    via: &str,
    f: impl FnOnce(),
) -> Option<String> {
    let want = format!("simd_activations::{name}: input has {a} elements but output has {b}");
    match panic_message(f) {
        None => Some(format!(
            "{via}: {name} with lengths {a} and {b} did not panic"
        )),
        Some(msg) if msg.contains(&want) => None,
        Some(msg) => Some(format!(
            "{via}: {name} panicked with {msg:?}, expected it to contain {want:?}"
        )),
    }
}

const MISMATCHES: [(usize, usize); 4] = [(5, 4), (4, 5), (0, 3), (70, 0)];

/// Every op through the catalogue's `eval_f32` (which is the `Kernels` method) on every ISA.
#[test]
fn mismatched_lengths_panic_with_name_and_lengths() {
    let mut failures = Vec::new();
    for k in all_kernels() {
        for op in OPS {
            for (a, b) in MISMATCHES {
                let (x, mut out) = (vec![1.0f32; a], vec![0.0f32; b]);
                let via = format!("eval_f32 on {}", k.isa());
                failures.extend(expect_mismatch_panic(op.name, a, b, &via, || {
                    (op.eval_f32)(k, &x, &mut out)
                }));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A few ops called by name: `Kernels` methods and free functions, swish with its parameter.
#[test]
fn mismatched_lengths_panic_in_methods_and_free_functions() {
    let mut failures = Vec::new();
    let k = Kernels::detect();
    for (a, b) in MISMATCHES {
        let x = vec![0.5f32; a];
        let mut out = vec![0.0f32; b];
        let mut check = |name: &str, via: &str, f: &mut dyn FnMut(&[f32], &mut [f32])| {
            failures.extend(expect_mismatch_panic(name, a, b, via, || f(&x, &mut out)));
        };
        check("swish", "Kernels::swish", &mut |x, o| k.swish(x, 1.702, o));
        check("swish", "simd_activations::swish", &mut |x, o| {
            simd_activations::swish(x, -1.0, o)
        });
        check("silu", "Kernels::silu", &mut |x, o| k.silu(x, o));
        check("silu", "simd_activations::silu", &mut |x, o| {
            simd_activations::silu(x, o)
        });
        check("gelu_tanh", "simd_activations::gelu_tanh", &mut |x, o| {
            simd_activations::gelu_tanh(x, o)
        });
        check("relu", "Kernels::relu", &mut |x, o| k.relu(x, o));
        check("exp", "simd_activations::exp", &mut |x, o| {
            simd_activations::exp(x, o)
        });
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
