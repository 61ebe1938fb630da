"""Assemble and commit shards. A shard counts once its marker JSON exists; anything else is rewritten."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import save_file

from saescope.data.conversations import Conversation
from saescope.data.templating import TokenizedConversation
from saescope.harvest.dataset import DatasetError
from saescope.harvest.format import (
    FORMAT_NAME,
    FORMAT_VERSION,
    SHARD_HEADER_KEY,
    acts_key,
    parse_shard_stem,
    shard_stem,
)
from saescope.utils.atomic import read_json_object, sha256_file, write_json_atomic, write_with_atomic


@dataclass
class HarvestedConversation:
    conversation: Conversation
    tokens: TokenizedConversation
    record_positions: np.ndarray  # int64, positions stored as records (all, or the kept roles)
    acts: dict[str, torch.Tensor]  # label -> [len(record_positions), d_model]


def build_shard(items: list[HarvestedConversation], labels: list[str]) -> tuple[dict[str, torch.Tensor], dict]:
    """Tensors and header metadata of one shard, in the order the conversations were read."""
    positions = [torch.from_numpy(it.record_positions) for it in items]
    conv_index = torch.tensor([it.conversation.index for it in items], dtype=torch.int64)
    lengths = torch.tensor([len(p) for p in positions], dtype=torch.int64)
    token_lengths = torch.tensor([len(it.tokens) for it in items], dtype=torch.int64)
    pos = torch.cat(positions)
    tokens = torch.from_numpy(np.concatenate([it.tokens.token_ids for it in items]))
    roles = torch.from_numpy(np.concatenate([it.tokens.roles for it in items]))
    turns = torch.from_numpy(np.concatenate([it.tokens.turns for it in items]))
    offsets = torch.zeros(len(items) + 1, dtype=torch.int64)
    offsets[1:] = torch.cumsum(token_lengths, 0)
    flat = pos + torch.repeat_interleave(offsets[:-1], lengths)  # record -> index into conv.tokens
    tensors = {acts_key(label): torch.cat([it.acts[label] for it in items]).contiguous() for label in labels}
    tensors |= {
        "record.conversation": torch.repeat_interleave(conv_index, lengths),
        "record.position": pos.to(torch.int32),
        "record.token": tokens[flat].contiguous(),
        "record.role": roles[flat].contiguous(),
        "record.turn": turns[flat].contiguous(),
        "conv.index": conv_index,
        "conv.offsets": offsets,
        "conv.tokens": tokens,
        "conv.roles": roles,
        "conv.turns": turns,
        "conv.truncated": torch.tensor([it.tokens.truncated for it in items], dtype=torch.uint8),
    }
    # One header key holding JSON: safetensors writes several keys in a random order, which would make
    # identical shards differ in their bytes and sha256.
    header = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "conversation_ids": [it.conversation.conversation_id for it in items],
        "languages": [it.conversation.language for it in items],
        "source_models": [it.conversation.model for it in items],
    }
    metadata = {SHARD_HEADER_KEY: json.dumps(header, ensure_ascii=False)}
    return tensors, metadata


def commit_shard(
    shards_dir: Path, rank: int, seq: int, tensors: dict[str, torch.Tensor], metadata: dict[str, str]
) -> dict:
    """Write the shard atomically, then its marker; returns the marker's content."""
    stem = shard_stem(rank, seq)
    path = shards_dir / f"{stem}.safetensors"
    write_with_atomic(path, lambda tmp: save_file(tensors, str(tmp), metadata=metadata))
    conv_index = tensors["conv.index"]
    marker = {
        "file": f"{shards_dir.name}/{path.name}",
        "rank": rank,
        "seq": seq,
        "rows": int(tensors["record.position"].numel()),
        "bytes": path.stat().st_size,
        "sha256": sha256_file(path),
        "conversations": int(conv_index.numel()),
        "tokens": int(tensors["conv.tokens"].numel()),
        "truncated_conversations": int(tensors["conv.truncated"].sum()),
        "first_conversation": int(conv_index[0]),
        "last_conversation": int(conv_index[-1]),
    }
    write_json_atomic(shards_dir / f"{stem}.json", marker)
    return marker


def committed_shards(shards_dir: Path, rank: int | None = None) -> list[dict]:
    """Markers of complete shards, in (rank, seq) order; shards without a marker are deleted."""
    if not shards_dir.is_dir():
        return []
    markers = []
    for path in sorted(shards_dir.glob("r*.safetensors")):
        parsed = parse_shard_stem(path.stem)
        if parsed is None or (rank is not None and parsed[0] != rank):
            continue
        marker_path = path.with_suffix(".json")
        if not marker_path.exists():
            path.unlink()  # a kill between the shard's rename and its marker: redo it
            continue
        markers.append(read_json_object(marker_path, DatasetError))
    return sorted(markers, key=lambda m: (m["rank"], m["seq"]))
