"""`saescope index`: the reverse feature index of an SAE over an activation dataset.

Every record of the chosen shards is encoded (in batches that never cross a shard) and its sparse code feeds the
per-feature statistics and the top examples (`accumulate`); progress is saved every `save_every_shards` shards, so
a killed build resumes with the same command and ends with the index an uninterrupted one writes. Under torchrun,
rank r indexes the shards i % world == r into <out>/parts/rank-NNN/ and rank 0 merges the parts into <out>.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import torch
from tqdm import tqdm
from transformers import PreTrainedTokenizerBase

from saescope import __version__
from saescope.config.hookpoints import hookpoint_label
from saescope.config.schema import ModelConfig, SaescopeConfig
from saescope.data.templating import tokenizer_fingerprint
from saescope.harvest.dataset import ActivationDataset
from saescope.harvest.format import MANIFEST, acts_key
from saescope.index.accumulate import FeatureStats, ShardAccumulator, TopExamples
from saescope.index.errors import ReverseIndexError
from saescope.index.examples import prompt_table, record_starts
from saescope.index.folder import SUMMARY_FILE, read_summary, write_index
from saescope.index.merge import merge_indexes
from saescope.index.state import STATE_FILE, IndexState, load_state, save_state
from saescope.index.tables import metrics_table
from saescope.lm.loading import ModelLoadError, load_tokenizer
from saescope.release.select import load_sae_or_run, recorded_hookpoint
from saescope.sae.model import TopKSae
from saescope.utils import dist
from saescope.utils.atomic import remove_stale_temporaries, sha256_file
from saescope.utils.devices import resolve_device
from saescope.utils.settings import refuse_other_settings
from saescope.utils.timestamps import utc_now

PARTS_DIR = "parts"
# What a resumed or re-run build must share with the recorded one (batch_size too: it fixes the float sums' order).
SETTINGS = ("sae_weights_sha256", "activations_manifest_sha256", "hookpoint", "d_sae", "batch_size", "context_tokens",
            "top_examples", "decode_tokens")
PRE_ELEMENTS = 1 << 28  # encode in row chunks whose dense pre-activations stay under 1 GiB of fp32


def sae_hookpoint(source: Path, metadata: dict[str, Any], dataset: ActivationDataset, sae: TopKSae) -> str:
    """The dataset hookpoint the SAE reads; refuses a width or hookpoint the dataset does not have."""
    if sae.d_in != dataset.d_model:
        raise ReverseIndexError(f"SAE {source} has d_in {sae.d_in}, but the activation dataset {dataset.root} has "
                                f"d_model {dataset.d_model}: they come from different models")
    hookpoint = recorded_hookpoint(source, metadata, dataset.hookpoints)
    if hookpoint not in dataset.hookpoints:
        raise ReverseIndexError(f"SAE {source} reads hookpoint {hookpoint}, but the activation dataset "
                                f"{dataset.root} holds {dataset.hookpoints}")
    return hookpoint


def select_shards(dataset: ActivationDataset, wanted: list[int] | None) -> list[int]:
    if wanted is None:
        return list(range(dataset.num_shards))
    bad = [s for s in wanted if not 0 <= s < dataset.num_shards]
    if bad or not wanted or len(set(wanted)) != len(wanted):
        raise ReverseIndexError(f"index.shards {wanted}: give one or more distinct shard numbers in "
                                f"0..{dataset.num_shards - 1} ({dataset.root} has {dataset.num_shards})")
    return sorted(wanted)


def dataset_tokenizer(model: ModelConfig, dataset: ActivationDataset) -> PreTrainedTokenizerBase:
    """model.name's tokenizer, refused unless it is the one the dataset was tokenized with."""
    hint = "set model.name to the harvest's model, or pass --index.no-decode-tokens to store token ids only"
    try:
        tokenizer = load_tokenizer(model)
    except ModelLoadError as e:
        raise ReverseIndexError(f"cannot load the tokenizer to decode examples ({e}); {hint}") from e
    expected = dataset.manifest.get("tokenizer", {}).get("tokenizer_sha256")
    actual = tokenizer_fingerprint(tokenizer)["tokenizer_sha256"]
    if expected is not None and actual != expected:
        raise ReverseIndexError(f"the tokenizer of model.name {model.name} (sha256 {actual}) is not the one "
                                f"{dataset.root} was harvested with (sha256 {expected}); {hint}")
    return tokenizer


