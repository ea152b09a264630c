//! Element types the kernels read and write. Math always runs in f32 lanes: a load widens the
//! elements of a slice to f32 lanes and a store rounds them back (to nearest, ties to even),
//! both inside the SIMD loop.
//!
//! Loads and stores move blocks of two vectors (`2 · S::F32_LANES` elements), in order, so that
//! 16-bit types fill whole vectors; a slice's last, shorter block goes through a zero-padded copy
//! and the same code.

use std::ops::Range;

use pulp::Simd;

pub use half::{bf16, f16};

use crate::BlockOrder;
use crate::shim;

/// Elements in one block: two vectors of `S::F32_LANES` lanes.
#[inline(always)]
pub(crate) fn block_len<S: Simd>() -> usize {
    2 * S::F32_LANES
}

/// The widest block of any ISA (AVX-512: 2 × 16 lanes), the size of the tail buffers.
pub(crate) const MAX_BLOCK: usize = 32;

/// The cache line of the x86 and Arm cores the crate targets, in bytes.
const CACHE_LINE: usize = 64;

/// The span of addresses (4 KiB, bits 11:0) within which x86 cores compare a load with the
/// stores before it: a load whose address matches an earlier store's there waits for it.
const ALIAS_SPAN: usize = 4096;

/// How an elementwise loop over `len` elements visits them: the partial blocks `head` and
/// `tail` through zero-padded blocks of the same body (so the same bits), the whole blocks of
/// `whole` between, last to first where `backward` (as chunks, or by [`Blocks::starts`]).
///
/// The head runs up to the destination's alignment, so that every whole block is stored to an
/// address aligned to its own size, up to a cache line: a 64-byte store that straddles two
/// lines costs the L2-resident loops of AVX-512 about a fifth of their throughput (relu6 75
/// against 92 GB/s on one Xeon core with a 16-byte offset of the output, 64 Ki f32).
///
/// Under [`BlockOrder::AliasAware`] (Intel cores), the whole blocks go last to first when the
/// forward order would make loads wait (4K aliasing: a forward loop's stores match the low
/// address bits of the next blocks' loads from a source that the destination starts less than
/// half the alias span after, modulo the span; a backward loop's, from a source that starts
/// after the destination; about a fifth of the L2-resident throughput again). Buffers allocated
/// one after the other are often so placed. The order with fewer such pairs wins, forward on a
/// tie. Under [`BlockOrder::Forward`] they always go first to last. Neither choice changes a
/// result.
pub(crate) struct Blocks {
    pub head: Range<usize>,
    pub whole: Range<usize>,
    pub backward: bool,
    pub tail: Range<usize>,
    block: usize,
}

impl Blocks {
    /// The plan for `len` elements, aligning the first of `dsts` (addresses of the destination
    /// slices, each `size_of::<T>()`-aligned) and ordering against the sources `srcs`.
    #[inline(always)]
    pub(crate) fn new<S: Simd, T, const M: usize, const N: usize>(
        len: usize,
        dsts: [usize; M],
        srcs: [usize; N],
    ) -> Blocks {
        let n = block_len::<S>();
        let align = CACHE_LINE.min(n * size_of::<T>());
        let head = match dsts.first().map(|&dst| dst % align) {
            Some(misaligned) if misaligned != 0 => ((align - misaligned) / size_of::<T>()).min(len),
            _ => 0,
        };
        let whole = head + (len - head) / n * n;
        let (mut ahead, mut behind) = (0, 0);
        for dst in dsts {
            for src in srcs {
                match dst.wrapping_sub(src) % ALIAS_SPAN {
                    0 => {}
                    a if a < ALIAS_SPAN / 2 => ahead += 1,
                    _ => behind += 1,
                }
            }
        }
        Blocks {
            head: 0..head,
            whole: head..whole,
            backward: ahead > behind && BlockOrder::global() == BlockOrder::AliasAware,
            tail: whole..len,
            block: n,
        }
    }

