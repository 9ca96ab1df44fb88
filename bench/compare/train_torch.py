"""PyTorch side of the training comparisons: char-level nanoGPT training with nanoGPT's recipe.

Trains tools/pytorch/nanogpt.py's GPT on a text file (char level: vocabulary = sorted set of the
file's characters; first 90% of the tokens train, the last 10% validate; batches are random
contiguous windows) with the presets and flag names of `vecgrad train` (README.md, "Training"), and
measures training throughput the same way vecgrad does: tokens/s over the training steps only
(evaluation time and the first --skip-iters steps left out), timed with time.perf_counter.

Output: `step N: train loss X, val loss Y` at every evaluation (after N optimizer steps, as
nanoGPT counts), then one JSON line
  {"impl":"pytorch","preset":...,"threads":N,"iters":...,"tokens_per_s":...,
   "ms_per_step_median":...,"final_val_loss":...}
and, with --metrics-out FILE, metrics.jsonl lines as vecgrad writes them (docs/DESIGN.md section 9).

BLAS. Debian's torch 1.13 is built with BLAS_INFO=generic: its matmuls go to libblas.so.3, which
the alternatives system points at OpenBLAS 0.3.21 (openblas-pthread, DYNAMIC_ARCH; it picks the
"Zen" kernels here). See torch.__config__.show() and the `blas` field printed at start.
torch.set_num_threads only sizes torch's OpenMP pool; OpenBLAS's pthread pool is separate and
defaults to all cores, so --threads also calls openblas_set_num_threads (checked here: without it a
"1-thread" torch run still ran its GEMMs on 2 threads). The environment of this project may set
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE (tuning meant for other programs); the comparison shell script
unsets both for the torch run only, so OpenBLAS detects the CPU itself. This script prints them
when they are set.

Usage (from the repository root, with Debian's python, not pyenv's):
  /usr/bin/python3 bench/compare/train_torch.py --data tinyshakespeare.txt \
      --preset shakespeare-char --threads 2
"""
import argparse
import ctypes
import json
import math
import os
import statistics
import sys
import time

try:
    import numpy  # noqa: F401 (tools/pytorch/safetensors_io.py needs it)
    import torch
except ImportError as e:  # one line, not a traceback, when run with a Python that lacks them
    sys.exit(f"train_torch.py: {sys.executable} cannot import {e.name}; run it with a Python that has torch and numpy "
             "(Debian: /usr/bin/python3 with python3-torch python3-numpy)")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "pytorch"))
from nanogpt import GPT, GPTConfig  # noqa: E402

# nanoGPT's config/train_shakespeare_char.py made CPU-sized (its README's laptop recipe) and the
# bigger baby GPT; the optimizer recipe is shared.
RECIPE = dict(lr=1e-3, min_lr=1e-4, warmup_iters=100, weight_decay=0.1, beta1=0.9, beta2=0.99,
              grad_clip=1.0, eval_interval=250, eval_iters=200, seed=1337)
PRESETS = {
    "shakespeare-char": dict(RECIPE, n_layer=4, n_head=4, n_embd=128, block_size=64, batch_size=12,
                             max_iters=2000, dropout=0.0),
    "baby-gpt": dict(RECIPE, n_layer=6, n_head=6, n_embd=384, block_size=256, batch_size=64,
                     max_iters=5000, dropout=0.2),
}
INT_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "batch_size", "max_iters", "warmup_iters",
            "eval_interval", "eval_iters", "seed", "lr_decay_iters")
