#!/usr/bin/env bash
# Profiles nx on benchmark workloads with perf, to redo the analysis of the largest gaps in
# benches/gaps.md (shown in docs/BENCHMARKS.md).
#
#   benches/profile.sh                  W7 W6 W10c W8 W4
#   benches/profile.sh W7 W4            only these
#
# For each workload it runs the release nx on a copy of benches/nx/<program> with more timed
# repetitions (so that building the inputs is a small part of the profile), pinned to CPU 0,
# under `perf record --call-graph dwarf`, and writes into $NX_PROFILE_DIR (default
# /tmp/nx-profiles): <id>.perf.data, <id>.time.txt (`nx --time`: run time per kernel and
# source line), <id>.self.txt (functions by their own samples) and <id>.children.txt
# (functions with their callees). JIT-compiled kernels show as `nx_kernel_N` in `[JIT] tid`
# (under perf, which sets PERF_BUILDID_DIR, Cranelift's JIT writes /tmp/perf-PID.map); N
# counts compiles from 1 in the order the program first launches each kernel, which
# `nx --time` lists by source line.
#
# Environment: NX_PROFILE_DIR; NX_PROFILE_REPS, the timed repetitions (default 20);
# NX_PROFILE_MANDEL_SIZE, W11's grid side (default 200: where the time goes per element does
# not depend on the grid size); NX_THREADS (the profiles in benches/gaps.md use 1);
# CARGO_TARGET_DIR as for cargo.
# perf needs kernel.perf_event_paranoid <= 2.
set -euo pipefail
cd "$(dirname "$0")/.."

PERF=${PERF:-perf}
OUT=${NX_PROFILE_DIR:-/tmp/nx-profiles}
REPS=${NX_PROFILE_REPS:-20}
MANDEL_SIZE=${NX_PROFILE_MANDEL_SIZE:-200}
mkdir -p "$OUT"

cargo build --release --quiet
NX="${CARGO_TARGET_DIR:-$(pwd)/target}/release/nx"

program_of() {
    case "$1" in
        W1) echo w01_axpy.nx ;; W2) echo w02_horner.nx ;; W3) echo w03_hypot.nx ;;
        W4) echo w04_gauss.nx ;; W5) echo w05_dot.nx ;; W6) echo w06_meanvar.nx ;;
        W7) echo w07_softmax.nx ;; W8) echo w08_jacobi.nx ;;
        W9f64) echo w09_matmul_f64.nx ;; W9f32) echo w09_matmul_f32.nx ;;
        W10a) echo w10a_where_sum.nx ;; W10b) echo w10b_count.nx ;; W10c) echo w10c_mask.nx ;;
        W11) echo w11_mandelbrot.nx.in ;;
        *) echo "unknown workload $1" >&2; exit 2 ;;
    esac
}

workloads=("$@")
[ ${#workloads[@]} -gt 0 ] || workloads=(W7 W6 W10c W8 W4)
for id in "${workloads[@]}"; do
    source="benches/nx/$(program_of "$id")"
    program="$OUT/$id.nx"
    # The harness fills in W11's grid size the same way.
    sed -e "s/^let reps = [0-9]*/let reps = $REPS/" -e "s/SIZE/$MANDEL_SIZE/g" "$source" > "$program"
    echo "== $id: $source, $REPS repetitions" >&2
    taskset -c 0 "$NX" --time "$program" > "$OUT/$id.out" 2> "$OUT/$id.time.txt"
    taskset -c 0 "$PERF" record --quiet -F 499 --call-graph dwarf,8192 \
        -o "$OUT/$id.perf.data" -- "$NX" "$program" > "$OUT/$id.out"
    "$PERF" report --stdio --no-children --no-inline --percent-limit 1 --sort dso,symbol -g none \
        -i "$OUT/$id.perf.data" > "$OUT/$id.self.txt" 2>/dev/null
    "$PERF" report --stdio --children --no-inline --percent-limit 5 --sort symbol -g none \
        -i "$OUT/$id.perf.data" > "$OUT/$id.children.txt" 2>/dev/null
    grep -v '^#' "$OUT/$id.self.txt" | sed 's/[ -]*$//' | grep -v '^$' | head -15
done
echo "== profiles in $OUT" >&2
