"""Keys and ranks shared by the index's sorted selections (top examples, interval samples, merges)."""

from __future__ import annotations

import torch

KEY_SHIFT = 40  # (feature << 40) | conversation or record: those below 2^40, features below 2^23


def segment_rank(sorted_keys: torch.Tensor) -> torch.Tensor:
    """0, 1, 2, ... within each run of equal values of a sorted 1-d tensor."""
    n = sorted_keys.numel()
    positions = torch.arange(n, device=sorted_keys.device)
    if n == 0:
        return positions
    starts = torch.ones(n, dtype=torch.bool, device=sorted_keys.device)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    run_start = torch.where(starts, positions, torch.zeros_like(positions))
    return positions - torch.cummax(run_start, 0).values
