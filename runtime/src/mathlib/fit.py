"""Near-minimax polynomial coefficients for nx's math kernels (runtime/src/mathlib/kernels.rs).

Run with `python3 runtime/src/mathlib/fit.py [exp f64 degree, default 9]` (needs mpmath; about a
minute and a half). Each fit is a weighted least-squares
fit on Chebyshev nodes, refined by Lawson's iteration (reweighting by the error) toward the minimax
solution; coefficients are then rounded to the target float type and the rounded polynomial's
maximum weighted error is reported on a fine grid.
"""
import struct
import sys

import mpmath as mp

mp.mp.dps = 60


def round_f64(value):
    return float(value)


def round_f32(value):
    return struct.unpack("f", struct.pack("f", float(value)))[0]


def fit(target, weight, lo, hi, fixed, degree, rounder, nodes=400, lawson=40):
    """Fits p(t) = sum(fixed[i] t^i) + sum(c_j t^(len(fixed)+j), j < degree+1-len(fixed)) to target
    on [lo, hi], minimizing max |weight(t) * (p(t) - target(t))|."""
    first_free = len(fixed)
    points = [
        (lo + hi) / 2 + (hi - lo) / 2 * mp.cos(mp.pi * (2 * i + 1) / (2 * nodes))
        for i in range(nodes)
    ]
    point_weights = [mp.mpf(1)] * nodes
    coefficients = None
    for _ in range(lawson):
        rows = []
        rhs = []
        for t, lawson_weight in zip(points, point_weights):
            scale = weight(t) * mp.sqrt(lawson_weight)
            rows.append([scale * t**power for power in range(first_free, degree + 1)])
            known = sum(c * t**power for power, c in enumerate(fixed))
            rhs.append(scale * (target(t) - known))
        matrix = mp.matrix(rows)
        solution = mp.lu_solve(matrix.T * matrix, matrix.T * mp.matrix(rhs))
        coefficients = list(fixed) + [solution[i] for i in range(len(solution))]
        errors = [abs(weight(t) * (poly(coefficients, t) - target(t))) for t in points]
        total = sum(w * e for w, e in zip(point_weights, errors))
        point_weights = [w * e / total for w, e in zip(point_weights, errors)]
    rounded = [rounder(c) for c in coefficients]
    grid = [lo + (hi - lo) * i / 4000 for i in range(4001)]
    max_error = max(abs(weight(t) * (poly([mp.mpf(c) for c in rounded], t) - target(t))) for t in grid)
    return rounded, max_error


def poly(coefficients, t):
    result = mp.mpf(0)
    for c in reversed(coefficients):
        result = result * t + c
    return result


def exp_tail(t):
    # (e^t - 1 - t) / t^2, continuous at 0.
    if abs(t) < mp.mpf("1e-20"):
        return mp.mpf(1) / 2 + t / 6
    return (mp.exp(t) - 1 - t) / t**2


def log_tail(z):
    # R(z)/z where log((1+s)/(1-s)) = 2s + s*R(s^2), z = s^2: R(z)/z = 2/3 + 2z/5 + ...
    if z < mp.mpf("1e-30"):
        return mp.mpf(2) / 3 + 2 * z / 5
    s = mp.sqrt(z)
    return (mp.log((1 + s) / (1 - s)) - 2 * s) / (s * z)


def sin_tail(z):
    # (sin r - r) / r^3 with z = r^2, continuous at 0.
    if z < mp.mpf("1e-30"):
        return -mp.mpf(1) / 6 + z / 120
    r = mp.sqrt(z)
    return (mp.sin(r) - r) / (r * z)


def cos_tail(z):
    # (cos r - 1 + z/2) / z^2 with z = r^2, continuous at 0.
    if z < mp.mpf("1e-30"):
        return mp.mpf(1) / 24 - z / 720
    r = mp.sqrt(z)
    return (mp.cos(r) - 1 + z / 2) / z**2


def sin_weight(z):
    # r^3 / sin r: the error of r^3 S relative to sin r.
    if z == 0:
        return mp.mpf(0)
    r = mp.sqrt(z)
    return z * r / mp.sin(r)


def atan_tail(z):
    # P(z) where atan(t) = t + t z P(z), z = t^2: P(z) = -1/3 + z/5 - ...
    if z < mp.mpf("1e-30"):
        return -mp.mpf(1) / 3 + z / 5
    t = mp.sqrt(z)
    return (mp.atan(t) / t - 1) / z


def asin_tail(u):
    # R(u) where asin(v) = v + v u R(u), u = v^2: R(u) = 1/6 + 3u/40 + ...
    if u < mp.mpf("1e-30"):
        return mp.mpf(1) / 6 + 3 * u / 40
    v = mp.sqrt(u)
    return (mp.asin(v) / v - 1) / u


def relative_to(function):
    # The weight making t z |P - target| relative to function(t) = function(sqrt(z)).
    return lambda z: z * mp.sqrt(z) / function(mp.sqrt(z)) if z > 0 else z


def pow_tail(z):
    # R(z) where (3/2) log((1+s)/(1-s)) / s = 3 + z + z^2 R(z), z = s^2: R = 3/5 + 3z/7 + ...
    if z < mp.mpf("1e-30"):
        return mp.mpf(3) / 5 + 3 * z / 7
    s = mp.sqrt(z)
    return (mp.mpf(3) / 2 * mp.log((1 + s) / (1 - s)) / s - 3 - z) / z**2


