"""The rows of feature_prompts: each top example's record, conversation and token context, read back from the
activation dataset's shards (each conversation's tokens are stored there once) and optionally decoded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from transformers import PreTrainedTokenizerBase

from saescope.data.templating import ROLE_NAMES
from saescope.harvest.dataset import ActivationDataset, DatasetError
from saescope.index.accumulate import TopExamples
from saescope.index.tables import PROMPTS_SCHEMA

ROLE_ARRAY = np.asarray([ROLE_NAMES[code] for code in sorted(ROLE_NAMES)], dtype=object)


def record_starts(dataset: ActivationDataset) -> np.ndarray:
    """int64 [shards + 1]: the global index of each shard's first record, and the total."""
    return np.concatenate([[0], np.cumsum([entry["rows"] for entry in dataset.shard_entries])]).astype(np.int64)


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of `wanted` in the unsorted, distinct `keys`."""
    sorter = np.argsort(keys, kind="stable")
    found = sorter[np.clip(np.searchsorted(keys, wanted, sorter=sorter), 0, len(keys) - 1)]
    if not np.array_equal(keys[found], wanted):
        raise KeyError("not every conversation is in the shard")
    return found


def _window(tokens: np.ndarray, base: np.ndarray, length: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Tokens at `offsets` relative to each row's position, where they fall inside its conversation:
    (ids [n, w], valid [n, w])."""
    valid = (offsets >= 0) & (offsets < length[:, None])
    ids = tokens[np.where(valid, base[:, None] + offsets, 0)] if len(tokens) else np.zeros(offsets.shape, np.int32)
    return ids.astype(np.int32), valid


def _list_array(ids: np.ndarray, valid: np.ndarray) -> pa.Array:
    offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids[valid], type=pa.int32()))


def _decode_lists(tokenizer: PreTrainedTokenizerBase, ids: np.ndarray, valid: np.ndarray) -> list[str]:
    return tokenizer.batch_decode([row[mask].tolist() for row, mask in zip(ids, valid, strict=True)])


def prompt_table(top: TopExamples, dataset: ActivationDataset, context_tokens: int,
                 tokenizer: PreTrainedTokenizerBase | None) -> pa.Table:
    """feature_prompts for these examples (already in feature, rank order)."""
    top = top.to("cpu")
    n, width = len(top), context_tokens
    record = top.record.numpy()
    conversation = top.conversation.numpy()
    starts = record_starts(dataset)
    shard_of = np.searchsorted(starts, record, side="right") - 1
    cols: dict[str, np.ndarray] = {name: np.zeros(n, dtype) for name, dtype in
                                   (("position", np.int32), ("token_id", np.int32), ("role", np.int8),
                                    ("turn", np.int32))}
    conversation_id = np.empty(n, dtype=object)
    before_ids, before_ok = np.zeros((n, width), np.int32), np.zeros((n, width), bool)
    after_ids, after_ok = np.zeros((n, width), np.int32), np.zeros((n, width), bool)
    for shard_i in np.unique(shard_of).tolist():
        sel = np.flatnonzero(shard_of == shard_i)
        rows = record[sel] - starts[shard_i]
        shard = dataset.shard(shard_i)
        if not np.array_equal(shard.get("record.conversation").numpy()[rows], conversation[sel]):
            raise DatasetError(f"shard {shard.path}: records and conversations disagree with the index")
        for name, key in (("position", "record.position"), ("token_id", "record.token"), ("role", "record.role"),
                          ("turn", "record.turn")):
            cols[name][sel] = shard.get(key).numpy()[rows]
        conv_row = _lookup(shard.get("conv.index").numpy(), conversation[sel])
        conversation_id[sel] = np.asarray(shard.header_list("conversation_ids"), dtype=object)[conv_row]
        offsets = shard.get("conv.offsets").numpy()
        tokens = shard.get("conv.tokens").numpy()
        base, length = offsets[conv_row], offsets[conv_row + 1] - offsets[conv_row]
        position = cols["position"][sel].astype(np.int64)
        before_ids[sel], before_ok[sel] = _window(tokens, base, length, position[:, None] + np.arange(-width, 0))
        after_ids[sel], after_ok[sel] = _window(tokens, base, length, position[:, None] + np.arange(1, width + 1))
    text: dict[str, Any] = {"token": None, "context_before": None, "context_after": None}
    if tokenizer is not None and n:
        unique_ids, inverse = np.unique(cols["token_id"], return_inverse=True)
        decoded = np.asarray(tokenizer.batch_decode([[i] for i in unique_ids.tolist()]), dtype=object)
        text = {"token": decoded[inverse].tolist(),
                "context_before": _decode_lists(tokenizer, before_ids, before_ok),
                "context_after": _decode_lists(tokenizer, after_ids, after_ok)}
    columns = {
        "feature": pa.array(top.feature.numpy().astype(np.int32)),
        "rank": pa.array(top.rank.numpy().astype(np.int32)),
        "activation": pa.array(top.value.numpy()),
        "conversation": pa.array(conversation),
        "conversation_id": pa.array(conversation_id.tolist(), pa.string()),
        "record": pa.array(record),
        "position": pa.array(cols["position"]),
        "token_id": pa.array(cols["token_id"]),
        "token": pa.array(text["token"] or [None] * n, pa.string()),
        "role": pa.array(ROLE_ARRAY[cols["role"]].tolist(), pa.string()),
        "turn": pa.array(cols["turn"]),
        "context_before": pa.array(text["context_before"] or [None] * n, pa.string()),
        "context_after": pa.array(text["context_after"] or [None] * n, pa.string()),
        "context_before_ids": _list_array(before_ids, before_ok),
        "context_after_ids": _list_array(after_ids, after_ok),
    }
    return pa.table(columns, schema=PROMPTS_SCHEMA)
