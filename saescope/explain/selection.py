"""Which features `saescope explain` labels: a selection string read against the index's metrics."""

from __future__ import annotations

import re

import numpy as np

from saescope.explain.errors import ExplainError
from saescope.index.reader import ReverseIndex

SELECTION_HELP = "ids and ranges ('3,7,10-20'), 'top:N', 'top:N:METRIC' or 'all'"
_RANGE = re.compile(r"^(\d+)\s*-\s*(\d+)$")


def select_features(index: ReverseIndex, selection: str) -> list[int]:
    """The selected features in order. Dead ones (never fired: nothing to explain) are left out of `all`, `top`
    and ranges; a single id must be a live feature of the index."""
    text = selection.strip()
    fires = index.metrics["fire_count"].to_numpy()
    if text == "all":
        return np.flatnonzero(fires > 0).tolist()
    if text.startswith("top:"):
        return _top(index, text, fires)
    ids, singles = _ids(text)
    for f in ids:
        if not 0 <= f < index.d_sae:
            raise ExplainError(f"feature {f} of selection '{selection}' out of range: the index has {index.d_sae} "
                               f"features (0..{index.d_sae - 1})")
        if f in singles and fires[f] == 0:
            raise ExplainError(f"feature {f} never fired in this index: it has no examples to explain")
    return [f for f in ids if fires[f] > 0]


def _top(index: ReverseIndex, text: str, fires: np.ndarray) -> list[int]:
    parts = text.split(":")
    if len(parts) not in (2, 3) or not parts[1].isdigit() or int(parts[1]) < 1:
        raise ExplainError(f"selection '{text}': use 'top:N' or 'top:N:METRIC' with N a positive integer")
    by = parts[2] if len(parts) == 3 else "fire_rate"
    rows = index.top(by, limit=int(parts[1]))  # by the ordinary (non-sink) figure where the index has it
    return [r["feature"] for r in rows if fires[r["feature"]] > 0]


def _ids(text: str) -> tuple[list[int], set[int]]:
    """(every id named, in order, once; the ids named alone rather than in a range)."""
    ids: list[int] = []
    singles: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        found = _RANGE.match(part)
        if found:
            low, high = int(found[1]), int(found[2])
            if high < low:
                raise ExplainError(f"selection range '{part}' is empty (its end is below its start)")
            ids += range(low, high + 1)
        elif part.isdigit():
            ids.append(int(part))
            singles.add(int(part))
        else:
            raise ExplainError(f"selection part '{part}' is not a feature id or range: use {SELECTION_HELP}")
    return list(dict.fromkeys(ids)), singles
