#!/usr/bin/env python3
"""Fits the polynomial cores of kernels/catalogue.toml and prints their TOML blocks.

Run: python3 kernels/fit_cores.py  (needs mpmath). Paste the output over the [[core]] blocks.

Method: weighted least squares on Chebyshev nodes (see fit_rounded), coefficients rounded to f32
from the constant term up. The error printed
is measured on a dense grid with the f32 coefficients evaluated exactly (mpmath, 40 digits).
"""
import mpmath as mp
import struct

mp.mp.dps = 40


def f32(x):
    return struct.unpack("f", struct.pack("f", float(x)))[0]


def fit_rounded(f, a, b, degree, weight=lambda x: 1):
    """Lowest-degree-first f32 coefficients of a polynomial close to f on [a, b].

    Weighted least squares on 300 Chebyshev nodes (close to minimax), minimising weight(x) * error,
    where weight converts an error of the polynomial into the relative error of the final result.
    Coefficients are rounded to f32 from the constant term up; after each rounding the higher
    ones are solved again so that they absorb it."""
    n = 300
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / n) for i in range(n)]
    fixed = []
    for k in range(degree + 1):
        rows = [[weight(x) * x**j for j in range(k, degree + 1)] for x in nodes]
        rhs = [weight(x) * (f(x) - sum(c * x**j for j, c in enumerate(fixed))) for x in nodes]
        sol, _ = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))
        fixed.append(mp.mpf(f32(sol[0])))
    return fixed


def poly(cs, x):
    acc = mp.mpf(0)
    for c in reversed(cs):
        acc = acc * x + c
    return acc


def fit_rational_rounded(f, a, b, m, n, iters=8):
    """f32 coefficients (lowest degree first) of P/Q, deg P = m, deg Q = n, Q(0) = 1, near f on [a, b].

    Relative error minimised by iterated linearised least squares (Loeb's method: weights 1/(f Q)
    from the previous iterate) on 300 Chebyshev nodes. Q is rounded to f32, then P is solved again
    against the rounded Q and rounded, so P absorbs the rounding of Q."""
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / 300) for i in range(300)]
    fv = [f(x) for x in nodes]
    q_prev = [mp.mpf(1)] * len(nodes)
    for _ in range(iters):
        rows, rhs = [], []
        for x, fx, qp in zip(nodes, fv, q_prev):
            w = 1 / (fx * qp)
            rows.append([w * x**j for j in range(m + 1)] + [-w * fx * x**k for k in range(1, n + 1)])
            rhs.append(w * fx)
        sol, _ = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))
        q = [mp.mpf(1)] + [sol[m + k] for k in range(1, n + 1)]
        q_prev = [poly(q, x) for x in nodes]
    q = [mp.mpf(f32(c)) for c in q]
    q_prev = [poly(q, x) for x in nodes]
    rows = [[x**j / (fx * qx) for j in range(m + 1)] for x, fx, qx in zip(nodes, fv, q_prev)]
    sol, _ = mp.qr_solve(mp.matrix(rows), mp.matrix([mp.mpf(1)] * len(nodes)))
    return [mp.mpf(f32(sol[j])) for j in range(m + 1)], q


def grid(a, b, n=4000):
    return [a + (b - a) * mp.mpf(i) / n for i in range(n + 1)]


def emit(name, function, var, interval, cs, error_kind, err, use):
    lo, hi = interval
    print("[[core]]")
    print(f'name = "{name}"')
    print(f'function = "{function}"')
    print(f'variable = "{var}"')
    print(f"interval = [{float(lo)!r}, {float(hi)!r}]")
    print(f"degree = {len(cs) - 1}")
    print(f'error_kind = "{error_kind}"')
    print(f"fitted_error = {float(mp.nstr(err, 3))!r}")
    print(f'used_by = "{use}"')
    print("coefficients = [" + ", ".join(repr(f32(c)) for c in cs) + "]")
    print()


def main():
    # e^r = 1 + r + r^2 q(r) on the Cody-Waite reduced interval |r| <= ln2/2 (plus slack for ties).
    a = mp.mpf("0.3466")

    def exp_q(r):
        if abs(r) < mp.mpf("1e-12"):
            return mp.mpf(1) / 2 + r / 6
        return (mp.exp(r) - 1 - r) / r**2

    cs = fit_rounded(exp_q, -a, a, 4, lambda r: r * r / mp.exp(r))
    err = max(abs(1 + r + r * r * poly(cs, r) - mp.exp(r)) / mp.exp(r) for r in grid(-a, a))
    emit("exp_q", "(e^r - 1 - r) / r^2", "r", (-a, a), cs, "relative error of e^r = 1 + r + r^2 q(r)", err,
         "exp, sigmoid, silu, swish, tanh (as expm1), gelu_tanh, erf, gelu")

    # erf(x) = x (c + p(x^2)) for |x| <= 0.875, c = 2/sqrt(pi) rounded to f32 (the constant term of
    # p carries the rounding error of c, so the result is not limited by it).
    b = mp.mpf("0.875")
    c_hi = mp.mpf(f32(2 / mp.sqrt(mp.pi)))

    def erf_over_x(y):
        x = mp.sqrt(y)
        return mp.erf(x) / x if x > 0 else 2 / mp.sqrt(mp.pi)

    cs = fit_rounded(lambda y: erf_over_x(y) - c_hi, 0, b * b, 5, lambda y: 1 / erf_over_x(y))
    err = max(abs((c_hi + poly(cs, x * x)) * x - mp.erf(x)) / mp.erf(x) for x in grid(mp.mpf("1e-6"), b))
    emit("erf_near", f"erf(x) / x - {float(c_hi)!r}", "x^2", (0, b * b), cs,
         "relative error of erf(x) = x (c + p(x^2))", err, "erf")

    # erfc(x) = exp(q(x)) for 0.875 <= x <= 3.93 (erf(x) rounds to 1 in f32 beyond 3.9192).
    c = mp.mpf("3.93")
    cs = fit_rounded(lambda x: mp.log(mp.erfc(x)), b, c, 8)
    err = max(abs(poly(cs, x) - mp.log(mp.erfc(x))) for x in grid(b, c))
    emit("erfc_log_tail", "ln(erfc(x))", "x", (b, c), cs, "absolute error of ln erfc(x), i.e. relative error of erfc", err, "erf")

    # Phi(-t) = exp(-t^2/2) P(t) / Q(t) for 0 <= t <= 14.5 (gelu underflows to -0 below -14.1).
    t_max = mp.mpf("14.5")

    def phi_scaled(t):
        return mp.erfc(t / mp.sqrt(2)) / 2 * mp.exp(t * t / 2)

    p, q = fit_rational_rounded(phi_scaled, mp.mpf(0), t_max, 5, 6)
    err = max(abs(poly(p, t) / poly(q, t) / phi_scaled(t) - 1) for t in grid(mp.mpf(0), t_max))
    emit("phi_tail_p", "numerator P(t) of Phi(-t) exp(t^2/2) = P(t)/Q(t)", "t", (0, t_max), p,
         "relative error of Phi(-t) = exp(-t^2/2) P(t)/Q(t)", err, "gelu")
    emit("phi_tail_q", "denominator Q(t) of Phi(-t) exp(t^2/2) = P(t)/Q(t)", "t", (0, t_max), q,
         "relative error of Phi(-t) = exp(-t^2/2) P(t)/Q(t)", err, "gelu")

main()
