//! The only ISA-specific code of the crate: moving 16-bit elements in and out of 32-bit lanes,
//! the hardware f16 conversions, and splitting interleaved pairs. Everything else is the shared
//! generic body. Each shim has a portable version (used by `Scalar` and NEON) that gives the same
//! lanes as the ISA-specific one; `tests` below check them against each other.
//!
//! A shim finds out which ISA it runs on from the type `S` (`TypeId`, resolved at compile time),
//! so no branch is left in the compiled loop.
#![allow(unsafe_code)]

use pulp::Simd;

/// `simd` as the concrete ISA type `I`, when `S` is `I`.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn concrete<S: Simd, I: Simd>(simd: S) -> Option<I> {
    (&simd as &dyn std::any::Any).downcast_ref::<I>().copied()
}

/// Lanes of `S::u32s`, as a slice.
#[inline(always)]
fn u32_lanes<S: Simd>(v: &mut [S::u32s; 2]) -> &mut [u32] {
    bytemuck::cast_slice_mut(v)
}

/// Whether `S`'s `max_f32s(a, x)` and `min_f32s(a, x)` return `x` itself, bit for bit, when
/// the comparison is false or equal: when either is NaN, and when both are zeros of either sign
/// (x86's `maxps`/`minps` return their second operand then). NEON's `fmax`/`fmin` quiet a
/// signalling NaN and order the zeros, the scalar `max` drops NaN: there the bodies restore the
/// NaN and the sign of zero themselves.
#[inline(always)]
pub(crate) fn min_max_return_second<S: Simd>(simd: S) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        if concrete::<S, V3>(simd).is_some() || concrete::<S, V4>(simd).is_some() {
            return true;
        }
    }
    let _ = simd;
    false
}

/// Zero-extends `2 · S::F32_LANES` 16-bit values to two vectors of u32 lanes, in order.
#[inline(always)]
pub(crate) fn widen_u16<S: Simd>(simd: S, src: &[u16]) -> [S::u32s; 2] {
    let half = S::F32_LANES;
    debug_assert_eq!(src.len(), 2 * half);
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        if let Some(v4) = concrete::<S, V4>(simd) {
            let lo = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[..half]));
            let hi = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[half..]));
            return bytemuck::cast([
                v4.avx512f._mm512_cvtepu16_epi32(lo),
                v4.avx512f._mm512_cvtepu16_epi32(hi),
            ]);
        }
        if let Some(v3) = concrete::<S, V3>(simd) {
            let lo = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[..half]));
            let hi = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[half..]));
            return bytemuck::cast([
                v3.avx2._mm256_cvtepu16_epi32(lo),
                v3.avx2._mm256_cvtepu16_epi32(hi),
            ]);
        }
    }
    let mut out = [simd.splat_u32s(0); 2];
    for (o, &s) in u32_lanes::<S>(&mut out).iter_mut().zip(src) {
        *o = u32::from(s);
    }
    out
}

/// Writes the low 16 bits of every u32 lane of `v`, in order, to `dst` (`2 · S::F32_LANES` long).
#[inline(always)]
pub(crate) fn narrow_u16<S: Simd>(simd: S, v: [S::u32s; 2], dst: &mut [u16]) {
    let half = S::F32_LANES;
    debug_assert_eq!(dst.len(), 2 * half);
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        if let Some(v4) = concrete::<S, V4>(simd) {
            let [lo, hi]: [std::arch::x86_64::__m512i; 2] = bytemuck::cast(v);
            let packed = [
                v4.avx512f._mm512_cvtepi32_epi16(lo),
                v4.avx512f._mm512_cvtepi32_epi16(hi),
            ];
            dst.copy_from_slice(bytemuck::cast_slice(&packed));
            return;
        }
        if let Some(v3) = concrete::<S, V3>(simd) {
            let [lo, hi]: [std::arch::x86_64::__m256i; 2] = bytemuck::cast(v);
            let mask = v3.avx._mm256_set1_epi32(0xFFFF);
            // packus saturates signed inputs: clearing the high halves makes it a truncation.
            let packed = v3.avx2._mm256_packus_epi32(
                v3.avx2._mm256_and_si256(lo, mask),
                v3.avx2._mm256_and_si256(hi, mask),
            );
            // packus works per 128-bit half: lo0 hi0 lo1 hi1 -> lo0 lo1 hi0 hi1.
            let ordered = v3.avx2._mm256_permute4x64_epi64::<0b11_01_10_00>(packed);
            dst.copy_from_slice(bytemuck::cast_slice(&[ordered]));
            return;
        }
    }
    let _ = simd;
    let mut v = v;
    for (d, &s) in dst.iter_mut().zip(u32_lanes::<S>(&mut v).iter()) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "keeping the low 16 bits is the definition of this shim"
        )]
        let low = s as u16;
        *d = low;
    }
}

