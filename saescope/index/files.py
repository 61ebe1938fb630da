"""The names of an index folder's files, and reading them back: light (pyarrow, no torch), so that the query
layer and `saescope features` start fast."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from saescope.index.errors import ReverseIndexError
from saescope.utils.atomic import read_json_object

SUMMARY_FILE = "summary.json"
METRICS_FILE = "feature_metrics.parquet"
PROMPTS_FILE = "feature_prompts.parquet"


def read_summary(folder: Path) -> dict[str, Any]:
    return read_json_object(Path(folder) / SUMMARY_FILE, ReverseIndexError, missing="not found: not a complete "
                            "reverse index (a build that has not finished resumes when run again)")


def read_table(path: Path) -> pa.Table:
    try:
        return pq.read_table(path)
    except (OSError, pa.ArrowInvalid) as e:
        raise ReverseIndexError(f"{path}: missing or not a readable parquet file ({e})") from e


# Written by `saescope explain` beside the index; read by `saescope features` and the explorer. Columns: feature
# (int64), label (string), backend, model, template_hash (string), detection, fuzzing (float64, null when not
# scored), detection_examples, fuzzing_examples, explained_examples (int64), seconds (float64), created (string).
EXPLANATIONS_FILE = "explanations.parquet"


def read_explanations(folder: Path) -> pa.Table | None:
    """The index's explanations sorted by feature, or None when it has none."""
    path = Path(folder) / EXPLANATIONS_FILE
    if not path.is_file():
        return None
    return read_table(path).sort_by("feature")
