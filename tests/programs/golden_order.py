"""Golden functions of issue 4's scans, sorting, comparison helpers (`order/`) and full
indexing (`indexing/` masks, gathers, `...` and assignment through them); see golden.py.

nx keeps a gathered axis in place where NumPy moves it to the front (spec section 5,
deviation): such results are computed with np.take on the axis, marked (deviation)."""
import numpy as np

from golden import A, nx_print, prog


@prog("order/cumsum_cumprod")
def _():
    v = A([1.0, 2.5, -3.0, 4.0])
    nx_print(np.cumsum(v), np.cumprod(v))
    m = A([[1, 2, 3], [4, 5, 6]])
    nx_print(np.cumsum(m))
    nx_print(np.cumsum(m, axis=0))
    nx_print(np.cumsum(m, axis=1))
    nx_print(np.cumprod(m, axis=-1))
    nx_print(A(np.cumsum(m, axis=0).shape), A(np.cumsum(m).shape))
    small = np.array([100, 100, 100], dtype=np.int8)
    nx_print(np.cumsum(small))
    bytes_ = np.array([200, 200], dtype=np.uint8)
    nx_print(np.cumsum(bytes_), np.cumprod(bytes_))
    nx_print(np.cumsum(np.array([True, False, True, True])))
    f = np.array([0.1, 0.2, 0.3], dtype=np.float32)
    nx_print(np.cumsum(f))
    nx_print(np.cumprod(A([4611686018427387904, 2, 2])))
    nx_print(np.cumsum(np.zeros(0)), A(np.cumsum(np.zeros([2, 0]), axis=1).shape))
    nx_print(np.cumsum(5.0), np.cumprod(3))
    t = np.arange(12).reshape([2, 3, 2])
    nx_print(np.cumsum(t, axis=1))


@prog("order/sort_argsort")
def _():
    v = A([3.0, -1.0, 2.5, -1.0, 0.0])
    nx_print(np.sort(v), np.argsort(v, kind="stable"))
    nx_print(np.sort(v), np.argsort(v, kind="stable"))
    w = A([2.0, np.nan, -np.inf, 1.0, np.nan, np.inf, 1.0])
    nx_print(np.sort(w), np.argsort(w, kind="stable"))
    m = A([[3, 1, 2], [9, 7, 8], [5, 6, 4]])
    nx_print(np.sort(m))
    nx_print(np.sort(m, axis=0))
    nx_print(np.argsort(m, kind="stable"))
    nx_print(np.argsort(m, axis=0, kind="stable"))
    nx_print(np.argsort(A([1, 1, 1, 0, 0]), kind="stable"))
    u = np.array([250, 3, 128], dtype=np.uint8)
    nx_print(np.sort(u), np.argsort(u, kind="stable"))
    nx_print(np.sort(A([True, False, True, False])))
    nx_print(np.sort(np.array([0.5, -0.25, 0.1], dtype=np.float32)))
    nx_print(np.sort(np.zeros(0)), A(np.argsort(np.zeros([2, 0])).shape))
    t = A([5, 1, 4, 2, 3, 0, 7, 6]).reshape([2, 2, 2])
    nx_print(np.sort(t, axis=1))
    nx_print(np.argsort(t, axis=0, kind="stable"))


@prog("order/allclose_array_equal")
def _():
    a = A([1.0, 2.0, 3.0])
    nx_print(np.bool_(np.allclose(a, a)), np.bool_(np.allclose(a, a + 1e-9)),
             np.bool_(np.allclose(a, a + 1e-3)))
    nx_print(np.bool_(np.allclose(a, A([1.0, 2.0, 3.0001]), rtol=1e-4)),
             np.bool_(np.allclose(a, a + 0.5, atol=0.5)))
    nx_print(np.bool_(np.allclose(A([1.0, np.nan]), A([1.0, np.nan]))),
             np.bool_(np.allclose(A([np.inf, 1.0]), A([np.inf, 1.0]))))
    nx_print(np.bool_(np.allclose(A([np.inf]), A([-np.inf]))),
             np.bool_(np.allclose(A([1.0e10]), A([1.00001e10]))))
    nx_print(np.bool_(np.allclose(A([[1.0, 2.0], [3.0, 4.0]]), A([1.0, 2.0]))),
             np.bool_(np.allclose(2.0, A([2.0, 2.0]))))
    nx_print(np.bool_(np.allclose(A([1, 2, 3]), A([1.0, 2.0, 3.0]))))
    nx_print(np.bool_(np.array_equal(a, a)), np.bool_(np.array_equal(a, A([1.0, 2.0, 4.0]))))
    nx_print(np.bool_(np.array_equal(a, A([1.0, 2.0]))),
             np.bool_(np.array_equal(A([[1, 2]]), A([1, 2]))))
    nx_print(np.bool_(np.array_equal(A([1, 2, 3]), A([1.0, 2.0, 3.0]))),
             np.bool_(np.array_equal(A([np.nan]), A([np.nan]))))
    nx_print(np.bool_(np.array_equal(np.array([-1, 2], dtype=np.int8), A([-1, 2]))),
             np.bool_(np.array_equal(np.array([255], dtype=np.uint8),
                                     np.array([-1], dtype=np.int8))))
    nx_print(np.bool_(np.array_equal(np.zeros(0), np.zeros(0))), np.bool_(np.array_equal(3, 3.0)))
    ok = np.allclose(a, a)
    nx_print(np.bool_(ok and np.array_equal(a, a)))


