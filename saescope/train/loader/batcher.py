"""The batch stage of one stream and its consumer side: plans each epoch, gathers each batch from the shards.

`BatchNode` decides each batch from the keys (`EpochPlan`) and gathers its rows straight out of the mapped
shards, into pinned memory for CUDA (torchdata's `PinMemory` would copy every batch once more, and its thread sets
torch's process-wide thread count to 1); a torchdata `Prefetcher` runs it in its own thread, up to
`cpu_prefetch_batches` batches ahead of the consumer. It takes shards from a
`shard_chain` in stream order, so thread timing never changes what it emits. It runs the stream's epochs one
after another; with a cap (`remaining` batches) it gives its chain an end epoch, so no shard of an epoch past the
one the last batch needs is fetched, and starts a chain for the rest when corrupt shards shortened the epochs.

Resume. Started at (epoch, batches of it done), it replays the epoch's plan (keys only, from the manifest's row
counts), has its first chain restart at the first shard still holding a row not yet emitted, and takes back the
shards of the replayed part whose rows the plan still holds: the continued stream is the uninterrupted one.

Memory. Whatever the dataset's size, the shards a stream's batcher still reads span fewer than
2 * shuffle_buffer + batch_size / S + (largest shard) rows (see `LiveShards`), at most `decoded_prefetch_shards`
more are decoded ahead and `prefetch_shards` files fetched ahead, all of them file pages in the page cache rather
than process memory; plus `cpu_prefetch_batches` batches of B / S rows in its queue.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torchdata.nodes import BaseNode, Prefetcher

from saescope.harvest.dataset import DatasetError
from saescope.train.loader.chain import Delivered, Failure, Skipped, StreamContext, drain, shard_chain
from saescope.train.loader.order import EpochPlan, Stopped

_CLOSE_SECONDS = 10.0  # how long a close waits for the stages to end (a shard download in flight can take long)


@dataclass(frozen=True)
class Batch:
    rows: torch.Tensor
    epoch: int
    batches: int  # batches of `epoch` emitted, this one included


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


def decode_end(ctx: StreamContext, epoch: int, done: int, wanted: int | None) -> int | None:
    """The epoch before which `wanted` more batches, from batch `done` of `epoch` on, all come if every shard of
    the orders arrives (None: no bound). A chain stops there rather than read shards the stream will not use."""
    if wanted is None:
        return None
    available = ctx.epoch_batches(epoch) - done
    while available < wanted:
        wanted -= max(available, 0)
        epoch += 1
        available = ctx.epoch_batches(epoch)
        if available == 0:  # an epoch of no batch: the batch stage will say so
            return None
    return epoch + 1


class BatchNode(BaseNode[Batch | Failure]):
    """One stream's batches from batch `batches` of epoch `epoch` on, endless unless `remaining` bounds them."""

    def __init__(self, ctx: StreamContext, epoch: int, batches: int, remaining: int | None) -> None:
        super().__init__()
        self._ctx, self._first, self._remaining = ctx, {"epoch": epoch, "batches": batches, "emitted": 0}, remaining
        self._chain: BaseNode[Delivered | Skipped | Failure] | None = None
        self._halt = threading.Event()  # ends the current chain
        self._decode_end: int | None = None  # the epoch the current chain stops before (None: never)
        self._state = dict(self._first)
        self._ended = False
        self._batches: Generator[Batch, None, None] | None = None

    def reset(self, initial_state: dict[str, Any] | None = None) -> None:
        """Start over from `initial_state` (a `get_state()`), or from the start position given."""
        super().reset(initial_state)
        self._drop_chain()
        self._state, self._ended = dict(initial_state or self._first), False
        self._batches = self._run(self._state["epoch"], self._state["batches"])

    def next(self) -> Batch | Failure:
        if self._ended or self._ctx.stop.is_set() or self._batches is None:
            self._end()
            raise StopIteration
        try:
            batch = next(self._batches)
        except (StopIteration, Stopped):
            self._end()
            raise StopIteration from None
        except Exception as e:
            self._end()
            return Failure(e)
        self._state = {"epoch": batch.epoch, "batches": batch.batches, "emitted": self._state["emitted"] + 1}
        return batch

    def get_state(self) -> dict[str, Any]:
        return dict(self._state)

    def _end(self) -> None:
        """Nothing more comes from this stream: stop the stages upstream and take their end."""
        self._ended = True
        if self._batches is not None:
            self._batches.close()
        self._drop_chain()

    def _drop_chain(self) -> None:
        if self._chain is not None:
            self._halt.set()
            drain(self._chain)
            self._chain = None

    def _capped(self) -> bool:
        return self._remaining is not None and self._state["emitted"] >= self._remaining

    def _run(self, first_epoch: int, done: int) -> Generator[Batch, None, None]:
        ctx, cfg = self._ctx, self._ctx.cfg
        for epoch in itertools.count(first_epoch):
            if self._capped():
                return
            plan = EpochPlan(cfg.seed, epoch, ctx.order(epoch), ctx.rows, ctx.batch_size, cfg.shuffle_buffer)
            resumed = epoch == first_epoch and done > 0
            if resumed:
                plan.replay(done, ctx.stop.is_set)
                if not plan.can_emit_more():  # resumed at the end of this epoch: nothing to decode for it
                    continue
            if self._chain is None or (self._decode_end is not None and epoch >= self._decode_end):
                self._start_chain(plan)
            live = LiveShards()
            if resumed:
                self._redeliver(plan, live)
            yield from self._epoch(plan, live)
            if plan.batches == 0:
                raise DatasetError(f"{ctx.files.dataset.root}: stream {ctx.stream} of {ctx.streams}: epoch {epoch} "
                                   f"yielded no batch of {ctx.batch_size} rows (skipped shards: "
                                   f"{ctx.skipped or 'none'})")

    def _epoch(self, plan: EpochPlan, live: LiveShards) -> Iterator[Batch]:
        while not self._capped():
            positions = plan.next_batch()
            if positions is None:
                if plan.input_done:
                    return
                self._receive(plan, live)
                continue
            rows = live.gather(positions, self._ctx.pin)
            live.release(plan.live_start())
            yield Batch(rows, plan.epoch, plan.batches)

    def _start_chain(self, plan: EpochPlan) -> None:
        """A chain from the plan's first shard still needed; the previous one has delivered its last shard."""
        if self._chain is not None and drain(self._chain):  # an internal invariant, checked for safety
            raise RuntimeError("loader: a shard chain ended with shards no plan took")
        wanted = None if self._remaining is None else self._remaining - self._state["emitted"]
        self._decode_end = decode_end(self._ctx, plan.epoch, plan.batches, wanted)
        self._halt = threading.Event()
        self._chain = shard_chain(self._ctx, plan.epoch, *plan.restart_entry(), self._decode_end, self._halt)

    def _next_notice(self, plan: EpochPlan, entry: int) -> Delivered | Skipped:
        assert self._chain is not None
        notice = next(self._chain, None)
        if notice is None:
            if self._ctx.stop.is_set():
                raise Stopped
            raise RuntimeError(f"loader: the shard chain ended before entry {entry} of epoch {plan.epoch}")
        if isinstance(notice, Failure):
            raise notice.error
        if (notice.epoch, notice.entry) != (plan.epoch, entry):  # an internal invariant, checked for safety
            raise RuntimeError(f"loader stages out of step: got epoch {notice.epoch} entry {notice.entry}, "
                               f"expected epoch {plan.epoch} entry {entry}")
        return notice

    def _receive(self, plan: EpochPlan, live: LiveShards) -> None:
        """Take the next shard of the order from the chain into the plan."""
        notice = self._next_notice(plan, plan.seen)
        if isinstance(notice, Skipped):
            self._ctx.skipped.add(self._ctx.files.name(notice.shard), notice.reason)
            plan.skip()
            return
        if notice.start != plan.received:  # an internal invariant: the keys were drawn for this start
            raise RuntimeError(f"loader stages out of step: shard at {notice.start}, expected {plan.received}")
        live.add(plan.receive(notice.keys), notice.acts)

    def _redeliver(self, plan: EpochPlan, live: LiveShards) -> None:
        """After a replay, take back the shards whose rows the plan still holds."""
        for j in range(plan.restart_entry()[0], plan.seen):
            notice = self._next_notice(plan, j)
            if isinstance(notice, Skipped):
                raise DatasetError(f"cannot resume exactly: {notice.reason}")
            if notice.start != plan.starts[j]:
                raise RuntimeError(f"loader stages out of step: shard at {notice.start}, expected {plan.starts[j]}")
            live.add(notice.start, notice.acts)


