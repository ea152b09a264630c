//! The PReLU backward pass: `grad_in` correctly rounded and `grad_alpha` within its documented
//! bound (0.5 ULP of the type plus `2^-44 Σ|x g|`) against the f64 reference, for f32 (dense
//! sweeps of bit patterns), bf16 and f16 (every input of the type), channel counts that exercise
//! tails and repeats, per-channel and shared slopes; the same bits on every ISA, in place and out
//! of place, serial and `par` at several thread counts; special values; the size checks' panics.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, show};
use simd_activations::catalogue::consts::PARAMETER_SUM_ERROR;
use simd_activations::ulp::{ulp_distance_in, ulp_of_in};
use simd_activations::{Element, Kernels, bf16, f16, par, reference};

/// Channel counts: one lane, odd tails, one AVX-512 vector, repeats to 256 and none.
const CHANNELS: [usize; 8] = [1, 3, 7, 16, 17, 64, 259, 768];

/// Deterministic gradients spread over about ±4, with some exact zeros and large magnitudes.
fn grads(n: usize) -> Vec<f32> {
    (0..n)
        .map(|i| match i % 53 {
            0 => 0.0,
            1 => 3.0e20,
            _ => ((i as f64 * 0.618_034).fract() * 8.0 - 4.0) as f32,
        })
        .collect()
}