/// Hardware binary16 to f32 of `2 · S::F32_LANES` values in order, where the ISA has it (F16C
/// with AVX2, AVX-512F); `None` elsewhere. Exact, like the portable conversion.
#[inline(always)]
pub(crate) fn f16_to_f32_hw<S: Simd>(simd: S, src: &[u16]) -> Option<[S::f32s; 2]> {
    let half = S::F32_LANES;
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        if let Some(v4) = concrete::<S, V4>(simd) {
            let lo = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[..half]));
            let hi = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[half..]));
            return Some(bytemuck::cast([
                v4.avx512f._mm512_cvtph_ps(lo),
                v4.avx512f._mm512_cvtph_ps(hi),
            ]));
        }
        if concrete::<S, V3>(simd).is_some() {
            use std::arch::x86_64::_mm256_cvtph_ps;
            let lo = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[..half]));
            let hi = bytemuck::pod_read_unaligned(bytemuck::cast_slice(&src[half..]));
            // SAFETY: a `V3` reaches the kernels only through `Kernels::dispatch`, and
            // `Kernels::new(Isa::Avx2)` builds one only after checking that the CPU has F16C.
            let lanes = unsafe { [_mm256_cvtph_ps(lo), _mm256_cvtph_ps(hi)] };
            return Some(bytemuck::cast(lanes));
        }
    }
    let _ = (simd, half, src);
    None
}

/// Hardware f32 to binary16, rounding to nearest even, of two vectors in order, where the ISA
/// has it; returns `false` (and writes nothing) elsewhere.
#[inline(always)]
pub(crate) fn f32_to_f16_hw<S: Simd>(simd: S, v: [S::f32s; 2], dst: &mut [u16]) -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        // Rounding-control immediate 0: round to nearest, ties to even.
        const NEAREST_EVEN: i32 = 0;
        if let Some(v4) = concrete::<S, V4>(simd) {
            let [lo, hi]: [std::arch::x86_64::__m512; 2] = bytemuck::cast(v);
            let packed = [
                v4.avx512f._mm512_cvtps_ph::<NEAREST_EVEN>(lo),
                v4.avx512f._mm512_cvtps_ph::<NEAREST_EVEN>(hi),
            ];
            dst.copy_from_slice(bytemuck::cast_slice(&packed));
            return true;
        }
        if concrete::<S, V3>(simd).is_some() {
            use std::arch::x86_64::_mm256_cvtps_ph;
            let [lo, hi]: [std::arch::x86_64::__m256; 2] = bytemuck::cast(v);
            // SAFETY: as in `f16_to_f32_hw`, F16C was checked when the `V3` was handed out.
            let packed = unsafe {
                [
                    _mm256_cvtps_ph::<NEAREST_EVEN>(lo),
                    _mm256_cvtps_ph::<NEAREST_EVEN>(hi),
                ]
            };
            dst.copy_from_slice(bytemuck::cast_slice(&packed));
            return true;
        }
    }
    let _ = (simd, v, dst);
    false
}

/// Widens the `S::F32_LANES` lanes of `v` to f64, exactly and in order, into the first lanes of
/// two f64 vectors (AVX2, AVX-512 and NEON fill both exactly; the one-lane scalar path leaves
/// its second vector 0).
#[inline(always)]
pub(crate) fn widen_f64<S: Simd>(simd: S, v: S::f32s) -> [S::f64s; 2] {
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        use pulp::{f32x4, f32x8};
        if let Some(v4) = concrete::<S, V4>(simd) {
            let [lo, hi]: [f32x8; 2] = bytemuck::cast(v);
            return bytemuck::cast([v4.convert_f32x8_to_f64x8(lo), v4.convert_f32x8_to_f64x8(hi)]);
        }
        if let Some(v3) = concrete::<S, V3>(simd) {
            let [lo, hi]: [f32x4; 2] = bytemuck::cast(v);
            return bytemuck::cast([v3.convert_f32x4_to_f64x4(lo), v3.convert_f32x4_to_f64x4(hi)]);
        }
    }
    let mut out = [simd.splat_f64s(0.0); 2];
    let src: &[f32] = bytemuck::cast_slice(std::slice::from_ref(&v));
    let dst: &mut [f64] = bytemuck::cast_slice_mut(&mut out);
    for (d, &s) in dst.iter_mut().zip(src) {
        *d = f64::from(s);
    }
    out
}

