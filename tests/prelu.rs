//! PReLU (per-channel slopes): every element against the f64 reference with its channel's slope,
//! for f32, bf16 and f16, channel counts that exercise full vectors, tails and single lanes, on
//! every ISA; the same bits on every ISA, in place and out of place, serial and `par`; the
//! shared-slope form equal to leaky_relu; special values; and the size checks' panics.

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};

use common::{all_kernels, show};
use simd_activations::ulp::{ulp_distance, ulp_distance_in};
use simd_activations::{Element, Kernels, bf16, f16, par, reference};

/// Channel counts: one lane, odd tails, exactly one AVX-512 vector and more than the unrolled block.
const CHANNELS: [usize; 7] = [1, 3, 7, 16, 17, 64, 259];

/// `rows` rows of `channels` inputs covering negative and positive magnitudes from 1e-40 to 1e30,
/// and slopes of both signs, deterministic.
fn inputs(rows: usize, channels: usize) -> (Vec<f32>, Vec<f32>) {
    let n = rows * channels;
    let x = (0..n)
        .map(|i| {
            let t = i as f64 / n as f64;
            let sign = if i % 3 == 0 { 1.0 } else { -1.0 };
            (sign * 10f64.powf(-40.0 + 70.0 * t) * (1.0 + (i % 7) as f64 / 7.0)) as f32
        })
        .collect();
    let alpha = (0..channels)
        .map(|c| (0.01 + 0.37 * c as f64 - 0.2 * (c % 2) as f64) as f32)
        .collect();
    (x, alpha)
}

fn check_type<T: Element>(failures: &mut Vec<String>) {
    for channels in CHANNELS {
        let (x, alpha) = inputs(67, channels);
        let x: Vec<T> = x.iter().map(|&v| T::from_f64(f64::from(v))).collect();
        let alpha: Vec<T> = alpha.iter().map(|&v| T::from_f64(f64::from(v))).collect();
        let mut first: Option<Vec<T>> = None;
        for k in all_kernels() {
            let mut out = vec![T::from_f64(0.0); x.len()];
            k.prelu(&x, &alpha, channels, &mut out);
            for (i, (&xi, &yi)) in x.iter().zip(&out).enumerate() {
                let a = f64::from(alpha[i % channels].to_f32());
                let exact = reference::leaky_relu(f64::from(xi.to_f32()), a);
                let err = ulp_distance_in(yi, exact);
                if err.is_nan() || err > 0.5 {
                    failures.push(format!(
                        "{} {} channels {channels}: x[{i}] = {} -> {} ({err} ULP from {exact:e})",
                        T::NAME,
                        k.isa(),
                        show(xi.to_f32()),
                        show(yi.to_f32())
                    ));
                    break;
                }
            }
            let mut inplace = x.clone();
            k.prelu_inplace(&mut inplace, &alpha, channels);
            if bits(&inplace) != bits(&out) {
                failures.push(format!(
                    "{} {} channels {channels}: in place differs",
                    T::NAME,
                    k.isa()
                ));
            }
            match &first {
                None => first = Some(out),
                Some(f) if bits(f) != bits(&out) => failures.push(format!(
                    "{} channels {channels}: {} differs from the first ISA",
                    T::NAME,
                    k.isa()
                )),
                Some(_) => {}
            }
        }
    }
}

fn bits<T: Element>(v: &[T]) -> Vec<u32> {
    v.iter().map(|x| x.to_f32().to_bits()).collect()
}