@torch.no_grad()
def encode_sparse(sae: TopKSae, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(indices, values) [n, k] of raw activations, encoded in row chunks (pre-activations are [rows, d_sae])."""
    rows = max(1, PRE_ELEMENTS // sae.d_sae)
    codes = [sae.encode(x[start : start + rows]) for start in range(0, len(x), rows)]
    return torch.cat([c.indices for c in codes]), torch.cat([c.values for c in codes])


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


def index_shard(acc: ShardAccumulator, sae: TopKSae, dataset: ActivationDataset, shard_i: int, label: str,
                batch_size: int, first_record: int, progress: tqdm) -> None:
    shard = dataset.shard(shard_i)
    acc.start_shard(shard.get("record.conversation"), shard.get("record.role"), first_record)
    device = acc.device
    for start, acts in shard_batches(dataset, shard_i, label, batch_size):
        indices, values = encode_sparse(sae, acts.to(device, non_blocking=True).float())
        acc.add(start, indices, values)
        progress.update(len(acts))


def build_part(folder: Path, sae: TopKSae, dataset: ActivationDataset, label: str, shards: list[int],
               settings: dict[str, Any], summary_head: dict[str, Any], tokenizer: PreTrainedTokenizerBase | None,
               save_every: int, device: torch.device, show_progress: bool = True) -> Path:
    """Index `shards` into `folder`, resuming from its progress file; returns the folder once complete."""
    if (folder / SUMMARY_FILE).is_file():
        refuse_other_settings(read_summary(folder), settings, f"{folder} holds an index built",
                              "use another index.out, or delete it to rebuild", ReverseIndexError)
        if show_progress:
            print(f"{folder}: index already complete ({folder / SUMMARY_FILE})")
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(folder)
    state = load_state(folder)
    if state is not None:
        refuse_other_settings(state.settings, settings, f"{folder / STATE_FILE}: progress of an index",
                              "use another index.out, or delete the folder to start over", ReverseIndexError)
    if state is None:
        state = IndexState(FeatureStats.zeros(sae.d_sae), TopExamples.empty(), settings, [])
    acc = ShardAccumulator(state.stats.to(device), state.top.to(device), settings["top_examples"])
    starts = record_starts(dataset)
    done = list(state.shards_done)
    records = sum(dataset.shard_entries[s]["rows"] for s in shards)
    progress = tqdm(total=records, initial=sum(dataset.shard_entries[s]["rows"] for s in done), unit="rec",
                    unit_scale=True, desc=f"index {label}", disable=not show_progress, mininterval=1.0)
    unsaved = 0
    for shard_i in [s for s in shards if s not in done]:
        index_shard(acc, sae, dataset, shard_i, label, settings["batch_size"], int(starts[shard_i]), progress)
        done.append(shard_i)
        unsaved += 1
        progress.set_postfix(shards=f"{len(done)}/{len(shards)}")
        if unsaved >= save_every or len(done) == len(shards):
            save_state(folder, IndexState(acc.stats, acc.top, settings, done))
            unsaved = 0
    progress.close()
    prompts = prompt_table(acc.top, dataset, settings["context_tokens"], tokenizer)
    summary = summary_head | {
        "conversations_indexed": sum(dataset.shard_entries[s]["conversations"] for s in shards),
        "activation_records_indexed": records,
        "active_features": int((acc.stats.fire_count > 0).sum()),
        "prompt_rows": prompts.num_rows,
        "shards": shards,
        "saescope_version": __version__,
        "created": utc_now(),
    }
    write_index(folder, metrics_table(acc.stats, records), prompts, summary)
    (folder / STATE_FILE).unlink(missing_ok=True)
    return folder


def build_index(cfg: SaescopeConfig, sae_path: str | Path) -> Path:
    """Build the reverse index `cfg.index` describes for the SAE at `sae_path` (a release, checkpoint or training
    run); returns the index folder. Resumes a killed build; under torchrun the ranks split the shards."""
    icfg = cfg.index
    out = Path(icfg.out)
    device = resolve_device(icfg.device)
    info = dist.init_distributed(device)
    try:
        dataset = ActivationDataset.open(icfg.activations or cfg.train.activations)
        source, sae, metadata = load_sae_or_run(Path(sae_path))
        hookpoint = sae_hookpoint(source, metadata, dataset, sae)
        label = dataset.label_of(hookpoint)
        shards = select_shards(dataset, icfg.shards)
        tokenizer = dataset_tokenizer(cfg.model, dataset) if icfg.decode_tokens else None
        manifest_sha256 = sha256_file(dataset.root / MANIFEST)
        head = {"sae": str(source), "sae_weights_sha256": sae.weights_sha256(), "hookpoint": hookpoint,
                "layer_label": hookpoint_label(hookpoint), "d_sae": sae.d_sae, "k": sae.k,
                "activations": str(dataset.root), "activations_manifest_sha256": manifest_sha256,
                "raw_dataset": dataset.manifest.get("source", {}).get("dataset"),
                "tokenizer_sha256": dataset.manifest.get("tokenizer", {}).get("tokenizer_sha256"),
                "batch_size": icfg.batch_size, "context_tokens": icfg.context_tokens,
                "top_examples": icfg.top_examples, "decode_tokens": icfg.decode_tokens}
        settings = {key: head[key] for key in SETTINGS} | {"shards": shards}
        sae = sae.to(device)
        if info.world_size == 1:
            build_part(out, sae, dataset, label, shards, settings, head, tokenizer, icfg.save_every_shards, device)
            print(f"{out}: {summary_line(read_summary(out))}")
            return out
        return _build_distributed(out, sae, dataset, label, shards, settings, head, tokenizer, icfg.save_every_shards,
                                  device, info)
    finally:
        dist.destroy()


def _build_distributed(out: Path, sae: TopKSae, dataset: ActivationDataset, label: str, shards: list[int],
                       settings: dict[str, Any], head: dict[str, Any], tokenizer: PreTrainedTokenizerBase | None,
                       save_every: int, device: torch.device, info: dist.DistInfo) -> Path:
    def part(rank: int) -> Path:
        return out / PARTS_DIR / f"rank-{rank:03d}"

    owned = {rank: shards[rank :: info.world_size] for rank in range(info.world_size)}
    mine = owned[info.rank]
    if mine:
        build_part(part(info.rank), sae, dataset, label, mine, settings | {"shards": mine}, head, tokenizer,
                   save_every, device, show_progress=info.is_main)
    dist.barrier()
    if info.is_main:
        merge_indexes([part(rank) for rank in range(info.world_size) if owned[rank]], out)
        print(f"{out}: {summary_line(read_summary(out))} (merged from {sum(bool(s) for s in owned.values())} ranks)")
    dist.barrier()
    return out


def summary_line(summary: dict[str, Any]) -> str:
    return (f"{summary['conversations_indexed']:,} conversations, {summary['activation_records_indexed']:,} records, "
            f"{summary['active_features']:,} active features, {summary['prompt_rows']:,} prompt rows")
