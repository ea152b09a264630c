//! Fuzz target `contract`: the documented size-mismatch panics (README: "Sizes that do not fit
//! … panic with the function's name and the sizes"; `check_map`, `check_gated`, `check_rows`,
//! `check_interleaved` in `src/kernels.rs`).
//!
//! Input: byte 0 picks the entry point (see [`Form`]: out-of-place unary ops in f32, bf16,
//! f16, as free function and `Par`; gated ops in separate slices (f32, bf16, f16), in place,
//! rows, interleaved, as free function and the three `Par` forms), byte 1 the op, then three
//! little-endian `u16` lengths (mod 320) and a width byte (0 to 255). Buffers of those lengths
//! (zeros) are passed to the function; for unary ops the lengths are input and output, for
//! gated ops gate (or `gate_up`), up and output.
//!
//! The expected outcome is computed from the sizes: unary `x.len() != out.len()`; separate
//! slices unless `gate == up == out`; in place unless `gate == up`; rows unless `width > 0`,
//! `gate_up` a multiple of `2 · width` and `out` half of it; interleaved unless
//! `gate_up == 2 · out`. The call must panic exactly then, with a message that starts with
//! `simd_activations::NAME:` (`NAME` the function: `swiglu_rows`, `geglu_inplace`, …) and
//! mentions each size involved; a call that fits must not panic at all, and any other panic
//! is a bug. `Par` is `Kernels::detect().par().with_min_len(0)`, so fitting calls of 128
//! elements or more are split over rayon chunks.
//!
//! libFuzzer's panic hook aborts, so panics are caught with
//! `simd_activations_fuzz::catch_panic` (a hook that stays silent for the call under test, then
//! `catch_unwind`). That needs an unwinding build, which `cargo fuzz build` is (it does not pass
//! `-Cpanic=abort`); were it built with `panic=abort`, the target would only make the calls
//! that must not panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use simd_activations::catalogue::{GATED, OPS};
use simd_activations::{Kernels, bf16, f16};
use simd_activations_fuzz::{CAN_UNWIND, Reader, catch_panic};

/// The entry points: `Form::ALL[byte 0 % 15]`.
#[derive(Clone, Copy, Debug)]
enum Form {
    UnaryF32,
    UnaryBf16,
    UnaryF16,
    UnaryFree,
    UnaryPar,
    GatedF32,
    GatedBf16,
    GatedF16,
    GatedInplace,
    GatedRows,
    GatedInterleaved,
    GatedFree,
    GatedPar,
    GatedParRows,
    GatedParInterleaved,
}

impl Form {
    const ALL: [Form; 15] = [
        Form::UnaryF32,
        Form::UnaryBf16,
        Form::UnaryF16,
        Form::UnaryFree,
        Form::UnaryPar,
        Form::GatedF32,
        Form::GatedBf16,
        Form::GatedF16,
        Form::GatedInplace,
        Form::GatedRows,
        Form::GatedInterleaved,
        Form::GatedFree,
        Form::GatedPar,
        Form::GatedParRows,
        Form::GatedParInterleaved,
    ];
}

/// Lengths mod this (above 2 × 64, the smallest slice `Par` splits).
const MAX_SIZE: u16 = 320;

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    let form = Form::ALL[usize::from(r.byte()) % Form::ALL.len()];
    let pick = usize::from(r.byte());
    let a = usize::from(r.u16() % MAX_SIZE);
    let b = usize::from(r.u16() % MAX_SIZE);
    let c = usize::from(r.u16() % MAX_SIZE);
    let width = usize::from(r.byte());
    check(form, pick, a, b, c, width);
});

