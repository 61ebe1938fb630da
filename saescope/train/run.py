"""`saescope train`: wire the activation stream, the normaliser pass, the trainer and the checkpoint policy."""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file
from tqdm import tqdm

from saescope import __version__
from saescope.config.schema import SaescopeConfig, TrainConfig
from saescope.lm.hookpoints import hookpoint_label
from saescope.lm.loading import resolve_device
from saescope.sae.model import TopKSae, init_b_dec, init_weights
from saescope.sae.normalizer import MomentsEstimate, apply_to, estimate_moments
from saescope.train.checkpoint import (
    SAE_FILE,
    CheckpointRegistry,
    RetentionPolicy,
    read_trainer_state,
    step_name,
    write_checkpoint,
)
from saescope.train.loader import ActivationStream, LoaderConfig, ShardFiles, merge_loader_states
from saescope.train.trainer import Hyperparams, Trainer, TrainingDiverged
from saescope.utils import dist
from saescope.utils.atomic import sha256_file, write_bytes_atomic
from saescope.utils.precision import dtype_name

METRICS_FILE = "metrics.jsonl"


class TrainError(RuntimeError):
    pass


def hyperparams(cfg: TrainConfig) -> Hyperparams:
    return Hyperparams(
        lr=cfg.lr, beta1=cfg.beta1, beta2=cfg.beta2, batch_size=cfg.batch_size, warmup_tokens=cfg.warmup_tokens,
        aux_k=cfg.aux_k, aux_coef=cfg.aux_coef, dead_tokens=cfg.dead_tokens, autocast_dtype=cfg.autocast_dtype,
        max_consecutive_nonfinite=cfg.max_consecutive_nonfinite,
    )


def loader_config(cfg: TrainConfig, batch_size: int, seed: int) -> LoaderConfig:
    return LoaderConfig(
        hookpoint=cfg.hookpoint, batch_size=batch_size, shuffle_buffer=cfg.shuffle_buffer,
        prefetch_shards=cfg.prefetch_shards, decoded_prefetch_shards=cfg.decoded_prefetch_shards,
        cpu_prefetch_batches=cfg.cpu_prefetch_batches, seed=seed, skip_corrupt=cfg.skip_corrupt_shards,
        streams=cfg.loader_streams,
    )


def estimate_normalizer(cfg: TrainConfig, training: ActivationStream) -> MomentsEstimate:
    """One streaming pass over `normalizer_tokens` rows of the training shards (the same on every rank, so
    no communication); its first rows are also the b_dec initialisation sample."""
    batch = min(cfg.normalizer_tokens, 8192, training.num_records)
    one_stream = loader_config(cfg, batch, cfg.seed + 1).model_copy(update={"streams": None})
    stream = ActivationStream(training.files, one_stream, exclude_shards=training.exclude_shards)
    try:
        return estimate_moments(stream, cfg.normalizer_tokens, cfg.b_dec_init_tokens, cfg.normalizer_outlier_factor)
    except ValueError as e:
        raise TrainError(f"{cfg.activations}: {e}") from e
    finally:
        stream.close()


def sae_metadata(cfg: TrainConfig, trainer: Trainer, normalizer: dict[str, Any], dataset_root: Path,
                 manifest: dict[str, Any]) -> dict[str, str]:
    """What an exporter needs besides the tensors, as one JSON header entry (one key keeps the bytes stable)."""
    manifest_path = dataset_root / "manifest.json"
    meta = {
        "saescope_version": __version__,
        "architecture": {"type": "topk", "d_in": trainer.sae.d_in, "d_sae": trainer.sae.d_sae, "k": trainer.sae.k,
                         "aux_k": cfg.aux_k, "aux_coef": cfg.aux_coef},
        "normalization": {"method": "per_dimension_standardize", "std_floor": cfg.std_floor,
                          "outlier_factor": cfg.normalizer_outlier_factor, **normalizer},
        "hookpoint": cfg.hookpoint,
        "layer_label": hookpoint_label(cfg.hookpoint),
        "step": trainer.step,
        "tokens_seen": trainer.tokens_seen,
        "model": manifest.get("model", {}),
        "data": {"activations": cfg.activations, "source": manifest.get("source", {}),
                 "activations_manifest_sha256": sha256_file(manifest_path) if manifest_path.exists() else None},
        # What ran, beside what was asked: a bf16 request computes in float32 where bf16 would be emulated.
        "training": {**cfg.model_dump(), "compute_dtype": dtype_name(trainer.compute_dtype)},
    }
    return {"saescope": json.dumps(meta, sort_keys=True)}


