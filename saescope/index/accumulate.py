"""The vectorised accumulators of a reverse index: per-feature statistics and the top examples per feature.

Both are fed one batch of sparse codes at a time (k (feature, value) pairs per record; the dense [n, d_sae] code is
never built) and both merge exactly: statistics are sums, counts and maxima, and the top examples are chosen by one
total order, so the top of a union is the top of the union of the parts' tops.

Every candidate example is a (feature, value, record, conversation) quadruple. Examples rank by value, descending,
ties by record, ascending (first-token attention sinks give exact ties across conversations); a feature keeps at
most one example per conversation, its best, and the first `top` of those.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from saescope.index.distributions import HISTOGRAM_BINS, IntervalSamples, histogram_bin
from saescope.index.ordering import KEY_SHIFT, segment_rank

ROLE_COUNT = 4  # ROLE_CODES: template, system, user, assistant
CELL_LIMIT = 1 << 24  # dense (feature, conversation) cells per reduction: 64 MiB of values, 128 MiB of rows
PENDING_LIMIT = 1 << 23  # waiting candidates (top lists and samples) before an early flush


@dataclass
class FeatureStats:
    """Per-feature sums over firing records (a feature fires on a record when it is in the top-k with value > 0)."""

    fire_count: torch.Tensor  # int64 [d_sae]
    conversations: torch.Tensor  # int64 [d_sae]: distinct conversations fired in
    activation_sum: torch.Tensor  # float64 [d_sae]
    activation_sq_sum: torch.Tensor  # float64 [d_sae]
    max_activation: torch.Tensor  # float32 [d_sae]; 0 when the feature never fired
    role_counts: torch.Tensor  # int64 [d_sae, 4]: fires on template, system, user, assistant tokens
    sink_fires: torch.Tensor  # int64 [d_sae]: fires on attention-sink records (norm above the outlier rule's)
    ordinary_max_activation: torch.Tensor  # float32 [d_sae]: the max over the other records
    histogram: torch.Tensor  # int64 [d_sae, HISTOGRAM_BINS]: fires per fixed log-spaced bin (examples' records)

    @classmethod
    def zeros(cls, d_sae: int, device: torch.device | str = "cpu") -> FeatureStats:
        def z(dtype: torch.dtype, *shape: int) -> torch.Tensor:
            return torch.zeros(d_sae, *shape, dtype=dtype, device=device)

        return cls(z(torch.int64), z(torch.int64), z(torch.float64), z(torch.float64), z(torch.float32),
                   z(torch.int64, ROLE_COUNT), z(torch.int64), z(torch.float32), z(torch.int64, HISTOGRAM_BINS))

    @property
    def d_sae(self) -> int:
        return self.fire_count.numel()

    def merge(self, other: FeatureStats) -> FeatureStats:
        """The statistics of both record sets; exact for counts and maxima (conversations: when the parts hold
        disjoint conversations, as disjoint shard sets do)."""
        return FeatureStats(
            self.fire_count + other.fire_count, self.conversations + other.conversations,
            self.activation_sum + other.activation_sum, self.activation_sq_sum + other.activation_sq_sum,
            torch.maximum(self.max_activation, other.max_activation), self.role_counts + other.role_counts,
            self.sink_fires + other.sink_fires,
            torch.maximum(self.ordinary_max_activation, other.ordinary_max_activation),
            self.histogram + other.histogram,
        )

    def to(self, device: torch.device | str) -> FeatureStats:
        return FeatureStats(*(getattr(self, f.name).to(device) for f in fields(self)))

    def state_dict(self, prefix: str = "stats.") -> dict[str, torch.Tensor]:
        return {prefix + f.name: getattr(self, f.name).detach().cpu().contiguous() for f in fields(self)}

    @classmethod
    def from_state_dict(cls, state: dict[str, torch.Tensor], prefix: str = "stats.") -> FeatureStats:
        return cls(*(state[prefix + f.name] for f in fields(cls)))


@dataclass
class TopExamples:
    """The current top examples, ordered by feature, then rank; `rank` counts from 0 within each feature."""

    feature: torch.Tensor  # int64 [m]
    value: torch.Tensor  # float32 [m]
    record: torch.Tensor  # int64 [m]: global record index in the dataset
    conversation: torch.Tensor  # int64 [m]: global conversation index
    rank: torch.Tensor  # int64 [m]

    @classmethod
    def empty(cls, device: torch.device | str = "cpu") -> TopExamples:
        def e(dtype: torch.dtype) -> torch.Tensor:
            return torch.empty(0, dtype=dtype, device=device)

        return cls(e(torch.int64), e(torch.float32), e(torch.int64), e(torch.int64), e(torch.int64))

    def __len__(self) -> int:
        return self.feature.numel()

    def to(self, device: torch.device | str) -> TopExamples:
        return TopExamples(*(getattr(self, f.name).to(device) for f in fields(self)))

    def state_dict(self, prefix: str = "top.") -> dict[str, torch.Tensor]:
        return {prefix + f.name: getattr(self, f.name).detach().cpu().contiguous() for f in fields(self)}

    @classmethod
    def from_state_dict(cls, state: dict[str, torch.Tensor], prefix: str = "top.") -> TopExamples:
        return cls(*(state[prefix + f.name] for f in fields(cls)))

    def thresholds(self, d_sae: int, top: int) -> torch.Tensor:
        """float32 [d_sae]: the value a new example must reach to enter a feature's top (0 while it has fewer
        than `top` examples). Equal values can still enter, on the record tie-break."""
        threshold = torch.zeros(d_sae, dtype=torch.float32, device=self.value.device)
        last = self.rank == top - 1
        threshold[self.feature[last]] = self.value[last]
        return threshold

    def update(self, feature: torch.Tensor, value: torch.Tensor, record: torch.Tensor, conversation: torch.Tensor,
               top: int, d_sae: int) -> TopExamples:
        """These examples and a batch's candidate pairs, reduced to the top `top` per feature. Only the features
        a candidate can enter are re-chosen; the others' rows are kept as they are."""
        keep = value >= self.thresholds(d_sae, top)[feature]  # a pair below a full top can never enter it
        if not bool(keep.any()):
            return self
        touched = torch.zeros(d_sae, dtype=torch.bool, device=feature.device)
        touched[feature[keep]] = True
        mine = touched[self.feature]
        chosen = select_top(torch.cat([self.feature[mine], feature[keep]]), torch.cat([self.value[mine], value[keep]]),
                            torch.cat([self.record[mine], record[keep]]),
                            torch.cat([self.conversation[mine], conversation[keep]]), top)
        kept = ~mine
        # Both parts are in (feature, rank) order over disjoint features: a stable sort by feature interleaves them.
        order = torch.argsort(torch.cat([self.feature[kept], chosen.feature]), stable=True)
        return TopExamples(*(torch.cat([getattr(self, f.name)[kept], getattr(chosen, f.name)])[order]
                             for f in fields(self)))


