//! `t Φ(-t)`, the tail of GELU: `Φ(-t) = erfc(t/√2)/2`.

use pulp::Simd;

use crate::catalogue::consts::SQRT_2PI;
use crate::catalogue::cores::{GELU_TAIL_P, GELU_TAIL_Q};
use crate::math::divide::{div_compensated, fast_two_sum, times_one_plus};
use crate::math::exp::reduce;
use crate::math::poly::horner;

/// `t Φ(-t) · 2^k` for `0.75 <= t <= 14.5`, where `bias` holds the bits of `2^k` (`k = 0` while
/// `e^(-t²/2)` is normal, `k = 64` below).
///
/// `t Φ(-t) = e^(-t²/2) N / (K N + P)` with `N = t Q(t)`, `K = √(2π)` (cores `gelu_tail_p`,
/// `gelu_tail_q`, degrees 3 and 4). The same rounded `N` is in numerator and denominator, so the
/// rounding errors of `Q`, `P` and `N` only enter through `P/(K N) < 0.6/t` (no error growth with
/// `t`). `t²` is split exactly into `h + l` with an fma, so `e^(-h/2 - l/2)` sees no rounding in its
/// argument. `e^(-t²/2) = m (1 + expm1(r))` times `N` and the denominator `K N + P` (`K N > P`)
/// are error-free sums whose low parts correct the quotient: the only rounding left is the
/// quotient's own.
#[inline(always)]
pub(crate) fn t_phi_neg<S: Simd>(simd: S, t: S::f32s, bias: S::u32s) -> S::f32s {
    let n = simd.mul_f32s(t, horner(simd, t, &GELU_TAIL_Q));
    let k = simd.splat_f32s(SQRT_2PI);
    let kn = simd.mul_f32s(n, k);
    let kn_lo = simd.mul_add_f32s(n, k, simd.neg_f32s(kn)); // exact: K n = kn + kn_lo
    let (den, den_lo) = fast_two_sum(simd, kn, horner(simd, t, &GELU_TAIL_P));
    let h = simd.mul_f32s(t, t);
    let l = simd.mul_add_f32s(t, t, simd.neg_f32s(h)); // exact: t² = h + l
    let minus_half = simd.splat_f32s(-0.5);
    let red = reduce(simd, simd.mul_f32s(h, minus_half));
    let em1 = red.expm1_with_tail(simd, simd.mul_f32s(l, minus_half));
    let mn = simd.mul_f32s(red.pow2(simd, bias), n);
    let num = times_one_plus(simd, mn, em1);
    div_compensated(simd, num, (den, simd.add_f32s(den_lo, kn_lo)))
}