FLOAT_KEYS = ("lr", "min_lr", "weight_decay", "beta1", "beta2", "grad_clip", "dropout")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True, help="UTF-8 text file (char-level LM)")
    p.add_argument("--preset", choices=sorted(PRESETS), default="shakespeare-char")
    for k in INT_KEYS:
        p.add_argument("--" + k.replace("_", "-"), type=int, default=None)
    for k in FLOAT_KEYS:
        p.add_argument("--" + k.replace("_", "-"), type=float, default=None)
    p.add_argument("--threads", type=int, default=1, help="torch intra-op threads and OpenBLAS threads")
    p.add_argument("--no-eval", action="store_true", help="skip every evaluation (pure speed runs)")
    p.add_argument("--skip-iters", type=int, default=5, help="first steps left out of the timing")
    p.add_argument("--metrics-out", default=None, help="write metrics.jsonl lines here")
    p.add_argument("--quiet", action="store_true", help="no per-step progress on stderr")
    a = p.parse_args(argv)
    if not os.path.isfile(a.data):
        p.error(f"--data {a.data}: no such file")
    cfg = dict(PRESETS[a.preset])
    for k in INT_KEYS + FLOAT_KEYS:
        if getattr(a, k) is not None:
            cfg[k] = getattr(a, k)
    # nanoGPT decays over the whole run; a run shorter than the warmup (smoke tests) never decays
    cfg.setdefault("lr_decay_iters", max(cfg["max_iters"], cfg["warmup_iters"]))
    if cfg["max_iters"] < 1 or cfg["batch_size"] < 1 or cfg["block_size"] < 1 or a.threads < 1:
        p.error(f"max_iters, batch_size, block_size and threads must be >= 1, got {cfg} threads {a.threads}")
    if not 0 <= cfg["warmup_iters"] <= cfg["lr_decay_iters"]:
        p.error(f"need 0 <= warmup_iters ({cfg['warmup_iters']}) <= lr_decay_iters ({cfg['lr_decay_iters']})")
    return a, cfg


def set_threads(n):
    """Size torch's pool and OpenBLAS's own pool; returns a description of the BLAS in use."""
    torch.set_num_threads(n)
    try:
        lib = ctypes.CDLL("libopenblas.so.0")  # already loaded by torch: same handle
        lib.openblas_set_num_threads(n)
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return (f"{lib.openblas_get_config().decode()} core={lib.openblas_get_corename().decode()} "
                f"threads={lib.openblas_get_num_threads()}")
    except (OSError, AttributeError) as e:
        return f"not OpenBLAS ({e}); BLAS threads not set"


def lr_at(it, c):
    """nanoGPT's get_lr: linear warmup, cosine decay to min_lr at lr_decay_iters, then min_lr."""
    if it < c["warmup_iters"]:
        return c["lr"] * (it + 1) / (c["warmup_iters"] + 1)
    if it >= c["lr_decay_iters"]:
        return c["min_lr"]
    ratio = (it - c["warmup_iters"]) / max(1, c["lr_decay_iters"] - c["warmup_iters"])
    return c["min_lr"] + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (c["lr"] - c["min_lr"])


def load_data(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    chars = sorted(set(text))
    stoi = {ch: i for i, ch in enumerate(chars)}
    ids = torch.tensor([stoi[ch] for ch in text], dtype=torch.long)
    n = int(len(ids) * 0.9)
    return ids[:n], ids[n:], len(chars)


def get_batch(data, batch_size, block_size, gen):
    if len(data) < block_size + 1:
        raise ValueError(f"get_batch: split of {len(data)} tokens is shorter than block_size + 1 = {block_size + 1}")
    ix = torch.randint(len(data) - block_size, (batch_size,), generator=gen)
    x = torch.stack([data[i:i + block_size] for i in ix.tolist()])
    y = torch.stack([data[i + 1:i + 1 + block_size] for i in ix.tolist()])
    return x, y


@torch.no_grad()
def estimate_loss(model, splits, c, gen):
    model.eval()
    out = {}
    for name, data in splits.items():
        losses = [model(*get_batch(data, c["batch_size"], c["block_size"], gen))[1].item()
                  for _ in range(c["eval_iters"])]
        out[name] = sum(losses) / len(losses)
    model.train()
    return out


def make_optimizer(model, c):
    # nanoGPT's groups: decay the matmul/embedding weights (dim >= 2), not biases or LayerNorm
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": c["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=1e-8)


