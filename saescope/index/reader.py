"""Read a finished reverse index (a build's folder or a release's reverse-index/<name>/) for later stages."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from saescope.index.errors import ReverseIndexError
from saescope.index.folder import read_summary
from saescope.index.tables import METRICS_FILE, PROMPTS_FILE, read_table


@dataclass
class ReverseIndex:
    folder: Path
    summary: dict[str, Any]
    metrics: pa.Table  # feature_metrics: one row per feature, row i is feature i
    prompts: pa.Table  # feature_prompts: sorted by feature, then rank

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
        features = self._prompt_features
        lo, hi = np.searchsorted(features, feature, "left"), np.searchsorted(features, feature, "right")
        return self.prompts.slice(int(lo), int(hi - lo)).to_pylist()

    def _check(self, feature: int) -> None:
        if not 0 <= feature < self.d_sae:
            raise ReverseIndexError(f"feature {feature} out of range: {self.folder} indexes {self.d_sae} features")

    @cached_property
    def _prompt_features(self) -> np.ndarray:
        return self.prompts["feature"].to_numpy()