/// Slopes of both signs.
fn slopes(channels: usize) -> Vec<f32> {
    (0..channels)
        .map(|c| (0.01 + 0.37 * c as f64 - 0.2 * (c % 2) as f64) as f32)
        .collect()
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

/// Runs the backward pass of `x` (as `T`) on every ISA: checks accuracy on the first, the same
/// bits on the others and in place. Returns the worst `grad_alpha` error as a fraction of its
/// bound and the worst `grad_in` error in ULP.
fn check<T: Element>(
    x: &[f32],
    g: &[f32],
    alpha: &[f32],
    channels: usize,
    failures: &mut Vec<String>,
) -> (f64, f64) {
    let x: Vec<T> = x.iter().map(|&v| T::from_f32(v)).collect();
    let g: Vec<T> = g.iter().map(|&v| T::from_f32(v)).collect();
    let alpha: Vec<T> = alpha.iter().map(|&v| T::from_f32(v)).collect();
    let wide = |v: &[T]| v.iter().map(|e| f64::from(e.to_f32())).collect::<Vec<_>>();
    let (x64, g64, a64) = (wide(&x), wide(&g), wide(&alpha));
    let (want_in, want_alpha) = reference::prelu_backward(&x64, &g64, &a64, channels);
    let stride = if alpha.len() == 1 { 1 } else { channels };
    let abs_sum: Vec<f64> = (0..alpha.len())
        .map(|c| {
            (c..x.len())
                .step_by(stride)
                .filter(|&i| x64[i] <= 0.0 || x64[i].is_nan())
                .map(|i| (x64[i] * g64[i]).abs())
                .sum()
        })
        .collect();
    let mut first: Option<(Vec<u32>, Vec<u32>)> = None;
    let (mut worst_alpha, mut worst_in) = (0.0_f64, 0.0_f64);
    let what = format!("{} channels {channels} slopes {}", T::NAME, alpha.len());
    for k in all_kernels() {
        let mut grad_in = vec![T::from_f32(0.0); x.len()];
        let mut grad_alpha = vec![T::from_f32(0.0); alpha.len()];
        k.prelu_backward(&x, &g, &alpha, channels, &mut grad_in, &mut grad_alpha);
        if first.is_none() {
            for (i, (&y, &exact)) in grad_in.iter().zip(&want_in).enumerate() {
                let err = ulp_distance_in(y, exact);
                let ok = if exact.is_nan() {
                    y.to_f32().is_nan()
                } else {
                    err <= 0.5
                };
                if !ok {
                    failures.push(format!(
                        "{what} {}: grad_in[{i}] at x = {}, g = {}: {} ({err} ULP from {exact:e})",
                        k.isa(),
                        show(x[i].to_f32()),
                        show(g[i].to_f32()),
                        show(y.to_f32())
                    ));
                    break;
                }
                if err.is_finite() {
                    worst_in = worst_in.max(err);
                }
            }
            for (c, (&y, &exact)) in grad_alpha.iter().zip(&want_alpha).enumerate() {
                let got = f64::from(y.to_f32());
                let lim = 0.5 * ulp_of_in::<T>(exact)
                    + f64::from(PARAMETER_SUM_ERROR) * abs_sum[c]
                    // The compensated reference sum's own rounding.
                    + 2f64.powi(-52) * exact.abs();
                let ok = if exact.is_nan() {
                    y.to_f32().to_bits() == 0x7FC0_0000
                } else if T::from_f64(exact).to_f32().is_infinite() {
                    got == f64::from(T::from_f64(exact).to_f32())
                } else {
                    worst_alpha = worst_alpha.max((got - exact).abs() / lim);
                    (got - exact).abs() <= lim
                };
                if !ok {
                    failures.push(format!(
                        "{what} {}: grad_alpha[{c}] = {got:e}, exact {exact:e} (bound {lim:e})",
                        k.isa()
                    ));
                }
            }
        }
        let mut inplace = g.clone();
        let mut inplace_alpha = vec![T::from_f32(0.0); alpha.len()];
        k.prelu_backward_inplace(&x, &mut inplace, &alpha, channels, &mut inplace_alpha);
        if bits(&inplace) != bits(&grad_in) || bits(&inplace_alpha) != bits(&grad_alpha) {
            failures.push(format!("{what} {}: in place differs", k.isa()));
        }
        let got = (bits(&grad_in), bits(&grad_alpha));
        match &first {
            None => first = Some(got),
            Some(f) if *f != got => {
                failures.push(format!("{what}: {} differs from the first ISA", k.isa()))
            }
            Some(_) => {}
        }
    }
    (worst_alpha, worst_in)
}

/// Every `stride`-th f32 bit pattern, cut to whole rows of `channels`.
fn f32_patterns(stride: u32, channels: usize) -> Vec<f32> {
    let mut x: Vec<f32> = (0..=u32::MAX / stride)
        .map(|i| f32::from_bits(i.wrapping_mul(stride)))
        .filter(|v| !v.is_nan() && v.abs() < 1e30)
        .collect();
    x.truncate(x.len() - x.len() % channels);
    x
}

#[test]
fn f32_sweep_every_channel_count_every_isa() {
    let mut failures = Vec::new();
    let mut notes = Vec::new();
    for channels in CHANNELS {
        let x = f32_patterns(4099 * common::thin() as u32, channels);
        let g = grads(x.len());
        for alpha in [slopes(channels), vec![0.25]] {
            let (wa, wi) = check::<f32>(&x, &g, &alpha, channels, &mut failures);
            notes.push(format!("{channels}/{}: {wa:.3} {wi:.2}", alpha.len()));
        }
    }
    // Values in [-8, 8], where the slope terms are of one magnitude and cancel little.
    let x: Vec<f32> = (0..300_000)
        .map(|i| ((i as f64 * 0.754_877_7).fract() * 16.0 - 8.0) as f32)
        .collect();
    let (wa, wi) = check::<f32>(&x, &grads(x.len()), &slopes(768)[..600], 600, &mut failures);
    notes.push(format!("dense 600: {wa:.3} {wi:.2}"));
    common::note(&format!(
        "prelu_backward f32: worst grad_alpha error / bound, grad_in ULP: {}",
        notes.join(", ")
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every input of a 16-bit type (NaNs left out: checked in `special_values`), in rows of
/// `channels`, with gradients of the type.
fn check_half<T: Element>(from_bits: fn(u16) -> T, failures: &mut Vec<String>) -> (f64, f64) {
    let mut worst = (0.0_f64, 0.0_f64);
    for channels in [1, 3, 256] {
        let mut x: Vec<f32> = (0..=u16::MAX)
            .map(|b| from_bits(b).to_f32())
            .filter(|v| !v.is_nan())
            .collect();
        x.truncate(x.len() - x.len() % channels);
        let g: Vec<f32> = grads(x.len())
            .iter()
            .map(|&v| T::from_f32(v).to_f32())
            .collect();
        for alpha in [slopes(channels), vec![-0.75]] {
            let (wa, wi) = check::<T>(&x, &g, &alpha, channels, failures);
            worst = (worst.0.max(wa), worst.1.max(wi));
        }
    }
    worst
}

#[test]
fn every_bf16_and_f16_input() {
    let mut failures = Vec::new();
    let b = check_half::<bf16>(bf16::from_bits, &mut failures);
    let h = check_half::<f16>(f16::from_bits, &mut failures);
    common::note(&format!(
        "prelu_backward: worst grad_alpha error / bound, grad_in ULP: bf16 {:.3} {:.2}, f16 {:.3} {:.2}",
        b.0, b.1, h.0, h.1
    ));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shared_slope_grad_in_is_leaky_relu_backward() {
    let x = f32_patterns(65537, 1);
    let g = grads(x.len());
    for k in all_kernels() {
        let (mut p, mut l) = (vec![0.0f32; x.len()], vec![0.0f32; x.len()]);
        k.prelu_backward(&x, &g, &[0.2], 1, &mut p, &mut [0.0]);
        k.leaky_relu_backward(&x, &g, 0.2, &mut l);
        assert_eq!(bits(&p), bits(&l), "{}", k.isa());
    }
}

#[test]
fn par_is_bitwise_serial_for_any_thread_count() {
    for (channels, alpha) in [(768, slopes(768)), (5, slopes(5)), (768, vec![0.1])] {
        let rows = 1_000_000 / channels;
        let x: Vec<f32> = (0..rows * channels)
            .map(|i| ((i as f64 * 0.754_877_7).fract() * 16.0 - 8.0) as f32)
            .collect();
        let g = grads(x.len());
        let k = Kernels::detect();
        let mut serial = (vec![0.0f32; x.len()], vec![0.0f32; alpha.len()]);
        k.prelu_backward(&x, &g, &alpha, channels, &mut serial.0, &mut serial.1);
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            for min_len in [0, 1 << 15] {
                let p = k.par().with_min_len(min_len);
                let mut out = (vec![0.0f32; x.len()], vec![0.0f32; alpha.len()]);
                pool.install(|| p.prelu_backward(&x, &g, &alpha, channels, &mut out.0, &mut out.1));
                assert_eq!(bits(&out.0), bits(&serial.0), "{threads} threads");
                assert_eq!(bits(&out.1), bits(&serial.1), "{threads} threads");
                let mut inplace = g.clone();
                let mut ga = vec![0.0f32; alpha.len()];
                pool.install(|| {
                    p.prelu_backward_inplace(&x, &mut inplace, &alpha, channels, &mut ga)
                });
                assert_eq!(
                    bits(&inplace),
                    bits(&serial.0),
                    "{threads} threads in place"
                );
                assert_eq!(bits(&ga), bits(&serial.1), "{threads} threads in place");
            }
        }
        let mut out = (vec![0.0f32; x.len()], vec![0.0f32; alpha.len()]);
        par::prelu_backward(&x, &g, &alpha, channels, &mut out.0, &mut out.1);
        assert_eq!(
            (bits(&out.0), bits(&out.1)),
            (bits(&serial.0), bits(&serial.1))
        );
        let mut free = (vec![0.0f32; x.len()], vec![0.0f32; alpha.len()]);
        simd_activations::prelu_backward(&x, &g, &alpha, channels, &mut free.0, &mut free.1);
        assert_eq!(
            (bits(&free.0), bits(&free.1)),
            (bits(&serial.0), bits(&serial.1))
        );
    }
}

#[test]
fn special_values() {
    let inf = f32::INFINITY;
    let nan = f32::from_bits(0xFFC0_0042);
    for k in all_kernels() {
        // x = 0 (either sign) takes the slope side; NaN x passes its bits to grad_in.
        let x = [0.0, -0.0, inf, -inf, nan, 1e-45, -1e-45, 2.0];
        let g = [2.0, 2.0, 3.0, 3.0, 1.0, 1.0, 1.0, f32::NAN];
        let mut gi = [0.0f32; 8];
        let mut ga = [0.0f32; 8];
        let alpha = [0.5f32; 8];
        k.prelu_backward(&x, &g, &alpha, 8, &mut gi, &mut ga);
        let want = [1.0, 1.0, 3.0, 1.5];
        assert_eq!(&gi[..4], &want, "{}", k.isa());
        assert_eq!(gi[4].to_bits(), nan.to_bits(), "{}", k.isa());
        assert_eq!(gi[5], 1.0);
        assert_eq!(gi[6], 0.5);
        assert!(gi[7].is_nan());
        assert_eq!(
            bits(&ga[..4]),
            bits(&[0.0f32, 0.0, 0.0, -3.0 * inf]),
            "{}",
            k.isa()
        );
        assert_eq!(ga[4].to_bits(), 0x7FC0_0000, "{}", k.isa());
        assert_eq!(ga[6].to_bits(), 0x8000_0001, "the smallest subnormal, kept");
        assert_eq!(ga[7], 0.0, "a positive x ignores a NaN gradient");
        // Infinite terms of both signs: NaN; one sign: inf; an x = 0 with an infinite
        // gradient: 0 · inf, NaN (PyTorch's `x · g`).
        let mut one = [0.0f32];
        k.prelu_backward(
            &[-inf, -inf],
            &[1.0, -1.0],
            &[0.5],
            2,
            &mut [0.0; 2],
            &mut one,
        );
        assert_eq!(one[0].to_bits(), 0x7FC0_0000, "{}", k.isa());
        k.prelu_backward(
            &[-1e30, -1e30],
            &[1e30, 1e30],
            &[0.5],
            2,
            &mut [0.0; 2],
            &mut one,
        );
        assert_eq!(one[0], -inf, "an f32 overflow of the f64 sum");
        k.prelu_backward(&[0.0], &[inf], &[0.5], 1, &mut [0.0], &mut one);
        assert_eq!(one[0].to_bits(), 0x7FC0_0000, "{}", k.isa());
        // Empty input: zero gradients (overwritten, not accumulated).
        let mut two = [7.0f32; 2];
        k.prelu_backward::<f32>(&[], &[], &[0.5, 0.5], 2, &mut [], &mut two);
        assert_eq!(two, [0.0, 0.0]);
    }
}

fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("must panic");
    payload
        .downcast_ref::<String>()
        .cloned()
        .unwrap_or_default()
}

#[test]
fn sizes_are_checked_with_clear_messages() {
    let x = [1.0f32; 6];
    let g = [1.0f32; 6];
    let mut gi = [0.0f32; 6];
    let m = panic_message(|| {
        simd_activations::prelu_backward(&x, &g, &[0.1; 3], 0, &mut gi, &mut [0.0; 3])
    });
    assert!(
        m.contains("prelu_backward") && m.contains("channels = 0"),
        "{m}"
    );
    let m = panic_message(|| {
        simd_activations::prelu_backward(&x, &g, &[0.1; 2], 3, &mut gi, &mut [0.0; 2])
    });
    assert!(m.contains("alpha has 2 slopes"), "{m}");
    let m = panic_message(|| {
        simd_activations::prelu_backward(&x, &g[..5], &[0.1; 3], 3, &mut gi, &mut [0.0; 3])
    });
    assert!(m.contains("grad_out 5"), "{m}");
    let m = panic_message(|| {
        simd_activations::prelu_backward(&x, &g, &[0.1; 3], 3, &mut [0.0; 7], &mut [0.0; 3])
    });
    assert!(m.contains("grad_in 7"), "{m}");
    let m = panic_message(|| {
        simd_activations::prelu_backward(&x, &g, &[0.1; 3], 3, &mut gi, &mut [0.0; 1])
    });
    assert!(
        m.contains("grad_alpha has 1 elements but alpha has 3"),
        "{m}"
    );
    let m = panic_message(|| {
        simd_activations::prelu_backward_inplace(&x, &mut [1.0; 4], &[0.1], 3, &mut [0.0])
    });
    assert!(
        m.contains("prelu_backward_inplace") && m.contains("grad_out 4"),
        "{m}"
    );
    let m = panic_message(|| par::prelu_backward(&x, &g, &[0.1; 3], 3, &mut gi, &mut [0.0; 2]));
    assert!(
        m.starts_with("simd_activations::par::prelu_backward:"),
        "{m}"
    );
    let m = panic_message(|| {
        par::prelu_backward_inplace(&x, &mut [1.0; 6], &[0.1; 4], 3, &mut [0.0; 4])
    });
    assert!(
        m.starts_with("simd_activations::par::prelu_backward_inplace:"),
        "{m}"
    );
}
