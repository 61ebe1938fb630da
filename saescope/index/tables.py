"""The index's parquet tables: feature_metrics (one row per feature) and feature_prompts (top examples).
(The deeper evidence per feature is in `evidence`, the decoder's in `decoder`.)

feature_metrics keeps the raw sums next to the derived figures, so that partial indexes merge from their tables
alone: counts and sums add, maxima take the max, and rate, mean and std are recomputed.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import torch

from saescope.data.templating import ROLE_NAMES
from saescope.index.accumulate import ROLE_COUNT, FeatureStats
from saescope.index.errors import ReverseIndexError
from saescope.utils.atomic import write_with_atomic

ROLE_COLUMNS = [f"fires_{ROLE_NAMES[code]}" for code in range(ROLE_COUNT)]  # fires_template, ..._assistant

PROMPTS_SCHEMA = pa.schema([
    ("feature", pa.int32()), ("rank", pa.int32()), ("activation", pa.float32()),
    ("conversation", pa.int64()), ("conversation_id", pa.string()), ("record", pa.int64()),
    ("position", pa.int32()), ("token_id", pa.int32()), ("token", pa.string()), ("role", pa.string()),
    ("special", pa.bool_()), ("turn", pa.int32()), ("context_before", pa.string()), ("context_after", pa.string()),
    ("context_before_ids", pa.list_(pa.int32())), ("context_after_ids", pa.list_(pa.int32())),
])


def metrics_table(stats: FeatureStats, records: int) -> pa.Table:
    """One row per feature, dead ones included; mean and std (over firing records) are null where it never fired."""
    s = stats.to("cpu")
    count = s.fire_count.numpy()
    fired = count > 0
    total = s.activation_sum.numpy()
    mean = np.divide(total, count, out=np.zeros_like(total), where=fired)
    var = np.divide(s.activation_sq_sum.numpy(), count, out=np.zeros_like(total), where=fired) - mean**2
    std = np.sqrt(np.maximum(var, 0.0))
    columns = {
        "feature": pa.array(np.arange(s.d_sae, dtype=np.int32)),
        "fire_count": pa.array(count),
        "fire_rate": pa.array(count / max(records, 1)),
        "conversations": pa.array(s.conversations.numpy()),
        "activation_sum": pa.array(total),
        "activation_sq_sum": pa.array(s.activation_sq_sum.numpy()),
        "mean_activation": pa.array(mean, mask=~fired),
        "std_activation": pa.array(std, mask=~fired),
        "max_activation": pa.array(s.max_activation.numpy()),
    }
    roles = s.role_counts.numpy()
    columns |= {name: pa.array(roles[:, code]) for code, name in enumerate(ROLE_COLUMNS)}
    sinks = s.sink_fires.numpy()
    columns |= {"sink_fires": pa.array(sinks), "ordinary_fires": pa.array(count - sinks),
                "ordinary_fire_rate": pa.array((count - sinks) / max(records, 1)),
                "ordinary_max_activation": pa.array(s.ordinary_max_activation.numpy())}
    return pa.table(columns)


def stats_from_table(table: pa.Table, source: Path, histogram: torch.Tensor) -> FeatureStats:
    """The mergeable sums back from a feature_metrics table and the histogram counts; names `source` when a
    column is missing."""
    needed = ["feature", "fire_count", "conversations", "activation_sum", "activation_sq_sum", "max_activation",
              *ROLE_COLUMNS, "sink_fires", "ordinary_max_activation"]
    missing = [c for c in needed if c not in table.column_names]
    if missing:
        raise ReverseIndexError(f"{source}: lacks columns {missing}; not a saescope reverse index")
    if not np.array_equal(table["feature"].to_numpy(), np.arange(table.num_rows)):
        raise ReverseIndexError(f"{source}: rows are not features 0..{table.num_rows - 1} in order")

    def col(name: str, dtype: torch.dtype) -> torch.Tensor:
        return torch.from_numpy(table[name].to_numpy().copy()).to(dtype)

    roles = torch.stack([col(name, torch.int64) for name in ROLE_COLUMNS], dim=1)
    return FeatureStats(col("fire_count", torch.int64), col("conversations", torch.int64),
                        col("activation_sum", torch.float64), col("activation_sq_sum", torch.float64),
                        col("max_activation", torch.float32), roles, col("sink_fires", torch.int64),
                        col("ordinary_max_activation", torch.float32), histogram)


def write_table(path: Path, table: pa.Table) -> None:
    write_with_atomic(path, lambda tmp: pq.write_table(table, tmp, compression="zstd"))


def template_features(prompts: pa.Table, features: np.ndarray) -> list[int]:
    """Those of `features` that are template-token features: at least half of their top examples are template
    or special tokens (the `special` column; an index without it has none)."""
    if "special" not in prompts.column_names or len(features) == 0:
        return []
    rows = prompts.filter(pc.is_in(prompts["feature"], pa.array(np.asarray(features, np.int32))))
    feature = rows["feature"].to_numpy()
    special = rows["special"].to_numpy(zero_copy_only=False).astype(np.int64)
    shown = np.bincount(feature, minlength=int(max(features)) + 1)
    template = np.bincount(feature, weights=special, minlength=int(max(features)) + 1)
    return [int(f) for f in features if shown[f] and 2 * template[f] >= shown[f]]


def best_examples(prompts: pa.Table) -> pa.Table:
    """Each feature's best example (its rank-0 prompt row), in feature order."""
    return prompts.filter(pc.equal(prompts["rank"], 0))
