"""Hugging Face GPT-2 folders in plain PyTorch (no `transformers`): build, convert, check.

A GPT-2 folder (what `openai-community/gpt2` ships) is `config.json` + `model.safetensors` with
GPT-2's names (`wte.weight`, `h.0.attn.c_attn.weight`, ...; the projection weights in Conv1D layout
[in, out]) + the tokenizer (`vocab.json`, `merges.txt`, `tokenizer.json`). The architecture is
nanoGPT's (nanogpt.py) with biases, LayerNorm eps 1e-5 and the tanh GELU ("gelu_new"), so a folder
converts to nanogpt.GPT by renaming and transposing the four Conv1D weights of each block.

Commands (run from the repository root with Debian's /usr/bin/python3):

  make   --out DIR [--preset gpt2] [--n-layer L --n-head H --n-embd C --n-positions P --vocab-size V]
         [--seed S] [--dtype F32|F16|BF16] [--prefix] [--lm-head] [--no-buffers]
      A folder with random (GPT-2 init, then perturbed) weights and a byte-level BPE tokenizer
      whose vocabulary has exactly V tokens (256 bytes, merges learned on a built-in text, filler
      pieces, and <|endoftext|> last; V must be >= 257). --prefix names tensors `transformer.*`,
      --lm-head also writes the tied `lm_head.weight`, buffers are GPT-2's `attn.bias` /
      `attn.masked_bias` (left out with --no-buffers). --preset gpt2 is GPT-2 small (124,439,808
      parameters; about 500 MB in F32: write it to a scratch directory, never into the repository).

  fixtures
      Regenerates train/src/test/resources/fixtures/hf_gpt2/<name>/: a folder (config.json,
      model.safetensors), batch.safetensors and expected.safetensors (float64 logits, loss and
      every gradient under vecgrad's names, rounded to float32), as gen_gpt_fixtures.py does for
      vecgrad's own layout.

  check  DIR [--reference DIR] [--batch FILE [--loss X] [--grads FILE]]
      Checks a folder that vecgrad exported: config.json fields, every tensor's name, dtype and
      shape, tokenizer files consistent with vocab_size; with --reference, every tensor equal
      (bit for bit) to the reference folder's (prefix, lm_head and buffers aside); with --batch,
      prints `loss <value>` computed by this PyTorch model, compares it with --loss (relative
      1e-5) and the gradients in --grads (vecgrad `loss --grads-out` names, relative L2 1e-4).
      Exit status 1 on any difference.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from nanogpt import GPT, GPTConfig, make_deterministic  # noqa: E402

FIXTURES = os.path.join("train", "src", "test", "resources", "fixtures", "hf_gpt2")
CONV1D = ("attn.c_attn.weight", "attn.c_proj.weight", "mlp.c_fc.weight", "mlp.c_proj.weight")
EOT = "<|endoftext|>"


# ---------------------------------------------------------------- names and layouts

def is_conv1d(hf_name):
    return hf_name.startswith("h.") and hf_name.split(".", 2)[2] in CONV1D


def to_hf(state):
    """nanoGPT names -> GPT-2 folder names (no prefix), Conv1D weights transposed to [in, out]."""
    out = {}
    for name, t in state.items():
        if name == "lm_head.weight":
            continue  # tied to transformer.wte.weight
        assert name.startswith("transformer."), name
        hf = name[len("transformer."):]
        out[hf] = np.ascontiguousarray(t.T) if is_conv1d(hf) else t
    return out


def from_hf(tensors, cfg):
    """GPT-2 folder names (with or without prefix, buffers and lm_head allowed) -> nanoGPT names."""
    out = {}
    for name, t in tensors.items():
        if name == "lm_head.weight":
            continue
        hf = name[len("transformer."):] if name.startswith("transformer.") else name
        if hf.endswith(".attn.bias") or hf.endswith(".attn.masked_bias"):
            continue
        if hf in out:
            raise ValueError(f"tensor {hf!r} appears twice")
        out["transformer." + hf] = np.ascontiguousarray(t.T) if is_conv1d(hf) else t
    if "lm_head.weight" in tensors and not np.array_equal(tensors["lm_head.weight"], out["transformer.wte.weight"]):
        raise ValueError("lm_head.weight differs from wte.weight (the head must be tied)")
    return out


def config_json(cfg):
    """The fields transformers' GPT2Config reads, for `cfg` (block_size is n_positions)."""
    return {"architectures": ["GPT2LMHeadModel"], "model_type": "gpt2", "n_layer": cfg.n_layer, "n_head": cfg.n_head,
            "n_embd": cfg.n_embd, "n_positions": cfg.block_size, "n_ctx": cfg.block_size, "vocab_size": cfg.vocab_size,
            "layer_norm_epsilon": 1e-5, "activation_function": "gelu_new", "n_inner": None,
            "resid_pdrop": 0.1, "embd_pdrop": 0.1, "attn_pdrop": 0.1, "initializer_range": 0.02,
            "scale_attn_weights": True, "tie_word_embeddings": True, "use_cache": True,
            "bos_token_id": cfg.vocab_size - 1, "eos_token_id": cfg.vocab_size - 1}


