//! Sign and NaN handling by bit operations (identical on every ISA).

use pulp::Simd;

const SIGN: u32 = 0x8000_0000;
/// The positive quiet NaN with an empty payload (IEEE 754 binary32 `0x7FC0_0000`).
const QUIET_NAN: u32 = 0x7FC0_0000;

/// `|x|` (clears the sign bit).
#[inline(always)]
pub(crate) fn abs<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    simd.abs_f32s(x)
}

/// `-|x|` by setting the sign bit (one instruction; NaN stays NaN).
#[inline(always)]
pub(crate) fn neg_abs<S: Simd>(simd: S, x: S::f32s) -> S::f32s {
    simd.or_f32s(x, simd.transmute_f32s_u32s(simd.splat_u32s(SIGN)))
}

/// `magnitude` (sign bit clear, or already equal to that of `sign`) with the sign bit of `sign`:
/// exact oddness, and signed zeros for products with `sign`.
#[inline(always)]
pub(crate) fn with_sign_of<S: Simd>(simd: S, magnitude: S::f32s, sign: S::f32s) -> S::f32s {
    let sign_bit = simd.and_f32s(sign, simd.transmute_f32s_u32s(simd.splat_u32s(SIGN)));
    simd.or_f32s(magnitude, sign_bit)
}

/// `y` where `x` is a number, `x` itself where it is NaN: NaN inputs come out unchanged on every
/// ISA, whatever the min/max instructions of the ISA do with NaN inside the body.
#[inline(always)]
pub(crate) fn keep_nan<S: Simd>(simd: S, x: S::f32s, y: S::f32s) -> S::f32s {
    simd.select_f32s(simd.equal_f32s(x, x), y, x)
}

/// `y`, with any NaN in it replaced by the positive quiet NaN. An invalid operation (`0 · inf`)
/// gives the ISA's default NaN, and that differs (negative on x86, positive on Arm): a NaN the
/// body creates from numbers must carry the same bits everywhere.
#[inline(always)]
pub(crate) fn canonical_nan<S: Simd>(simd: S, y: S::f32s) -> S::f32s {
    let nan = simd.transmute_f32s_u32s(simd.splat_u32s(QUIET_NAN));
    simd.select_f32s(simd.equal_f32s(y, y), y, nan)
}

/// The bits of a power of two, as the `bias` argument of [`crate::math::exp::pow2`].
#[inline(always)]
pub(crate) fn bits_of<S: Simd>(simd: S, power_of_two: f32) -> S::u32s {
    simd.splat_u32s(power_of_two.to_bits())
}
