"""The feature list: every feature's list columns as numpy arrays, sorted, filtered and paged on the server.

One page at 65,536 features is a mask, one lexsort and a 50-row slice (bench figure in the README)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from saescope.index.reader import ReverseIndex

PAGE_SIZE = 50
# Sortable columns; those the index lacks (an older index without sink counts) are left out of its list.
SORT_KEYS = ("fire_rate", "ordinary_fires", "max_activation", "conversations", "sink_share", "mean_activation",
             "detection", "fuzzing", "feature")
FLOAT_COLUMNS = ("fire_rate", "max_activation", "mean_activation", "sink_share", "detection", "fuzzing")


def clean(value: Any) -> Any:
    """JSON-safe: NaN (a null mean of a dead feature) becomes None, numpy scalars become Python ones."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


@dataclass
class Page:
    rows: list[dict[str, Any]]
    total: int  # features matching the filters
    page: int
    pages: int


@dataclass
class ListFilter:
    sort: str = "fire_rate"
    order: str = "desc"
    min_fires: int = 0
    dead: bool = False
    label: str = ""  # substring of the explanation label, any case
    page: int = 1


def _column(metrics: pa.Table, name: str) -> np.ndarray:
    values = metrics[name].to_numpy(zero_copy_only=False)
    return values.astype(np.float64 if name in FLOAT_COLUMNS else np.int64)


class FeatureList:
    def __init__(self, index: ReverseIndex, explanations: pa.Table | None) -> None:
        m, n = index.metrics, index.d_sae
        names = ["feature", "fire_count", "fire_rate", "conversations", "max_activation", "mean_activation",
                 *(["ordinary_fires"] if "ordinary_fires" in m.column_names else [])]
        self.columns: dict[str, np.ndarray] = {name: _column(m, name) for name in names}
        if "sink_fires" in m.column_names:
            count = self.columns["fire_count"]
            sinks = m["sink_fires"].to_numpy().astype(np.float64)
            self.columns["sink_share"] = np.divide(sinks, count, out=np.full(n, np.nan), where=count > 0)
        self.labels: list[str | None] = [None] * n
        self.lower_labels = pa.array([None] * n, type=pa.string())
        if explanations is not None:
            self._add_explanations(explanations, n)
        best = index.best_examples(np.arange(n))
        self.best_token = [None if b is None else b["token"] for b in best]

    def _add_explanations(self, table: pa.Table, n: int) -> None:
        features = table["feature"].to_numpy()
        keep = (features >= 0) & (features < n)
        features = features[keep]
        labels = np.array(table["label"].to_pylist(), dtype=object)[keep]
        for f, label in zip(features.tolist(), labels.tolist(), strict=True):
            self.labels[f] = label
        self.lower_labels = pc.utf8_lower(pa.array(self.labels, type=pa.string()))
        for score in ("detection", "fuzzing"):
            values = np.full(n, np.nan)
            if score in table.column_names:
                values[features] = table[score].to_numpy(zero_copy_only=False).astype(np.float64)[keep]
            self.columns[score] = values

    @property
    def sort_keys(self) -> list[str]:
        return [k for k in SORT_KEYS if k in self.columns]

    @property
    def has_labels(self) -> bool:
        return "detection" in self.columns

    def page(self, f: ListFilter) -> Page:
        """One page, sorted (ties broken by feature id, ascending; missing values last) and filtered."""
        c = self.columns
        keep = c["fire_count"] >= max(f.min_fires, 0)
        if not f.dead:
            keep &= c["fire_count"] > 0
        if f.label.strip():
            hit = pc.match_substring(self.lower_labels, f.label.strip().lower()).fill_null(False)
            keep &= hit.to_numpy(zero_copy_only=False)
        ids = np.flatnonzero(keep)
        key = c[f.sort][ids].astype(np.float64)
        missing = np.isnan(key)
        key = np.where(missing, 0.0, key)
        ordering = np.lexsort((ids, -key if f.order == "desc" else key, missing))
        ids = ids[ordering]
        pages = max(1, -(-len(ids) // PAGE_SIZE))
        page = min(max(f.page, 1), pages)
        chosen = ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return Page([self.row(int(i)) for i in chosen], len(ids), page, pages)

    def row(self, feature: int) -> dict[str, Any]:
        row = {n: clean(values[feature]) for n, values in self.columns.items()}
        return row | {"best_token": self.best_token[feature], "label": self.labels[feature]}
