"""The shard chain of one stream: which shards come next, fetched ahead by a thread pool, then decoded, in order.

Built on `torchdata.nodes`:

    ShardSequence     the stream's shards from (epoch, entry) on, epoch by epoch, up to an end epoch (or forever)
    FetchAhead        a pool of `prefetch_shards` threads makes the next shard files local and resident
                      (`fetch_shard`), at most `prefetch_shards` in flight, handed on in sequence order whatever
                      order they finish in (0: torchdata's `Mapper`, on demand)
    DecodeShards      opens each fetched shard (header and size checked), maps its activations of the hookpoint
                      and draws its rows' sort keys from its stream start
    Prefetcher        torchdata's: runs the decode in its own thread, up to `decoded_prefetch_shards` shards ahead

The fetch pool is the standard library's, not torchdata's `ParallelMapper`: each of its worker threads calls
`torch.set_num_threads(1)`, and torch keeps that count for the whole process (every thread that starts torch work
afterwards runs it on one core: the batch stage's gathers, the trainer's ops).

Threads, not processes: a decoded shard is a memory map and a batch is gathered straight out of it, so every stage
shares the mapped pages; worker processes would each map the shards and pass every batch through shared memory.

Errors travel as values (`Failure`, the original exception): torchdata re-raises a thread's exception as a new
one whose message holds the traceback, and a corrupt shard must stay a one-line DatasetError naming it. A shard
that cannot be used is a `Skipped` notice with `skip_corrupt_shards`, a `Failure` otherwise.

Stopping. torchdata 0.11 nodes have no public shutdown; a node's threads end once it has raised StopIteration to
its consumer. So every stage ends when the stream's `stop` event (or its chain's `halt`) is set: ShardSequence
ends, and a stage that ends drains its source. Draining is bounded by the work in flight (at most the shards
being fetched); after it no thread of the chain is left but those already on their way out.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torchdata.nodes import BaseNode, Mapper, Prefetcher

from saescope.harvest.dataset import DatasetError
from saescope.train.loader.config import LoaderConfig
from saescope.train.loader.files import ShardFiles, fetch_shard, open_rows
from saescope.train.loader.order import shard_keys, stream_shard_order

log = logging.getLogger(__name__)


class SkipLog:
    """The names of the shards found corrupt, in the order met: one list shared by a stream's pipelines."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self._lock = threading.Lock()  # each stream's batch thread adds to it

    def add(self, name: str, reason: str) -> None:
        with self._lock:
            if name not in self.names:
                self.names.append(name)
                log.warning("skipping corrupt shard %s: %s", name, reason)

    def __bool__(self) -> bool:
        return bool(self.names)

    def __str__(self) -> str:
        return ", ".join(self.names)


@dataclass(frozen=True, eq=False)
class StreamContext:
    """What every stage of one stream's pipeline reads, and the event that stops them all."""

    files: ShardFiles
    cfg: LoaderConfig
    label: str
    pin: bool
    exclude: frozenset[int]  # shards never streamed (held out): left out before the deal
    known_bad: frozenset[int]  # shards already found corrupt: left out of every order, after the deal
    stream: int  # which of the streams this pipeline runs
    streams: int
    skipped: SkipLog
    stop: threading.Event = field(default_factory=threading.Event)
    rows: list[int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "rows", [int(e["rows"]) for e in self.files.dataset.shard_entries])

    @property
    def batch_size(self) -> int:
        return self.cfg.batch_size // self.streams

    def order(self, epoch: int) -> list[int]:
        return stream_shard_order(self.cfg.seed, epoch, len(self.rows), self.stream, self.streams, self.exclude,
                                  self.known_bad)

    def epoch_batches(self, epoch: int) -> int:
        """The stream's batches in `epoch` if every shard of its order arrives."""
        return sum(self.rows[i] for i in self.order(epoch)) // self.batch_size


@dataclass(frozen=True)
class ShardRef:
    epoch: int
    entry: int  # index in the epoch's order
    shard: int


@dataclass(frozen=True)
class Fetched:
    ref: ShardRef
    path: Path | None
    error: Exception | None  # why the shard could not be fetched; raised by the decode stage


