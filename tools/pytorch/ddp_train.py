"""Continue a vecgrad training run in PyTorch, data-parallel (torchrun + DistributedDataParallel).

vecgrad trains on one CPU; when that is no longer enough, this script picks a run directory up
where vecgrad left it and keeps training on as many processes (CPU, `gloo`) or GPUs (`nccl`) as
torchrun starts, then writes a run directory that vecgrad resumes, samples and inspects:

  torchrun --standalone --nproc_per_node 2 tools/pytorch/ddp_train.py \\
      --resume RUN --out RUN2 --max-iters 400 [--data FILE] [--backend gloo|nccl]
  ./vecgrad sample --checkpoint RUN2
  ./vecgrad train --resume RUN2 --max-iters 500      # and back to vecgrad

What is carried over, from the files vecgrad writes (docs: README "Run directory"):
  - model.safetensors: the weights (nanoGPT names, F32) and the "config" / "tokenizer" metadata;
  - optimizer.safetensors: AdamW's exp_avg.<param> / exp_avg_sq.<param> (F32, in the parameter's shape; older vecgrad files hold them flat, which loads too) and "step",
    loaded into torch.optim.AdamW's per-parameter state, so the next update is the one vecgrad
    would make (same moments, same bias correction);
  - state.json: the recipe (learning-rate schedule: warmup + cosine to minLr at lrDecayIters;
    AdamW betas and weight decay on 2-D weights only; gradient clipping; batch size, gradient
    accumulation, block size, dropout, evaluation cadence), the step, the data file (checked
    against its SHA-256) and the tokenizer.
Only the recipe's maxIters changes (--max-iters, a later step); vecgrad's resume accepts exactly that.

Data parallelism keeps the optimizer step vecgrad's: every one of the W processes draws the step's
batchSize windows exactly as vecgrad does (its StepRandom positioned at (seed, step, micro-step)
and the JDK's bounded nextInt, reimplemented below) and trains on its batchSize / W share
(batchSize must divide by W); DDP averages the gradients, so each step sees the windows vecgrad's
own next step would see. Evaluations use vecgrad's fixed evaluation batches too. So without dropout
(whose masks are vecgrad's own) the PyTorch losses continue the vecgrad curve to float rounding:
the test in examples' CliTest compares them step by step with a straight vecgrad run.

Tokenizers: a char tokenizer of state.json ({"type":"char","vocab":...}) is applied here; a BPE
run's token ids are read from the cache vecgrad keeps beside its runs (token-cache/, matched by the
SHA-256 of the data and of the tokenizer), since the encoder lives in vecgrad.

Output directory: model.safetensors, optimizer.safetensors, state.json (written last, each via a
temporary file and rename) and metrics.jsonl (the input run's lines up to its step, then one line
per step here, an evaluation's fields joined to its step's line, in vecgrad's fields). Evaluations run on rank 0 every
evalInterval steps and at the end, evalIters batches per split.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import time

import numpy as np
import torch
import torch.distributed as dist
from torch.nn.parallel import DistributedDataParallel as DDP

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from nanogpt import GPT, GPTConfig, load_state  # noqa: E402

STATE, MODEL, OPTIMIZER, METRICS = "state.json", "model.safetensors", "optimizer.safetensors", "metrics.jsonl"


def fail(msg):
    print(f"ddp_train: {msg}", file=sys.stderr)
    sys.exit(2)


def lr_at(step, c):
    """vecgrad's LrSchedule.warmupCosine (nanoGPT's get_lr with 0-based steps)."""
    lr, min_lr, warmup, decay = c["lr"], c["minLr"], c["warmupIters"], c["lrDecayIters"]
    if step < warmup:
        return lr * (step + 1) / (warmup + 1)
    if step >= decay:
        return min_lr
    ratio = (step - warmup) / max(1, decay - warmup)
    return min_lr + 0.5 * (1.0 + math.cos(math.pi * ratio)) * (lr - min_lr)


def read_run(run):
    path = os.path.join(run, STATE)
    if not os.path.isfile(path):
        fail(f"{run}: not a vecgrad run directory (no {STATE})")
    with open(path, encoding="utf-8") as f:
        state = json.load(f)
    if state.get("format") != 1:
        fail(f"{path}: format {state.get('format')!r}; this script reads format 1")
    return state


def tokenize(state, data_path, cache_dir):
    """Token ids of the run's text, with the run's tokenizer, after checking the file's hash."""
    data = state["data"]
    if data.get("kind") != "text":
        fail(f"the run trained on {data.get('kind')!r} data; only text runs continue here")
    path = data_path or data["path"]
    if not os.path.isfile(path):
        fail(f"{path}: the run's data file is gone; pass --data with the same file")
    raw = open(path, "rb").read()
    if hashlib.sha256(raw).hexdigest() != data["sha256"]:
        fail(f"{path}: SHA-256 differs from the run's data ({data['sha256'][:12]}...): not the same file")
    tok = json.loads(state["tokenizer"])
    if tok.get("type") == "char":
        vocab = tok["vocab"]
        ids = {ch: i for i, ch in enumerate(vocab)}
        text = raw.decode("utf-8")
        try:
            return np.array([ids[ch] for ch in text], dtype=np.int64), len(vocab)
        except KeyError as e:
            fail(f"{path}: character {e.args[0]!r} is not in the run's vocabulary")
    return cached_ids(state, cache_dir), None


