"""`ActivationStream`: one rank's share of the global batches, drawn from S independent shard streams.

Distributed. `batch_size` (B) is the global batch, drawn from `loader_streams` (S; None: one per rank) independent
streams, each dealt its shards (see `order`) and emitting batches of B / S rows; global batch t is the
concatenation of the S streams' t-th batches. Rank r of W runs the contiguous block of streams
[r * S / W, (r + 1) * S / W) and returns their batches concatenated (B / W rows), so it opens only its streams'
shards: within an epoch no two ranks read the same shard. A stream runs its own epochs: one whose shards hold
fewer rows simply starts its next epoch sooner. The sequence depends on S, never on W: one process with S streams
yields, step by step, exactly the rows of W ranks concatenated in rank order, and a run can continue at any world
size that divides S. `epochs` caps the global batches at the minimum over the streams of the batches of their
first `epochs` epochs, computed from the manifest's row counts (the same on every rank, no communication); a
shard skipped as corrupt shortens its stream's epoch (the stream moves into its next epoch sooner), never the cap.

Each local stream runs its own pipeline (`StreamPipeline`, with the same knobs), so a rank holds S / W times the
memory bound of one (see `batcher`). Resume: see `state` and `order`.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import torch

from saescope.harvest.dataset import ActivationDataset, DatasetError
from saescope.train.loader.batcher import StreamPipeline
from saescope.train.loader.chain import SkipLog, StreamContext
from saescope.train.loader.config import LoaderConfig
from saescope.train.loader.files import ShardFiles
from saescope.train.loader.order import stream_batch_counts
from saescope.train.loader.state import STATE_FORMAT, STATE_VERSION, check_state


class _Slot:
    """The stream's current pipelines, closable from a finalizer that must not hold the stream."""

    def __init__(self) -> None:
        self.pipelines: list[StreamPipeline] | None = None

    def close(self) -> None:
        if self.pipelines is not None:
            pipelines, self.pipelines = self.pipelines, None
            _close_all(pipelines)


def _close_all(pipelines: list[StreamPipeline]) -> None:
    for pipeline in pipelines:  # all wind down at once, then each is waited for
        pipeline.stop()
    for pipeline in pipelines:
        pipeline.close()


class LoaderPosition(NamedTuple):
    """Where the next iteration starts: the global batches taken, and for each of this rank's streams the
    epoch it is in and the batches of that epoch taken."""

    batches: int
    streams: dict[int, tuple[int, int]]


@dataclass(frozen=True)
class _Layout:
    """What the number of streams decides for one rank."""

    streams: int
    local: range  # this rank's streams
    first_epoch_batches: list[int]  # each stream's batches in epoch 0 (from the manifest's row counts)
    limit: int | None  # global batches the `epochs` cap allows (None: endless)


