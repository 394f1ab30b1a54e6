"""Runs the nx side-by-side benchmarks and writes a JSON file of raw results.

Called by benches/compare.sh with the benchmark venv's Python; benches/report.py turns
the JSON into docs/BENCHMARKS.md and the chart. See docs/BENCHMARKS.md for the method.

    python benches/harness.py --nx target/release/nx --roofline /tmp/roofline \
        --out benches/results/latest.json [--threads 1,2] [--rounds 2]
        [--only W1,W5] [--mandel-size 1000] [--criterion DIR]
"""

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import functions

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PEERS = ["numpy", "numexpr", "numba", "jax"]
# The same nx program with fusion turned off, for the workloads marked nofuse=True.
NOFUSE = "nx-nofuse"
N = 10_000_000

# id, title, nx program, bytes moved per timed unit (compulsory traffic: each input read
# once, each output written once), flops per unit (W9), roofline kernel, rtol, peak RSS?,
# also run nx with --no-fuse (system "nx-nofuse") to show what fusion buys?
WORKLOADS = [
    dict(id="W1", title="a + 3.0*b", nx="w01_axpy.nx", bytes=24 * N, roof="triad", rtol=1e-10, rss=True,
         nofuse=True),
    dict(id="W2", title="Horner cubic", nx="w02_horner.nx", bytes=16 * N, roof="copy", rtol=1e-10, rss=True,
         nofuse=True),
    dict(id="W3", title="sqrt(x*x + y*y)", nx="w03_hypot.nx", bytes=24 * N, roof="triad", rtol=1e-10,
         rss=True, nofuse=True),
    dict(id="W4", title="exp(-0.5*x*x) * c", nx="w04_gauss.nx", bytes=16 * N, roof="copy", rtol=1e-10,
         rss=True, nofuse=True),
    dict(id="W5", title="sum(a*b)", nx="w05_dot.nx", bytes=16 * N, roof="dot", rtol=1e-10, nofuse=True),
    dict(id="W6", title="mean, var along axis 1 (2000x5000)", nx="w06_meanvar.nx", bytes=8 * N,
         roof="sum", rtol=1e-10, nofuse=True),
    dict(id="W7", title="row softmax (4096x1024 f32)", nx="w07_softmax.nx", bytes=8 * 4096 * 1024,
         roof="copy", rtol=1e-4, nofuse=True),
    dict(id="W8", title="Jacobi sweep (2048x2048), per sweep", nx="w08_jacobi.nx",
         bytes=16 * 2048 * 2048, roof="copy", rtol=1e-10, nofuse=True),
    dict(id="W9f64", title="matmul 2048x2048 f64", nx="w09_matmul_f64.nx", flops=2 * 2048 ** 3,
         roof=None, rtol=1e-10),
    dict(id="W9f32", title="matmul 2048x2048 f32", nx="w09_matmul_f32.nx", flops=2 * 2048 ** 3,
         roof=None, rtol=1e-4),
    dict(id="W10a", title="sum(where(x > 0.5, x, 0.0))", nx="w10a_where_sum.nx", bytes=8 * N,
         roof="sum", rtol=1e-10, nofuse=True),
    dict(id="W10b", title="count_nonzero(x > 0.5)", nx="w10b_count.nx", bytes=8 * N, roof="sum",
         rtol=0.0, nofuse=True),
    dict(id="W10c", title="x[x > 0.5]", nx="w10c_mask.nx", bytes=12 * N, roof="copy", rtol=1e-10,
         nofuse=True),
    dict(id="W11", title="Mandelbrot, 100 iterations", nx="w11_mandelbrot.nx.in", bytes=None,
         roof=None, rtol=1e-3),
]

# The criterion benchmarks of benches/compile_latency.rs, by id: what each measures.
COMPILE_LATENCY = [
    ("compile/gauss_kernel", "W4's fused kernel `exp(-0.5 * x * x) * 0.3989…` on an f64 array: "
     "parse + check + compile (1 kernel)"),
    ("compile/script_200", "benches/compile_latency.nx (a 200-line script): parse + check + "
     "compile of all its kernels"),
    ("compile/script_200_check_only", "the same script: parse + check only"),
]


def parse_output(text):
    """time/compile/check/unavailable lines of an nx program or of peers.py."""
    out = dict(times=[], compile=None, check=None, unavailable=None)
    for line in text.splitlines():
        parts = line.split()
        if not parts:
            continue
        if parts[0] == "time" and len(parts) == 2:
            out["times"].append(float(parts[1]))
        elif parts[0] == "compile" and len(parts) == 2:
            out["compile"] = float(parts[1])
        elif parts[0] == "check":
            out["check"] = [float(v) for v in parts[1:]]
        elif parts[0] == "unavailable":
            out["unavailable"] = line[len("unavailable "):]
    return out


