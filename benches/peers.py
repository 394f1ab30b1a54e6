"""The peer side of the nx benchmarks: one workload, one system, one process.

    python benches/peers.py WORKLOAD SYSTEM [--reps K] [--mandel-size S]

SYSTEM is numpy, numexpr, numba or jax. The inputs are built by the same integer
formulas as the .nx programs under benches/nx/, so every system sees bit-identical data.
Output (parsed by benches/harness.py), in the same format as the nx programs:

    compile SECONDS      (JIT peers only: compilation, excluded from the timings)
    time SECONDS         one line per timed repetition, after a warm-up run
    check V1 V2 ...      values compared against NumPy's
    unavailable REASON   instead of all of the above, when the system has no such workload

Thread counts come from the environment the harness sets (OMP_NUM_THREADS,
NUMEXPR_NUM_THREADS, NUMBA_NUM_THREADS, XLA_FLAGS) and from its CPU affinity.
"""

import argparse
import os
import sys
import time

import numpy as np

N = 10_000_000


# ---------------------------------------------------------------- inputs (as in benches/nx)

def unit_a(n):
    i = np.arange(n, dtype=np.int64)
    return ((i * 7919) % 10007) / 10007.0


def unit_b(n):
    i = np.arange(n, dtype=np.int64)
    return ((i * 104729) % 10009) / 10009.0


def inputs(w, mandel_size):
    if w in ("W1", "W5"):
        return (unit_a(N), unit_b(N))
    if w == "W2":
        return (unit_a(N),)
    if w == "W3":
        return (unit_a(N) * 2.0 - 1.0, unit_b(N) * 2.0 - 1.0)
    if w == "W4":
        return (unit_a(N) * 8.0 - 4.0,)
    if w == "W6":
        return (unit_a(N).reshape(2000, 5000),)
    if w == "W7":
        return ((unit_a(4096 * 1024).reshape(4096, 1024) * 10.0).astype(np.float32),)
    if w == "W8":
        return (unit_a(2048 * 2048).reshape(2048, 2048),)
    if w in ("W9f64", "W9f32"):
        dt = np.float64 if w == "W9f64" else np.float32
        return (unit_a(2048 * 2048).reshape(2048, 2048).astype(dt),
                unit_b(2048 * 2048).reshape(2048, 2048).astype(dt))
    if w in ("W10a", "W10b", "W10c"):
        return (unit_a(N),)
    if w == "W11":
        s = mandel_size
        return (np.linspace(-2.0, 1.0, s)[np.newaxis, :], np.linspace(-1.5, 1.5, s)[:, np.newaxis])
    raise SystemExit(f"unknown workload {w}")


