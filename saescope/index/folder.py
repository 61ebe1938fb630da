"""An index folder: its parquet tables (feature_metrics, feature_prompts, feature_top, feature_histograms,
feature_intervals, feature_samples, and feature_neighbours and feature_logits when computed), report.md (and
firing_rates.png when matplotlib is installed), then summary.json, written last and atomically: its presence means
complete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from saescope.index.files import METRICS_FILE, PROMPTS_FILE, SUMMARY_FILE
from saescope.index.report import write_report
from saescope.index.tables import write_table
from saescope.utils.atomic import write_json_atomic


def write_index(folder: Path, tables: dict[str, pa.Table], summary: dict[str, Any]) -> Path:
    """Write `tables` (by file name; METRICS_FILE and PROMPTS_FILE among them), the report, then the summary."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / SUMMARY_FILE).unlink(missing_ok=True)  # an older summary must not vouch for the files written next
    for name, table in tables.items():
        write_table(folder / name, table)
    write_report(folder, summary, tables[METRICS_FILE], tables[PROMPTS_FILE])
    write_json_atomic(folder / SUMMARY_FILE, summary)
    return folder