    /// The start of each whole block, in the plan's order.
    #[inline(always)]
    pub(crate) fn starts(&self) -> BlockStarts {
        let n = self.block;
        let count = self.whole.len() / n;
        let (next, step) = if self.backward {
            (self.whole.end.wrapping_sub(n), n.wrapping_neg())
        } else {
            (self.whole.start, n)
        };
        BlockStarts { next, step, count }
    }

    /// The head and the tail, the partial blocks (either may be empty).
    #[inline(always)]
    pub(crate) fn partials(&self) -> [Range<usize>; 2] {
        [self.head.clone(), self.tail.clone()]
    }
}

/// The start of each whole block of a [`Blocks`], in its order: `count` starts from `next`,
/// `step` apart (wrapping: a negative step for the last-to-first order), so that the loop
/// carries no branch on the order.
pub(crate) struct BlockStarts {
    next: usize,
    step: usize,
    count: usize,
}

impl Iterator for BlockStarts {
    type Item = usize;

    #[inline(always)]
    fn next(&mut self) -> Option<usize> {
        if self.count == 0 {
            return None;
        }
        self.count -= 1;
        let start = self.next;
        self.next = self.next.wrapping_add(self.step);
        Some(start)
    }
}

mod sealed {
    use pulp::Simd;

    /// The SIMD loads and stores of an element type, private to the crate.
    pub trait Sealed: Copy + Default {
        /// Widens exactly `2 · S::F32_LANES` elements to two vectors of f32 lanes, in order.
        fn load_block<S: Simd>(simd: S, src: &[Self]) -> [S::f32s; 2];

        /// Rounds two vectors of f32 lanes to exactly `2 · S::F32_LANES` elements, in order.
        fn store_block<S: Simd>(simd: S, dst: &mut [Self], values: [S::f32s; 2]);
    }
}

/// A tensor element type the kernels accept (sealed: implemented by the crate only): `f32`,
/// [`bf16`] and [`f16`](struct@f16).
///
/// Every op is generic over it. Inputs are widened to f32 exactly, the op runs in f32, and the
/// result is rounded to the element type to nearest, ties to even. NaN stays NaN (quiet, sign
/// kept), infinities stay infinities, an f16 result beyond 65504 rounds to ±inf and subnormal
/// results are kept (never flushed to zero).
///
/// # Example
/// ```
/// use simd_activations::{Element, bf16};
/// fn activate<T: Element>(x: &mut [T]) {
///     simd_activations::silu_inplace(x);
/// }
/// let mut x = [bf16::from_f32(1.0), bf16::from_f32(-2.0)];
/// activate(&mut x);
/// assert_eq!(x[0], <bf16 as Element>::from_f64(1.0 / (1.0 + (-1.0_f64).exp())));
/// ```
pub trait Element:
    sealed::Sealed + Copy + Send + Sync + PartialEq + std::fmt::Debug + 'static
{
    /// The type's name as the report and error messages print it (`"f32"`, `"bf16"`, `"f16"`).
    const NAME: &'static str;

    /// Stored fraction bits (f32: 23, bf16: 7, f16: 10): one ULP of `2^e` is `2^(e - MANTISSA_BITS)`.
    const MANTISSA_BITS: i32;

    /// Exponent of the smallest positive normal number (f32 and bf16: -126, f16: -14).
    const MIN_NORMAL_EXP: i32;

    /// Exponent of the largest finite number (f32 and bf16: 127, f16: 15).
    const MAX_EXP: i32;

    /// The value as an f32 (exact).
    fn to_f32(self) -> f32;

    /// `v` rounded to this type, to nearest, ties to even (what the kernels' stores do).
    fn from_f32(v: f32) -> Self;

    /// `v` correctly rounded to this type (to nearest, ties to even, in one rounding: the
    /// reference the kernels are measured against).
    fn from_f64(v: f64) -> Self;
}