@prog("indexing/bool_masks")
def _():
    a = A([3.0, -1.0, 4.0, -1.5, 5.0, -9.0])
    nx_print(a[a > 0.0], a[a < 0.0])
    nx_print(a[a > 100.0], A(a[a > 100.0].shape))
    m = A([[1, -2, 3], [-4, 5, -6]])
    nx_print(m[m > 0])
    nx_print(m[A([True, False])])
    nx_print(A(m[A([False, True])].shape))
    nx_print(m[:, A([True, False, True])])
    nx_print(m[1, A([True, True, False])])
    nx_print(m[..., A([False, True, True])])
    t = np.arange(24).reshape([2, 3, 4])
    nx_print(t[t % 5 == 0])
    nx_print(A(t[A([True, False])].shape), t[:, A([True, False, True])])
    nx_print(t[:, :, A([True, False, False, True])])
    nx_print(t[A([[True, False, True], [False, True, False]])])
    keep = A([True, True, False, True, False, True])
    nx_print(a[keep] * 2.0)
    nx_print(np.sum(a[a > 0.0]))


@prog("indexing/gather")
def _():
    a = A([10.0, 11.0, 12.0, 13.0, 14.0])
    nx_print(a[A([0, 2, 4])], a[A([-1, 0])], a[A([1, 1, 1])])
    idx = A([3, 0])
    nx_print(a[idx])
    nx_print(a[A([[0, 1], [2, 3]])])
    m = np.arange(12).reshape([3, 4])
    nx_print(m[A([2, 0])])
    nx_print(m[:, A([3, 1])])
    nx_print(m[1, A([0, 0, 3])])
    nx_print(m[A([0, 2]), 1:3])
    nx_print(m[..., A([1])])
    nx_print(A(m[:, A([[0, 1], [2, 3]])].shape))
    t = np.arange(24).reshape([2, 3, 4])
    nx_print(np.take(t[0], A([0, 3]), axis=1))          # (deviation) NumPy: t[0, :, idx].T
    nx_print(t[:, A([2, 0]), 0])
    nx_print(a[np.array([0, 4], dtype=np.uint8)], a[np.arange(5)[::2]])
    empty = np.zeros(0, dtype=np.int64)
    nx_print(a[empty], A(m[empty].shape))
    nx_print(a[np.argsort(-a, kind="stable")])


@prog("indexing/assign_masks")
def _():
    a = A([3.0, -1.0, 4.0, -1.5, 5.0, -9.0])
    a[a < 0.0] = 0.0
    nx_print(a)
    b = A([1.0, 2.0, 3.0, 4.0])
    b[b > 1.5] += 10.0
    nx_print(b)
    b[A([True, False, True, False])] = A([-1.0, -2.0])
    nx_print(b)
    m = A([[1, -2, 3], [-4, 5, -6]])
    m[m < 0] *= -1
    nx_print(m)
    m[A([False, True])] = 0
    nx_print(m)
    m[:, A([True, False, True])] = A([[7, 8], [9, 10]])
    nx_print(m)
    c = A([1, 2, 3])
    c[c > 1] = 2
    nx_print(c)
    f = np.zeros([2, 2])
    f[f == 0.0] = 3
    nx_print(f)
    s = A([1.0, 2.0, 3.0, 4.0])
    s[s > 1.0] = s[s < 4.0]
    nx_print(s)
    u = np.array([5, 200, 7], dtype=np.uint8)
    u[u > np.uint8(100)] += np.uint8(100)
    nx_print(u)
    e = A([1.0, 2.0])
    e[e > 10.0] = 5.0
    nx_print(e)


@prog("indexing/assign_gather")
def _():
    a = np.zeros(5)
    a[A([0, 2])] = 1.0
    nx_print(a)
    a[A([1, 3])] = A([7.0, 8.0])
    nx_print(a)
    a[A([-1])] += 2.5
    nx_print(a)
    r = np.zeros(3)
    r[A([0, 0, 1])] += 1.0
    nx_print(r)
    r[A([2, 2])] = A([5.0, 6.0])
    nx_print(r)
    m = np.zeros([3, 4], dtype=np.int64)
    idx = A([3, 0])
    m[:, idx] = A([1, 2])
    nx_print(m)
    m[A([2, 1])] = A([[1, 1, 1, 1], [2, 2, 2, 2]])
    nx_print(m)
    m[0, A([1, 2])] -= 5
    nx_print(m)
    v = A([1, 2, 3, 4])
    v[A([0, 1, 2, 3])] = v[A([3, 2, 1, 0])]
    nx_print(v)
    p = np.arange(6)
    p[np.argsort(-p, kind="stable")] = np.arange(6)
    nx_print(p)
    t = np.zeros([2, 2, 3])
    t[:, A([1]), 1:] = 4.0
    nx_print(t)


@prog("indexing/ellipsis")
def _():
    t = np.arange(24).reshape([2, 3, 4])
    nx_print(t[..., 1])
    nx_print(t[0, ...])
    nx_print(A(t[..., 1:3].shape), t[1, ..., 2], A(t[...].shape))
    nx_print(A(t[0, ..., np.newaxis].shape))
    t[..., 0] = -1
    nx_print(t[1])
    v = A([1.0, 2.0])
    v[...] = 7.0
    nx_print(v)


@prog("errors/runtime_gather_out_of_bounds")
def _():
    a = A([1.0, 2.0, 3.0])
    nx_print(a[A([0, -3])])