/// `acc[..len]` as the f64 lanes of one f32 vector (`len <= S::F32_LANES`), zero beyond.
#[inline(always)]
pub(crate) fn load_f64<S: Simd>(simd: S, src: &[f64]) -> [S::f64s; 2] {
    if 2 * S::F64_LANES == S::F32_LANES && src.len() == S::F32_LANES {
        return bytemuck::pod_read_unaligned(bytemuck::cast_slice(src));
    }
    let mut out = [simd.splat_f64s(0.0); 2];
    let lanes: &mut [f64] = bytemuck::cast_slice_mut(&mut out);
    lanes[..src.len()].copy_from_slice(src);
    out
}

/// Writes the first `dst.len()` f64 lanes of `v` (the inverse of [`load_f64`]).
#[inline(always)]
pub(crate) fn store_f64<S: Simd>(dst: &mut [f64], v: [S::f64s; 2]) {
    if 2 * S::F64_LANES == S::F32_LANES && dst.len() == S::F32_LANES {
        return bytemuck::cast_slice_mut::<f64, u8>(dst).copy_from_slice(bytemuck::bytes_of(&v));
    }
    let lanes: &[f64] = bytemuck::cast_slice(&v);
    dst.copy_from_slice(&lanes[..dst.len()]);
}

/// Narrows the f64 lanes of `v` (as [`widen_f64`] laid them out) to one f32 vector, each
/// rounded to nearest even, in order (the inverse of [`widen_f64`] for values that fit).
#[inline(always)]
pub(crate) fn narrow_f32<S: Simd>(simd: S, v: [S::f64s; 2]) -> S::f32s {
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        use pulp::{f64x4, f64x8};
        if let Some(v4) = concrete::<S, V4>(simd) {
            let [lo, hi]: [f64x8; 2] = bytemuck::cast(v);
            return bytemuck::cast([v4.convert_f64x8_to_f32x8(lo), v4.convert_f64x8_to_f32x8(hi)]);
        }
        if let Some(v3) = concrete::<S, V3>(simd) {
            let [lo, hi]: [f64x4; 2] = bytemuck::cast(v);
            return bytemuck::cast([v3.convert_f64x4_to_f32x4(lo), v3.convert_f64x4_to_f32x4(hi)]);
        }
    }
    let mut out = simd.splat_f32s(0.0);
    let src: &[f64] = bytemuck::cast_slice(&v);
    let dst: &mut [f32] = bytemuck::cast_slice_mut(std::slice::from_mut(&mut out));
    for (d, &s) in dst.iter_mut().zip(src) {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "the rounding to nearest even to f32 is what this computes"
        )]
        let rounded = s as f32;
        *d = rounded;
    }
    out
}