def report(name, coefficients, error, rounder):
    kind = "f64" if rounder is round_f64 else "f32"
    print(f"{name} ({kind}): max weighted error {mp.nstr(error, 5)} = 2^{mp.nstr(mp.log(error, 2), 4)}")
    for c in coefficients:
        print(f"    {c!r},")


def main():
    half_ln2 = mp.log(2) / 2
    # exp: e^r = 1 + r + r^2 P(r); the error of r^2 P relative to e^r.
    for degree, rounder in [(int(sys.argv[1]) if len(sys.argv) > 1 else 9, round_f64), (4, round_f32)]:
        coefficients, error = fit(
            exp_tail, lambda t: t * t / mp.exp(t), -half_ln2, half_ln2, [mp.mpf(1) / 2], degree, rounder
        )
        report(f"exp P degree {degree}", coefficients, error, rounder)
    # log: log(m) = f - f^2/2 + s (f^2/2 + z Q(z)); the error of s z Q relative to log(m) ~ 2s.
    s_max = (mp.sqrt(2) - 1) / (mp.sqrt(2) + 1)
    for degree, rounder in [(6, round_f64), (3, round_f32)]:
        coefficients, error = fit(
            log_tail, lambda z: z / 2, mp.mpf(0), s_max**2, [], degree, rounder
        )
        report(f"log Q degree {degree}", coefficients, error, rounder)
    # cbrt: cbrt(1 + f) for 1 + f in [sqrt(1/2), sqrt(2)), relative error.
    for degree, rounder in [(7, round_f64), (3, round_f32)]:
        coefficients, error = fit(
            lambda f: mp.cbrt(1 + f),
            lambda f: 1 / mp.cbrt(1 + f),
            mp.sqrt(mp.mpf(1) / 2) - 1,
            mp.sqrt(2) - 1,
            [],
            degree,
            rounder,
        )
        report(f"cbrt P degree {degree}", coefficients, error, rounder)
    # log2/log10: 1/ln 2, 1/ln 10 and log10 2 as hi + lo, hi rounded to few enough bits that
    # its products are exact (f64 hi has 21 bits, f32 hi 12; |k| < 2^11, f32 2^8).
    for name, value in [("1/ln 2", 1 / mp.log(2)), ("1/ln 10", 1 / mp.log(10)), ("log10 2", mp.log10(2))]:
        for bits, rounder in [(40 if name == "log10 2" else 32, round_f64), (16 if name == "log10 2" else 12, round_f32)]:
            scale = mp.mpf(2) ** (bits - 1 - mp.floor(mp.log(value, 2)))
            hi = rounder(mp.nint(value * scale) / scale)
            lo = rounder(value - mp.mpf(hi))
            kind = "f64" if rounder is round_f64 else "f32"
            print(f"{name} ({kind}): ({hi!r}, {lo!r})")
    # sin r = r + r^3 S(r^2), cos r = 1 - r^2/2 + r^4 C(r^2) for |r| <= pi/4 (a hair more: the
    # reduction's quadrant comes from a rounded sum); errors relative to sin r and cos r.
    z_max = (mp.pi / 4 * (1 + mp.mpf(2) ** -16)) ** 2
    for degree, rounder in [(5, round_f64), (2, round_f32)]:
        coefficients, error = fit(
            sin_tail, sin_weight, mp.mpf(0), z_max, [], degree, rounder
        )
        report(f"sin S degree {degree}", coefficients, error, rounder)
        coefficients, error = fit(
            cos_tail, lambda z: z**2 / mp.cos(mp.sqrt(z)), mp.mpf(0), z_max, [], degree, rounder
        )
        report(f"cos C degree {degree}", coefficients, error, rounder)
    # atan: atan(t) = t + t z P(z) for |t| <= tan(pi/8) (1% margin for the rounded interval
    # bounds); the error relative to atan(t).
    z_max = (mp.tan(mp.pi / 8) * mp.mpf("1.01")) ** 2
    for degree, rounder in [(10, round_f64), (4, round_f32)]:
        coefficients, error = fit(
            atan_tail, relative_to(mp.atan), mp.mpf(0), z_max, [], degree, rounder, nodes=200, lawson=25
        )
        report(f"atan P degree {degree}", coefficients, error, rounder)
    # asin: asin(v) = v + v u R(u) for u = v^2 <= 1/4; the error relative to asin(v).
    for degree, rounder in [(11, round_f64), (4, round_f32)]:
        coefficients, error = fit(
            asin_tail, relative_to(mp.asin), mp.mpf(0), mp.mpf(1) / 4, [], degree, rounder, nodes=200, lawson=25
        )
        report(f"asin R degree {degree}", coefficients, error, rounder)
    # pow: ln m = (2/3) s (3 + z + z^2 R(z)); the error of z^2 R relative to 3. 2/3 as hi + lo,
    # hi truncated to half the precision (f64 26 bits, f32 12) so that its products are exact.
    for degree, rounder, bits in [(6, round_f64, 26), (2, round_f32, 12)]:
        coefficients, error = fit(pow_tail, lambda z: z * z / 3, mp.mpf(0), s_max**2, [], degree, rounder)
        report(f"pow R degree {degree}", coefficients, error, rounder)
        two_thirds = mp.mpf(2) / 3
        hi = rounder(mp.floor(two_thirds * 2**bits) / 2**bits)
        print(f"2/3 ({'f64' if rounder is round_f64 else 'f32'}): ({hi!r}, {rounder(two_thirds - mp.mpf(hi))!r})")


if __name__ == "__main__":
    main()
