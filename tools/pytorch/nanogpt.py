"""A small nanoGPT-architecture GPT in PyTorch, the reference side of vecgrad's parity tests.

Parameter names and layouts match docs/DESIGN.md section 7 (nanoGPT's names, Linear
weights [out, in]); files follow section 4 (safetensors with a "config" JSON string in the
metadata). `lm_head.weight` is the same Parameter as `transformer.wte.weight` (tied), so it is
counted, saved and given a gradient once, under `transformer.wte.weight`.

Run `/usr/bin/python3 tools/pytorch/nanogpt.py` to print the shakespeare-char parameter count
(809,856 with the tied weight counted once; nanoGPT itself prints 0.80M because its
`get_num_params` also leaves out the position embedding: 801,664).
"""
import json
import math
import os
import sys
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402

TIED_NAME = "transformer.wte.weight"
TIED_ALIAS = "lm_head.weight"
CONFIG_KEYS = ("n_layer", "n_head", "n_embd", "block_size", "vocab_size", "bias")


def make_deterministic(threads=1):
    """Fix the things that make CPU results vary between runs (seed is set by the caller)."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)


@dataclass
class GPTConfig:
    n_layer: int = 4
    n_head: int = 4
    n_embd: int = 128
    block_size: int = 64
    vocab_size: int = 65
    bias: bool = True
    dropout: float = 0.0

    def to_json(self):
        """The metadata string of docs/DESIGN.md section 9: compact, keys in this order, no dropout."""
        d = {k: getattr(self, k) for k in CONFIG_KEYS}
        return json.dumps(d, separators=(",", ":"))

    @staticmethod
    def from_json(text):
        d = json.loads(text)
        missing = [k for k in CONFIG_KEYS[:5] if k not in d]
        if missing:
            raise ValueError(f"config {text!r}: missing keys {missing}")
        unknown = sorted(set(d) - set(CONFIG_KEYS) - {"dropout"})
        if unknown:
            print(f"warning: config has unknown keys {unknown}; ignored", file=sys.stderr)
        return GPTConfig(n_layer=int(d["n_layer"]), n_head=int(d["n_head"]), n_embd=int(d["n_embd"]),
                         block_size=int(d["block_size"]), vocab_size=int(d["vocab_size"]),
                         bias=bool(d.get("bias", True)), dropout=float(d.get("dropout", 0.0)))


class LayerNorm(nn.Module):
    """LayerNorm over the last dim, eps 1e-5, with an optional bias (nanoGPT's bias=False)."""

    def __init__(self, n, bias):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.bias = nn.Parameter(torch.zeros(n)) if bias else None

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, self.bias, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        assert cfg.n_embd % cfg.n_head == 0, f"n_embd {cfg.n_embd} not divisible by n_head {cfg.n_head}"
        self.n_head = cfg.n_head
        self.c_attn = nn.Linear(cfg.n_embd, 3 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.attn_dropout = nn.Dropout(cfg.dropout)
        self.resid_dropout = nn.Dropout(cfg.dropout)
        mask = torch.tril(torch.ones(cfg.block_size, cfg.block_size, dtype=torch.bool))
        self.register_buffer("mask", mask.view(1, 1, cfg.block_size, cfg.block_size), persistent=False)

    def forward(self, x):
        B, T, C = x.shape
        hs = C // self.n_head
        # c_attn output [B,T,3C] splits along the last dim into q, k, v in that order
        q, k, v = self.c_attn(x).split(C, dim=2)
        q = q.view(B, T, self.n_head, hs).transpose(1, 2)  # [B,nh,T,hs]
        k = k.view(B, T, self.n_head, hs).transpose(1, 2)
        v = v.view(B, T, self.n_head, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))  # [B,nh,T,T]
        att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        att = self.attn_dropout(F.softmax(att, dim=-1))
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)  # heads concatenated
        return self.resid_dropout(self.c_proj(y))


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.c_fc = nn.Linear(cfg.n_embd, 4 * cfg.n_embd, bias=cfg.bias)
        self.c_proj = nn.Linear(4 * cfg.n_embd, cfg.n_embd, bias=cfg.bias)
        self.dropout = nn.Dropout(cfg.dropout)

    def forward(self, x):
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x), approximate="tanh")))


