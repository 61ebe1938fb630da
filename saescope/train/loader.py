"""The training stream: shuffled, deterministic, resumable, memory-bounded batches of activation rows.

Stages, each a background thread with a bounded hand-off:

    fetch    a pool of `prefetch_shards` threads makes the next shard files local and resident: a hub dataset
             downloads them into the Hugging Face cache; a local file is read into the page cache (hashed on the
             way when `verify_shards`)
    decode   one thread opens each shard (header and size checked), maps its activations of the hookpoint as a
             tensor of the dataset's dtype and draws its rows' sort keys, up to `decoded_prefetch_shards` shards
             ahead of the batcher
    batch    one thread decides each batch from the keys and gathers its rows straight out of the mapped shards
             (into pinned memory for CUDA), up to `cpu_prefetch_batches` batches ahead of the consumer

Shuffle. Epoch e deals the shards to the streams (see Distributed) in a permutation seeded by (seed, e); a
stream visits its shards in that order and each shard's rows in a permutation seeded by (seed, e, shard); their
concatenation is the stream's epoch. Its row i gets the key i + shuffle_buffer * u, u uniform in [0, 1) drawn per
(seed, e, shard), and the epoch emits rows in key order, `batch_size / streams` at a time: a windowed shuffle in
which a row is only reordered against rows less than `shuffle_buffer` away in the stream, so a batch mixes every
shard that overlaps a window of about 2 * shuffle_buffer + batch_size / streams stream rows. The last rows of a
stream's epoch that do not fill a batch (the largest keys) are dropped: every batch is full and each record
appears once per epoch at most. Every random draw comes from a generator seeded by (seed, epoch[, shard]) and
the batcher takes shards in stream order, so thread timing never changes the sequence. The permutations only
decide which rows a batch reads: the data is read once, by the gather that builds the batch, rows of a shard in
file order.

Distributed. `batch_size` (B) is the global batch, drawn from `streams` (S; None: one per rank) independent
streams. Epoch e's shard order, the excluded (held-out) shards left out, is dealt round-robin: stream s takes
entries s, s + S, s + 2S, ... (re-dealt every epoch; shards known corrupt are dropped after the deal, so the
deal never depends on what a rank knows). Each stream shuffles its shards as above and emits batches of B / S
rows; global batch t is the concatenation of the S streams' t-th batches. Rank r of W runs the contiguous block
of streams [r * S / W, (r + 1) * S / W) and returns their batches concatenated (B / W rows), so it opens only
its streams' shards: within an epoch no two ranks read the same shard. A stream runs its own epochs: one whose
shards hold fewer rows simply starts its next epoch sooner. The sequence depends on S, never on W: one process
with S streams yields, step by step, exactly the rows of W ranks concatenated in rank order, and a run can
continue at any world size that divides S. `epochs` caps the global batches at the minimum over the streams of
the batches of their first `epochs` epochs, computed from the manifest's row counts (the same on every rank, no
communication); a shard skipped as corrupt shortens its stream's epoch (the stream moves into its next epoch
sooner), never the cap.

Resume. A rank's state holds its streams' positions, (epoch, batches of it consumed) each, the global batches
taken and the shards found corrupt; `merge_loader_states` joins every rank's into one state of all S streams,
which any world size dividing S loads (with `streams=None` the state's S is used). Restoring a stream replays
its epoch's keys, which needs only the manifest's row counts, up to the same batch, then restarts decoding at
the first shard that still holds a row not yet emitted: the continued stream is batch for batch the
uninterrupted one.

Memory. Per rank, S / W pipelines, each with its own threads and the same knobs. Whatever the dataset's size, the
shards a stream's batcher still reads span fewer than 2 * shuffle_buffer + batch_size / S + (largest shard) rows
(see `LiveShards`), at most `decoded_prefetch_shards` more are decoded ahead and `prefetch_shards` files fetched
ahead, all of them file pages in the page cache rather than process memory; plus `cpu_prefetch_batches` batches
of B / S rows in its queue. A rank holds S / W times that. A capped stream fetches no shard of an epoch past the
one its last batch needs.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
import queue
import threading
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field

from saescope.harvest.dataset import ActivationDataset, DatasetError, Shard
from saescope.harvest.format import MANIFEST, acts_key
from saescope.utils.atomic import sha256_file

log = logging.getLogger(__name__)

HUB_PREFIX = "hf://datasets/"
STATE_FORMAT = "saescope-loader"
STATE_VERSION = 2
_ORDER, _ROWS, _KEYS = 0, 1, 2  # purposes mixed into the seeds: each draw has its own generator
_POLL_SECONDS = 0.1  # how often a blocked thread looks at the stop flag
_JOIN_SECONDS = 10.0


class LoaderConfig(BaseModel):
    """How the training stream reads, shuffles and batches an activation dataset."""

    model_config = ConfigDict(extra="forbid")

    hookpoint: str | None = Field(
        None, description="Hookpoint (`layers.N`) or label (`lN+1`) to stream; None: the dataset's only one."
    )
    batch_size: int = Field(4096, ge=1, description="Rows (tokens) per global batch, over all ranks.")
    shuffle_buffer: int = Field(8192, ge=0, description="Rows of the shuffle window (0: shard and row order only).")
    prefetch_shards: int = Field(4, ge=0, description="Shard files fetched ahead by a thread pool (0: on demand).")
    decoded_prefetch_shards: int = Field(8, ge=1, description="Shards decoded (checked, mapped, keyed) ahead.")
    cpu_prefetch_batches: int = Field(16, ge=1, description="Batches assembled ahead (pinned for a CUDA device).")
    seed: int = Field(0, ge=0, description="Seeds the shard order, row order and shuffle keys of every epoch.")
    epochs: int | None = Field(
        None, ge=1, description="Stop after this many epochs' worth of global batches (None: repeat forever)."
    )
    streams: int | None = Field(
        None, ge=1, description="Independent shard streams the global batch is drawn from; each rank reads only "
        "its streams' shards. None: one per rank (or the resumed state's). A multiple of every world size used.",
    )
    skip_corrupt: bool = Field(False, description="Skip a corrupt shard (logged, listed) instead of raising.")
    verify_shards: bool = Field(False, description="Check each shard's sha256 against the manifest when fetched.")


# --- seeded draws: functions of (seed, epoch, shard) only, never of timing


def _rng(*parts: int) -> np.random.Generator:
    return np.random.default_rng(list(parts))


def epoch_shard_order(seed: int, epoch: int, num_shards: int) -> list[int]:
    """The order in which epoch `epoch` visits the shards."""
    return _rng(seed, epoch, _ORDER).permutation(num_shards).tolist()


def stream_shard_order(seed: int, epoch: int, num_shards: int, stream: int, streams: int,
                       exclude: frozenset[int] = frozenset(), known_bad: frozenset[int] = frozenset()) -> list[int]:
    """The shards stream `stream` of `streams` visits in epoch `epoch`, in order: the epoch's order without the
    excluded shards, dealt round-robin over the streams, then without the shards known corrupt (removed after the
    deal, so the deal never depends on what a rank knows)."""
    order = [i for i in epoch_shard_order(seed, epoch, num_shards) if i not in exclude]
    return [i for i in order[stream::streams] if i not in known_bad]


def shard_keys(seed: int, epoch: int, shard: int, start: int, rows: int, window: int) -> tuple[np.ndarray, np.ndarray]:
    """A shard's share of its epoch's plan, a function of its stream start alone: the sort keys of its rows,
    ascending, and the position each key's row is read from.

    Stream row start + t is the shard's row perm[t], so a row's position is start + its row in the file: the row
    permutation only changes which rows a batch reads, never costs a pass over the data.
    """
    keys = start + np.arange(rows, dtype=np.float64) + window * _rng(seed, epoch, _KEYS, shard).random(rows)
    pos = start + _rng(seed, epoch, _ROWS, shard).permutation(rows)
    by_key = np.argsort(keys)
    keys, pos = keys[by_key], pos[by_key]
    if rows > 1 and not (keys[1:] > keys[:-1]).all():
        # Two keys rounded equal: order them by position, so the order is defined whatever sort ran.
        by_key = np.lexsort((pos, keys))
        keys, pos = keys[by_key], pos[by_key]
    return keys, pos


# --- where shard files come from


def _parse_hub(source: str) -> tuple[str, str | None]:
    repo_id, _, revision = source[len(HUB_PREFIX):].strip("/").partition("@")
    if repo_id.count("/") != 1:
        raise ValueError(f"{source}: expected {HUB_PREFIX}<owner>/<name>[@revision]")
    return repo_id, revision or None


class ShardFiles:
    """An activation dataset's manifest and a way to make each shard file local: a folder, or a hub dataset repo."""

    def __init__(self, dataset: ActivationDataset, repo_id: str | None = None, revision: str | None = None) -> None:
        self.dataset = dataset
        self.repo_id = repo_id
        self.revision = revision

    @classmethod
    def open(cls, source: str | Path | ActivationDataset | ShardFiles) -> ShardFiles:
        if isinstance(source, ShardFiles):
            return source
        if isinstance(source, ActivationDataset):
            return cls(source)
        if not (isinstance(source, str) and source.startswith(HUB_PREFIX)):
            return cls(ActivationDataset.open(source))
        from huggingface_hub import hf_hub_download

        repo_id, revision = _parse_hub(source)
        manifest = Path(hf_hub_download(repo_id, MANIFEST, repo_type="dataset", revision=revision))
        # The hub cache keeps each commit in a snapshot folder named by its hash: pinning the shards to that
        # commit means a branch moving during training cannot mix two versions of the dataset.
        return cls(ActivationDataset.open(manifest.parent), repo_id, manifest.parent.name)

    def name(self, i: int) -> str:
        return self.dataset.shard_entries[i]["file"]

    def local_path(self, i: int) -> Path:
        if self.repo_id is None:
            return self.dataset.shard_path(i)
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(self.repo_id, self.name(i), repo_type="dataset", revision=self.revision))


