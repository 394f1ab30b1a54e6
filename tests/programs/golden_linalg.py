"""Golden output of the linear-algebra and .npy programs (issue 4): `linalg/`, `npy/`.

Also writes the .npy fixtures under `npy/data/` with NumPy itself (deterministic bytes), so
nx is tested on files NumPy wrote. Values printed are exact (small integers, or results whose
every partial sum is exact), since nx's summation order inside `@`/`norm` may differ from BLAS.
"""
import os

import numpy as np

from golden import prog, nx_print, HERE

DATA = os.path.join(HERE, "npy", "data")
DTYPES = ["bool", "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "f32", "f64"]
NP = {"bool": np.bool_, "i8": np.int8, "i16": np.int16, "i32": np.int32, "i64": np.int64,
      "u8": np.uint8, "u16": np.uint16, "u32": np.uint32, "u64": np.uint64,
      "f32": np.float32, "f64": np.float64}


def fixture(dtype):
    """The 2x3 array stored in npy/data/<dtype>.npy."""
    if dtype == "bool":
        return np.array([[True, False, True], [False, False, True]])
    if dtype.startswith("u"):
        top = np.iinfo(NP[dtype]).max
        return np.array([[0, 1, 2], [3, 100, top]], dtype=NP[dtype])
    if dtype.startswith("i"):
        info = np.iinfo(NP[dtype])
        return np.array([[info.min, -1, 0], [1, 100, info.max]], dtype=NP[dtype])
    return np.array([[0.5, -1.25, 3.0], [np.inf, -0.0, 1e-3]], dtype=NP[dtype])


def write_fixtures():
    os.makedirs(DATA, exist_ok=True)
    for dtype in DTYPES:
        np.save(os.path.join(DATA, f"{dtype}.npy"), fixture(dtype))
    np.save(os.path.join(DATA, "fortran_f64.npy"),
            np.asfortranarray(np.arange(12.0).reshape(3, 4)))
    np.save(os.path.join(DATA, "big_endian_i32.npy"), np.arange(-3, 3, dtype=">i4").reshape(2, 3))
    np.save(os.path.join(DATA, "big_endian_f64.npy"), np.array([1.5, -2.0, 1e300], dtype=">f8"))
    np.save(os.path.join(DATA, "scalar_f64.npy"), np.float64(2.5))
    np.save(os.path.join(DATA, "empty_f32.npy"), np.zeros((0, 3), dtype=np.float32))
    np.save(os.path.join(DATA, "vector_i64.npy"), np.arange(10, dtype=np.int64) * 3)
    np.save(os.path.join(DATA, "matrix_f64.npy"), (np.arange(20.0).reshape(4, 5) % 7) - 3)
    np.save(os.path.join(DATA, "cube_u8.npy"), np.arange(24, dtype=np.uint8).reshape(2, 3, 4))
    with open(os.path.join(DATA, "bad_header.npy"), "wb") as fh:
        fh.write(b"\x93NUMPY\x01\x00\x16\x00{'descr': <f8, oops}\n" + bytes(16))
    with open(os.path.join(DATA, "not_npy.npy"), "wb") as fh:
        fh.write(b"this is a text file, not an array\n")
    with open(os.path.join(DATA, "short_data.npy"), "wb") as fh:
        full = open(os.path.join(DATA, "f64.npy"), "rb").read()
        fh.write(full[:-8])


write_fixtures()


# ----------------------------------------------------------------------------
# linear algebra
# ----------------------------------------------------------------------------

def int_valued(rows, cols, mult, mod):
    return ((np.arange(rows, dtype=np.float64)[:, None] * mult + np.arange(cols)) % mod) - mod // 2


@prog("linalg/matmul_basic")
def _():
    a = np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    b = np.array([[7.0, 8.0], [9.0, 10.0], [11.0, 12.0]])
    nx_print(a @ b)
    nx_print(np.matmul(a, b))
    v = np.array([1.0, 0.0, -1.0])
    nx_print(a @ v)
    nx_print(v @ b)
    nx_print(v @ v)
    nx_print(a.T @ a)
    nx_print(a[:, ::2] @ b[::2, :])
    ai = np.array([[1, 2], [3, 4]])
    nx_print(ai @ ai)
    nx_print(ai @ np.array([1.5, 2.0]))
    a32 = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    nx_print(a32 @ a32)
    nx_print((a32 / np.float32(3.0)) @ a32)
    nx_print(a32 @ ai)
    nx_print(a32 @ np.array([0.1, 0.2], dtype=np.float32))


@prog("linalg/matmul_ints")
def _():
    m8 = np.array([[100, 1], [2, 3]], dtype=np.int8)
    nx_print(m8 @ m8)
    u8 = np.array([[200, 100]], dtype=np.uint8)
    nx_print(u8 @ u8.T)
    u64 = np.array([2**63, 1], dtype=np.uint64)
    nx_print(u64 @ np.array([3, 5], dtype=np.uint64))
    i16 = np.array([[1, -2, 3]], dtype=np.int16)
    nx_print(i16.T @ i16)
    b = np.array([[True, False], [False, False]])
    nx_print(b.astype(np.int64) @ np.array([[3, 4], [5, 6]]))
    i32 = np.array([[1, 2], [3, 4]], dtype=np.int32)
    nx_print(i32 @ i32.astype(np.int64))


@prog("linalg/matmul_batched")
def _():
    s = np.array([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    m = np.array([[1, 0], [1, 1]])
    nx_print(s @ m)
    nx_print(m @ s)
    nx_print(s @ s)
    nx_print(s @ np.array([1, -1]))
    nx_print(np.array([1, -1]) @ s)
    t = np.array([[[[1.0, 2.0]]], [[[3.0, 4.0]]]])        # (2, 1, 1, 2)
    u = np.array([[[1.0], [1.0]], [[2.0], [0.5]], [[0.0], [1.0]]])  # (3, 2, 1)
    r = t @ u
    nx_print(np.array(r.shape))
    nx_print(r)
    e = np.zeros((2, 0)) @ np.zeros((0, 3))
    nx_print(np.array(e.shape), e)
    nx_print(np.array((np.zeros((0, 4)) @ np.zeros((4, 2))).shape))


@prog("linalg/matmul_large")
def _():
    a = int_valued(130, 70, 3.0, 7)
    b = int_valued(70, 90, 5.0, 9)
    c = a @ b
    nx_print(np.array(c.shape))
    nx_print(c.sum())
    nx_print(c[0, :5], c[129, 85:])
    ai = a.astype(np.int64)
    bi = b.astype(np.int64)
    nx_print(bool(np.all(c == (ai @ bi).astype(np.float64))))
    c32 = a.astype(np.float32) @ b.astype(np.float32)
    nx_print(bool(np.all(c32 == c.astype(np.float32))))
    nx_print(bool(np.all((a.T @ a) == (a.T @ a).T)))
    nx_print(np.ones((200, 300)) @ np.ones(300) @ np.ones(200))


@prog("linalg/dot_outer_norm")
def _():
    v = np.array([1.0, 2.0, 3.0])
    w = np.array([4.0, -5.0, 6.0])
    nx_print(np.dot(v, w))
    a = np.array([[1, 2], [3, 4]])
    nx_print(np.dot(a, a))
    nx_print(np.dot(a, np.array([1, 1])))
    nx_print(np.dot(np.array([1, 1]), a))
    nx_print(np.dot(2.0, v))
    nx_print(np.dot(a, np.int64(3)))
    nx_print(np.dot(np.int64(2), np.int64(3)))
    nx_print(np.outer(np.array([1, 2, 3]), np.array([4, 5])))
    nx_print(np.outer(a, np.array([1.5, -1.0])))
    nx_print(np.outer(np.array([0.5, 2.0], dtype=np.float32), np.array([3.0, 0.1], dtype=np.float32)))
    nx_print(np.outer(np.array([200], dtype=np.uint8), np.array([2, 3], dtype=np.uint8)))
    nx_print(np.linalg.norm(np.array([3.0, 4.0])))
    nx_print(np.linalg.norm(np.array([[1, 2], [2, 4]])))
    nx_print(np.float32(np.linalg.norm(np.array([3.0, 4.0], dtype=np.float32))))
    nx_print(np.linalg.norm(np.zeros(0)))
    nx_print(np.linalg.norm(np.array([np.nan, 1.0])))
    nx_print(np.linalg.norm(np.array([-np.inf, 1.0])))
    x = np.arange(1000.0) / 7.0
    nx_print(bool(abs(np.linalg.norm(x) - np.sqrt(np.sum(x * x))) < 1e-9))
    exact = np.sqrt(np.sum(x * x))
    nx_print(bool(abs(np.float64(np.linalg.norm(x.astype(np.float32))) - exact) < 1e-6 * exact))


# ----------------------------------------------------------------------------
# .npy files
# ----------------------------------------------------------------------------

@prog("npy/load_dtypes")
def _():
    for dtype in DTYPES:
        nx_print(np.load(os.path.join(DATA, f"{dtype}.npy")))


@prog("npy/load_layouts")
def _():
    f = np.load(os.path.join(DATA, "fortran_f64.npy"))
    nx_print(f)
    nx_print(f[1], f[:, 2], f.sum())
    nx_print(f @ np.ones(4))
    nx_print(np.load(os.path.join(DATA, "big_endian_i32.npy")))
    nx_print(np.load(os.path.join(DATA, "big_endian_f64.npy")))
    s = np.load(os.path.join(DATA, "scalar_f64.npy"))
    nx_print(s, s * 2.0)
    e = np.load(os.path.join(DATA, "empty_f32.npy"))
    nx_print(e, np.array(e.shape))
    v = np.load(os.path.join(DATA, "vector_i64.npy"))
    nx_print(v, v.sum())
    c = np.load(os.path.join(DATA, "cube_u8.npy"))
    nx_print(c[1])


@prog("npy/load_typed")
def _():
    m = np.load(os.path.join(DATA, "matrix_f64.npy"))
    nx_print(m)
    nx_print(m @ m.T)
    i = np.load(os.path.join(DATA, "i32.npy"))
    nx_print(i * 2)
    v = np.load(os.path.join(DATA, "vector_i64.npy"))
    nx_print(v[3])


@prog("npy/copy_on_write")
def _():
    v = np.load(os.path.join(DATA, "vector_i64.npy"))
    w = v.copy()
    w[0] = 99
    w[2:4] += 1
    nx_print(v)
    nx_print(w)
    nx_print(np.load(os.path.join(DATA, "vector_i64.npy")))


@prog("npy/save_roundtrip")
def _():
    for dtype in DTYPES:
        nx_print(fixture(dtype))
    m = np.load(os.path.join(DATA, "matrix_f64.npy"))
    nx_print(m.T)
    nx_print(m[::2, 1:4])
    nx_print(np.float32(1.5))
    nx_print(np.array(np.zeros((0, 3)).shape))
    nx_print(np.arange(5) + 10)
    nx_print(m[0])
    nx_print(m[0] * 0 + 7.0)


# ----------------------------------------------------------------------------
# error programs: what they print before failing
# ----------------------------------------------------------------------------

@prog("errors/runtime_load_missing")
def _():
    nx_print("before")


@prog("errors/runtime_load_type_mismatch")
def _():
    nx_print("checked")


@prog("errors/runtime_save_bad_dir")
def _():
    nx_print("before")
