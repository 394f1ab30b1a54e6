"""The independent reference for nx's random numbers, shared by the golden scripts.

NumPy has no Philox4x32-10 with nx's mappings, so nx's random numbers are computed from
the reference below, written from the Random123 paper (Salmon et al., SC'11)
and checked against its published known-answer vectors when this module loads. The
mappings are those of docs/decisions.md ("Random numbers"):
  * block i: philox4x32_10(counter=(i mod 2**32, i >> 32, retry, 0), key=(seed low, high))
    with retry = 0; its two 64-bit draws are w0 | w1 << 32 and w2 | w3 << 32;
  * rand: (u >> 11) * 2**-53 of the first draw;
  * randn: sqrt(-2 log(1 - u1)) * cos(2 pi u2) of the two draws mapped as rand;
  * randint(low, high): Lemire's method on n = high - low: m = x * n, reject while
    m mod 2**64 < 2**64 mod n (next draws: the block's second, then blocks retry = 1, 2, ...),
    result low + (m >> 64).
"""
import math

import numpy as np

MASK32 = 0xFFFFFFFF
MASK64 = 0xFFFFFFFFFFFFFFFF


def philox4x32(rounds, ctr, key):
    c0, c1, c2, c3 = ctr
    k0, k1 = key
    for r in range(rounds):
        if r:
            k0 = (k0 + 0x9E3779B9) & MASK32
            k1 = (k1 + 0xBB67AE85) & MASK32
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = ((p1 >> 32) ^ c1 ^ k0, p1 & MASK32, (p0 >> 32) ^ c3 ^ k1, p0 & MASK32)
    return (c0, c1, c2, c3)


# Random123 tests/kat_vectors, "philox4x32 10" lines: counter, key, expected.
for _ctr, _key, _expected in [
    ((0, 0, 0, 0), (0, 0), (0x6627E8D5, 0xE169C58D, 0xBC57AC4C, 0x9B00DBD8)),
    ((MASK32,) * 4, (MASK32,) * 2, (0x408F276D, 0x41C83B0E, 0xA20BC7C6, 0x6D5451FD)),
    ((0x243F6A88, 0x85A308D3, 0x13198A2E, 0x03707344), (0xA4093822, 0x299F31D0),
     (0xD16CFE09, 0x94FDCCEB, 0x5001E420, 0x24126EA1)),
]:
    assert philox4x32(10, _ctr, _key) == _expected, "Philox4x32-10 known answer"


def _key(seed):
    bits = seed & MASK64
    return (bits & MASK32, bits >> 32)


def _draws(seed, i, retry=0):
    w = philox4x32(10, (i & MASK32, i >> 32, retry, 0), _key(seed))
    return [w[0] | (w[1] << 32), w[2] | (w[3] << 32)]


def _unit(u):
    return (u >> 11) * 2.0 ** -53


def ref_rand(shape, seed):
    # The Philox rounds use only &, *, >> and ^ on values below 2**64, so they run on a whole
    # uint64 array of counters at once.
    counters = np.arange(int(np.prod(shape)), dtype=np.uint64)
    return _unit(_draws(seed, counters)[0]).astype(np.float64).reshape(shape)


def ref_randn(shape, seed):
    n = int(np.prod(shape))
    out = []
    for i in range(n):
        u1, u2 = (_unit(d) for d in _draws(seed, i))
        out.append(math.sqrt(-2.0 * math.log(1.0 - u1)) * math.cos(2.0 * math.pi * u2))
    return np.array(out, dtype=np.float64).reshape(shape)


def _lemire(seed, i, low, n):
    threshold = (2**64 - n) % n
    retry = 0
    while True:
        for x in _draws(seed, i, retry):
            m = x * n
            if m & MASK64 >= threshold:
                return low + (m >> 64)
        retry += 1


def ref_randint(low, high, shape, seed):
    n = int(np.prod(shape))
    return np.array([_lemire(seed, i, low, high - low) for i in range(n)],
                    dtype=np.int64).reshape(shape)