def cached_ids(state, cache_dir):
    """A BPE run's token ids from the cache vecgrad writes beside its runs (token-cache/), matched
    by the data's SHA-256 and the tokenizer's (SHA-256 of the tokenizer JSON in state.json)."""
    data_sha = state["data"]["sha256"]
    tok_sha = hashlib.sha256(state["tokenizer"].encode("utf-8")).hexdigest()
    name = f"tokens-{data_sha[:16]}-{tok_sha[:16]}.safetensors"
    path = os.path.join(cache_dir, name)
    if not os.path.isfile(path):
        fail(f"the run's tokenizer is {json.loads(state['tokenizer']).get('type')!r}: its token ids are read from "
             f"vecgrad's cache, but {path} is missing (pass --token-cache DIR, or let vecgrad train the run once to write it)")
    tensors, meta = safetensors_io.load_file(path)
    if meta.get("data_sha256") != data_sha or meta.get("tokenizer_sha256") != tok_sha:
        fail(f"{path}: its hashes do not match the run's data and tokenizer")
    return tensors["ids"].astype(np.int64), None


_M64 = (1 << 64) - 1


def _mix(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _M64
    return z ^ (z >> 31)


class StepRandom:
    """vecgrad's StepRandom (SplitMix64 positioned at (seed, step, stream)) and the JDK's
    RandomGenerator.nextInt(bound), so the windows drawn here are the ones vecgrad would draw."""

    def __init__(self, seed, step, stream):
        self.state = _mix(_mix(seed & _M64) ^ ((step * 0x9E3779B97F4A7C15) & _M64) ^ ((stream << 48) & _M64))

    def next_int(self):
        """Java's nextInt(): the high 32 bits of nextLong(), as an unsigned value."""
        self.state = (self.state + 0x9E3779B97F4A7C15) & _M64
        return _mix(self.state) >> 32

    def bounded(self, bound):
        """java.util.random's boundedNextInt: mask for powers of two, else reject the overrepresented."""
        r, m = self.next_int(), bound - 1
        if bound & m == 0:
            return r & m
        u = r >> 1
        while u + m - u % bound >= 1 << 31:  # Java's int overflow test
            u = self.next_int() >> 1
        return u % bound


def batch(tokens, lo, hi, n, T, rng, keep=None):
    """n windows of T tokens (and next tokens) from tokens[lo:hi], drawn as vecgrad's TextDataset
    draws them; `keep` (a slice) selects this process's share of the n."""
    starts = [lo + rng.bounded(hi - lo - T) for _ in range(n)]
    if keep is not None:
        starts = starts[keep]
    x = torch.stack([torch.from_numpy(tokens[s:s + T]) for s in starts])
    y = torch.stack([torch.from_numpy(tokens[s + 1:s + 1 + T]) for s in starts])
    return x, y


def atomic_write(path, write):
    tmp = f"{path}.{os.getpid()}.tmp"
    with open(tmp, "wb") as f:
        write(f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def save_run(out, model, opt, names, state, step, metrics_lines, model_meta):
    os.makedirs(out, exist_ok=True)
    params = dict(model.named_parameters())
    tensors = {n: params[n].detach().float().cpu().numpy() for n in names}
    meta = {"format": "pt", "config": model_meta["config"], "step": str(step)}
    if "tokenizer" in model_meta:
        meta["tokenizer"] = model_meta["tokenizer"]
    atomic_write(os.path.join(out, MODEL), lambda f: f.write(safetensors_io.serialize(tensors, meta)))
    ot = {}
    for n in names:
        s = opt.state[params[n]]
        ot["exp_avg." + n] = s["exp_avg"].detach().float().cpu().numpy()
        ot["exp_avg_sq." + n] = s["exp_avg_sq"].detach().float().cpu().numpy()
    ot["step"] = np.array(step, dtype=np.int64)
    atomic_write(os.path.join(out, OPTIMIZER), lambda f: f.write(safetensors_io.serialize(ot, {"step": str(step)})))
    atomic_write(os.path.join(out, METRICS), lambda f: f.write("".join(metrics_lines).encode("utf-8")))
    new_state = dict(state, step=step)
    atomic_write(os.path.join(out, STATE), lambda f: f.write((json.dumps(new_state, indent=2) + "\n").encode("utf-8")))


@torch.no_grad()
def evaluate(model, tokens, train_end, c, device):
    """vecgrad's Trainer.evaluate: the same evalIters batches of each split at every evaluation."""
    model.eval()
    train_rng, val_rng = StepRandom(c["seed"], -1, 5), StepRandom(c["seed"], -2, 5)
    train = val = 0.0
    B, T = c["batchSize"], c["blockSize"]
    for _ in range(c["evalIters"]):
        x, y = batch(tokens, 0, train_end, B, T, train_rng)
        train += model(x.to(device), y.to(device))[1].item()
        x, y = batch(tokens, train_end, len(tokens), B, T, val_rng)
        val += model(x.to(device), y.to(device))[1].item()
    model.train()
    return {"train": train / c["evalIters"], "val": val / c["evalIters"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--resume", required=True, help="vecgrad run directory to continue")
    ap.add_argument("--out", required=True, help="run directory to write (may equal --resume)")
    ap.add_argument("--max-iters", type=int, required=True, help="train until this optimizer step")
    ap.add_argument("--data", help="the run's text file, when it moved")
    ap.add_argument("--backend", default="gloo", help="gloo (CPU) or nccl (GPUs)")
    ap.add_argument("--token-cache", help="vecgrad's token-cache directory for BPE runs (default: beside the run)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads per process (CPU)")
    args = ap.parse_args()

    dist.init_process_group(args.backend)
    rank, world = dist.get_rank(), dist.get_world_size()
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}") if args.backend == "nccl" else torch.device("cpu")
    torch.set_num_threads(args.threads)

    state = read_run(args.resume)
    c = state["config"]
    step = state["step"]
    if args.max_iters <= step:
        fail(f"--max-iters {args.max_iters} is not after the run's step {step}")
    if c["batchSize"] % world:
        fail(f"batchSize {c['batchSize']} does not divide over {world} processes")
    cache_dir = args.token_cache or os.path.join(os.path.dirname(os.path.abspath(args.resume)), "token-cache")
    tokens, vocab = tokenize(state, args.data, cache_dir)
    train_end = int(len(tokens) * 0.9)

    tensors, model_meta = safetensors_io.load_file(os.path.join(args.resume, MODEL))
    if model_meta.get("step") != str(step):
        fail(f"{args.resume}: {MODEL} is from step {model_meta.get('step')}, state.json from step {step}")
    mc = json.loads(model_meta["config"])
    cfg = GPTConfig(n_layer=mc["n_layer"], n_head=mc["n_head"], n_embd=mc["n_embd"], block_size=mc["block_size"],
                    vocab_size=mc["vocab_size"], bias=mc["bias"], dropout=c["dropout"])
    if vocab is not None and cfg.vocab_size != vocab:
        fail(f"the model has {cfg.vocab_size} tokens, the tokenizer {vocab}")
    torch.manual_seed(c["seed"])
    model = GPT(cfg)
    load_state(model, tensors, source=args.resume)
    model.to(device)
    names = [n for n, _ in model.named_parameters()]
    params = dict(model.named_parameters())
    decay = [params[n] for n in names if params[n].dim() >= 2]
    no_decay = [params[n] for n in names if params[n].dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": c["weightDecay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=c["lr"], betas=(c["beta1"], c["beta2"]), eps=1e-8)
    ot, ometa = safetensors_io.load_file(os.path.join(args.resume, OPTIMIZER))
    if int(ot["step"]) != step:
        fail(f"{args.resume}: {OPTIMIZER} holds step {int(ot['step'])}, state.json {step}")
    for n in names:
        p = params[n]
        for key in ("exp_avg", "exp_avg_sq"):
            if f"{key}.{n}" not in ot:
                fail(f"{args.resume}/{OPTIMIZER}: no {key}.{n}")
        opt.state[p] = {"step": torch.tensor(float(step)),
                        "exp_avg": torch.from_numpy(ot[f"exp_avg.{n}"]).reshape(p.shape).to(device),
                        "exp_avg_sq": torch.from_numpy(ot[f"exp_avg_sq.{n}"]).reshape(p.shape).to(device)}
    # The causal masks are constant bool buffers: gloo cannot broadcast bool, and they need no sync.
    DDP._set_params_and_buffers_to_ignore_for_model(model, [n for n, _ in model.named_buffers()])
    ddp = DDP(model, broadcast_buffers=False)

    metrics = []
    src_metrics = os.path.join(args.resume, METRICS)
    if os.path.exists(src_metrics):
        with open(src_metrics, encoding="utf-8") as f:
            metrics = [ln for ln in f if ln.strip() and json.loads(ln).get("step", 0) <= step]
    per_rank = c["batchSize"] // world
    c_out = dict(c, maxIters=max(c["maxIters"], args.max_iters))
    state = dict(state, config=c_out)
    if rank == 0:
        print(f"ddp_train: {world} processes ({args.backend}), resuming {args.resume} at step {step}, "
              f"{per_rank} x {c['gradAccum']} windows of {c['blockSize']} per process per step", flush=True)
    started = time.perf_counter()
    ddp.train()
    while step < args.max_iters:
        lr = lr_at(step, c)
        for g in opt.param_groups:
            g["lr"] = lr
        total = 0.0
        for micro in range(c["gradAccum"]):
            # every process draws the whole step's windows, as vecgrad would, and keeps its share
            rng = StepRandom(c["seed"], step, 2 + 2 * micro)
            x, y = batch(tokens, 0, train_end, c["batchSize"], c["blockSize"], rng,
                         slice(rank * per_rank, (rank + 1) * per_rank))
            # gradients sync only on the last micro-step, as DDP's no_sync intends
            ctx = ddp.no_sync() if micro < c["gradAccum"] - 1 else torch.enable_grad()
            with ctx:
                _, loss = ddp(x.to(device), y.to(device))
                (loss / c["gradAccum"]).backward()
            total += loss.item()
        norm = torch.nn.utils.clip_grad_norm_(model.parameters(), c["gradClip"] if c["gradClip"] > 0 else float("inf"))
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        mean = torch.tensor([total / c["gradAccum"]], device=device)
        dist.all_reduce(mean)
        line = {"step": step, "train_loss": mean.item() / world, "lr": lr, "grad_norm": float(norm),
                "elapsed_s": time.perf_counter() - started}
        evaluating = step % c["evalInterval"] == 0 or step == args.max_iters
        if rank == 0:
            if evaluating:
                # one line per step, as vecgrad writes it: the evaluation's fields join the step's line
                e = evaluate(model, tokens, train_end, c, device)
                line.update(eval_train_loss=e["train"], val_loss=e["val"])
            metrics.append(json.dumps(line) + "\n")
        if evaluating:
            if rank == 0:
                print(f"step {step}: train loss {e['train']:.4f}, val loss {e['val']:.4f}", flush=True)
                save_run(args.out, model, opt, names, state, step, metrics, model_meta)
            dist.barrier()
    dist.destroy_process_group()


if __name__ == "__main__":
    main()
