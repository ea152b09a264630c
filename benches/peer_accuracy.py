"""Max f32 ULP error of the peer libraries' activation kernels, for the README's comparison.

Runs the ops of `../shared/peers` (XNNPACK through LiteRT, ONNX Runtime's CPU provider; their
`make` functions build and bind the one-op models) on one input set and measures each output
against an f64 reference computed here, in ULP of f32 (of the smallest subnormal where the
reference is subnormal), the same measure as this crate's exhaustive checker.

Inputs: every 1024th f32 bit pattern that is finite (about 4.2 million, so every binade from
the subnormals to 3.4e38 of both signs), plus 2^20 points evenly spread over [-20, 20]; for
swiglu the second operand is uniform in [-4, 4]. A NaN input is checked to give NaN.

Run with the peers' virtual environment (created by `../shared/peers/run.sh`):

    ~/.cache/activation-peers/venv/bin/python benches/peer_accuracy.py [--peers-dir DIR]
"""
import argparse
import math
import os
import sys

import numpy as np

OPS = ["exp", "sigmoid", "tanh", "silu", "gelu_erf", "gelu_tanh", "swiglu", "elu", "hardswish"]
PEERS = {"xnnpack": "peer_litert", "onnxruntime": "peer_ort"}

# sqrt(2/pi), the tanh-form GELU's slope (Hendrycks & Gimpel 2016), and its cubic coefficient.
GELU_TANH_K = math.sqrt(2.0 / math.pi)
GELU_TANH_C = 0.044715


def sigmoid64(x):
    """1 / (1 + e^-x) without overflow or cancellation."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def reference(op, x, v):
    """The op in f64 (forms without cancellation: erfc for GELU's negative tail, the logistic
    form of the tanh GELU)."""
    if op == "exp":
        return np.exp(x)
    if op == "sigmoid":
        return sigmoid64(x)
    if op == "tanh":
        return np.tanh(x)
    if op == "silu":
        return x * sigmoid64(x)
    if op == "gelu_erf":
        erfc = np.frompyfunc(math.erfc, 1, 1)
        return 0.5 * x * erfc(-x / math.sqrt(2.0)).astype(np.float64)
    if op == "gelu_tanh":
        return x * sigmoid64(2.0 * GELU_TANH_K * (x + GELU_TANH_C * x**3))
    if op == "swiglu":
        return x * sigmoid64(x) * v
    if op == "elu":
        return np.where(x > 0, x, np.expm1(np.minimum(x, 0.0)))
    if op == "hardswish":
        return x * np.clip(x + 3.0, 0.0, 6.0) / 6.0
    raise ValueError(op)


def ulp_error(y, ref):
    """|y - ref| in ULP of f32 at ref; 0 where both round to the same infinity."""
    y64 = y.astype(np.float64)
    ref32 = ref.astype(np.float32)
    same_inf = np.isinf(ref32) & (y == ref32)
    a = np.abs(ref)
    exponent = np.floor(np.log2(np.where(a > 0, a, 1.0)))
    ulp = np.exp2(np.maximum(np.where(a > 0, exponent, -126.0), -126.0) - 23.0)
    with np.errstate(invalid="ignore", over="ignore"):
        err = np.abs(y64 - ref) / ulp
    err = np.where(same_inf, 0.0, err)
    return np.where(np.isnan(err), np.inf, err)


def inputs():
    bits = np.arange(0, 1 << 32, 1024, dtype=np.uint64).astype(np.uint32)
    patterns = bits.view(np.float32)
    patterns = patterns[np.isfinite(patterns)]
    grid = np.linspace(-20.0, 20.0, 1 << 20, dtype=np.float32)
    return np.concatenate([patterns, grid])


def run(mod, op, arrays):
    made = mod.make(op, "f32", len(arrays[0]), 1, arrays)
    if made is None:
        return None
    fn, keep, _ = made
    fn()
    if hasattr(keep[0], "get_output_details"):  # LiteRT: the output lives in the arena
        it = keep[0]
        return np.array(it.get_tensor(it.get_output_details()[0]["index"]))
    return np.array(keep[3])  # ONNX Runtime: the bound output buffer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--peers-dir", default=os.path.join(os.path.dirname(__file__), "../../shared/peers"))
    a = ap.parse_args()
    sys.path.insert(0, os.path.abspath(a.peers_dir))
    mods = {p: __import__(m) for p, m in PEERS.items()}
    np.seterr(over="ignore", invalid="ignore")
    x = inputs()
    v = np.random.default_rng(0).uniform(-4, 4, len(x)).astype(np.float32)
    print(f"{len(x)} f32 inputs (every 1024th finite bit pattern + 2^20 grid points on [-20, 20])\n")
    print("| op | peer | max ULP | at x | inputs > 4 ULP | max ULP, 2^-10 <= |x| <= 4 | NaN -> NaN |")
    print("|---|---|---|---|---|---|---|")
    for op in OPS:
        arrays = [x, v] if op == "swiglu" else [x]
        ref = reference(op, x.astype(np.float64), v.astype(np.float64))
        for peer, mod in mods.items():
            y = run(mod, op, arrays)
            if y is None:
                continue
            err = ulp_error(y, ref)
            worst = int(np.argmax(err))
            core = (np.abs(x) <= 4) & (np.abs(x) >= 2.0**-10)
            nan = [np.array([np.nan, -np.nan], dtype=np.float32)] * len(arrays)
            nan_ok = bool(np.all(np.isnan(run(mod, op, nan))))
            print(f"| {op} | {peer} | {err[worst]:.3g} | {x[worst]:.8g} | {int(np.sum(err > 4))} | "
                  f"{err[core].max():.3g} | {'yes' if nan_ok else 'no'} |", flush=True)


if __name__ == "__main__":
    main()
