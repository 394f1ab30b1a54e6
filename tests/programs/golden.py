#!/usr/bin/env python3
"""Regenerate the expected stdout (.out) of every nx test program from NumPy.

    python3 tests/programs/golden.py            # rewrite all .out files
    python3 tests/programs/golden.py --check    # compare, exit 1 on any difference

Every program `<topic>/<name>.nx` has one function below, registered with
@prog("<topic>/<name>"), that computes the same values with NumPy (2.x) and prints
them with nx_print(), which implements the nx print format (spec section 9).
Where nx deliberately deviates from NumPy the spec's answer is computed explicitly
and commented "(deviation)".

Files under a `lib/` directory are import libraries: no .out, no function.
Programs under `errors/` must fail; their .out is the stdout expected *before* the
failure (empty for syntax and type errors). Their function, if any, prints that.

Print format (spec section 9), as implemented by nx_format():
  * bool -> true/false; ints in decimal.
  * floats: Python repr of the value with the shortest digits that round-trip in
    the value's own dtype (f32 or f64): positional when the decimal exponent is in
    [-4, 16), else d[.ddd]e[+-]XX (exponent at least two digits); always with a
    '.' or an exponent; -0.0, inf, -inf, nan (the sign of a nan is never printed).
  * arrays: nested lists, ', ' between elements, no padding. Between the elements
    of axis k of a rank-r array (r >= 2, k < r-1) the separator is ',' followed by
    (r - k - 1) newlines (i.e. r-k-2 blank lines, NumPy's rule: one blank line
    between the 2-D blocks of a rank-3 array, two between the 3-D blocks of a rank-4
    array) and then k+1 spaces, so each row aligns after the opening brackets.
    Blank lines carry no trailing spaces.
  * an array with more than 1000 elements abbreviates every axis longer than 6 to
    its first 3 and last 3 entries, with '...' in place of the rest (on its own
    row, followed by the axis' separator, for axes other than the last).
  * an array with a zero-length axis 0 prints as '[]'.
  * a rank-0 array prints as its scalar. print(a, b, ...) joins with one space
    and ends with a newline; string arguments are printed raw.
"""
import math
import os
import sys

import numpy as np

np.seterr(all="ignore")
import warnings
warnings.simplefilter("ignore")

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAMS = {}
_lines = None


def prog(path):
    def deco(f):
        assert path not in PROGRAMS, path
        PROGRAMS[path] = f
        return f
    return deco


# ----------------------------------------------------------------------------
# nx print format
# ----------------------------------------------------------------------------

def fmt_float(x, dtype=np.float64):
    x = np.dtype(dtype).type(x)
    if np.isnan(x):
        return "nan"
    if np.isinf(x):
        return "inf" if x > 0 else "-inf"
    if x == 0:
        return "-0.0" if np.signbit(x) else "0.0"
    s = np.format_float_scientific(x, unique=True, trim="-")
    mant, ex = s.split("e")
    ex = int(ex)
    sign = ""
    if mant.startswith("-"):
        sign, mant = "-", mant[1:]
    digits = mant.replace(".", "")          # value = d.ddd * 10**ex
    if -4 <= ex < 16:
        if ex >= 0:
            if len(digits) <= ex + 1:
                ip, fp = digits + "0" * (ex + 1 - len(digits)), "0"
            else:
                ip, fp = digits[: ex + 1], digits[ex + 1:]
        else:
            ip, fp = "0", "0" * (-ex - 1) + digits
        return f"{sign}{ip}.{fp}"
    m = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{sign}{m}e{'-' if ex < 0 else '+'}{abs(ex):02d}"


def fmt_scalar(x, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return "true" if bool(x) else "false"
    if dtype.kind in "iu":
        return str(int(x))
    if dtype.kind == "f":
        return fmt_float(x, dtype)
    raise TypeError(f"unsupported dtype {dtype}")


def fmt_array(a):
    summarize = a.size > 1000

    def items_of(sub, f):
        n = sub.shape[0]
        if summarize and n > 6:
            return [f(sub[i]) for i in range(3)] + ["..."] + [f(sub[i]) for i in range(n - 3, n)]
        return [f(sub[i]) for i in range(n)]

    def rec(sub, depth):
        if sub.shape[0] == 0:
            return "[]"
        if sub.ndim == 1:
            return "[" + ", ".join(items_of(sub, lambda v: fmt_scalar(v, a.dtype))) + "]"
        sep = "," + "\n" * (sub.ndim - 1) + " " * (depth + 1)
        return "[" + sep.join(items_of(sub, lambda s: rec(s, depth + 1))) + "]"

    return rec(a, 0)


def nx_format(v):
    if isinstance(v, str):
        return v
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, int):                      # weak i64
        assert -2**63 <= v < 2**63, v
        return str(v)
    if isinstance(v, float):                    # weak f64
        return fmt_float(v)
    if isinstance(v, np.generic):
        return fmt_scalar(v, v.dtype)
    if isinstance(v, np.ndarray):
        if v.ndim == 0:
            return fmt_scalar(v[()], v.dtype)
        return fmt_array(v)
    raise TypeError(f"cannot print {type(v)}")


def nx_print(*values):
    _lines.append(" ".join(nx_format(v) for v in values) + "\n")


# ----------------------------------------------------------------------------
# helpers for the spec's deviations from NumPy
# ----------------------------------------------------------------------------

def A(x, dtype=None):
    return np.array(x, dtype=dtype)


def f64(x):
    """Float functions give f64 for integer/bool arguments (deviation: NumPy f16/f32)."""
    return np.asarray(x).astype(np.float64)


def sat_cast(x, dtype):
    """Float -> int `as`: truncate toward zero, saturate, nan -> 0 (deviation)."""
    info = np.iinfo(dtype)
    x = np.asarray(x, dtype=np.float64)
    out = []
    for v in x.ravel():
        if math.isnan(v):
            out.append(0)
        elif math.isinf(v):
            out.append(info.max if v > 0 else info.min)
        else:
            out.append(min(max(math.trunc(v), info.min), info.max))
    return np.array(out, dtype=dtype).reshape(x.shape)


