"""The explorer's data: a reverse index (with its explanations and steer-eval results when there) loaded once;
the list in `listing`, shading in `shading`, the histogram in `plots`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from saescope.config.schema import ModelConfig
from saescope.index.errors import ReverseIndexError
from saescope.index.files import read_explanations
from saescope.index.reader import ReverseIndex
from saescope.index.tables import ROLE_COLUMNS
from saescope.serve.errors import ServeError
from saescope.serve.listing import PAGE_SIZE, FeatureList, ListFilter, Page, clean
from saescope.serve.plots import histogram_svg
from saescope.serve.shading import Shader
from saescope.steer.files import RELIABILITY_FILE

__all__ = ["PAGE_SIZE", "ExplorerData", "ListFilter", "Page", "clean"]
SCORES = ("detection", "fuzzing", "backend", "model", "explained_examples")


def _steering_table(steer_folder: Path) -> pa.Table:
    path = steer_folder / RELIABILITY_FILE
    try:
        steering = pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as e:
        raise ServeError(f"{path}: missing or not a readable parquet file; not a steer-eval folder") from e
    if "feature" not in steering.column_names:
        raise ServeError(f"{path}: has no 'feature' column; not a steer-eval reliability table")
    return steering


@dataclass
class ExplorerData:
    index: ReverseIndex
    listing: FeatureList
    explanations: pa.Table | None
    shader: Shader
    steering: pa.Table | None = None
    steer_folder: Path | None = None

    @classmethod
    def load(cls, index_folder: str | Path, steer_folder: str | Path | None = None,
             model: ModelConfig | None = None) -> ExplorerData:
        try:
            index = ReverseIndex.open(index_folder)
            explanations = read_explanations(index.folder)
        except ReverseIndexError as e:
            raise ServeError(str(e)) from e
        if explanations is not None and not {"feature", "label"} <= set(explanations.column_names):
            raise ServeError(f"{index.folder}/explanations.parquet: lacks the feature or label column")
        steer = Path(steer_folder) if steer_folder is not None else None
        steering = _steering_table(steer) if steer is not None else None
        shader = Shader(index.summary, model or ModelConfig())
        return cls(index, FeatureList(index, explanations), explanations, shader, steering, steer)

    @property
    def summary(self) -> dict[str, Any]:
        return self.index.summary

    @property
    def d_sae(self) -> int:
        return self.index.d_sae

    @property
    def dead(self) -> int:
        return int((self.listing.columns["fire_count"] == 0).sum())

    def features(self, f: ListFilter) -> Page:
        return self.listing.page(f)

    def has(self, feature: int) -> bool:
        return 0 <= feature < self.d_sae

    def random_live(self) -> int:
        live = self.listing.columns["feature"][self.listing.columns["fire_count"] > 0]
        return int(random.choice(live.tolist())) if len(live) else 0

    def explanation(self, feature: int) -> dict[str, Any] | None:
        if self.explanations is None or self.listing.labels[feature] is None:
            return None
        rows = self.explanations.filter(pc.equal(self.explanations["feature"], feature)).to_pylist()
        row = rows[-1]
        return {"label": row["label"], **{k: clean(row.get(k)) for k in SCORES}}

    def feature(self, feature: int, shade: bool = True, marker: float | None = None) -> dict[str, Any]:
        """Everything a feature page shows (the feature must exist); `shade` adds per-token activations."""
        metrics = {k: clean(v) for k, v in self.index.feature(feature).items()}
        fires = metrics["fire_count"] or 0
        roles = [{"role": name.removeprefix("fires_"), "fires": metrics[name],
                  "share": metrics[name] / fires if fires else 0.0} for name in ROLE_COLUMNS]
        examples = [{k: v for k, v in ex.items()} for ex in self.index.examples(feature)]
        samples = self.index.samples(feature) or []
        if shade:
            examples = self.shader.shade(feature, examples, "top")
            samples = self.shader.shade(feature, samples, "samples")
        bins, intervals = self.index.histogram(feature) or [], self.index.intervals(feature) or []
        return {"feature": feature, "metrics": metrics, "roles": roles, "examples": examples, "samples": samples,
                "histogram": bins, "intervals": intervals, "plot": histogram_svg(bins, intervals, marker),
                "logits": self.index.logits(feature), "neighbours": self.index.neighbours(feature),
                "explanation": self.explanation(feature), "steering": self.steering_rows(feature)}

    def steering_rows(self, feature: int) -> list[dict[str, Any]]:
        if self.steering is None:
            return []
        rows = self.steering.filter(pc.equal(self.steering["feature"], feature))
        rows = rows.sort_by([("strength", "ascending")]) if "strength" in rows.column_names else rows
        return [{k: clean(v) for k, v in r.items()} for r in rows.to_pylist()]

    def search(self, text: str, limit: int = 200) -> list[dict[str, Any]]:
        """Features with an example containing `text` (any case), by matching examples then feature id."""
        return self.index.search(text, limit)
