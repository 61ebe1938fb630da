"""The index's tables of deeper evidence per feature, and how a merge reads them back:

- feature_top.parquet: the deeper top list (feature_prompts' schema; feature_prompts is its first ranks);
- feature_histograms.parquet: the non-empty bins of each feature's fixed-edge activation histogram;
- feature_intervals.parquet: each feature's non-empty activation intervals with their share of its firing records;
- feature_samples.parquet: the examples sampled within those intervals (feature_prompts' schema plus `interval`;
  `rank` is the order within the interval).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import torch
from transformers import PreTrainedTokenizerBase

from saescope.harvest.dataset import ActivationDataset
from saescope.index.accumulate import TopExamples
from saescope.index.distributions import (
    EMPTY_HASH,
    HISTOGRAM_BINS,
    HISTOGRAM_EDGES,
    INTERVALS,
    IntervalSamples,
    ceil_exponent,
    record_hash,
)
from saescope.index.examples import prompt_table

TOP_FILE = "feature_top.parquet"
HISTOGRAMS_FILE = "feature_histograms.parquet"
INTERVALS_FILE = "feature_intervals.parquet"
SAMPLES_FILE = "feature_samples.parquet"
_LOW_EDGES = np.asarray([0.0, *HISTOGRAM_EDGES], dtype=np.float64)
_HIGH_EDGES = np.asarray([*HISTOGRAM_EDGES, np.inf], dtype=np.float64)


def histogram_table(histogram: torch.Tensor) -> pa.Table:
    """feature, bin, low, high, count for every non-empty bin, in (feature, bin) order."""
    counts = histogram.cpu().numpy()
    feature, bin_ = np.nonzero(counts)
    return pa.table({"feature": pa.array(feature.astype(np.int32)), "bin": pa.array(bin_.astype(np.int16)),
                     "low": pa.array(_LOW_EDGES[bin_].astype(np.float32)),
                     "high": pa.array(_HIGH_EDGES[bin_].astype(np.float32)),
                     "count": pa.array(counts[feature, bin_].astype(np.int64))})


def histogram_from_table(table: pa.Table, d_sae: int) -> torch.Tensor:
    histogram = np.zeros((d_sae, HISTOGRAM_BINS), dtype=np.int64)
    histogram[table["feature"].to_numpy(), table["bin"].to_numpy()] = table["count"].to_numpy()
    return torch.from_numpy(histogram)


def intervals_table(samples: IntervalSamples) -> pa.Table:
    """feature, interval, low, high, count, share (of the feature's firing records), range_max (M) for every
    non-empty interval, in (feature, interval) order."""
    counts = samples.counts.cpu().numpy()
    feature, interval = np.nonzero(counts)
    m = np.ldexp(1.0, samples.exponent.cpu().numpy()[feature])
    share = counts[feature, interval] / counts.sum(axis=1)[feature]
    return pa.table({"feature": pa.array(feature.astype(np.int32)), "interval": pa.array(interval.astype(np.int8)),
                     "low": pa.array((m * interval / INTERVALS).astype(np.float32)),
                     "high": pa.array((m * (interval + 1) / INTERVALS).astype(np.float32)),
                     "count": pa.array(counts[feature, interval].astype(np.int64)),
                     "share": pa.array(share.astype(np.float32)), "range_max": pa.array(m.astype(np.float32))})


def sampled_examples(samples: IntervalSamples) -> tuple[TopExamples, torch.Tensor]:
    """The kept samples as examples in (feature, interval, rank) order, and their intervals."""
    kept = (samples.hash != EMPTY_HASH).cpu()
    feature, interval, rank = torch.nonzero(kept, as_tuple=True)
    at = (feature, interval, rank)
    examples = TopExamples(feature, samples.value.cpu()[at], samples.record.cpu()[at],
                           samples.conversation.cpu()[at], rank)
    return examples, interval


def samples_table(samples: IntervalSamples, dataset: ActivationDataset, context_tokens: int,
                  tokenizer: PreTrainedTokenizerBase | None) -> pa.Table:
    examples, interval = sampled_examples(samples)
    table = prompt_table(examples, dataset, context_tokens, tokenizer)
    return table.append_column("interval", pa.array(interval.numpy().astype(np.int8)))


def _column(table: pa.Table, name: str, dtype: np.dtype | type = np.int64) -> torch.Tensor:
    return torch.from_numpy(table[name].to_numpy().astype(dtype))  # astype copies: a writable array


def intervals_from_tables(intervals: pa.Table, samples: pa.Table, d_sae: int, per_interval: int, seed: int
                          ) -> IntervalSamples:
    """An index part's interval accumulator back from its two tables (the hashes are recomputed from the seed)."""
    result = IntervalSamples.empty(d_sae, per_interval)
    feature = _column(intervals, "feature")
    result.counts[feature, _column(intervals, "interval")] = _column(intervals, "count")
    result.exponent[feature] = ceil_exponent(_column(intervals, "range_max", np.float32))
    if samples.num_rows and per_interval:
        f = _column(samples, "feature")
        at = (f, _column(samples, "interval"), _column(samples, "rank"))
        record = _column(samples, "record")
        result.hash[at] = record_hash(record, f, seed)
        result.value[at] = _column(samples, "activation", np.float32)
        result.record[at] = record
        result.conversation[at] = _column(samples, "conversation")
    return result


def merged_samples_table(merged: IntervalSamples, parts: list[pa.Table]) -> pa.Table:
    """The rows of the parts' sample tables that the merged accumulator keeps, re-cut and re-ranked."""
    table = pa.concat_tables(parts)
    examples, interval = sampled_examples(merged)
    if len(examples) == 0:
        return table.slice(0, 0)
    key = (table["feature"].to_numpy().astype(np.int64) << 40) | table["record"].to_numpy()
    wanted = (examples.feature.numpy() << 40) | examples.record.numpy()
    sorter = np.argsort(key, kind="stable")
    rows = sorter[np.searchsorted(key, wanted, sorter=sorter)]
    chosen = table.take(pa.array(rows))
    chosen = chosen.set_column(chosen.schema.get_field_index("rank"), "rank",
                               pa.array(examples.rank.numpy().astype(np.int32)))
    return chosen.set_column(chosen.schema.get_field_index("interval"), "interval",
                             pa.array(interval.numpy().astype(np.int8)))