class StreamPipeline:
    """The consumer side of one stream's stages from a start position; holds no reference to the ActivationStream.
    Its threads start with the first `next()` and end with `close()` (or the stream's end)."""

    def __init__(self, ctx: StreamContext, epoch: int, batches: int, remaining: int | None) -> None:
        self._ctx = ctx
        batches_node = BatchNode(ctx, epoch, batches, remaining)
        # snapshot_frequency=0: torchdata's state, taken after every batch, would go unused (see `state`).
        self._root = Prefetcher(batches_node, prefetch_factor=ctx.cfg.cpu_prefetch_batches, snapshot_frequency=0)
        self._started = self._closed = False

    def next(self) -> Batch | None:
        """The stream's next batch, None at its end; raises what a background stage raised."""
        if self._closed:
            return None
        self._started = True
        item = next(self._root, None)
        if isinstance(item, Failure):
            self.close()
            raise item.error
        return item

    def stop(self) -> None:
        """Have every stage wind down, without waiting (so that several pipelines stop together)."""
        self._ctx.stop.set()

    def close(self) -> None:
        """Stop, and wait (a while) until every stage has ended."""
        if self._closed:  # closed already (a generator finalised late, at exit, closes again)
            return
        self._closed = True
        self.stop()
        if self._started:
            # Drained from a thread of its own: close may run in a finalizer on any thread, even one of this
            # pipeline's, which would then wait for itself; the bounded join turns that into a delay.
            closer = threading.Thread(target=drain, args=(self._root,), daemon=True, name="saescope-loader-close")
            closer.start()
            closer.join(_CLOSE_SECONDS)
