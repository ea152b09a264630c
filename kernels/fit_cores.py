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


def fit_s_rational(g, a, b, m, n, iters=8):
    """P (degree m, unrounded) and Q (degree n, Q(0) = 1, rounded to f32) with t + P/Q close to g.

    Relative error of t + P/Q minimised by iterated linearised least squares (Loeb's method:
    weights 1/(g Q) from the previous iterate) on 300 Chebyshev nodes."""
    nodes = [(a + b) / 2 + (b - a) / 2 * mp.cos(mp.pi * (i + mp.mpf(1) / 2) / 300) for i in range(300)]
    gv = [g(t) for t in nodes]
    q_prev = [mp.mpf(1)] * len(nodes)
    for _ in range(iters):
        rows, rhs = [], []
        for t, gt, qp in zip(nodes, gv, q_prev):
            w = 1 / (gt * qp)
            rows.append([w * t**j for j in range(m + 1)] + [w * (t - gt) * t**k for k in range(1, n + 1)])
            rhs.append(w * (gt - t))
        sol, _ = mp.qr_solve(mp.matrix(rows), mp.matrix(rhs))
        p = [sol[j] for j in range(m + 1)]
        q = [mp.mpf(1)] + [sol[m + k] for k in range(1, n + 1)]
        q_prev = [poly(q, t) for t in nodes]
    return p, [mp.mpf(f32(c)) for c in q]


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

    # erfc(x) = exp(-x^2 + q(x)) for 0.875 <= x <= 3.93 (erf(x) rounds to 1 in f32 beyond 3.9192):
    # q = ln(erfc(x) e^(x^2)) is small (|q| < 2.8) and smooth, so its rounding errors are small; -x^2
    # is carried exactly by the kernel.
    c = mp.mpf("3.93")
    cs = fit_rounded(lambda x: mp.log(mp.erfc(x)) + x * x, b, c, 8)
    err = max(abs(poly(cs, x) - x * x - mp.log(mp.erfc(x))) for x in grid(b, c))
    emit("erfcx_log_tail", "ln(erfc(x)) + x^2", "x", (b, c), cs,
         "absolute error of ln erfc(x) = -x^2 + q(x), i.e. relative error of erfc", err, "erf")

    # gelu near 0: x Phi(x) = x/2 + x^2 p(x^2) for |x| <= 0.75, p(y) = (Phi(sqrt y) - 1/2)/sqrt y.
    g = mp.mpf("0.75")

    def gelu_p(y):
        x = mp.sqrt(y)
        return (mp.ncdf(x) - mp.mpf(1) / 2) / x if x > 0 else 1 / mp.sqrt(2 * mp.pi)

    cs = fit_rounded(gelu_p, 0, g * g, 5, lambda y: 1 / gelu_p(y))
    err = max(abs(x / 2 + x * x * poly(cs, x * x) - x * mp.ncdf(x)) / (x * mp.ncdf(x)) for x in grid(mp.mpf("1e-6"), g))
    emit("gelu_near", "(Phi(x) - 1/2) / x", "x^2", (0, g * g), cs, "relative error of gelu(x) = x/2 + x^2 p(x^2)",
         err, "gelu")

    # gelu tail: t Phi(-t) = e^(-t^2/2) N / (K N + P) with N = t Q(t), K = sqrt(2 pi) in f32, for
    # 0.75 <= t <= 14.5. Equivalently Phi(-t) e^(t^2/2) = 1/(K (t + P/(K Q))): the rounding errors
    # of P and Q enter damped by S/(t+S), S = P/(K Q) (below 0.58), so large t costs no accuracy.
    t_max = mp.mpf("14.5")
    k = mp.mpf(f32(mp.sqrt(2 * mp.pi)))

    def r_scaled(t):
        return mp.erfc(t / mp.sqrt(2)) / 2 * mp.exp(t * t / 2)

    p, q = fit_s_rational(lambda t: 1 / (k * r_scaled(t)), g, t_max, 3, 4)
    p = [mp.mpf(f32(k * c)) for c in p]
    err = max(abs(poly(q, t) / (k * t * poly(q, t) + poly(p, t)) / r_scaled(t) - 1) for t in grid(g, t_max))
    emit("gelu_tail_p", "K P(t), numerator of S(t) = 1/(K Phi(-t) e^(t^2/2)) - t = P/(K Q), K = sqrt(2 pi)",
         "t", (g, t_max), p, "relative error of Phi(-t) = e^(-t^2/2) Q/(K t Q + K P)", err, "gelu")
    emit("gelu_tail_q", "Q(t), denominator of S(t) = P/(K Q)", "t", (g, t_max), q,
         "relative error of Phi(-t) = e^(-t^2/2) Q/(K t Q + K P)", err, "gelu")

    # log1p(f) = f + f^2 (-1/2 + f p(f)) for sqrt(1/2) - 1 <= f <= sqrt(2) - 1 (the mantissa range
    # after 1 + u = 2^k (1 + f)); the weight turns an error of p into the relative error of log1p.
    lo, hi = mp.sqrt(mp.mpf(1) / 2) - 1, mp.sqrt(2) - 1

    def log1p_p(f):
        if abs(f) < mp.mpf("1e-12"):
            return mp.mpf(1) / 3 - f / 4
        return (mp.log1p(f) - f + f * f / 2) / f**3

    cs = fit_rounded(log1p_p, lo, hi, 7, lambda f: f**3 / mp.log1p(f) if f != 0 else 0)
    err = max(abs(f + f * f * (-mp.mpf(1) / 2 + f * poly(cs, f)) - mp.log1p(f)) / abs(mp.log1p(f))
              for f in grid(lo, hi) if f != 0)
    emit("log1p_p", "(log1p(f) - f + f^2/2) / f^3", "f", (lo, hi), cs,
         "relative error of log1p(f) = f + f^2 (-1/2 + f p(f))", err, "log_softmax")

    # log1p(f) = f + f^2 q(f) for -1/4 <= f <= 0.5001: f = t for 0 <= t <= 0.50007 and f = (t - 1)/2
    # (exact) above, with log1p(t) = ln2 + log1p(f) (t = e^-|z| in softplus, the branch taken from
    # -|z| against LOG1P_UNIT_SPLIT); the weight turns an error of q into the relative error.
    def log1p_unit_q(t):
        if abs(t) < mp.mpf("1e-12"):
            return -mp.mpf(1) / 2 + t / 3
        return (mp.log1p(t) - t) / t**2

    lo, hi = mp.mpf(-0.25), mp.mpf("0.5001")
    cs = fit_rounded(log1p_unit_q, lo, hi, 8, lambda t: t * t / mp.log1p(t) if t != 0 else 0)
    err = max(abs(t + t * t * poly(cs, t) - mp.log1p(t)) / abs(mp.log1p(t))
              for t in grid(lo, hi) if t != 0)
    emit("log1p_unit_q", "(log1p(f) - f) / f^2", "f", (lo, hi), cs,
         "relative error of log1p(f) = f + f^2 q(f)", err, "softplus, log_sigmoid")

main()
