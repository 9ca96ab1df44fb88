"""PyTorch side of the GPT-2 comparisons (bench/compare/gpt2_compare.sh): load, sample, fine-tune step.

The model is tools/pytorch/nanogpt.py's GPT filled from a Hugging Face GPT-2 folder by
tools/pytorch/hf_gpt2.py (plain torch, float32, the same architecture as GPT2LMHeadModel).

  --mode load     time to read the folder into the model; peak resident memory (ru_maxrss)
  --mode sample   tokens/s generating --new-tokens after a --prompt-len token prompt, top-k 200,
                  temperature 0.8, one sequence: --cache off is nanoGPT's generate (the whole
                  context re-run for every token, the usual baseline), --cache on keeps keys
                  and values per layer (what vecgrad's sample does)
  --mode step     ms per fine-tuning step: forward, backward, clip 1.0, AdamW, on --batch x --block
                  random windows; median of --steps after 2 warm-up steps

Prints one JSON line. Threads: torch.set_num_threads and OpenBLAS's own pool (see train_torch.py).
"""
import argparse
import ctypes
import json
import math
import os
import resource
import statistics
import sys
import time

try:
    import numpy  # noqa: F401 (tools/pytorch/hf_gpt2.py needs it)
    import torch
    import torch.nn.functional as F
except ImportError as e:  # one line, not a traceback, when run with a Python that lacks them
    sys.exit(f"gpt2_torch.py: {sys.executable} cannot import {e.name}; run it with a Python that has torch and numpy "
             "(Debian: /usr/bin/python3 with python3-torch python3-numpy)")

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "pytorch"))
import hf_gpt2  # noqa: E402


def set_threads(n):
    torch.set_num_threads(n)
    for lib in ("libopenblas.so.0", "libblas.so.3"):
        try:
            ctypes.CDLL(lib).openblas_set_num_threads(n)
            break
        except (OSError, AttributeError):
            continue


@torch.no_grad()
def forward_cached(model, idx, cache):
    """Logits of the new tokens `idx` [1, t] given `cache` (a list of (k, v) per layer, or empties)."""
    tr = model.transformer
    pos0 = 0 if cache[0] is None else cache[0][0].shape[2]
    T = idx.shape[1]
    x = tr.wte(idx) + tr.wpe(torch.arange(pos0, pos0 + T))
    for i, blk in enumerate(tr.h):
        a = blk.attn
        B, _, C = x.shape
        hs = C // a.n_head
        q, k, v = a.c_attn(blk.ln_1(x)).split(C, dim=2)
        q, k, v = (z.view(B, T, a.n_head, hs).transpose(1, 2) for z in (q, k, v))
        if cache[i] is not None:
            k = torch.cat([cache[i][0], k], dim=2)
            v = torch.cat([cache[i][1], v], dim=2)
        cache[i] = (k, v)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        if T > 1:  # prompt: causal within it
            mask = torch.ones(T, pos0 + T, dtype=torch.bool).tril(pos0)
            att = att.masked_fill(~mask, float("-inf"))
        y = (F.softmax(att, dim=-1) @ v).transpose(1, 2).contiguous().view(B, T, C)
        x = x + a.c_proj(y)
        x = x + blk.mlp(blk.ln_2(x))
    return model.lm_head(tr.ln_f(x))


def pick(logits, gen):
    logits = logits[0, -1] / 0.8
    v, _ = torch.topk(logits, 200)
    logits[logits < v[-1]] = float("-inf")
    return torch.multinomial(F.softmax(logits, dim=-1), 1, generator=gen).view(1, 1)


@torch.no_grad()
def sample(model, prompt, n, cache):
    gen = torch.Generator().manual_seed(1337)
    idx = prompt
    if cache:
        kv = [None] * model.config.n_layer
        logits = forward_cached(model, idx, kv)
        for _ in range(n):
            nxt = pick(logits, gen)
            idx = torch.cat([idx, nxt], dim=1)
            logits = forward_cached(model, nxt, kv)
    else:
        for _ in range(n):
            logits, _ = model(idx[:, -model.config.block_size:])
            idx = torch.cat([idx, pick(logits, gen)], dim=1)
    return idx


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--folder", required=True)
    ap.add_argument("--mode", choices=["load", "sample", "step"], required=True)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--cache", choices=["on", "off"], default="on")
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--new-tokens", type=int, default=256)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--block", type=int, default=256)
    ap.add_argument("--steps", type=int, default=5)
    args = ap.parse_args()
    if not os.path.isfile(os.path.join(args.folder, "config.json")):
        ap.error(f"--folder {args.folder}: not a GPT-2 folder (no config.json)")
    set_threads(args.threads)
    t0 = time.perf_counter()
    model = hf_gpt2.load_folder(args.folder)
    load_s = time.perf_counter() - t0
    out = {"impl": "pytorch", "torch": torch.__version__, "mode": args.mode, "threads": args.threads, "load_s": round(load_s, 3)}
    V = model.config.vocab_size
    if args.mode == "sample":
        model.eval()
        prompt = torch.randint(0, V, (1, args.prompt_len), generator=torch.Generator().manual_seed(7))
        sample(model, prompt, 8, args.cache == "on")  # warm-up
        t0 = time.perf_counter()
        sample(model, prompt, args.new_tokens, args.cache == "on")
        dt = time.perf_counter() - t0
        out.update(cache=args.cache, new_tokens=args.new_tokens, tokens_per_s=round(args.new_tokens / dt, 2))
    elif args.mode == "step":
        model.train()
        params = [p for p in model.parameters()]
        decay = [p for p in params if p.dim() >= 2]
        no_decay = [p for p in params if p.dim() < 2]
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                                lr=3e-5, betas=(0.9, 0.99), eps=1e-8)
        gen = torch.Generator().manual_seed(3)
        times = []
        for i in range(2 + args.steps):
            x = torch.randint(0, V, (args.batch, args.block), generator=gen)
            y = torch.randint(0, V, (args.batch, args.block), generator=gen)
            t0 = time.perf_counter()
            _, loss = model(x, y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad(set_to_none=True)
            if i >= 2:
                times.append(time.perf_counter() - t0)
        out.update(batch=args.batch, block=args.block, ms_per_step=round(1000 * statistics.median(times), 1),
                   ms_min=round(1000 * min(times), 1), ms_max=round(1000 * max(times), 1))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