/// `v` rounded to f32 toward zero, with the last bit set when that was inexact ("round to odd").
/// Rounding the result again to a format with at most 22 significant bits, to nearest, gives
/// the correctly rounded value of `v` in that format (Boldo and Melquiond, 2008).
#[expect(
    clippy::cast_possible_truncation,
    reason = "rounding f64 to f32 is the point; the inexact case is detected and fixed up"
)]
fn round_to_odd_f32(v: f64) -> f32 {
    let nearest = v as f32;
    if !v.is_finite() || f64::from(nearest) == v {
        return nearest;
    }
    let toward_zero = if f64::from(nearest).abs() > v.abs() {
        f32::from_bits(nearest.to_bits() - 1)
    } else {
        nearest
    };
    f32::from_bits(toward_zero.to_bits() | 1)
}

impl sealed::Sealed for f32 {
    #[inline(always)]
    fn load_block<S: Simd>(_simd: S, src: &[f32]) -> [S::f32s; 2] {
        bytemuck::pod_read_unaligned(bytemuck::cast_slice(src))
    }

    #[inline(always)]
    fn store_block<S: Simd>(_simd: S, dst: &mut [f32], values: [S::f32s; 2]) {
        bytemuck::cast_slice_mut::<f32, u8>(dst).copy_from_slice(bytemuck::bytes_of(&values));
    }
}

impl Element for f32 {
    const NAME: &'static str = "f32";
    const MANTISSA_BITS: i32 = 23;
    const MIN_NORMAL_EXP: i32 = -126;
    const MAX_EXP: i32 = 127;

    fn to_f32(self) -> f32 {
        self
    }

    fn from_f32(v: f32) -> f32 {
        v
    }

    #[expect(
        clippy::cast_possible_truncation,
        reason = "f64 to f32 rounding to nearest is what from_f64 means for f32"
    )]
    fn from_f64(v: f64) -> f32 {
        v as f32
    }
}

impl sealed::Sealed for bf16 {
    /// bf16 is the high half of an f32: widening is a 16-bit shift.
    #[inline(always)]
    fn load_block<S: Simd>(simd: S, src: &[bf16]) -> [S::f32s; 2] {
        let [a, b] = shim::widen_u16(simd, bytemuck::cast_slice(src));
        let shift = simd.splat_u32s(16);
        [
            simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(a, shift)),
            simd.transmute_f32s_u32s(simd.wrapping_dyn_shl_u32s(b, shift)),
        ]
    }

    #[inline(always)]
    fn store_block<S: Simd>(simd: S, dst: &mut [bf16], values: [S::f32s; 2]) {
        let [a, b] = values;
        shim::narrow_u16(
            simd,
            [f32_to_bf16_bits(simd, a), f32_to_bf16_bits(simd, b)],
            bytemuck::cast_slice_mut(dst),
        );
    }
}

/// f32 lanes to bf16 bits (in the low halves), to nearest even: adding `0x7FFF` plus the lowest
/// kept bit carries into the kept bits exactly when the dropped half is above the tie, or at the
/// tie with an odd kept part (and overflows to the infinity pattern past the largest bf16). NaN
/// keeps its sign and top payload bits and is made quiet.
#[inline(always)]
fn f32_to_bf16_bits<S: Simd>(simd: S, v: S::f32s) -> S::u32s {
    let bits = simd.transmute_u32s_f32s(v);
    let shift = simd.splat_u32s(16);
    let kept = simd.wrapping_dyn_shr_u32s(bits, shift);
    let odd = simd.and_u32s(kept, simd.splat_u32s(1));
    let rounded = simd.wrapping_dyn_shr_u32s(
        simd.add_u32s(simd.add_u32s(bits, simd.splat_u32s(0x7FFF)), odd),
        shift,
    );
    let quiet_nan = simd.or_u32s(kept, simd.splat_u32s(0x0040));
    simd.select_u32s(simd.equal_f32s(v, v), rounded, quiet_nan)
}

