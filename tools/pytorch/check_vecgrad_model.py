"""Check a vecgrad model's loss and gradients against this PyTorch reference.

Usage (from anywhere):
    /usr/bin/python3 tools/pytorch/check_vecgrad_model.py MODEL.safetensors BATCH.safetensors \
        [--grads GRADS.safetensors] [--tol 1e-4]

MODEL is a model.safetensors written by vecgrad (or PyTorch): config from the "config" metadata,
tied weight under transformer.wte.weight and/or lm_head.weight; or a run directory (its
model.safetensors); or a Hugging Face GPT-2 folder (config.json + model.safetensors, read as
hf_gpt2.py reads it), as every `vecgrad --checkpoint` accepts them. BATCH holds idx and targets
([B,T], I64 or I32; -1 targets are ignored). The script prints `loss <value>` (float64 math on
the stored float32 weights, full precision) and the float32 loss for reference.

With --grads (what `vecgrad loss --grads-out` writes: one tensor per parameter, under the
parameter's name; a file whose names start with "grad.", like a fixture's expected.safetensors,
is accepted too), every gradient is compared with PyTorch's float64 gradient by relative L2
error |g - ref| / |ref| and a table is printed. A gradient of the tied weight may come under
either name or both. Exit status 1 when any error exceeds --tol, a gradient is missing or
unexpected, or shapes differ.
"""
import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from nanogpt import TIED_ALIAS, TIED_NAME, load_model, make_deterministic  # noqa: E402
import hf_gpt2  # noqa: E402


def is_gpt2_folder(path):
    """vecgrad's rule (HfGpt2.isFolder): config.json and no state.json, which a run directory has."""
    return os.path.isfile(os.path.join(path, "config.json")) and not os.path.exists(os.path.join(path, "state.json"))


def has_own_config(path):
    """Whether a safetensors file's metadata holds a "config" (vecgrad's model files do); False when unreadable."""
    try:
        with open(path, "rb") as f:
            n = int.from_bytes(f.read(8), "little")
            header = json.loads(f.read(n)) if 2 <= n <= 100_000_000 else {}
    except (OSError, ValueError):
        return False
    meta = header.get("__metadata__") if isinstance(header, dict) else None
    return isinstance(meta, dict) and "config" in meta


def load_any(path, dtype):
    """The model at MODEL: a model file, a run directory or a GPT-2 folder (or that folder's weights file)."""
    if os.path.isdir(path):
        if is_gpt2_folder(path):
            return hf_gpt2.load_folder(path, dtype)
        path = os.path.join(path, "model.safetensors")
    elif not has_own_config(path) and is_gpt2_folder(os.path.dirname(path) or "."):
        # GPT-2's weights file has no architecture of its own: config.json beside it has it. A
        # model file that has one is read as such wherever it lies, as vecgrad reads it.
        return hf_gpt2.load_folder(os.path.dirname(path) or ".", dtype)
    return load_model(path, dtype=dtype)[0]


def load_batch(path):
    tensors, _ = safetensors_io.load_file(path)
    for k in ("idx", "targets"):
        if k not in tensors:
            raise SystemExit(f"{path}: no tensor {k!r} (found {sorted(tensors)})")
    idx = torch.as_tensor(tensors["idx"]).long()
    targets = torch.as_tensor(tensors["targets"]).long()
    if idx.dim() != 2 or idx.shape != targets.shape:
        raise SystemExit(f"{path}: idx {list(idx.shape)} and targets {list(targets.shape)} must both be [B,T]")
    return idx, targets


def loss_and_grads(model, idx, targets):
    model.zero_grad(set_to_none=True)
    _, loss = model(idx, targets)
    loss.backward()
    return loss.item(), {n: p.grad.detach() for n, p in model.named_parameters()}


def read_grads(path):
    tensors, _ = safetensors_io.load_file(path)
    if any(n.startswith("grad.") for n in tensors):
        tensors = {n[len("grad."):]: t for n, t in tensors.items() if n.startswith("grad.")}
    return {n: torch.as_tensor(t).double() for n, t in tensors.items()}


def compare(grads, ref, tol):
    """Print a table of relative L2 errors; return True when every check passes."""
    ok = True
    rows = []
    for name, g in grads.items():
        want = ref.get(TIED_NAME if name == TIED_ALIAS else name)
        if want is None:
            rows.append((name, str(list(g.shape)), "unexpected", "", "FAIL"))
            ok = False
            continue
        if tuple(g.shape) != tuple(want.shape):
            rows.append((name, f"{list(g.shape)} vs {list(want.shape)}", "shape", "", "FAIL"))
            ok = False
            continue
        den = want.norm().item()
        err = (g - want).norm().item() / den if den > 0 else (g - want).norm().item()
        bad = not (err <= tol)  # also catches NaN
        ok &= not bad
        rows.append((name, str(list(g.shape)), f"{err:.3e}", f"{den:.3e}", "FAIL" if bad else "ok"))
    got = set(grads) | ({TIED_NAME} if TIED_ALIAS in grads else set())
    for name in ref:
        if name not in got:
            rows.append((name, str(list(ref[name].shape)), "missing", "", "FAIL"))
            ok = False
    width = max(len(r[0]) for r in rows)
    print(f"{'parameter':<{width}}  {'shape':<12} {'rel L2 err':>10}  {'|ref|':>9}  result")
    for name, shape, err, den, res in rows:
        print(f"{name:<{width}}  {shape:<12} {err:>10}  {den:>9}  {res}")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("model")
    ap.add_argument("batch")
    ap.add_argument("--grads", help="vecgrad's gradients, one tensor per parameter name")
    ap.add_argument("--tol", type=float, default=1e-4, help="max relative L2 error (default 1e-4)")
    args = ap.parse_args()
    make_deterministic()

    try:
        model64 = load_any(args.model, torch.float64)
        model32 = load_any(args.model, torch.float32)
        idx, targets = load_batch(args.batch)
    except ValueError as e:
        raise SystemExit(str(e))
    except OSError as e:  # a missing file is one line, not a traceback
        raise SystemExit(f"{e.filename}: {e.strerror}")
    cfg = model64.config
    if idx.shape[1] > cfg.block_size:
        raise SystemExit(f"{args.batch}: T={idx.shape[1]} exceeds block_size {cfg.block_size}")
    bad = ((idx < 0) | (idx >= cfg.vocab_size)).any() or ((targets < -1) | (targets >= cfg.vocab_size)).any()
    if bad:
        raise SystemExit(f"{args.batch}: token ids outside [0, {cfg.vocab_size}) (targets may also be -1)")

    loss64, ref = loss_and_grads(model64, idx, targets)
    loss32, _ = loss_and_grads(model32, idx, targets)
    print(f"config {cfg.to_json()}  batch {list(idx.shape)}  params {model64.num_params()}")
    print(f"loss {loss64!r}")
    print(f"loss_float32 {loss32!r}")
    if not math.isfinite(loss64):
        return 1
    if args.grads:
        ok = compare(read_grads(args.grads), ref, args.tol)
        print("all gradients within tolerance" if ok else f"FAILED: some gradient exceeds {args.tol:g} or is missing")
        return 0 if ok else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