class MetricsLog:
    """metrics.jsonl, truncated back to the resume step so a resumed run never repeats lines."""

    def __init__(self, path: Path, resume_step: int, enabled: bool) -> None:
        self.path, self.enabled = path, enabled
        self.wandb_run: Any = None
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
        if enabled and path.exists():
            kept = [line for line in path.read_text().splitlines() if json.loads(line).get("step", 0) <= resume_step]
            write_bytes_atomic(path, "".join(line + "\n" for line in kept).encode())

    def write(self, metrics: dict[str, Any]) -> None:
        if self.enabled:
            with self.path.open("a") as f:
                f.write(json.dumps(metrics) + "\n")
        if self.wandb_run is not None:
            self.wandb_run.log(metrics, step=int(metrics["step"]))

    def start_wandb(self, cfg: TrainConfig, run_folder: Path) -> None:
        """Optional wandb mirror of the metrics (WANDB_MODE=offline works); resumes the same wandb run."""
        if not (self.enabled and cfg.wandb_project):
            return
        try:
            import wandb
        except ImportError as e:
            raise TrainError("train.wandb_project is set but wandb is not installed: pip install wandb") from e
        run_id_file = run_folder / "wandb_run_id"
        run_id = run_id_file.read_text().strip() if run_id_file.exists() else uuid.uuid4().hex[:12]
        write_bytes_atomic(run_id_file, run_id.encode())
        self.wandb_run = wandb.init(project=cfg.wandb_project, name=cfg.run_name or run_folder.name, id=run_id,
                                    resume="allow", config=cfg.model_dump(), dir=str(run_folder))


def train(cfg: SaescopeConfig, resume: bool = False, after_save: Callable[[Path], object] | None = None) -> Path:
    """Train as `cfg.train` says; with `resume`, continue exactly from the newest checkpoint. Returns the run folder.

    `after_save(checkpoints_folder)` runs on rank 0 after every checkpoint and registry update (the CLI exports
    the retained checkpoints there), so training itself knows nothing of release formats.
    """
    tc = cfg.train
    if tc.cuda_alloc_conf:
        os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", tc.cuda_alloc_conf)
    info = dist.init_distributed(resolve_device(tc.device))
    device = resolve_device(tc.device, info.local_rank)
    if tc.batch_size % info.world_size:
        raise TrainError(f"train.batch_size {tc.batch_size} is not divisible by the {info.world_size} ranks")
    out = Path(tc.out)
    checkpoints = out / "checkpoints"
    registry = CheckpointRegistry(checkpoints, RetentionPolicy(tc.best_checkpoint_count, tc.best_checkpoint_metric,
                                                                tc.best_checkpoint_mode))
    resume_from = registry.latest() if resume else None
    if resume and resume_from is None and info.is_main:
        print(f"{out}: no checkpoint to resume from; starting a new run")
    if not resume and registry.entries:
        raise TrainError(f"{out} already holds checkpoints: pass --resume to continue, or choose another train.out")
    try:
        return _train(cfg, info, device, registry, resume_from, after_save)
    finally:
        dist.destroy()


