"""An index folder: feature_metrics.parquet, feature_prompts.parquet, report.md (and firing_rates.png when
matplotlib is installed), then summary.json, written last and atomically: its presence means complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from saescope.index.errors import ReverseIndexError
from saescope.index.report import write_report
from saescope.index.tables import METRICS_FILE, PROMPTS_FILE, write_table
from saescope.utils.atomic import read_json_object, write_json_atomic

SUMMARY_FILE = "summary.json"


def read_summary(folder: Path) -> dict[str, Any]:
    return read_json_object(Path(folder) / SUMMARY_FILE, ReverseIndexError, missing="not found: not a complete "
                            "reverse index (a build that has not finished resumes when run again)")


def write_index(folder: Path, metrics: pa.Table, prompts: pa.Table, summary: dict[str, Any]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SUMMARY_FILE).unlink(missing_ok=True)  # an older summary must not vouch for the files written next
    write_table(folder / METRICS_FILE, metrics)
    write_table(folder / PROMPTS_FILE, prompts)
    write_report(folder, summary, metrics, prompts)
    write_json_atomic(folder / SUMMARY_FILE, summary)
    return folder
