"""Per-dimension mean and std of activations, estimated in one streaming pass.

Batches are merged with Chan et al.'s parallel algorithm on (count, mean, M2) in float64, which stays
accurate when a dimension has a large offset relative to its spread (residual streams have a few such
"massive" dimensions). The std is the biased population std sqrt(M2 / count): with millions of tokens
the n-1 correction is irrelevant, and it is what the model's formula divides by.
"""

from __future__ import annotations

from collections.abc import Mapping

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
def apply_to(sae: TopKSae, moments: RunningMoments, std_floor: float) -> None:
    """Copy the estimated mean and floored std into the SAE's normaliser buffers."""
    sae.input_mean.copy_(moments.mean)
    sae.input_std.copy_(moments.std(std_floor))