impl Element for bf16 {
    const NAME: &'static str = "bf16";
    const MANTISSA_BITS: i32 = 7;
    const MIN_NORMAL_EXP: i32 = -126;
    const MAX_EXP: i32 = 127;

    fn to_f32(self) -> f32 {
        bf16::to_f32(self)
    }

    fn from_f32(v: f32) -> bf16 {
        bf16::from_f32(v)
    }

    fn from_f64(v: f64) -> bf16 {
        bf16::from_f32(round_to_odd_f32(v))
    }
}

impl sealed::Sealed for f16 {
    #[inline(always)]
    fn load_block<S: Simd>(simd: S, src: &[f16]) -> [S::f32s; 2] {
        let src: &[u16] = bytemuck::cast_slice(src);
        if let Some(v) = shim::f16_to_f32_hw(simd, src) {
            return v;
        }
        let [a, b] = shim::widen_u16(simd, src);
        [f16_bits_to_f32(simd, a), f16_bits_to_f32(simd, b)]
    }

    #[inline(always)]
    fn store_block<S: Simd>(simd: S, dst: &mut [f16], values: [S::f32s; 2]) {
        let dst: &mut [u16] = bytemuck::cast_slice_mut(dst);
        if shim::f32_to_f16_hw(simd, values, dst) {
            return;
        }
        let [a, b] = values;
        shim::narrow_u16(
            simd,
            [f32_to_f16_bits(simd, a), f32_to_f16_bits(simd, b)],
            dst,
        );
    }
}

/// binary16 bits (low halves of u32 lanes) to f32, exactly, as F16C does it: the magnitude
/// bits shifted into f32 position and multiplied by 2^112 (which also normalizes subnormals);
/// infinities and NaNs get the f32 exponent, NaNs the quiet bit.
#[inline(always)]
fn f16_bits_to_f32<S: Simd>(simd: S, h: S::u32s) -> S::f32s {
    let magnitude = simd.and_u32s(h, simd.splat_u32s(0x7FFF));
    let sign = simd.wrapping_dyn_shl_u32s(
        simd.and_u32s(h, simd.splat_u32s(0x8000)),
        simd.splat_u32s(16),
    );
    let shifted = simd.wrapping_dyn_shl_u32s(magnitude, simd.splat_u32s(13));
    let finite = simd.mul_f32s(
        simd.transmute_f32s_u32s(shifted),
        simd.splat_f32s(f32::from_bits(0x7780_0000)), // 2^112
    );
    let special = simd.or_u32s(shifted, simd.splat_u32s(0x7F80_0000));
    let nan = simd.greater_than_u32s(magnitude, simd.splat_u32s(0x7C00));
    let special = simd.select_u32s(
        nan,
        simd.or_u32s(special, simd.splat_u32s(0x0040_0000)),
        special,
    );
    let is_special = simd.greater_than_or_equal_u32s(magnitude, simd.splat_u32s(0x7C00));
    let bits = simd.select_u32s(is_special, special, simd.transmute_u32s_f32s(finite));
    simd.transmute_f32s_u32s(simd.or_u32s(bits, sign))
}