def _make_resident(path: Path, size: int) -> None:
    """Have the kernel read the whole file into the page cache."""
    with open(path, "rb", buffering=0) as src:
        if hasattr(os, "sendfile"):
            # sendfile into /dev/null reads every page without copying the bytes through user space.
            with open(os.devnull, "wb") as sink:
                offset = 0
                try:
                    while offset < size and (sent := os.sendfile(sink.fileno(), src.fileno(), offset, size - offset)):
                        offset += sent
                    return
                except OSError:  # a platform whose sendfile needs a socket: read through instead
                    pass
        buffer = bytearray(1 << 22)
        while src.readinto(buffer):
            pass


def fetch_shard(files: ShardFiles, i: int, verify: bool) -> Path:
    """Make shard i local and resident; checks its size, and its sha256 when `verify`."""
    entry = files.dataset.shard_entries[i]
    path = files.local_path(i)
    try:
        size = path.stat().st_size
        if size != entry["bytes"]:
            raise DatasetError(f"shard {path} is truncated or altered: {size} bytes, manifest says {entry['bytes']}")
        if verify:
            if sha256_file(path) != entry["sha256"]:
                raise DatasetError(f"shard {path} is corrupt: sha256 does not match the manifest")
        else:
            _make_resident(path, size)
    except FileNotFoundError as e:
        raise DatasetError(f"shard {path} is missing") from e
    except OSError as e:
        raise DatasetError(f"shard {path} cannot be read: {e}") from e
    return path


