"""Generate the GPT forward/backward parity fixtures for vecgrad's nn tests.

Regenerate (from the repository root):
    /usr/bin/python3 tools/pytorch/gen_gpt_fixtures.py

For each config below: seed torch, build the GPT with GPT-2 init (nanogpt.py), then perturb
EVERY parameter (LayerNorm weights/biases and Linear biases get N(0, 0.1) noise, 2-D weights get
an extra N(0, 0.02)) so no parameter sits at an init value where a wrong gradient could hide
(a LayerNorm weight of exactly 1 or a bias of exactly 0 masks several bugs). Then draw a random
batch and run forward + backward.

Precision choice: the expected values are computed in float64 (the float32 weights are converted
exactly to float64, so this is the true math on the stored weights) and then rounded to float32.
vecgrad computes in float32 and should match the exact answer to float32 accuracy; the float64
reference keeps PyTorch's own float32 rounding out of the comparison. The script also runs the
float32 forward/backward and records, in the metadata of expected.safetensors, how far PyTorch's
float32 result is from the float64 one (`f32_vs_f64_max_rel_l2`) as a guide for tolerances.

Output, in train/src/test/resources/fixtures/gpt/<name>/:
  model.safetensors     every parameter, F32, tied weight only as transformer.wte.weight;
                        metadata "config" = {"n_layer":..,"n_head":..,"n_embd":..,"block_size":..,
                        "vocab_size":..,"bias":..} (compact JSON, this key order)
  batch.safetensors     idx [B,T] I64, targets [B,T] I64 (-1 = ignored by the loss)
  expected.safetensors  logits [B,T,V] F32, loss F32 of shape [] (a 0-d scalar), and
                        grad.<param name> (same shape as the parameter) for every parameter; the
                        tied weight's gradient (embedding + lm_head paths) is
                        grad.transformer.wte.weight. Metadata: loss_f64 (repr of the float64
                        loss), computed_in, f32_vs_f64_max_rel_l2, torch version.
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from nanogpt import GPT, GPTConfig, make_deterministic, save_model  # noqa: E402

OUT = os.path.join("train", "src", "test", "resources", "fixtures", "gpt")

# name: (config, batch size, sequence length, fraction of targets set to -1, seed)
FIXTURES = {
    "A": (GPTConfig(n_layer=2, n_head=2, n_embd=16, block_size=8, vocab_size=11, bias=True), 3, 8, 0.0, 101),
    # T < block_size: rows T.. of wpe must get a zero gradient; bias=False drops every bias
    "B": (GPTConfig(n_layer=1, n_head=4, n_embd=24, block_size=12, vocab_size=13, bias=False), 2, 7, 0.0, 202),
    # ignore_index: the mean is over the non-ignored targets only
    "C": (GPTConfig(n_layer=3, n_head=3, n_embd=12, block_size=6, vocab_size=7, bias=True), 4, 6, 0.3, 303),
}


def perturb(model, gen):
    """Add noise to every parameter, in named_parameters order, from generator `gen`."""
    with torch.no_grad():
        for _, p in model.named_parameters():
            scale = 0.1 if p.dim() == 1 else 0.02
            p.add_(scale * torch.randn(p.shape, generator=gen, dtype=p.dtype))


def make_batch(cfg, B, T, ignore_frac, gen):
    idx = torch.randint(0, cfg.vocab_size, (B, T), generator=gen, dtype=torch.long)
    targets = torch.randint(0, cfg.vocab_size, (B, T), generator=gen, dtype=torch.long)
    if ignore_frac > 0:
        drop = torch.rand((B, T), generator=gen) < ignore_frac
        drop[0, 0] = True  # at least one ignored target
        drop[-1, -1] = False  # and at least one counted
        targets[drop] = -1
    return idx, targets


def forward_backward(model, idx, targets):
    model.zero_grad(set_to_none=True)
    logits, loss = model(idx, targets)
    loss.backward()
    grads = {n: p.grad.detach().clone() for n, p in model.named_parameters()}
    return logits.detach(), loss.detach(), grads


def rel_l2(a, ref):
    a, ref = a.double(), ref.double()
    den = ref.norm().item()
    num = (a - ref).norm().item()
    return num / den if den > 0 else num


def check_causal(model, idx):
    """Changing the last token must leave the logits at earlier positions unchanged."""
    with torch.no_grad():
        a, _ = model(idx)
        idx2 = idx.clone()
        idx2[:, -1] = (idx2[:, -1] + 1) % model.config.vocab_size
        b, _ = model(idx2)
    assert torch.equal(a[:, :-1], b[:, :-1]), "attention is not causal"


def generate(name, cfg, B, T, ignore_frac, seed):
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed + 1)
    model32 = GPT(cfg)
    perturb(model32, gen)
    idx, targets = make_batch(cfg, B, T, ignore_frac, gen)
    check_causal(model32, idx)

    logits32, loss32, grads32 = forward_backward(model32, idx, targets)
    model64 = GPT(cfg).double()
    model64.load_state_dict(model32.state_dict())  # exact: every float32 is a float64
    logits64, loss64, grads64 = forward_backward(model64, idx, targets)

    errs = {"logits": rel_l2(logits32, logits64), "loss": rel_l2(loss32, loss64)}
    errs.update({f"grad.{n}": rel_l2(grads32[n], grads64[n]) for n in grads64})
    worst = max(errs, key=errs.get)

    d = os.path.join(OUT, name)
    os.makedirs(d, exist_ok=True)
    save_model(model32, os.path.join(d, "model.safetensors"))
    safetensors_io.save_file({"idx": idx, "targets": targets}, os.path.join(d, "batch.safetensors"))
    expected = {"logits": logits64.float(), "loss": loss64.float().reshape(())}
    expected.update({f"grad.{n}": g.float() for n, g in grads64.items()})
    meta = {"loss_f64": repr(loss64.item()), "computed_in": "float64, rounded to float32",
            "f32_vs_f64_max_rel_l2": f"{errs[worst]:.3e} ({worst})", "torch": torch.__version__}
    safetensors_io.save_file(expected, os.path.join(d, "expected.safetensors"), meta)

    # the reader must give back exactly what was written
    back, _ = safetensors_io.load_file(os.path.join(d, "expected.safetensors"))
    assert all(np.array_equal(back[k], expected[k].numpy()) for k in expected)

    n_ignored = int((targets == -1).sum())
    print(f"{name}: {cfg.to_json()} batch {B}x{T} ignored {n_ignored} params {model32.num_params()}")
    print(f"   loss f64 {loss64.item():.17g}  f32 {loss32.item():.9g}  "
          f"f32-vs-f64 worst rel L2 {errs[worst]:.2e} ({worst})")


def main():
    make_deterministic()
    if not os.path.isfile(os.path.join("nn", "pom.xml")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/pytorch/gen_gpt_fixtures.py")
    for name, (cfg, B, T, ignore_frac, seed) in FIXTURES.items():
        generate(name, cfg, B, T, ignore_frac, seed)


if __name__ == "__main__":
    main()
