"""The activation dataset's size: its counts (from a manifest, the flags or the data section) and its bytes on
disk, computed from the shard format of `saescope.harvest.format`.

A shard stores, per record, one activation row per hookpoint plus `record.*` metadata; per token of its
conversations the tokens, roles and turns (`conv.tokens/roles/turns`, stored once); per conversation its index,
offset and truncation flag; and a header (safetensors' tensor table and the conversation ids, languages and source
models as JSON). So

    bytes = records x (hookpoints x d_model x dtype bytes + 19) + tokens x 7 + conversations x (17 + ~64)
            + shards x (8 + ~2 KB)

where 19 = 8 (conversation, int64) + 4 (position, int32) + 4 (token, int32) + 1 (role, int8) + 2 (turn, int16),
7 = 4 + 1 + 2 (int32 token, int8 role, int16 turn) and 17 = 8 (conv.index) + 8 (conv.offsets) + 1 (truncated).
The header sizes are estimates (a 32-character conversation id, a language and a model name, JSON-escaped);
`tests/test_plan.py` checks the tensor bytes against `build_shard`'s output.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from saescope.config.schema import SaescopeConfig
from saescope.plan.errors import PlanError

ACTIVATION_BYTES = {"bfloat16": 2, "float32": 4}
# The shard's tensors other than acts.<label>, bytes per element, by what they count (see saescope.harvest.format).
PER_RECORD = {"record.conversation": 8, "record.position": 4, "record.token": 4, "record.role": 1, "record.turn": 2}
PER_TOKEN = {"conv.tokens": 4, "conv.roles": 1, "conv.turns": 2}
PER_CONVERSATION = {"conv.index": 8, "conv.offsets": 8, "conv.truncated": 1}
PER_SHARD = {"conv.offsets": 8}  # offsets has one entry more than the shard has conversations
HEADER_BYTES_PER_CONVERSATION = 64  # id, language and model name in the shard's JSON header (estimate)
HEADER_BYTES_PER_SHARD = 2048  # safetensors' tensor table and the format fields (estimate)


@dataclass(frozen=True)
class ShardBytes:
    activations_per_hookpoint: int
    activations: int
    record_metadata: int
    token_metadata: int
    conversation_metadata: int
    headers: int

    @property
    def tensors(self) -> int:
        """Tensor bytes only (exact for the format): what `build_shard` returns."""
        return self.activations + self.record_metadata + self.token_metadata + self.conversation_metadata

    @property
    def total(self) -> int:
        return self.tensors + self.headers

    def to_dict(self) -> dict[str, int]:
        return asdict(self) | {"tensors": self.tensors, "total": self.total}


def shard_bytes(records: int, tokens: int, conversations: int, shards: int, hookpoints: int, d_model: int,
                dtype: str) -> ShardBytes:
    """Bytes of a dataset of these counts (see the module docstring for the formula)."""
    per_hookpoint = records * d_model * ACTIVATION_BYTES[dtype]
    return ShardBytes(
        activations_per_hookpoint=per_hookpoint,
        activations=hookpoints * per_hookpoint,
        record_metadata=records * sum(PER_RECORD.values()),
        token_metadata=tokens * sum(PER_TOKEN.values()),
        conversation_metadata=conversations * sum(PER_CONVERSATION.values()) + shards * sum(PER_SHARD.values()),
        headers=conversations * HEADER_BYTES_PER_CONVERSATION + shards * HEADER_BYTES_PER_SHARD,
    )


@dataclass(frozen=True)
class DatasetSize:
    records: int
    conversations: int
    tokens: int  # tokens forwarded by harvest (records, unless harvest.roles keeps only some)
    hookpoints: int
    d_model: int
    dtype: str
    shard_rows: tuple[int, ...]  # rows per shard: the manifest's, or an estimate from harvest.shard_records
    source: str  # where the counts come from
    measured_bytes: int | None = None  # the manifest's shard bytes, when there is one

    @property
    def shards(self) -> int:
        return len(self.shard_rows)

    @property
    def mean_tokens_per_conversation(self) -> float:
        return self.tokens / max(self.conversations, 1)

    @property
    def bytes(self) -> ShardBytes:
        return shard_bytes(self.records, self.tokens, self.conversations, self.shards, self.hookpoints,
                           self.d_model, self.dtype)

    @property
    def bytes_per_record(self) -> float:
        return self.bytes.total / max(self.records, 1)

    def held_out_rows(self, fraction: float) -> int:
        """Rows of the last `fraction` of the shards, as `ActivationDataset.held_out_shards` chooses them."""
        if fraction <= 0:
            return 0
        count = min(self.shards - 1, max(1, round(self.shards * fraction)))
        return sum(self.shard_rows[self.shards - count:]) if count > 0 else 0

    def to_dict(self) -> dict[str, Any]:
        return {"records": self.records, "conversations": self.conversations, "tokens": self.tokens,
                "hookpoints": self.hookpoints, "d_model": self.d_model, "dtype": self.dtype, "shards": self.shards,
                "source": self.source, "bytes": self.bytes.to_dict(), "measured_bytes": self.measured_bytes}


def estimated_shard_rows(records: int, tokens: int, conversations: int, shard_records: int) -> tuple[int, ...]:
    """Rows per shard of a harvest that has not run: a shard closes on the conversation that reaches
    shard_records, so it overshoots by about half a conversation's records."""
    per_conversation = records / max(conversations, 1)
    rows = max(1, round(shard_records + per_conversation / 2))
    count = max(1, math.ceil(records / rows))
    return (rows,) * (count - 1) + (records - rows * (count - 1),)