def open_rows(path: Path, entry: dict[str, Any], label: str, d_model: int) -> torch.Tensor:
    """A shard's activations at one hookpoint, memory-mapped (no copy yet), checked against the manifest."""
    acts = Shard(path, entry["bytes"]).get(acts_key(label))
    if tuple(acts.shape) != (entry["rows"], d_model):
        raise DatasetError(f"shard {path}: acts.{label} is {tuple(acts.shape)}, manifest says ({entry['rows']}, "
                           f"{d_model})")
    if acts.dtype not in (torch.bfloat16, torch.float32):
        raise DatasetError(f"shard {path}: acts.{label} is {acts.dtype}, expected bfloat16 or float32")
    return acts


# --- the plan: which stream rows make each batch of one epoch (keys only, no data)


class EpochPlan:
    """Rows leave in key order once no later shard can bring a smaller key (any later key >= rows received)."""

    def __init__(self, seed: int, epoch: int, order: list[int], rows: list[int], batch_size: int, window: int):
        self.seed, self.epoch, self.order, self.rows = seed, epoch, order, rows
        self.batch_size, self.window = batch_size, window
        self.seen = 0  # entries of `order` received or skipped
        self.received = 0  # stream rows received
        self.starts: list[int | None] = []  # stream start of each seen entry; None: skipped
        self.batches = 0
        self._keys = np.empty(0, dtype=np.float64)  # pending rows, sorted by key
        self._pos = np.empty(0, dtype=np.int64)

    @property
    def input_done(self) -> bool:
        return self.seen == len(self.order)

    def receive(self, prepared: tuple[np.ndarray, np.ndarray] | None = None) -> int:
        """The next shard of the order arrives (with its `shard_keys` when already computed); returns its
        stream start."""
        shard, start = self.order[self.seen], self.received
        n = self.rows[shard]
        keys, pos = prepared or shard_keys(self.seed, self.epoch, shard, start, n, self.window)
        # Merge into the pending rows, already sorted; on equal keys the pending row goes first. New keys are at
        # least `start`, so only the pending keys from there on interleave with them.
        tail = int(np.searchsorted(self._keys, start))
        at = tail + np.searchsorted(self._keys[tail:], keys, side="right")
        self._keys, self._pos = np.insert(self._keys, at, keys), np.insert(self._pos, at, pos)
        self.starts.append(start)
        self.received += n
        self.seen += 1
        return start

    def skip(self) -> None:
        self.starts.append(None)
        self.seen += 1

    def next_batch(self) -> np.ndarray | None:
        """Stream positions of the next batch in key order, or None until more shards arrive (or for good, at
        the end)."""
        ready = len(self._keys) if self.input_done else int(np.searchsorted(self._keys, self.received))
        if ready < self.batch_size:
            return None
        batch = self._pos[: self.batch_size]
        self._keys, self._pos = self._keys[self.batch_size:], self._pos[self.batch_size:]
        self.batches += 1
        return batch

    def live_start(self) -> int:
        """The lowest stream position a later batch can still use."""
        return int(self._pos.min()) if len(self._pos) else self.received

    def can_emit_more(self) -> bool:
        unseen = sum(self.rows[s] for s in self.order[self.seen:])
        return len(self._keys) + unseen >= self.batch_size

    def replay(self, batches: int, stop: threading.Event | None = None) -> None:
        """Advance to just after `batches` batches, assuming every shard of the order arrives intact."""
        while self.batches < batches:
            if stop is not None and stop.is_set():
                raise _Stopped
            if self.next_batch() is None:
                if self.input_done:
                    raise ValueError(f"epoch {self.epoch} has {self.batches} batches, the state says {batches}")
                self.receive()

    def restart_entry(self) -> tuple[int, int]:
        """The first entry of the order holding a row that later batches still use (or the first unseen one),
        and its stream start."""
        live = self.live_start()
        for j, start in enumerate(self.starts):
            if start is not None and start + self.rows[self.order[j]] > live:
                return j, start
        return self.seen, self.received