class ActivationStream:
    """Iterate shuffled batches `[batch_size // world_size, d_model]` (the dataset's dtype) of one hookpoint.

    `source`: a dataset folder, `hf://datasets/<owner>/<name>[@revision]`, or an open ActivationDataset.
    The global batch is drawn from `cfg.loader_streams` independent shard streams (None: the state's number when
    one is given, else `world_size`); this rank runs its own block of them and reads only their shards (see the
    module docstring). Iterating again continues where the last batch taken left off; `state_dict()` saves this rank's
    position, `merge_loader_states` joins every rank's, and `load_state_dict()` (or `state=`) restores a merged
    state exactly, at any world size that divides its number of streams. With a CUDA `device`, batches are
    assembled in pinned memory and moved to it without blocking. Use as a context manager, or call `close()`, to
    stop the threads.
    """

    def __init__(
        self,
        source: str | Path | ActivationDataset | ShardFiles,
        cfg: LoaderConfig | None = None,
        rank: int = 0,
        world_size: int = 1,
        device: torch.device | str | None = None,
        state: dict[str, Any] | None = None,
        exclude_shards: tuple[int, ...] = (),
    ) -> None:
        self.cfg = cfg or LoaderConfig()
        self.exclude_shards = tuple(sorted(exclude_shards))  # e.g. the shards held out for evaluation
        if not 0 <= rank < world_size:
            raise ValueError(f"rank {rank} is not in a world of {world_size}")
        self.files = ShardFiles.open(source)
        self.dataset = self.files.dataset
        self.label = self._label(self.cfg.hookpoint)
        if self.cfg.batch_size > self.num_records:
            raise ValueError(f"{self.dataset.root}: batch_size {self.cfg.batch_size} exceeds the "
                             f"{self.num_records} records streamed")
        self.rank, self.world_size = rank, world_size
        self.device = torch.device(device) if device is not None else None
        self.skipped_shards: list[str] = []
        self._skip_log = SkipLog(self.skipped_shards)
        streams = self.cfg.loader_streams
        if streams is None and state is not None and isinstance(state.get("num_streams"), int):
            streams = state["num_streams"]  # resuming: the streams the state was saved with
        self._layout = self._make_layout(streams or world_size)
        self._taken = 0  # global batches taken
        self._positions = {s: (0, 0) for s in self._layout.local}
        self._slot = _Slot()
        weakref.finalize(self, self._slot.close)
        if state is not None:
            self.load_state_dict(state)

    def _label(self, hookpoint: str | None) -> str:
        if hookpoint is not None:
            return self.dataset.label_of(hookpoint)
        if len(self.dataset.labels) != 1:
            raise DatasetError(f"{self.dataset.root} has hookpoints {self.dataset.hookpoints}: choose one")
        return self.dataset.labels[0]

    # --- the streams
    def _make_layout(self, streams: int) -> _Layout:
        """Check that `streams` fits this world, batch and dataset; the same answer on every rank."""
        root, batch, world = self.dataset.root, self.cfg.batch_size, self.world_size
        if streams % world:
            raise ValueError(f"{root}: world_size {world} does not divide the {streams} loader streams: run on a "
                             f"world size that divides {streams}, or set the streams to a multiple of {world}")
        if batch % streams:
            raise ValueError(f"{root}: batch_size {batch} is not divisible by the {streams} loader streams")
        shards = self.dataset.num_shards - len(set(self.exclude_shards))
        if shards < streams:
            raise ValueError(f"{root}: {shards} shards to stream, fewer than the {streams} streams; use fewer "
                             f"ranks/streams or smaller shards")
        rows = [int(e["rows"]) for e in self.dataset.shard_entries]
        per_epoch = [stream_batch_counts(self.cfg.seed, e, rows, frozenset(self.exclude_shards), streams, batch)
                     for e in range(self.cfg.epochs or 1)]
        for epoch, counts in enumerate(per_epoch):
            if 0 in counts:
                s = counts.index(0)
                raise ValueError(f"{root}: stream {s} of {streams} can yield no batch of {batch // streams} rows in "
                                 f"epoch {epoch}: its shards hold too few rows; use fewer ranks/streams or smaller "
                                 f"shards")
        limit = None if self.cfg.epochs is None else min(map(sum, zip(*per_epoch, strict=True)))
        per_rank = streams // world
        return _Layout(streams, range(self.rank * per_rank, (self.rank + 1) * per_rank), per_epoch[0], limit)

    # --- what the stream is
    @property
    def d_model(self) -> int:
        return self.dataset.d_model

    @property
    def dtype(self) -> torch.dtype | None:
        name = self.dataset.manifest.get("activation_dtype")
        return getattr(torch, name) if name in ("bfloat16", "float32") else None

    @property
    def num_records(self) -> int:
        """Records of the shards streamed (the excluded ones left out)."""
        excluded = sum(self.dataset.shard_entries[i]["rows"] for i in self.exclude_shards)
        return self.dataset.num_records - excluded

    @property
    def streams(self) -> int:
        """The number of streams the global batch is drawn from."""
        return self._layout.streams

    @property
    def local_streams(self) -> range:
        """This rank's streams, in the order their batches are concatenated."""
        return self._layout.local

    @property
    def batches_per_epoch(self) -> int:
        """Global batches per epoch: with one stream, records // batch_size; with several, the fewest batches a
        stream has in epoch 0 (streams run their epochs independently). Fewer if shards are skipped as corrupt."""
        return min(self._layout.first_epoch_batches)

    @property
    def tokens_per_epoch(self) -> int:
        """Rows emitted per epoch over all ranks (see `batches_per_epoch`): the records less the dropped rest."""
        return self.batches_per_epoch * self.cfg.batch_size

    @property
    def rank_batch_size(self) -> int:
        return self.cfg.batch_size // self.world_size

    @property
    def position(self) -> LoaderPosition:
        """Where the next iteration starts: global batches taken; (epoch, batches of it) of each local stream."""
        return LoaderPosition(self._taken, dict(self._positions))

    # --- iteration
    def __iter__(self) -> Iterator[torch.Tensor]:
        self._slot.close()
        known_bad = frozenset(i for i in range(self.dataset.num_shards) if self.files.name(i) in self.skipped_shards)
        pin = self.device is not None and self.device.type == "cuda" and torch.cuda.is_available()
        limit = self._layout.limit
        remaining = None if limit is None else max(limit - self._taken, 0)
        pipelines: list[StreamPipeline] = []
        for s in self._layout.local:
            ctx = StreamContext(self.files, self.cfg, self.label, pin, frozenset(self.exclude_shards), known_bad, s,
                                self._layout.streams, self._skip_log)
            pipelines.append(StreamPipeline(ctx, *self._positions[s], remaining))
        self._slot.pipelines = pipelines
        return self._consume(pipelines)

    def _consume(self, pipelines: list[StreamPipeline]) -> Iterator[torch.Tensor]:
        try:
            # A newer iteration (or a state load) supersedes this one: stop rather than move its position.
            while self._slot.pipelines is pipelines:
                batches = [pipeline.next() for pipeline in pipelines]
                if any(batch is None for batch in batches):
                    if not all(batch is None for batch in batches):  # an internal invariant, checked for safety
                        raise RuntimeError("loader streams out of step: one ended before the others")
                    return
                parts = []
                for s, batch in zip(self._layout.local, batches, strict=True):
                    assert batch is not None
                    self._positions[s] = (batch.epoch, batch.batches)
                    parts.append(batch.rows)
                self._taken += 1
                if len({part.dtype for part in parts}) > 1:
                    raise DatasetError(f"{self.dataset.root}: shards of several dtypes ({parts[0].dtype}, "
                                       f"{parts[-1].dtype})")
                if self.device is not None and self.device.type != "cpu":
                    parts = [part.to(self.device, non_blocking=True) for part in parts]  # each from pinned memory
                yield parts[0] if len(parts) == 1 else torch.cat(parts)
        finally:
            _close_all(pipelines)

    def close(self) -> None:
        self._slot.close()

    def __enter__(self) -> ActivationStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- exact resume
    def _fingerprint(self, streams: int | None = None) -> dict[str, Any]:
        digest = hashlib.sha256("".join(e["sha256"] for e in self.dataset.shard_entries).encode()).hexdigest()
        return {"seed": self.cfg.seed, "batch_size": self.cfg.batch_size, "shuffle_buffer": self.cfg.shuffle_buffer,
                "hookpoint": self.label, "num_records": self.dataset.num_records, "dataset": digest,
                "exclude_shards": list(self.exclude_shards), "num_streams": streams or self._layout.streams}

    def state_dict(self) -> dict[str, Any]:
        """This rank's streams' positions after the last batch taken, and what must match to continue from them.
        Join every rank's with `merge_loader_states` to resume (one process holds every stream already)."""
        return {"format": STATE_FORMAT, "version": STATE_VERSION,
                "streams": {str(s): list(position) for s, position in self._positions.items()},
                "batches": self._taken, "skipped_shards": list(self.skipped_shards), **self._fingerprint()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Continue from a (merged) state: this rank's streams must all be in it. With `cfg.loader_streams` None,
        the state's number of streams is adopted (the world size must divide it)."""
        check_state(state)
        streams = self.cfg.loader_streams if self.cfg.loader_streams is not None else state["num_streams"]
        mismatched = [f"{k}: state {state.get(k)!r}, stream {v!r}" for k, v in self._fingerprint(streams).items()
                      if state.get(k) != v]
        if mismatched:
            raise ValueError("the loader state belongs to another stream (" + "; ".join(mismatched) + ")")
        layout = self._make_layout(streams)
        saved = state["streams"]
        missing = [s for s in layout.local if str(s) not in saved]
        if missing:
            raise ValueError(f"the loader state holds no position for streams {missing} of rank {self.rank} (it has "
                             f"{sorted(saved, key=int)} of {streams}): merge every rank's state with "
                             f"merge_loader_states")
        self.close()
        self._layout = layout
        self._positions = {s: (int(saved[str(s)][0]), int(saved[str(s)][1])) for s in layout.local}
        self._taken = int(state["batches"])
        self.skipped_shards[:] = list(state["skipped_shards"])


def sample_rows(
    source: str | Path | ActivationDataset | ShardFiles,
    hookpoint: str | None,
    n: int,
    seed: int = 0,
    shuffle_buffer: int = 8192,
) -> torch.Tensor:
    """`n` shuffled rows (at most the dataset's records) from the start of a fresh stream: for normaliser
    estimates and decoder-bias initialisation."""
    files = ShardFiles.open(source)
    n = min(n, files.dataset.num_records)
    cfg = LoaderConfig(hookpoint=hookpoint, batch_size=min(n, 8192), shuffle_buffer=shuffle_buffer, seed=seed,
                       prefetch_shards=2, decoded_prefetch_shards=2, cpu_prefetch_batches=2)
    taken: list[torch.Tensor] = []
    with ActivationStream(files, cfg) as stream:
        for batch in stream:
            taken.append(batch)
            if sum(len(b) for b in taken) >= n:
                break
    return torch.cat(taken)[:n]