class Block(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.ln_1 = LayerNorm(cfg.n_embd, cfg.bias)
        self.attn = CausalSelfAttention(cfg)
        self.ln_2 = LayerNorm(cfg.n_embd, cfg.bias)
        self.mlp = MLP(cfg)

    def forward(self, x):
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.config = cfg
        self.transformer = nn.ModuleDict(dict(
            wte=nn.Embedding(cfg.vocab_size, cfg.n_embd),
            wpe=nn.Embedding(cfg.block_size, cfg.n_embd),
            drop=nn.Dropout(cfg.dropout),
            h=nn.ModuleList([Block(cfg) for _ in range(cfg.n_layer)]),
            ln_f=LayerNorm(cfg.n_embd, cfg.bias),
        ))
        self.lm_head = nn.Linear(cfg.n_embd, cfg.vocab_size, bias=False)
        self.lm_head.weight = self.transformer.wte.weight  # tied: one Parameter, two names
        self._init_gpt2()

    def _init_gpt2(self):
        # Order matters for reproducing a given seed: modules in registration order, then the
        # residual projections are re-drawn with the smaller std (as nanoGPT does).
        for m in self.modules():
            if isinstance(m, nn.Linear):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.Embedding):
                nn.init.normal_(m.weight, mean=0.0, std=0.02)
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * self.config.n_layer))

    def num_params(self):
        """Parameter count, the tied weight once (named_parameters de-duplicates shared tensors)."""
        return sum(p.numel() for p in self.parameters())

    def forward(self, idx, targets=None):
        B, T = idx.shape
        if T > self.config.block_size:
            raise ValueError(f"GPT.forward: sequence length {T} exceeds block_size {self.config.block_size}")
        pos = torch.arange(T, dtype=torch.long, device=idx.device)
        x = self.transformer.drop(self.transformer.wte(idx) + self.transformer.wpe(pos))
        for block in self.transformer.h:
            x = block(x)
        logits = self.lm_head(self.transformer.ln_f(x))  # [B,T,V]
        loss = None
        if targets is not None:
            loss = F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)
        return logits, loss


def state_tensors(model):
    """name -> float32 numpy array, the tied weight only as transformer.wte.weight."""
    return {n: p.detach().to(torch.float32).cpu().numpy() for n, p in model.named_parameters()}


def save_model(model, path, extra_metadata=None):
    """Write docs/DESIGN.md section 9's model.safetensors (F32, config metadata, tied weight once)."""
    names = [n for n, _ in model.named_parameters()]
    assert TIED_NAME in names and TIED_ALIAS not in names, names
    meta = {"config": model.config.to_json()}
    if extra_metadata:
        meta.update(extra_metadata)
    safetensors_io.save_file(state_tensors(model), path, meta)


def load_state(model, tensors, source="<tensors>"):
    """Copy `tensors` (name -> array) into `model`; strict except for the tied weight's two names.

    Accepts transformer.wte.weight, lm_head.weight or both (both must then be equal). Raises
    ValueError listing every missing/unexpected name and shape mismatch.
    """
    tensors = dict(tensors)
    problems = []
    if TIED_ALIAS in tensors:
        alias = tensors.pop(TIED_ALIAS)
        if TIED_NAME in tensors:
            if tensors[TIED_NAME].shape != alias.shape or not (tensors[TIED_NAME] == alias).all():
                problems.append(f"{TIED_NAME} and {TIED_ALIAS} are both present but differ (they are tied)")
        else:
            tensors[TIED_NAME] = alias
    params = dict(model.named_parameters())
    missing = [n for n in params if n not in tensors]
    unexpected = [n for n in tensors if n not in params]
    if missing:
        problems.append(f"missing: {missing}")
    if unexpected:
        problems.append(f"unexpected: {unexpected}")
    for n, p in params.items():
        if n in tensors and tuple(tensors[n].shape) != tuple(p.shape):
            problems.append(f"shape mismatch for {n}: file {list(tensors[n].shape)}, model {list(p.shape)}")
    if problems:
        raise ValueError(f"load_state: {source}: " + "; ".join(problems))
    with torch.no_grad():
        for n, p in params.items():
            p.copy_(torch.as_tensor(tensors[n]).to(p.dtype))


def load_model(path, dtype=torch.float32):
    """Build a GPT from a model.safetensors (config from its metadata) and load its weights."""
    tensors, meta = safetensors_io.load_file(path)
    if "config" not in meta:
        raise ValueError(f"load_model: {path}: metadata has no 'config' (keys: {sorted(meta)})")
    model = GPT(GPTConfig.from_json(meta["config"])).to(dtype)
    load_state(model, tensors, source=str(path))
    return model, meta


def shakespeare_char_config():
    return GPTConfig(n_layer=4, n_head=4, n_embd=128, block_size=64, vocab_size=65, bias=True)


if __name__ == "__main__":
    make_deterministic()
    torch.manual_seed(1337)
    cfg = shakespeare_char_config()
    model = GPT(cfg)
    n = model.num_params()
    print(f"config {cfg.to_json()}")
    print(f"parameters (tied weight once): {n:,}")
    assert n == 809_856, n
    print(f"without the position embedding (nanoGPT's get_num_params): {n - model.transformer.wpe.weight.numel():,}")
