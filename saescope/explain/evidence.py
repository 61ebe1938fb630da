"""Each feature's evidence, split in two: the examples the explainer sees, and held-out ones the scorers see.

The explainer sees the best `top_examples` of the deeper top list and `interval_examples` interval samples spread
over the activation intervals. The held-out firing examples are the feature's other examples (the rest of the top
list and the other interval samples, never a record the explainer saw), taken in turn from the top list's rest
and each interval, highest first, so that weak activations are scored too. Non-firing examples are other
features' top examples from conversations in which none of this feature's stored examples lie (where too few are,
any other record than this feature's stored ones): the index lists only a feature's strongest and sampled records,
so such a window may still hold a weak firing it never recorded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from saescope.config.explain import ExplainConfig
from saescope.explain.errors import ExplainError
from saescope.index.reader import ReverseIndex

_PIECE = re.compile(r"\s*\w+|\s*[^\w\s]+")  # word-like pieces, as a BPE pre-tokenizer splits text


@dataclass(frozen=True)
class Window:
    """A text window cut around one highlighted token."""

    before: str
    token: str
    after: str
    activation: float | None = None
    record: int | None = None  # where it came from in the index (None for a decoy)
    conversation: int | None = None


@dataclass
class FeatureEvidence:
    feature: int
    shown: list[Window]  # what the explainer sees, strongest first
    firing: list[Window]  # held out: detection's and fuzzing's firing examples
    quiet: list[Window]  # non-firing windows (detection's other half)
    promoted: list[str] = field(default_factory=list)  # logit-lens tokens, most promoted first
    suppressed: list[str] = field(default_factory=list)


def window(row: dict[str, Any]) -> Window:
    return Window(row.get("context_before") or "", row["token"], row.get("context_after") or "", row["activation"],
                  row["record"], row["conversation"])


def decoy(w: Window, rng: np.random.Generator) -> Window | None:
    """`w` with the highlight moved to a random other word-like piece of its window (None if it has none)."""
    before, after = list(_PIECE.finditer(w.before)), list(_PIECE.finditer(w.after))
    if not before and not after:
        return None
    i = int(rng.integers(len(before) + len(after)))
    text, found = (w.before, before[i]) if i < len(before) else (w.after, after[i - len(before)])
    piece = found.group()
    start = found.start() + len(piece) - len(piece.lstrip())  # the piece's leading space stays outside the marks
    head, mark, tail = text[:start], text[start:found.end()], text[found.end():]
    if text is w.before:
        return Window(head, mark, tail + w.token + w.after)
    return Window(w.before + w.token + head, mark, tail)


def spread(groups: list[list[dict[str, Any]]], taken: set[int], n: int) -> list[dict[str, Any]]:
    """Up to `n` rows taken in turn from each group (a group's rows in order), no record twice or from `taken`."""
    chosen: list[dict[str, Any]] = []
    queues = [list(g) for g in groups]
    while len(chosen) < n and any(queues):
        for q in queues:
            while q and q[0]["record"] in taken:
                q.pop(0)
            if q and len(chosen) < n:
                row = q.pop(0)
                taken.add(row["record"])
                chosen.append(row)
    return chosen


class EvidenceBuilder:
    def __init__(self, index: ReverseIndex, cfg: ExplainConfig) -> None:
        self.index, self.cfg = index, cfg
        if index.prompts.num_rows and index.prompts["token"].null_count == index.prompts.num_rows:
            raise ExplainError(f"{index.folder}: the index was built without decoding tokens "
                               "(--index.no-decode-tokens): it has no text to explain")

    @cached_property
    def _pool(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(feature, conversation, record) of every top example: where non-firing windows are drawn from."""
        return tuple(self.index.prompts[c].to_numpy() for c in ("feature", "conversation", "record"))  # type: ignore[return-value]

    def build(self, feature: int) -> FeatureEvidence:
        rng = np.random.default_rng([self.cfg.seed, feature])
        top = self.index.deep_examples(feature) or self.index.examples(feature)
        samples = self.index.samples(feature) or []
        intervals = sorted({s["interval"] for s in samples}, reverse=True)
        by_interval = [[s for s in samples if s["interval"] == j] for j in intervals]
        taken: set[int] = set()
        shown = spread([top], taken, self.cfg.top_examples)
        shown += spread(by_interval, taken, self.cfg.interval_examples)
        held = [list(top), *by_interval]  # `taken` keeps the shown records out
        for group in held:
            rng.shuffle(group)
        firing = spread(held, taken, max(self.cfg.detection_examples, self.cfg.fuzzing_examples))
        quiet = self._quiet(feature, [*top, *samples], self.cfg.detection_examples, rng)
        logits = self.index.logits(feature) or {}
        lens = {d: [r["token"] for r in logits.get(d, []) if r["token"] is not None]
                for d in ("promoted", "suppressed")}
        return FeatureEvidence(feature, [window(r) for r in shown], [window(r) for r in firing],
                               [window(r) for r in quiet], lens["promoted"], lens["suppressed"])

    def _quiet(self, feature: int, mine: list[dict[str, Any]], n: int, rng: np.random.Generator
                ) -> list[dict[str, Any]]:
        """Up to `n` other features' top examples, one per conversation: first from conversations holding none of
        `mine` (this feature's stored examples), then, where too few are, any whose record is not one of `mine`."""
        if n == 0:
            return []
        features, convs, records = self._pool
        other = (features != feature) & ~np.isin(records, np.asarray([r["record"] for r in mine], np.int64))
        apart = other & ~np.isin(convs, np.asarray([r["conversation"] for r in mine], np.int64))
        order = np.concatenate([rng.permutation(np.flatnonzero(apart)),
                                rng.permutation(np.flatnonzero(other & ~apart))])
        chosen, seen = [], set()
        for r in order.tolist():
            if convs[r] not in seen:
                seen.add(convs[r])
                chosen.append(r)
                if len(chosen) == n:
                    break
        return self.index.prompts.take(chosen).to_pylist() if chosen else []
