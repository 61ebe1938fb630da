"""Padded batches of tokenized conversations for a model forward, shared by harvest, eval and the benches."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch


def plan_batches(lengths: Sequence[int], batch_tokens: int) -> list[list[int]]:
    """Group conversation positions into padded batches of at most `batch_tokens`, longest first."""
    order = sorted(range(len(lengths)), key=lambda i: (-lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:
        width = lengths[current[0]] if current else lengths[i]
        if current and (len(current) + 1) * width > batch_tokens:
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def padded_batch(token_ids: Sequence[np.ndarray], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask) [len(token_ids), longest], right-padded with `pad_id`."""
    width = max(len(ids) for ids in token_ids)
    ids = torch.full((len(token_ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(token_ids), width), dtype=torch.long)
    for row, tokens in enumerate(token_ids):
        ids[row, : len(tokens)] = torch.from_numpy(np.asarray(tokens, dtype=np.int64))
        mask[row, : len(tokens)] = 1
    return ids, mask
