#!/usr/bin/env bash
# Side-by-side benchmarks: nx against NumPy, numexpr, Numba, JAX and a C roofline, and nx's
# compile latency (benches/compile_latency.rs).
#
#   benches/compare.sh            full run (1 and 2 threads), writes docs/BENCHMARKS.md
#   benches/compare.sh --only W1,W5 --threads 1 --rounds 1    a quick partial run
#
# Any extra arguments go to benches/harness.py. Environment:
#   NX_BENCH_VENV   the Python venv of the peers (default: $HOME/.cache/nx-bench-venv)
#   NX_BENCH_PYTHON the Python that creates it (default: python3)
#   CARGO_TARGET_DIR where cargo builds nx (default: target/)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

# OpenBLAS settings some machines export for old OpenBLAS builds slow a current NumPy: unset
# them for this command only (never in tests or CI). threadpoolctl's report of the kernel
# NumPy then uses is recorded in docs/BENCHMARKS.md.
export NX_BENCH_OPENBLAS_WAS="OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE-(unset)} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE-(unset)}"
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE

echo "== building nx (release) and the compile-latency benchmark" >&2
cargo build --release --quiet
# The benchmark is built with the dev-dependencies' features, so its dependencies are built
# apart from the binary's (once; both stay cached).
cargo bench --quiet --no-run --bench compile_latency
NX="${CARGO_TARGET_DIR:-$ROOT/target}/release/nx"
[ -x "$NX" ] || { echo "nx binary not found at $NX" >&2; exit 1; }

VENV="${NX_BENCH_VENV:-$HOME/.cache/nx-bench-venv}"
if [ ! -x "$VENV/bin/python" ]; then
    echo "== creating the peers' venv in $VENV" >&2
    "${NX_BENCH_PYTHON:-python3}" -m venv "$VENV"
fi
PY="$VENV/bin/python"
# Install each peer on its own so that one that cannot be installed is reported as
# unavailable in the results instead of stopping the run.
while read -r req; do
    case "$req" in ''|\#*) continue ;; esac
    name=${req%%[=<>\[]*}
    if ! "$PY" -c "import importlib.metadata as m, sys; sys.exit(m.version('$name') != '${req##*==}')" 2>/dev/null; then
        echo "== installing $req" >&2
        "$PY" -m pip install --quiet "$req" || echo "!! could not install $req: reported as unavailable" >&2
    fi
done < benches/requirements.txt

echo "== compiling the C roofline and the scalar libm baseline" >&2
ROOF="$VENV/roofline"
gcc -O3 -march=native -fopenmp benches/roofline.c -o "$ROOF"
# One libm call per element: no loop vectorization (which could call libmvec instead).
LIBM="$VENV/libm_throughput"
gcc -O2 -fno-tree-vectorize benches/libm_throughput.c -o "$LIBM" -lm

# The run's time as reported counts from here: building is not part of it.
STARTED=$(date +%s)

# Compile latency (criterion, about 30 s): its medians go into the results through
# --criterion. A fresh CRITERION_HOME keeps an older run's numbers from being reported.
CRITERION_HOME=$(mktemp -d -t nx-criterion-XXXXXX)
export CRITERION_HOME
trap 'rm -rf "$CRITERION_HOME"' EXIT
echo "== compile latency: cargo bench --bench compile_latency" >&2
cargo bench --quiet --bench compile_latency >&2

mkdir -p benches/results
echo "== running the workloads (progress on stderr)" >&2
"$PY" benches/harness.py --nx "$NX" --roofline "$ROOF" --libm "$LIBM" \
    --out benches/results/latest.json \
    --started "$STARTED" --criterion "$CRITERION_HOME" "$@"
"$PY" benches/report.py benches/results/latest.json --md docs/BENCHMARKS.md --svg docs/benchmarks.svg
echo "== wrote docs/BENCHMARKS.md and docs/benchmarks.svg" >&2
