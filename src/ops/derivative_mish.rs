//! `mish'(x) = tanh(sp) + x σ(x) sech²(sp)`, `sp = ln(1 + e^x)`, as one rational function of
//! `e = e^-|x|`.

use pulp::Simd;

use crate::catalogue::consts::{
    EXP_NORMAL_LIMIT, LOGISTIC_A_MAX_NEG, SCALE_DOWN, SCALE_UP, SOFTPLUS_SCALED_BELOW,
};
use crate::math::bits::{abs, bits_of, keep_nan};
use crate::math::divide::{div_compensated, fast_two_sum, two_sum};
use crate::math::exp::reduce;
use crate::ops::UnaryOp;

/// `mish'(x)` with `e = e^-|x|` (so nothing overflows):
///
/// - `x <= 0`: `e (e³ + 4e² + (4x + 6) e + 4(x + 1)) / (e² + 2e + 2)²`;
/// - `x > 0`: `(4(x + 1) e³ + (4x + 6) e² + 4e + 1) / (2e² + 2e + 1)²`,
///
/// (the closed form `e^x ω / δ²` of the derivative, divided through by `e^4x` on the positive
/// side): one Horner pass with the coefficients selected by sign (`4x + 6` and `4x + 4` one fma
/// each; its last step an exact product and two-sum), the base `2 + e (e + 2)` or `1 + 2e (e + 1)`
/// and its square as exact pairs, one compensated division: only the roundings of the first
/// Horner steps and of the exponential remain. On the negative side the leading factor `e` is carried scaled by 2^64
/// below x = -80, so a subnormal result rounds once; x is clamped at -120 (the result underflows)
/// and at 87 (it is 1). Zero at x = -1.1924 (absolute accuracy there).
#[derive(Clone, Copy)]
pub(crate) struct DMish;

impl UnaryOp for DMish {
    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let zero = simd.splat_f32s(0.0);
        let one = simd.splat_f32s(1.0);
        let two = simd.splat_f32s(2.0);
        let four = simd.splat_f32s(4.0);
        let positive = simd.greater_than_f32s(x, zero);
        let xc = simd.min_f32s(
            simd.max_f32s(x, simd.splat_f32s(-LOGISTIC_A_MAX_NEG)),
            simd.splat_f32s(EXP_NORMAL_LIMIT),
        );
        let a = simd.neg_f32s(abs(simd, xc));
        let red = reduce(simd, a);
        let em1 = red.expm1(simd);
        let tiny = simd.less_than_f32s(a, simd.splat_f32s(-SOFTPLUS_SCALED_BELOW));
        let bias = simd.select_u32s(tiny, bits_of(simd, SCALE_UP), bits_of(simd, 1.0));
        let scale = simd.select_f32s(tiny, simd.splat_f32s(SCALE_DOWN), one);
        let m = red.pow2(simd, bias);
        let lead = simd.mul_add_f32s(m, em1, m);
        let e = simd.mul_f32s(lead, scale);
        let c46 = simd.mul_add_f32s(four, xc, simd.splat_f32s(6.0));
        let c44 = simd.mul_add_f32s(four, xc, four);
        let c3 = simd.select_f32s(positive, c44, one);
        let c2 = simd.select_f32s(positive, c46, four);
        let c1 = simd.select_f32s(positive, four, c46);
        let c0 = simd.select_f32s(positive, one, c44);
        let r = simd.mul_add_f32s(simd.mul_add_f32s(c3, e, c2), e, c1);
        let p = simd.mul_f32s(e, r);
        let p_lo = simd.mul_add_f32s(e, r, simd.neg_f32s(p));
        let (num, num_lo) = two_sum(simd, c0, p);
        let num_lo = simd.add_f32s(num_lo, p_lo);
        // base = p0 + k e (e + c): (2, 1, 2) for x <= 0, (1, 2, 1) for x > 0, as an exact pair.
        let c = simd.select_f32s(positive, one, two);
        let (s, s_lo) = fast_two_sum(simd, c, e);
        let k = simd.select_f32s(positive, two, one);
        let ke = simd.mul_f32s(k, e);
        let t = simd.mul_f32s(ke, s);
        let t_lo = simd.mul_add_f32s(ke, s_lo, simd.mul_add_f32s(ke, s, simd.neg_f32s(t)));
        let p0 = simd.select_f32s(positive, one, two);
        let (base, base_lo) = two_sum(simd, p0, t);
        let base_lo = simd.add_f32s(base_lo, t_lo);
        let den = simd.mul_f32s(base, base);
        let den_lo = simd.mul_add_f32s(base, base, simd.neg_f32s(den));
        let den_lo = simd.mul_add_f32s(simd.add_f32s(base, base), base_lo, den_lo);
        let q = div_compensated(simd, (num, num_lo), (den, den_lo));
        let negative_side = simd.mul_f32s(simd.mul_f32s(lead, q), scale);
        keep_nan(simd, x, simd.select_f32s(positive, q, negative_side))
    }
}
