"""explanations.parquet (the columns saescope.index.files documents, plus the unparsed counts) and
explanations.md beside the index, both written atomically. Rows of features this run did not explain are kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from saescope.index.files import EXPLANATIONS_FILE, read_explanations
from saescope.utils.atomic import write_bytes_atomic, write_with_atomic
from saescope.utils.markdown import escape, table

REPORT_FILE = "explanations.md"
SCHEMA = pa.schema([
    ("feature", pa.int64()), ("label", pa.string()), ("backend", pa.string()), ("model", pa.string()),
    ("template_hash", pa.string()), ("detection", pa.float64()), ("fuzzing", pa.float64()),
    ("detection_examples", pa.int64()), ("fuzzing_examples", pa.int64()), ("explained_examples", pa.int64()),
    ("seconds", pa.float64()), ("created", pa.string()),
    ("detection_unparsed", pa.int64()), ("fuzzing_unparsed", pa.int64()),  # replies with no Yes or No in them
])


def merged_rows(folder: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`rows` with the index's earlier explanations of other features, by feature."""
    earlier = read_explanations(folder)
    mine = {r["feature"] for r in rows}
    kept = [r for r in (earlier.to_pylist() if earlier is not None else []) if r["feature"] not in mine]
    return sorted([*({c: r.get(c) for c in SCHEMA.names} for r in kept), *rows], key=lambda r: r["feature"])


def write_explanations(folder: Path, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Write both files (the markdown first: the parquet, last, is what says a run finished); returns all rows."""
    everything = merged_rows(folder, rows)
    write_bytes_atomic(folder / REPORT_FILE, render_report(everything).encode())
    write_with_atomic(folder / EXPLANATIONS_FILE,
                      lambda p: pq.write_table(pa.Table.from_pylist(everything, schema=SCHEMA), p))
    return everything


def _mean(rows: list[dict[str, Any]], key: str) -> str:
    values = [r[key] for r in rows if r[key] is not None]
    return f"{np.mean(values):.3f} over {len(values)}" if values else "-"


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def render_report(rows: list[dict[str, Any]]) -> str:
    lines = ["# Feature explanations", "",
             f"{len(rows)} features labelled. Mean detection {_mean(rows, 'detection')}; mean fuzzing "
             f"{_mean(rows, 'fuzzing')}.", "",
             "Scores are balanced accuracies of a scorer model's Yes/No answers on held-out windows (0.5 is chance): "
             "detection tells firing windows from non-firing ones by the label alone; fuzzing tells the real "
             "firing token from another token of the same window. A reply without Yes or No counts as wrong.", ""]
    body = [[str(r["feature"]), escape(r["label"], 80, keep="start"), _score(r["detection"]), _score(r["fuzzing"]),
             f"{r['detection_examples']}/{r['fuzzing_examples']}",
             f"{r['detection_unparsed'] or 0}/{r['fuzzing_unparsed'] or 0}", escape(f"{r['backend']}:{r['model']}"),
             r["template_hash"] or ""] for r in rows]
    header = ["feature", "label", "detection", "fuzzing", "scored (det/fuzz)", "unparsed", "backend", "templates"]
    return "\n".join([*lines, *table(header, body), ""])