def parse_nx_timings(stderr):
    """Phase and kernel-compile times (seconds) from `nx --time` on stderr."""
    t = dict(parse=0.0, check=0.0, run=0.0, jit=0.0, kernels=0)
    for line in stderr.splitlines():
        m = re.match(r"\s*(parse|check|run)\s+([\d.]+) ms", line)
        if m:
            t[m.group(1)] = float(m.group(2)) / 1e3
        m = re.search(r"compile\s+([\d.]+) ms", line)
        if m:
            t["jit"] += float(m.group(1)) / 1e3
            t["kernels"] += 1
    return t


def run_proc(cmd, env, threads, timeout):
    """Runs cmd pinned to `threads` CPUs; returns (rc, stdout, stderr, peak RSS KiB, wall s)."""
    if threads == 1 and shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=fo, stderr=fe, env=env, cwd=REPO)
        deadline = t0 + timeout
        rc = None
        rusage = None
        while True:
            pid, status, rusage = os.wait4(p.pid, os.WNOHANG)
            if pid == p.pid:
                rc = os.waitstatus_to_exitcode(status)
                break
            if time.perf_counter() > deadline:
                p.kill()
                _, status, rusage = os.wait4(p.pid, 0)
                rc = "timeout"
                break
            time.sleep(0.005)
        wall = time.perf_counter() - t0
        p.returncode = rc if isinstance(rc, int) else -9  # reaped by wait4
        fo.seek(0)
        fe.seek(0)
        return rc, fo.read().decode(errors="replace"), fe.read().decode(errors="replace"), \
            rusage.ru_maxrss, wall


def thread_env(threads):
    env = dict(os.environ)
    for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        env.pop(k, None)
    t = str(threads)
    env.update(OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t,
               NUMEXPR_NUM_THREADS=t, NUMEXPR_MAX_THREADS=t, NUMBA_NUM_THREADS=t,
               NX_THREADS=t, PYTHONHASHSEED="0")
    if threads == 1:
        env["XLA_FLAGS"] = "--xla_cpu_multi_thread_eigen=false intra_op_parallelism_threads=1"
    else:
        env["XLA_FLAGS"] = f"--xla_cpu_multi_thread_eigen=true intra_op_parallelism_threads={t}"
    env["JAX_PLATFORMS"] = "cpu"
    return env


def compile_latency(criterion_dir):
    """Median and 95% interval (seconds) of each compile-latency benchmark from criterion's
    estimates.json files; None where criterion did not run."""
    out = {}
    for bench_id, what in COMPILE_LATENCY:
        path = os.path.join(criterion_dir, bench_id, "new", "estimates.json")
        try:
            median = json.load(open(path))["median"]
        except (OSError, KeyError, ValueError):
            out[bench_id] = dict(what=what, median_s=None)
            continue
        interval = median["confidence_interval"]
        out[bench_id] = dict(what=what, median_s=median["point_estimate"] / 1e9,
                             lower_s=interval["lower_bound"] / 1e9,
                             upper_s=interval["upper_bound"] / 1e9)
    return out


def nx_reps(w):
    """The repetition count fixed in the .nx program; the peers are given the same."""
    m = re.search(r"^let reps = (\d+)", open(os.path.join(HERE, "nx", w["nx"])).read(), re.M)
    return int(m.group(1)) if m else 5


def nx_program(w, mandel_size, tmpdir):
    path = os.path.join(HERE, "nx", w["nx"])
    if path.endswith(".in"):
        text = open(path).read().replace("SIZE", str(mandel_size))
        path = os.path.join(tmpdir, os.path.basename(path)[:-3])
        with open(path, "w") as f:
            f.write(text)
    return path


def roofline(binary, threads, env):
    rc, out, err, _, _ = run_proc([binary, str(N), "20"], env, threads, 300)
    res = {}
    for line in out.splitlines():
        p = line.split()
        if len(p) == 6:
            res[p[0]] = dict(bpe=float(p[1]), median_s=float(p[2]), gbs=float(p[3]),
                             best_gbs=float(p[4]))
    return res


