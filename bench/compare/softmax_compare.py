#!/usr/bin/python3
"""torch.softmax timings on the shapes of dev.vecgrad.bench.SoftmaxCompare.

Prints one line per (shape, threads): "shape threads median_us min_us max_us", each the
median/min/max of 15 samples of ~20 ms after ~1 s of warm-up. The causal shape is
(blocks, 64, 64) scores with -inf above the diagonal (masked beforehand, not timed), softmax over
the last dim, which is what an attention layer calls. Output is a fresh tensor per call, as in
ordinary PyTorch code.
Run with /usr/bin/python3 (the Debian python that has torch).
"""
import sys
import time

try:
    import torch
except ImportError as e:  # one line, not a traceback, when run with a Python that lacks them
    sys.exit(f"softmax_compare.py: {sys.executable} cannot import {e.name}; run it with a Python that has torch "
             "(Debian: /usr/bin/python3 with python3-torch python3-numpy)")

SHAPES = ["3072x64", "768x65", "768x384", "causal64x192"]
SAMPLES = 15


def make(name):
    g = torch.Generator().manual_seed(42)
    if name.startswith("causal"):
        t, blocks = (int(v) for v in name[len("causal"):].split("x"))
        x = torch.randn(blocks, t, t, generator=g) * 3
        mask = torch.triu(torch.ones(t, t, dtype=torch.bool), diagonal=1)
        return x.masked_fill(mask, float("-inf"))
    rows, cols = (int(v) for v in name.split("x"))
    return torch.randn(rows, cols, generator=g) * 3


def measure(x):
    calls = 0
    end = time.perf_counter() + 1.0
    while time.perf_counter() < end:
        torch.softmax(x, dim=-1)
        calls += 1
    per_sample = max(1, calls // 50)
    us = []
    for _ in range(SAMPLES):
        t0 = time.perf_counter()
        for _ in range(per_sample):
            torch.softmax(x, dim=-1)
        us.append((time.perf_counter() - t0) * 1e6 / per_sample)
    us.sort()
    return us[SAMPLES // 2], us[0], us[-1]


def main():
    if len(sys.argv) > 1:
        sys.exit("usage: softmax_compare.py (no arguments; softmax_compare.sh runs it)")
    print(f"# torch {torch.__version__}, {torch.__config__.parallel_info().splitlines()[0]}")
    for threads in (1, 2):
        torch.set_num_threads(threads)
        for name in SHAPES:
            med, lo, hi = measure(make(name))
            print(f"{name} {threads} {med:.2f} {lo:.2f} {hi:.2f}")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
