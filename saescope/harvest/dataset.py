"""Read an activation dataset: manifest, random access to records, conversations' tokens, shard streams."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError, safe_open

from saescope.data.templating import ROLE_NAMES
from saescope.errors import SaescopeError
from saescope.harvest.format import FORMAT_NAME, MANIFEST, SHARD_HEADER_KEY, acts_key
from saescope.utils.atomic import read_json_object, sha256_file


class DatasetError(SaescopeError, ValueError):
    """A dataset, shard or record that cannot be used; the message names the file."""


@dataclass
class Record:
    acts: dict[str, torch.Tensor]  # label -> [d_model]
    conversation: int
    position: int
    token: int
    role: str
    turn: int


@dataclass
class ConversationTokens:
    index: int
    conversation_id: str
    language: str | None
    token_ids: torch.Tensor  # int32 [n]
    roles: torch.Tensor  # int8 [n]
    turns: torch.Tensor  # int16 [n]
    truncated: bool


def check_shard_file(path: Path, size: int | None = None, sha256: str | None = None) -> int:
    """Check a shard file against its manifest entry: present, of the recorded `size`, and of the recorded
    `sha256` when given (a full read, so only on request). Returns its size; raises DatasetError naming the file.
    The one place these checks live: opening a shard, verifying a dataset and the training stream's fetch."""
    try:
        if not path.is_file():
            raise DatasetError(f"shard {path} is missing")
        actual = path.stat().st_size
        if size is not None and actual != size:
            raise DatasetError(f"shard {path} is truncated or altered: {actual} bytes, manifest says {size}")
        if sha256 is not None and sha256_file(path) != sha256:
            raise DatasetError(f"shard {path} is corrupt: sha256 does not match the manifest")
    except FileNotFoundError as e:  # removed between the checks
        raise DatasetError(f"shard {path} is missing") from e
    except OSError as e:  # permissions, I/O: still one line that names the shard
        raise DatasetError(f"shard {path} cannot be read: {e}") from e
    return actual


class Shard:
    """One memory-mapped shard; reads only the slices asked for."""

    def __init__(self, path: Path, expected_bytes: int | None = None) -> None:
        self.path = path
        check_shard_file(path, expected_bytes)
        try:
            self._file = safe_open(str(path), framework="pt")
            raw = (self._file.metadata() or {}).get(SHARD_HEADER_KEY, "{}")
            self.header: dict[str, Any] = json.loads(raw)
        except (SafetensorError, OSError, json.JSONDecodeError) as e:
            raise DatasetError(f"shard {path} is corrupt or truncated: {e}") from e

    def get(self, name: str, start: int | None = None, stop: int | None = None) -> torch.Tensor:
        try:
            if start is None and stop is None:
                return self._file.get_tensor(name)
            return self._file.get_slice(name)[start:stop]
        except (SafetensorError, OSError) as e:
            raise DatasetError(f"shard {self.path}: cannot read '{name}': {e}") from e

    def header_list(self, key: str) -> list[Any]:
        return self.header.get(key, [])


