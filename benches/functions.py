"""Throughput of each math function: nx, NumPy and scalar libm (benches/libm_throughput.c)
on the same inputs, N elements per call, f64 and f32.

benches/harness.py imports FUNCTIONS and nx_source() and runs all three; run as a script with
the peers' venv, this file times NumPy:

    python benches/functions.py [--reps K]

Every system prints one line per timed call, after one warm-up call per function:

    fn NAME DTYPE SECONDS
"""

import argparse
import sys
import time

N = 1_000_000

# name, arity, domain of the first argument; a second argument runs from 2.0 down to 0.5.
# The domains keep every result finite and away from the functions' special cases.
FUNCTIONS = [
    ("exp", 1, -10.0, 10.0),
    ("exp2", 1, -10.0, 10.0),
    ("expm1", 1, -10.0, 10.0),
    ("log", 1, 0.01, 100.0),
    ("log2", 1, 0.01, 100.0),
    ("log10", 1, 0.01, 100.0),
    ("log1p", 1, -0.5, 100.0),
    ("sin", 1, -10.0, 10.0),
    ("cos", 1, -10.0, 10.0),
    ("tan", 1, -1.5, 1.5),
    ("asin", 1, -1.0, 1.0),
    ("acos", 1, -1.0, 1.0),
    ("atan", 1, -10.0, 10.0),
    ("sinh", 1, -10.0, 10.0),
    ("cosh", 1, -10.0, 10.0),
    ("tanh", 1, -10.0, 10.0),
    ("cbrt", 1, -100.0, 100.0),
    ("atan2", 2, -10.0, 10.0),
    ("hypot", 2, -10.0, 10.0),
    ("pow", 2, 0.01, 10.0),
]

DTYPES = ["f64", "f32"]


def nx_source(reps, n=N):
    """An nx program timing every function and dtype (each block binds its own `x`, `y` and
    `r` with `let`, as their dtypes change from block to block)."""
    lines = []
    for name, arity, lo, hi in FUNCTIONS:
        for dtype in DTYPES:
            call = {1: f"{name}(x)", 2: "x ** y" if name == "pow" else f"{name}(x, y)"}[arity]
            lines += [
                f"let x = linspace({lo!r}, {hi!r}, {n}) as {dtype}",
                f"let y = linspace(2.0, 0.5, {n}) as {dtype}",
                f"let r = {call}",
                f"for k in 0..{reps} {{",
                "    let t0 = clock()",
                f"    r = {call}",
                f'    print("fn {name} {dtype}", clock() - t0)',
                "}",
            ]
    return "\n".join(lines) + "\n"


def numpy_main(reps):
    import numpy as np

    names = {"asin": "arcsin", "acos": "arccos", "atan": "arctan", "atan2": "arctan2",
             "pow": "power"}
    for name, arity, lo, hi in FUNCTIONS:
        f = getattr(np, names.get(name, name))
        for dtype in DTYPES:
            t = np.float64 if dtype == "f64" else np.float32
            x = np.linspace(lo, hi, N).astype(t)
            y = np.linspace(2.0, 0.5, N).astype(t)
            args = (x,) if arity == 1 else (x, y)
            f(*args)
            for _ in range(reps):
                t0 = time.perf_counter()
                f(*args)
                print(f"fn {name} {dtype} {time.perf_counter() - t0}")
    sys.stdout.flush()


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=5)
    numpy_main(ap.parse_args().reps)
