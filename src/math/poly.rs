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