def read_manifest(cfg: SaescopeConfig) -> tuple[Path, dict[str, Any]] | None:
    """train.activations' manifest.json when it is a local, complete dataset; None otherwise."""
    source = cfg.train.activations
    if source.startswith("hf://"):
        return None
    path = Path(source) / "manifest.json"
    if not path.is_file():
        return None
    try:
        return path, json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as e:
        raise PlanError(f"{path}: cannot read the activation dataset's manifest: {e}") from e


def _from_manifest(path: Path, manifest: dict[str, Any]) -> DatasetSize:
    try:
        counts, entries = manifest["counts"], manifest["shards"]
        return DatasetSize(records=int(counts["records"]), conversations=int(counts["conversations"]),
                           tokens=int(counts.get("tokens", counts["records"])),
                           hookpoints=len(manifest["hookpoints"]), d_model=int(manifest["d_model"]),
                           dtype=str(manifest.get("activation_dtype", "bfloat16")),
                           shard_rows=tuple(int(e["rows"]) for e in entries) or (0,), source=f"manifest {path}",
                           measured_bytes=sum(int(e["bytes"]) for e in entries))
    except (KeyError, TypeError, ValueError) as e:
        raise PlanError(f"{path}: not a saescope activation manifest (missing {e})") from e


def dataset_size(cfg: SaescopeConfig, d_model: int, records: int | None = None,
                 conversations: int | None = None) -> DatasetSize:
    """The counts the plan runs on: --records/--conversations when given, else train.activations' manifest, else
    (conversations only) data.max_conversations; a PlanError names the flags when something is still missing."""
    found = read_manifest(cfg)
    if found is not None and records is None and conversations is None:
        size = _from_manifest(*found)
        if size.d_model != d_model:
            raise PlanError(f"{found[0]}: d_model {size.d_model}, but model.name {cfg.model.name} has hidden size "
                            f"{d_model}: the dataset comes from another model")
        return size
    if found is not None:
        manifest_size = _from_manifest(*found)
        records = records if records is not None else manifest_size.records
        conversations = conversations if conversations is not None else manifest_size.conversations
    conversations = conversations if conversations is not None else cfg.data.max_conversations
    if records is None or conversations is None:
        where = cfg.train.activations
        missing = " and ".join(f for f, v in (("--records N", records), ("--conversations N", conversations))
                               if v is None)
        raise PlanError(f"no activation dataset manifest at {where} (train.activations) to size the run from: pass "
                        f"{missing} (e.g. --records 280280758 --conversations 978471 for the Qwen3-8B l36 release)")
    # Without a manifest the tokens harvest forwards are the records, unless harvest.roles keeps only some roles:
    # then the records are a lower bound of the tokens.
    tokens = records
    rows = estimated_shard_rows(records, tokens, conversations, cfg.harvest.shard_records)
    return DatasetSize(records=records, conversations=conversations, tokens=tokens,
                       hookpoints=len(cfg.harvest.hookpoints), d_model=d_model, dtype=cfg.harvest.dtype,
                       shard_rows=rows, source="--records/--conversations" if found is None else
                       "--records/--conversations over the manifest")
