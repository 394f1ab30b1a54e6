#!/usr/bin/env python3
"""Expected output of every nx example (examples/*.nx), computed independently with NumPy.

    python3 tests/examples/golden_examples.py            # rewrite the expected files
    python3 tests/examples/golden_examples.py --check    # compare, exit 1 on a difference

Each example has one function below that runs the same algorithm in NumPy and prints what the
example prints, in nx's print format (golden.py's nx_print). It writes
tests/examples/<example>.out, and also the example's input image examples/data/image.npy and
the blurred image the blur example must save (tests/examples/blurred.npy).

NumPy sums in another order than nx (and BLAS may fuse multiply-adds), so the last digits of
some floats differ: tests/examples.rs compares floats within a relative 1e-9 and everything
else exactly. Random inputs come from nx's generator, reproduced bit for bit by
tests/programs/nx_random.py.
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tests", "programs"))

from golden import nx_print, prog, run_one, PROGRAMS  # noqa: E402
from nx_random import ref_rand, ref_randint  # noqa: E402

IMAGE = os.path.join(ROOT, "examples", "data", "image.npy")
BLURRED = os.path.join(HERE, "blurred.npy")
# Arrays the examples read or must write, by file: filled in by make_image and the golden
# functions, then written (or compared) by main.
ARRAYS = {}


def make_image():
    """The blur example's input: a bright disc and a dark square on gray, plus noise.
    Written by NumPy and committed, so that nx reads a file NumPy made."""
    size = 64
    y, x = np.mgrid[0:size, 0:size] / (size - 1)
    image = np.full((size, size), 0.3)
    image[(x - 0.35) ** 2 + (y - 0.4) ** 2 < 0.2 ** 2] = 0.9
    image[40:56, 38:58] = 0.05
    noise = np.random.default_rng(0).normal(0.0, 0.05, image.shape)
    return np.clip(image + noise, 0.0, 1.0)


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


@prog("heat")
def _():
    n = 33
    u = np.zeros((n, n))
    u[0, :] = 100.0
    sweeps, change = 0, np.inf
    while change > 1e-6:
        interior = 0.25 * (u[:-2, 1:-1] + u[2:, 1:-1] + u[1:-1, :-2] + u[1:-1, 2:])
        change = np.max(np.abs(interior - u[1:-1, 1:-1]))
        u[1:-1, 1:-1] = interior
        sweeps += 1
    nx_print("converged after", sweeps, "sweeps; the last one moved no point by more than", change)
    nx_print("temperature at the centre:", u[n // 2, n // 2], "(exact steady state: 25.0)")
    nx_print("temperature down the middle, every 4th point from the hot edge:")
    nx_print(u[::4, n // 2])


@prog("mandelbrot")
def _():
    limit, width, height = 50, 150, 100
    re, im = np.broadcast_arrays(np.linspace(-2.2, 0.8, width)[np.newaxis, :],
                                 np.linspace(1.0, -1.0, height)[:, np.newaxis])
    zr, zi = np.zeros(re.shape), np.zeros(re.shape)
    counts = np.zeros(re.shape, dtype=np.int32)
    for _ in range(limit):
        # A point stops iterating once its condition fails; it can never hold again after.
        running = (counts < limit) & (zr * zr + zi * zi <= 4.0)
        zr, zi = (np.where(running, zr * zr - zi * zi + re, zr),
                  np.where(running, 2.0 * zr * zi + im, zi))
        counts += running
    shade = (255.0 * np.sqrt(counts / limit)).astype(np.int32)
    gray = np.where(counts == limit, 0, shade)
    nx_print("P2")
    nx_print(width, height)
    nx_print(255)
    for value in gray.ravel():
        nx_print(value)


@prog("logistic_regression")
def _():
    n = 200
    points = ref_rand([n, 2], 7) * 2.0 - 1.0
    clean = (points @ np.array([1.5, -1.0]) + 0.25 > 0.0).astype(np.float64)
    labels = np.where(ref_rand([n], 8) < 0.1, 1.0 - clean, clean)

    def loss(p, y):
        return -np.mean(y * np.log(p) + (1.0 - y) * np.log(1.0 - p))

    w, b = np.zeros(2), 0.0
    for step in range(500):
        p = sigmoid(points @ w + b)
        if step % 100 == 0:
            nx_print("step", step, "loss", loss(p, labels))
        error = p - labels
        w = w - 1.0 * (points.T @ error) / n
        b = b - 1.0 * np.mean(error)
    p = sigmoid(points @ w + b)
    nx_print("final loss", loss(p, labels))
    nx_print("weights", w, "bias", b)
    nx_print("learned boundary:", w[0] / -w[1], "x - y +", b / -w[1],
             "= 0  (true: 1.5 x - y + 0.25 = 0)")
    predicted = (p > 0.5).astype(np.float64)
    nx_print("training accuracy", np.mean(predicted == labels))
    nx_print("agreement with the noise-free labels", np.mean(predicted == clean))


@prog("kmeans")
def _():
    k, n = 3, 300
    true_centres = np.array([[0.0, 0.0], [4.0, 1.0], [1.5, 3.5]])
    points = true_centres[ref_randint(0, k, [n], 3)] + (ref_rand([n, 2], 4) * 3.0 - 1.5)

    def squared_distances(centres):
        d = points[:, np.newaxis, :] - centres[np.newaxis, :, :]
        return np.sum(d * d, axis=2)

    centres = np.zeros((k, 2))
    centres[0] = points[0]
    for j in range(1, k):
        centres[j] = points[np.argmax(np.min(squared_distances(centres[:j]), axis=1))]
    labels = np.argmin(squared_distances(centres), axis=1)
    iterations = 1
    while True:
        for j in range(k):
            centres[j] = points[labels == j].mean(axis=0)
        new_labels = np.argmin(squared_distances(centres), axis=1)
        if np.array_equal(new_labels, labels):
            break
        labels = new_labels
        iterations += 1
    nx_print("converged after", iterations, "iterations")
    nx_print("centres found:")
    nx_print(centres)
    for j in range(k):
        nx_print("cluster", j, "has", np.int64(np.count_nonzero(labels == j)), "points")
    nx_print("sum of squared distances to the nearest centre:",
             np.sum(np.min(squared_distances(centres), axis=1)))


@prog("nbody")
def _():
    solar_mass = 4.0 * np.pi * np.pi
    days_per_year = 365.24
    position = np.array([
        [0.0, 0.0, 0.0],
        [4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01],
        [8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01],
        [1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01],
        [1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01]])
    velocity = np.array([
        [0.0, 0.0, 0.0],
        [1.66007664274403694e-03, 7.69901118419740425e-03, -6.90460016972063023e-05],
        [-2.76742510726862411e-03, 4.99852801234917238e-03, 2.30417297573763929e-05],
        [2.96460137564761618e-03, 2.37847173959480950e-03, -2.96589568540237556e-05],
        [2.68067772490389322e-03, 1.62824170038242295e-03, -9.51592254519715870e-05]]) * days_per_year
    mass = np.array([1.0, 9.54791938424326609e-04, 2.85885980666130812e-04,
                     4.36624404335156298e-05, 5.15138902046611451e-05]) * solar_mass
    velocity[0] = -np.sum(velocity * mass[:, np.newaxis], axis=0) / solar_mass

    def energy():
        # The textbook double loop over pairs, as the Benchmarks Game writes it.
        total = 0.0
        for i in range(len(mass)):
            total += 0.5 * mass[i] * np.dot(velocity[i], velocity[i])
            for j in range(i + 1, len(mass)):
                total -= mass[i] * mass[j] / np.linalg.norm(position[i] - position[j])
        return np.float64(total)

    nx_print("energy before:", energy())
    dt = 0.01
    for _ in range(1000):
        for i in range(len(mass)):
            for j in range(i + 1, len(mass)):
                offset = position[i] - position[j]
                squared = np.dot(offset, offset)
                magnitude = dt / (squared * np.sqrt(squared))
                velocity[i] -= offset * mass[j] * magnitude
                velocity[j] += offset * mass[i] * magnitude
        position += dt * velocity
    nx_print("energy after: ", energy())
    nx_print("distance of Jupiter from the Sun after 10 years:",
             np.linalg.norm(position[1] - position[0]), "AU")


@prog("monte_carlo_pi")
def _():
    n = 200_000
    points = ref_rand([n, 2], 2024)
    inside = np.int64(np.count_nonzero(points[:, 0] ** 2 + points[:, 1] ** 2 <= 1.0))
    estimate = 4.0 * inside / n
    p = np.pi / 4.0
    sigma = 4.0 * np.sqrt(p * (1.0 - p) / n)
    # The property the example demonstrates, whatever the seed: within 4 sigma of pi.
    assert abs(estimate - np.pi) < 4.0 * sigma
    nx_print(inside, "of", n, "points fell inside the quarter disc")
    nx_print("pi is about", estimate)
    nx_print("error", estimate - np.pi, "=", (estimate - np.pi) / sigma, "standard deviations")


@prog("blur")
def _():
    image = ARRAYS[IMAGE]
    nx_print("image of", image.shape[0], "x", image.shape[1], "pixels")
    blurred = image.copy()
    for _ in range(2):
        b = blurred
        blurred[1:-1, 1:-1] = (b[:-2, :-2] + b[:-2, 1:-1] + b[:-2, 2:]
                               + b[1:-1, :-2] + b[1:-1, 1:-1] + b[1:-1, 2:]
                               + b[2:, :-2] + b[2:, 1:-1] + b[2:, 2:]) / 9.0
    ARRAYS[BLURRED] = blurred.copy()
    nx_print("wrote blurred.npy")

    def noise(a):
        return np.std(a[2:14, 44:62])

    def sharpness(a):
        return np.mean(np.abs(a[:, 1:] - a[:, :-1]))

    nx_print("noise in a flat patch:", noise(image), "->", noise(blurred))
    nx_print("mean neighbour difference:", sharpness(image), "->", sharpness(blurred))
    nx_print("mean brightness:", np.mean(image), "->", np.mean(blurred))


@prog("gaussian")
def _():
    x = np.linspace(-4.0, 4.0, 1_000_000)
    pdf = np.exp(-0.5 * x * x) / np.sqrt(2.0 * np.pi)
    nx_print("integral of the density over [-4, 4]:", np.sum(pdf) * (x[1] - x[0]))
    scores = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]])
    e = np.exp(scores - scores.max(axis=-1, keepdims=True))
    nx_print("row sums of softmax:", (e / e.sum(axis=-1, keepdims=True)).sum(axis=1))


@prog("statistics")
def _():
    table = np.array([[1.0, 20.0, 300.0], [2.0, 22.0, 310.0], [3.0, 27.0, 290.0],
                      [4.0, 31.0, 305.0]])
    nx_print("mean:", table.mean(axis=0))
    nx_print("std: ", table.std(axis=0))
    nx_print("range:", table.max(axis=0) - table.min(axis=0))
    centered = table - table.mean(axis=0, keepdims=True)
    nx_print("centered column sums are zero:", np.all(np.abs(centered.sum(axis=0)) < 1e-12))


def main():
    check = "--check" in sys.argv[1:]
    ARRAYS[IMAGE] = make_image()
    problems = []
    examples = sorted(f[:-3] for f in os.listdir(os.path.join(ROOT, "examples"))
                      if f.endswith(".nx"))
    for name in examples:
        if name not in PROGRAMS:
            problems.append(f"examples/{name}.nx has no golden function")
            continue
        text = run_one(name)
        path = os.path.join(HERE, f"{name}.out")
        if check:
            if not os.path.exists(path) or open(path).read() != text:
                problems.append(f"{path} differs from golden")
        else:
            with open(path, "w") as fh:
                fh.write(text)
    for path, array in ARRAYS.items():
        if check:
            if not os.path.exists(path) or not np.array_equal(np.load(path), array):
                problems.append(f"{path} differs from golden")
        else:
            np.save(path, array)
    for message in problems:
        print(message, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
