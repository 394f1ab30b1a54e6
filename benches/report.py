"""Turns benches/results/latest.json (from benches/harness.py) into docs/BENCHMARKS.md and
an SVG chart. Needs only the standard library: the chart is written as SVG by hand.

    python benches/report.py benches/results/latest.json --md docs/BENCHMARKS.md --svg docs/benchmarks.svg
"""

import argparse
import html
import json
import math
import os

SYSTEMS = ["nx", "numpy", "numexpr", "numba", "jax"]
# nx with --no-fuse: only for the workloads the harness runs it on (absent from older results).
NOFUSE = "nx-nofuse"
COLORS = {"nx": "#d62728", NOFUSE: "#f4a6a6", "numpy": "#1f77b4", "numexpr": "#2ca02c",
          "numba": "#9467bd", "jax": "#ff7f0e", "roofline": "#555555"}


def fmt_time(s):
    if s is None:
        return "—"
    if s >= 1:
        return f"{s:.2f} s"
    if s >= 1e-3:
        return f"{s * 1e3:.1f} ms"
    return f"{s * 1e6:.0f} µs"


def roof_time(res, w, t):
    if not w.get("roof") or not w.get("bytes"):
        return None
    k = res["roofline"].get(str(t), {}).get(w["roof"])
    if not k:
        return None
    return w["bytes"] / (k["best_gbs"] * 1e9)


def rate(w, s):
    if s is None:
        return ""
    if w.get("flops"):
        return f"{w['flops'] / s / 1e9:.1f} GFLOP/s"
    if w.get("bytes"):
        return f"{w['bytes'] / s / 1e9:.1f} GB/s"
    return ""


def cell(w, r):
    st = r["status"]
    if st != "ok" or "median" not in r:
        return st if st != "ok" else "—"
    txt = fmt_time(r["median"])
    rt = rate(w, r["median"])
    if rt:
        txt += f" ({rt})"
    if r.get("correct") is False:
        txt += " **WRONG**"
    return txt


def median_ok(r):
    """The median of a run that went well, else None."""
    return r.get("median") if r and r["status"] == "ok" else None


def nofuse_cell(w, runs):
    r = runs.get(NOFUSE)
    return cell(w, r) if r else "—"


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}"


def best_peer(runs):
    best = None
    for s in SYSTEMS[1:]:
        r = runs.get(s, {})
        if r.get("median") is not None and r.get("correct", True) is not False:
            if best is None or r["median"] < best[1]:
                best = (s, r["median"])
    return best


