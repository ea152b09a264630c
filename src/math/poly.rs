//! Polynomial evaluation.

use pulp::Simd;

/// `c[0] + c[1] x + … + c[N-1] x^(N-1)` by Horner's rule with fused multiply-adds.
#[inline(always)]
pub(crate) fn horner<S: Simd, const N: usize>(simd: S, x: S::f32s, c: &[f32; N]) -> S::f32s {
    let mut acc = simd.splat_f32s(c[N - 1]);
    for &ck in c[..N - 1].iter().rev() {
        acc = simd.mul_add_f32s(acc, x, simd.splat_f32s(ck));
    }
    acc
}

/// The same degree-8 polynomial by Estrin's scheme: pairs `c[2i] + c[2i+1] x`, then pairs of pairs
/// with `x²` and `x⁴`, for a dependency chain of four fmas after `x⁴` instead of eight (two more
/// multiplications). `x2` is `x²`, which callers usually need anyway.
#[inline(always)]
pub(crate) fn estrin_degree8<S: Simd>(simd: S, x: S::f32s, x2: S::f32s, c: &[f32; 9]) -> S::f32s {
    let pair = |i: usize| simd.mul_add_f32s(simd.splat_f32s(c[i + 1]), x, simd.splat_f32s(c[i]));
    let x4 = simd.mul_f32s(x2, x2);
    let low = simd.mul_add_f32s(pair(2), x2, pair(0));
    let high = simd.mul_add_f32s(pair(6), x2, pair(4));
    let high = simd.mul_add_f32s(simd.splat_f32s(c[8]), x4, high);
    simd.mul_add_f32s(high, x4, low)
}
