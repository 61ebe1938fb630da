"""Which stream rows make each batch: seeded shard orders, their deal over the streams and the windowed shuffle.

Pure functions of (seed, epoch[, shard]) and the manifest's row counts; no threads, no data. Everything a stream
emits is decided here, so thread timing never changes the sequence.

Shuffle. Epoch e deals the shards to the streams in a permutation seeded by (seed, e); a stream visits its
shards in that order and each shard's rows in a permutation seeded by (seed, e, shard); their concatenation is
the stream's epoch. Its row i gets the key i + shuffle_buffer * u, u uniform in [0, 1) drawn per (seed, e, shard),
and the epoch emits rows in key order, `batch_size / streams` at a time: a windowed shuffle in which a row is
only reordered against rows less than `shuffle_buffer` away in the stream, so a batch mixes every shard that
overlaps a window of about 2 * shuffle_buffer + batch_size / streams stream rows. The last rows of a stream's
epoch that do not fill a batch (the largest keys) are dropped: every batch is full and each record appears once
per epoch at most. The permutations only decide which rows a batch reads: the data is read once, by the gather
that builds the batch, rows of a shard in file order.

Deal. Epoch e's shard order, the excluded (held-out) shards left out, is dealt round-robin over the S streams:
stream s takes entries s, s + S, s + 2S, ... (re-dealt every epoch). Shards known corrupt are dropped after the
deal, so the deal never depends on what a rank knows.

Resume. Restoring a stream replays its epoch's keys (`EpochPlan.replay`), which needs only the manifest's row
counts, up to the same batch, then restarts decoding at the first shard that still holds a row not yet emitted
(`EpochPlan.restart_entry`): the continued stream is batch for batch the uninterrupted one.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

_ORDER, _ROWS, _KEYS = 0, 1, 2  # purposes mixed into the seeds: each draw has its own generator


class Stopped(Exception):
    """The stream is closing: unwind quietly."""


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


class EpochPlan:
    """Rows leave in key order once no later shard can bring a smaller key (any later key >= rows received)."""

    def __init__(self, seed: int, epoch: int, order: list[int], rows: list[int], batch_size: int,
                 window: int) -> None:
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

    def replay(self, batches: int, stopping: Callable[[], bool] = lambda: False) -> None:
        """Advance to just after `batches` batches, assuming every shard of the order arrives intact; raises
        `Stopped` as soon as `stopping()` (a long replay must not hold up closing the stream)."""
        while self.batches < batches:
            if stopping():
                raise Stopped
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


def stream_batch_counts(seed: int, epoch: int, rows: list[int], exclude: frozenset[int], streams: int,
                        batch_size: int) -> list[int]:
    """Each stream's batches of `batch_size / streams` rows in `epoch`, from the manifest's row counts (no shard
    read, none known corrupt): the deal of `stream_shard_order`, the epoch's order drawn once."""
    dealt = [rows[i] for i in epoch_shard_order(seed, epoch, len(rows)) if i not in exclude]
    size = batch_size // streams
    return [sum(dealt[s::streams]) // size for s in range(streams)]