class ActivationDataset:
    """An activation dataset written by `saescope harvest` (see `saescope.harvest.format`)."""

    def __init__(self, root: Path, manifest: dict[str, Any]) -> None:
        self.root = root
        self.manifest = manifest
        self.shard_entries: list[dict[str, Any]] = manifest["shards"]
        rows = [entry["rows"] for entry in self.shard_entries]
        self._starts = np.concatenate([[0], np.cumsum(rows)]).astype(np.int64).tolist()
        self._open: dict[int, Shard] = {}

    @classmethod
    def open(cls, path: str | Path, verify: bool = False) -> ActivationDataset:
        root = Path(path)
        manifest_path = root / MANIFEST
        if not manifest_path.is_file():
            hint = " (a harvest that has not finished: run the same command again to resume)" if (
                root / "run.json"
            ).exists() else ""
            raise DatasetError(f"{manifest_path} not found: not a complete activation dataset{hint}")
        manifest = read_json_object(manifest_path, DatasetError)
        if manifest.get("format") != FORMAT_NAME:
            raise DatasetError(f"{manifest_path}: not a {FORMAT_NAME} manifest")
        dataset = cls(root, manifest)
        if verify:
            dataset.verify()
        return dataset

    # --- what the dataset is
    @property
    def hookpoints(self) -> list[str]:
        return [h["hookpoint"] for h in self.manifest["hookpoints"]]

    @property
    def labels(self) -> list[str]:
        return [h["label"] for h in self.manifest["hookpoints"]]

    @property
    def d_model(self) -> int:
        return int(self.manifest["d_model"])

    @property
    def num_records(self) -> int:
        return self._starts[-1]

    def __len__(self) -> int:
        return self.num_records

    @property
    def num_shards(self) -> int:
        return len(self.shard_entries)

    def label_of(self, hookpoint_or_label: str) -> str:
        for h in self.manifest["hookpoints"]:
            if hookpoint_or_label in (h["hookpoint"], h["label"]):
                return h["label"]
        raise DatasetError(f"{self.root}: no hookpoint '{hookpoint_or_label}' (has {self.hookpoints})")

    # --- shards
    def shard(self, i: int) -> Shard:
        if i not in self._open:
            entry = self.shard_entries[i]
            self._open[i] = Shard(self.root / entry["file"], entry["bytes"])
        return self._open[i]

    def held_out_shards(self, fraction: float) -> list[int]:
        """The last `fraction` of the shards (at least one when fraction > 0): what training leaves out and
        evaluation reads, so both agree on the split without storing it."""
        if fraction <= 0:
            return []
        count = min(self.num_shards - 1, max(1, round(self.num_shards * fraction)))
        return list(range(self.num_shards - count, self.num_shards))

    def shard_path(self, i: int) -> Path:
        return self.root / self.shard_entries[i]["file"]

    def verify(self) -> None:
        """Check every shard's size and sha256 against the manifest; the error names the first bad shard."""
        for entry in self.shard_entries:
            check_shard_file(self.root / entry["file"], entry["bytes"], entry["sha256"])

    def shard_activations(self, i: int, hookpoint_or_label: str) -> torch.Tensor:
        """All activations of shard i at one hookpoint, [rows, d_model]."""
        return self.shard(i).get(acts_key(self.label_of(hookpoint_or_label)))

    def iter_activations(self, hookpoint_or_label: str) -> Iterator[torch.Tensor]:
        """Stream every shard's activations in dataset order."""
        for i in range(self.num_shards):
            yield self.shard_activations(i, hookpoint_or_label)

    # --- records
    def locate(self, index: int) -> tuple[int, int]:
        if not 0 <= index < self.num_records:
            raise IndexError(f"record {index} out of range: the dataset has {self.num_records} records")
        shard = bisect.bisect_right(self._starts, index) - 1
        return shard, index - self._starts[shard]

    def __getitem__(self, index: int) -> Record:
        return self.record(index)

    def record(self, index: int) -> Record:
        shard_i, row = self.locate(index)
        shard = self.shard(shard_i)

        def one(name: str) -> int:
            return int(shard.get(name, row, row + 1)[0])

        return Record(
            acts={label: shard.get(acts_key(label), row, row + 1)[0] for label in self.labels},
            conversation=one("record.conversation"),
            position=one("record.position"),
            token=one("record.token"),
            role=ROLE_NAMES[one("record.role")],
            turn=one("record.turn"),
        )

    # --- conversations
    @cached_property
    def _conversation_locations(self) -> dict[int, tuple[int, int]]:
        locations = {}
        for i in range(self.num_shards):
            for row, conv in enumerate(self.shard(i).get("conv.index").tolist()):
                locations[conv] = (i, row)
        return locations

    @property
    def conversation_indices(self) -> list[int]:
        return sorted(self._conversation_locations)

    def conversation(self, index: int) -> ConversationTokens:
        if index not in self._conversation_locations:
            raise KeyError(f"conversation {index} is not in {self.root}")
        shard_i, row = self._conversation_locations[index]
        shard = self.shard(shard_i)
        offsets = shard.get("conv.offsets", row, row + 2).tolist()
        return ConversationTokens(
            index=index,
            conversation_id=shard.header_list("conversation_ids")[row],
            language=shard.header_list("languages")[row],
            token_ids=shard.get("conv.tokens", offsets[0], offsets[1]),
            roles=shard.get("conv.roles", offsets[0], offsets[1]),
            turns=shard.get("conv.turns", offsets[0], offsets[1]),
            truncated=bool(shard.get("conv.truncated", row, row + 1)[0]),
        )

    def conversation_tokens(self, index: int) -> torch.Tensor:
        return self.conversation(index).token_ids
