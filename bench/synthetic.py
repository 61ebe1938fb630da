"""A synthetic activation dataset in the harvest format, written without a model, for the benches.

Every field the loader and the index read is there (records, roles, turns, each conversation's tokens), so a
bench runs the same code paths as on a real harvest; the activations are random normal, and each conversation
is `tokens_per_conversation` random token ids of which the first is a template token.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from safetensors.torch import save_file

from saescope.config.hookpoints import hookpoint_label
from saescope.harvest.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    MANIFEST,
    SHARD_DIR,
    SHARD_HEADER_KEY,
    acts_key,
    shard_stem,
)
from saescope.utils.atomic import sha256_file, write_json_atomic

HOOKPOINT = "layers.19"
VOCAB = 32_000


def _shard_tensors(label: str, first_conv: int, convs: int, tokens_per_conv: int, d_model: int,
                   dtype: torch.dtype, generator: torch.Generator) -> dict[str, torch.Tensor]:
    rows = convs * tokens_per_conv
    conversation = torch.arange(first_conv, first_conv + convs).repeat_interleave(tokens_per_conv)
    position = torch.arange(tokens_per_conv, dtype=torch.int32).repeat(convs)
    tokens = torch.randint(0, VOCAB, (rows,), generator=generator, dtype=torch.int32)
    # the first token a template token, then the first half user, the second assistant (ROLE_CODES)
    role = torch.where(position == 0, 0, 2 + (position * 2 // tokens_per_conv)).to(torch.int8)
    turn = (position * 2 // tokens_per_conv).to(torch.int16)
    return {
        acts_key(label): torch.randn(rows, d_model, generator=generator).to(dtype),
        "record.conversation": conversation, "record.position": position, "record.token": tokens,
        "record.role": role, "record.turn": turn,
        "conv.index": torch.arange(first_conv, first_conv + convs),
        "conv.offsets": torch.arange(0, rows + 1, tokens_per_conv, dtype=torch.int64),
        "conv.tokens": tokens.clone(), "conv.roles": role.clone(), "conv.turns": turn.clone(),
        "conv.truncated": torch.zeros(convs, dtype=torch.bool),
    }


def write_synthetic_dataset(root: Path, shards: int, rows: int, d_model: int, dtype: torch.dtype = torch.bfloat16,
                            tokens_per_conversation: int = 512) -> None:
    """`shards` shards of `rows` records (whole conversations of `tokens_per_conversation` tokens) at d_model,
    and the manifest, written last as harvest writes it."""
    if rows % tokens_per_conversation:
        raise ValueError(f"rows per shard ({rows}) must be a multiple of tokens_per_conversation")
    label = hookpoint_label(HOOKPOINT)
    (root / SHARD_DIR).mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    convs, entries = rows // tokens_per_conversation, []
    for seq in range(shards):
        path = root / SHARD_DIR / f"{shard_stem(0, seq)}.safetensors"
        first = seq * convs
        header = {"format": FORMAT_NAME, "format_version": FORMAT_VERSION,
                  "conversation_ids": [f"synthetic-{c}" for c in range(first, first + convs)],
                  "languages": ["English"] * convs, "models": ["synthetic"] * convs}
        tensors = _shard_tensors(label, first, convs, tokens_per_conversation, d_model, dtype, generator)
        save_file(tensors, str(path), metadata={SHARD_HEADER_KEY: json.dumps(header)})
        entries.append({"file": f"{SHARD_DIR}/{path.name}", "rank": 0, "seq": seq, "rows": rows,
                        "bytes": path.stat().st_size, "sha256": sha256_file(path), "conversations": convs,
                        "first_conversation": first, "last_conversation": first + convs - 1})
    write_json_atomic(root / MANIFEST, {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "hookpoints": [{"hookpoint": HOOKPOINT, "label": label}], "d_model": d_model,
        "activation_dtype": str(dtype).removeprefix("torch."), "world_size": 1,
        "counts": {"records": rows * shards, "conversations": convs * shards}, "shards": entries,
    })
