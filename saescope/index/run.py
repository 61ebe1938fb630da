"""`saescope index`: the reverse feature index of an SAE over an activation dataset.

Every record of the chosen shards is encoded (in batches that never cross a shard) and its sparse code feeds the
per-feature statistics, the top examples, the histogram and the interval samples (`build`, `accumulate`,
`distributions`); progress is saved every `save_every_shards` shards, so a killed build resumes with the same
command and ends with the index an uninterrupted one writes. Under torchrun, rank r indexes the shards
i % world == r into <out>/parts/rank-NNN/ and rank 0 merges the parts into <out>.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pyarrow as pa
import torch
from transformers import PreTrainedTokenizerBase

from saescope.config.hookpoints import hookpoint_label
from saescope.config.schema import ModelConfig, SaescopeConfig
from saescope.data.templating import tokenizer_fingerprint
from saescope.harvest.dataset import ActivationDataset
from saescope.harvest.format import MANIFEST
from saescope.index.build import PartInputs, build_part, outlier_norm
from saescope.index.errors import ReverseIndexError
from saescope.index.files import read_summary
from saescope.index.merge import merge_indexes
from saescope.lm.loading import ModelLoadError, load_model, load_tokenizer
from saescope.release.select import load_sae_or_run, recorded_hookpoint
from saescope.sae.model import TopKSae
from saescope.utils import dist
from saescope.utils.atomic import sha256_file
from saescope.utils.devices import resolve_device

PARTS_DIR = "parts"
# What a resumed or re-run build must share with the recorded one (batch_size too: it fixes the float sums' order).
SETTINGS = ("sae_weights_sha256", "activations_manifest_sha256", "hookpoint", "d_sae", "batch_size", "context_tokens",
            "top_examples", "deep_examples", "interval_samples", "sample_seed", "outlier_factor", "outlier_norm",
            "keep_sinks", "neighbours", "logit_lens", "decode_tokens")


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


def decoder_side(cfg: SaescopeConfig, sae: TopKSae, tokenizer: PreTrainedTokenizerBase | None,
                 device: torch.device) -> dict[str, pa.Table]:
    """The neighbour and logit-lens tables (the logit lens loads model.name for its final norm and unembedding)."""
    from saescope.index.decoder import decoder_tables

    icfg, model = cfg.index, None
    if icfg.logit_lens:
        try:
            model = load_model(cfg.model.model_copy(update={"device": str(device)})).model
        except ModelLoadError as e:
            raise ReverseIndexError(f"index.logit_lens needs the model ({e}); or pass --index.logit-lens 0") from e
    return decoder_tables(sae, model, tokenizer, icfg.neighbours, icfg.logit_lens, device)


def index_head(cfg: SaescopeConfig, source: Path, sae: TopKSae, dataset: ActivationDataset, hookpoint: str
               ) -> dict[str, Any]:
    """What the summary records of the build before its counts; SETTINGS are taken from it."""
    icfg, label = cfg.index, dataset.label_of(hookpoint)
    return {"sae": str(source), "sae_weights_sha256": sae.weights_sha256(), "hookpoint": hookpoint,
            "layer_label": hookpoint_label(hookpoint), "d_sae": sae.d_sae, "k": sae.k,
            "activations": str(dataset.root), "activations_manifest_sha256": sha256_file(dataset.root / MANIFEST),
            "raw_dataset": dataset.manifest.get("source", {}).get("dataset"),
            "tokenizer_sha256": dataset.manifest.get("tokenizer", {}).get("tokenizer_sha256"),
            "batch_size": icfg.batch_size, "context_tokens": icfg.context_tokens,
            "top_examples": icfg.top_examples, "deep_examples": max(icfg.deep_examples, icfg.top_examples),
            "interval_samples": icfg.interval_samples, "sample_seed": icfg.sample_seed,
            "outlier_factor": icfg.outlier_factor,
            "outlier_norm": outlier_norm(dataset, label, icfg.batch_size, icfg.outlier_factor),
            "outlier_rule": "records whose norm exceeds outlier_factor x the median norm of the dataset's first "
                            "batch are attention sinks: counted in sink_fires, left out of examples, samples and "
                            "histograms unless keep_sinks",
            "keep_sinks": icfg.keep_sinks, "neighbours": icfg.neighbours, "logit_lens": icfg.logit_lens,
            "decode_tokens": icfg.decode_tokens}


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
        shards = select_shards(dataset, icfg.shards)
        tokenizer = dataset_tokenizer(cfg.model, dataset) if icfg.decode_tokens else None
        head = index_head(cfg, source, sae, dataset, hookpoint)
        settings = {key: head[key] for key in SETTINGS} | {"shards": shards}
        sae = sae.to(device)
        inputs = PartInputs(sae, dataset, dataset.label_of(hookpoint), settings, head, tokenizer,
                            decoder_side(cfg, sae, tokenizer, device), device)
        if info.world_size == 1:
            build_part(out, inputs, shards, icfg.save_every_shards)
            print(f"{out}: {summary_line(read_summary(out))}")
            return out
        return _build_distributed(out, inputs, shards, icfg.save_every_shards, info)
    finally:
        dist.destroy()


def _build_distributed(out: Path, inputs: PartInputs, shards: list[int], save_every: int, info: dist.DistInfo
                       ) -> Path:
    def part(rank: int) -> Path:
        return out / PARTS_DIR / f"rank-{rank:03d}"

    owned = {rank: shards[rank :: info.world_size] for rank in range(info.world_size)}
    mine = owned[info.rank]
    if mine:
        mine_inputs = replace(inputs, settings=inputs.settings | {"shards": mine})
        build_part(part(info.rank), mine_inputs, mine, save_every, show_progress=info.is_main)
    dist.barrier()
    if info.is_main:
        merge_indexes([part(rank) for rank in range(info.world_size) if owned[rank]], out)
        print(f"{out}: {summary_line(read_summary(out))} (merged from {sum(bool(s) for s in owned.values())} ranks)")
    dist.barrier()
    return out


def summary_line(summary: dict[str, Any]) -> str:
    return (f"{summary['conversations_indexed']:,} conversations, {summary['activation_records_indexed']:,} records, "
            f"{summary['active_features']:,} active features ({summary.get('sink_records', 0):,} attention-sink "
            f"records set apart), {summary['prompt_rows']:,} prompt rows")
