#!/usr/bin/python3
"""GEMM throughput of numpy and torch (both on OpenBLAS here), and the report of a comparison.

  gemm_compare.py measure --lib numpy|torch --threads T [--reps N] [--min-ms MS] [--shapes ...] [--variants ...]
      prints one JSON object per (shape, variant) in the format of dev.vecgrad.bench.GemmCompare.
      The thread count must be fixed before the BLAS library loads, so run one process per count
      (gemm_compare.sh does) with OPENBLAS_NUM_THREADS / OMP_NUM_THREADS set as well.
  gemm_compare.py report FILE
      reads those JSON lines (from several rounds) and prints a markdown table of min/median/max
      GFLOP/s per implementation and vecgrad's median over the better median of numpy and torch.

Shapes are MxNxK: C (M, N) = op(A) (M, K) @ op(B) (K, N); variant NT means B is stored (N, K) and
used transposed, TN that A is stored (K, M). Transposes are views, so the libraries pass BLAS flags.
"""
import argparse
import json
import os
import statistics
import sys
import time

DEFAULT_SHAPES = "512x512x512,1024x1024x1024,768x384x128,768x512x128,768x128x128,768x128x512"


def measure(args):
    try:
        import numpy as np
        if args.lib == "torch":
            import torch
            torch.set_num_threads(args.threads)
    except ImportError as e:  # one line, not a traceback, when run with a Python that lacks them
        sys.exit(f"gemm_compare.py: {sys.executable} cannot import {e.name}; run it with a Python that has numpy and torch "
                 "(Debian: /usr/bin/python3 with python3-torch python3-numpy)")
    rng = np.random.default_rng(1)
    for shape in args.shapes.split(","):
        m, n, k = (int(v) for v in shape.split("x"))
        for variant in args.variants.split(","):
            ta, tb = variant[0] == "T", variant[1] == "T"
            a = rng.standard_normal((k, m) if ta else (m, k), dtype=np.float32)
            b = rng.standard_normal((n, k) if tb else (k, n), dtype=np.float32)
            c = np.empty((m, n), dtype=np.float32)
            if args.lib == "torch":
                a, b, c = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(c)
                opa, opb = (a.t() if ta else a), (b.t() if tb else b)
                call = lambda: torch.mm(opa, opb, out=c)
            else:
                opa, opb = (a.T if ta else a), (b.T if tb else b)
                call = lambda: np.matmul(opa, opb, out=c)
            seconds_per_call(call, max(args.min_ms, 500))  # warm-up
            g = [round(2.0 * m * n * k / seconds_per_call(call, args.min_ms) / 1e9, 2) for _ in range(args.reps)]
            print(json.dumps({"impl": args.lib, "m": m, "n": n, "k": k, "variant": variant,
                              "threads": args.threads, "gflops": g}), flush=True)


def seconds_per_call(call, min_ms):
    calls = 0
    start = time.perf_counter()
    end = start + min_ms / 1000.0
    while True:
        call()
        calls += 1
        now = time.perf_counter()
        if now >= end:
            return (now - start) / calls


def report(args):
    runs = {}
    with open(args.file) as f:
        for line in f:
            line = line.strip()
            if not line.startswith("{"):
                continue
            r = json.loads(line)
            key = (r["m"], r["n"], r["k"], r["variant"], r["threads"])
            runs.setdefault(key, {}).setdefault(r["impl"], []).extend(r["gflops"])
    impls = ["vecgrad", "numpy", "torch"]
    print("| shape MxNxK | op | threads | " + " | ".join(f"{i} min/med/max" for i in impls)
          + " | vecgrad / best |")
    print("|---|---|---|" + "---|" * len(impls) + "---|")
    for key in sorted(runs, key=lambda t: (t[3] != "NN", t[3], -t[0] * t[1] * t[2] if t[0] == t[1] == t[2] else 0, t[:3], t[4])):
        m, n, k, variant, threads = key
        cells, med = [], {}
        for impl in impls:
            g = runs[key].get(impl)
            if g:
                med[impl] = statistics.median(g)
                cells.append(f"{min(g):.1f} / {med[impl]:.1f} / {max(g):.1f}")
            else:
                cells.append("-")
        best = max((med[i] for i in ("numpy", "torch") if i in med), default=None)
        ratio = f"{med['vecgrad'] / best:.2f}" if best and "vecgrad" in med else "-"
        print(f"| {m}x{n}x{k} | {variant} | {threads} | " + " | ".join(cells) + f" | {ratio} |")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    mp = sub.add_parser("measure")
    mp.add_argument("--lib", choices=["numpy", "torch"], required=True)
    mp.add_argument("--threads", type=int, required=True)
    mp.add_argument("--reps", type=int, default=5)
    mp.add_argument("--min-ms", type=int, default=300)
    mp.add_argument("--shapes", default=DEFAULT_SHAPES)
    mp.add_argument("--variants", default="NN,NT,TN")
    rp = sub.add_parser("report")
    rp.add_argument("file")
    args = p.parse_args()
    if args.cmd == "report" and not os.path.isfile(args.file):
        rp.error(f"{args.file}: no such file")
    measure(args) if args.cmd == "measure" else report(args)


if __name__ == "__main__":
    sys.exit(main())