def environment(args):
    def sh(cmd):
        try:
            return subprocess.run(cmd, shell=True, capture_output=True, text=True,
                                  cwd=REPO).stdout.strip()
        except Exception:
            return ""
    cpu = sh("lscpu | sed -n 's/^Model name: *//p'")
    info = dict(
        cpu=cpu, cores=os.cpu_count(), kernel=platform.release(),
        memory=sh("free -g | awk '/Mem:/{print $2\" GiB\"}'"),
        l2=sh("lscpu | sed -n 's/^L2 cache: *//p'"), l3=sh("lscpu | sed -n 's/^L3 cache: *//p'"),
        hypervisor=sh("lscpu | sed -n 's/^Hypervisor vendor: *//p'"),
        python=platform.python_version(), gcc=sh("gcc --version | head -1"),
        rustc=sh("rustc --version"), nx_version=sh(f"{args.nx} --version"),
        nx_commit=sh("git rev-parse --short HEAD"),
        date=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        openblas_env_at_start=os.environ.get(
            "NX_BENCH_OPENBLAS_WAS",
            " ".join(f"{k}={os.environ.get(k, '(unset)')}" for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"))),
    )
    versions = {}
    for mod in ("numpy", "numexpr", "numba", "llvmlite", "jax", "jaxlib", "threadpoolctl"):
        try:
            m = __import__(mod)
            versions[mod] = getattr(m, "__version__", "?")
        except Exception as e:  # reported, not fatal
            versions[mod] = f"unavailable ({type(e).__name__})"
    info["versions"] = versions
    blas = {}
    for t in args.threads:
        code = ("import json, numpy, threadpoolctl; "
                "print(json.dumps(threadpoolctl.threadpool_info()))")
        rc, out, err, _, _ = run_proc([sys.executable, "-c", code], thread_env(t), t, 120)
        try:
            blas[str(t)] = json.loads(out)
        except Exception:
            blas[str(t)] = f"threadpoolctl failed: {err.strip()[-200:]}"
    info["threadpoolctl"] = blas
    return info


def parse_function_times(text):
    """{(name, dtype): [seconds...]} from `fn NAME DTYPE SECONDS` lines."""
    times = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "fn":
            times.setdefault((parts[1], parts[2]), []).append(float(parts[3]))
    return times


def function_throughput(args, tmpdir):
    """Median elements per second of every math function and dtype: nx at each thread count,
    NumPy (its ufuncs use one thread) and the scalar libm loop, alternating `rounds` times."""
    reps = 5
    program = os.path.join(tmpdir, "functions.nx")
    with open(program, "w") as f:
        f.write(functions.nx_source(reps))
    commands = {f"nx{t}": ([args.nx, "--threads", str(t), program], t) for t in args.threads}
    commands["numpy"] = ([sys.executable, os.path.join(HERE, "functions.py"), "--reps",
                          str(reps)], 1)
    if args.libm:
        commands["libm"] = ([args.libm, str(reps)], 1)
    samples = {name: {} for name in commands}
    for rnd in range(args.rounds):
        for name, (cmd, t) in commands.items():
            rc, out, err, rss, wall = run_proc(cmd, thread_env(t), t, args.timeout)
            print(f"F round {rnd} {name}: exit {rc}, wall {wall:.1f}s", file=sys.stderr)
            if rc != 0:
                continue
            for key, times in parse_function_times(out).items():
                samples[name].setdefault(key, []).extend(times)
    rows = []
    for fname, _, _, _ in functions.FUNCTIONS:
        for dtype in functions.DTYPES:
            row = dict(function=fname, dtype=dtype)
            for name, by_key in samples.items():
                times = by_key.get((fname, dtype))
                row[name] = functions.N / statistics.median(times) if times else None
            rows.append(row)
    return dict(n=functions.N, reps=reps, threads=args.threads, rows=rows)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--nx", required=True)
    ap.add_argument("--roofline", required=True)
    ap.add_argument("--libm", default="",
                    help="benches/libm_throughput.c, compiled: the math-function baseline")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--rounds", type=int, default=2,
                    help="alternation rounds: nx, nx --no-fuse, numpy, numexpr, numba, jax, "
                         "then again")
    ap.add_argument("--only", default="")
    ap.add_argument("--mandel-size", type=int, default=1000,
                    help="W11 grid side for every system (1000, as issue 3 asks)")
    ap.add_argument("--startup-runs", type=int, default=9)
    ap.add_argument("--timeout", type=float, default=240,
                    help="seconds per process (a workload may set a lower limit)")
    ap.add_argument("--started", type=float, default=None,
                    help="when the whole command started (Unix seconds), for its total time")
    ap.add_argument("--criterion", default="",
                    help="criterion's output directory of benches/compile_latency.rs, if it ran")
    args = ap.parse_args()
    args.threads = [int(t) for t in args.threads.split(",")]
    only = set(args.only.split(",")) if args.only else None

    t_start = time.perf_counter()
    results = dict(environment=environment(args), threads=args.threads, rounds=args.rounds,
                   reps=5, mandel_size=args.mandel_size, timeout=args.timeout, roofline={},
                   workloads=[])
    print("environment recorded", file=sys.stderr)

    for t in args.threads:
        results["roofline"][str(t)] = roofline(args.roofline, t, thread_env(t))
        print(f"roofline {t} thread(s): {results['roofline'][str(t)]}", file=sys.stderr)

    tmpdir = tempfile.mkdtemp(prefix="nx-bench-")
    for w in WORKLOADS:
        if only and w["id"] not in only:
            continue
        entry = dict(w, runs={}, reps=nx_reps(w))
        timeout = min(args.timeout, w.get("timeout", args.timeout))
        for t in args.threads:
            env = thread_env(t)
            systems = ["nx"] + ([NOFUSE] if w.get("nofuse") else []) + PEERS
            per = {s: dict(times=[], compile=[], check=None, rss_kib=[], status="ok", note="")
                   for s in systems}
            for rnd in range(args.rounds):
                for system in systems:
                    r = per[system]
                    if r["status"] not in ("ok",):
                        continue  # unavailable or failed in an earlier round: not retried
                    if system in ("nx", NOFUSE):
                        cmd = [args.nx, "--time", "--threads", str(t)] + \
                            (["--no-fuse"] if system == NOFUSE else []) + \
                            [nx_program(w, args.mandel_size, tmpdir)]
                    else:
                        cmd = [sys.executable, os.path.join(HERE, "peers.py"), w["id"], system,
                               "--reps", str(nx_reps(w)), "--mandel-size", str(args.mandel_size)]
                    rc, out, err, rss, wall = run_proc(cmd, env, t, timeout)
                    parsed = parse_output(out)
                    if parsed["unavailable"]:
                        r["status"], r["note"] = "n/a", parsed["unavailable"]
                    elif rc == "timeout":
                        r["status"], r["note"] = "timed out", f"stopped after {timeout:.0f} s"
                    elif rc != 0 or not parsed["times"]:
                        r["status"] = "not yet" if system in ("nx", NOFUSE) else "error"
                        msg = (err.strip().splitlines() or [f"exit {rc}"])
                        first_err = next((l for l in msg if "error" in l.lower()), msg[0])
                        r["note"] = first_err.strip()[:160]
                    else:
                        r["times"] += parsed["times"]
                        if parsed["compile"] is not None:
                            r["compile"].append(parsed["compile"])
                        r["check"] = parsed["check"]
                        r.setdefault("wall", []).append(wall)
                        if system in ("nx", NOFUSE):
                            r.setdefault("nx_timings", []).append(parse_nx_timings(err))
                        r["rss_kib"].append(rss)
                    print(f"{w['id']} t={t} round {rnd} {system}: {r['status']} "
                          f"{len(parsed['times'])} times, wall {wall:.1f}s {r['note'][:80]}",
                          file=sys.stderr)
            ref = per["numpy"]["check"]
            for system, r in per.items():
                if r["times"]:
                    r["median"] = statistics.median(r["times"])
                if r["check"] is not None and ref is not None and system != "numpy":
                    r["correct"] = all(
                        abs(a - b) <= w["rtol"] * max(abs(b), 1e-300) + 1e-12
                        for a, b in zip(r["check"], ref)) and len(r["check"]) == len(ref)
                r["peak_rss_mib"] = max(r["rss_kib"]) / 1024 if r["rss_kib"] else None
            entry["runs"][str(t)] = per
        results["workloads"].append(entry)

    # F: math-function throughput (nx at each thread count, NumPy, scalar libm), unless
    # --only leaves it out.
    if not only or "F" in only:
        results["functions"] = function_throughput(args, tmpdir)
        results["functions"].update(commit=results["environment"]["nx_commit"],
                                    date=results["environment"]["date"])

    # W12: start-up, whole process, alternating nx and python+numpy.
    if not only or "W12" in only:
        env = thread_env(1)
        nx_cmd = [args.nx, os.path.join(HERE, "nx", "w12_startup.nx")]
        py_cmd = [sys.executable, "-c",
                  "import numpy as np; x = np.arange(1000) * 0.5; print(float(x.sum()))"]
        st = {"nx": [], "numpy": []}
        outs = {}
        for i in range(args.startup_runs + 1):
            for name, cmd in (("nx", nx_cmd), ("numpy", py_cmd)):
                rc, out, err, rss, wall = run_proc(cmd, env, 1, 60)
                outs[name] = out.strip()
                if i > 0 and rc == 0:
                    st[name].append(wall)
        results["startup"] = dict(
            nx=statistics.median(st["nx"]) if st["nx"] else None,
            numpy=statistics.median(st["numpy"]) if st["numpy"] else None,
            nx_output=outs.get("nx"), numpy_output=outs.get("numpy"),
            correct=outs.get("nx") == outs.get("numpy"), runs=args.startup_runs)

    if args.criterion:
        results["compile_latency"] = compile_latency(args.criterion)

    # The whole command's time when compare.sh says when it started (build, venv, compile
    # latency benchmark included), else this script's.
    results["total_seconds"] = (time.time() - args.started if args.started is not None
                                else time.perf_counter() - t_start)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(results, f, indent=1)
    print(f"wrote {args.out} in {results['total_seconds']:.0f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