/// Splits two vectors of interleaved pairs `[a0, b0, a1, b1, …]` into `[a0, a1, …]` and
/// `[b0, b1, …]`, in order.
#[inline(always)]
pub(crate) fn deinterleave<S: Simd>(simd: S, v: [S::f32s; 2]) -> [S::f32s; 2] {
    #[cfg(target_arch = "x86_64")]
    {
        use pulp::x86::{V3, V4};
        if let Some(v4) = concrete::<S, V4>(simd) {
            let [x, y]: [std::arch::x86_64::__m512; 2] = bytemuck::cast(v);
            let lane = |i: usize| u32::try_from(i).expect("a lane index below 16");
            let even: [u32; 16] = std::array::from_fn(|i| 2 * lane(i));
            let odd: [u32; 16] = std::array::from_fn(|i| 2 * lane(i) + 1);
            return bytemuck::cast([
                v4.avx512f
                    ._mm512_permutex2var_ps(x, bytemuck::cast(even), y),
                v4.avx512f._mm512_permutex2var_ps(x, bytemuck::cast(odd), y),
            ]);
        }
        if let Some(v3) = concrete::<S, V3>(simd) {
            let [x, y]: [std::arch::x86_64::__m256; 2] = bytemuck::cast(v);
            // Per 128-bit half: a0 a1 a4 a5 | a2 a3 a6 a7, then the 64-bit chunks reordered.
            let a = v3.avx._mm256_shuffle_ps::<0b10_00_10_00>(x, y);
            let b = v3.avx._mm256_shuffle_ps::<0b11_01_11_01>(x, y);
            let a = v3
                .avx2
                ._mm256_permute4x64_pd::<0b11_01_10_00>(bytemuck::cast(a));
            let b = v3
                .avx2
                ._mm256_permute4x64_pd::<0b11_01_10_00>(bytemuck::cast(b));
            return bytemuck::cast([a, b]);
        }
    }
    let mut out = [simd.splat_f32s(0.0); 2];
    let src: [S::f32s; 2] = v;
    let src: &[f32] = bytemuck::cast_slice(&src);
    let lanes = S::F32_LANES;
    let dst: &mut [f32] = bytemuck::cast_slice_mut(&mut out);
    for i in 0..lanes {
        dst[i] = src[2 * i];
        dst[lanes + i] = src[2 * i + 1];
    }
    out
}

#[cfg(all(feature = "self-check", feature = "rayon"))]
// Test-only index and bit-pattern arithmetic over bounded ranges (lanes, 2^32 patterns).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_lossless
)]
#[doc(hidden)]
/// The shims' own checks, run by `tests/self_check.rs` (feature `self-check`, on in the test
/// build only).
pub mod self_check {
    use super::*;
    use crate::{Isa, Kernels};
    use pulp::WithSimd;

    struct Check;

    impl WithSimd for Check {
        type Output = ();

        #[inline(always)]
        fn with_simd<S: Simd>(self, simd: S) {
            let n = 2 * S::F32_LANES;
            let src: Vec<u16> = (0..n as u16)
                .map(|i| 0xF00D ^ i.wrapping_mul(0x1357))
                .collect();
            let wide = widen_u16(simd, &src);
            let lanes: &[u32] = bytemuck::cast_slice(&wide);
            let expected: Vec<u32> = src.iter().map(|&s| u32::from(s)).collect();
            assert_eq!(lanes, &expected[..]);

            let mut tagged = wide;
            for (i, l) in bytemuck::cast_slice_mut::<_, u32>(&mut tagged)
                .iter_mut()
                .enumerate()
            {
                *l |= (i as u32 + 1) << 16;
            }
            let mut back = vec![0u16; n];
            narrow_u16(simd, tagged, &mut back);
            assert_eq!(back, src);

            let pairs: Vec<f32> = (0..n).map(|i| i as f32).collect();
            let v: [S::f32s; 2] = [
                simd.partial_load_f32s(&pairs[..n / 2]),
                simd.partial_load_f32s(&pairs[n / 2..]),
            ];
            let split = deinterleave(simd, v);
            let got: &[f32] = bytemuck::cast_slice(&split);
            let want: Vec<f32> = (0..n / 2)
                .map(|i| 2.0 * i as f32)
                .chain((0..n / 2).map(|i| 2.0 * i as f32 + 1.0))
                .collect();
            assert_eq!(got, &want[..]);

            let values: Vec<f32> = (0..S::F32_LANES)
                .map(|i| f32::from_bits(0x8123_4567_u32.wrapping_mul(i as u32 + 7)))
                .collect();
            let wide = widen_f64(simd, simd.partial_load_f32s(&values));
            let lanes: &[f64] = bytemuck::cast_slice(&wide);
            for (i, &v) in values.iter().enumerate() {
                assert!(
                    lanes[i].to_bits() == f64::from(v).to_bits() || v.is_nan() && lanes[i].is_nan()
                );
            }
        }
    }

    /// Widening, narrowing, deinterleaving and f64 widening give their definitions' lanes on
    /// every available ISA.
    pub fn shims_agree_with_their_definition_on_every_isa() {
        for isa in Isa::available() {
            Kernels::new(isa).unwrap().dispatch(Check);
        }
    }
}
