#!/usr/bin/env python3
"""Fits the default coefficients of the `rational` op (kernels/catalogue.toml) and prints them.

Run: python3 kernels/fit_rational.py  (needs mpmath).

Target: leaky ReLU with slope 0.01 on [-3, 3], degrees (5, 4): the initialisation Molina, Schramowski
and Kersting use for Padé Activation Units ("Padé Activation Units: End-to-end Learning of
Flexible Activation Functions in Deep Networks", ICLR 2020, arXiv:1907.06732, section 3).
The form is the "safe" one of the op, R(x) = P(x) / (1 + |b1 x + ... + b4 x^4|).

Method: least squares on 600 Chebyshev nodes of the linearised residual P(x) - f(x) (1 + B(x)),
reweighted by 1 / (1 + |B(x)|) of the previous step (Loeb's iteration, 20 steps), which converges
to a weighted least-squares fit of R - f. The fit keeps B(x) > 0 on the interval, so the absolute
value does not change the function there. Coefficients are rounded to f32; the max error of the
rounded rational against f on the nodes is printed.
"""
import mpmath as mp
import struct

mp.mp.dps = 30


def f32(x):
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def leaky(x):
    return x if x >= 0 else mp.mpf("0.01") * x


def fit(f, a, b, m, n, steps=20, nodes=600):
    xs = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / nodes) for i in range(nodes)]
    w = [mp.mpf(1)] * nodes
    for _ in range(steps):
        rows = []
        rhs = []
        for x, wi in zip(xs, w):
            fx = f(x)
            rows.append([wi * x**k for k in range(m + 1)] + [-wi * fx * x**k for k in range(1, n + 1)])
            rhs.append(wi * fx)
        sol, _ = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))
        p = [sol[k] for k in range(m + 1)]
        q = [sol[m + 1 + k] for k in range(n)]
        w = [1 / (1 + abs(sum(q[k] * x ** (k + 1) for k in range(n)))) for x in xs]
    return p, q, xs


def main():
    p, q, xs = fit(leaky, mp.mpf(-3), mp.mpf(3), 5, 4)
    # The fit is even in B (b1 = b3 = 0 up to 1e-30): those are set to exactly 0.
    p32 = [f32(c) if abs(c) > 1e-20 else 0.0 for c in p]
    q32 = [f32(c) if abs(c) > 1e-20 else 0.0 for c in q]
    err = 0
    min_b = None
    for x in xs:
        bx = sum(mp.mpf(q32[k]) * x ** (k + 1) for k in range(4))
        r = sum(mp.mpf(p32[k]) * x**k for k in range(6)) / (1 + abs(bx))
        err = max(err, abs(r - leaky(x)))
        min_b = bx if min_b is None else min(min_b, bx)
    print("numerator =", "[" + ", ".join(repr(c) for c in p32) + "]")
    print("denominator =", "[" + ", ".join(repr(c) for c in q32) + "]")
    print("max |R - leaky_relu| on [-3, 3]:", mp.nstr(err, 3), " min of B:", mp.nstr(min_b, 3))


main()