@dataclass(frozen=True)
class Delivered:
    epoch: int
    entry: int
    shard: int
    start: int  # stream position of its first row
    acts: torch.Tensor  # [rows, d_model], mapped from the file the fetch stage made resident
    keys: tuple[np.ndarray, np.ndarray]  # its `shard_keys`


@dataclass(frozen=True)
class Skipped:
    epoch: int
    entry: int
    shard: int
    reason: str


@dataclass(frozen=True)
class Failure:
    """An error of a background stage, on its way to the consumer, who raises it."""

    error: Exception


def drain(node: BaseNode[Any]) -> int:
    """Take what a started node still yields until it ends (its threads then exit); returns how many items."""
    return sum(1 for _ in node)


class ShardSequence(BaseNode[ShardRef]):
    """The shards a stream visits from entry `entry` of epoch `epoch` on, up to epoch `end` (None: forever)."""

    def __init__(self, ctx: StreamContext, epoch: int, entry: int, end: int | None, halt: threading.Event) -> None:
        super().__init__()
        self._ctx, self._first, self._end, self._halt = ctx, (epoch, entry), end, halt
        self._epoch, self._entry = epoch, entry
        self._order: list[int] | None = None

    def reset(self, initial_state: dict[str, Any] | None = None) -> None:
        super().reset(initial_state)
        self._epoch, self._entry = (initial_state["epoch"], initial_state["entry"]) if initial_state else self._first
        self._order = None

    def next(self) -> ShardRef:
        # Checked per epoch too: a stream whose shards are all known corrupt has empty orders forever.
        while not (self._halt.is_set() or self._ctx.stop.is_set()) and (self._end is None or self._epoch < self._end):
            if self._order is None:
                self._order = self._ctx.order(self._epoch)
            if self._entry < len(self._order):
                self._entry += 1
                return ShardRef(self._epoch, self._entry - 1, self._order[self._entry - 1])
            self._epoch, self._entry, self._order = self._epoch + 1, 0, None
        raise StopIteration

    def get_state(self) -> dict[str, Any]:
        return {"epoch": self._epoch, "entry": self._entry}


def _fetch(files: ShardFiles, verify: bool, ref: ShardRef) -> Fetched:
    """The fetch stage's work on one shard; never raises, so one bad shard does not end the pool."""
    try:
        return Fetched(ref, fetch_shard(files, ref.shard, verify), None)
    except Exception as e:
        return Fetched(ref, None, e)