def main(argv=None):
    a, c = parse_args(argv)
    blas = set_threads(a.threads)
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS"):
        if var in os.environ:
            print(f"note: {var}={os.environ[var]}", file=sys.stderr)
    train, val, vocab = load_data(a.data)
    torch.manual_seed(c["seed"])
    cfg = GPTConfig(n_layer=c["n_layer"], n_head=c["n_head"], n_embd=c["n_embd"], block_size=c["block_size"],
                    vocab_size=vocab, bias=True, dropout=c["dropout"])
    model = GPT(cfg)
    opt = make_optimizer(model, c)
    # separate generators: training batches do not depend on whether or how often we evaluate
    train_gen = torch.Generator().manual_seed(c["seed"])
    eval_gen = torch.Generator().manual_seed(c["seed"] + 1)
    print(f"torch {torch.__version__}, threads {a.threads}, blas: {blas}")
    print(f"preset {a.preset}: {json.dumps(c, sort_keys=True)}")
    print(f"data {a.data}: vocab {vocab}, train {len(train):,} tokens, val {len(val):,} tokens; "
          f"model {model.num_params():,} parameters")
    metrics = open(a.metrics_out, "w", encoding="utf-8") if a.metrics_out else None
    tokens_per_step = c["batch_size"] * c["block_size"]
    step_times, final_val, t_start = [], None, time.perf_counter()

    def throughput():
        timed = step_times[a.skip_iters:]
        return tokens_per_step * len(timed) / sum(timed) if timed else float("nan")

    def log(d):
        if metrics:
            metrics.write(json.dumps({k: v for k, v in d.items() if v is not None and not
                                      (isinstance(v, float) and math.isnan(v))}) + "\n")
            metrics.flush()

    model.train()
    for it in range(c["max_iters"] + 1):
        last = it == c["max_iters"]
        if not a.no_eval and (it % c["eval_interval"] == 0 or last):
            losses = estimate_loss(model, {"train": train, "val": val}, c, eval_gen)
            final_val = losses["val"]
            print(f"step {it}: train loss {losses['train']:.4f}, val loss {losses['val']:.4f}", flush=True)
            log(dict(step=it, eval_train_loss=losses["train"], val_loss=losses["val"],
                     tokens_per_s=throughput(), elapsed_s=time.perf_counter() - t_start))
        if last:
            break
        lr = lr_at(it, c)
        t0 = time.perf_counter()
        for g in opt.param_groups:
            g["lr"] = lr
        x, y = get_batch(train, c["batch_size"], c["block_size"], train_gen)
        _, loss = model(x, y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = torch.nn.utils.clip_grad_norm_(model.parameters(), c["grad_clip"]).item()
        opt.step()
        loss_v = loss.item()
        step_times.append(time.perf_counter() - t0)
        log(dict(step=it + 1, train_loss=loss_v, lr=lr, grad_norm=grad_norm, tokens_per_s=throughput(),
                 elapsed_s=time.perf_counter() - t_start))
        if not a.quiet:
            print(f"iter {it + 1}/{c['max_iters']}: loss {loss_v:.4f}, {step_times[-1] * 1e3:.1f} ms",
                  file=sys.stderr, flush=True)
    if metrics:
        metrics.close()
    timed_ms = [t * 1e3 for t in step_times[a.skip_iters:]] or [float("nan")]
    result = {"impl": "pytorch", "preset": a.preset, "threads": a.threads, "iters": c["max_iters"],
              "tokens_per_s": round(throughput(), 1), "ms_per_step_median": round(statistics.median(timed_ms), 2),
              "ms_per_step_min": round(min(timed_ms), 2), "ms_per_step_max": round(max(timed_ms), 2),
              "timed_steps": len(step_times[a.skip_iters:]),
              "final_val_loss": None if final_val is None else round(final_val, 4),
              "torch": torch.__version__}
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