def select_top(feature: torch.Tensor, value: torch.Tensor, record: torch.Tensor, conversation: torch.Tensor,
               top: int) -> TopExamples:
    """The best example per (feature, conversation), then the first `top` per feature, in (feature, value desc,
    record) order. Pure tensor ops on the inputs' device: three stable sorts and one unique."""
    index = select_top_index(feature, value, record, conversation, top)
    chosen = feature[index]
    return TopExamples(chosen, value[index], record[index], conversation[index], segment_rank(chosen))


def select_top_index(feature: torch.Tensor, value: torch.Tensor, record: torch.Tensor, conversation: torch.Tensor,
                     top: int) -> torch.Tensor:
    """Positions of `select_top`'s rows in the inputs, in output order (merges use it to carry other columns)."""
    n = feature.numel()
    if n == 0:
        return torch.empty(0, dtype=torch.int64, device=feature.device)
    # Stable sorts from the least significant key: record asc, value desc, feature asc.
    order = torch.argsort(record, stable=True)
    order = order[torch.argsort(value[order], descending=True, stable=True)]
    order = order[torch.argsort(feature[order], stable=True)]
    # In this order, the first row of each (feature, conversation) is that conversation's best.
    key = (feature[order] << KEY_SHIFT) | conversation[order]
    _, group = torch.unique(key, return_inverse=True)
    positions = torch.arange(n, device=feature.device)
    first = torch.full((int(group.max()) + 1,), n, dtype=torch.int64, device=feature.device)
    first.scatter_reduce_(0, group, positions, "amin")
    best = torch.zeros(n, dtype=torch.bool, device=feature.device)
    best[first] = True
    order = order[best]
    return order[segment_rank(feature[order]) < top]


