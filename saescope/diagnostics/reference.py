"""The reference release's SAE shape (d_in 4096, d_sae 65,536, k 64, aux_k 512) on random activations: an
index-style encode, an intrinsic-style encode/decode, and training steps, as the stages run them.

The figures are compared on inputs small enough for the CPU (`Sizes.ref_cpu_records` records, `ref_steps` steps of
`ref_cpu_batch` tokens); the device is then timed at its own size (`ref_device_records`, `ref_device_batch`).
Encoding reads the seeded initial weights on both devices, before training changes them.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import torch

from saescope.config.schema import Hyperparams
from saescope.diagnostics.checks import Check, StageResult
from saescope.diagnostics.half import Half
from saescope.index.build import encode_sparse
from saescope.sae.losses import FveAccumulator
from saescope.sae.model import TopKSae
from saescope.train.trainer import Trainer


@dataclass(frozen=True)
class RefShape:
    d_in: int = 4096
    d_sae: int = 65536
    k: int = 64
    aux_k: int = 512


BATCH = 4096  # records per encode batch, as index.batch_size and eval.batch_size default
CODES_FILE = "ref-codes.pt"

CHECKS: dict[str, tuple[Check, ...]] = {
    "ref index encode": (Check("same_latents", "records with the same k latents", "min", 0.99),
                         Check("value_error", "their values, max rel. error", "max", 1e-3)),
    "ref intrinsic": (Check("fve", "FVE (seeded init)", "rel", 1e-3),),
    "ref train fp32": (Check("loss", "train loss, last compared step", "rel", 1e-3),
                       Check("aux_loss", "AuxK loss, last compared step", "rel", 1e-2)),
    "ref train bf16": (Check("loss", "train loss, last timed step", "info"),),
}


def shape(half: Half) -> RefShape:
    return RefShape(d_sae=half.sizes.ref_d_sae)


def seeded_sae(ref: RefShape, seed: int = 0) -> TopKSae:
    """The initialisation training starts from (unit-norm decoder rows, encoder tied to them), drawn on the CPU
    from a seeded generator so both devices start from the same weights; built once, not drawn twice."""
    gen = torch.Generator().manual_seed(seed)
    directions = torch.randn(ref.d_sae, ref.d_in, generator=gen)
    directions /= directions.norm(dim=1, keepdim=True)
    state = {"W_enc": directions.T.contiguous(), "b_enc": torch.zeros(ref.d_sae), "W_dec": directions,
             "b_dec": torch.zeros(ref.d_in), "input_mean": torch.zeros(ref.d_in), "input_std": torch.ones(ref.d_in)}
    return TopKSae.from_state_dict(state, ref.k)


def random_acts(rows: int, d_in: int, seed: int, device: torch.device | None = None) -> torch.Tensor:
    gen = torch.Generator(device=device or "cpu").manual_seed(seed)
    return torch.randn(rows, d_in, generator=gen, device=device)


def shared_sae(half: Half) -> TopKSae:
    if "ref_sae" not in half.cache:
        half.cache["ref_sae"] = seeded_sae(shape(half)).to(half.device)
    return half.cache["ref_sae"]


@torch.no_grad()
def encode_batches(sae: TopKSae, x: torch.Tensor, device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
    """As the index encodes a shard: batch by batch, each copied from host memory to the device first."""
    codes = [encode_sparse(sae, x[start : start + BATCH].to(device, non_blocking=True))
             for start in range(0, len(x), BATCH)]
    return torch.cat([c[0] for c in codes]), torch.cat([c[1] for c in codes])


def code_agreement(ref: dict[str, torch.Tensor], indices: torch.Tensor, values: torch.Tensor) -> dict[str, float]:
    """The fraction of records whose k latents are the same set, and over those the largest value difference
    relative to the largest value (each row's latents sorted first: topk leaves them unordered)."""
    ref_sorted, ref_order = ref["indices"].sort(dim=1)
    got_sorted, got_order = indices.sort(dim=1)
    same = (ref_sorted == got_sorted).all(dim=1)
    if not bool(same.any()):
        return {"same_latents": 0.0, "value_error": float("inf")}
    ref_values, got_values = ref["values"].gather(1, ref_order)[same], values.gather(1, got_order)[same]
    scale = max(float(ref["values"].abs().max()), 1e-30)
    error = float((got_values - ref_values).abs().max()) / scale
    return {"same_latents": float(same.float().mean()), "value_error": error}


def ref_encode_stage(half: Half) -> StageResult:
    s, sae = half.sizes, shared_sae(half)
    x = random_acts(s.ref_cpu_records, sae.d_in, seed=1)
    with half.measure() as timing:
        indices, values = encode_batches(sae, x, half.device)
    result = StageResult("ref index encode", str(half.device), len(x) / timing.seconds, "rec/s", timing.peak_mib,
                         timing.seconds)
    if half.is_reference:
        torch.save({"indices": indices.cpu(), "values": values.cpu()}, half.out / CODES_FILE)
        return result
    result.figures = code_agreement(torch.load(half.cpu / CODES_FILE), indices.cpu(), values.cpu())
    big = random_acts(s.ref_device_records, sae.d_in, seed=2)
    with half.measure() as timing:
        encode_batches(sae, big, half.device)
    result.rate, result.peak_mib, result.seconds = len(big) / timing.seconds, timing.peak_mib, timing.seconds
    return result


@torch.no_grad()
def pooled_fve(sae: TopKSae, x: torch.Tensor, device: torch.device) -> float:
    """As intrinsic metrics do: forward (encode and decode) batch by batch, FVE pooled with the global mean."""
    acc = FveAccumulator(sae.d_in, device)
    for start in range(0, len(x), BATCH):
        batch = x[start : start + BATCH].to(device, non_blocking=True)
        acc.update(batch, sae(batch).x_hat)
    return acc.compute()


def ref_intrinsic_stage(half: Half) -> StageResult:
    s, sae = half.sizes, shared_sae(half)
    x = random_acts(s.ref_cpu_records, sae.d_in, seed=1)
    with half.measure() as timing:
        fve = pooled_fve(sae, x, half.device)
    result = StageResult("ref intrinsic", str(half.device), len(x) / timing.seconds, "rec/s", timing.peak_mib,
                         timing.seconds, {"fve": fve})
    if not half.is_reference:
        big = random_acts(s.ref_device_records, sae.d_in, seed=2)
        with half.measure() as timing:
            pooled_fve(sae, big, half.device)
        result.rate, result.peak_mib, result.seconds = len(big) / timing.seconds, timing.peak_mib, timing.seconds
    return result


def hyperparams(ref: RefShape, batch: int, autocast: str) -> Hyperparams:
    # Latents that did not fire in the previous batch count as dead, so AuxK runs from the second step on.
    return Hyperparams(lr=1e-3, batch_size=batch, warmup_tokens=0, aux_k=ref.aux_k, dead_tokens=batch,
                       autocast_dtype=autocast)  # type: ignore[arg-type]


def ref_train_stage(half: Half) -> StageResult:
    """`ref_steps` float32 steps on the same batches on both devices (compared), then on the device the timed
    steps at its own batch size."""
    s, ref, sae = half.sizes, shape(half), shared_sae(half)
    batches = random_acts(s.ref_cpu_batch * s.ref_steps, ref.d_in, seed=3).split(s.ref_cpu_batch)
    with half.measure() as timing:
        trainer = Trainer(sae, hyperparams(ref, s.ref_cpu_batch, "float32"), half.device)
        for batch in batches:
            metrics = trainer.train_step(batch)
    result = StageResult("ref train fp32", str(half.device), s.ref_cpu_batch * s.ref_steps / timing.seconds,
                         "tok/s", timing.peak_mib, timing.seconds,
                         {"loss": metrics["loss"], "aux_loss": metrics["aux_loss"]})
    del trainer
    if not half.is_reference:
        result.rate, result.peak_mib, result.seconds, _ = timed_steps(half, sae, "float32")
    return result


def ref_train_bf16_stage(half: Half) -> StageResult:
    rate, peak, seconds, loss = timed_steps(half, shared_sae(half), "bfloat16")
    return StageResult("ref train bf16", str(half.device), rate, "tok/s", peak, seconds, {"loss": loss})


def timed_steps(half: Half, sae: TopKSae, autocast: str) -> tuple[float, float | None, float, float]:
    """(tokens/s, peak MiB, seconds, last loss) of `ref_timed_steps` steps at `ref_device_batch` tokens, after two
    untimed ones (allocations, kernel choice); the batches are drawn on the device, outside the timing."""
    s, ref = half.sizes, shape(half)
    gc.collect()  # the previous trainer's optimiser state must be gone before this one's is allocated
    data = [random_acts(s.ref_device_batch, ref.d_in, seed=4 + i, device=half.device) for i in range(2)]
    trainer = Trainer(sae, hyperparams(ref, s.ref_device_batch, autocast), half.device)
    for i in range(2):
        trainer.train_step(data[i])
    with half.measure() as timing:
        for i in range(s.ref_timed_steps):
            metrics: dict[str, Any] = trainer.train_step(data[i % 2])
    tokens = s.ref_device_batch * s.ref_timed_steps
    return tokens / timing.seconds, timing.peak_mib, timing.seconds, float(metrics["loss"])


def reference_order(half: Half) -> list[tuple[str, Any]]:
    stages: list[tuple[str, Any]] = [("ref index encode", ref_encode_stage), ("ref intrinsic", ref_intrinsic_stage),
                                     ("ref train fp32", ref_train_stage)]
    if half.on_cuda and not half.is_reference:
        stages.append(("ref train bf16", ref_train_bf16_stage))
    return stages
