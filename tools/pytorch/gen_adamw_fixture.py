"""Generate the AdamW training-trajectory fixture for vecgrad's train tests.

Regenerate (from the repository root):
    /usr/bin/python3 tools/pytorch/gen_adamw_fixture.py

Recipe (what a vecgrad test must do to reproduce model_after from model_init):
  model    GPT n_layer=2 n_head=2 n_embd=16 block_size=8 vocab_size=11 bias=True dropout=0,
           GPT-2 init with seed 505, then every parameter perturbed as in gen_gpt_fixtures.py
           (1-D params + N(0, 0.1), 2-D + N(0, 0.02)).
  data     10 fixed batches idx[s], targets[s] of shape [B=4, T=8]; step s uses batch s.
  step s = 1..10:
    loss = cross_entropy(logits, targets) (mean over the B*T tokens), backward;
    grad_norm = L2 norm over ALL parameter gradients together (tied weight once), recorded
      BEFORE clipping;
    clipping as torch.nn.utils.clip_grad_norm_(params, 1.0): every grad *= min(1, 1.0 / (grad_norm + 1e-6))
      (note the 1e-6, and that grads are left untouched when the factor is 1);
    torch.optim.AdamW, constant lr 1e-3, betas (0.9, 0.99), eps 1e-8, with two groups
      (nanoGPT): weight_decay 0.1 for parameters with dim >= 2 (all Linear weights and both
      embeddings, the tied wte/lm_head weight once), weight_decay 0 for biases and LayerNorm params.
      Per parameter, with t = step:
        p   *= 1 - lr * wd                     (decoupled decay, applied first)
        m    = b1 * m + (1 - b1) * g
        v    = b2 * v + (1 - b2) * g * g
        p   -= (lr / (1 - b1^t)) * m / (sqrt(v) / sqrt(1 - b2^t) + eps)
  Precision: like the GPT fixtures, the trajectory is computed in float64 (from the float32
  initial weights) and the results are rounded to float32. The metadata of expected.safetensors
  gives how far PyTorch's own float32 run ends up from it (f32_vs_f64_*), a guide for tolerances.

Output, in train/src/test/resources/fixtures/adamw/:
  model_init.safetensors   initial weights (F32, config metadata, tied weight once)
  batches.safetensors      idx [10,4,8] I64, targets [10,4,8] I64 (stacked: step s uses [s-1])
  model_after.safetensors  weights after the 10 steps (F32, config metadata)
  expected.safetensors     losses [10] F32 (loss of step s before its update, at index s-1),
                           grad_norms [10] F32 (pre-clip); metadata: the recipe in short, the
                           float64 values as JSON lists (losses_f64, grad_norms_f64)
  optimizer_after.safetensors  AdamW state after step 10 in the layout of docs/DESIGN.md section 9:
                           exp_avg.<param>, exp_avg_sq.<param> (F32), step (I64, shape [])
"""
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import safetensors_io  # noqa: E402
from gen_gpt_fixtures import perturb  # noqa: E402
from nanogpt import GPT, GPTConfig, make_deterministic, save_model  # noqa: E402

OUT = os.path.join("train", "src", "test", "resources", "fixtures", "adamw")
CFG = GPTConfig(n_layer=2, n_head=2, n_embd=16, block_size=8, vocab_size=11, bias=True)
SEED, STEPS, B, T = 505, 10, 4, 8
LR, BETAS, EPS, WD, CLIP = 1e-3, (0.9, 0.99), 1e-8, 0.1, 1.0


