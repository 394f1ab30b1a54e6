"""Golden functions of the shape built-ins (`tests/programs/shapes/`) and of the random
numbers (`tests/programs/random/`); loaded by golden.py.

NumPy has no Philox4x32-10 with nx's mappings, so the random programs are computed from
the independent reference in nx_random.py.
"""
import numpy as np

from golden import prog, nx_print
from nx_random import ref_rand, ref_randint, ref_randn


# ---------------------------------------------------------------------------- shapes

@prog("shapes/reshape")
def _():
    a = np.arange(12)
    nx_print(a.reshape([3, 4]))
    nx_print(a.reshape([2, -1]))
    nx_print(a.reshape([-1, 2, 3]))
    nx_print(np.array(a.reshape([4, 3]).shape))
    m = a.reshape([3, 4])
    nx_print(m.reshape(12))
    b = np.zeros([4, 3])
    nx_print(m.reshape(b.shape) + b)
    for n in range(2, 4):
        nx_print(np.arange(n * 2).reshape([n, -1]))
    nx_print(m.T.reshape([2, 6]))
    nx_print(m[:, 1:3].reshape(-1))
    nx_print(np.array(np.zeros(0).reshape([0, 5]).shape))
    nx_print(np.reshape(7.5, [1, 1]))
    nx_print(np.array(np.array([3]).reshape(1).shape))


@prog("shapes/ravel")
def _():
    m = np.arange(6.0).reshape([2, 3])
    nx_print(np.ravel(m))
    nx_print(np.ravel(m.T))
    nx_print(m[:, ::-1].ravel())
    nx_print(np.ravel(np.int8(3)))
    nx_print(np.array(np.ravel(np.zeros([2, 0, 3])).shape))


@prog("shapes/transpose")
def _():
    t = np.arange(24).reshape([2, 3, 4])
    nx_print(np.array(np.transpose(t).shape))
    nx_print(np.transpose(t, [1, 0, 2]))
    nx_print(np.array(np.transpose(t, [2, -3, 1]).shape))
    nx_print(t.transpose([0, 2, 1])[1])
    m = np.arange(6).reshape([2, 3])
    nx_print(m.T)
    nx_print(np.transpose(m) == m.T)
    nx_print(np.transpose(np.array([1.5, 2.5])))
    nx_print(m.T * np.array([10, 100]))
    nx_print(np.sum(np.transpose(t, [2, 1, 0]), axis=0))


@prog("shapes/concat_stack")
def _():
    a = np.array([[1, 2], [3, 4]])
    b = np.array([[5, 6]])
    nx_print(np.concatenate([a, b]))
    nx_print(np.concatenate([a, a.T], axis=1))
    nx_print(np.concatenate([a, np.array([[7], [8]])], axis=-1))
    nx_print(np.concatenate([np.arange(3), np.arange(2), np.zeros(0, dtype=np.int64)]))
    nx_print(np.stack([a, a * 10]))
    nx_print(np.stack([a, a * 10], axis=1))
    nx_print(np.stack([a, a * 10], axis=-1))
    nx_print(np.stack([1.5, 2.5, 3.5]))
    nx_print(np.concatenate([np.arange(2), np.array([0.5], dtype=np.float32)]))
    nx_print(np.stack([np.array([0.1], dtype=np.float32), np.array([1.0])]))
    # (deviation) a weak float adapts to f32 as in list literals; np.stack would give f64
    nx_print(np.stack([np.float32(0.1), np.float32(1.0)]))
    for n in range(1, 3):
        nx_print(np.concatenate([np.arange(n), np.arange(10, 10 + n)]))
    m = np.arange(12).reshape([3, 4])
    nx_print(np.concatenate([m[:, ::2], m[:, 1::2]], axis=1))
    nx_print(np.stack([m[0], m[2]], axis=1))


@prog("shapes/broadcast_to")
def _():
    row = np.array([1, 2, 3])
    nx_print(np.broadcast_to(row, [2, 3]))
    nx_print(np.broadcast_to(5.0, 3))
    nx_print(np.broadcast_to(np.array([[1], [2]]), [2, 4]))
    b = np.broadcast_to(row, [4, 3])
    nx_print(np.sum(b, axis=0))
    c = b + 0
    c[0, 0] = 100
    nx_print(c)
    nx_print(b[0])
    nx_print(np.array(np.broadcast_to(np.zeros([1, 3]), [0, 3]).shape))


@prog("shapes/views_value_semantics")
def _():
    a = np.arange(6)
    r = a.reshape([2, 3]).copy()
    t = r.T.copy()
    f = np.ravel(t).copy()
    r[0, 0] = 100
    nx_print(a)
    nx_print(r)
    nx_print(t)
    nx_print(f)
    b = np.broadcast_to(a, [2, 6]).copy()
    a[1] = -1
    nx_print(b)
    s = np.stack([a, a])
    a[2] = -2
    nx_print(s)


# ---------------------------------------------------------------------------- random

@prog("random/rand")
def _():
    nx_print(ref_rand([2, 3], 42))
    nx_print(ref_rand([4], 0))
    nx_print(ref_rand([3], -1))
    nx_print(ref_rand([2, 2], 9223372036854775807))
    nx_print(np.all(ref_rand([3, 4], 7).ravel() == ref_rand([12], 7)))
    nx_print(ref_rand([20], 7)[13] == ref_rand([4, 5], 7)[2, 3])
    for s in range(1, 3):
        nx_print(ref_rand([s], s))
    nx_print(np.array(ref_rand([0], 1).shape))


@prog("random/randn")
def _():
    z = ref_randn([2, 3], 42)
    nx_print(np.round(z * 1e9))
    nx_print(np.round(ref_randn([5], -3) * 1e9))
    nx_print(np.array(z.shape))
    big = ref_randn([100000], 1)
    nx_print(abs(np.mean(big)) < 0.02, abs(np.std(big) - 1.0) < 0.02)
    nx_print(np.round(big[99999] * 1e9))


@prog("random/randint")
def _():
    nx_print(ref_randint(0, 10, [3, 4], 42))
    nx_print(ref_randint(-5, 5, [8], 0))
    nx_print(ref_randint(7, 8, [3], 1))
    nx_print(ref_randint(-4611686018427387904, 4611686018427387905, [8], 5))
    nx_print(ref_randint(-2**63, 2**63 - 1, [4], 3))
    r = ref_randint(0, 6, [60000], 11)
    nx_print(np.min(r), np.max(r))
    nx_print(np.count_nonzero(r == 0) > 9500, np.count_nonzero(r == 5) < 10500)


@prog("random/unseeded")
def _():
    nx_print(True)
    nx_print(False)
    nx_print(True)
    nx_print(np.array([2, 3]))


# ---------------------------------------------------------------------------- errors

@prog("errors/runtime_reshape_size_mismatch")
def _():
    nx_print("start")
    nx_print(np.arange(4).reshape([2, -1]))


@prog("errors/runtime_randint_empty_range")
def _():
    nx_print(ref_randint(4, 5, [2], 1))
