//! The backward pass of the safe rational activation over one reduction chunk, in f64 lanes:
//! `grad_in = grad_out · R'(x)` and the coefficient gradients' terms
//! `grad_out · x^k / Q(x)` (numerator) and `-grad_out · R(x) · sign(A(x)) · x^k / Q(x)`
//! (denominator), each added in f64 to the accumulator of its coefficient and virtual lane
//! (the element's position modulo [`RATIONAL_LANES`], see [`crate::reduce`]).

use pulp::{Simd, WithSimd};

use crate::element::{Element, block_len, load_tail, store_tail};
use crate::math::bits::{abs, canonical_nan, keep_nan};
use crate::ops::{GateSlice, MAX_DENOMINATOR, MAX_NUMERATOR, Rational};
use crate::shim::{load_f64, narrow_f32, store_f64, widen_f64};

/// Virtual lanes of the coefficient gradients' accumulators: a multiple of every ISA's block
/// (32 elements on AVX-512), so a block never straddles two rows of them.
pub(crate) const RATIONAL_LANES: usize = 64;

/// The values of a lane at `x = ±inf` per unit of `grad_out` (index 0 for `+inf`, 1 for
/// `-inf`): `R'` and the coefficient gradients' terms (the numerator's, then the
/// denominator's), their limits as `|x| → inf` (`±inf`, a finite value or 0, by the degrees).
#[derive(Clone, Copy)]
pub(crate) struct RationalLimits {
    pub derivative: [f64; 2],
    pub terms: [[f64; 2]; MAX_NUMERATOR + MAX_DENOMINATOR],
}

/// One f64 vector of a block: `grad_in` and the first terms of the coefficient gradients,
/// `u = g/Q` (numerator, `x^0`) and `w = -u R sign(A) x` (denominator, `x^1`); each next term
/// is the previous one times `x`.
#[derive(Clone, Copy)]
struct Lanes<S: Simd> {
    grad_in: S::f64s,
    u: S::f64s,
    w: S::f64s,
}

/// `R'(x)` and the first terms at finite `x`, for `N` vectors in lockstep (independent chains
/// the CPU overlaps; each lane gets the bits of the one-vector evaluation): Horner with its
/// derivative for `P` and for `A(x) = b1 x + … + bn x^n`, `Q = 1 + |A|`, one division for
/// `1/Q`; `R = P/Q`, `R' = (P' - R sign(A) A') / Q`.
#[inline(always)]
fn finite<S: Simd, const N: usize>(
    simd: S,
    body: &Rational,
    x: [S::f64s; N],
    g: [S::f64s; N],
) -> [Lanes<S>; N] {
    let (m, n) = (body.num_len, body.den_len);
    let zero = simd.splat_f64s(0.0);
    let one = simd.splat_f64s(1.0);
    let mut p = [simd.splat_f64s(f64::from(body.a[m - 1])); N];
    let mut dp = [zero; N];
    for &ak in body.a[..m - 1].iter().rev() {
        let ak = simd.splat_f64s(f64::from(ak));
        for i in 0..N {
            dp[i] = simd.mul_add_f64s(dp[i], x[i], p[i]);
            p[i] = simd.mul_add_f64s(p[i], x[i], ak);
        }
    }
    let mut out = [Lanes {
        grad_in: zero,
        u: zero,
        w: zero,
    }; N];
    if n == 0 {
        for i in 0..N {
            out[i] = Lanes {
                grad_in: simd.mul_f64s(g[i], dp[i]),
                u: g[i],
                w: zero,
            };
        }
        return out;
    }
    let mut c = [simd.splat_f64s(f64::from(body.b[n - 1])); N];
    let mut dc = [zero; N];
    for &bk in body.b[..n - 1].iter().rev() {
        let bk = simd.splat_f64s(f64::from(bk));
        for i in 0..N {
            dc[i] = simd.mul_add_f64s(dc[i], x[i], c[i]);
            c[i] = simd.mul_add_f64s(c[i], x[i], bk);
        }
    }
    for i in 0..N {
        let a = simd.mul_f64s(c[i], x[i]);
        let da = simd.mul_add_f64s(dc[i], x[i], c[i]);
        let q = simd.add_f64s(one, simd.abs_f64s(a));
        let inv = simd.div_f64s(one, q);
        let r = simd.mul_f64s(p[i], inv);
        let sign = simd.select_f64s(
            simd.greater_than_f64s(a, zero),
            one,
            simd.select_f64s(simd.less_than_f64s(a, zero), simd.neg_f64s(one), zero),
        );
        let rs = simd.mul_f64s(r, sign);
        let dr = simd.mul_f64s(simd.negate_mul_add_f64s(rs, da, dp[i]), inv);
        let u = simd.mul_f64s(g[i], inv);
        out[i] = Lanes {
            grad_in: simd.mul_f64s(g[i], dr),
            u,
            w: simd.mul_f64s(simd.mul_f64s(u, simd.neg_f64s(rs)), x[i]),
        };
    }
    out
}

