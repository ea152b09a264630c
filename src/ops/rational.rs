//! The safe rational activation `P(x) / (1 + |B(x)|)`, coefficients given at run time.

use pulp::Simd;

use crate::catalogue::consts::RATIONAL_DIRECT_LIMIT;
use crate::math::bits::{abs, canonical_nan, keep_nan};
use crate::ops::UnaryOp;

/// Most numerator coefficients (degree 8).
pub(crate) const MAX_NUMERATOR: usize = 9;
/// Most denominator coefficients `b1 … b8` (degree 8).
pub(crate) const MAX_DENOMINATOR: usize = 8;

/// `P(x) / (1 + |b1 x + … + bn x^n|)` with `P(x) = a0 + a1 x + … + am x^m`; trailing zero
/// coefficients are dropped by the caller, so `am` and `bn` are non-zero (or `n = 0`).
#[derive(Clone, Copy)]
pub(crate) struct Rational {
    /// `a0 … am`, then zeros.
    pub a: [f32; MAX_NUMERATOR],
    /// `b1 … bn`, then zeros.
    pub b: [f32; MAX_DENOMINATOR],
    /// `m + 1`, at least 1.
    pub num_len: usize,
    /// `n` (0: the denominator is 1).
    pub den_len: usize,
}

impl Rational {
    /// Horner in `x` with fmas, `P(x) / (1 + |x (b1 + x (b2 + …))|)`, one IEEE division, for
    /// finite `x`, on a block of vectors stepped in lockstep (independent chains the CPU
    /// overlaps; each lane gets the bits of the one-vector evaluation).
    #[inline(always)]
    fn direct<S: Simd, const N: usize>(self, simd: S, x: [S::f32s; N]) -> [S::f32s; N] {
        let (m, n) = (self.num_len, self.den_len);
        let mut p = [simd.splat_f32s(self.a[m - 1]); N];
        for &ak in self.a[..m - 1].iter().rev() {
            let ak = simd.splat_f32s(ak);
            for i in 0..N {
                p[i] = simd.mul_add_f32s(p[i], x[i], ak);
            }
        }
        if n == 0 {
            return p;
        }
        let mut b = [simd.splat_f32s(self.b[n - 1]); N];
        for &bk in self.b[..n - 1].iter().rev() {
            let bk = simd.splat_f32s(bk);
            for i in 0..N {
                b[i] = simd.mul_add_f32s(b[i], x[i], bk);
            }
        }
        let mut r = p;
        for i in 0..N {
            let q = simd.add_f32s(simd.splat_f32s(1.0), abs(simd, simd.mul_f32s(b[i], x[i])));
            r[i] = simd.div_f32s(p[i], q);
        }
        r
    }

    /// For large `|x|`, in `t = 1/x`: `R = sign(x)^m |x|^(m-n) P~(t) / (|t|^n + |B~(t)|)` with
    /// the reversed polynomials `P~(t) = am + a(m-1) t + … + a0 t^m` and
    /// `B~(t) = bn + … + b1 t^(n-1)`, so nothing overflows to `inf / inf`; `x = ±inf` gives the
    /// limit (`t = 0`).
    #[inline(always)]
    fn reversed<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let (m, n) = (self.num_len, self.den_len);
        let t = simd.div_f32s(simd.splat_f32s(1.0), x);
        let mut p = simd.splat_f32s(self.a[0]);
        for &ak in &self.a[1..m] {
            p = simd.mul_add_f32s(p, t, simd.splat_f32s(ak));
        }
        let mut b = simd.splat_f32s(self.b[0]);
        for &bk in &self.b[1..n] {
            b = simd.mul_add_f32s(b, t, simd.splat_f32s(bk));
        }
        let at = abs(simd, t);
        let mut tn = at;
        for _ in 1..n {
            tn = simd.mul_f32s(tn, at);
        }
        let mut r = simd.div_f32s(p, simd.add_f32s(tn, abs(simd, b)));
        let degree = m - 1;
        let ax = abs(simd, x);
        for _ in n..degree {
            r = simd.mul_f32s(r, ax);
        }
        for _ in degree..n {
            r = simd.mul_f32s(r, at);
        }
        if degree % 2 == 1 {
            let negative = simd.less_than_f32s(x, simd.splat_f32s(0.0));
            r = simd.select_f32s(negative, simd.neg_f32s(r), r);
        }
        r
    }
}

impl UnaryOp for Rational {
    fn fast_limit(self) -> Option<f32> {
        Some(RATIONAL_DIRECT_LIMIT)
    }

    #[inline(always)]
    fn fast<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        canonical_nan(simd, self.direct(simd, [x])[0])
    }

    #[inline(always)]
    fn fast_block<S: Simd, const N: usize>(self, simd: S, x: [S::f32s; N]) -> [S::f32s; N] {
        let mut y = self.direct(simd, x);
        for yi in &mut y {
            *yi = canonical_nan(simd, *yi);
        }
        y
    }

    #[inline(always)]
    fn full<S: Simd>(self, simd: S, x: S::f32s) -> S::f32s {
        let direct = self.direct(simd, [x])[0];
        let y = if self.den_len == 0 {
            // A polynomial: Horner over the given coefficients is right for any x, ±inf too.
            direct
        } else {
            let near =
                simd.less_than_or_equal_f32s(abs(simd, x), simd.splat_f32s(RATIONAL_DIRECT_LIMIT));
            simd.select_f32s(near, direct, self.reversed(simd, x))
        };
        keep_nan(simd, x, canonical_nan(simd, y))
    }
}