# --- the decoded shards a batch reads from


class _Stopped(Exception):
    """The pipeline is closing: unwind quietly."""


class LiveShards:
    """The decoded shards of one epoch that a later batch can still read, by stream start.

    A shard is let go once every row of it has left. The plan waits for a shard only while fewer than
    `batch_size` received rows have keys below `received`; rows at stream indices from the smallest pending key
    up to received - shuffle_buffer all have such keys, and a row's key is under its index + shuffle_buffer, so
    every pending row has an index above received - 2 * shuffle_buffer - batch_size: the shards held span fewer
    than 2 * shuffle_buffer + batch_size + (largest shard) stream rows, plus the shard just received.
    """

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._shards: list[torch.Tensor] = []

    def add(self, start: int, acts: torch.Tensor) -> None:
        self._starts.append(start)
        self._shards.append(acts)

    def gather(self, positions: np.ndarray, pin: bool) -> torch.Tensor:
        """The rows at these stream positions, in position order: grouped by shard and read in file order, each
        shard's part is one gather straight into the batch (a batch's rows are a set; their order carries no
        meaning)."""
        positions = np.sort(positions)
        first, last = self._shards[0], self._shards[-1]
        if positions[0] < self._starts[0] or positions[-1] >= self._starts[-1] + len(last):  # an internal invariant
            raise RuntimeError("loader: a batch reads a row of a shard already let go or not yet received")
        out = torch.empty((len(positions), first.shape[1]), dtype=first.dtype, pin_memory=pin)
        bounds = [*np.searchsorted(positions, self._starts).tolist(), len(positions)]
        for i, (start, acts) in enumerate(zip(self._starts, self._shards, strict=True)):
            lo, hi = bounds[i], bounds[i + 1]
            if hi > lo:
                torch.index_select(acts, 0, torch.from_numpy(positions[lo:hi] - start), out=out[lo:hi])
        return out

    def release(self, live_start: int) -> None:
        """Let go of (and unmap) the shards that end at or before the lowest position still needed."""
        while self._starts and self._starts[0] + len(self._shards[0]) <= live_start:
            del self._starts[0], self._shards[0]


