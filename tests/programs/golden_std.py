"""Golden functions of the standard library prelude (`std/`), the user's shadowing of it, and
constant arguments used as `axis=` (`functions/constant_parameters`); see golden.py.

The prelude's transcendental results are not printed but compared in nx, within a stated
tolerance, with the arrays this script saves in `std/data/`: NumPy evaluates the textbook
definitions there (softmax as exp(x) / sum(exp(x)) without any shift, logsumexp as
log(sum(exp(x))), numpy.cov, numpy.corrcoef), independently of how std/*.nx computes them.
"""
import os

import numpy as np

from golden import A, HERE, nx_print, prog

DATA = os.path.join(HERE, "std", "data")

X = A([[-2.0, 0.5, 3.0], [1.0, 1.0, -40.0]])
CUBE = (np.arange(24) % 5 - 2.0).reshape([2, 3, 4])
TABLE = A([[1.0, 20.0, 300.0], [2.0, 22.0, 310.0], [3.0, 27.0, 290.0], [6.0, 31.0, 300.0]])


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def softmax(x, axis):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)


def logsumexp(x, axis, keepdims=False):
    return np.log(np.exp(x).sum(axis=axis, keepdims=keepdims))


def zscore(x, axis, ddof):
    return (x - x.mean(axis=axis, keepdims=True)) / x.std(axis=axis, ddof=ddof, keepdims=True)


def write_fixtures():
    os.makedirs(DATA, exist_ok=True)
    x32 = X.astype(np.float32)
    arrays = {
        "sigmoid": sigmoid(X),
        "sigmoid_f32": sigmoid(x32),
        "sigmoid_ints": sigmoid(A([1, 2])),
        "softplus": np.log1p(np.exp(X[:, :2])),
        "logsumexp": logsumexp(X, -1),
        "logsumexp_axis0": logsumexp(X, 0),
        # exp(1000) overflows: the definition evaluated exactly is 1000 + log(2).
        "logsumexp_large": np.float64(1000.0 + np.log(2.0)),
        "logsumexp_ints": logsumexp(A([[1, 2], [3, 4]]), -1),
        "logsumexp_shadowed": logsumexp(A([-1.0, 0.5]), -1),
        "softmax": softmax(X, -1),
        "softmax_axis0": softmax(X, 0),
        "softmax_f32": softmax(x32, -1),
        "softmax_cube_axis1": softmax(CUBE, 1),
        "log_softmax": X - logsumexp(X, -1, keepdims=True),
        "log_softmax_axis0": X - logsumexp(X, 0, keepdims=True),
        "zscore": zscore(TABLE, 0, 0),
        "zscore_rows_ddof1": zscore(TABLE, 1, 1),
        "cov": np.cov(TABLE.T),
        "cov_ddof0": np.cov(TABLE.T, ddof=0),
        "corrcoef": np.corrcoef(TABLE.T),
    }
    for name, array in arrays.items():
        np.save(os.path.join(DATA, f"{name}.npy"), array)


write_fixtures()


def compared(*fixtures):
    """A line where nx prints whether its results are close to these fixtures (saved above)."""
    for name in fixtures:
        assert os.path.exists(os.path.join(DATA, f"{name}.npy")), name
    nx_print(True)


@prog("std/math")
def _():
    nx_print(np.maximum(X, 0), np.maximum(A([-3, 0, 7]), 0), np.maximum(A([-1.5, np.nan, 2.0]), 0))
    nx_print(sigmoid(0.0), sigmoid(A([-1000.0, 1000.0, np.inf, -np.inf, np.nan])))
    compared("sigmoid")
    compared("sigmoid_f32")
    compared("sigmoid_ints")
    nx_print(A([1000.0, 0.0]))              # log1p(exp(-1000)) is 0 exactly
    compared("softplus")
    compared("logsumexp")
    compared("logsumexp_axis0")
    nx_print(A([1, 3]), A([2]))
    nx_print(logsumexp(A([-np.inf, -np.inf]), -1), np.inf, 2.5)
    compared("logsumexp_large")
    compared("logsumexp_ints")
    nx_print(A([0.5, 0.5]), A([1.0, 0.0]))  # exp(0) / (exp(0) + exp(-inf))
    compared("softmax")
    compared("softmax_axis0")
    compared("softmax_f32")
    compared("softmax_cube_axis1")
    compared("log_softmax")
    compared("log_softmax_axis0")
    nx_print(A([2, 3]), A([2, 3, 4]))


@prog("std/stats")
def _():
    nx_print(TABLE - TABLE.mean(axis=0))
    nx_print(TABLE - TABLE.mean(axis=1, keepdims=True))
    v = A([1, 2, 6])
    nx_print(v - v.mean())
    compared("zscore")
    compared("zscore_rows_ddof1")
    flat = A([[1.0, 5.0], [3.0, 5.0]])
    nx_print(zscore(flat, 0, 0))            # 0 / 0 in the constant column is nan, as scipy

    def minmax(x, axis):
        low = x.min(axis=axis, keepdims=True)
        span = x.max(axis=axis, keepdims=True) - low
        return (x - low) / np.where(span == 0, 1, span)

    nx_print(minmax(TABLE, 0))
    nx_print(minmax(A([[1, 5], [3, 5], [2, 5]]), 0), minmax(A([4, 8, 5]), 0))

    def normalize(x, axis):
        norm = np.sqrt((x * x).sum(axis=axis, keepdims=True))
        return x / np.where(norm == 0, 1, norm)

    nx_print(normalize(A([[3.0, 4.0], [0.0, 0.0], [-6.0, 8.0]]), -1))
    nx_print(normalize(A([[3.0, 4.0], [4.0, 3.0]]), 0))
    nx_print(normalize(A([0.0, 5.0]), -1))
    compared("cov")
    compared("cov_ddof0")
    nx_print(np.float64(np.cov(A([1.0, 2.0, 6.0]))), np.float64(np.cov(A([1, 2, 6]))))
    compared("corrcoef")
    nx_print(np.median(A([3, 1, 2])), np.median(A([4.0, 1.0, 2.0, 3.0])), np.median(TABLE))
    nx_print(np.median(np.array([2.5, 0.5], dtype=np.float32)), np.median(A([7])),
             np.median(A([1.0, np.nan, 3.0])), np.median(np.zeros(0)))


@prog("std/shadowing")
def _():
    nx_print(A([7.0, 7.0]), A([7.0, 7.0]), A([-1.0, 3.0]) * 0.0 + 7.0 + np.maximum(A([-1.0, 3.0]), 0))
    nx_print((1.0 + 4.0) / 2.0, 3.5, 1.0)
    nx_print(zscore(A([[1.0], [3.0]]), 0, 0))
    nx_print(softmax(A([0.0, 0.0]), -1), softmax(A([2.0, 2.0, 2.0, 2.0]), -1))
    compared("logsumexp_shadowed")


@prog("functions/constant_parameters")
def _():
    m = A([[1, 2, 3], [4, 5, 6]])
    nx_print(m.sum(axis=0), m.sum(axis=1), m.sum(axis=-2), m.sum(axis=1))
    nx_print(m.max(axis=1, keepdims=True), m.max(axis=1), m.max(axis=0))
    nx_print(m.mean(axis=-1), m.mean(axis=0))
    nx_print(m.sum(axis=1), m.sum(axis=1))
    n = 3
    nx_print(m.sum(axis=1) * n, np.arange(n * 2).reshape([2, n]).sum(axis=0))
