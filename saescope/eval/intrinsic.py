"""Intrinsic metrics over activation-dataset records: FVE, MSE (normalised and raw), dead latents, L0.

FVE is pooled over every evaluated record with the global mean (not averaged per batch), as the Qwen3-8B l36 release
reports it: fve = 1 - sum_t ||x_t - x_hat_t||^2 / sum_t ||x_t - mean(x)||^2.

Residual streams hold a few attention-sink tokens whose norm is tens to thousands of times the median; on
SmolLM2 0.25% of the tokens hold 97% of the variance, so the pooled FVE mostly says how well the sinks are
reconstructed. `fve_ordinary` is the same formula over the other records (norm at most `outlier_factor` times
the median norm of the first batch), reported beside it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from saescope.harvest.dataset import ActivationDataset
from saescope.sae.losses import FveAccumulator
from saescope.sae.model import TopKSae


@dataclass
class IntrinsicResult:
    fve: float
    fve_ordinary: float  # FVE over the records that are not outliers (attention sinks)
    outlier_records: int
    mse_normalized: float  # per element, in the normalised space of the training loss (the release card's mse)
    mse_raw: float  # per element, in raw activation units
    dead: int  # latents that never fired over the evaluated records
    records: int
    l0: float
    firing_counts: torch.Tensor  # int64 [d_sae]

    def to_dict(self) -> dict[str, float | int]:
        return {"fve": self.fve, "fve_ordinary": self.fve_ordinary, "outlier_records": self.outlier_records,
                "mse": self.mse_normalized, "mse_normalized": self.mse_normalized,
                "mse_raw": self.mse_raw, "dead": self.dead, "records": self.records, "l0": self.l0}


@torch.no_grad()
def intrinsic_metrics(
    sae: TopKSae, dataset: ActivationDataset, hookpoint: str, shards: list[int], batch_size: int = 4096,
    max_records: int | None = None, outlier_factor: float = 10.0,
) -> IntrinsicResult:
    # Every sum lives where the SAE does; activations are read from the mapped shards and moved there per batch.
    device = sae.W_enc.device
    fve, fve_ordinary = FveAccumulator(sae.d_in, device), FveAccumulator(sae.d_in, device)
    outlier_norm: float | None = None
    outliers = 0
    sq_err_n = sq_err_raw = 0.0
    active = 0
    counts = torch.zeros(sae.d_sae, dtype=torch.int64, device=device)
    records = 0
    for shard in shards:
        acts = dataset.shard_activations(shard, hookpoint)
        for start in range(0, len(acts), batch_size):
            if max_records is not None and records >= max_records:
                break
            x = acts[start : start + batch_size].to(device, non_blocking=True).float()
            if max_records is not None:
                x = x[: max_records - records]
            out = sae(x)
            fve.update(x, out.x_hat)
            norms = x.norm(dim=1)
            if outlier_norm is None:
                outlier_norm = outlier_factor * float(norms.median())
            ordinary = norms <= outlier_norm
            outliers += int((~ordinary).sum())
            fve_ordinary.update(x[ordinary], out.x_hat[ordinary])
            sq_err_n += float((out.x_hat_n - out.x_n).double().square().sum())
            sq_err_raw += float((out.x_hat - x).double().square().sum())
            fired = out.code.values > 0
            active += int(fired.sum())
            counts += torch.bincount(out.code.indices[fired], minlength=sae.d_sae)
            records += len(x)
    if records == 0:
        raise ValueError(f"{dataset.root}: no records in shards {shards} to evaluate")
    elements = records * sae.d_in
    return IntrinsicResult(
        fve=fve.compute(), fve_ordinary=fve_ordinary.compute(), outlier_records=outliers,
        mse_normalized=sq_err_n / elements, mse_raw=sq_err_raw / elements,
        dead=int((counts == 0).sum()), records=records, l0=active / records, firing_counts=counts.cpu(),
    )