# --- the pipeline: threads and their hand-offs


@dataclass(frozen=True)
class _Delivered:
    epoch: int
    entry: int
    shard: int
    start: int  # stream position of its first row
    acts: torch.Tensor  # [rows, d_model], mapped from the file the fetch stage made resident
    keys: tuple[np.ndarray, np.ndarray]  # its `shard_keys`


@dataclass(frozen=True)
class _Skipped:
    epoch: int
    entry: int
    shard: int
    reason: str


@dataclass(frozen=True)
class _Batch:
    rows: torch.Tensor
    epoch: int
    batches: int  # batches of `epoch` emitted, this one included


@dataclass(frozen=True)
class _Failure:
    error: BaseException


_END = object()


@dataclass(frozen=True)
class _Settings:
    files: ShardFiles
    cfg: LoaderConfig
    label: str
    pin: bool
    exclude: frozenset[int]  # shards never streamed (held out): left out before the deal
    known_bad: frozenset[int]  # shards already found corrupt: left out of every order, after the deal
    stream: int  # which of the streams this pipeline runs
    streams: int

    @property
    def batch_size(self) -> int:
        return self.cfg.batch_size // self.streams


class _SkipLog:
    """The names of the shards found corrupt, in the order met: one list shared by a stream's pipelines."""

    def __init__(self, names: list[str]) -> None:
        self.names = names
        self._lock = threading.Lock()

    def add(self, name: str, reason: str) -> None:
        with self._lock:
            if name not in self.names:
                self.names.append(name)
                log.warning("skipping corrupt shard %s: %s", name, reason)

    def __bool__(self) -> bool:
        return bool(self.names)

    def __str__(self) -> str:
        return ", ".join(self.names)