def read_config(folder):
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    if c.get("model_type") != "gpt2":
        raise ValueError(f"{folder}/config.json: model_type {c.get('model_type')!r} is not gpt2")
    return GPTConfig(n_layer=c["n_layer"], n_head=c["n_head"], n_embd=c["n_embd"],
                     block_size=c.get("n_positions", c.get("n_ctx")), vocab_size=c["vocab_size"], bias=True)


def load_folder(folder, dtype=torch.float32):
    """A nanogpt.GPT holding the folder's weights (widened to `dtype`)."""
    cfg = read_config(folder)
    tensors, _ = safetensors_io.load_file(os.path.join(folder, "model.safetensors"))
    model = GPT(cfg).to(dtype)
    state = from_hf(tensors, cfg)
    params = dict(model.named_parameters())
    if set(state) != set(params):
        raise ValueError(f"{folder}: names differ: missing {sorted(set(params) - set(state))}, "
                         f"unexpected {sorted(set(state) - set(params))}")
    with torch.no_grad():
        for n, p in params.items():
            if tuple(state[n].shape) != tuple(p.shape):
                raise ValueError(f"{folder}: {n} has shape {list(state[n].shape)}, expected {list(p.shape)}")
            p.copy_(torch.as_tensor(np.asarray(state[n], dtype=np.float64)).to(dtype))
    return model


# ---------------------------------------------------------------- tokenizer

def bytes_to_unicode():
    """GPT-2's byte -> printable character map (printable Latin-1 to themselves, the rest from U+0100)."""
    keep = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    chars, n = {}, 0
    for b in range(256):
        if b in keep:
            chars[b] = chr(b)
        else:
            chars[b] = chr(256 + n)
            n += 1
    return chars


TRAINING_TEXT = (
    "The bank of the river was steep. The cat sat on the mat and the dog sat on the log. "
    "A river bank is not a money bank, but both hold something that flows. "
    "It was the best of times, it was the worst of times, it was the age of wisdom. "
    "To be, or not to be, that is the question: whether 'tis nobler in the mind to suffer. ") * 4