class FetchAhead(BaseNode[Fetched]):
    """Runs `fetch` on the next `workers` items of `source` in a thread pool; hands the results on in source order.
    The pool's threads end once the source is exhausted and every fetch handed on."""

    def __init__(self, source: BaseNode[ShardRef], fetch: Callable[[ShardRef], Fetched], workers: int) -> None:
        super().__init__()
        self.source, self._fetch, self._workers = source, fetch, workers
        self._pool: ThreadPoolExecutor | None = None
        self._ahead: deque[tuple[dict[str, Any], Future[Fetched]]] = deque()  # (source state before it, fetch)
        self._exhausted = False

    def reset(self, initial_state: dict[str, Any] | None = None) -> None:
        super().reset(initial_state)
        self._shutdown()
        self.source.reset(initial_state["source"] if initial_state else None)
        self._pool = ThreadPoolExecutor(self._workers, thread_name_prefix="saescope-fetch")
        self._exhausted = False

    def next(self) -> Fetched:
        self._top_up()
        if not self._ahead:
            self._shutdown()
            raise StopIteration
        fetched = self._ahead.popleft()[1].result()  # never raises: `_fetch` returns the error
        self._top_up()
        return fetched

    def get_state(self) -> dict[str, Any]:
        # Where the next item handed on was drawn: the fetches in flight are done again after a reset.
        return {"source": self._ahead[0][0] if self._ahead else self.source.state_dict()}

    def _top_up(self) -> None:
        while not self._exhausted and len(self._ahead) < self._workers:
            before = self.source.state_dict()
            try:
                ref = next(self.source)
            except StopIteration:
                self._exhausted = True
                return
            assert self._pool is not None
            self._ahead.append((before, self._pool.submit(self._fetch, ref)))

    def _shutdown(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._ahead.clear()


class DecodeShards(BaseNode[Delivered | Skipped | Failure]):
    """Opens each fetched shard and draws its keys from its stream start (the rows of the shards before it in the
    epoch, skipped ones not counted: why this stage runs in sequence order, one shard at a time)."""

    def __init__(self, ctx: StreamContext, source: BaseNode[Fetched], epoch: int, stream_start: int,
                 halt: threading.Event) -> None:
        super().__init__()
        self._ctx, self.source, self._first, self._halt = ctx, source, (epoch, stream_start), halt
        self._epoch, self._start = epoch, stream_start
        self._dtype: torch.dtype | None = None
        self._ended = False

    def reset(self, initial_state: dict[str, Any] | None = None) -> None:
        super().reset(initial_state)
        state = initial_state or {"source": None, "epoch": self._first[0], "start": self._first[1]}
        self.source.reset(state["source"])
        self._epoch, self._start, self._ended = state["epoch"], state["start"], False

    def next(self) -> Delivered | Skipped | Failure:
        if self._ended or self._halt.is_set() or self._ctx.stop.is_set():
            self._end()
            raise StopIteration
        try:
            return self._decode(next(self.source))
        except StopIteration:
            self._ended = True
            raise
        except Exception as e:
            self._halt.set()  # the sequence ends; the next call drains what is in flight
            return Failure(e)

    def _end(self) -> None:
        if not self._ended:
            self._ended = True
            self._halt.set()
            drain(self.source)

    def _decode(self, fetched: Fetched) -> Delivered | Skipped:
        ctx, ref = self._ctx, fetched.ref
        if ref.epoch != self._epoch:
            self._epoch, self._start = ref.epoch, 0
        entry = ctx.files.dataset.shard_entries[ref.shard]
        try:
            if fetched.error is not None:
                raise fetched.error
            assert fetched.path is not None
            acts = open_rows(fetched.path, entry, ctx.label, ctx.files.dataset.d_model)
        except DatasetError as e:
            if not ctx.cfg.skip_corrupt_shards:
                raise DatasetError(f"{e} (skip_corrupt_shards=True trains without it)") from e
            return Skipped(ref.epoch, ref.entry, ref.shard, str(e))
        if self._dtype is not None and acts.dtype != self._dtype:
            raise DatasetError(f"shard {fetched.path} holds {acts.dtype}, earlier shards {self._dtype}")
        self._dtype = acts.dtype
        rows = ctx.rows[ref.shard]
        keys = shard_keys(ctx.cfg.seed, ref.epoch, ref.shard, self._start, rows, ctx.cfg.shuffle_buffer)
        delivered = Delivered(ref.epoch, ref.entry, ref.shard, self._start, acts, keys)
        self._start += rows
        return delivered

    def get_state(self) -> dict[str, Any]:
        return {"source": self.source.state_dict(), "epoch": self._epoch, "start": self._start}


def shard_chain(ctx: StreamContext, epoch: int, entry: int, stream_start: int, end: int | None,
                halt: threading.Event) -> BaseNode[Delivered | Skipped | Failure]:
    """The decoded shards of the stream from entry `entry` of `epoch` (at stream position `stream_start`) up to
    epoch `end`, in order, fetched and decoded ahead in background threads once first asked for. Setting `halt`
    (or the stream's `stop`) ends it early."""
    cfg = ctx.cfg
    sequence = ShardSequence(ctx, epoch, entry, end, halt)
    fetch = functools.partial(_fetch, ctx.files, cfg.verify_shards)
    fetched = FetchAhead(sequence, fetch, cfg.prefetch_shards) if cfg.prefetch_shards else Mapper(sequence, fetch)
    decoded = DecodeShards(ctx, fetched, epoch, stream_start, halt)
    return Prefetcher(decoded, prefetch_factor=cfg.decoded_prefetch_shards, snapshot_frequency=0)  # state: ours