def thread_table(res, t):
    lines = [
        f"| id | workload | roofline (C) | nx | nx --no-fuse | NumPy | numexpr | Numba | JAX | nx/NumPy | "
        "nx/best peer | nx/roofline | fused/unfused |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w in res["workloads"]:
        runs = w["runs"].get(str(t))
        if not runs:
            continue
        rt = roof_time(res, w, t)
        nxm = runs["nx"].get("median") if runs["nx"]["status"] == "ok" else None
        npm = runs["numpy"].get("median")
        bp = best_peer(runs)
        title = w["title"]
        if w["id"] == "W11":
            title += f" ({res['mandel_size']}×{res['mandel_size']})"
        row = [w["id"], title, fmt_time(rt) + (f" ({rate(w, rt)})" if rt else "")]
        row += [cell(w, runs["nx"]), nofuse_cell(w, runs)]
        row += [cell(w, runs[s]) for s in SYSTEMS[1:]]
        row += [ratio(nxm, npm),
                ratio(nxm, bp[1]) + (f" ({bp[0]})" if bp and nxm else ""),
                ratio(nxm, rt),
                ratio(nxm, median_ok(runs.get(NOFUSE)))]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def notes_table(res):
    rows = []
    for w in res["workloads"]:
        for t, runs in w["runs"].items():
            for s in [s for s in [SYSTEMS[0], NOFUSE] + SYSTEMS[1:] if s in runs]:
                r = runs[s]
                if r["status"] != "ok" and r.get("note"):
                    rows.append(f"| {w['id']} | {t} | {s} | {r['status']} | {html.escape(r['note'])} |")
    if not rows:
        return ""
    # one line per (workload, system, status, note), thread counts merged
    seen = {}
    for row in rows:
        parts = row.split(" | ")
        key = (parts[0], parts[2], parts[3], parts[4])
        seen.setdefault(key, []).append(parts[1])
    out = ["| id | threads | system | status | reason |", "|---|---|---|---|---|"]
    for (wid, s, st, note), ts in seen.items():
        out.append(f"{wid} | {','.join(ts)} | {s} | {st} | {note}")
    return "\n".join(out)


def check_table(res):
    out = ["| id | tolerance (rel.) | threads | nx | nx --no-fuse | numexpr | Numba | JAX |",
           "|---|---|---|---|---|---|---|---|"]
    for w in res["workloads"]:
        for t, runs in w["runs"].items():
            marks = []
            for s in ["nx", NOFUSE, "numexpr", "numba", "jax"]:
                c = runs.get(s, {}).get("correct")
                marks.append("ok" if c else ("**MISMATCH**" if c is False else "—"))
            out.append(f"| {w['id']} | {w['rtol']:g} | {t} | " + " | ".join(marks) + " |")
    return "\n".join(out)


def compile_table(res):
    out = ["| id | threads | nx parse+check | nx kernel compile (kernels) | nx compile share of process | Numba compile | JAX compile |",
           "|---|---|---|---|---|---|---|"]
    for w in res["workloads"]:
        for t, runs in w["runs"].items():
            nxr = runs["nx"]
            tim = nxr.get("nx_timings") or []
            if tim:
                mid = sorted(tim, key=lambda x: x["jit"])[len(tim) // 2]
                front = mid["parse"] + mid["check"]
                wall = sorted(nxr.get("wall") or [0])[len(nxr.get("wall") or [0]) // 2]
                share = f"{(front + mid['jit']) / wall * 100:.1f} %" if wall else "—"
                c = [fmt_time(front), f"{fmt_time(mid['jit'])} ({mid['kernels']})", share]
            else:
                c = ["—", "—", "—"]
            for s in ["numba", "jax"]:
                v = runs[s].get("compile") or []
                c.append(fmt_time(sorted(v)[len(v) // 2]) if v else "—")
            if c != ["—"] * 5:
                out.append(f"| {w['id']} | {t} | " + " | ".join(c) + " |")
    return "\n".join(out)


def rss_table(res):
    out = ["| id | threads | nx peak RSS | nx --no-fuse peak RSS | NumPy peak RSS |",
           "|---|---|---|---|---|"]
    mib = lambda v: f"{v:.0f} MiB" if v else "—"
    for w in res["workloads"]:
        if not w.get("rss"):
            continue
        for t, runs in w["runs"].items():
            a = runs["nx"].get("peak_rss_mib")
            u = runs.get(NOFUSE, {}).get("peak_rss_mib")
            b = runs["numpy"].get("peak_rss_mib")
            out.append(f"| {w['id']} | {t} | {mib(a)} | {mib(u)} | {mib(b)} |")
    return "\n".join(out)


def svg_chart(res, t):
    """Grouped horizontal bars: time relative to NumPy (log scale), one group per workload."""
    groups = []
    for w in res["workloads"]:
        runs = w["runs"].get(str(t))
        if not runs:
            continue
        npm = runs["numpy"].get("median")
        if not npm:
            continue
        bars = []
        rt = roof_time(res, w, t)
        if rt:
            bars.append(("roofline", rt / npm, ""))
        for s in [s for s in [SYSTEMS[0], NOFUSE] + SYSTEMS[1:] if s in runs]:
            r = runs[s]
            if r.get("median") is not None and r["status"] == "ok":
                bad = r.get("correct") is False
                bars.append((s, r["median"] / npm, " wrong" if bad else ""))
            else:
                bars.append((s, None, r["status"]))
        groups.append((w["id"], bars))
    bar_h, gap, left, width = 11, 14, 70, 560
    lo, hi = -2, 3  # log10 range of the ratio
    height = sum(len(b) * bar_h + gap for _, b in groups) + 90
    x_of = lambda v: left + (math.log10(v) - lo) / (hi - lo) * width
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{left + width + 150}" height="{height}" '
           f'font-family="sans-serif" font-size="11">',
           f'<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{left}" y="18" font-size="13" font-weight="bold">Time relative to NumPy, '
           f'{t} thread{"s" if t > 1 else ""} (log scale; left is faster; nx runs single-threaded)</text>']
    top = 40
    for e in range(lo, hi + 1):
        x = x_of(10 ** e)
        out.append(f'<line x1="{x:.1f}" y1="{top - 6}" x2="{x:.1f}" y2="{height - 40}" '
                   f'stroke="{"#000" if e == 0 else "#ddd"}"/>')
        out.append(f'<text x="{x:.1f}" y="{height - 26}" text-anchor="middle">{10.0 ** e:g}×</text>')
    y = top
    for wid, bars in groups:
        out.append(f'<text x="{left - 8}" y="{y + len(bars) * bar_h / 2 + 4:.1f}" text-anchor="end" '
                   f'font-weight="bold">{wid}</text>')
        for s, v, note in bars:
            if v is None:
                out.append(f'<text x="{left + 4}" y="{y + bar_h - 2}" fill="#999">{s}: {html.escape(note)}</text>')
            else:
                v = min(max(v, 10 ** lo), 10 ** hi)
                x0, x1 = x_of(10 ** lo), x_of(v)
                out.append(f'<rect x="{x0:.1f}" y="{y + 1}" width="{x1 - x0:.1f}" height="{bar_h - 2}" '
                           f'fill="{COLORS[s]}"/>')
                out.append(f'<text x="{x1 + 3:.1f}" y="{y + bar_h - 2}">{s} {v:.2f}{note}</text>')
            y += bar_h
        y += gap
    lx = left + width + 20
    for i, s in enumerate(["roofline", SYSTEMS[0], NOFUSE] + SYSTEMS[1:]):
        out.append(f'<rect x="{lx}" y="{40 + i * 16}" width="10" height="10" fill="{COLORS[s]}"/>')
        out.append(f'<text x="{lx + 14}" y="{49 + i * 16}">{s}</text>')
    out.append("</svg>")
    return "\n".join(out)


def reps_exceptions(res):
    """Workloads whose programs time another number of repetitions, as text."""
    other = [f"{w['id']}: {w['reps']}" for w in res["workloads"]
             if w.get("reps", res["reps"]) != res["reps"]]
    return f" ({', '.join(other)})" if other else ""


def timeouts(res):
    limits = [f"{w['id']}: {w['timeout']:.0f} s" for w in res["workloads"] if w.get("timeout")]
    general = res.get("timeout")
    text = f"{general:.0f} s" if general else "per process"
    return text + (f"; {', '.join(limits)}" if limits else "")


def compile_latency_section(res):
    """The criterion medians of benches/compile_latency.rs, when compare.sh ran it."""
    lat = res.get("compile_latency")
    if not lat:
        return ["Not measured in this run: `cargo bench --bench compile_latency` did not "
                "report (see `benches/compare.sh`).", ""]
    out = ["`benches/compile_latency.rs` (criterion; every iteration in a fresh session, so the "
           "kernel cache never answers): the time from source text to compiled kernels. Median "
           "with criterion's 95 % interval.", "",
           "| benchmark | what | median | 95 % interval |", "|---|---|---|---|"]
    for bench_id, r in lat.items():
        if r.get("median_s") is None:
            out.append(f"| `{bench_id}` | {r['what']} | — | did not run |")
        else:
            out.append(f"| `{bench_id}` | {r['what']} | {fmt_time(r['median_s'])} | "
                       f"{fmt_time(r['lower_s'])} – {fmt_time(r['upper_s'])} |")
    return out + [""]


def gaps_section(path):
    """The hand-written analysis of the largest gaps (benches/gaps.md), which survives
    regeneration: its title becomes a section of this page, its sections subsections."""
    if not os.path.exists(path):
        return []
    lines = open(path).read().rstrip("\n").splitlines()
    return ["#" + line if line.startswith("#") else line for line in lines] + [""]


def machine(res):
    e = res["environment"]
    lines = [
        f"- CPU: {e['cpu']}, {e['cores']} cores ({e.get('hypervisor') or 'bare metal'} VM), "
        f"L2 {e['l2']}, L3 {e['l3']} (as lscpu reports it inside the VM), memory {e['memory']}",
        f"- Linux {e['kernel']}; {e['gcc']}; {e['rustc']}; Python {e['python']}",
        f"- nx: {e['nx_version']} at commit {e['nx_commit']}; run on {e['date']}",
        "- peers: " + ", ".join(f"{k} {v}" for k, v in e["versions"].items()),
        f"- In the calling environment: `{e['openblas_env_at_start']}`; both are unset for the "
        "whole run (in `benches/compare.sh` only, never in tests or CI).",
    ]
    for t, info in e["threadpoolctl"].items():
        if isinstance(info, list):
            desc = "; ".join(f"{p.get('internal_api')} {p.get('version')} kernel "
                             f"{p.get('architecture')}, {p.get('num_threads')} thread(s)"
                             for p in info) or "no BLAS found"
        else:
            desc = str(info)
        lines.append(f"- threadpoolctl with {t} thread(s) requested: {desc}")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--md", required=True)
    ap.add_argument("--svg", required=True)
    ap.add_argument("--gaps", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "gaps.md"),
                    help="hand-written analysis of the largest gaps, included as it is")
    args = ap.parse_args()
    res = json.load(open(args.json))

    svg_paths = []
    for t in res["threads"]:
        path = args.svg if t == res["threads"][0] else args.svg.replace(".svg", f"-{t}t.svg")
        with open(path, "w") as f:
            f.write(svg_chart(res, t))
        svg_paths.append((t, os.path.relpath(path, os.path.dirname(os.path.abspath(args.md)))))

    md = [
        "# Benchmarks: nx side by side with NumPy, numexpr, Numba, JAX and the memory roofline",
        "",
        "Generated by `benches/compare.sh` (do not edit by hand: rerun it). "
        f"The last run took {res['total_seconds'] / 60:.1f} minutes (not counting building nx).",
        "",
        "## How to run",
        "",
        "```sh",
        "benches/compare.sh                                   # everything, 1 and 2 threads",
        "benches/compare.sh --only W1,W5 --threads 1 --rounds 1   # a quick partial run",
        "```",
        "",
        "It builds nx in release mode, creates a venv outside the repository "
        "(`$HOME/.cache/nx-bench-venv`, override with `NX_BENCH_VENV`) with the pinned peers of "
        "`benches/requirements.txt` (a peer that cannot be installed is reported as unavailable), "
        "compiles `benches/roofline.c` with `gcc -O3 -march=native -fopenmp`, runs the "
        "compile-latency benchmark (`cargo bench --bench compile_latency`), "
        "`benches/harness.py` (raw results in `benches/results/latest.json`) and "
        "`benches/report.py` (this file and the charts). `benches/profile.sh` redoes the "
        "profiles of the gap analysis below.",
        "",
        "## Machine",
        "",
        machine(res),
        "",
        "## Method",
        "",
        f"- Each workload is a program per system: `benches/nx/*.nx` for nx, `benches/peers.py` for "
        "the peers. Each process builds its inputs, runs the workload once as a warm-up (for nx, "
        "Numba and JAX this includes compilation), then times repetitions: nx with `clock()` "
        "(a barrier, spec §11), the peers with `time.perf_counter()`.",
        f"- Alternation: for each workload and thread count the harness runs nx, nx --no-fuse "
        f"(where shown), NumPy, numexpr, Numba, JAX one after the other, {res['rounds']} "
        f"round(s), each process timing "
        f"{res['reps']} repetitions{reps_exceptions(res)}; the table shows the median of the "
        f"samples of all rounds. A process that exceeds its time limit "
        f"({timeouts(res)}) is stopped and shown as `timed out`.",
        "- Inputs: the inputs come from integer formulas, identical bit for bit in every system "
        "(nx's `rand` draws from Philox4x32-10, which the peers do not offer): `a = ((i*7919) % 10007) / 10007.0`, "
        "`b = ((i*104729) % 10009) / 10009.0` over `i = arange(n)` (a scrambled, "
        "branch-unpredictable sequence in [0, 1)), rescaled per workload (W3: [-1, 1), "
        "W4: [-4, 4), W7: ×10 as f32). N = 10^7 f64 unless the workload says otherwise.",
        "- Threads: at 1 thread every process is pinned to one CPU with `taskset -c 0`; at both "
        "counts the harness sets `OMP_NUM_THREADS`, `OPENBLAS_NUM_THREADS`, `NUMEXPR_NUM_THREADS`, "
        "`NUMBA_NUM_THREADS`, `NX_THREADS` and `XLA_FLAGS` (`--xla_cpu_multi_thread_eigen`, "
        "`intra_op_parallelism_threads`). nx splits launches of at least 2^16 points over its "
        "worker threads (outermost axis, or aligned blocks of a 1-D reduction) and float "
        "matrix products over gemm's; reductions over several axes of a whole array and "
        "`x[mask]` still run on one thread.",
        "- JIT peers: Numba functions are compiled explicitly (`dispatcher.compile(signature)`) "
        "and JAX functions with `jit(f).lower(*args).compile()`, both timed and reported "
        "separately below; JAX results are waited for with `block_until_ready`. nx compiles "
        "its kernels in the warm-up run; nx runs with `--time` so that its parse, check and "
        "kernel compile times are reported too.",
        "- Rates: GB/s counts compulsory traffic only (each input read once, each output "
        "written once; W8 per sweep: one read and one write of the grid), GFLOP/s counts 2n³ "
        "for matmul. The roofline time is those bytes at the bandwidth the C program "
        "(`benches/roofline.c`, STREAM-style; as STREAM reports, the best of 20 runs) reaches with the same thread count "
        "for the matching access pattern: triad (2 reads, 1 write) for W1 and W3, copy "
        "(1 read, 1 write) for W2, W4, W7, W8, W10c, dot (2 reads) for W5 and sum (1 read) for "
        "W6, W10a, W10b. nx/roofline = nx time / roofline time (1.0 would be at the memory "
        "limit; compute-heavier kernels such as W4 may not reach it at all).",
        "- Fusion: `nx --no-fuse` runs the same nx program with fusion turned off (every "
        "elementwise operation and reduction is its own kernel and writes its result to memory; "
        "the code generator is otherwise the same), for W1–W8 and W10. fused/unfused = nx time "
        "/ nx --no-fuse time: below 1.0 is what fusion saves. `tests/ir/bench_*.ir` pins the "
        "kernels of both for each of these workloads.",
        "- Checks: every system prints check values (sums and sample elements of its result); "
        "each is compared with NumPy's from the same run within the relative tolerance shown. "
        "A mismatch is marked **WRONG** in the table and is excluded from \"best peer\".",
        "- Peak RSS: the maximum resident set of each process (from `wait4`), which includes "
        "building the inputs.",
        "",
        "## Results",
        "",
    ]
    for t in res["threads"]:
        md += [f"### {t} thread{'s' if t > 1 else ''}", "", thread_table(res, t), ""]
    for t, p in svg_paths:
        md += [f"![time relative to NumPy, {t} thread(s)]({p})", ""]
    st = res.get("startup")
    if st:
        md += ["### W12 start-up (whole process, median of "
               f"{st['runs']} runs after one warm-up, 1 CPU)", "",
               "| nx script | `python -c \"import numpy; ...\"` | nx/NumPy | same output |",
               "|---|---|---|---|",
               f"| {fmt_time(st['nx'])} | {fmt_time(st['numpy'])} | {ratio(st['nx'], st['numpy'])} | "
               f"{'yes' if st['correct'] else 'no: ' + repr(st['nx_output']) + ' vs ' + repr(st['numpy_output'])} |",
               ""]
    md += function_section(res)
    notes = notes_table(res)
    if notes:
        md += ["### What did not run, and why", "",
               "`not yet`: nx cannot run this program today (the first error line is shown). "
               "`n/a`: the peer has no idiomatic version of the workload. `timed out`: the "
               "process was stopped at its time limit.", "", notes, ""]
    md += ["### Result checks against NumPy", "", check_table(res), "",
           "### Compile time (median over processes)", "",
           "nx: parse and type-check, and the Cranelift compile time of all kernels of the "
           "program, from `nx --time`; their share of the whole nx process's wall time (which "
           "includes building the inputs and all repetitions). Numba and JAX: the explicit "
           "compile step of the timed function.", "", compile_table(res), "",
           "### Compile latency", ""] + compile_latency_section(res) + [
           "### Peak RSS, W1–W4", "", rss_table(res), ""]
    md += gaps_section(args.gaps)
    md += [
        "## Not done yet (issue 3)",
        "",
        "- Workloads nx cannot run yet are listed above as `not yet`; they fill in as the "
        "features land.",
    ]
    if any(w["id"] == "W11" and w.get("timeout") for w in res["workloads"]):
        md.append("- W11 times 3 repetitions per process, not 5, under a time limit, while nx "
                  "runs its scalar function element by element (until issue 4).")
    md += [
        "- A quiet machine: the run shares its 2 CPUs with whatever else runs; a noisy run "
        "shows as spread between the rounds (raw samples are in `benches/results/latest.json`).",
        "",
    ]
    with open(args.md, "w") as f:
        f.write("\n".join(md))


def function_section(res):
    """The math-function throughput table (benches/functions.py), if the run measured it."""
    fs = res.get("functions")
    if not fs:
        return []
    threads = fs["threads"]
    rate = lambda v: f"{v / 1e6:.0f}" if v else "—"
    head = ("| function | dtype | " + " | ".join(f"nx, {t} thr." for t in threads) +
            " | NumPy | scalar libm | nx/NumPy, 1 thr. | nx/libm, 1 thr. |")
    lines = [
        f"### Math functions: throughput (million elements/s; {fs['n']:,} elements per call, "
        f"median of {fs['reps']} calls per round)", "",
        f"Measured at commit {fs.get('commit', '?')} on {fs.get('date', '?')}.", "",
        "The same inputs for every system (`benches/functions.py`). NumPy's ufuncs run on one "
        "thread; scalar libm is one glibc call per element in a C loop compiled without "
        "vectorization (`benches/libm_throughput.c`). Ratios are throughputs (above 1: nx "
        "is faster). The functions `docs/ACCURACY.md` lists are nx's own vector code (at the "
        "commit measured); the others are still one call per element into the `libm` crate "
        "(issue 6).", "",
        head, "|" + "---|" * (head.count("|") - 1),
    ]
    for row in fs["rows"]:
        nx1 = row.get(f"nx{threads[0]}")
        cells = [rate(row.get(f"nx{t}")) for t in threads]
        numpy_rate, libm_rate = row.get("numpy"), row.get("libm")
        lines.append(
            f"| `{row['function']}` | {row['dtype']} | " + " | ".join(cells) +
            f" | {rate(numpy_rate)} | {rate(libm_rate)} | "
            f"{f'{nx1 / numpy_rate:.2f}' if nx1 and numpy_rate else '—'} | "
            f"{f'{nx1 / libm_rate:.2f}' if nx1 and libm_rate else '—'} |")
    return lines + [""]


if __name__ == "__main__":
    main()