@dataclass(frozen=True)
class ExampleRules:
    """Which records feed a feature's examples, and how many are kept."""

    top: int  # length of the (deepest) top list per feature
    per_interval: int  # interval samples per feature and interval
    keep_sinks: bool  # attention-sink records feed the examples, samples and histogram too
    seed: int  # of the interval samples' record hash


class ShardAccumulator:
    """Feeds one shard's batches into the statistics, the top examples and the interval samples.

    Distinct conversations are counted without a set: a shard's records come conversation by conversation, so a
    (feature, conversation) pair is new unless it is the last conversation the feature fired in. `last` holds each
    feature's last conversation ordinal within the shard (-1: none yet) and is reset per shard, which is exact
    because a shard holds whole conversations. Every fire counts in the statistics; attention-sink records (the
    `sink` mask of each batch) are counted apart and, unless kept, feed no example, sample or histogram.
    """

    def __init__(self, stats: FeatureStats, top: TopExamples, intervals: IntervalSamples, rules: ExampleRules
                 ) -> None:
        self.stats, self.top, self.intervals, self.rules = stats, top, intervals, rules
        self.device = stats.fire_count.device
        self.last = torch.full((stats.d_sae,), -1, dtype=torch.int64, device=self.device)
        self.sink_records = torch.zeros((), dtype=torch.int64, device=self.device)  # on the device: no sync per batch
        # Candidates wait here and enter the top lists and samples together (`flush`): one selection per shard
        # instead of one per batch, over the same union, so the result is the same.
        self.pending_top: list[tuple[torch.Tensor, ...]] = []
        self.pending_samples: list[tuple[torch.Tensor, ...]] = []
        self.pending = 0
        self.top_threshold = self.top.thresholds(stats.d_sae, rules.top)

    def flush(self) -> None:
        """Choose the top lists and samples from the waiting candidates (at the end of every shard)."""
        if self.pending_top:
            self.top = self.top.update(*(torch.cat(c) for c in zip(*self.pending_top, strict=True)), self.rules.top,
                                       self.stats.d_sae)
            self.top_threshold = self.top.thresholds(self.stats.d_sae, self.rules.top)
        if self.pending_samples:
            self.intervals.insert(*(torch.cat(c) for c in zip(*self.pending_samples, strict=True)))
        self.pending_top, self.pending_samples, self.pending = [], [], 0

    def _wait(self, queue: list[tuple[torch.Tensor, ...]], candidates: tuple[torch.Tensor, ...]) -> None:
        queue.append(candidates)
        self.pending += candidates[0].numel()
        if self.pending > PENDING_LIMIT:
            self.flush()

    def start_shard(self, conversation: torch.Tensor, role: torch.Tensor, first_record: int) -> None:
        """The shard's per-record conversation (int64) and role code columns, and its first global record."""
        self.last.fill_(-1)
        self.conversation = conversation.to(self.device, torch.int64)
        self.role = role.to(self.device, torch.int64)
        changes = torch.zeros_like(self.conversation)
        changes[1:] = (self.conversation[1:] != self.conversation[:-1]).long()
        self.ordinal = torch.cumsum(changes, 0)  # the conversation's ordinal within the shard
        self.first_record = first_record

    @torch.no_grad()
    def add(self, start: int, indices: torch.Tensor, values: torch.Tensor, sink: torch.Tensor) -> None:
        """One batch: the sparse codes [n, k] of the shard's rows start .. start + n, and which rows are sinks."""
        n, k = indices.shape
        self.sink_records += sink.sum()
        fired = values > 0
        if not bool(fired.any()):  # no feature fired in this batch (an all-zero or all-negative input)
            return
        feature = indices[fired].long()
        value = values[fired].float()
        local = torch.arange(n, device=self.device).unsqueeze(1).expand(n, k)[fired]
        row, pair_sink = local + start, sink.to(self.device)[local]
        self._add_record_stats(feature, value, row, pair_sink)
        shown = torch.ones_like(pair_sink) if self.rules.keep_sinks else ~pair_sink
        self._add_distributions(feature[shown], value[shown], row[shown])
        # Rows come conversation by conversation, so pairs (row-major) are ordered by conversation ordinal:
        # reduce them per (feature, conversation) a block of conversations at a time.
        ordinal = self.ordinal[row]
        block = max(1, CELL_LIMIT // self.stats.d_sae)
        first, last = int(ordinal[0]), int(ordinal[-1])
        for lo in range(first, last + 1, block):
            bounds = torch.searchsorted(ordinal, torch.tensor([lo, lo + block], device=self.device))
            part = slice(int(bounds[0]), int(bounds[1]))
            width = min(block, last + 1 - lo)  # the grid spans only the conversations this batch holds
            self._add_conversation_cells(feature[part], value[part] * shown[part], row[part], ordinal[part] - lo,
                                         width, lo)

    def _add_record_stats(self, feature: torch.Tensor, value: torch.Tensor, row: torch.Tensor,
                          pair_sink: torch.Tensor) -> None:
        s, d_sae = self.stats, self.stats.d_sae
        s.fire_count += torch.bincount(feature, minlength=d_sae)
        s.activation_sum.index_add_(0, feature, value.double())
        s.activation_sq_sum.index_add_(0, feature, value.double().square())
        s.max_activation.scatter_reduce_(0, feature, value, "amax")
        roles = torch.bincount(feature * ROLE_COUNT + self.role[row], minlength=d_sae * ROLE_COUNT)
        s.role_counts += roles.view(d_sae, ROLE_COUNT)
        s.sink_fires += torch.bincount(feature[pair_sink], minlength=d_sae)
        ordinary = ~pair_sink
        s.ordinary_max_activation.scatter_reduce_(0, feature[ordinary], value[ordinary], "amax")

    def _add_distributions(self, feature: torch.Tensor, value: torch.Tensor, row: torch.Tensor) -> None:
        """The histogram and the interval samples, over the pairs that feed examples."""
        bins = self.stats.histogram.shape[1]
        self.stats.histogram.view(-1).add_(torch.bincount(feature * bins + histogram_bin(value),
                                                          minlength=self.stats.histogram.numel()))
        if self.rules.per_interval and feature.numel():
            self._wait(self.pending_samples, self.intervals.count(feature, value, row + self.first_record,
                                                                  self.conversation[row], self.rules.seed))

    def _add_conversation_cells(self, feature: torch.Tensor, value: torch.Tensor, row: torch.Tensor,
                                offset: torch.Tensor, width: int, first_ordinal: int) -> None:
        """Pairs of conversations first_ordinal .. + width, reduced on a dense [d_sae, width] grid (no sort): each
        cell (feature, conversation) counts a distinct conversation, and keeps its best value (pairs left out of
        the examples come with value 0) and, among equal bests, its earliest row; the cells with a best are the
        only candidates for the top examples."""
        d_sae = self.stats.d_sae
        cell = feature * width + offset
        seen = torch.zeros(d_sae * width, dtype=torch.bool, device=self.device)
        seen[cell] = True
        cells = torch.nonzero(seen).squeeze(1)
        cell_feature, cell_ordinal = cells // width, cells % width + first_ordinal
        new = cell_ordinal > self.last[cell_feature]  # a conversation continued from the previous batch is not
        self.stats.conversations += torch.bincount(cell_feature[new], minlength=d_sae)
        self.last.scatter_reduce_(0, cell_feature, cell_ordinal, "amax")
        best = torch.zeros(d_sae * width, dtype=value.dtype, device=self.device)  # values are > 0: 0 is empty
        best.scatter_reduce_(0, cell, value, "amax")
        wins = (value == best[cell]) & (value > 0)
        earliest = torch.full_like(best, 0, dtype=torch.int64).fill_(torch.iinfo(torch.int64).max)
        earliest.scatter_reduce_(0, cell[wins], row[wins], "amin")
        cells = torch.nonzero(best > 0).squeeze(1)
        cell_feature, cell_value, cell_row = cells // width, best[cells], earliest[cells]
        keep = cell_value >= self.top_threshold[cell_feature]  # below a full top list (thresholds only grow)
        cell_row = cell_row[keep]
        self._wait(self.pending_top, (cell_feature[keep], cell_value[keep], cell_row + self.first_record,
                                      self.conversation[cell_row]))