def check_values(w, r):
    """The values printed on the check line; the same for every system."""
    if w in ("W1", "W2", "W3", "W4"):
        return [r.sum(), r[0], r[N // 2], r[N - 1]]
    if w in ("W5", "W10a", "W10b"):
        return [r]
    if w == "W6":
        mu, v = r
        return [mu.sum(), v.sum(), mu[0], v[1999]]
    if w == "W7":
        return [r.sum(dtype=np.float32), r[0, 0], r[2048, 511], r[4095, 1023]]
    if w == "W8":
        return [r.sum(), r[1, 1], r[1024, 1024], r[2046, 2046]]
    if w in ("W9f64", "W9f32"):
        return [r.sum(), r[0, 0], r[1024, 1024], r[2047, 2047]]
    if w == "W10c":
        return [len(r), r.sum(), r[0], r[-1]]
    if w == "W11":
        s = r.shape[0]
        return [r.sum(dtype=np.int64), r[s // 2, s // 4], r[0, 0]]
    raise SystemExit(f"unknown workload {w}")


# W8 is run as blocks of SWEEPS Jacobi sweeps; the time printed is per sweep.
SWEEPS = 10


# ---------------------------------------------------------------- NumPy

def numpy_impl(w):
    if w == "W1":
        return lambda a, b: a + 3.0 * b
    if w == "W2":
        return lambda x: ((2.0 * x - 3.0) * x + 4.0) * x - 5.0
    if w == "W3":
        return lambda x, y: np.sqrt(x * x + y * y)
    if w == "W4":
        return lambda x: np.exp(-0.5 * x * x) * 0.3989422804014327
    if w == "W5":
        return lambda a, b: np.sum(a * b)
    if w == "W6":
        return lambda m: (m.mean(axis=1), m.var(axis=1))

    if w == "W7":
        def softmax(x):
            e = np.exp(x - x.max(axis=-1, keepdims=True))
            return e / e.sum(axis=-1, keepdims=True)
        return softmax
    if w == "W8":
        def jacobi(u):
            for _ in range(SWEEPS):
                u[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
            return u
        return jacobi
    if w in ("W9f64", "W9f32"):
        return lambda a, b: a @ b
    if w == "W10a":
        return lambda x: np.sum(np.where(x > 0.5, x, 0.0))
    if w == "W10b":
        return lambda x: np.count_nonzero(x > 0.5)
    if w == "W10c":
        return lambda x: x[x > 0.5]
    if w == "W11":
        def mandel(re, im):
            c = re + 1j * im
            z = np.zeros_like(c)
            n = np.zeros(c.shape, dtype=np.int32)
            for _ in range(100):
                live = (z.real * z.real + z.imag * z.imag) <= 4.0
                if not live.any():
                    break
                n += live
                z = np.where(live, z * z + c, z)
            return n
        return mandel
    return None


# ---------------------------------------------------------------- numexpr

def numexpr_impl(w):
    import numexpr as ne
    if w == "W1":
        return lambda a, b: ne.evaluate("a + 3.0*b")
    if w == "W2":
        return lambda x: ne.evaluate("((2.0*x - 3.0)*x + 4.0)*x - 5.0")
    if w == "W3":
        return lambda x, y: ne.evaluate("sqrt(x*x + y*y)")
    if w == "W4":
        return lambda x: ne.evaluate("exp(-0.5*x*x) * 0.3989422804014327")
    if w == "W5":
        return lambda a, b: ne.evaluate("sum(a*b)")[()]
    if w == "W8":
        def jacobi(u):
            for _ in range(SWEEPS):
                u[1:-1, 1:-1] = ne.evaluate(
                    "0.25*(n + s + w + e)",
                    local_dict={"n": u[:-2, 1:-1], "s": u[2:, 1:-1], "w": u[1:-1, :-2], "e": u[1:-1, 2:]})
            return u
        return jacobi
    if w == "W10a":
        return lambda x: ne.evaluate("sum(where(x > 0.5, x, 0.0))")[()]
    if w == "W10b":
        return lambda x: np.count_nonzero(ne.evaluate("x > 0.5"))
    return None


# ---------------------------------------------------------------- Numba

def numba_impl(w):
    import numba
    from numba import njit, prange

    opts = dict(parallel=True, cache=False)
    if w == "W1":
        @njit(**opts)
        def f(a, b):
            r = np.empty_like(a)
            for i in prange(a.shape[0]):
                r[i] = a[i] + 3.0 * b[i]
            return r
        return f
    if w == "W2":
        @njit(**opts)
        def f(x):
            r = np.empty_like(x)
            for i in prange(x.shape[0]):
                v = x[i]
                r[i] = ((2.0 * v - 3.0) * v + 4.0) * v - 5.0
            return r
        return f
    if w == "W3":
        @njit(**opts)
        def f(x, y):
            r = np.empty_like(x)
            for i in prange(x.shape[0]):
                r[i] = np.sqrt(x[i] * x[i] + y[i] * y[i])
            return r
        return f
    if w == "W4":
        @njit(**opts)
        def f(x):
            r = np.empty_like(x)
            for i in prange(x.shape[0]):
                r[i] = np.exp(-0.5 * x[i] * x[i]) * 0.3989422804014327
            return r
        return f
    if w == "W5":
        @njit(**opts)
        def f(a, b):
            s = 0.0
            for i in prange(a.shape[0]):
                s += a[i] * b[i]
            return s
        return f
    if w == "W6":
        @njit(**opts)
        def f(m):
            rows, cols = m.shape
            mu = np.empty(rows)
            v = np.empty(rows)
            for r in prange(rows):
                s = 0.0
                for c in range(cols):
                    s += m[r, c]
                mean = s / cols
                q = 0.0
                for c in range(cols):
                    d = m[r, c] - mean
                    q += d * d
                mu[r] = mean
                v[r] = q / cols
            return mu, v
        return f
    if w == "W7":
        @njit(**opts)
        def f(x):
            rows, cols = x.shape
            out = np.empty_like(x)
            for r in prange(rows):
                mx = x[r, 0]
                for c in range(1, cols):
                    if x[r, c] > mx:
                        mx = x[r, c]
                s = np.float32(0.0)
                for c in range(cols):
                    e = np.exp(x[r, c] - mx)
                    out[r, c] = e
                    s += e
                for c in range(cols):
                    out[r, c] = out[r, c] / s
            return out
        return f
    if w == "W8":
        @njit(**opts)
        def sweep(u, tmp):
            rows, cols = u.shape
            for i in prange(1, rows - 1):
                for j in range(1, cols - 1):
                    tmp[i, j] = 0.25 * (u[i - 1, j] + u[i + 1, j] + u[i, j - 1] + u[i, j + 1])
            for i in prange(1, rows - 1):
                for j in range(1, cols - 1):
                    u[i, j] = tmp[i, j]

        def jacobi(u, _tmp=[None]):
            if _tmp[0] is None or _tmp[0].shape != u.shape:
                _tmp[0] = np.empty_like(u)
            for _ in range(SWEEPS):
                sweep(u, _tmp[0])
            return u
        jacobi.compile_target = (sweep, lambda u: (u, np.empty_like(u)))
        return jacobi
    if w == "W10a":
        @njit(**opts)
        def f(x):
            s = 0.0
            for i in prange(x.shape[0]):
                if x[i] > 0.5:
                    s += x[i]
            return s
        return f
    if w == "W10b":
        @njit(**opts)
        def f(x):
            c = 0
            for i in prange(x.shape[0]):
                if x[i] > 0.5:
                    c += 1
            return c
        return f
    if w == "W10c":
        @njit(cache=False)
        def f(x):
            return x[x > 0.5]
        return f
    if w == "W11":
        @njit(**opts)
        def f(re, im):
            h = im.shape[0]
            wd = re.shape[1]
            out = np.empty((h, wd), dtype=np.int32)
            for y in prange(h):
                ci = im[y, 0]
                for x in range(wd):
                    cr = re[0, x]
                    zr = 0.0
                    zi = 0.0
                    n = 0
                    while n < 100 and zr * zr + zi * zi <= 4.0:
                        t = zr * zr - zi * zi + cr
                        zi = 2.0 * zr * zi + ci
                        zr = t
                        n += 1
                    out[y, x] = n
            return out
        return f
    return None


# ---------------------------------------------------------------- JAX

def jax_impl(w):
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp

    if w == "W1":
        return jax.jit(lambda a, b: a + 3.0 * b)
    if w == "W2":
        return jax.jit(lambda x: ((2.0 * x - 3.0) * x + 4.0) * x - 5.0)
    if w == "W3":
        return jax.jit(lambda x, y: jnp.sqrt(x * x + y * y))
    if w == "W4":
        return jax.jit(lambda x: jnp.exp(-0.5 * x * x) * 0.3989422804014327)
    if w == "W5":
        return jax.jit(lambda a, b: jnp.sum(a * b))
    if w == "W6":
        return jax.jit(lambda m: (jnp.mean(m, axis=1), jnp.var(m, axis=1)))
    if w == "W7":
        return jax.jit(lambda x: jax.nn.softmax(x, axis=-1))
    if w == "W8":
        def body(_, u):
            return u.at[1:-1, 1:-1].set(
                0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:]))
        return jax.jit(lambda u: jax.lax.fori_loop(0, SWEEPS, body, u), donate_argnums=0)
    if w in ("W9f64", "W9f32"):
        return jax.jit(lambda a, b: a @ b)
    if w == "W10a":
        return jax.jit(lambda x: jnp.sum(jnp.where(x > 0.5, x, 0.0)))
    if w == "W10b":
        return jax.jit(lambda x: jnp.count_nonzero(x > 0.5))
    if w == "W10c":
        # Boolean-mask selection has a data-dependent shape: not jittable, run eagerly.
        return lambda x: x[x > 0.5]
    if w == "W11":
        def mandel(re, im):
            c_r = jnp.broadcast_to(re, (im.shape[0], re.shape[1]))
            c_i = jnp.broadcast_to(im, (im.shape[0], re.shape[1]))

            def body(_, st):
                zr, zi, n = st
                live = zr * zr + zi * zi <= 4.0
                t = zr * zr - zi * zi + c_r
                zi2 = 2.0 * zr * zi + c_i
                return (jnp.where(live, t, zr), jnp.where(live, zi2, zi), n + live.astype(jnp.int32))
            z = jnp.zeros_like(c_r)
            return jax.lax.fori_loop(0, 100, body, (z, z, jnp.zeros(c_r.shape, jnp.int32)))[2]
        return jax.jit(mandel)
    return None


# ---------------------------------------------------------------- driver

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("system", choices=["numpy", "numexpr", "numba", "jax"])
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--mandel-size", type=int, default=1000)
    args = ap.parse_args()
    w, system = args.workload, args.system

    try:
        impl = {"numpy": numpy_impl, "numexpr": numexpr_impl,
                "numba": numba_impl, "jax": jax_impl}[system](w)
    except ImportError as e:
        print(f"unavailable {system} is not installed ({e})")
        return
    if impl is None:
        print(f"unavailable no idiomatic {system} version of this workload")
        return

    args_in = inputs(w, args.mandel_size)
    mutates = w == "W8"          # Jacobi updates its argument in place (as in nx)

    if system == "jax":
        import jax
        dev_args = [jax.device_put(a) for a in args_in]
        jax.block_until_ready(dev_args)
        if hasattr(impl, "lower"):
            t0 = time.perf_counter()
            compiled = impl.lower(*dev_args).compile()
            print("compile", time.perf_counter() - t0)
        else:
            compiled = impl
        state = list(dev_args)

        def run():
            r = compiled(*state)
            jax.block_until_ready(r)
            if mutates:
                state[0] = r
            return r
    elif system == "numba":
        import numba
        target = getattr(impl, "compile_target", None)
        if target is not None:
            fn, mk = target
            sig_args = mk(*args_in)
        else:
            fn, sig_args = impl, args_in
        t0 = time.perf_counter()
        fn.compile(tuple(numba.typeof(a) for a in sig_args))
        print("compile", time.perf_counter() - t0)
        state = list(args_in)

        def run():
            return impl(*state)
    else:
        state = list(args_in)

        def run():
            return impl(*state)

    r = run()                                 # warm-up
    for _ in range(args.reps):
        t0 = time.perf_counter()
        r = run()
        t1 = time.perf_counter()
        dt = t1 - t0
        print("time", dt / SWEEPS if w == "W8" else dt)
    if system == "jax":
        r = jax.tree_util.tree_map(np.asarray, r)
    vals = check_values(w, r)
    print("check", " ".join(repr(float(v)) for v in vals))
    sys.stdout.flush()


if __name__ == "__main__":
    main()