def make_optimizer(model):
    decay = [p for _, p in model.named_parameters() if p.dim() >= 2]
    no_decay = [p for _, p in model.named_parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": WD}, {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=LR, betas=BETAS, eps=EPS, foreach=False)


def train(model, idx, targets):
    """Run the recipe; returns (losses, pre-clip grad norms) as lists of Python floats."""
    opt = make_optimizer(model)
    params = list(model.parameters())
    losses, norms = [], []
    for s in range(STEPS):
        opt.zero_grad(set_to_none=True)
        _, loss = model(idx[s], targets[s])
        loss.backward()
        norm = torch.nn.utils.clip_grad_norm_(params, CLIP)
        opt.step()
        losses.append(loss.item())
        norms.append(norm.item())
    return losses, norms, opt


def main():
    make_deterministic()
    if not os.path.isfile(os.path.join("train", "pom.xml")):
        sys.exit("run from the repository root: /usr/bin/python3 tools/pytorch/gen_adamw_fixture.py")
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED + 1)
    model32 = GPT(CFG)
    perturb(model32, gen)
    idx = torch.randint(0, CFG.vocab_size, (STEPS, B, T), generator=gen, dtype=torch.long)
    targets = torch.randint(0, CFG.vocab_size, (STEPS, B, T), generator=gen, dtype=torch.long)

    os.makedirs(OUT, exist_ok=True)
    save_model(model32, os.path.join(OUT, "model_init.safetensors"))
    safetensors_io.save_file({"idx": idx, "targets": targets}, os.path.join(OUT, "batches.safetensors"))

    model64 = GPT(CFG).double()
    model64.load_state_dict(model32.state_dict())
    losses64, norms64, opt64 = train(model64, idx, targets)
    losses32, norms32, _ = train(model32, idx, targets)

    p64 = dict(model64.named_parameters())
    p32 = dict(model32.named_parameters())
    max_abs = max((p32[n].double() - p64[n]).abs().max().item() for n in p64)
    # how much the 10 steps moved the weights, to put max_abs in perspective
    moved = max((p64[n] - torch.as_tensor(safetensors_io.load_file(
        os.path.join(OUT, "model_init.safetensors"))[0][n]).double()).abs().max().item() for n in p64)
    loss_diff = max(abs(a - b) for a, b in zip(losses32, losses64))

    model_after = GPT(CFG)
    model_after.load_state_dict(model64.state_dict())  # rounds float64 -> float32
    save_model(model_after, os.path.join(OUT, "model_after.safetensors"))

    meta = {
        "recipe": f"AdamW lr={LR} betas={list(BETAS)} eps={EPS} wd={WD} on dim>=2 params only, "
                  f"clip_grad_norm {CLIP} (coef = {CLIP}/(norm+1e-6) if < 1), constant lr, {STEPS} steps, "
                  f"batch s for step s, computed in float64 then rounded to float32",
        "losses_f64": json.dumps(losses64), "grad_norms_f64": json.dumps(norms64),
        "f32_vs_f64_max_abs_param": f"{max_abs:.3e}", "max_abs_param_change": f"{moved:.3e}",
        "f32_vs_f64_max_abs_loss": f"{loss_diff:.3e}", "torch": torch.__version__,
    }
    expected = {"losses": np.array(losses64, dtype=np.float32), "grad_norms": np.array(norms64, dtype=np.float32)}
    safetensors_io.save_file(expected, os.path.join(OUT, "expected.safetensors"), meta)

    state = {}
    for n, p in model64.named_parameters():
        st = opt64.state[p]
        state[f"exp_avg.{n}"] = st["exp_avg"].float()
        state[f"exp_avg_sq.{n}"] = st["exp_avg_sq"].float()
    state["step"] = np.array(STEPS, dtype=np.int64)
    safetensors_io.save_file(state, os.path.join(OUT, "optimizer_after.safetensors"))

    print(f"config {CFG.to_json()} params {model64.num_params()} batches {STEPS}x{B}x{T}")
    for s in range(STEPS):
        clipped = "clipped" if norms64[s] > CLIP else ""
        print(f"step {s + 1:2d} loss {losses64[s]:.10f} grad_norm {norms64[s]:.10f} {clipped}")
    print(f"float32 vs float64: max |param diff| {max_abs:.3e} (max param change {moved:.3e}), "
          f"max |loss diff| {loss_diff:.3e}")


if __name__ == "__main__":
    main()
