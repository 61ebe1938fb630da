"""The explorer's data: a reverse index (and optionally steer-eval results) loaded once into numpy columns."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from saescope.index.errors import ReverseIndexError
from saescope.index.reader import ReverseIndex
from saescope.index.tables import ROLE_COLUMNS, best_examples
from saescope.serve.errors import ServeError
from saescope.steer.files import RELIABILITY_FILE

SORT_KEYS = ("fire_rate", "max_activation", "conversations", "feature")
PAGE_SIZE = 50
STEER_COLUMNS = ["strength", "value", "reliability", "prompts", "fire_rate_clean", "fire_rate_steered",
                 "mean_act_clean", "mean_act_steered", "ce_clean", "ce_steered", "fire_gain", "ce_increase", "changed"]


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
class ExplorerData:
    index: ReverseIndex
    steering: pa.Table | None = None
    steer_folder: Path | None = None
    columns: dict[str, np.ndarray] = field(default_factory=dict)
    best_token: list[str | None] = field(default_factory=list)

    @classmethod
    def load(cls, index_folder: str | Path, steer_folder: str | Path | None = None) -> ExplorerData:
        try:
            index = ReverseIndex.open(index_folder)
        except ReverseIndexError as e:
            raise ServeError(str(e)) from e
        steering = None
        if steer_folder is not None:
            path = Path(steer_folder) / RELIABILITY_FILE
            try:
                steering = pq.read_table(path)
            except (OSError, pa.ArrowInvalid) as e:
                raise ServeError(f"{path}: missing or not a readable parquet file; not a steer-eval folder") from e
            if "feature" not in steering.column_names:
                raise ServeError(f"{path}: has no 'feature' column; not a steer-eval reliability table")
        data = cls(index, steering, Path(steer_folder) if steer_folder is not None else None)
        data._prepare()
        return data

    def _prepare(self) -> None:
        m = self.index.metrics
        names = ["feature", "fire_count", "fire_rate", "conversations", "max_activation", "mean_activation"]
        self.columns = {n: m[n].to_numpy(zero_copy_only=False).astype(np.float64 if n.endswith("activation")
                                                                        or n == "fire_rate" else np.int64)
                        for n in names}
        self.best_token = [None] * self.d_sae
        best = best_examples(self.index.prompts)
        for f, token in zip(best["feature"].to_pylist(), best["token"].to_pylist(), strict=True):
            if 0 <= f < self.d_sae:
                self.best_token[f] = token

    @property
    def summary(self) -> dict[str, Any]:
        return self.index.summary

    @property
    def d_sae(self) -> int:
        return self.index.d_sae

    @property
    def dead(self) -> int:
        return int((self.columns["fire_count"] == 0).sum())

    def features(self, sort: str = "fire_rate", order: str = "desc", min_fires: int = 0, dead: bool = False,
                 page: int = 1) -> Page:
        """One page of the feature table, sorted (ties broken by feature id, ascending) and filtered."""
        if sort not in SORT_KEYS:
            raise ValueError(f"sort must be one of {', '.join(SORT_KEYS)}")
        c = self.columns
        keep = c["fire_count"] >= max(min_fires, 0)
        if not dead:
            keep &= c["fire_count"] > 0
        ids = np.flatnonzero(keep)
        key = c[sort][ids]
        key = np.nan_to_num(key, nan=-np.inf)
        ordering = np.lexsort((ids, -key if order == "desc" else key))
        ids = ids[ordering]
        pages = max(1, -(-len(ids) // PAGE_SIZE))
        page = max(page, 1)
        chosen = ids[(page - 1) * PAGE_SIZE: page * PAGE_SIZE]
        return Page([self.row(int(i)) for i in chosen], len(ids), page, pages)

    def row(self, feature: int) -> dict[str, Any]:
        c = self.columns
        row = {n: clean(c[n][feature]) for n in c}
        row["best_token"] = self.best_token[feature]
        return row

    def has(self, feature: int) -> bool:
        return 0 <= feature < self.d_sae

    def feature(self, feature: int) -> dict[str, Any]:
        """Metrics, role breakdown, top examples and steering rows of one feature (which must exist)."""
        metrics = {k: clean(v) for k, v in self.index.feature(feature).items()}
        fires = metrics["fire_count"] or 0
        roles = [{"role": name.removeprefix("fires_"), "fires": metrics[name],
                  "share": metrics[name] / fires if fires else 0.0} for name in ROLE_COLUMNS]
        examples = [{k: v for k, v in ex.items() if not k.endswith("_ids")} for ex in self.index.examples(feature)]
        return {"feature": feature, "metrics": metrics, "roles": roles, "examples": examples,
                "steering": self.steering_rows(feature)}

    def steering_rows(self, feature: int) -> list[dict[str, Any]]:
        if self.steering is None:
            return []
        rows = self.steering.filter(pc.equal(self.steering["feature"], feature))
        rows = rows.sort_by([("strength", "ascending")]) if "strength" in rows.column_names else rows
        return [{k: clean(v) for k, v in r.items()} for r in rows.to_pylist()]

    def search(self, text: str, limit: int = 200) -> list[dict[str, Any]]:
        """Features with a top example whose text (context before, firing token and context after, as one
        string) contains `text` (case-insensitive), by matching examples then feature id; each with its first
        matching example."""
        text = text.strip()
        if not text:
            return []
        p = self.index.prompts
        joined = pc.binary_join_element_wise(p["context_before"], p["token"], p["context_after"], "")
        hit = pc.match_substring(joined, text, ignore_case=True)
        rows = np.flatnonzero(hit.fill_null(False).to_numpy(zero_copy_only=False))
        if not len(rows):
            return []
        features = p["feature"].to_numpy()[rows]
        unique, first, counts = np.unique(features, return_index=True, return_counts=True)
        order = np.lexsort((unique, -counts))[:limit]
        columns = ["token", "context_before", "context_after", "activation"]
        examples = p.select(columns).take(pa.array(rows[first[order]])).to_pylist()
        return [{"feature": int(unique[i]), "matches": int(counts[i]), "example": ex, **{
                 k: clean(self.columns[k][unique[i]]) for k in ("fire_rate", "max_activation")}}
                for i, ex in zip(order, examples, strict=True)]