class _Pipeline:
    """The background threads of one stream from a start position, endless over epochs unless `remaining`
    bounds its batches; holds no reference to the ActivationStream."""

    def __init__(self, settings: _Settings, epoch: int, batches: int, remaining: int | None,
                 skipped: _SkipLog) -> None:
        self.s = settings
        cfg = settings.cfg
        entries = settings.files.dataset.shard_entries
        self._rows = [int(e["rows"]) for e in entries]
        self._start = (epoch, batches)
        self._remaining = remaining
        self._skipped = skipped
        self._stop = threading.Event()
        self._dtype: torch.dtype | None = None
        self._notices: queue.Queue[Any] = queue.Queue(maxsize=cfg.decoded_prefetch_shards)
        self._batches: queue.Queue[Any] = queue.Queue(maxsize=cfg.cpu_prefetch_batches)
        self._fetchers = (ThreadPoolExecutor(cfg.prefetch_shards, thread_name_prefix="saescope-fetch")
                          if cfg.prefetch_shards else None)
        self._decoders: list[threading.Thread] = []  # the last one is current; each ends after its range
        self._decode_end: int | None = None  # the epoch the current decoder stops before (None: never)
        self._batcher = threading.Thread(target=self._guard, args=(self._batch_loop, self._batches), daemon=True,
                                         name=f"saescope-batch-{settings.stream}")
        self._batcher.start()

    # -- consumer side
    def next(self) -> _Batch | None:
        while True:
            try:
                item = self._batches.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                if not self._batcher.is_alive() and self._batches.empty():
                    raise RuntimeError("the loader's batch thread ended without a result") from None
                continue
            if isinstance(item, _Failure):
                self.close()
                raise item.error
            return None if item is _END else item

    def close(self) -> None:
        if self._stop.is_set():  # closed already (a generator finalised late, at exit, closes again)
            return
        self._stop.set()
        if self._fetchers is not None:
            self._fetchers.shutdown(wait=False, cancel_futures=True)
        self._join(self._batcher)
        for decoder in self._decoders:  # read after the batcher ends: the batcher is what starts them
            self._join(decoder)

    @staticmethod
    def _join(thread: threading.Thread | None) -> None:
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN_SECONDS)

    @property
    def threads(self) -> list[threading.Thread]:
        return [self._batcher, *self._decoders]

    # -- plumbing shared by the threads
    def _put(self, q: queue.Queue[Any], item: Any) -> None:
        while not self._stop.is_set():
            try:
                q.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                continue
        raise _Stopped

    def _get(self, q: queue.Queue[Any]) -> Any:
        while not self._stop.is_set():
            try:
                item = q.get(timeout=_POLL_SECONDS)
            except queue.Empty:
                continue
            if isinstance(item, _Failure):
                raise item.error
            return item
        raise _Stopped

    def _guard(self, work: Callable[[], None], out: queue.Queue[Any]) -> None:
        """Run a thread's work; an error travels downstream to be raised in the consumer."""
        try:
            work()
        except _Stopped:
            pass
        except BaseException as e:
            with contextlib.suppress(_Stopped):  # closing anyway: nobody is left to tell
                self._put(out, _Failure(e))

    def _order(self, epoch: int) -> list[int]:
        s = self.s
        return stream_shard_order(s.cfg.seed, epoch, len(self._rows), s.stream, s.streams, s.exclude, s.known_bad)

    # -- decode thread
    def _epoch_batches(self, epoch: int) -> int:
        return sum(self._rows[i] for i in self._order(epoch)) // self.s.batch_size

    def _decode_end_for(self, epoch: int, done: int, wanted: int | None) -> int | None:
        """The epoch before which `wanted` more batches, from batch `done` of `epoch` on, all come if every
        shard of the orders arrives (None: no bound). Decoding stops there rather than read shards the stream
        will not use; a shard found corrupt on the way makes the batcher start a decoder for the rest."""
        if wanted is None:
            return None
        available = self._epoch_batches(epoch) - done
        while available < wanted:
            wanted -= max(available, 0)
            epoch += 1
            available = self._epoch_batches(epoch)
            if available == 0:  # an epoch of no batch: the batcher will say so
                return None
        return epoch + 1

    def _start_decoder(self, epoch: int, done: int, wanted: int | None, entry: int, stream_start: int) -> None:
        end = self._decode_end = self._decode_end_for(epoch, done, wanted)
        decoder = threading.Thread(
            target=self._guard, args=(lambda: self._decode_loop(epoch, entry, stream_start, end), self._notices),
            daemon=True, name=f"saescope-decode-{self.s.stream}",
        )
        self._decoders.append(decoder)
        decoder.start()

    def _sequence(self, first_epoch: int, first_entry: int, end: int | None) -> Iterator[tuple[int, int, int]]:
        for epoch in itertools.count(first_epoch) if end is None else range(first_epoch, end):
            order = self._order(epoch)
            for j in range(first_entry if epoch == first_epoch else 0, len(order)):
                yield epoch, j, order[j]

    def _decode_loop(self, epoch: int, entry: int, stream_start: int, end: int | None) -> None:
        s = self.s
        sequence = self._sequence(epoch, entry, end)
        ahead: deque[tuple[tuple[int, int, int], Future[Path] | None]] = deque()

        def top_up() -> None:
            while len(ahead) < max(s.cfg.prefetch_shards, 1) and (nxt := next(sequence, None)) is not None:
                fut = self._fetchers.submit(fetch_shard, s.files, nxt[2], s.cfg.verify_shards) if self._fetchers \
                    else None
                ahead.append((nxt, fut))

        stream = stream_start  # position in the current epoch's stream
        top_up()
        while ahead:
            (ep, j, shard), fut = ahead.popleft()
            top_up()
            if ep != epoch:
                epoch, stream = ep, 0
            entry_meta = s.files.dataset.shard_entries[shard]
            try:
                path = fut.result() if fut is not None else fetch_shard(s.files, shard, s.cfg.verify_shards)
                acts = open_rows(path, entry_meta, s.label, s.files.dataset.d_model)
            except DatasetError as e:
                if not s.cfg.skip_corrupt:
                    raise DatasetError(f"{e} (skip_corrupt=True trains without it)") from e
                self._put(self._notices, _Skipped(ep, j, shard, str(e)))
                continue
            if self._dtype is not None and acts.dtype != self._dtype:
                raise DatasetError(f"shard {path} holds {acts.dtype}, earlier shards {self._dtype}")
            self._dtype = acts.dtype
            rows = self._rows[shard]
            keys = shard_keys(s.cfg.seed, ep, shard, stream, rows, s.cfg.shuffle_buffer)
            self._put(self._notices, _Delivered(ep, j, shard, stream, acts, keys))
            stream += rows

    # -- batch thread
    def _batch_loop(self) -> None:
        s, cfg = self.s, self.s.cfg
        first_epoch, done = self._start
        emitted = 0
        for epoch in itertools.count(first_epoch):
            if self._remaining is not None and emitted >= self._remaining:
                break
            plan = EpochPlan(cfg.seed, epoch, self._order(epoch), self._rows, s.batch_size, cfg.shuffle_buffer)
            if epoch == first_epoch and done:
                plan.replay(done, self._stop)
                if not plan.can_emit_more():  # resumed at the end of this epoch: nothing to decode for it
                    continue
            if not self._decoders or (self._decode_end is not None and epoch >= self._decode_end):
                # The current decoder (if any) has delivered its last shard: the plans took every notice.
                wanted = None if self._remaining is None else self._remaining - emitted
                self._start_decoder(epoch, plan.batches, wanted, *plan.restart_entry())
            live = LiveShards()
            if epoch == first_epoch and done:
                self._redeliver(plan, live)
            while True:
                positions = plan.next_batch()
                if positions is None:
                    if plan.input_done:
                        break
                    self._receive(plan, live)
                    continue
                rows = live.gather(positions, s.pin)
                live.release(plan.live_start())
                self._put(self._batches, _Batch(rows, epoch, plan.batches))
                emitted += 1
                if self._remaining is not None and emitted >= self._remaining:
                    break
            if plan.batches == 0:
                raise DatasetError(f"{s.files.dataset.root}: stream {s.stream} of {s.streams}: epoch {epoch} "
                                   f"yielded no batch of {s.batch_size} rows (skipped shards: "
                                   f"{self._skipped or 'none'})")
        self._put(self._batches, _END)

    def _next_notice(self, plan: EpochPlan, entry: int) -> _Delivered | _Skipped:
        notice = self._get(self._notices)
        if (notice.epoch, notice.entry) != (plan.epoch, entry):  # an internal invariant, checked for safety
            raise RuntimeError(f"loader threads out of step: got epoch {notice.epoch} entry {notice.entry}, "
                               f"expected epoch {plan.epoch} entry {entry}")
        return notice

    def _receive(self, plan: EpochPlan, live: LiveShards) -> None:
        """Take the next shard of the order from the decoder into the plan."""
        notice = self._next_notice(plan, plan.seen)
        if isinstance(notice, _Skipped):
            self._skipped.add(self.s.files.name(notice.shard), notice.reason)
            plan.skip()
            return
        if notice.start != plan.received:  # an internal invariant: the keys were drawn for this start
            raise RuntimeError(f"loader threads out of step: shard at {notice.start}, expected {plan.received}")
        live.add(plan.receive(notice.keys), notice.acts)

    def _redeliver(self, plan: EpochPlan, live: LiveShards) -> None:
        """After a replay, take back the shards whose rows the plan still holds."""
        for j in range(plan.restart_entry()[0], plan.seen):
            notice = self._next_notice(plan, j)
            if isinstance(notice, _Skipped):
                raise DatasetError(f"cannot resume exactly: {notice.reason}")
            if notice.start != plan.starts[j]:
                raise RuntimeError(f"loader threads out of step: shard at {notice.start}, expected {plan.starts[j]}")
            live.add(notice.start, notice.acts)


