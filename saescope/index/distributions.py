"""How each feature's activations are spread: a fixed-edge histogram and samples drawn within activation intervals.

Both are streamed a batch at a time and merge exactly, so a build in parts equals one build:

- The histogram has the same log-spaced edges for every feature (`HISTOGRAM_EDGES`: quarter octaves from 2^-10
  to 2^14, plus an underflow and an overflow bin), so parts merge by adding counts.
- The intervals cut (0, M] into `INTERVALS` equal widths, where M = 2^e is the smallest power of two at or above
  the feature's max activation. Intervals of (0, max] itself cannot be sampled exactly in one streaming pass (a
  later, larger max moves every boundary, and no bounded sample survives that); with M a power of two, doubling M
  merges intervals pairwise ((2j, 2j+1) -> j), so the samples and counts of the old cut become those of the new
  one exactly. The intervals above the max are empty; the top non-empty one holds the max.
- Each interval keeps the `per_interval` firing records with the smallest seeded hash of (record, feature): a
  uniform sample without replacement, the same whatever the order or grouping in which records arrive.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import torch

from saescope.index.ordering import KEY_SHIFT, segment_rank

INTERVALS = 10
BINS_PER_OCTAVE = 4
LOWEST_EXPONENT, HIGHEST_EXPONENT = -10, 14
HISTOGRAM_BINS = (HIGHEST_EXPONENT - LOWEST_EXPONENT) * BINS_PER_OCTAVE + 2  # + underflow and overflow
HISTOGRAM_EDGES = [2.0 ** (LOWEST_EXPONENT + i / BINS_PER_OCTAVE) for i in range(HISTOGRAM_BINS - 1)]
EMPTY_HASH = torch.iinfo(torch.int64).max
NO_EXPONENT = -(1 << 20)  # a feature that has not fired yet
_MASK62 = (1 << 62) - 1


def _signed(constant: int) -> int:
    return constant - (1 << 64) if constant >= 1 << 63 else constant


_GOLDEN, _MIX1, _MIX2 = (_signed(c) for c in (0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB))


def _shift_right(x: torch.Tensor, bits: int) -> torch.Tensor:
    """Logical right shift of int64 (torch's >> is arithmetic)."""
    return (x >> bits) & ((1 << (64 - bits)) - 1)


def record_hash(record: torch.Tensor, feature: torch.Tensor, seed: int) -> torch.Tensor:
    """splitmix64 of (record, feature, seed), non-negative int64 below 2^62 (int64 products wrap on CPU and CUDA)."""
    z = ((feature << KEY_SHIFT) | record) + _signed(((seed + 1) * _GOLDEN) % (1 << 64))
    z = (z ^ _shift_right(z, 30)) * _MIX1
    z = (z ^ _shift_right(z, 27)) * _MIX2
    return (z ^ _shift_right(z, 31)) & _MASK62


def histogram_bin(value: torch.Tensor) -> torch.Tensor:
    """The HISTOGRAM_EDGES bin of each positive value: bin b > 0 holds (edge[b-1], edge[b]]."""
    position = torch.ceil((torch.log2(value.double()) - LOWEST_EXPONENT) * BINS_PER_OCTAVE)
    return position.clamp(0, HISTOGRAM_BINS - 1).long()


def ceil_exponent(value: torch.Tensor) -> torch.Tensor:
    """The smallest e with value <= 2^e, for positive values (exact: frexp, no logarithm)."""
    mantissa, exponent = torch.frexp(value.float())
    return exponent.long() - (mantissa == 0.5).long()


def interval_of(value: torch.Tensor, exponent: torch.Tensor) -> torch.Tensor:
    """j with value in (j M / 10, (j + 1) M / 10], M = 2^exponent; exact in float64 (x10 and the power of two)."""
    t = torch.ldexp(value.double() * INTERVALS, -exponent.double())
    return (torch.ceil(t).long() - 1).clamp(0, INTERVALS - 1)


@dataclass
class IntervalSamples:
    """Per feature: the exponent of M, and per interval the firing-record count and the kept sample, its slots
    sorted by hash (EMPTY_HASH: unused)."""

    exponent: torch.Tensor  # int64 [d_sae]; NO_EXPONENT until the feature fires
    counts: torch.Tensor  # int64 [d_sae, INTERVALS]
    hash: torch.Tensor  # int64 [d_sae, INTERVALS, s]
    value: torch.Tensor  # float32 [d_sae, INTERVALS, s]
    record: torch.Tensor  # int64 [d_sae, INTERVALS, s]
    conversation: torch.Tensor  # int64 [d_sae, INTERVALS, s]

    @classmethod
    def empty(cls, d_sae: int, per_interval: int, device: torch.device | str = "cpu") -> IntervalSamples:
        shape = (d_sae, INTERVALS, per_interval)
        return cls(torch.full((d_sae,), NO_EXPONENT, dtype=torch.int64, device=device),
                   torch.zeros(d_sae, INTERVALS, dtype=torch.int64, device=device),
                   torch.full(shape, EMPTY_HASH, dtype=torch.int64, device=device),
                   torch.zeros(shape, dtype=torch.float32, device=device),
                   torch.zeros(shape, dtype=torch.int64, device=device),
                   torch.zeros(shape, dtype=torch.int64, device=device))

    @property
    def per_interval(self) -> int:
        return self.hash.shape[2]

    def to(self, device: torch.device | str) -> IntervalSamples:
        return IntervalSamples(*(getattr(self, f.name).to(device) for f in fields(self)))

    def state_dict(self, prefix: str = "intervals.") -> dict[str, torch.Tensor]:
        return {prefix + f.name: getattr(self, f.name).detach().cpu().contiguous() for f in fields(self)}

    @classmethod
    def from_state_dict(cls, state: dict[str, torch.Tensor], prefix: str = "intervals.") -> IntervalSamples:
        return cls(*(state[prefix + f.name] for f in fields(cls)))

    def grow(self, exponent: torch.Tensor) -> None:
        """Raise each feature's M to 2^max(e, exponent), halving its intervals' resolution once per doubling."""
        target = torch.maximum(self.exponent, exponent)
        fired = self.exponent != NO_EXPONENT
        for _ in range(INTERVALS.bit_length()):  # after 4 doublings every old record sits in interval 0
            rows = torch.nonzero(fired & (self.exponent < target)).squeeze(1)
            if rows.numel() == 0:
                break
            self._double(rows)
        self.exponent = target

    def _double(self, rows: torch.Tensor) -> None:
        """Intervals (2j, 2j + 1) of these features become interval j of twice the range."""
        half, s = INTERVALS // 2, self.per_interval
        self.counts[rows] = torch.cat([self.counts[rows].view(-1, half, 2).sum(2),
                                       torch.zeros_like(self.counts[rows][:, :half])], dim=1)
        order = self.hash[rows].view(-1, half, 2 * s).argsort(dim=2)[..., :s]
        for name in ("hash", "value", "record", "conversation"):
            current = getattr(self, name)
            kept = current[rows].view(-1, half, 2 * s).gather(2, order)
            blank = torch.full_like(kept, EMPTY_HASH) if name == "hash" else torch.zeros_like(kept)
            current[rows] = torch.cat([kept, blank], dim=1)
        self.exponent[rows] += 1

    def add(self, feature: torch.Tensor, value: torch.Tensor, record: torch.Tensor, conversation: torch.Tensor,
            seed: int) -> None:
        """Firing pairs (value > 0) of one batch, in any order."""
        self.insert(*self.count(feature, value, record, conversation, seed))

    def count(self, feature: torch.Tensor, value: torch.Tensor, record: torch.Tensor, conversation: torch.Tensor,
              seed: int) -> tuple[torch.Tensor, ...]:
        """Count firing pairs into their intervals, and return those that may enter a sample, with their hashes,
        for `insert` now or later (later is exact too: a pair a cell turns away now, a merged cell would too)."""
        batch_max = torch.zeros_like(self.exponent, dtype=torch.float32).scatter_reduce_(0, feature, value, "amax")
        needed = torch.where(batch_max > 0, ceil_exponent(batch_max.clamp_min(1e-30)), NO_EXPONENT)
        self.grow(needed)
        cell = feature * INTERVALS + interval_of(value, self.exponent[feature])
        self.counts.view(-1).add_(torch.bincount(cell, minlength=self.counts.numel()))
        hashed = record_hash(record, feature, seed)
        keep = hashed < self.hash.view(-1, self.per_interval)[cell, -1]  # below the cell's largest kept hash
        return feature[keep], value[keep], record[keep], conversation[keep], hashed[keep]

    def insert(self, feature: torch.Tensor, value: torch.Tensor, record: torch.Tensor, conversation: torch.Tensor,
               hashed: torch.Tensor) -> None:
        """Re-choose the smallest hashes of the touched cells (of the current range) from their slots and these
        candidates."""
        if feature.numel() == 0:
            return
        cell = feature * INTERVALS + interval_of(value, self.exponent[feature])
        s = self.per_interval
        touched = torch.unique(cell)
        flat = {name: getattr(self, name).view(-1, s) for name in ("hash", "value", "record", "conversation")}
        pool_cell = torch.cat([touched.repeat_interleave(s), cell])
        pool = {name: torch.cat([flat[name][touched].reshape(-1), new]) for name, new in
                (("hash", hashed), ("value", value), ("record", record), ("conversation", conversation))}
        order = torch.argsort(pool["hash"], stable=True)
        order = order[torch.argsort(pool_cell[order], stable=True)]
        rank = segment_rank(pool_cell[order])
        chosen = order[rank < s]
        for name, column in flat.items():
            column[touched] = EMPTY_HASH if name == "hash" else 0
            column[pool_cell[chosen], rank[rank < s]] = pool[name][chosen]

    def merge(self, other: IntervalSamples) -> IntervalSamples:
        """The samples and counts of both record sets (disjoint records)."""
        a, b = self.to(self.hash.device), other.to(self.hash.device)
        exponent = torch.maximum(a.exponent, b.exponent)
        a.grow(exponent)
        b.grow(exponent)
        merged = IntervalSamples.empty(a.exponent.numel(), a.per_interval, a.hash.device)
        merged.exponent, merged.counts = exponent, a.counts + b.counts
        s = a.per_interval
        order = torch.cat([a.hash, b.hash], dim=2).argsort(dim=2, stable=True)[..., :s]
        for name in ("hash", "value", "record", "conversation"):
            setattr(merged, name, torch.cat([getattr(a, name), getattr(b, name)], dim=2).gather(2, order))
        return merged