/// f32 lanes to binary16 bits (in the low halves), to nearest even, as F16C does it. Below the
/// smallest normal f16 (2^-14) the addition of 1/2 rounds the value to a multiple of 2^-24, the
/// subnormal spacing, which then sits in the low mantissa bits. Above, the exponent is rebiased
/// and `0xFFF` plus the lowest kept bit rounds the dropped 13 bits to nearest even (carrying into
/// the infinity pattern from 65520 up). NaN keeps its sign and top payload bits and is made quiet.
#[inline(always)]
fn f32_to_f16_bits<S: Simd>(simd: S, v: S::f32s) -> S::u32s {
    let bits = simd.transmute_u32s_f32s(v);
    let magnitude = simd.and_u32s(bits, simd.splat_u32s(0x7FFF_FFFF));
    let sign = simd.wrapping_dyn_shr_u32s(
        simd.and_u32s(bits, simd.splat_u32s(0x8000_0000)),
        simd.splat_u32s(16),
    );
    let shift = simd.splat_u32s(13);
    let odd = simd.and_u32s(
        simd.wrapping_dyn_shr_u32s(magnitude, shift),
        simd.splat_u32s(1),
    );
    // (15 - 127) << 23 wraps to 0xC800_0000: the exponent rebias.
    let normal = simd.wrapping_dyn_shr_u32s(
        simd.add_u32s(simd.add_u32s(magnitude, simd.splat_u32s(0xC800_0FFF)), odd),
        shift,
    );
    let subnormal = simd.sub_u32s(
        simd.transmute_u32s_f32s(
            simd.add_f32s(simd.transmute_f32s_u32s(magnitude), simd.splat_f32s(0.5)),
        ),
        simd.splat_u32s(0x3F00_0000),
    );
    let nan = simd.or_u32s(
        simd.and_u32s(
            simd.wrapping_dyn_shr_u32s(magnitude, shift),
            simd.splat_u32s(0x7FFF),
        ),
        simd.splat_u32s(0x0200),
    );
    let small = simd.less_than_u32s(magnitude, simd.splat_u32s(0x3880_0000));
    let huge = simd.greater_than_or_equal_u32s(magnitude, simd.splat_u32s(0x4780_0000));
    let is_nan = simd.greater_than_u32s(magnitude, simd.splat_u32s(0x7F80_0000));
    let h = simd.select_u32s(small, subnormal, normal);
    let h = simd.select_u32s(huge, simd.splat_u32s(0x7C00), h);
    let h = simd.select_u32s(is_nan, nan, h);
    simd.or_u32s(h, sign)
}

impl Element for f16 {
    const NAME: &'static str = "f16";
    const MANTISSA_BITS: i32 = 10;
    const MIN_NORMAL_EXP: i32 = -14;
    const MAX_EXP: i32 = 15;

    fn to_f32(self) -> f32 {
        f16::to_f32(self)
    }

    fn from_f32(v: f32) -> f16 {
        f16::from_f32(v)
    }

    fn from_f64(v: f64) -> f16 {
        f16::from_f32(round_to_odd_f32(v))
    }
}

/// Loads `src.len() <= 2 · S::F32_LANES` elements, a short slice through a zero-padded block.
#[inline(always)]
pub(crate) fn load_tail<S: Simd, T: Element>(simd: S, src: &[T]) -> [S::f32s; 2] {
    if src.len() == block_len::<S>() {
        return T::load_block(simd, src);
    }
    let mut buf = [T::default(); MAX_BLOCK];
    buf[..src.len()].copy_from_slice(src);
    T::load_block(simd, &buf[..block_len::<S>()])
}

/// Stores the first `dst.len() <= 2 · S::F32_LANES` lanes of a block.
#[inline(always)]
pub(crate) fn store_tail<S: Simd, T: Element>(simd: S, dst: &mut [T], values: [S::f32s; 2]) {
    if dst.len() == block_len::<S>() {
        return T::store_block(simd, dst, values);
    }
    let mut buf = [T::default(); MAX_BLOCK];
    T::store_block(simd, &mut buf[..block_len::<S>()], values);
    dst.copy_from_slice(&buf[..dst.len()]);
}

#[cfg(all(feature = "self-check", feature = "rayon"))]
// Test-only index and bit-pattern arithmetic over bounded ranges (lanes, 2^32 patterns).
#[allow(
    clippy::cast_possible_truncation,
    clippy::cast_precision_loss,
    clippy::cast_lossless
)]
#[doc(hidden)]
/// The element conversions' own checks, run by `tests/self_check.rs` (feature `self-check`, on
/// in the test build only).
pub mod self_check {
    use super::sealed::Sealed;
    use super::*;
    use crate::{Isa, Kernels};
    use pulp::WithSimd;
    use rayon::prelude::*;

