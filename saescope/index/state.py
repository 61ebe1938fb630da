"""Resumable progress of an index build: the accumulators, the top examples, the interval samples and the shards
done, in one
safetensors file (no pickle) written atomically every `index.save_every_shards` shards."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from safetensors import SafetensorError, safe_open
from safetensors.torch import save_file

from saescope.index.accumulate import FeatureStats, TopExamples
from saescope.index.distributions import IntervalSamples
from saescope.index.errors import ReverseIndexError
from saescope.utils.atomic import write_with_atomic

STATE_FILE = "index_state.safetensors"
HEADER_KEY = "saescope-index"


@dataclass
class IndexState:
    stats: FeatureStats
    top: TopExamples
    intervals: IntervalSamples
    settings: dict[str, Any]  # what must not change between a build and its resumption
    shards_done: list[int]
    sink_records: int = 0  # records set apart as attention sinks so far


def save_state(folder: Path, state: IndexState) -> None:
    tensors = state.stats.state_dict() | state.top.state_dict() | state.intervals.state_dict()
    header = {HEADER_KEY: json.dumps({"settings": state.settings, "shards_done": state.shards_done,
                                      "sink_records": state.sink_records}, sort_keys=True)}
    write_with_atomic(folder / STATE_FILE, lambda tmp: save_file(tensors, str(tmp), metadata=header))


def load_state(folder: Path) -> IndexState | None:
    path = folder / STATE_FILE
    if not path.is_file():
        return None
    try:
        with safe_open(str(path), framework="pt") as f:
            header = json.loads((f.metadata() or {})[HEADER_KEY])
            tensors = {name: f.get_tensor(name) for name in f.keys()}  # noqa: SIM118 - safe_open has no __iter__
        return IndexState(FeatureStats.from_state_dict(tensors), TopExamples.from_state_dict(tensors),
                          IntervalSamples.from_state_dict(tensors), header["settings"], header["shards_done"],
                          header.get("sink_records", 0))
    except (SafetensorError, OSError, KeyError, json.JSONDecodeError) as e:
        raise ReverseIndexError(f"{path}: unreadable progress file ({e}); delete it to start the index over") from e