fn check(form: Form, pick: usize, a: usize, b: usize, c: usize, width: usize) {
    let k = Kernels::detect();
    let par = k.par().with_min_len(0);
    let unary = &OPS[pick % OPS.len()];
    let gated = &GATED[pick % GATED.len()];
    let (f32a, f32b) = (vec![0.0_f32; a], vec![0.0_f32; b]);
    let mut f32c = vec![0.0_f32; c];
    // (function name, whether the contract says it panics, sizes its message must give, call)
    let (name, must_panic, sizes, call): (String, bool, Vec<usize>, Box<dyn FnOnce() + '_>) =
        match form {
            Form::UnaryF32 | Form::UnaryFree | Form::UnaryPar => {
                let mut out = vec![0.0_f32; b];
                let call: Box<dyn FnOnce()> = match form {
                    Form::UnaryF32 => Box::new(move || (unary.eval_f32)(k, &f32a, &mut out)),
                    Form::UnaryFree => Box::new(move || (unary.free_f32)(&f32a, &mut out)),
                    _ => Box::new(move || (unary.par_f32)(par, &f32a, &mut out)),
                };
                (unary.name.to_string(), a != b, vec![a, b], call)
            }
            Form::UnaryBf16 => {
                let (x, mut out) = (vec![bf16::ZERO; a], vec![bf16::ZERO; b]);
                let call = Box::new(move || (unary.eval_bf16)(k, &x, &mut out));
                (unary.name.to_string(), a != b, vec![a, b], call)
            }
            Form::UnaryF16 => {
                let (x, mut out) = (vec![f16::ZERO; a], vec![f16::ZERO; b]);
                let call = Box::new(move || (unary.eval_f16)(k, &x, &mut out));
                (unary.name.to_string(), a != b, vec![a, b], call)
            }
            Form::GatedF32 | Form::GatedFree | Form::GatedPar => {
                let call: Box<dyn FnOnce()> = match form {
                    Form::GatedF32 => Box::new(|| (gated.eval_f32)(k, &f32a, &f32b, &mut f32c)),
                    Form::GatedFree => Box::new(|| (gated.free_f32)(&f32a, &f32b, &mut f32c)),
                    _ => Box::new(|| (gated.par_f32)(par, &f32a, &f32b, &mut f32c)),
                };
                let fits = a == b && b == c;
                (gated.name.to_string(), !fits, vec![a, b, c], call)
            }
            Form::GatedBf16 => {
                let (g, u) = (vec![bf16::ZERO; a], vec![bf16::ZERO; b]);
                let mut out = vec![bf16::ZERO; c];
                let call = Box::new(move || (gated.eval_bf16)(k, &g, &u, &mut out));
                let fits = a == b && b == c;
                (gated.name.to_string(), !fits, vec![a, b, c], call)
            }
            Form::GatedF16 => {
                let (g, u) = (vec![f16::ZERO; a], vec![f16::ZERO; b]);
                let mut out = vec![f16::ZERO; c];
                let call = Box::new(move || (gated.eval_f16)(k, &g, &u, &mut out));
                let fits = a == b && b == c;
                (gated.name.to_string(), !fits, vec![a, b, c], call)
            }
            Form::GatedInplace => {
                let mut g = vec![0.0_f32; a];
                let call = Box::new(move || (gated.inplace_f32)(k, &mut g, &f32b));
                (format!("{}_inplace", gated.name), a != b, vec![a, b], call)
            }
            Form::GatedRows | Form::GatedParRows => {
                let call: Box<dyn FnOnce()> = match form {
                    Form::GatedRows => Box::new(|| (gated.rows_f32)(k, &f32a, width, &mut f32c)),
                    _ => Box::new(|| (gated.par_rows_f32)(par, &f32a, width, &mut f32c)),
                };
                let fits = width > 0 && a.is_multiple_of(2 * width) && 2 * c == a;
                (
                    format!("{}_rows", gated.name),
                    !fits,
                    vec![a, c, width],
                    call,
                )
            }
            Form::GatedInterleaved | Form::GatedParInterleaved => {
                let call: Box<dyn FnOnce()> = match form {
                    Form::GatedInterleaved => {
                        Box::new(|| (gated.interleaved_f32)(k, &f32a, &mut f32c))
                    }
                    _ => Box::new(|| (gated.par_interleaved_f32)(par, &f32a, &mut f32c)),
                };
                (
                    format!("{}_interleaved", gated.name),
                    a != 2 * c,
                    vec![a, c],
                    call,
                )
            }
        };
    let what = format!("{form:?} {name} with sizes {a}, {b}, {c}, width {width}");
    if !CAN_UNWIND {
        // No unwinding: only the calls that must return can be made (a panic is a crash).
        if !must_panic {
            call();
        }
        return;
    }
    match (catch_panic(call), must_panic) {
        (Ok(()), false) => {}
        (Ok(()), true) => panic!("{what}: returned, but the sizes do not fit: it must panic"),
        (Err(msg), false) => panic!("{what}: the sizes fit, yet it panicked: {msg}"),
        (Err(msg), true) => {
            let prefix = format!("simd_activations::{name}:");
            assert!(
                msg.starts_with(&prefix),
                "{what}: panic message does not start with {prefix:?}: {msg}"
            );
            let numbers = numbers_in(&msg[prefix.len()..]);
            for s in sizes {
                assert!(
                    numbers.contains(&s),
                    "{what}: panic message does not give the size {s}: {msg}"
                );
            }
        }
    }
}

/// The decimal numbers in `s`.
fn numbers_in(s: &str) -> Vec<usize> {
    s.split(|ch: char| !ch.is_ascii_digit())
        .filter(|w| !w.is_empty())
        .filter_map(|w| w.parse().ok())
        .collect()
}
