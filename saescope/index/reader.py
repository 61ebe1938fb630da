"""Read a finished reverse index (a build's folder or a release's reverse-index/<name>/) for later stages, and
query it: per-feature lookups by binary search, rankings and text search (the logic is in `query`).

feature_metrics and feature_prompts are read on open; every other table is read on first use and kept. An older
index may lack those: their lookups return None ("not in this index"), a feature without rows in a table there
gets an empty list.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from saescope.index.errors import ReverseIndexError
from saescope.index.files import METRICS_FILE, PROMPTS_FILE, read_summary, read_table
from saescope.index.query import (
    OPTIONAL_TABLES,
    SUMMARY_COLUMNS,
    FeatureRows,
    metric_values,
    python,
    ranked,
    sort_column,
)


@dataclass
class ReverseIndex:
    folder: Path
    summary: dict[str, Any]
    metrics: pa.Table  # feature_metrics: one row per feature, row i is feature i
    prompts: pa.Table  # feature_prompts: sorted by feature, then rank
    _tables: dict[str, FeatureRows | None] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def open(cls, folder: str | Path) -> ReverseIndex:
        folder = Path(folder)
        return cls(folder, read_summary(folder), read_table(folder / METRICS_FILE), read_table(folder / PROMPTS_FILE))

    @property
    def d_sae(self) -> int:
        return self.metrics.num_rows

    def feature(self, feature: int) -> dict[str, Any]:
        """The feature's metrics row."""
        self._check(feature)
        return self.metrics.slice(feature, 1).to_pylist()[0]

    def examples(self, feature: int) -> list[dict[str, Any]]:
        """The feature's top examples, best first (empty for a feature that never fired)."""
        self._check(feature)
        return self._prompt_rows.rows(feature)

    def best_examples(self, features: list[int] | np.ndarray) -> list[dict[str, Any] | None]:
        """Each feature's best example (its first top example), None for one that never fired; one lookup."""
        features = np.asarray(features, dtype=np.int64)
        if len(features):
            self._check(int(features.min()))
            self._check(int(features.max()))
        return self._prompt_rows.firsts(features)

    def has(self, name: str) -> bool:
        """Whether the index holds the optional table `name` (a key of query.OPTIONAL_TABLES)."""
        return self.table(name) is not None

    def table(self, name: str) -> FeatureRows | None:
        """The optional table `name`, read on first use; None when this index has none."""
        if name not in self._tables:
            path = self.folder / OPTIONAL_TABLES[name]
            self._tables[name] = FeatureRows(read_table(path), path) if path.is_file() else None
        return self._tables[name]

    def deep_examples(self, feature: int) -> list[dict[str, Any]] | None:
        """The deeper top list (feature_top.parquet), best first."""
        return self._rows("top", feature)

    def samples(self, feature: int) -> list[dict[str, Any]] | None:
        """Examples sampled within activation intervals, by interval then rank."""
        return self._rows("samples", feature)

    def intervals(self, feature: int) -> list[dict[str, Any]] | None:
        """The non-empty activation intervals: low, high, count and share of the feature's firing records."""
        return self._rows("intervals", feature)

    def histogram(self, feature: int) -> list[dict[str, Any]] | None:
        """The non-empty bins (bin, low, high, count) of the fixed log-spaced activation histogram."""
        return self._rows("histograms", feature)

    def neighbours(self, feature: int) -> list[dict[str, Any]] | None:
        """The nearest features by decoder cosine, nearest first."""
        return self._rows("neighbours", feature)

    def logits(self, feature: int) -> dict[str, list[dict[str, Any]]] | None:
        """The logit lens of the decoder direction: {"promoted": rows, "suppressed": rows}, each by rank."""
        rows = self._rows("logits", feature)
        if rows is None:
            return None
        return {d: [r for r in rows if r["direction"] == d] for d in ("promoted", "suppressed")}

    def top(self, by: str = "fire_rate", role: str | None = None, limit: int = 20, ordinary: bool = True
            ) -> list[dict[str, Any]]:
        """The `limit` features highest by metrics column `by` (by fires in `role` when given; `ordinary`: by
        ordinary_fires / ordinary_fire_rate / ordinary_max_activation where the index has them), ties by feature
        id; each row holds the sorted column (see `sort_column`), the main metrics and the best example's token."""
        column = self.sort_column(by, role, ordinary)
        values = metric_values(self.metrics, column, self.summary.get("activation_records_indexed"))
        ids = ranked(values, limit)
        shown = [c for c in SUMMARY_COLUMNS if c in self.metrics.column_names and c != column]
        chosen = self.metrics.select(shown).take(pa.array(ids, type=pa.int64())).to_pylist()
        best = self._prompt_rows.firsts(ids)
        return [{"feature": int(f), column: python(values[f]), **{k: python(v) for k, v in row.items()},
                 "best": example} for f, row, example in zip(ids, chosen, best, strict=True)]

    def sort_column(self, by: str, role: str | None = None, ordinary: bool = True) -> str:
        """The metrics column `top(by, role, ordinary=...)` sorts by; refuses an unknown column or role."""
        return sort_column(self.metrics, by, role, ordinary)

    def search(self, text: str, limit: int = 20) -> list[dict[str, Any]]:
        """Features with an example whose text (context before + token + context after) contains `text`, any
        case; by hits descending, then feature id. Searches the deeper top list when the index has it. Each row:
        feature, hits (matching examples), example (the best-ranked match), fire_rate and max_activation."""
        if not text.strip():
            return []
        rows = self.table("top") or self._prompt_rows
        features, hits, first = rows.search(text)
        order = np.lexsort((features, -hits))[: max(limit, 0)]
        examples = rows.take(first[order])
        fire_rate, max_act = (self.metrics[c].to_numpy() for c in ("fire_rate", "max_activation"))
        return [{"feature": int(features[i]), "hits": int(hits[i]), "example": example,
                 "fire_rate": python(fire_rate[features[i]]), "max_activation": python(max_act[features[i]])}
                for i, example in zip(order, examples, strict=True)]

    def _rows(self, name: str, feature: int) -> list[dict[str, Any]] | None:
        self._check(feature)
        table = self.table(name)
        return None if table is None else table.rows(feature)

    def _check(self, feature: int) -> None:
        if not 0 <= feature < self.d_sae:
            raise ReverseIndexError(f"feature {feature} out of range: {self.folder} indexes {self.d_sae} features "
                                    f"(0..{self.d_sae - 1})")

    @cached_property
    def _prompt_rows(self) -> FeatureRows:
        return FeatureRows(self.prompts, self.folder / PROMPTS_FILE)