def int_floordiv(a, b, dtype):
    """Integer // with Python floor semantics; MIN // -1 wraps to MIN (spec)."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype), np.asarray(b, dtype))
    vals = [x // y for x, y in zip(a.ravel().tolist(), b.ravel().tolist())]
    return _wrap(vals, dtype).reshape(a.shape)


def int_mod(a, b, dtype):
    """Integer % with Python semantics (sign of the divisor); MIN % -1 is 0."""
    a, b = np.broadcast_arrays(np.asarray(a, dtype), np.asarray(b, dtype))
    vals = [x % y for x, y in zip(a.ravel().tolist(), b.ravel().tolist())]
    return _wrap(vals, dtype).reshape(a.shape)


def _wrap(vals, dtype):
    bits = np.dtype(dtype).itemsize * 8
    res = []
    for v in vals:
        v &= (1 << bits) - 1
        if np.dtype(dtype).kind == "i" and v >= 1 << (bits - 1):
            v -= 1 << bits
        res.append(v)
    return np.array(res, dtype=dtype)


# ============================================================================
# programs
# ============================================================================


# ---------------------------------------------------------------- creation

@prog("creation/zeros_ones")
def _():
    nx_print(np.zeros(3))
    nx_print(np.ones([2, 3]))
    nx_print(np.zeros([2, 2], dtype=np.int32))
    nx_print(np.ones(4, dtype=np.bool_))
    nx_print(np.zeros(0))
    nx_print(np.ones([2, 1, 2], dtype=np.uint8))
    nx_print(np.zeros(2, dtype=np.float32) + 0.1)


@prog("creation/full")
def _():
    nx_print(np.full(3, 7, dtype=np.int64))
    nx_print(np.full([2, 2], 2.5))
    nx_print(np.full(2, np.float32(1.5)))
    nx_print(np.full(3, np.uint8(200)) + np.uint8(100))
    nx_print(np.full([2, 3], True))
    nx_print(np.full(2, np.pi))
    nx_print(np.full(2, 2147483647, dtype=np.int64) + 1)


@prog("creation/arange")
def _():
    nx_print(np.arange(5))
    nx_print(np.arange(2, 10))
    nx_print(np.arange(2, 10, 3))
    nx_print(np.arange(10, 0, -3))
    nx_print(np.arange(0.0, 1.0, 0.25))
    nx_print(np.arange(-1.5, 1.0, 0.5))
    nx_print(np.arange(5, dtype=np.float64))
    nx_print(np.arange(4, dtype=np.uint8))
    nx_print(np.arange(0))
    nx_print(np.arange(5, 2))
    nx_print(np.arange(1, 8, 2))


@prog("creation/linspace")
def _():
    nx_print(np.linspace(0.0, 1.0, 5))
    nx_print(np.linspace(0.0, 1.0, 4, endpoint=False))
    nx_print(np.linspace(-4.0, 4.0, 9))
    nx_print(np.linspace(1.0, 2.0, 1))
    nx_print(np.linspace(0.0, 1.0, 0))
    nx_print(np.linspace(0, 10, 6))
    nx_print(np.linspace(2.0, -2.0, 5))


@prog("creation/eye")
def _():
    nx_print(np.eye(3))
    nx_print(np.eye(2, dtype=np.int64))
    nx_print(np.eye(1))
    nx_print(np.eye(3, dtype=np.bool_))


@prog("creation/list_literals")
def _():
    nx_print(A([1, 2, 3]))
    nx_print(A([1.0, 2.5, -3.0]))
    nx_print(A([[1, 2], [3, 4]]))
    nx_print(A([True, False, True]))
    nx_print(A([], dtype=np.float64))
    nx_print(A([1, 255], np.uint8))
    nx_print(A([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]))
    nx_print(A([1, 2.5]))
    # [100u8, 1i8] is i16; weak 400 adopts i16 and the product wraps
    nx_print(np.array([np.uint8(100), np.int8(1)], dtype=np.result_type(np.uint8, np.int8)) * 400)
    nx_print(A([1, 2], np.int32) + A([2147483647, 0], np.int32))


@prog("creation/list_of_arrays")
def _():
    a = np.arange(3)
    b = a * 10
    m = np.array([a, b])
    nx_print(m)
    nx_print(np.array(np.array([a, b, a + b]).shape))
    x = 1.5
    nx_print(np.array([x, 2.0 * x, x * x]))
    nx_print(np.array([np.zeros(2), np.ones(2)]))
    nx_print(np.array(np.array([m, m]).shape))


@prog("creation/multiline_literals")
def _():
    m = A([[1, 2, 3], [4, 5, 6]])
    nx_print(m)
    nx_print(np.sum(m, axis=0))
    nx_print(np.full([2, 2], 0.5))
    nx_print(A([1.5, 2.5]))


@prog("creation/dtype_kwarg")
def _():
    nx_print(np.ones(3, dtype=np.float32) / 3.0)
    nx_print(np.ones(3) / 3.0)
    nx_print(np.arange(3, dtype=np.int8) * 100)
    nx_print(np.arange(3, dtype=np.uint16) - 1)
    nx_print(np.eye(2, dtype=np.float32) * 0.1)
    nx_print(np.zeros([1, 2], dtype=np.uint64) - 1)


# ---------------------------------------------------------------- operators

@prog("operators/arith_int")
def _():
    a = A([7, -7, 3, 0]); b = A([2, 2, -4, 5])
    nx_print(a + b); nx_print(a - b); nx_print(a * b); nx_print(a / b)
    nx_print(a // b); nx_print(a % b); nx_print(-a); nx_print(+a)
    nx_print(7 / 2, -7 // 2, -7 % 2)


@prog("operators/arith_float")
def _():
    x = A([1.5, -2.5, 0.1, 4.0]); y = A([0.5, 2.0, 0.2, -8.0])
    nx_print(x + y); nx_print(x - y); nx_print(x * y); nx_print(x / y)
    nx_print(A([1.5, -2.5, 0.5, 4.0]) ** 2.0)
    one, zero = np.float64(1.0), np.float64(0.0)
    nx_print(one / zero, -one / zero, zero / zero)
    nx_print(-x)


@prog("operators/float_floordiv_mod")
def _():
    F = np.float64
    nx_print(F(1.0) // F(0.1))
    nx_print(F(1.0) % F(0.1))
    nx_print(F(-7.5) // F(2.0), F(-7.5) % F(2.0))
    nx_print(F(7.5) // F(-2.0), F(7.5) % F(-2.0))
    z = A([1.0, -1.0, 0.0])
    nx_print(z // 0.0)
    nx_print(z % 0.0)
    nx_print(A([-0.5, 0.5, 1.5]) % 1.0)
    nx_print(F(-1e-20) % F(1.0))
    nx_print(F(0.0) % F(-2.0), F(-0.0) // F(1.0))
    h = A([5.5, -5.5], np.float32)
    nx_print(h // 2.0, h % 2.0)


@prog("operators/int_floordiv_mod")
def _():
    a = A([-7, -7, 7, 7, -1, 0]); b = A([2, -2, 2, -2, 3, -3])
    nx_print(a // b)
    nx_print(a % b)
    # spec: MIN // -1 wraps to MIN, MIN % -1 is 0
    nx_print(int_floordiv(-128, -1, np.int8), int_mod(-128, -1, np.int8))
    u = A([7, 200], np.uint8)
    nx_print(u // np.uint8(3), u % np.uint8(3))
    s = A([-9, 9], np.int16)
    nx_print(s // np.int16(4), s % np.int16(-4))


@prog("operators/int_wraparound")
def _():
    a = A([250, 10], np.uint8)
    nx_print(a + np.uint8(10))
    nx_print(a * np.uint8(2))
    nx_print(np.uint8(10) - np.uint8(20))
    nx_print(-A([1, 2], np.uint8))
    b = np.int8(127)
    nx_print(b + np.int8(1))
    nx_print(-np.int8(-128))
    c = np.int32(2147483647)
    nx_print(c + np.int32(1), c * np.int32(2))
    big = np.int64(9223372036854775807)
    nx_print(big + 1, -big - 2)
    u = np.uint64(18446744073709551615)
    nx_print(u + np.uint64(1))
    nx_print(np.uint8(3) ** np.uint8(5), np.uint8(4) ** np.uint8(4), np.int8(3) ** np.int8(5))


@prog("operators/power")
def _():
    nx_print(2 ** 3 ** 2)
    nx_print((2 ** 3) ** 2)
    x = 3.0
    nx_print(-x ** 2)
    nx_print(-2 ** 2)
    nx_print(2.0 ** -1.0)
    nx_print(2 ** -x)
    nx_print(np.arange(5) ** 2)
    nx_print(2 ** np.arange(5))
    nx_print(A([1.5, 2.0]) ** A([2.0, 3.0]))
    nx_print(0 ** 0, 0.0 ** 0.0)
    nx_print(A([2, 3], np.int32) ** 2, np.uint8(10) ** 3)


@prog("operators/comparisons")
def _():
    a = A([1, 2, 3, 4])
    nx_print(a < 3, a <= 3)
    nx_print(a > 3, a >= 3)
    nx_print(a == 2, a != 2)
    nx_print(a > 2.5)
    nx_print(A([0.5, np.nan, 2.0]) == A([0.5, np.nan, 1.0]))
    n = np.nan
    nx_print(n == n, n != n, n < 1.0, n >= 1.0)
    nx_print(-np.inf < np.inf, 0.0 == -0.0)


@prog("operators/mixed_int_compare")
def _():
    nx_print(np.int64(-1) < np.uint64(1))
    U = np.uint64(18446744073709551615)
    nx_print(U > np.int64(-1), U == np.int64(-1))
    nx_print(np.uint64(9223372036854775808) > np.int64(9223372036854775807))
    u = A([0, 255], np.uint8)
    nx_print(u == -1, u < 256, u > -1)
    nx_print(A([-1, 5], np.int8) < A([255, 5], np.uint8))
    nx_print(np.int32(-1) == np.uint32(4294967295), np.uint8(200) == np.int8(-56))


@prog("operators/bitwise")
def _():
    a = A([12, 10, -1]); b = A([10, 6, 5])
    nx_print(a & b); nx_print(a | b); nx_print(a ^ b); nx_print(~a)
    nx_print(~np.uint8(0), ~A([0, 15], np.uint8), ~np.int8(0))
    nx_print(~np.bool_(True), ~A([True, False]))
    nx_print(True & False, True | False, True ^ True)
    U = np.uint8
    nx_print(U(0xF0) | U(0x0F), U(0xF0) & U(0x3C), U(0xF0) ^ U(0xFF))
    nx_print(5 & 3, 5 | 3, 5 ^ 3)
    nx_print(6 & 3 == 2, 1 | 2 ^ 3 & 4)


@prog("operators/shifts")
def _():
    x = A([1, 2, -8])
    nx_print(x << 2)
    nx_print(x >> 1)
    U = np.uint8
    nx_print(U(1) << U(7), U(1) << U(8), U(255) >> U(9))
    nx_print(np.int8(1) << np.int8(7))
    s = A([-1, 64, 65, 3])
    nx_print(np.left_shift(1, s))
    nx_print(np.right_shift(-16, s))
    nx_print(np.right_shift(16, s))
    nx_print(1 + 2 << 3)
    nx_print(A([1], np.uint32) << A([31, 32], np.uint32))


@prog("operators/logical")
def _():
    t, f = True, False
    nx_print(t and f, t or f, not t, not f)
    nx_print(np.logical_not(A([True, False])))
    nx_print(np.logical_and(A([True, False, True]), A([True, True, False])))
    nx_print(np.logical_or(A([True, False]), A([False, False])))
    nx_print(1 < 2 and 3 < 4)
    nx_print(not 1 == 2)
    nx_print(False)            # false and noisy(): noisy is not called
    nx_print(True)             # true or noisy(): noisy is not called
    nx_print("called")         # true and noisy(): called before print
    nx_print(True)


@prog("operators/precedence")
def _():
    nx_print(1 + 2 * 3, (1 + 2) * 3)
    nx_print(2 * 3 ** 2)
    nx_print(10 - 4 - 3, 100 / 10 / 5, 7 // 2 * 2)
    nx_print(int(np.trunc(2.5)) * 2)
    nx_print(sat_cast(-2.5, np.int64), sat_cast(-2.5, np.uint8))
    nx_print(3 * sat_cast(2.5, np.int64))
    nx_print(1 + 2 == 3 and not False)
    nx_print(-3 % 5, -(3 % 5))
    nx_print(2 ** -1.0)


# ---------------------------------------------------------------- promotion

@prog("promotion/weak_int_adopts")
def _():
    nx_print(A([250, 5], np.uint8) + 10)
    nx_print(A([100, -100], np.int8) * 2)
    nx_print(A([1000], np.int16) * 100)
    nx_print(A([0.1, 0.2], np.float32) + 1)
    nx_print(A([4000000000], np.uint32) + 300000000)


@prog("promotion/weak_float")
def _():
    x = A([0.1, 0.7], np.float32)
    nx_print(x * 0.5)
    nx_print(x * 3.0)
    i = A([1, 3], np.int32)
    nx_print(i * 2.5)
    nx_print(i * 0.1)
    nx_print(i / 3)
    b = A([True, False])
    nx_print(b * 1.5)
    nx_print(b + 1)
    nx_print(A([3], np.uint8) * 0.1)


@prog("promotion/strong_promotion")
def _():
    nx_print(A([1, 2], np.int32) + A([0.1, 0.2], np.float32))
    nx_print(A([200], np.uint8) + A([100], np.int8))
    nx_print(A([127], np.int8) + A([127], np.uint8))
    nx_print(A([-1], np.int64) + A([1], np.uint64))
    nx_print(A([0.1], np.float32) + A([0.0]))
    nx_print(A([255], np.uint8) + A([1], np.uint16))
    nx_print(A([1], np.uint32) - A([2], np.int32))
    nx_print(A([1], np.uint64) - A([2], np.int64))
    nx_print(A([100], np.int8) * A([3], np.uint8))
    nx_print(A([16777217], np.int32) + A([0.0], np.float32))


@prog("promotion/weak_variables")
def _():
    n = 3
    x = A([200, 2], np.uint8)
    nx_print(x * n)
    s = np.int64(3)
    nx_print(x * s)
    for i in range(2, 3):
        nx_print(x * i)
    nx_print(x * len(x))
    g = A([0.1], np.float32)
    k = 2.0 * np.pi
    nx_print(g * k)
    h = A([0.1])
    nx_print(g + h[0])
    nx_print(g * np.float64(2.0))      # function results are strong
    nx_print(g * 2.0)


@prog("promotion/weak_weak")
def _():
    a = 1; b = 2.5; c = a + b
    nx_print(c, a * 2, 7 // 2, 1 / 4)
    nx_print(A([0.1], np.float32) * c)
    u = A([250], np.uint8)
    nx_print(u + (a + 4))
    nx_print(u + (a + 10))


@prog("promotion/bool_promotion")
def _():
    b = A([True, False, True])
    nx_print(b + 1)
    nx_print(b * 1.5)
    nx_print(b + A([1, 2, 255], np.uint8))
    nx_print(b * np.int8(2))
    nx_print(b & A([False, True, True]))


# ---------------------------------------------------------------- broadcast

@prog("broadcast/scalar_array")
def _():
    a = A([1.0, 2.0, 3.0])
    nx_print(a + 1.0, 2.0 * a, a / 2.0)
    s = a[0]
    nx_print(a - s)
    m = A([[1, 2], [3, 4]])
    nx_print(m * 10)
    nx_print(10 - m)
    t = np.sum(m)
    nx_print(m * t)


@prog("broadcast/col_row")
def _():
    col = A([[0], [10], [20]]); row = A([[1, 2, 3, 4]])
    nx_print(col + row)
    nx_print(np.array((col + row).shape))
    nx_print(col * np.arange(4))
    nx_print(row - col)


@prog("broadcast/newaxis")
def _():
    x = np.arange(3); y = np.arange(4)
    nx_print(x[:, None] * 10 + y)
    nx_print(A(x[None, :].shape), A(x[:, None].shape), A(x[None].shape))
    nx_print(x[None, :] + x[:, None])
    nx_print(A(y[None, :, None].shape))


@prog("broadcast/rank3")
def _():
    a = A([[[0, 1, 2]], [[3, 4, 5]]]); b = A([[0], [10], [20], [30]])
    c = a + b
    nx_print(A(c.shape))
    nx_print(c)
    nx_print(a * A([1, -1, 2]))


@prog("broadcast/broadcast_mixed_dtypes")
def _():
    u = A([[1], [2]], np.uint8)
    f = A([0.5, 0.25, 0.125], np.float32)
    nx_print(u * f)
    nx_print(u + A([254, 255], np.uint8))
    b = A([[True], [False]])
    nx_print(b & A([True, False, True]))
    nx_print(np.where(b, A([1, 2, 3]), -1))


# ---------------------------------------------------------------- casts

@prog("casts/float_to_int")
def _():
    # (deviation) float -> int saturates and nan -> 0: sat_cast computes the spec's answer
    x = A([2.7, -2.7, 0.5, -0.5, -0.0])
    nx_print(sat_cast(x, np.int64))
    nx_print(sat_cast(300.0, np.uint8), sat_cast(-5.0, np.uint8), sat_cast(1e20, np.int32), sat_cast(-1e20, np.int32))
    nx_print(sat_cast(np.nan, np.int32), sat_cast(np.inf, np.int64), sat_cast(-np.inf, np.int16))
    nx_print(sat_cast(A([np.nan, 1e300, -1e300, 127.9, -128.9]), np.int8))
    nx_print(sat_cast(-2.5, np.uint8), sat_cast(255.9, np.uint8))
    nx_print(sat_cast(1e19, np.uint64), sat_cast(-1.0, np.uint64), sat_cast(9.3e18, np.int64))
    nx_print(sat_cast(A([1.5, -1.5, 1e10], np.float32), np.int32))
    y = A([70000.5, -70000.5])
    nx_print(sat_cast(y, np.uint16), sat_cast(y, np.int16))


@prog("casts/int_to_int")
def _():
    nx_print(np.int64(300).astype(np.uint8), np.int64(-1).astype(np.uint8))
    nx_print(A([256, 257, -129, 128]).astype(np.int8))
    nx_print(np.uint16(65535).astype(np.int16), np.uint16(32768).astype(np.int16))
    nx_print(np.int32(-1).astype(np.uint64), np.int8(-1).astype(np.uint32))
    nx_print(np.int64(4294967296).astype(np.uint32), np.int64(4294967297).astype(np.uint32))
    nx_print(np.uint64(18446744073709551615).astype(np.int64))
    nx_print(A([200, 100], np.uint8).astype(np.int8))


@prog("casts/bool_casts")
def _():
    nx_print(A([0.0, -0.0, 0.5, np.nan, -np.inf]).astype(np.bool_))
    nx_print(A([0, 3, -1]).astype(np.bool_), np.bool_(256), np.int64(256).astype(np.uint8).astype(np.bool_))
    nx_print(A([True, False]).astype(np.int32), A([True, False]).astype(np.float64))
    nx_print(np.uint8(True) + np.uint8(255))
    nx_print(np.sum(A([True, True, False]).astype(np.int64)))


@prog("casts/float_casts")
def _():
    nx_print(np.float32(0.1))
    nx_print(np.float64(np.float32(0.1)))
    nx_print(np.float64(np.float32(0.1)))
    nx_print(np.float32(1e40), np.float32(-1e40))
    nx_print(np.float32(16777217), np.int64(np.float32(16777217)))
    nx_print(sat_cast(np.float32(3.9), np.int8))
    nx_print(np.float64(9007199254740993))
    nx_print(np.float32(np.nan), np.float32(-0.0))


@prog("casts/cast_in_expr")
def _():
    a = np.arange(5)
    nx_print(a.astype(np.float64) / 2.0)
    nx_print(np.float64(np.sum(a)) / len(a))
    nx_print((a * 100).astype(np.uint8))
    nx_print(a.astype(np.float32) * 0.1)
    nx_print(sat_cast(A([1.9, -1.9]), np.int32) * 2)


# ---------------------------------------------------------------- math

@prog("math/rounding_exact")
def _():
    x = A([-2.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.7])
    for f in (np.abs, np.sign, np.floor, np.ceil, np.trunc, np.round, np.square):
        nx_print(f(x))
    nx_print(np.round(A([0.49999999999999994, -1.5, 1e300, np.nan, -np.inf])))


@prog("math/int_functions")
def _():
    i = A([-3, 0, 4])
    nx_print(np.abs(i), np.sign(i), np.square(i))
    nx_print(np.floor(i), np.ceil(i), np.trunc(i), np.round(i))   # NumPy 2 keeps ints
    nx_print(np.abs(np.int8(-128)), np.abs(A([-5, 5], np.int8)), np.square(A([16, 3], np.uint8)))
    nx_print(np.sign(A([0, 7], np.uint8)), np.square(np.int32(100000)))


@prog("math/float_funcs_on_ints")
def _():
    # (deviation) float functions give f64 for 8/16-bit ints and bools: convert first
    b = A([1, 4, 9], np.int8)
    nx_print(np.sqrt(f64(b)))
    nx_print(np.sqrt(f64(b)) + 0.1)
    nx_print(np.exp(f64(np.uint8(0))), np.log(f64(np.int16(1))), np.exp2(f64(np.uint16(3))))
    nx_print(np.sqrt(f64(np.int16(2))), np.sqrt(f64(np.uint8(2))))
    nx_print(np.sqrt(f64(A([True, False]))))
    nx_print(np.copysign(3, -1), np.arctan2(0, -1), np.hypot(f64(np.uint8(3)), f64(np.uint8(4))))


@prog("math/sqrt_cbrt")
def _():
    nx_print(np.sqrt(A([0.0, 1.0, 4.0, 2.25, 1e-300 * 1e-10])))
    nx_print(np.sqrt(2.0), np.sqrt(np.float32(2.0)))
    nx_print(np.sqrt(-1.0), np.sqrt(-0.0), np.sqrt(np.inf))
    nx_print(np.all(np.abs(np.cbrt(A([8.0, -27.0, 0.001])) - A([2.0, -3.0, 0.1])) < 1e-15))
    nx_print(np.cbrt(0.0), np.cbrt(-0.0), np.cbrt(-np.inf))


@prog("math/exp_log")
def _():
    nx_print(np.exp(0.0), np.log(1.0), np.exp2(0.0), np.expm1(0.0), np.log1p(0.0))
    nx_print(np.log(0.0), np.log(-1.0), np.exp(-np.inf), np.exp(np.inf), np.exp(1000.0))
    nx_print(np.log2(1.0), np.log10(1.0), np.log1p(-1.0), np.expm1(-np.inf), np.exp2(-np.inf))
    nx_print(np.exp2(10.0), np.log2(1024.0))
    x = np.linspace(0.5, 4.0, 8)
    nx_print(np.all(np.abs(np.log(np.exp(x)) - x) < 1e-13))
    nx_print(np.all(np.abs(np.exp2(np.log2(x)) - x) < 1e-13))
    nx_print(np.all(np.abs(np.expm1(x) - (np.exp(x) - 1.0)) < 1e-12))
    nx_print(np.all(np.abs(np.log1p(x) - np.log(1.0 + x)) < 1e-13))
    nx_print(np.all(np.abs(np.log10(x) - np.log(x) / np.log(10.0)) < 1e-13))
    nx_print(np.abs(np.exp(1.0) - np.e) < 1e-14, np.abs(np.log10(1000.0) - 3.0) < 1e-14)
    nx_print(np.expm1(1e-20) > 0.0, np.log1p(1e-20) > 0.0)


@prog("math/trig")
def _():
    nx_print(np.sin(0.0), np.cos(0.0), np.tan(0.0), np.arcsin(0.0), np.arccos(1.0), np.arctan(0.0))
    nx_print(np.sin(-0.0), np.tan(-0.0), np.arctan(-0.0), np.arcsin(2.0), np.arccos(-2.0), np.sin(np.inf))
    x = np.linspace(-3.0, 3.0, 13)
    s, c = np.sin, np.cos
    nx_print(np.all(np.abs(s(x) ** 2.0 + c(x) ** 2.0 - 1.0) < 1e-14))
    nx_print(np.all(np.abs(np.tan(x) - s(x) / c(x)) < 1e-12))
    nx_print(np.all(np.abs(s(-x) + s(x)) < 1e-14), np.all(np.abs(c(-x) - c(x)) < 1e-14))
    y = np.linspace(-1.0, 1.0, 9)
    nx_print(np.all(np.abs(s(np.arcsin(y)) - y) < 1e-14))
    nx_print(np.all(np.abs(c(np.arccos(y)) - y) < 1e-14))
    nx_print(np.all(np.abs(np.tan(np.arctan(x)) - x) < 1e-13))
    nx_print(np.abs(s(np.pi / 6.0) - 0.5) < 1e-15, np.abs(c(np.pi / 3.0) - 0.5) < 1e-15)
    nx_print(np.abs(4.0 * np.arctan(1.0) - np.pi) < 1e-14)


@prog("math/hyperbolic_erf")
def _():
    # NumPy has no erf: use the C library's through Python's math module
    erf = np.vectorize(math.erf, otypes=[np.float64])
    erfc = np.vectorize(math.erfc, otypes=[np.float64])
    inf = np.inf
    nx_print(np.sinh(0.0), np.cosh(0.0), np.tanh(0.0), erf(0.0), erfc(0.0))
    nx_print(np.tanh(inf), np.tanh(-inf), erf(inf), erf(-inf), erfc(inf), erfc(-inf))
    nx_print(np.sinh(-0.0), np.tanh(-0.0), erf(-0.0), np.cosh(inf), np.sinh(-inf))
    x = np.linspace(-3.0, 3.0, 13)
    nx_print(np.all(np.abs(np.cosh(x) ** 2.0 - np.sinh(x) ** 2.0 - 1.0) < 1e-11))
    nx_print(np.all(np.abs(np.tanh(x) - np.sinh(x) / np.cosh(x)) < 1e-14))
    nx_print(np.all(np.abs(erf(x) + erfc(x) - 1.0) < 1e-14))
    nx_print(np.all(np.abs(erf(-x) + erf(x)) < 1e-14))
    nx_print(np.all(np.abs(np.sinh(x) - (np.exp(x) - np.exp(-x)) / 2.0) < 1e-13))


@prog("math/atan2_hypot_copysign")
def _():
    at = np.arctan2; pi = np.pi
    nx_print(at(0.0, 1.0), at(0.0, -1.0), at(-0.0, 1.0), at(-0.0, -1.0))
    nx_print(at(1.0, 0.0) == pi / 2.0, at(-1.0, 0.0) == -pi / 2.0)
    nx_print(np.abs(at(1.0, 1.0) - pi / 4.0) < 1e-15, at(A([1.0, -1.0]), A([-1.0, -1.0])) > 0.0)
    nx_print(np.hypot(3.0, 4.0), np.hypot(A([5.0, 8.0]), A([12.0, 15.0])), np.hypot(-3.0, 0.0))
    nx_print(np.hypot(np.inf, np.nan), np.hypot(np.nan, -np.inf))
    nx_print(np.copysign(A([1.0, 2.0, 0.0, np.inf]), A([-1.0, 1.0, -1.0, -0.0])))
    nx_print(np.copysign(np.nan, -1.0), np.copysign(np.float32(-4.5), np.float32(1.0)))


@prog("math/minimum_maximum_pow")
def _():
    a = A([1.0, 5.0, np.nan, -2.0]); b = A([2.0, 3.0, 1.0, np.nan])
    nx_print(np.minimum(a, b))
    nx_print(np.maximum(a, b))
    nx_print(np.minimum(A([3, -1]), A([2, 2])), np.maximum(np.uint8(3), A([1, 7], np.uint8)))
    nx_print(np.minimum(1, 2.5), np.maximum(A([1.5], np.float32), 2.0))
    nx_print(np.maximum(A([[1, 5]]), A([[3], [4]])))
    nx_print(np.power(A([2.0, 3.0]), 2.0), np.power(2, 10), np.power(A([2], np.int32), np.int32(3)),
             np.power(np.uint8(2), np.uint8(9)))
    nx_print(np.power(2.0, -2.0), np.power(-8.0, 1.0 / 3.0), np.power(0.0, -1.0))


@prog("math/clip")
def _():
    nx_print(np.clip(A([-2.0, 0.5, 3.0, np.nan]), 0.0, 1.0))
    nx_print(np.clip(np.arange(6), 1, 4))
    nx_print(np.clip(A([10, 200], np.uint8), np.uint8(20), np.uint8(100)))
    nx_print(np.clip(np.arange(5), A([0, 0, 3, 3, 3]), 3))
    nx_print(np.clip(-7, 0, 10), np.clip(np.float32(2.5), 0.0, 1.0))


@prog("math/where")
def _():
    x = A([-1.5, 2.0, -0.5, 4.0])
    nx_print(np.where(x > 0.0, x, 0.0))
    nx_print(np.where(x > 0.0, 1, -1))
    nx_print(np.where(x < 0.0, x * 2.0, A([10.0])))
    m = A([[1, 2], [3, 4]])
    nx_print(np.where(m % 2 == 0, m, -m))
    nx_print(np.where(True, np.float32(1.5), 2)[()], np.where(False, 1, 2)[()])
    nx_print(np.where(A([True, False]), A([1, 2], np.uint8), 7))
    nx_print(np.where(np.isnan(A([1.0, np.nan])), 0.0, A([1.0, np.nan])))


@prog("math/isnan_isinf")
def _():
    x = A([1.0, np.nan, np.inf, -np.inf, -0.0])
    nx_print(np.isnan(x)); nx_print(np.isinf(x)); nx_print(np.isfinite(x))
    nx_print(np.isnan(1), np.isfinite(np.arange(3)), np.isinf(A([1], np.uint8)))
    nx_print(np.isnan(0.0 * np.inf), np.isinf(np.float64(1.0) / 0.0), np.isnan(np.inf - np.inf))
    nx_print(np.isnan(A([np.nan, 1.0], np.float32)), np.isfinite(1e308 * 10.0))


# ---------------------------------------------------------------- reductions

@prog("reductions/sum_prod_axis")
def _():
    a = A([[1, 2, 3], [4, 5, 6]])
    nx_print(np.sum(a), np.prod(a))
    nx_print(np.sum(a, axis=0), np.sum(a, axis=1), np.sum(a, axis=-1), np.sum(a, axis=-2))
    nx_print(np.prod(a, axis=0), np.prod(a, axis=1))
    nx_print(np.sum(a, axis=0, keepdims=True))
    nx_print(np.sum(a, keepdims=True))
    nx_print(np.sum(a, axis=1, keepdims=True))
    nx_print(A(np.sum(a, axis=-1, keepdims=True).shape), A(np.sum(a, keepdims=True).shape),
             np.array(np.sum(a).shape, dtype=np.int64))


@prog("reductions/accumulation_dtypes")
def _():
    u = A([200, 200], np.uint8)
    nx_print(np.sum(u), np.sum(u) - 401)
    i = A([100, 100, 100], np.int8)
    nx_print(np.sum(i), np.prod(i))
    nx_print(np.sum(A([True, True, False])), np.sum(A([True, True])) - 3)
    nx_print(np.prod(A([2, 3], np.uint32)) - 7)
    nx_print(np.sum(A([0.1, 0.2], np.float32)), np.sum(A([0.1, 0.2])))
    nx_print(np.sum(A([2147483647, 1], np.int32)))
    nx_print(np.sum(np.arange(5) * 0.5), np.prod(A([0.5, 0.5], np.float32)) * 0.1)


@prog("reductions/mean_var_std")
def _():
    x = A([1.0, 2.0, 3.0, 4.0])
    nx_print(np.mean(x), np.var(x), np.std(x))
    nx_print(np.var(x, ddof=1))
    nx_print(np.mean(np.arange(10)), np.var(A([1, 2, 3, 4])), np.std(A([2, 4], np.uint8)))
    m = A([[1.0, 2.0], [3.0, 5.0]])
    nx_print(np.mean(m, axis=0), np.mean(m, axis=1))
    nx_print(np.var(m, axis=0), np.std(m, axis=0))
    nx_print(np.mean(m, axis=-1, keepdims=True))
    nx_print(np.var(m, axis=1, ddof=1))
    nx_print(np.mean(A([1.5, 2.5], np.float32)), np.mean(A([0.1, 0.2], np.float32)) * 1.0)


@prog("reductions/min_max_arg")
def _():
    a = A([[3, 7, 1], [9, 2, 9]])
    nx_print(np.min(a), np.max(a), np.argmin(a), np.argmax(a))
    nx_print(np.min(a, axis=0), np.max(a, axis=1))
    nx_print(np.argmin(a, axis=0), np.argmax(a, axis=1), np.argmax(a, axis=-1))
    nx_print(np.max(a, axis=0, keepdims=True))
    f = A([1.0, np.nan, -3.0, np.nan])
    nx_print(np.min(f), np.max(f), np.argmin(f), np.argmax(f))
    nx_print(np.max(A([-0.5, 2.5], np.float32)), np.min(A([200, 7], np.uint8)), np.max(A([-np.inf, -1e308])))
    nx_print(np.argmax(A([1, 5, 5, 2])), np.argmin(A([4, 1, 1])))


@prog("reductions/any_all_count")
def _():
    b = A([[True, False], [False, False]])
    nx_print(np.any(b), np.all(b), np.count_nonzero(b))
    nx_print(np.any(b, axis=0), np.all(b, axis=1), np.any(b, axis=-1))
    nx_print(np.any(A([0.0, 0.5])), np.all(A([1, 2, 0])), np.all(A([np.nan, 1.0])))
    nx_print(np.count_nonzero(A([0, 1, 2, 0])), np.count_nonzero(A([[1.0, 0.0], [np.nan, 0.0]]), axis=0))
    nx_print(np.count_nonzero(np.arange(10) % 3 == 0))
    nx_print(np.all(np.arange(5) < 5), np.any(np.arange(5) > 4))


@prog("reductions/empty")
def _():
    z = np.zeros(0)
    nx_print(np.sum(z), np.prod(z), np.mean(z))
    nx_print(np.any(z > 0.0), np.all(z > 0.0), np.count_nonzero(z))
    nx_print(np.sum(np.arange(0)), np.prod(np.arange(0)))
    nx_print(np.sum(A([], np.float64)))
    e = np.zeros([0, 3])
    nx_print(np.sum(e, axis=0))
    nx_print(np.sum(e, axis=1))
    nx_print(np.prod(e, axis=0), np.any(e, axis=0), np.all(e, axis=0))


@prog("reductions/rank3_axes")
def _():
    a = A([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    nx_print(np.sum(a, axis=0))
    nx_print(np.sum(a, axis=1))
    nx_print(np.sum(a, axis=2))
    nx_print(np.sum(a, axis=-2, keepdims=True))
    nx_print(np.max(a, axis=1))
    nx_print(np.argmax(a, axis=0))
    nx_print(np.prod(a, axis=-1))
    nx_print(np.min(a, axis=-3))


@prog("reductions/float_sums_exact")
def _():
    nx_print(np.sum(np.arange(1000) * 0.5))
    nx_print(np.mean(np.linspace(0.0, 1.0, 5)))
    nx_print(np.sum(np.ones(100000)))
    nx_print(np.sum(np.full(1024, 0.125)), np.mean(np.arange(2001) * 1.0))
    h = np.ones([300, 4]) * A([0.5, 0.25, 1.0, 2.0])
    nx_print(np.sum(h, axis=0), np.mean(h, axis=0))
    nx_print(np.sum(np.ones([3, 1000]), axis=1))


# ---------------------------------------------------------------- indexing

@prog("indexing/integer_index")
def _():
    a = A([10, 20, 30, 40, 50])
    nx_print(a[0], a[4], a[-1], a[-5])
    m = A([[1, 2, 3], [4, 5, 6]])
    nx_print(m[1], m[1, 2], m[-1, -1], m[0][1])
    nx_print(m[-2])
    t = A([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    nx_print(t[1])
    nx_print(t[1, 0], t[1, 0, 1], t[-1, -1, -1])
    i = 2
    nx_print(a[i], a[i - 3], a[len(a) - 1])


@prog("indexing/slices_1d")
def _():
    a = np.arange(10)
    nx_print(a[2:5], a[:3], a[7:], a[:])
    nx_print(a[1:-1])
    nx_print(a[::2], a[1::3])
    nx_print(a[::-1], a[8:2:-2], a[-3:])
    nx_print(a[5:100], a[100:], a[-100:2])
    nx_print(a[5:2], a[::-3], a[-1:-4:-1])
    n = 4
    nx_print(a[n:n + 2], a[:-n])


@prog("indexing/slices_2d")
def _():
    m = A([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]])
    nx_print(m[::2, 0])
    nx_print(m[:, 1])
    nx_print(m[1:, 2:])
    nx_print(m[::-1, ::-1])
    nx_print(m[0, ::-1], m[-1, 1:3])
    nx_print(m[1:2])
    nx_print(m[:, -1:])
    nx_print(A(m[1:, 1:].shape), A(m[5:, :].shape), A(m[:, 1:1].shape))


@prog("indexing/newaxis_index")
def _():
    v = A([1.0, 2.0, 3.0])
    nx_print(v[:, None])
    nx_print(v[None, :])
    nx_print(A(v[None].shape), A(v[:, None].shape), A(v[None, :, None].shape))
    m = A([[1, 2], [3, 4]])
    nx_print(A(m[:, None].shape), A(m[None].shape), A(m[:, :, None].shape))
    nx_print(m[1, None])


@prog("indexing/index_then_compute")
def _():
    x = np.linspace(0.0, 1.0, 5)
    nx_print(x[1] - x[0])
    nx_print(x[1:] - x[:-1])
    u = A([1.0, 4.0, 9.0, 16.0, 25.0])
    nx_print(0.5 * (u[:-2] + u[2:]))
    nx_print(u[1:-1] - u[:-2])
    m = A([[1, 2, 3], [4, 5, 6]])
    nx_print(m[:, 0] * m[:, 2], np.sum(m[1]), A(m[0].shape))
    nx_print(m.T[2])
    nx_print(m[:, ::-1].T)


# ---------------------------------------------------------------- statements

@prog("statements/let_shadowing")
def _():
    nx_print(1); nx_print(2.5); nx_print(A([1, 2])); nx_print(2.5)
    pi = 3
    nx_print(pi, pi * 2)
    inf = -1
    nx_print(inf + 1)


@prog("statements/rebind_conversion")
def _():
    x = 1.0
    x = float(2)                       # x keeps its weak f64 type
    nx_print(x)
    a = np.zeros(3)
    a = np.arange(3).astype(a.dtype)
    nx_print(a)
    b = A([1, 2], np.uint8)
    b = b + 1
    nx_print(b)
    c = np.float32(1.0)
    c = c / 3.0
    nx_print(c)
    n = 0
    n = n + 1
    nx_print(n)
    f = A([0.5], np.float32)
    f = A([0.1, 0.2]).astype(f.dtype)
    nx_print(f * 3.0)
    w = 2
    w = w * 3
    nx_print(A([250], np.uint8) + w)


@prog("statements/value_semantics")
def _():
    a = A([1.0, 2.0, 3.0])
    b = a
    b = b + 1.0
    nx_print(a); nx_print(b)
    s = a
    for i in range(3):
        s = s * 2.0
    nx_print(a, s)
    t = a[1:]
    t = t * 0.0
    nx_print(a, t)


@prog("statements/compound_assign")
def _():
    x = 10
    x += 5; nx_print(x)
    x -= 3; nx_print(x)
    x *= 2; nx_print(x)
    x //= 5; nx_print(x)
    x %= 3; nx_print(x)
    x += 2
    x **= 3; nx_print(x)
    x <<= 2; nx_print(x)
    x >>= 1; nx_print(x)
    x &= 0xF; nx_print(x)
    x |= 0b1000; nx_print(x)
    x ^= 0o7; nx_print(x)
    f = 1.0
    f /= 4; nx_print(f)
    f **= 2; nx_print(f)
    a = A([1, 2], np.uint8)
    a *= 200; nx_print(a)
    a += 100; nx_print(a)
    v = A([1.0, -2.0])
    v -= A([0.5, 0.5])
    v *= 2
    nx_print(v)


@prog("statements/if_else")
def _():
    x = 5
    nx_print("big" if x > 3 else "small")
    nx_print("huge" if x > 10 else "medium" if x > 4 else "tiny")
    nx_print("five" if x == 5 else "not five")
    nx_print("negative" if x < 0 else "zero" if x == 0 else "positive")
    if np.any(A([x > 4, x > 100])):
        nx_print("some")
    if not (x > 4):
        nx_print("no")


@prog("statements/if_expression")
def _():
    x = -2.5
    a = -x if x < 0.0 else x
    nx_print(a)
    s = 1 if x > 0.0 else -1 if x < 0.0 else 0
    nx_print(s)
    nx_print(1.0 if False else 2.5)
    t = np.float32(1.5)                # f32 branch with a weak int branch: f32
    nx_print(t / 7.0)
    nx_print(A([1, 2]) if x < 0.0 else A([3, 4]))


@prog("statements/for_range")
def _():
    for i in range(0, 3):
        nx_print(i)
    total = 0
    for i in range(1, 11):
        total += i
    nx_print(total)
    for i in range(10, 0, -3):
        nx_print(i)
    for i in range(0, 10, 4):
        nx_print(i)
    n = 4
    for i in range(0, n - 1):
        nx_print(i * 10)
    for i in range(-2, 1):
        nx_print(i)


@prog("statements/for_over_array")
def _():
    m = A([[1, 2], [3, 4], [5, 6]])
    for row in m:
        nx_print(row, np.sum(row))
    for v in A([1.5, 2.5]):
        nx_print(v * 2.0)
    acc = 0
    for v in np.arange(5):
        acc += int(v)
    nx_print(acc)


@prog("statements/while_break_continue")
def _():
    i = 0
    while i < 10:
        i += 1
        if i % 2 == 0:
            continue
        if i > 7:
            break
        nx_print(i)
    nx_print("done", i)
    for a in range(3):
        for b in range(3):
            if b > a:
                break
            nx_print(a, b)
    k = 0
    while True:
        k += 1
        if k == 3:
            break
    nx_print(k)


@prog("statements/collatz")
def _():
    n = 27; steps = 0; peak = n
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        peak = max(peak, n)
        steps += 1
    nx_print(steps, peak)


@prog("statements/block_expression")
def _():
    a, b = 3, 4
    nx_print(a * a + b * b)
    nx_print(1.5)
    t = np.arange(4)
    w = t * t
    nx_print(w, np.sum(w))


@prog("statements/semicolons_comments")
def _():
    a, b = 1, 2
    nx_print(a + b); nx_print(a - b)
    c = A([1, 2])
    nx_print(c)
    nx_print(c * 2); nx_print(-c)


@prog("statements/assert_pass")
def _():
    assert 1 + 1 == 2
    assert np.all(np.arange(3) >= 0)
    assert np.sum(A([1.0, 2.0])) == 3.0
    nx_print("ok")


@prog("statements/clock")
def _():
    nx_print(np.sum(np.arange(100000)), True, True)


@prog("statements/literals")
def _():
    nx_print(42, 1_000_000, 0x1F, 0o17, 0b1010, 0xff)
    nx_print(np.uint8(0xFF), 0x1F32, np.uint8(0b1111_0000), np.uint16(0o777), 0xFFFF)
    nx_print(np.int8(-128), np.int8(127), np.uint8(255), np.uint8(7) + np.uint8(1))
    nx_print(np.int32(1), np.int64(2), np.uint16(3), np.uint32(4), np.uint64(5), np.int16(6))
    nx_print(np.float64(3), np.float32(2.5), np.float64(2.5e-3), 1e3, 1_000.5, 2.5e3, 1e-9)
    nx_print(9223372036854775807, -9223372036854775808)
    nx_print(np.uint64(18446744073709551615), np.int32(-2147483648), np.uint16(65535))
    nx_print(0x7FFF_FFFF_FFFF_FFFF, np.int8(1))


@prog("statements/constants")
def _():
    nx_print(np.pi, np.e)
    nx_print(np.inf, -np.inf, np.nan)
    nx_print(2.0 * np.pi, np.pi / 2.0)
    nx_print(A([1.0], np.float32) * np.pi, A([1.0], np.float32) * np.e)
    nx_print(A([2], np.uint8) * np.inf)
    e = 5
    nx_print(e + 1)
    nan = 0.0
    nx_print(nan == nan)


# ---------------------------------------------------------------- functions

@prog("functions/generic")
def _():
    def axpy(a, x, y):
        return a * x + y
    nx_print(axpy(2, 3, 4))
    nx_print(axpy(2.0, A([1.0, 2.0]), A([0.5, 0.5])))
    xf = A([0.1, 0.2], np.float32)
    nx_print(axpy(3.0, xf, xf))
    nx_print(axpy(np.uint8(2), A([200], np.uint8), A([1], np.uint8)))
    nx_print(axpy(2, A([100], np.int8), A([0], np.int8)))
    nx_print(axpy(a=1.5, x=2.0, y=A([1.0, 2.0])))


@prog("functions/annotated_sizes")
def _():
    def mean_of(x):
        x = np.asarray(x, np.float64)
        return np.sum(x) / len(x)
    nx_print(mean_of(A([1.0, 2.0, 4.0, 5.0])))
    nx_print(mean_of(np.arange(4)))
    nx_print(np.sum(A([1.0, 2.0]) * A([3.0, 4.0])))
    z = np.zeros([3, 5])
    nx_print(np.int64(z.shape[0]), np.int64(z.shape[1]))
    nx_print(A([0.1, 0.2], np.float32) * 3.0)


@prog("functions/elementwise_rank0")
def _():
    def relu(x):
        x = np.asarray(x, np.float32)
        return np.where(x > 0.0, x, np.float32(0.0))
    nx_print(relu(A([-1.5, 2.5, 0.0], np.float32)))
    nx_print(relu(np.float32(-3.0))[()], relu(np.float32(0.1))[()])
    nx_print(np.clip(A([-5, 5, 50]), 0, 10))

    def steps(n):
        c = 0
        while n != 1:
            n = n // 2 if n % 2 == 0 else 3 * n + 1
            c += 1
        return c
    nx_print(A([steps(n) for n in [1, 2, 3, 6, 7, 27]]))
    a = np.arange(3)[:, None] * 1.0
    b = A([0.5, 1.5])
    nx_print(np.where(a > b, a - b, b - a))


@prog("indexing/assign_stencil")
def _():
    # nx arrays are values: `let c = b` is a copy as far as the program can tell.
    a = np.arange(10) * 1.0
    out = np.zeros(10)
    out[1:-1] = a[:-2] + a[2:]
    nx_print(out)
    a[1:-1] = a[:-2] + a[2:]
    nx_print(a)
    m = np.arange(12).reshape(3, 4) * 1.0
    r = np.zeros((3, 4))
    r[:, 1:] = m[:, :-1] * 2.0 + A([1.0, 2.0, 3.0])
    nx_print(r)
    r[1] = m[0] - m[2]
    nx_print(r)
    r[::2, ::-1] = m[::2, :] + 0.5
    nx_print(r)
    f = np.zeros((2, 3), np.float32)
    f[...] = m[:2, :3] * 0.5
    nx_print(f)
    b = np.ones((3, 3))
    c = b.copy()
    b[0] = c[1] * 3.0 + c[2]
    nx_print(b)
    nx_print(c)
    u = np.zeros((5, 5))
    u[0, :] = 8.0
    v = u.copy()
    for _k in range(3):
        v[1:-1, 1:-1] = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
        u[1:-1, 1:-1] = 0.25 * (v[:-2, 1:-1] + v[2:, 1:-1] + v[1:-1, :-2] + v[1:-1, 2:])
    nx_print(u)
    nx_print(v)


@prog("statements/rebind_reuse")
def _():
    x = np.arange(6) * 1.0
    x = x * 2.0 + 1.0
    nx_print(x)
    y = x
    x = x - 1.0
    nx_print(x, y)
    x = x[::-1] + x
    nx_print(x)
    m = np.arange(6).reshape(2, 3) * 1.0
    m = m + m.T[0:2, 0:1]
    nx_print(m)
    s = m
    m = m * 0.0 + s[0]
    nx_print(m, s)
    v = A([1.0, 2.0])
    w = v * 1.0
    for _k in range(3):
        w = w * 2.0
    nx_print(w, v)
    i = np.arange(4)
    i = i * 3 // 2
    nx_print(i)
    f = np.arange(4) * 1.0
    f = f + 0.5
    g = f > 1.0
    f = np.where(g, f, -f)
    nx_print(f, g)


@prog("functions/elementwise_control")
def _():
    limit = 4
    vec = lambda f, *args, dtype: np.vectorize(f, otypes=[dtype])(*args)

    def capped_sum(x):
        total = 0
        for k in range(10, 0, -3):
            if k == 7:
                continue
            total += k * x
            if total > 40:
                break
        return total
    nx_print(vec(capped_sum, A([0, 1, 2, 5]), dtype=np.int64))
    nx_print(vec(lambda n, d: d != 0 and n // d > 1, A([9, 9, 2, -9]), A([0, 4, 1, 2]), dtype=bool))
    nx_print(vec(lambda n, d: d == 0 or n % d == 0, A([9, 9, 2]), A([0, 4, 1]), dtype=bool))

    def halvings(x):
        n, v = 0, x
        while v > 1.0:
            v = v / 2.0
            n += 1
            if n >= limit:
                return -1
        return n
    nx_print(vec(halvings, A([0.5, 3.0, 9.0, 100.0]), dtype=np.int32))
    nx_print(vec(lambda x, y: math.sqrt(x * x + y * y), A([3.0, 5.0]), A([[4.0], [12.0]]), dtype=np.float64))

    def pick(x, flag):
        y = x * np.float32(2.0) if flag else (x - np.float32(1.0)) * (x - np.float32(1.0))
        return y + np.float32(0.5)
    nx_print(vec(pick, A([1.5, -2.0, 3.0], np.float32), A([True, False, False]), dtype=np.float32))

    def first_power_above(x, bound):
        p, k = 1, 0
        while p <= bound:
            p = p * int(x)
            k += 1
            if k > 20:
                break
        return k
    nx_print(vec(first_power_above, A([2, 3, 10], np.uint8), 100, dtype=np.int32))

    def mandel(re, im, iterations=50):
        zr = zi = 0.0
        n = 0
        while n < iterations and zr * zr + zi * zi <= 4.0:
            zr, zi = zr * zr - zi * zi + re, 2.0 * zr * zi + im
            n += 1
        return n
    nx_print(vec(mandel, np.linspace(-2.0, 1.0, 7)[None, :], np.linspace(-1.0, 1.0, 5)[:, None], dtype=np.int32))
    nx_print(np.sum(vec(mandel, np.linspace(-2.0, 1.0, 60)[None, :], np.linspace(-1.5, 1.5, 40)[:, None], dtype=np.int32)))


@prog("functions/defaults_kwargs")
def _():
    def norm_p(x, p=2.0):
        return np.sum(np.abs(x) ** p) ** (1.0 / p)
    nx_print(norm_p(A([3.0, -4.0]), p=1.0))
    nx_print(np.abs(norm_p(A([3.0, -4.0])) - 5.0) < 1e-12)

    def scale(x, factor=2, offset=0):
        return x * factor + offset
    nx_print(scale(3))
    nx_print(scale(3, 10))
    nx_print(scale(3, offset=1))
    nx_print(scale(offset=5, x=1, factor=3))
    nx_print(scale(A([1.5]), factor=0.5))
    nx_print(scale(A([250], np.uint8)))


@prog("functions/early_return")
def _():
    def first_negative(v):
        for i in range(len(v)):
            if v[i] < 0.0:
                return np.int64(i)
        return np.int64(-1)
    nx_print(first_negative(A([1.0, 2.0, -3.0, -4.0])))
    nx_print(first_negative(A([1.0])))

    def classify(x):
        if x > 0:
            return 1
        if x < 0:
            return -1
        return 0
    nx_print(classify(5), classify(-2), classify(0))


@prog("functions/call_later_defined")
def _():
    def g(x): return x * 2
    def f(x): return g(x) + 1
    nx_print(f(3))
    nx_print(f(A([1.5, 2.5])))


@prog("functions/globals_at_call")
def _():
    nx_print(2 * 10)
    nx_print(2 * 100)


@prog("functions/shadow_builtin")
def _():
    def square(x): return x * x + 1
    nx_print(square(3))
    nx_print(square(A([2, 3])))
    nx_print(abs(-4))


@prog("functions/no_result")
def _():
    def report(x):
        nx_print(x, np.sum(x))
    report(A([1, 2, 3]))
    report(np.ones([2, 2]))
    report(A([0.5])); report(A([0.5]) * 2)


@prog("functions/softmax")
def _():
    def softmax(v):
        e = np.exp(v - np.max(v, axis=-1, keepdims=True))
        return e / np.sum(e, axis=-1, keepdims=True)
    p = softmax(A([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]))
    nx_print(A(p.shape))
    nx_print(np.all(np.abs(np.sum(p, axis=-1) - 1.0) < 1e-12))
    nx_print(p[1])
    nx_print(np.argmax(p, axis=-1))
    nx_print(np.abs(p[0, 2] / p[0, 1] - np.e) < 1e-12)
    nx_print(np.all(softmax(A([1000.0, 1000.0])) == A([0.5, 0.5])))


@prog("functions/gaussian")
def _():
    x = np.linspace(-4.0, 4.0, 1_000_000)
    pdf = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    total = np.sum(pdf) * (x[1] - x[0])
    nx_print(np.abs(total - 1.0) < 1e-4)
    nx_print(np.abs(total - math.erf(4.0 / math.sqrt(2.0))) < 1e-7)
    nx_print(x[0], x[-1], len(x))


# ---------------------------------------------------------------- methods

@prog("methods/method_syntax")
def _():
    x = A([[1.0, 5.0], [3.0, 2.0]])
    nx_print(x.sum(axis=0), x.max(), x.min(axis=1), x.argmax())
    nx_print(x.mean(), A(x.sum(axis=1, keepdims=True).shape))
    nx_print(np.abs(A([-1, 2])).sum(), np.abs(A([-1, 2])).sum())
    nx_print(np.abs(-x))
    nx_print(np.sqrt(A([4.0, 9.0])), np.floor(2.5))
    nx_print((np.arange(3) * 2).sum())
    nx_print(x.T.sum(axis=0), np.clip(x, 2.0, 4.0).max(axis=-1))


@prog("methods/properties")
def _():
    a = np.zeros([2, 3, 4])
    nx_print(A(a.shape), a.ndim, a.size, len(a))
    s = np.float64(5.0)
    nx_print(np.array(s.shape, dtype=np.int64), s.ndim, s.size)
    m = A([[1, 2, 3], [4, 5, 6]])
    nx_print(m.T)
    nx_print(m.T.T)
    nx_print(A(m.T.shape), np.arange(3).T)
    nx_print(A(a.shape)[0] * 2, A(a.shape)[-1])
    nx_print(np.zeros(a.shape).size)
    nx_print(np.ones(m.shape, dtype=np.int32))
    nx_print(m[0].size, A(m[:, 0].shape), A(A([], np.float64).shape))


# ---------------------------------------------------------------- printing

@prog("printing/dtypes")
def _():
    nx_print(True, False)
    nx_print(np.int8(1), np.int16(-2), np.int32(3), np.int64(-4), np.uint8(5), np.uint16(6), np.uint32(7), np.uint64(8))
    nx_print(np.int8(-128), np.int16(-32768), np.int32(-2147483648), np.uint32(4294967295))
    F = np.float32
    nx_print(F(1.5), F(0.1), F(1.0) / F(3.0), F(16777216.0), F(123456.789))
    nx_print(0.1, 1.0 / 3.0, 2.0 / 3.0, 100.0, 1.5)
    nx_print(A([1.5, 0.1], F), A([0.1, 0.2]))
    nx_print(A([1, 2], np.uint8), A([-1], np.int16), A([True]))


@prog("printing/floats_repr")
def _():
    nx_print(1e15, 1e16, 123456789012345680.0, 9999999999999998.0)
    nx_print(0.0001, 0.00001, 1e-07, 1.5e-05, 0.00012345)
    nx_print(1e100, 1.7976931348623157e308, 5e-324, 2.2250738585072014e-308)
    F = np.float32
    nx_print(F(1e16), F(1e-5), F(3.4028235e38), F(1e10), F(0.0001))
    nx_print(-1e-07, -1.25e20, 1234.5678)
    nx_print(2.0 ** 60, 2.0 ** -20)


@prog("printing/special_floats")
def _():
    D = np.float64
    nx_print(-0.0, 0.0 * -1.0, D(1.0) / 0.0, D(-1.0) / 0.0, D(0.0) / 0.0)
    nx_print(A([-0.0, np.inf, -np.inf, np.nan]))
    nx_print(D(1e308) * 10.0, D(-1e308) * 10.0, D(np.inf) - np.inf)
    F = np.float32
    nx_print(F(-0.0), A([np.inf, np.nan]).astype(F))
    nx_print(0.1 + 0.2, F(0.1) + F(0.2))
    nx_print(1.0 - 0.9, F(1.0) - F(0.9))


@prog("printing/multiple_args")
def _():
    nx_print("x =", 1, "y =", A([1.0, 2.0]))
    nx_print("tab\there", "quote\"q\"", "back\\slash")
    nx_print("line1\nline2")
    nx_print()
    nx_print("")
    nx_print(A([[1, 2], [3, 4]]), "after")
    nx_print("before", A([[1.5], [2.5]]))


@prog("printing/rank0_to_3")
def _():
    nx_print(7)
    nx_print(A([7]))
    nx_print(A([[7]]))
    nx_print(A([[[7]]]))
    nx_print(np.zeros([2, 2, 2]))
    nx_print(np.ones([3, 1, 2], dtype=np.int32))
    nx_print(np.arange(3)[None, None, :])


@prog("printing/rank4")
def _():
    nx_print(np.zeros([2, 2, 1, 2], dtype=np.int64))


@prog("printing/big_arrays")
def _():
    nx_print(np.arange(2000))
    nx_print(np.arange(1001) * 0.5)
    nx_print(np.arange(1000))
    nx_print(np.arange(40)[:, None] * 50 + np.arange(50))
    nx_print(np.zeros([2, 600], dtype=np.uint8) + np.uint8(7))
    nx_print(np.ones([3, 20, 20], dtype=np.bool_))


@prog("printing/empty_arrays")
def _():
    E = A([], np.float64)
    nx_print(E)
    nx_print(np.zeros(0), np.arange(0), np.zeros([0, 3]))
    nx_print(np.arange(5)[5:], np.linspace(0.0, 1.0, 0))
    nx_print(E * 2.0, np.sum(E))


# ---------------------------------------------------------------- imports

@prog("imports/basic")
def _():
    nx_print(42, A([0.5, 1.5]) * 2)
    nx_print(2.0 * np.pi)
    nx_print(np.sqrt(3.0 * 3.0 + 4.0 * 4.0))


@prog("imports/runs_once")
def _():
    nx_print("before")
    nx_print("noisy loaded")
    nx_print("between")
    nx_print("main", 42)


@prog("imports/transitive")
def _():
    nx_print(2 * 10 + 1, 1 * 10, 7)


@prog("imports/shadowing")
def _():
    nx_print(1.0)
    nx_print(2.0 * np.pi)
    nx_print(3)


# ---------------------------------------------------------------- errors
# Only run-time errors print anything: the stdout before the failure.
# Syntax and type errors get an empty .out (nothing runs) without a function here.

@prog("errors/runtime_index_out_of_bounds")
def _():
    nx_print(np.arange(10)[9])


@prog("errors/runtime_index_axis1")
def _():
    nx_print(np.zeros([2, 3])[1, -3])


@prog("errors/runtime_broadcast_mismatch")
def _():
    nx_print(np.arange(3) + np.arange(3))          # k = 3; k = 4 fails


@prog("errors/runtime_int_div_by_zero")
def _():
    nx_print(6 // 3)


@prog("errors/runtime_elementwise_div_by_zero")
def _():
    # The first call succeeds; the second fails inside the function at its second element.
    nx_print(((A([6, 8]) + 1) // A([3, 2])) * 2)


@prog("errors/runtime_assign_slice_broadcast")
def _():
    nx_print(np.zeros(4) * 2.0 + 1.0)


@prog("errors/runtime_named_size_mismatch")
def _():
    nx_print(np.sum(np.ones(3) * np.ones(3)))


@prog("errors/runtime_int_mod_by_zero")
def _():
    for i in range(2):                               # i = 2 divides by zero
        nx_print(10 % (2 - i))


@prog("errors/runtime_assert_failed")
def _():
    nx_print("first ok")


@prog("errors/runtime_zero_step")
def _():
    nx_print("start")


@prog("errors/runtime_negative_int_power")
def _():
    nx_print(2 ** (-1 + 2))


@prog("errors/runtime_weak_int_overflow")
def _():
    x = A([1], np.uint8)
    for i in range(254, 256):                        # i = 256 does not fit u8
        nx_print(x + i)


@prog("errors/runtime_empty_max")
def _():
    nx_print(np.max(np.arange(3)))


# ---------------------------------------------------------------- regressions
# Bugs found by the hunt: each program is minimal and its output NumPy's.

@prog("regressions/rank0_reduction")
def _():
    nx_print(np.sum(5.0))
    nx_print(np.max(np.int64(5)))
    nx_print(np.min(np.float32(2.5)))
    nx_print(np.argmax(np.int64(5)))
    nx_print(np.mean(np.int8(5), dtype=np.float64))
    nx_print(np.var(5.0))
    nx_print(np.any(True))
    nx_print(np.int64(np.count_nonzero(3)))
    nx_print(np.prod(np.uint8(3)))


@prog("errors/runtime_max_empty_axis_empty_result")
def _():
    nx_print(np.max(np.zeros([0, 3]), axis=1))     # reduced axis has length 3: fine
    # np.max(np.zeros([0, 0]), axis=0) raises: the reduced axis has length 0


@prog("regressions/arange_float_values")
def _():
    nx_print(np.arange(1.0, 2.0, 0.1))
    nx_print(np.arange(-2.0, -1.2, 0.1))
    nx_print(np.arange(0.5, 2.0, 0.3))
    nx_print(np.arange(0.3, 1.0, 0.1, dtype=np.float32))
    nx_print(np.arange(-0.0, 1.0, 0.5))                  # a[0] is start itself: -0.0


@prog("regressions/arange_dtype_length")
def _():
    nx_print(np.arange(-2.5, 2.0, dtype=np.int32))
    nx_print(np.arange(2, dtype=np.bool_))
    nx_print(np.arange(0.5, 3.0, 1.0, dtype=np.int64))


@prog("regressions/linspace_f32")
def _():
    nx_print(np.linspace(np.float32(0.0), np.float32(1.0), 4))
    nx_print(np.linspace(np.float32(0.1), np.float32(0.7), 5))
    nx_print(np.linspace(np.float32(0.0), 1.0, 3) * 0.1)


@prog("regressions/call_tree_blowup")
def _():
    nx_print(2 ** 10)                                  # g20(1): weak i64 doubled 10 times
    nx_print(np.float64(0.5 * 2 ** 10))


#REGRESSIONS-END

# Golden functions of later features live in `golden_<feature>.py` beside this file; each
# does `from golden import prog, nx_print, ...` and registers its programs the same way.
import importlib
sys.modules.setdefault("golden", sys.modules[__name__])
for _module in sorted(os.listdir(HERE)):
    if _module.startswith("golden_") and _module.endswith(".py"):
        sys.path.insert(0, HERE)
        importlib.import_module(_module[:-3])

# === main ===

def run_one(path):
    global _lines
    _lines = []
    PROGRAMS[path]()
    return "".join(_lines)


def main():
    check = "--check" in sys.argv[1:]
    nx_files = []
    for root, dirs, files in os.walk(HERE):
        dirs.sort()
        rel_root = os.path.relpath(root, HERE)
        if "lib" in rel_root.split(os.sep):
            continue
        for f in sorted(files):
            if f.endswith(".nx"):
                nx_files.append(os.path.normpath(os.path.join(rel_root, f[:-3])))
    problems = []
    missing = [p for p in nx_files if p not in PROGRAMS and not p.startswith("errors" + os.sep)]
    extra = [p for p in PROGRAMS if p not in nx_files]
    for p in missing:
        problems.append(f"{p}.nx: no golden function")
    for p in extra:
        problems.append(f"{p}: golden function without {p}.nx")
    written = 0
    for p in nx_files:
        if p not in PROGRAMS:
            if not p.startswith("errors" + os.sep):
                continue
            text = ""                      # compile-time error: nothing runs
        else:
            text = run_one(p)
        out = os.path.join(HERE, p + ".out")
        if check:
            old = open(out).read() if os.path.exists(out) else None
            if old != text:
                problems.append(f"{p}.out differs from golden")
        else:
            with open(out, "w") as fh:
                fh.write(text)
            written += 1
    for msg in problems:
        print(msg, file=sys.stderr)
    if not check:
        print(f"wrote {written} .out files", file=sys.stderr)
    else:
        print(f"checked {len(nx_files)} programs, {len(problems)} problems", file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