    /// Widens every 16-bit pattern of `T` and rounds `f32` bit patterns `first..first+len` to `T`
    /// through the kernels' block loads and stores.
    struct RoundTrip<'a, T> {
        halves: &'a [T],
        widened: &'a mut [f32],
        wide: &'a [f32],
        narrowed: &'a mut [T],
    }

    impl<T: Element> WithSimd for RoundTrip<'_, T> {
        type Output = ();

        #[inline(always)]
        fn with_simd<S: Simd>(self, simd: S) {
            let n = block_len::<S>();
            for (src, dst) in self.halves.chunks(n).zip(self.widened.chunks_mut(n)) {
                store_tail(simd, dst, load_tail::<S, T>(simd, src));
            }
            for (src, dst) in self.wide.chunks(n).zip(self.narrowed.chunks_mut(n)) {
                store_tail(simd, dst, load_tail::<S, f32>(simd, src));
            }
        }
    }

    fn check<T: Element + bytemuck::Pod>(k: Kernels, from_bits: fn(u16) -> T, stride: u64) {
        let halves: Vec<T> = (0..=u16::MAX).map(from_bits).collect();
        let mut widened = vec![0.0_f32; halves.len()];
        let chunk: u64 = 1 << 20;
        let starts: Vec<u64> = (0..(1u64 << 32) / stride).step_by(chunk as usize).collect();
        let failures: usize = starts
            .par_iter()
            .map(|&start| {
                let wide: Vec<f32> = (start..((start + chunk).min((1 << 32) / stride)))
                    .map(|i| f32::from_bits((i * stride) as u32))
                    .collect();
                let mut narrowed = vec![T::default(); wide.len()];
                k.dispatch(RoundTrip {
                    halves: &[],
                    widened: &mut [],
                    wide: &wide,
                    narrowed: &mut narrowed,
                });
                wide.iter()
                    .zip(&narrowed)
                    .filter(|&(&w, &n)| {
                        let want = T::from_f32(w);
                        let same = bytemuck::bytes_of(&want) == bytemuck::bytes_of(&n);
                        if !same {
                            eprintln!(
                                "{} {}: {w:e} ({:#x}) -> {n:?}, want {want:?}",
                                k.isa(),
                                T::NAME,
                                w.to_bits()
                            );
                        }
                        !same
                    })
                    .count()
            })
            .sum();
        assert_eq!(
            failures,
            0,
            "{} {}: f32 -> element mismatches",
            k.isa(),
            T::NAME
        );
        k.dispatch(RoundTrip {
            halves: &halves,
            widened: &mut widened,
            wide: &[],
            narrowed: &mut [],
        });
        for (h, w) in halves.iter().zip(&widened) {
            let want = h.to_f32();
            if want.is_nan() {
                // Quieting is left to the arithmetic (and the store): only NaN-ness and sign count.
                assert!(w.is_nan() && w.is_sign_negative() == want.is_sign_negative());
            } else {
                assert_eq!(
                    want.to_bits(),
                    w.to_bits(),
                    "{} {}: widening {h:?}",
                    k.isa(),
                    T::NAME
                );
            }
        }
    }

    /// Every f32 bit pattern on the SIMD ISAs (every 257th on the one-lane scalar path, whose
    /// code is the same generic body; every `thin`-th more in reduced runs), and every 16-bit
    /// pattern, against the `half` crate.
    pub fn conversions_match_the_half_crate(thin: u64) {
        for isa in Isa::available() {
            let stride = thin * if isa == Isa::Scalar { 257 } else { 1 };
            let k = Kernels::new(isa).unwrap();
            check::<bf16>(k, bf16::from_bits, stride);
            check::<f16>(k, f16::from_bits, stride);
        }
    }

    /// Counts the f32 patterns `start..end` whose portable f16 rounding (`f32_to_f16_bits`)
    /// differs from the block store of the ISA (F16C or AVX-512 on x86).
    struct PortableVsHardware {
        start: u32,
        end: u32,
    }

    impl WithSimd for PortableVsHardware {
        type Output = u64;

        #[inline(always)]
        fn with_simd<S: Simd>(self, simd: S) -> u64 {
            let n = block_len::<S>() as u32;
            let lanes: Vec<u32> = (0..n).collect();
            let [iota_a, iota_b]: [S::u32s; 2] =
                bytemuck::pod_read_unaligned(bytemuck::cast_slice(&lanes));
            let mut hw = [f16::ZERO; MAX_BLOCK];
            let mut portable = [0_u16; MAX_BLOCK];
            let mut mismatches = 0;
            for first in (self.start..self.end).step_by(n as usize) {
                let first = simd.splat_u32s(first);
                let a = simd.transmute_f32s_u32s(simd.add_u32s(iota_a, first));
                let b = simd.transmute_f32s_u32s(simd.add_u32s(iota_b, first));
                f16::store_block(simd, &mut hw[..n as usize], [a, b]);
                shim::narrow_u16(
                    simd,
                    [f32_to_f16_bits(simd, a), f32_to_f16_bits(simd, b)],
                    &mut portable[..n as usize],
                );
                mismatches += u64::from(bytemuck::cast_slice::<f16, u16>(&hw) != &portable[..]);
            }
            mismatches
        }
    }

    /// The portable f16 widening of every pattern equals the ISA's block load.
    struct PortableWidening;

    impl WithSimd for PortableWidening {
        type Output = ();

        #[inline(always)]
        fn with_simd<S: Simd>(self, simd: S) {
            let all: Vec<u16> = (0..=u16::MAX).collect();
            for block in all.chunks(block_len::<S>()) {
                let [a, b] = shim::widen_u16(simd, block);
                let portable = [f16_bits_to_f32(simd, a), f16_bits_to_f32(simd, b)];
                let hw = f16::load_block(simd, bytemuck::cast_slice(block));
                assert_eq!(
                    bytemuck::bytes_of(&portable),
                    bytemuck::bytes_of(&hw),
                    "{block:x?}"
                );
            }
        }
    }

    /// The portable f16 conversions (what `Scalar` and NEON run) give the hardware's bits for
    /// every f32 input (the first `thin`-th of each chunk of 2^24 in reduced runs), on the ISAs
    /// that have the hardware.
    pub fn portable_f16_conversion_matches_the_hardware(thin: u64) {
        for isa in Isa::available().into_iter().filter(|&i| i != Isa::Scalar) {
            let k = Kernels::new(isa).unwrap();
            k.dispatch(PortableWidening);
            let chunk = 1u64 << 24;
            let span = (chunk / thin).max(64);
            let bad: u64 = (0..(1u64 << 32) / chunk)
                .into_par_iter()
                .map(|c| {
                    let (start, end) = (c * chunk, c * chunk + span - 1);
                    k.dispatch(PortableVsHardware {
                        start: start as u32,
                        end: end as u32,
                    })
                })
                .sum();
            assert_eq!(
                bad, 0,
                "{isa}: blocks where portable and hardware f16 differ"
            );
        }
    }

    /// `Element::from_f64` rounds the f64 value once, not through f32.
    pub fn from_f64_rounds_once() {
        // 1 + 2^-8 + 2^-40 is above the bf16 tie 1 + 2^-8; rounding through f32 first loses that.
        let v = 1.0 + 2f64.powi(-8) + 2f64.powi(-40);
        assert_eq!(
            <bf16 as Element>::from_f64(v),
            bf16::from_f32(1.0 + 2f32.powi(-7))
        );
        let v = 1.0 + 2f64.powi(-11) + 2f64.powi(-40);
        assert_eq!(
            <f16 as Element>::from_f64(v),
            f16::from_f32(1.0 + 2f32.powi(-10))
        );
        assert_eq!(<f16 as Element>::from_f64(1e6), f16::INFINITY);
        assert!(<bf16 as Element>::from_f64(f64::NAN).is_nan());
    }
}
