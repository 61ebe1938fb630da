"""Per-dimension mean and std of activations, estimated in one streaming pass.

Batches are merged with Chan et al.'s parallel algorithm on (count, mean, M2) in float64, which stays
accurate when a dimension has a large offset relative to its spread (residual streams have a few such
"massive" dimensions). The std is the biased population std sqrt(M2 / count): with millions of tokens
the n-1 correction is irrelevant, and it is what the model's formula divides by.

Outlier tokens. A few tokens per sequence (attention sinks: the first token, some delimiters) carry norms
tens to thousands of times the median in a handful of dimensions. Counted in, they set those dimensions' std:
on SmolLM2 0.25% of the tokens inflate one dimension's std about 50x, so standardising squeezes that dimension
to nothing for every ordinary token, and the SAE's error there is multiplied back by the inflated std in raw
space. `estimate_moments` therefore leaves tokens whose norm exceeds `outlier_factor` times the median norm out
of the estimate (the SAE still trains on them; their standardised values are simply large).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import torch

from saescope.sae.model import TopKSae


class RunningMoments:
    def __init__(self, d: int, device: torch.device | str | None = None) -> None:
        self._count = 0
        self._mean = torch.zeros(d, dtype=torch.float64, device=device)
        self._m2 = torch.zeros(d, dtype=torch.float64, device=device)

    @property
    def count(self) -> int:
        return self._count

    @property
    def mean(self) -> torch.Tensor:
        self._require_data()
        return self._mean.clone()

    def std(self, floor: float = 0.0) -> torch.Tensor:
        """Population std per dimension, raised to at least `floor` (keeps near-constant dims finite)."""
        self._require_data()
        return (self._m2 / self._count).sqrt().clamp_min(floor)

    @torch.no_grad()
    def update(self, x: torch.Tensor) -> None:
        """Fold in a batch [..., d]."""
        x = x.reshape(-1, self._mean.numel()).to(device=self._mean.device, dtype=torch.float64)
        if x.shape[0] == 0:
            return
        mean = x.mean(dim=0)
        self._combine(x.shape[0], mean, (x - mean).square().sum(dim=0))

    def merge(self, other: RunningMoments) -> None:
        """Fold in another estimate, e.g. one gathered from another rank."""
        if other.count:
            self._combine(other.count, other._mean.to(self._mean.device), other._m2.to(self._m2.device))

    def _combine(self, count: int, mean: torch.Tensor, m2: torch.Tensor) -> None:
        total = self._count + count
        delta = mean - self._mean
        self._mean += delta * (count / total)
        self._m2 += m2 + delta.square() * (self._count * count / total)
        self._count = total

    def _require_data(self) -> None:
        if self._count == 0:
            raise ValueError("RunningMoments has seen no data")

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {
            "count": torch.tensor(self._count, dtype=torch.int64),
            "mean": self._mean.clone(),
            "m2": self._m2.clone(),
        }

    def load_state_dict(self, state_dict: Mapping[str, torch.Tensor]) -> None:
        if state_dict["mean"].shape != self._mean.shape:
            raise ValueError(
                f"moments state has d={state_dict['mean'].numel()}, expected {self._mean.numel()}"
            )
        self._count = int(state_dict["count"])
        self._mean.copy_(state_dict["mean"])
        self._m2.copy_(state_dict["m2"])


@torch.no_grad()
def apply_to(sae: TopKSae, moments: RunningMoments, std_floor: float, scale: str = "per_dimension") -> None:
    """Copy the estimated mean and a std into the SAE's normaliser buffers: each dimension's floored std
    ("per_dimension"), or one value for all, their root mean square ("scalar": the loss then weighs dimensions
    as raw-space FVE does, and ordinary tokens still have E||x_n||^2 = d_in)."""
    sae.input_mean.copy_(moments.mean)
    std = moments.std(std_floor)
    if scale == "scalar":
        std = std.square().mean().sqrt().expand_as(std)
    elif scale != "per_dimension":
        raise ValueError(f"unknown normaliser scale {scale!r}: per_dimension or scalar")
    sae.input_std.copy_(std)


@dataclass
class MomentsEstimate:
    moments: RunningMoments  # over the tokens kept
    sample: torch.Tensor  # the first rows seen, outliers included: the b_dec initialisation sample
    outlier_norm: float | None  # tokens with a larger norm were left out; None: none were
    outliers: int  # tokens left out
    tokens_read: int

    def summary(self) -> dict[str, float | int | None]:
        """What the checkpoint metadata records of the estimate."""
        return {"tokens": self.moments.count, "outlier_norm": self.outlier_norm, "outliers_excluded": self.outliers}


@torch.no_grad()
def estimate_moments(
    batches: Iterable[torch.Tensor], tokens: int, sample_tokens: int, outlier_factor: float | None
) -> MomentsEstimate:
    """Per-dimension moments of the first `tokens` kept rows of `batches` ([n, d] each).

    With `outlier_factor`, rows whose norm exceeds that multiple of the first batch's median norm are left out
    (see the module docstring); the threshold is fixed by the first batch, so the estimate is one pass.
    """
    moments: RunningMoments | None = None
    sample: torch.Tensor | None = None
    threshold: float | None = None
    outliers = read = 0
    for x in batches:
        x = x.float()
        if moments is None:
            moments = RunningMoments(x.shape[1])
            sample = x[:sample_tokens].clone()
            if outlier_factor is not None:
                threshold = outlier_factor * float(x.norm(dim=1).median())
        read += len(x)
        if threshold is not None:
            keep = x.norm(dim=1) <= threshold
            outliers += int((~keep).sum())
            x = x[keep]
        moments.update(x[: tokens - moments.count])
        if moments.count >= tokens:
            break
    if moments is None or sample is None or moments.count < 2:
        raise ValueError("too few activations to estimate the normaliser from")
    return MomentsEstimate(moments, sample, threshold, outliers, read)