#[test]
fn every_type_every_isa_within_half_an_ulp_and_identical() {
    let mut failures = Vec::new();
    check_type::<f32>(&mut failures);
    check_type::<bf16>(&mut failures);
    check_type::<f16>(&mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn shared_slope_is_leaky_relu() {
    let (x, _) = inputs(1000, 3);
    for k in all_kernels() {
        let (mut p, mut l) = (vec![0.0f32; x.len()], vec![0.0f32; x.len()]);
        k.prelu(&x, &[0.2], 3, &mut p);
        k.leaky_relu(&x, 0.2, &mut l);
        assert_eq!(
            p.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            l.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
            "{}",
            k.isa()
        );
    }
}

#[test]
fn par_is_bitwise_serial() {
    let channels = 768;
    let (x, alpha) = inputs(1500, channels);
    let mut serial = vec![0.0f32; x.len()];
    Kernels::detect().prelu(&x, &alpha, channels, &mut serial);
    for min_len in [1, 1000, 1 << 15] {
        let p = Kernels::detect().par().with_min_len(min_len);
        let mut out = vec![0.0f32; x.len()];
        p.prelu(&x, &alpha, channels, &mut out);
        let mut inplace = x.clone();
        p.prelu_inplace(&mut inplace, &alpha, channels);
        for y in [&out, &inplace] {
            assert!(
                y.iter()
                    .zip(&serial)
                    .all(|(a, b)| a.to_bits() == b.to_bits()),
                "min_len {min_len}"
            );
        }
    }
    let mut out = vec![0.0f32; x.len()];
    par::prelu(&x, &alpha, channels, &mut out);
    assert!(
        out.iter()
            .zip(&serial)
            .all(|(a, b)| a.to_bits() == b.to_bits())
    );
}

#[test]
fn special_values() {
    let inf = f32::INFINITY;
    let x = [0.0, -0.0, inf, -inf, f32::NAN, -1e-45, f32::MAX, f32::MIN];
    let alpha = [0.5f32];
    let want = [
        0.0,
        -0.0,
        inf,
        -inf,
        f32::NAN,
        -0.0,
        f32::MAX,
        f32::MIN / 2.0,
    ];
    for k in all_kernels() {
        for channels in [1, 8] {
            let slopes = vec![alpha[0]; channels];
            let mut y = [0.0f32; 8];
            k.prelu(&x, &slopes, channels, &mut y);
            for i in 0..8 {
                assert!(
                    y[i].to_bits() == want[i].to_bits() || (y[i].is_nan() && want[i].is_nan()),
                    "{} channels {channels}: prelu({}) = {}, want {}",
                    k.isa(),
                    show(x[i]),
                    show(y[i]),
                    show(want[i])
                );
                assert!(ulp_distance(y[i], f64::from(want[i])) <= 0.5 || want[i].is_nan());
            }
        }
    }
    // a NaN slope gives NaN for negative inputs only, and a zero slope times -inf is NaN: both
    // the positive quiet NaN on every ISA (the ISAs' default NaNs differ in sign); leaky_relu
    // with a zero slope too
    for k in all_kernels() {
        let mut y = [0.0f32; 4];
        k.prelu(
            &[-1.0, 1.0, -inf, -2.0],
            &[f32::NAN, f32::NAN, 0.0, 0.0],
            4,
            &mut y,
        );
        assert_eq!(y[0].to_bits(), 0x7fc0_0000, "{}", k.isa());
        assert_eq!(y[1], 1.0);
        assert_eq!(y[2].to_bits(), 0x7fc0_0000, "{}", k.isa());
        assert_eq!(y[3].to_bits(), (-0.0f32).to_bits());
        let mut l = [0.0f32; 1];
        k.leaky_relu(&[-inf], 0.0, &mut l);
        assert_eq!(l[0].to_bits(), 0x7fc0_0000, "{}", k.isa());
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
    let mut out = [0.0f32; 6];
    let m = panic_message(|| simd_activations::prelu(&x, &[0.1; 3], 0, &mut out));
    assert!(m.contains("prelu") && m.contains("channels = 0"), "{m}");
    let m = panic_message(|| simd_activations::prelu(&x, &[0.1; 4], 4, &mut out));
    assert!(m.contains("not whole rows of channels = 4"), "{m}");
    let m = panic_message(|| simd_activations::prelu(&x, &[0.1; 2], 3, &mut out));
    assert!(m.contains("alpha has 2 slopes") && m.contains("(3)"), "{m}");
    let m = panic_message(|| simd_activations::prelu(&x, &[0.1; 3], 3, &mut [0.0f32; 5]));
    assert!(m.contains("output has 5"), "{m}");
    let m = panic_message(|| simd_activations::prelu_inplace(&mut [1.0f32; 6], &[], 3));
    assert!(
        m.contains("prelu_inplace") && m.contains("alpha has 0"),
        "{m}"
    );
    let m = panic_message(|| par::prelu(&x, &[0.1; 2], 3, &mut out));
    assert!(m.starts_with("simd_activations::par::prelu:"), "{m}");
    // empty input with a valid shape is fine
    simd_activations::prelu::<f32>(&[], &[0.1; 3], 3, &mut []);
}
