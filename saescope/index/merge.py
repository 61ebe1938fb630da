"""Merge partial indexes built over disjoint shard sets (torchrun ranks, or separate jobs) into one index equal to
an index built in one go: counts, sums and histograms add, maxima take the max, the top examples are re-chosen by
the same total order from the union of the parts' examples (a part's examples are a superset of its share of the
top), and the interval samples by the same record hash after bringing the parts to one range."""

from __future__ import annotations

from collections.abc import Sequence
from functools import reduce
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import torch

from saescope import __version__
from saescope.index.accumulate import select_top_index
from saescope.index.decoder import LOGITS_FILE, NEIGHBOURS_FILE
from saescope.index.errors import ReverseIndexError
from saescope.index.evidence import (
    HISTOGRAMS_FILE,
    INTERVALS_FILE,
    SAMPLES_FILE,
    TOP_FILE,
    histogram_from_table,
    histogram_table,
    intervals_from_tables,
    intervals_table,
    merged_samples_table,
)
from saescope.index.files import METRICS_FILE, PROMPTS_FILE, read_summary, read_table
from saescope.index.folder import write_index
from saescope.index.tables import metrics_table, stats_from_table
from saescope.utils.timestamps import utc_now

# Settings that change what an index holds (batch_size does not: batches never cross shards).
MUST_MATCH = ("sae_weights_sha256", "activations_manifest_sha256", "hookpoint", "d_sae", "context_tokens",
              "top_examples", "deep_examples", "interval_samples", "sample_seed", "outlier_norm", "keep_sinks",
              "neighbours", "logit_lens", "decode_tokens")
SUMS = ("conversations_indexed", "activation_records_indexed", "sink_records")


def check_parts(parts: Sequence[Path], summaries: list[dict[str, Any]]) -> None:
    """Refuse parts of another SAE, dataset or settings, or sharing shards; the message names the part."""
    reference, ref_path = summaries[0], parts[0]
    for path, summary in zip(parts[1:], summaries[1:], strict=True):
        for key in MUST_MATCH:
            if summary.get(key) != reference.get(key):
                raise ReverseIndexError(f"{path}: built with {key} {summary.get(key)!r}, but {ref_path} with "
                                        f"{reference.get(key)!r}; only parts of one SAE, dataset and settings merge")
    owner: dict[int, Path] = {}
    for path, summary in zip(parts, summaries, strict=True):
        for shard in summary.get("shards", []):
            if shard in owner:
                raise ReverseIndexError(f"{path}: shard {shard} is also in {owner[shard]}; parts must cover disjoint "
                                        "shards")
            owner[shard] = path


def merge_prompts(prompts: list[pa.Table], top: int) -> pa.Table:
    table = pa.concat_tables(prompts)

    def col(name: str) -> torch.Tensor:
        return torch.from_numpy(table[name].to_numpy().astype(np.float32 if name == "activation" else np.int64))

    index = select_top_index(col("feature"), col("activation"), col("record"), col("conversation"), top)
    chosen = table.take(pa.array(index.numpy()))
    features = chosen["feature"].to_numpy()
    starts = np.flatnonzero(np.r_[True, features[1:] != features[:-1]]) if len(features) else np.zeros(0, int)
    rank = np.arange(len(features)) - np.repeat(starts, np.diff(np.r_[starts, len(features)]))
    return chosen.set_column(chosen.schema.get_field_index("rank"), "rank", pa.array(rank.astype(np.int32)))


def merge_tables(parts: list[Path], summary: dict[str, Any]) -> dict[str, pa.Table]:
    """The merged index's tables from the parts' (the decoder's tables are the same in every part)."""
    d_sae, per_interval, seed = int(summary["d_sae"]), int(summary["interval_samples"]), int(summary["sample_seed"])
    stats = reduce(lambda a, b: a.merge(b), (stats_from_table(
        read_table(p / METRICS_FILE), p / METRICS_FILE, histogram_from_table(read_table(p / HISTOGRAMS_FILE), d_sae))
        for p in parts))
    top = merge_prompts([read_table(p / TOP_FILE) for p in parts], int(summary["deep_examples"]))
    samples = [read_table(p / SAMPLES_FILE) for p in parts]
    intervals = reduce(lambda a, b: a.merge(b), (intervals_from_tables(
        read_table(p / INTERVALS_FILE), table, d_sae, per_interval, seed) for p, table in zip(parts, samples,
                                                                                            strict=True)))
    tables = {METRICS_FILE: metrics_table(stats, summary["activation_records_indexed"]),
              PROMPTS_FILE: top.filter(pc.less(top["rank"], int(summary["top_examples"]))), TOP_FILE: top,
              HISTOGRAMS_FILE: histogram_table(stats.histogram), INTERVALS_FILE: intervals_table(intervals),
              SAMPLES_FILE: merged_samples_table(intervals, samples)}
    for name in (NEIGHBOURS_FILE, LOGITS_FILE):
        if (parts[0] / name).is_file():
            tables[name] = read_table(parts[0] / name)
    return tables


def merge_indexes(parts: Sequence[str | Path], out: str | Path) -> Path:
    """Merge complete index folders into `out` (which may be one of their parents, as under torchrun)."""
    parts = [Path(p) for p in parts]
    if not parts:
        raise ReverseIndexError("nothing to merge: no index parts given")
    summaries = [read_summary(p) for p in parts]
    check_parts(parts, summaries)
    reference = summaries[0]
    batch_sizes = sorted({s.get("batch_size") for s in summaries})
    summary = dict(reference) | {k: sum(int(s.get(k, 0)) for s in summaries) for k in SUMS}
    tables = merge_tables(parts, summary)
    fired = tables[METRICS_FILE]["fire_count"].to_numpy() > 0
    summary |= {
        "batch_size": batch_sizes[0] if len(batch_sizes) == 1 else batch_sizes,
        "active_features": int(fired.sum()),
        "prompt_rows": tables[PROMPTS_FILE].num_rows,
        "shards": sorted(shard for s in summaries for shard in s["shards"]),
        "merged_from": [str(p) for p in parts],
        "saescope_version": __version__,
        "created": utc_now(),
    }
    return write_index(Path(out), tables, summary)
