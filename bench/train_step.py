"""Training-step throughput on CPU: saescope vs EleutherAI sparsify vs SAELens, and the encoder-GEMM floor.

One full optimiser step per library, as its own trainer does it, at d_in 576, d_sae 9216, k 32, 4096 tokens,
with AuxK on and ~10% of the latents dead (the same latent indices for every library, re-marked dead before
every step, outside the timed region). Variants are timed round-robin (interleaved), after warmup.

    .venv/bin/python bench/train_step.py [--reps 5] [--warmup 2]

The peers are optional: a missing one is reported and skipped.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import math
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch

from saescope.sae import TopKSae
from saescope.train.trainer import Hyperparams, Trainer
from saescope.utils.precision import compute_dtype

D_IN, D_SAE, K, N_TOKENS = 576, 9216, 32, 4096
DEAD_FRACTION = 0.10
AUX_COEF = 1 / 32  # saescope's default AuxK coefficient, used for the peers too (speed does not depend on it)
SAESCOPE_AUX_K = 512
DEAD_TOKENS = 10_000_000  # saescope's and sparsify's default dead threshold, in tokens
FLOOR_TARGET = 2.5
PEER_TARGET = 2.0
# What the reference recipe's bf16 autocast computes in on this CPU: float32 where bf16 is emulated (AVX2 only).
STEP_DTYPE = compute_dtype("bfloat16", torch.device("cpu"))
NATIVE_BF16 = STEP_DTYPE is torch.bfloat16


@dataclass
class Variant:
    name: str
    settings: str
    step: Callable[[], float]  # one training step; returns its AuxK loss (checks that AuxK ran)
    prepare: Callable[[], None] = lambda: None  # untimed, before every step (re-marks the dead latents)
    times: list[float] = field(default_factory=list)
    peer: bool = True  # False: saescope or a reference GEMM
    aux: float | None = None


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def cpu_bf16(enabled: bool) -> contextlib.AbstractContextManager[object]:
    return torch.autocast("cpu", dtype=torch.bfloat16) if enabled else contextlib.nullcontext()


# --- saescope: Trainer.train_step exactly as `saescope train` calls it


def saescope_variant(x: torch.Tensor, dead: torch.Tensor) -> Variant:
    torch.manual_seed(0)
    sae = TopKSae(D_IN, D_SAE, K)
    hp = Hyperparams(batch_size=N_TOKENS, aux_k=SAESCOPE_AUX_K, dead_tokens=DEAD_TOKENS, autocast_dtype="bfloat16")
    trainer = Trainer(sae, hp, torch.device("cpu"))
    counters = trainer.tracker.tokens_since_fired

    def prepare() -> None:
        counters.zero_()
        counters[dead] = DEAD_TOKENS

    precision = "bf16 autocast" if NATIVE_BF16 else "fp32 (bf16 requested; not native on this CPU)"
    return Variant("saescope", f"{precision}, Adam, aux_k {SAESCOPE_AUX_K}, aux_coef {AUX_COEF:g}",
                   lambda: trainer.train_step(x)["aux_loss"], prepare, peer=False)


# --- EleutherAI sparsify: the body of sparsify.trainer.Trainer.fit for loss_fn="fvu", one SAE, no accumulation


def sparsify_variant(x: torch.Tensor, dead: torch.Tensor, optimizer: str, bf16: bool) -> Variant:
    from sparsify import SaeConfig, SparseCoder

    torch.manual_seed(0)
    sae = SparseCoder(D_IN, SaeConfig(num_latents=D_SAE, k=K), device="cpu", dtype=torch.float32)
    sae.b_dec.data = x.mean(0)  # what its trainer does on the first step
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    opt: torch.optim.Optimizer
    if optimizer == "adam":
        from transformers import get_linear_schedule_with_warmup

        opt = torch.optim.Adam(sae.parameters(), lr=2e-4 / (D_SAE / 2**14) ** 0.5)  # its default Adam lr
        scheduler = get_linear_schedule_with_warmup(opt, 1000, 100_000)
    else:  # "signum", its TrainConfig default
        from schedulefree import ScheduleFreeWrapper
        from sparsify.sign_sgd import SignSGD

        opt = ScheduleFreeWrapper(SignSGD([{"params": sae.parameters(), "lr": 5e-3 / (D_SAE / 2**14) ** 0.5}]),
                                  momentum=0.95)
        opt.train()
    counts = torch.zeros(D_SAE, dtype=torch.long)
    did_fire = torch.zeros(D_SAE, dtype=torch.bool)

    def prepare() -> None:
        counts.zero_()
        counts[dead] = DEAD_TOKENS + 1  # its mask is `num_tokens_since_fired > dead_feature_threshold`

    def step() -> float:
        sae.set_decoder_norm_to_unit_norm()
        dead_mask = counts > DEAD_TOKENS
        total_variance = (x - x.mean(0)).pow(2).sum()
        with cpu_bf16(bf16):
            out = sae(x=x, y=x, dead_mask=dead_mask, total_variance=total_variance)
        did_fire[out.latent_indices.flatten()] = True
        float(out.fvu.detach())  # its trainer accumulates these floats for logging every step
        auxk = float(out.auxk_loss.detach())
        loss = out.fvu + AUX_COEF * out.auxk_loss + out.multi_topk_fvu / 8
        loss.div(1).backward()
        sae.remove_gradient_parallel_to_decoder_directions()
        opt.step()
        opt.zero_grad()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            counts.add_(x.shape[0])
            counts[did_fire] = 0
            did_fire.zero_()
        return auxk

    optim = "Adam (torch; bitsandbytes absent)" if optimizer == "adam" else "signum (ScheduleFree SignSGD, its default)"
    precision = "bf16 autocast (added by this bench)" if bf16 else "fp32 (its autocast is CUDA-only)"
    return Variant(f"sparsify {optimizer} {'bf16' if bf16 else 'fp32'}",
                   f"{precision}, {optim}, k_aux d_in/2=288, auxk_alpha {AUX_COEF:g}", step, prepare)


# --- SAELens: TopKTrainingSAE driven by its own SAETrainer.step


def saelens_variant(x: torch.Tensor, dead: torch.Tensor, autocast: bool) -> Variant:
    from sae_lens.config import SAETrainerConfig
    from sae_lens.saes.topk_sae import TopKTrainingSAE, TopKTrainingSAEConfig
    from sae_lens.training.sae_trainer import SAETrainer

    torch.manual_seed(0)
    cfg = TopKTrainingSAEConfig(d_in=D_IN, d_sae=D_SAE, k=K, dtype="float32", device="cpu",
                                aux_loss_coefficient=AUX_COEF)
    sae = TopKTrainingSAE(cfg)
    window = 1000  # its default dead_feature_window, counted in steps (forward passes), not tokens
    trainer = SAETrainer(
        SAETrainerConfig(total_training_samples=N_TOKENS * 10**6, train_batch_size_samples=N_TOKENS, lr=3e-4,
                         lr_end=3e-5, device="cpu", autocast=autocast, dead_feature_window=window),
        sae, data_provider=iter(()),
    )
    since_fired = trainer.n_forward_passes_since_fired

    def prepare() -> None:
        since_fired.zero_()
        since_fired[dead] = window + 1  # its mask is `n_forward_passes_since_fired > dead_feature_window`

    precision = "bf16 autocast (its autocast=True)" if autocast else "fp32 (its default autocast=False)"
    return Variant(f"SAELens {'bf16' if autocast else 'fp32'}",
                   f"{precision}, Adam, grad clip 1.0, dense decode, k_aux 288, aux coef {AUX_COEF:g}",
                   lambda: float(trainer.step(x).losses["auxiliary_reconstruction_loss"].detach()), prepare)


def gemm_variant(dtype: torch.dtype) -> Variant:
    g = torch.Generator().manual_seed(1)
    a = torch.randn(N_TOKENS, D_IN, generator=g).to(dtype)
    w = torch.randn(D_IN, D_SAE, generator=g).to(dtype)
    label = "bf16" if dtype == torch.bfloat16 else "fp32"

    def step() -> float:
        a @ w
        return float("nan")

    return Variant(f"floor GEMM {label}", f"[{N_TOKENS},{D_IN}]@[{D_IN},{D_SAE}] {label}", step, peer=False)


def run(variants: list[Variant], warmup: int, reps: int) -> None:
    for v in variants:
        for _ in range(warmup):
            v.prepare()
            v.step()
    for _ in range(reps):
        for v in variants:  # round-robin: a slow phase of the machine hits every variant alike
            v.prepare()
            start = time.perf_counter()
            v.aux = v.step()
            v.times.append(time.perf_counter() - start)


def verdict(by_median: bool, by_min: bool) -> str:
    if by_median and by_min:
        return "met"
    return "MISSED" if not (by_median or by_min) else f"mixed (met by {'median' if by_median else 'min'} only)"


def print_profile(v: Variant) -> None:
    from torch.profiler import ProfilerActivity, profile

    v.prepare()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        v.step()
    table = prof.key_averages(group_by_input_shape=True).table(
        sort_by="self_cpu_time_total", row_limit=15, max_name_column_width=34, max_shapes_column_width=48
    )
    print(f"\nsaescope step profile (one step, top ops by self CPU time):\n{table}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--reps", type=int, default=8)
    args = parser.parse_args()

    began = time.perf_counter()
    g = torch.Generator().manual_seed(0)
    # Anisotropic, offset data: a crude stand-in for a residual stream (speed does not depend on it).
    x = torch.randn(N_TOKENS, D_IN, generator=g) * torch.rand(D_IN, generator=g).mul(3).add(0.1) + 0.5
    dead = torch.randperm(D_SAE, generator=g)[: round(DEAD_FRACTION * D_SAE)]

    native = "yes" if NATIVE_BF16 else "no: bf16 requests compute in fp32"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU "
          f"{torch.backends.cpu.get_cpu_capability()} (native bf16: {native}); d_in {D_IN}, d_sae {D_SAE}, k {K}, "
          f"{N_TOKENS} tokens/step, {dead.numel()} dead latents ({DEAD_FRACTION:.0%}), "
          f"warmup {args.warmup}, {args.reps} interleaved reps; load average {load()}")
    variants = [saescope_variant(x, dead)]
    if installed("sparsify"):
        variants += [sparsify_variant(x, dead, "signum", bf16=False), sparsify_variant(x, dead, "adam", bf16=False)]
        if NATIVE_BF16:  # emulated bf16 would only slow a peer down: its fp32 variants are its best here
            variants.append(sparsify_variant(x, dead, "adam", bf16=True))
    else:
        print("eai-sparsify is not installed: skipped (pip install eai-sparsify)")
    if installed("sae_lens"):
        variants.append(saelens_variant(x, dead, autocast=False))
        if NATIVE_BF16:
            variants.append(saelens_variant(x, dead, autocast=True))
    else:
        print("sae-lens is not installed: skipped (pip install sae-lens)")
    # The floor: one encoder GEMM in the dtype the step computes in (and fp32 beside it, for reference).
    if NATIVE_BF16:
        variants.append(gemm_variant(torch.bfloat16))
    variants.append(gemm_variant(torch.float32))

    run(variants, args.warmup, args.reps)

    print("\naux loss: the last step's AuxK loss, each library's own definition (non-zero: AuxK ran)")
    print(f"{'variant':<20} {'median ms':>10} {'min ms':>8} {'tokens/s':>10} {'aux loss':>9}  settings")
    for v in variants:
        med = statistics.median(v.times)
        aux = "" if v.aux is None or math.isnan(v.aux) else f"{v.aux:.4f}"
        print(f"{v.name:<20} {med * 1e3:>10.1f} {min(v.times) * 1e3:>8.1f} {N_TOKENS / med:>10,.0f} {aux:>9}  "
              f"{v.settings}")

    ours = variants[0]
    ours_med = statistics.median(ours.times)
    peers = [v for v in variants if v.peer]
    if peers:
        best = min(peers, key=lambda v: statistics.median(v.times))
        ratio, ratio_min = statistics.median(best.times) / ours_med, min(best.times) / min(ours.times)
        print(f"\nsaescope / fastest peer ({best.name}) tokens/s: {ratio:.2f}x median-based, {ratio_min:.2f}x "
              f"min-based  target >= {PEER_TARGET:g}x: {verdict(ratio >= PEER_TARGET, ratio_min >= PEER_TARGET)}")
    else:
        print("\nno peer installed: no peer ratio")
    floor = next(v for v in variants if v.name.startswith("floor GEMM"))
    floor_ratio, floor_ratio_min = ours_med / statistics.median(floor.times), min(ours.times) / min(floor.times)
    floor_dtype = floor.name.removeprefix("floor GEMM ")
    print(f"saescope step / {floor_dtype} encoder GEMM: {floor_ratio:.1f}x median-based, {floor_ratio_min:.1f}x "
          f"min-based  target <= {FLOOR_TARGET:g}x: "
          f"{verdict(floor_ratio <= FLOOR_TARGET, floor_ratio_min <= FLOOR_TARGET)}")
    if floor_ratio > FLOOR_TARGET or floor_ratio_min > FLOOR_TARGET:
        print_profile(ours)
    print(f"\ntotal runtime {time.perf_counter() - began:.0f} s; load average {load()} (other processes on these "
          "cores slow every variant: compare ratios, not absolute times)")


if __name__ == "__main__":
    main()
