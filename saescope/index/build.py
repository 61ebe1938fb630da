"""One index part: encode the records of some shards and feed their sparse codes to the accumulators, saving
progress every few shards, then write the part's tables (`build_part`). `run` decides what the parts are.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import torch
from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from saescope import __version__
from saescope.harvest.dataset import ActivationDataset
from saescope.harvest.format import acts_key
from saescope.index.accumulate import ExampleRules, FeatureStats, ShardAccumulator, TopExamples
from saescope.index.distributions import IntervalSamples
from saescope.index.errors import ReverseIndexError
from saescope.index.evidence import (
    HISTOGRAMS_FILE,
    INTERVALS_FILE,
    SAMPLES_FILE,
    TOP_FILE,
    histogram_table,
    intervals_table,
    samples_table,
)
from saescope.index.examples import prompt_table, record_starts
from saescope.index.files import METRICS_FILE, PROMPTS_FILE, SUMMARY_FILE, read_summary
from saescope.index.folder import write_index
from saescope.index.state import STATE_FILE, IndexState, load_state, save_state
from saescope.index.tables import metrics_table
from saescope.sae.model import TopKSae
from saescope.utils.atomic import remove_stale_temporaries
from saescope.utils.settings import refuse_other_settings
from saescope.utils.timestamps import utc_now

PRE_ELEMENTS = 1 << 28  # encode in row chunks whose dense pre-activations stay under 1 GiB of fp32


@dataclass
class PartInputs:
    """What every part of one index shares."""

    sae: TopKSae
    dataset: ActivationDataset
    label: str  # the dataset's label of the SAE's hookpoint
    settings: dict[str, Any]  # what a resumed build must share (with this part's shards)
    summary_head: dict[str, Any]
    tokenizer: PreTrainedTokenizerBase | None
    decoder_tables: dict[str, pa.Table]  # neighbours and logit lens: the same for every part
    device: torch.device


@torch.no_grad()
def encode_sparse(sae: TopKSae, x: torch.Tensor, pre_buffer: torch.Tensor | None = None
                  ) -> tuple[torch.Tensor, torch.Tensor]:
    """(indices, values) [n, k] of raw activations, encoded in row chunks (pre-activations are [rows, d_sae]);
    `pre_buffer` ([rows, d_sae], from `pre_activation_buffer`) is reused for every chunk."""
    rows = max(1, PRE_ELEMENTS // sae.d_sae)
    codes = []
    for start in range(0, len(x), rows):
        chunk = sae.normalize(x[start : start + rows])
        out = None if pre_buffer is None else pre_buffer[: len(chunk)]
        codes.append(sae.topk(sae.encode_pre(chunk, out=out)))
    return torch.cat([c.indices for c in codes]), torch.cat([c.values for c in codes])


def pre_activation_buffer(sae: TopKSae, batch_size: int, device: torch.device) -> torch.Tensor | None:
    """A pre-activation buffer for `encode_sparse` on CPU, where a fresh 1 GiB tensor per batch pays its page
    faults again (a third of the encoding time at d_in 256); CUDA's caching allocator already reuses blocks."""
    if device.type != "cpu":
        return None
    return torch.empty(min(batch_size, max(1, PRE_ELEMENTS // sae.d_sae)), sae.d_sae, dtype=sae.W_enc.dtype)


def shard_batches(dataset: ActivationDataset, shard_i: int, label: str, batch_size: int
                  ) -> Iterator[tuple[int, torch.Tensor]]:
    """(first row, activations) of a shard's batches; the next batch is read while this one is encoded."""
    shard, rows = dataset.shard(shard_i), dataset.shard_entries[shard_i]["rows"]
    starts = list(range(0, rows, batch_size))
    with ThreadPoolExecutor(max_workers=1) as reader:
        ahead = reader.submit(shard.get, acts_key(label), 0, min(rows, batch_size)) if starts else None
        for i, start in enumerate(starts):
            acts = ahead.result()
            if i + 1 < len(starts):
                nxt = starts[i + 1]
                ahead = reader.submit(shard.get, acts_key(label), nxt, min(rows, nxt + batch_size))
            yield start, acts


def outlier_norm(dataset: ActivationDataset, label: str, batch_size: int, factor: float) -> float:
    """`factor` x the median record norm of the dataset's first batch (shard 0): eval's fve_ordinary rule, the
    same for every part of an index whatever shards it covers."""
    first = dataset.shard(0).get(acts_key(label), 0, min(batch_size, dataset.shard_entries[0]["rows"]))
    return factor * float(first.float().norm(dim=1).median())


def index_shard(acc: ShardAccumulator, p: PartInputs, shard_i: int, first_record: int, progress: tqdm) -> None:
    shard = p.dataset.shard(shard_i)
    acc.start_shard(shard.get("record.conversation"), shard.get("record.role"), first_record)
    batch_size, sink_norm = p.settings["batch_size"], p.settings["outlier_norm"]
    pre_buffer = pre_activation_buffer(p.sae, batch_size, p.device)
    for start, acts in shard_batches(p.dataset, shard_i, p.label, batch_size):
        x = acts.to(p.device, non_blocking=True).float()
        indices, values = encode_sparse(p.sae, x, pre_buffer)
        acc.add(start, indices, values, x.norm(dim=1) > sink_norm)
        progress.update(len(acts))
    acc.flush()  # before the shard counts as done (and its progress is saved)


def _start_or_resume(folder: Path, p: PartInputs) -> IndexState:
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    state = load_state(folder)
    if state is not None:
        refuse_other_settings(state.settings, p.settings, f"{folder / STATE_FILE}: progress of an index",
                              "use another index.out, or delete the folder to start over", ReverseIndexError)
        return state
    d_sae = p.sae.d_sae
    return IndexState(FeatureStats.zeros(d_sae), TopExamples.empty(),
                      IntervalSamples.empty(d_sae, p.settings["interval_samples"]), p.settings, [])


def build_part(folder: Path, p: PartInputs, shards: list[int], save_every: int, show_progress: bool = True) -> Path:
    """Index `shards` into `folder`, resuming from its progress file; returns the folder once complete."""
    if (folder / SUMMARY_FILE).is_file():
        refuse_other_settings(read_summary(folder), p.settings, f"{folder} holds an index built",
                              "use another index.out, or delete it to rebuild", ReverseIndexError)
        if show_progress:
            print(f"{folder}: index already complete ({folder / SUMMARY_FILE})")
        return folder
    state = _start_or_resume(folder, p)
    rules = ExampleRules(max(p.settings["top_examples"], p.settings["deep_examples"]),
                         p.settings["interval_samples"], p.settings["keep_sinks"], p.settings["sample_seed"])
    acc = ShardAccumulator(state.stats.to(p.device), state.top.to(p.device), state.intervals.to(p.device), rules)
    acc.sink_records += state.sink_records
    starts, entries = record_starts(p.dataset), p.dataset.shard_entries
    done = list(state.shards_done)
    progress = tqdm(total=sum(entries[s]["rows"] for s in shards), initial=sum(entries[s]["rows"] for s in done),
                    unit="rec", unit_scale=True, desc=f"index {p.label}", disable=not show_progress, mininterval=1.0)
    unsaved = 0
    for shard_i in [s for s in shards if s not in done]:
        index_shard(acc, p, shard_i, int(starts[shard_i]), progress)
        done.append(shard_i)
        unsaved += 1
        progress.set_postfix(shards=f"{len(done)}/{len(shards)}")
        if unsaved >= save_every or len(done) == len(shards):
            save_state(folder, IndexState(acc.stats, acc.top, acc.intervals, p.settings, done,
                                          int(acc.sink_records)))
            unsaved = 0
    progress.close()
    tables = part_tables(acc, p)
    write_index(folder, tables, _part_summary(acc, p, shards, tables))
    (folder / STATE_FILE).unlink(missing_ok=True)
    return folder


def part_tables(acc: ShardAccumulator, p: PartInputs) -> dict[str, pa.Table]:
    """Every table of a finished part, by file name."""
    records = sum(p.dataset.shard_entries[s]["rows"] for s in p.settings["shards"])
    context = p.settings["context_tokens"]
    top = prompt_table(acc.top, p.dataset, context, p.tokenizer)
    prompts = top.filter(pc.less(top["rank"], p.settings["top_examples"]))
    return {METRICS_FILE: metrics_table(acc.stats, records), PROMPTS_FILE: prompts, TOP_FILE: top,
            HISTOGRAMS_FILE: histogram_table(acc.stats.histogram), INTERVALS_FILE: intervals_table(acc.intervals),
            SAMPLES_FILE: samples_table(acc.intervals, p.dataset, context, p.tokenizer), **p.decoder_tables}


def _part_summary(acc: ShardAccumulator, p: PartInputs, shards: list[int], tables: dict[str, pa.Table]
                  ) -> dict[str, Any]:
    entries = p.dataset.shard_entries
    return p.summary_head | {
        "conversations_indexed": sum(entries[s]["conversations"] for s in shards),
        "activation_records_indexed": sum(entries[s]["rows"] for s in shards),
        "sink_records": int(acc.sink_records),
        "active_features": int((acc.stats.fire_count > 0).sum()),
        "prompt_rows": tables[PROMPTS_FILE].num_rows,
        "shards": shards,
        "saescope_version": __version__,
        "created": utc_now(),
    }