def make_tokenizer(vocab_size):
    """(vocab dict piece -> id, merges list) of exactly vocab_size tokens: bytes, merges, fillers, EOT.

    Merges are learned on TRAINING_TEXT split at spaces (each word keeps its leading space, as
    GPT-2's pre-tokenizer does); ties go to the pair seen first. Fillers are unreachable
    two-character pieces (valid for the byte-level decoder), so any id decodes.
    """
    if vocab_size < 257:
        raise ValueError(f"a byte-level BPE vocabulary needs at least 257 tokens (256 bytes + {EOT}), got {vocab_size}")
    b2u = bytes_to_unicode()
    vocab = {b2u[b]: b for b in range(256)}
    words = []
    for i, w in enumerate(TRAINING_TEXT.split(" ")):
        w = (" " if i else "") + w
        words.append([b2u[b] for b in w.encode("utf-8")])
    merges = []
    budget = min(vocab_size - 257, 200)
    while len(merges) < budget:
        counts, first = {}, {}
        for w in words:
            for a, b in zip(w, w[1:]):
                counts[(a, b)] = counts.get((a, b), 0) + 1
                first.setdefault((a, b), len(first))
        if not counts:
            break
        best = max(counts, key=lambda p: (counts[p], -first[p]))
        if counts[best] < 2:
            break
        merges.append(best)
        vocab[best[0] + best[1]] = len(vocab)
        for w in words:
            i = 0
            while i < len(w) - 1:
                if (w[i], w[i + 1]) == best:
                    w[i:i + 2] = [best[0] + best[1]]
                i += 1
    alphabet = [b2u[b] for b in range(256)]
    k = 0
    while len(vocab) < vocab_size - 1:
        piece = alphabet[k // 256] + alphabet[k % 256] + "\u0100"  # 3 symbols: never a merge result here
        k += 1
        if piece not in vocab:
            vocab[piece] = len(vocab)
    vocab[EOT] = len(vocab)
    return vocab, merges


def write_tokenizer(folder, vocab, merges):
    with open(os.path.join(folder, "vocab.json"), "w", encoding="utf-8") as f:
        json.dump(vocab, f, ensure_ascii=False)
    with open(os.path.join(folder, "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n")
        for a, b in merges:
            f.write(f"{a} {b}\n")
    tj = {"version": "1.0", "truncation": None, "padding": None,
          "added_tokens": [{"id": vocab[EOT], "content": EOT, "single_word": False, "lstrip": False, "rstrip": False,
                            "normalized": True, "special": True}],
          "normalizer": None,
          "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
          "post_processor": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
          "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
          "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": "",
                    "end_of_word_suffix": "", "fuse_unk": False, "byte_fallback": False,
                    "vocab": vocab, "merges": [f"{a} {b}" for a, b in merges]}}
    with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as f:
        json.dump(tj, f, ensure_ascii=False)


# ---------------------------------------------------------------- making folders

def perturb(model, gen):
    """Noise on every parameter so none sits at an init value (as gen_gpt_fixtures.py does)."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            p.add_((0.1 if p.dim() == 1 else 0.02) * torch.randn(p.shape, generator=gen, dtype=p.dtype))


def encode_dtype(t, dtype):
    """float32 array -> what safetensors_io writes for `dtype`, and the float32 values it holds."""
    t = torch.as_tensor(t)
    if dtype == "F32":
        return t.numpy(), t.numpy()
    if dtype == "F16":
        h = t.to(torch.float16)
        return h.numpy(), h.float().numpy()
    if dtype == "BF16":
        h = t.to(torch.bfloat16)
        return safetensors_io.BF16Bits(h.view(torch.int16).numpy()), h.float().numpy()
    raise ValueError(f"unknown dtype {dtype}")


def write_folder(folder, model, dtype="F32", prefix=False, lm_head=False, buffers=True, tokenizer=True):
    """Write `model` (a nanogpt.GPT with biases) as a GPT-2 folder; returns the float32 state it holds."""
    cfg = model.config
    os.makedirs(folder, exist_ok=True)
    state = {n: p.detach().float().numpy() for n, p in model.named_parameters()}
    hf = to_hf(state)
    tensors, held = {}, {}
    for n, t in hf.items():
        stored, held[n] = encode_dtype(t, dtype)
        tensors[("transformer." if prefix else "") + n] = stored
    if lm_head:
        tensors["lm_head.weight"] = tensors[("transformer." if prefix else "") + "wte.weight"]
    if buffers:
        P = cfg.block_size
        for i in range(cfg.n_layer):
            pre = ("transformer." if prefix else "") + f"h.{i}.attn."
            tensors[pre + "bias"] = np.tril(np.ones((P, P), dtype=np.uint8)).reshape(1, 1, P, P).astype(np.bool_)
            tensors[pre + "masked_bias"] = np.array(-1e4, dtype=np.float32)
    safetensors_io.save_file(tensors, os.path.join(folder, "model.safetensors"), {"format": "pt"})
    with open(os.path.join(folder, "config.json"), "w", encoding="utf-8") as f:
        json.dump(config_json(cfg), f, indent=2)
        f.write("\n")
    if tokenizer:
        write_tokenizer(folder, *make_tokenizer(cfg.vocab_size))
    return from_hf(held, cfg)


def make(args):
    if args.preset == "gpt2":
        cfg = GPTConfig(n_layer=12, n_head=12, n_embd=768, block_size=1024, vocab_size=50257, bias=True)
    else:
        cfg = GPTConfig(n_layer=args.n_layer, n_head=args.n_head, n_embd=args.n_embd, block_size=args.n_positions,
                        vocab_size=args.vocab_size, bias=True)
    torch.manual_seed(args.seed)
    model = GPT(cfg)
    if args.preset != "gpt2":  # the 124M folder is for speed and memory figures: init values are fine
        perturb(model, torch.Generator().manual_seed(args.seed + 1))
    write_folder(args.out, model, args.dtype, args.prefix, args.lm_head, not args.no_buffers)
    print(f"{args.out}: {cfg.n_layer} layers, {cfg.n_head} heads, {cfg.n_embd} wide, n_positions {cfg.block_size}, "
          f"vocab {cfg.vocab_size}, {model.num_params():,} parameters, {args.dtype}")


# ---------------------------------------------------------------- fixtures

# name: (config, dtype, prefix, lm_head, buffers, B, T, seed)
FIXTURE_SPECS = {
    # openai-community/gpt2's own naming: no prefix, buffers, no lm_head
    "plain": (GPTConfig(n_layer=2, n_head=2, n_embd=16, block_size=8, vocab_size=11, bias=True), "F32", False, False, True, 3, 8, 11),
    # GPT2LMHeadModel.save_pretrained naming: transformer. prefix, tied lm_head written; T < n_positions
    "prefixed": (GPTConfig(n_layer=1, n_head=4, n_embd=24, block_size=12, vocab_size=13, bias=True), "F32", True, True, False, 2, 7, 22),
    # half-precision weights, widened on load (the expected values use the rounded weights)
    "f16": (GPTConfig(n_layer=2, n_head=3, n_embd=12, block_size=6, vocab_size=9, bias=True), "F16", False, False, True, 2, 6, 33),
}


def fixtures(_args):
    if not os.path.isfile(os.path.join("nn", "pom.xml")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/pytorch/hf_gpt2.py fixtures")
    for name, (cfg, dtype, prefix, lm_head, buffers, B, T, seed) in FIXTURE_SPECS.items():
        torch.manual_seed(seed)
        gen = torch.Generator().manual_seed(seed + 1)
        model = GPT(cfg)
        perturb(model, gen)
        d = os.path.join(FIXTURES, name)
        held = write_folder(d, model, dtype, prefix, lm_head, buffers, tokenizer=False)
        # the reference computes on exactly the values the file holds, in float64
        m64 = GPT(cfg).double()
        with torch.no_grad():
            for n, p in m64.named_parameters():
                p.copy_(torch.as_tensor(np.asarray(held[n], dtype=np.float64)))
        idx = torch.randint(0, cfg.vocab_size, (B, T), generator=gen, dtype=torch.long)
        targets = torch.randint(0, cfg.vocab_size, (B, T), generator=gen, dtype=torch.long)
        logits, loss = m64(idx, targets)
        loss.backward()
        expected = {"logits": logits.detach().float(), "loss": loss.detach().float().reshape(())}
        expected.update({f"grad.{n}": p.grad.float() for n, p in m64.named_parameters()})
        safetensors_io.save_file({"idx": idx, "targets": targets}, os.path.join(d, "batch.safetensors"))
        safetensors_io.save_file(expected, os.path.join(d, "expected.safetensors"),
                                 {"loss_f64": repr(loss.item()), "computed_in": "float64, rounded to float32",
                                  "torch": torch.__version__})
        print(f"{name}: {dtype} prefix={prefix} lm_head={lm_head} buffers={buffers} batch {B}x{T} loss {loss.item():.9g}")


# ---------------------------------------------------------------- checking an export

def check(args):
    problems = []
    folder = args.dir
    with open(os.path.join(folder, "config.json"), encoding="utf-8") as f:
        c = json.load(f)
    for k, want in (("model_type", "gpt2"), ("activation_function", "gelu_new"), ("layer_norm_epsilon", 1e-5)):
        if c.get(k) != want:
            problems.append(f"config.json: {k} is {c.get(k)!r}, expected {want!r}")
    cfg = read_config(folder)
    tensors, meta = safetensors_io.load_file(os.path.join(folder, "model.safetensors"))
    if meta.get("format") != "pt":
        problems.append(f"model.safetensors: metadata format is {meta.get('format')!r}; transformers expects 'pt'")
    C, V, P = cfg.n_embd, cfg.vocab_size, cfg.block_size
    want = {"wte.weight": (V, C), "wpe.weight": (P, C), "ln_f.weight": (C,), "ln_f.bias": (C,)}
    for i in range(cfg.n_layer):
        for n, s in (("ln_1.weight", (C,)), ("ln_1.bias", (C,)), ("attn.c_attn.weight", (C, 3 * C)), ("attn.c_attn.bias", (3 * C,)),
                     ("attn.c_proj.weight", (C, C)), ("attn.c_proj.bias", (C,)), ("ln_2.weight", (C,)), ("ln_2.bias", (C,)),
                     ("mlp.c_fc.weight", (C, 4 * C)), ("mlp.c_fc.bias", (4 * C,)), ("mlp.c_proj.weight", (4 * C, C)),
                     ("mlp.c_proj.bias", (C,))):
            want[f"h.{i}.{n}"] = s
    if set(tensors) != set(want):
        problems.append(f"tensor names: missing {sorted(set(want) - set(tensors))}, unexpected {sorted(set(tensors) - set(want))}")
    for n, s in want.items():
        if n in tensors and (tuple(tensors[n].shape) != s or tensors[n].dtype != np.float32):
            problems.append(f"{n}: {tensors[n].dtype} {list(tensors[n].shape)}, expected float32 {list(s)}")
    tok = os.path.join(folder, "vocab.json")
    if os.path.exists(tok):
        with open(tok, encoding="utf-8") as f:
            vocab = json.load(f)
        if len(vocab) != V or sorted(vocab.values()) != list(range(V)):
            problems.append(f"vocab.json: {len(vocab)} pieces with ids not exactly 0..{V - 1}")
        with open(os.path.join(folder, "merges.txt"), encoding="utf-8") as f:
            lines = f.read().split("\n")
        for ln, line in enumerate(lines[1:], start=2):
            if line and (len(line.split(" ")) != 2 or line.replace(" ", "") not in vocab):
                problems.append(f"merges.txt line {ln}: {line!r} is not a merge of two pieces into a vocabulary piece")
                break
    else:
        problems.append("no vocab.json")
    if args.reference:
        ref, _ = safetensors_io.load_file(os.path.join(args.reference, "model.safetensors"))
        ref = {n[len("transformer."):] if n.startswith("transformer.") else n: t for n, t in ref.items()}
        for n in want:
            if n in tensors and (n not in ref or not np.array_equal(ref[n].astype(np.float32), tensors[n])):
                problems.append(f"{n}: differs from the reference folder")
    if args.batch:
        model = load_folder(folder, torch.float64)
        bt, _ = safetensors_io.load_file(args.batch)
        idx, targets = torch.as_tensor(bt["idx"]).long(), torch.as_tensor(bt["targets"]).long()
        _, loss = model(idx, targets)
        loss.backward()
        print(f"loss {loss.item():.9g}")
        if args.loss is not None and abs(args.loss - loss.item()) > 1e-5 * abs(loss.item()):
            problems.append(f"loss: vecgrad {args.loss} vs PyTorch {loss.item()}")
        if args.grads:
            grads, _ = safetensors_io.load_file(args.grads)
            for n, p in model.named_parameters():
                g = grads.get(n, grads.get("grad." + n))
                if g is None:
                    problems.append(f"no gradient for {n}")
                    continue
                ref_g = p.grad.numpy()
                err = np.linalg.norm(g.astype(np.float64) - ref_g) / max(np.linalg.norm(ref_g), 1e-12)
                if err > 1e-4:
                    problems.append(f"gradient of {n}: relative L2 error {err:.2e}")
    for p in problems:
        print("FAIL " + p)
    print(f"{folder}: {'OK' if not problems else str(len(problems)) + ' problem(s)'}")
    return 1 if problems else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    m = sub.add_parser("make")
    m.add_argument("--out", required=True)
    m.add_argument("--preset", choices=["gpt2"])
    m.add_argument("--n-layer", type=int, default=2)
    m.add_argument("--n-head", type=int, default=2)
    m.add_argument("--n-embd", type=int, default=32)
    m.add_argument("--n-positions", type=int, default=64)
    m.add_argument("--vocab-size", type=int, default=320)
    m.add_argument("--seed", type=int, default=1337)
    m.add_argument("--dtype", choices=["F32", "F16", "BF16"], default="F32")
    m.add_argument("--prefix", action="store_true")
    m.add_argument("--lm-head", action="store_true")
    m.add_argument("--no-buffers", action="store_true")
    sub.add_parser("fixtures")
    c = sub.add_parser("check")
    c.add_argument("dir")
    c.add_argument("--reference")
    c.add_argument("--batch")
    c.add_argument("--loss", type=float)
    c.add_argument("--grads")
    args = ap.parse_args()
    make_deterministic()
    if args.cmd == "make":
        make(args)
    elif args.cmd == "fixtures":
        fixtures(args)
    else:
        sys.exit(check(args))


if __name__ == "__main__":
    main()
