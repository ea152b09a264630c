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

/// The values of a lane at `x = ±inf` (index 0 for `+inf`, 1 for `-inf`), per unit of
/// `grad_out`: `R'` and the coefficient gradients' terms, their limits as `|x| → inf`
/// (`±inf`, a finite value or 0, by the degrees).
#[derive(Clone, Copy)]
pub(crate) struct RationalLimits {
    pub derivative: [f64; 2],
    pub numerator: [[f64; MAX_NUMERATOR]; 2],
    pub denominator: [[f64; MAX_DENOMINATOR]; 2],
}

/// One f64 vector of a block: `grad_in` and the terms of the `nums` numerator and `dens`
/// denominator coefficient gradients.
struct Lanes<S: Simd> {
    grad_in: S::f64s,
    numerator: [S::f64s; MAX_NUMERATOR],
    denominator: [S::f64s; MAX_DENOMINATOR],
}

/// `R'(x)` and the terms at finite `x`: Horner with its derivative for `P` and for
/// `A(x) = b1 x + … + bn x^n`, `Q = 1 + |A|`, one division for `1/Q`; `R = P/Q`,
/// `R' = (P' - R sign(A) A') / Q`; the terms `u x^k` (`u = g/Q`) and `-u R sign(A) x^(k+1)`
/// by repeated multiplication by `x`.
#[inline(always)]
fn finite<S: Simd>(
    simd: S,
    body: &Rational,
    counts: (usize, usize),
    x: S::f64s,
    g: S::f64s,
) -> Lanes<S> {
    let (m, n) = (body.num_len, body.den_len);
    let zero = simd.splat_f64s(0.0);
    let mut p = simd.splat_f64s(f64::from(body.a[m - 1]));
    let mut dp = zero;
    for &ak in body.a[..m - 1].iter().rev() {
        dp = simd.mul_add_f64s(dp, x, p);
        p = simd.mul_add_f64s(p, x, simd.splat_f64s(f64::from(ak)));
    }
    let (dr, v_scale, inv) = if n == 0 {
        (dp, zero, simd.splat_f64s(1.0))
    } else {
        let mut c = simd.splat_f64s(f64::from(body.b[n - 1]));
        let mut dc = zero;
        for &bk in body.b[..n - 1].iter().rev() {
            dc = simd.mul_add_f64s(dc, x, c);
            c = simd.mul_add_f64s(c, x, simd.splat_f64s(f64::from(bk)));
        }
        let a = simd.mul_f64s(c, x);
        let da = simd.mul_add_f64s(dc, x, c);
        let q = simd.add_f64s(simd.splat_f64s(1.0), simd.abs_f64s(a));
        let inv = simd.div_f64s(simd.splat_f64s(1.0), q);
        let r = simd.mul_f64s(p, inv);
        let (one, minus_one) = (simd.splat_f64s(1.0), simd.splat_f64s(-1.0));
        let sign = simd.select_f64s(
            simd.greater_than_f64s(a, zero),
            one,
            simd.select_f64s(simd.less_than_f64s(a, zero), minus_one, zero),
        );
        let rs = simd.mul_f64s(r, sign);
        let dr = simd.mul_f64s(simd.negate_mul_add_f64s(rs, da, dp), inv);
        (dr, simd.neg_f64s(rs), inv)
    };
    let u = simd.mul_f64s(g, inv);
    let mut lanes = Lanes {
        grad_in: simd.mul_f64s(g, dr),
        numerator: [zero; MAX_NUMERATOR],
        denominator: [zero; MAX_DENOMINATOR],
    };
    let mut w = u;
    for term in &mut lanes.numerator[..counts.0] {
        *term = w;
        w = simd.mul_f64s(w, x);
    }
    let mut w = simd.mul_f64s(simd.mul_f64s(u, v_scale), x);
    for term in &mut lanes.denominator[..counts.1] {
        *term = w;
        w = simd.mul_f64s(w, x);
    }
    lanes
}

/// The lanes of `x` that are infinite replaced by the limits times `g`.
#[inline(always)]
fn at_infinity<S: Simd>(
    simd: S,
    limits: &RationalLimits,
    counts: (usize, usize),
    (x, g): (S::f64s, S::f64s),
    lanes: &mut Lanes<S>,
) {
    let signs = (
        simd.equal_f64s(x, simd.splat_f64s(f64::INFINITY)),
        simd.equal_f64s(x, simd.splat_f64s(f64::NEG_INFINITY)),
    );
    lanes.grad_in = limit(simd, signs, g, lanes.grad_in, limits.derivative);
    for k in 0..counts.0 {
        let at = [limits.numerator[0][k], limits.numerator[1][k]];
        lanes.numerator[k] = limit(simd, signs, g, lanes.numerator[k], at);
    }
    for k in 0..counts.1 {
        let at = [limits.denominator[0][k], limits.denominator[1][k]];
        lanes.denominator[k] = limit(simd, signs, g, lanes.denominator[k], at);
    }
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
        for i in 0..2 {
            let any_inf = simd.first_true_m32s(simd.equal_f32s(abs(simd, x[i]), inf)) < lanes;
            let wide_x = widen_f64(simd, x[i]);
            let wide_g = widen_f64(simd, g[i]);
            let mut v = [
                finite(simd, self.body, self.counts, wide_x[0], wide_g[0]),
                finite(simd, self.body, self.counts, wide_x[1], wide_g[1]),
            ];
            if any_inf {
                for h in 0..2 {
                    at_infinity(
                        simd,
                        self.limits,
                        self.counts,
                        (wide_x[h], wide_g[h]),
                        &mut v[h],
                    );
                }
            }
            let (from, to) = ((i * lanes).min(len), ((i + 1) * lanes).min(len));
            if from < to {
                let (nums, dens) = self.counts;
                for row in 0..nums + dens {
                    let term = if row < nums {
                        [v[0].numerator[row], v[1].numerator[row]]
                    } else {
                        [v[0].denominator[row - nums], v[1].denominator[row - nums]]
                    };
                    let at = row * RATIONAL_LANES + column;
                    let acc = &mut self.acc[at + from..at + to];
                    let mut sum = load_f64(simd, acc);
                    sum[0] = simd.add_f64s(sum[0], term[0]);
                    sum[1] = simd.add_f64s(sum[1], term[1]);
                    store_f64::<S>(acc, sum);
                }
            }
            let grad_in = [v[0].grad_in, v[1].grad_in];
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