class _Slot:
    """The stream's current pipelines, closable from a finalizer that must not hold the stream."""

    def __init__(self) -> None:
        self.pipelines: list[_Pipeline] | None = None

    def close(self) -> None:
        if self.pipelines is not None:
            for pipeline in self.pipelines:
                pipeline.close()
            self.pipelines = None


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
    The global batch is drawn from `cfg.streams` independent shard streams (None: the state's number when one is
    given, else `world_size`); this rank runs its own block of them and reads only their shards (see the module
    docstring). Iterating again continues where the last batch taken left off; `state_dict()` saves this rank's
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
        self._skip_log = _SkipLog(self.skipped_shards)
        streams = self.cfg.streams
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
    def _stream_batches(self, epoch: int, streams: int) -> list[int]:
        """Each stream's batches in `epoch`, from the manifest's row counts (no shard read, none known corrupt):
        the deal of `stream_shard_order`, the epoch's order drawn once."""
        rows = [int(e["rows"]) for e in self.dataset.shard_entries]
        exclude = frozenset(self.exclude_shards)
        order = [rows[i] for i in epoch_shard_order(self.cfg.seed, epoch, len(rows)) if i not in exclude]
        size = self.cfg.batch_size // streams
        return [sum(order[s::streams]) // size for s in range(streams)]

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
        first = self._stream_batches(0, streams)
        per_epoch = [first] + [self._stream_batches(e, streams) for e in range(1, self.cfg.epochs or 1)]
        for epoch, counts in enumerate(per_epoch):
            if 0 in counts:
                s = counts.index(0)
                raise ValueError(f"{root}: stream {s} of {streams} can yield no batch of {batch // streams} rows in "
                                 f"epoch {epoch}: its shards hold too few rows; use fewer ranks/streams or smaller "
                                 f"shards")
        limit = None if self.cfg.epochs is None else min(map(sum, zip(*per_epoch, strict=True)))
        per_rank = streams // world
        return _Layout(streams, range(self.rank * per_rank, (self.rank + 1) * per_rank), first, limit)

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
        pipelines: list[_Pipeline] = []
        self._slot.pipelines = pipelines
        for s in self._layout.local:
            settings = _Settings(self.files, self.cfg, self.label, pin, frozenset(self.exclude_shards), known_bad, s,
                                 self._layout.streams)
            pipelines.append(_Pipeline(settings, *self._positions[s], remaining, self._skip_log))
        return self._consume(pipelines)

    def _consume(self, pipelines: list[_Pipeline]) -> Iterator[torch.Tensor]:
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
            for pipeline in pipelines:
                pipeline.close()

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
        """Continue from a (merged) state: this rank's streams must all be in it. With `cfg.streams` None, the
        state's number of streams is adopted (the world size must divide it)."""
        _check_state(state)
        streams = self.cfg.streams if self.cfg.streams is not None else state["num_streams"]
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


def _check_state(state: dict[str, Any]) -> None:
    if state.get("format") != STATE_FORMAT or state.get("version") != STATE_VERSION:
        raise ValueError(f"not a {STATE_FORMAT} v{STATE_VERSION} state: {state.get('format')} "
                         f"v{state.get('version')}")
    streams = state.get("num_streams")
    if not (isinstance(streams, int) and streams >= 1 and isinstance(state.get("streams"), dict)):
        raise ValueError(f"a {STATE_FORMAT} state without its streams")


def merge_loader_states(states: list[dict[str, Any]]) -> dict[str, Any]:
    """One state from every rank's `state_dict()`: their streams' positions together and every shard any of them
    found corrupt. Refuses states of different streams or global batches, or that leave a stream out."""
    if not states:
        raise ValueError("no loader states to merge")
    for state in states:
        _check_state(state)
    first = states[0]
    shared = (first.keys() - {"streams", "skipped_shards"}) | {"batches"}
    for state in states[1:]:
        if state.get("batches") != first.get("batches"):
            raise ValueError(f"the loader states are at different global batches: "
                             f"{[s.get('batches') for s in states]}")
        differ = sorted(k for k in shared | (state.keys() - {"streams", "skipped_shards"})
                        if state.get(k) != first.get(k))
        if differ:
            raise ValueError(f"the loader states belong to different streams (they differ in {differ})")
    positions: dict[str, list[int]] = {}
    for state in states:
        for s, position in state["streams"].items():
            if s in positions and positions[s] != list(position):
                raise ValueError(f"stream {s} is at {positions[s]} in one loader state, {list(position)} in another")
            positions[s] = list(position)
    streams = first["num_streams"]
    missing = [s for s in range(streams) if str(s) not in positions]
    if missing or len(positions) != streams:
        raise ValueError(f"the loader states hold streams {sorted(positions, key=int)}, not all of the {streams} "
                         f"streams: merge every rank's state")
    skipped = list(dict.fromkeys(name for state in states for name in state["skipped_shards"]))
    return {**first, "streams": {str(s): positions[str(s)] for s in range(streams)}, "skipped_shards": skipped}


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