/// `v`, with `g · at[0]` where `plus` and `g · at[1]` where `minus`.
#[inline(always)]
fn limit<S: Simd>(
    simd: S,
    (plus, minus): (S::m64s, S::m64s),
    g: S::f64s,
    v: S::f64s,
    at: [f64; 2],
) -> S::f64s {
    let v = simd.select_f64s(plus, simd.mul_f64s(g, simd.splat_f64s(at[0])), v);
    simd.select_f64s(minus, simd.mul_f64s(g, simd.splat_f64s(at[1])), v)
}

/// Whether each lane of `x` is `+inf`, and `-inf`.
#[inline(always)]
fn infinities<S: Simd>(simd: S, x: S::f64s) -> (S::m64s, S::m64s) {
    (
        simd.equal_f64s(x, simd.splat_f64s(f64::INFINITY)),
        simd.equal_f64s(x, simd.splat_f64s(f64::NEG_INFINITY)),
    )
}

/// A chunk of the rational backward pass: `grad` (read `grad_out`, write `grad_in`) over `x`;
/// `acc` holds `counts.0 + counts.1` rows of [`RATIONAL_LANES`] accumulators (numerator
/// coefficients first), zero or partial sums on entry.
pub(crate) struct RationalBackward<'a, T> {
    pub x: &'a [T],
    pub grad: GateSlice<'a, T>,
    pub body: &'a Rational,
    pub limits: &'a RationalLimits,
    /// Coefficients of the numerator and of the denominator that get a gradient.
    pub counts: (usize, usize),
    pub acc: &'a mut [f64],
}

impl<T: Element> RationalBackward<'_, T> {
    /// One block at element `start` of the chunk, `len` of its elements real.
    #[inline(always)]
    fn block<S: Simd>(
        &mut self,
        simd: S,
        start: usize,
        (x, g): ([S::f32s; 2], [S::f32s; 2]),
        len: usize,
    ) -> [S::f32s; 2] {
        let lanes = S::F32_LANES;
        let inf = simd.splat_f32s(f32::INFINITY);
        let mut out = [simd.splat_f32s(0.0); 2];
        let column = start % RATIONAL_LANES;
        let wide_x = [widen_f64(simd, x[0]), widen_f64(simd, x[1])];
        let wide_g = [widen_f64(simd, g[0]), widen_f64(simd, g[1])];
        let all = finite(
            simd,
            self.body,
            [wide_x[0][0], wide_x[0][1], wide_x[1][0], wide_x[1][1]],
            [wide_g[0][0], wide_g[0][1], wide_g[1][0], wide_g[1][1]],
        );
        for i in 0..2 {
            let any_inf = simd.first_true_m32s(simd.equal_f32s(abs(simd, x[i]), inf)) < lanes;
            let (wide_x, wide_g) = (wide_x[i], wide_g[i]);
            let v = [all[2 * i], all[2 * i + 1]];
            let mut grad_in = [v[0].grad_in, v[1].grad_in];
            let signs = [infinities(simd, wide_x[0]), infinities(simd, wide_x[1])];
            if any_inf {
                for h in 0..2 {
                    let at = self.limits.derivative;
                    grad_in[h] = limit(simd, signs[h], wide_g[h], grad_in[h], at);
                }
            }
            let (from, to) = ((i * lanes).min(len), ((i + 1) * lanes).min(len));
            if from < to {
                let (nums, dens) = self.counts;
                let mut term = [v[0].u, v[1].u];
                for row in 0..nums + dens {
                    if row == nums {
                        term = [v[0].w, v[1].w];
                    }
                    let mut add = term;
                    if any_inf {
                        for h in 0..2 {
                            let at = self.limits.terms[row];
                            add[h] = limit(simd, signs[h], wide_g[h], add[h], at);
                        }
                    }
                    let at = row * RATIONAL_LANES + column;
                    let acc = &mut self.acc[at + from..at + to];
                    let mut sum = load_f64(simd, acc);
                    sum[0] = simd.add_f64s(sum[0], add[0]);
                    sum[1] = simd.add_f64s(sum[1], add[1]);
                    store_f64::<S>(acc, sum);
                    term = [
                        simd.mul_f64s(term[0], wide_x[0]),
                        simd.mul_f64s(term[1], wide_x[1]),
                    ];
                }
            }
            let y = canonical_nan(simd, narrow_f32(simd, grad_in));
            out[i] = keep_nan(simd, x[i], keep_nan(simd, g[i], y));
        }
        out
    }
}

impl<T: Element> WithSimd for RationalBackward<'_, T> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: Simd>(mut self, simd: S) {
        let n = block_len::<S>();
        let len = self.x.len();
        let whole = len - len % n;
        let mut i = 0;
        while i < whole {
            let r = i..i + n;
            let x = T::load_block(simd, &self.x[r.clone()]);
            let g = T::load_block(simd, &self.grad.src()[r.clone()]);
            let y = self.block(simd, i, (x, g), n);
            T::store_block(simd, &mut self.grad.dst()[r], y);
            i += n;
        }
        if whole < len {
            let r = whole..len;
            let x = load_tail(simd, &self.x[r.clone()]);
            let g = load_tail(simd, &self.grad.src()[r.clone()]);
            let y = self.block(simd, whole, (x, g), len - whole);
            store_tail(simd, &mut self.grad.dst()[r], y);
        }
    }
}