def _train(cfg: SaescopeConfig, info: dist.DistInfo, device: torch.device, registry: CheckpointRegistry,
           resume_from: Path | None, after_save: Callable[[Path], object] | None) -> Path:
    tc = cfg.train
    out = Path(tc.out)
    files = ShardFiles.open(tc.activations)
    held_out = tuple(files.dataset.held_out_shards(tc.heldout_fraction))
    try:
        stream = ActivationStream(files, loader_config(tc, tc.batch_size, tc.seed), rank=info.rank,
                                  world_size=info.world_size, device=device, exclude_shards=held_out)
    except ValueError as e:  # batch, stream and world sizes that don't fit the dataset (the message names it)
        raise TrainError(str(e)) from e
    sae = TopKSae(stream.d_model, tc.d_sae, tc.k)
    if resume_from is None:
        estimate = estimate_normalizer(tc, stream)
        apply_to(sae, estimate.moments, tc.std_floor)
        init_weights(sae, torch.Generator().manual_seed(tc.seed))
        init_b_dec(sae, sae.normalize(estimate.sample), tc.b_dec_init)
        normalizer = estimate.summary()
    trainer = Trainer(sae, hyperparams(tc), device)
    if resume_from is not None:
        sae.load_state_dict(load_file(resume_from / SAE_FILE))
        state = read_trainer_state(resume_from)
        trainer.load_state_dict(state["trainer"])
        try:
            stream.load_state_dict(state["loader"])
        except ValueError as e:
            raise TrainError(f"cannot resume from {resume_from}: {e}") from e
        torch.set_rng_state(state["torch_rng"])
        normalizer = state["normalizer"]
    total = tc.total_tokens or stream.tokens_per_epoch
    if resume_from is not None and trainer.tokens_seen >= total:
        stream.close()
        if info.is_main:
            print(f"{out}: training already complete ({trainer.tokens_seen:,} tokens, step {trainer.step})")
        return out
    manifest = files.dataset.manifest
    log = MetricsLog(out / METRICS_FILE, trainer.step, info.is_main)
    log.start_wandb(tc, out)
    window: list[dict[str, float]] = []
    last_averages: dict[str, float] = {}

    def save(final: bool = False) -> None:
        # A collective, on every rank: each rank knows only its own streams' positions.
        loader_state = merge_loader_states(dist.all_gather_object(stream.state_dict(), device))
        if info.is_main:
            if window:  # the metric a checkpoint is ranked by: the mean since the previous save
                keys = ("loss", "mse", "aux_loss", "fve", "l0", "dead")
                last_averages.update({k: sum(m[k] for m in window) / len(window) for k in keys})
            averages = dict(last_averages)
            metadata = sae_metadata(tc, trainer, normalizer, files.dataset.root, manifest)
            write_checkpoint(
                registry.root / step_name(trainer.step), sae.state_dict(), metadata,
                {"trainer": trainer.state_dict(), "loader": loader_state, "torch_rng": torch.get_rng_state(),
                 "normalizer": normalizer},
                {"step": trainer.step, "tokens_seen": trainer.tokens_seen, "metrics": averages,
                 "export_formats": tc.export_formats, "run_name": tc.run_name or out.name},
            )
            registry.record(trainer.step, trainer.tokens_seen, averages, final=final)
            if after_save is not None:
                after_save(registry.root)
        window.clear()
        dist.barrier()

    progress = tqdm(total=total, initial=trainer.tokens_seen, unit="tok", unit_scale=True, desc="train",
                    disable=not info.is_main, mininterval=1.0)
    started, start_tokens = time.perf_counter(), trainer.tokens_seen
    try:
        for x in stream:
            try:
                metrics = trainer.train_step(x)
            except TrainingDiverged:
                save()
                raise
            if "skipped" in metrics:
                continue
            window.append(metrics)
            progress.update(metrics["tokens"] - progress.n)
            if trainer.step % tc.log_every == 0:
                log.write(metrics)
                rate = (trainer.tokens_seen - start_tokens) / (time.perf_counter() - started)
                progress.set_postfix(loss=f"{metrics['loss']:.4f}", fve=f"{metrics['fve']:.3f}",
                                     l0=f"{metrics['l0']:.0f}", dead=metrics["dead"],
                                     aux=f"{metrics['aux_loss']:.3f}", tok_s=f"{rate:,.0f}")
            if trainer.step % tc.save_every == 0:
                save()
            if trainer.tokens_seen >= total:  # checked before drawing another batch: the saved position is exact
                break
        if trainer.step == 0:
            raise TrainError(f"{tc.activations}: no batch of {tc.batch_size} tokens to train on")
        save(final=True)
    finally:
        progress.close()
        stream.close()
    if info.is_main:
        print(f"{out}: trained {trainer.step} steps on {trainer.tokens_seen:,} tokens; "
              f"retained {[e['path'] for e in registry.entries]}")
    return out
