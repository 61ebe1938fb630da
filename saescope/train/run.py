"""`saescope train`: wire the activation stream, the normaliser pass, the trainer and the checkpoint policy."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file
from tqdm import tqdm

from saescope import __version__
from saescope.config.hookpoints import hookpoint_label
from saescope.config.schema import LoaderSettings, SaescopeConfig, TrainConfig
from saescope.errors import SaescopeError
from saescope.release.layout import CHECKPOINTS_DIR, SAE_FILE
from saescope.sae.batchtopk import BatchTopKSae, build_sae
from saescope.sae.model import TopKSae, init_b_dec, init_weights
from saescope.sae.normalizer import MomentsEstimate, apply_to, estimate_moments
from saescope.train.checkpoint import (
    CheckpointRegistry,
    RetentionPolicy,
    read_trainer_state,
    step_name,
    write_checkpoint,
)
from saescope.train.loader import ActivationStream, LoaderConfig, ShardFiles, merge_loader_states
from saescope.train.metrics_log import METRICS_FILE, MetricsLog
from saescope.train.trainer import Trainer, TrainingDiverged
from saescope.utils import dist
from saescope.utils.atomic import sha256_file
from saescope.utils.devices import resolve_device
from saescope.utils.precision import dtype_name


class TrainError(SaescopeError, RuntimeError):
    pass


def loader_config(cfg: TrainConfig, batch_size: int, seed: int) -> LoaderConfig:
    """The stream's config: the section's `LoaderSettings` as given, with this stream's batch and seed."""
    settings = cfg.model_dump(include=set(LoaderSettings.model_fields))
    return LoaderConfig(**settings, hookpoint=cfg.hookpoint, batch_size=batch_size, seed=seed)


def estimate_normalizer(cfg: TrainConfig, training: ActivationStream) -> MomentsEstimate:
    """One streaming pass over `normalizer_tokens` rows of the training shards (the same on every rank, so
    no communication); its first rows are also the b_dec initialisation sample."""
    batch = min(cfg.normalizer_tokens, 8192, training.num_records)
    one_stream = loader_config(cfg, batch, cfg.seed + 1).model_copy(update={"loader_streams": None})
    stream = ActivationStream(training.files, one_stream, exclude_shards=training.exclude_shards)
    try:
        return estimate_moments(stream, cfg.normalizer_tokens, cfg.b_dec_init_tokens, cfg.normalizer_outlier_factor)
    except ValueError as e:
        raise TrainError(f"{cfg.activations}: {e}") from e
    finally:
        stream.close()


def architecture_extras(sae: TopKSae, cfg: TrainConfig) -> dict[str, Any]:
    """BatchTopK's entries of the architecture section: theta (exact as a float), the code's cap, its estimator."""
    if not isinstance(sae, BatchTopKSae):
        return {}
    return {"threshold": float(sae.threshold), "k_cap": sae.k_cap, "threshold_lr": cfg.threshold_lr}


def sae_metadata(cfg: TrainConfig, trainer: Trainer, normalizer: dict[str, Any], dataset_root: Path,
                 manifest: dict[str, Any]) -> dict[str, str]:
    """What an exporter needs besides the tensors, as one JSON header entry (one key keeps the bytes stable)."""
    manifest_path = dataset_root / "manifest.json"
    meta = {
        "saescope_version": __version__,
        "architecture": {"type": trainer.sae.architecture, "d_in": trainer.sae.d_in, "d_sae": trainer.sae.d_sae,
                         "k": trainer.sae.k, "aux_k": cfg.aux_k, "aux_coef": cfg.aux_coef,
                         **architecture_extras(trainer.sae, cfg)},
        "normalization": {"method": f"{cfg.normalizer_scale}_standardize", "scale": cfg.normalizer_scale,
                          "std_floor": cfg.std_floor, "outlier_factor": cfg.normalizer_outlier_factor, **normalizer},
        "hookpoint": cfg.hookpoint,
        "layer_label": hookpoint_label(cfg.hookpoint),
        "step": trainer.step,
        "tokens_seen": trainer.tokens_seen,
        "model": manifest.get("model", {}),
        "data": {"activations": cfg.activations, "source": manifest.get("source", {}),
                 "activations_manifest_sha256": sha256_file(manifest_path) if manifest_path.exists() else None},
        # What ran, beside what was asked: a bf16 request computes in float32 where bf16 would be emulated.
        "training": {**cfg.model_dump(), "lr_used": trainer.lr, "compute_dtype": dtype_name(trainer.compute_dtype)},
    }
    return {"saescope": json.dumps(meta, sort_keys=True)}


class Checkpointer:
    """Saves a checkpoint of the run as it stands, ranked by the mean of its metrics since the previous save."""

    def __init__(self, cfg: TrainConfig, info: dist.DistInfo, registry: CheckpointRegistry, stream: ActivationStream,
                 trainer: Trainer, normalizer: dict[str, Any], after_save: Callable[[Path], object] | None) -> None:
        self.cfg, self.info, self.registry, self.stream, self.trainer = cfg, info, registry, stream, trainer
        self.normalizer, self.after_save = normalizer, after_save
        self.dataset = ShardFiles.open(stream.files).dataset
        self.window: list[dict[str, float]] = []
        self.averages: dict[str, float] = {}

    def save(self, final: bool = False) -> None:
        # A collective, on every rank: each rank knows only its own streams' positions.
        loader_state = merge_loader_states(dist.all_gather_object(self.stream.state_dict(), self.trainer.device))
        if self.info.is_main:
            self._write(loader_state, final)
        self.window.clear()
        dist.barrier()

    def _write(self, loader_state: dict[str, Any], final: bool) -> None:
        if self.window:
            keys = ("loss", "mse", "aux_loss", "fve", "l0", "dead")
            self.averages.update({k: sum(m[k] for m in self.window) / len(self.window) for k in keys})
        tc, trainer = self.cfg, self.trainer
        metadata = sae_metadata(tc, trainer, self.normalizer, self.dataset.root, self.dataset.manifest)
        write_checkpoint(
            self.registry.root / step_name(trainer.step), trainer.sae.state_dict(), metadata,
            {"trainer": trainer.state_dict(), "loader": loader_state, "torch_rng": torch.get_rng_state(),
             "normalizer": self.normalizer},
            {"step": trainer.step, "tokens_seen": trainer.tokens_seen, "metrics": dict(self.averages),
             "export_formats": tc.export_formats, "run_name": tc.run_name or Path(tc.out).name},
        )
        self.registry.record(trainer.step, trainer.tokens_seen, dict(self.averages), final=final)
        if self.after_save is not None:
            self.after_save(self.registry.root)


def train(cfg: SaescopeConfig, resume: bool = False, after_save: Callable[[Path], object] | None = None) -> Path:
    """Train as `cfg.train` says; with `resume`, continue exactly from the newest checkpoint. Returns the run folder.

    `after_save(checkpoints_folder)` runs on rank 0 after every checkpoint and registry update (the CLI exports
    the retained checkpoints there), so training itself knows nothing of release formats.
    """
    tc = cfg.train
    if tc.cuda_alloc_conf:
        os.environ.setdefault("PYTORCH_CUDA_ALLOC_CONF", tc.cuda_alloc_conf)
    device = resolve_device(tc.device)
    info = dist.init_distributed(device)
    if tc.batch_size % info.world_size:
        raise TrainError(f"train.batch_size {tc.batch_size} is not divisible by the {info.world_size} ranks")
    out = Path(tc.out)
    policy = RetentionPolicy(best_count=tc.best_checkpoint_count, metric=tc.best_checkpoint_metric,
                             mode=tc.best_checkpoint_mode)
    registry = CheckpointRegistry(out / CHECKPOINTS_DIR, policy)
    resume_from = registry.latest() if resume else None
    if resume and resume_from is None and info.is_main:
        print(f"{out}: no checkpoint to resume from; starting a new run")
    if not resume and registry.entries:
        raise TrainError(f"{out} already holds checkpoints: pass --resume to continue, or choose another train.out")
    try:
        trained = train_run(tc, info, device, registry, resume_from, after_save)
    finally:
        dist.destroy()
    if trained and info.is_main:
        print(f"{out}: trained {trainer_summary(registry)}")
    return out


def trainer_summary(registry: CheckpointRegistry) -> str:
    final = registry.registry.final()
    steps = f"{final.step} steps on {final.tokens_seen:,} tokens" if final else "no final checkpoint"
    return f"{steps}; retained {[e.path for e in registry.entries]}"


def train_run(tc: TrainConfig, info: dist.DistInfo, device: torch.device, registry: CheckpointRegistry,
              resume_from: Path | None, after_save: Callable[[Path], object] | None) -> bool:
    """Open the stream, start or resume, and train to the token budget; False when it was reached already."""
    stream = open_stream(tc, info, device)
    try:
        total = tc.total_tokens or stream.tokens_per_epoch * (tc.epochs or 1)
        trainer, normalizer = start_or_resume(tc, stream, device, resume_from, total)
        if trainer.tokens_seen >= total:
            if info.is_main:
                print(f"{tc.out}: training already complete ({trainer.tokens_seen:,} tokens, step {trainer.step})")
            return False
        checkpointer = Checkpointer(tc, info, registry, stream, trainer, normalizer, after_save)
        run_loop(tc, info, stream, trainer, checkpointer, total)
        return True
    finally:
        stream.close()


def open_stream(tc: TrainConfig, info: dist.DistInfo, device: torch.device) -> ActivationStream:
    """This rank's share of the training stream: every shard but the held-out ones (eval reads those)."""
    files = ShardFiles.open(tc.activations)
    held_out = tuple(files.dataset.held_out_shards(tc.heldout_fraction))
    try:
        return ActivationStream(files, loader_config(tc, tc.batch_size, tc.seed), rank=info.rank,
                                world_size=info.world_size, device=device, exclude_shards=held_out)
    except ValueError as e:  # batch, stream and world sizes that don't fit the dataset (the message names it)
        raise TrainError(str(e)) from e


def start_or_resume(tc: TrainConfig, stream: ActivationStream, device: torch.device, resume_from: Path | None,
                    total_tokens: int) -> tuple[Trainer, dict[str, Any]]:
    """A new SAE (normaliser pass, initialisation) or the checkpoint's, with the trainer and stream restored to
    exactly where it was saved; returns the trainer and the normaliser's summary. `total_tokens` is the
    learning-rate schedule's budget."""
    sae = build_sae(tc.architecture, stream.d_model, tc.d_sae, tc.k)
    if resume_from is None:
        estimate = estimate_normalizer(tc, stream)
        apply_to(sae, estimate.moments, tc.std_floor, tc.normalizer_scale)
        init_weights(sae, torch.Generator().manual_seed(tc.seed))
        init_b_dec(sae, sae.normalize(estimate.sample), tc.b_dec_init)
        return Trainer(sae, tc, device, total_tokens), estimate.summary()
    sae.load_state_dict(load_file(resume_from / SAE_FILE))
    trainer = Trainer(sae, tc, device, total_tokens)
    state = read_trainer_state(resume_from)
    trainer.load_state_dict(state["trainer"])
    try:
        stream.load_state_dict(state["loader"])
    except ValueError as e:
        raise TrainError(f"cannot resume from {resume_from}: {e}") from e
    torch.set_rng_state(state["torch_rng"])
    return trainer, state["normalizer"]


def run_loop(tc: TrainConfig, info: dist.DistInfo, stream: ActivationStream, trainer: Trainer,
             checkpointer: Checkpointer, total: int) -> None:
    """Steps until `total` tokens, logging every `log_every` and saving every `save_every` steps and at the end."""
    log = MetricsLog(Path(tc.out) / METRICS_FILE, trainer.step, info.is_main)
    log.start_wandb(tc, Path(tc.out))
    progress = tqdm(total=total, initial=trainer.tokens_seen, unit="tok", unit_scale=True, desc="train",
                    disable=not info.is_main, mininterval=1.0)
    started, start_tokens = time.perf_counter(), trainer.tokens_seen
    try:
        for x in stream:
            try:
                metrics = trainer.train_step(x)
            except TrainingDiverged:
                checkpointer.save()
                raise
            if "skipped" in metrics:
                continue
            checkpointer.window.append(metrics)
            progress.update(metrics["tokens"] - progress.n)
            if trainer.step % tc.log_every == 0:
                log.write(metrics)
                rate = (trainer.tokens_seen - start_tokens) / (time.perf_counter() - started)
                progress.set_postfix(loss=f"{metrics['loss']:.4f}", fve=f"{metrics['fve']:.3f}",
                                     l0=f"{metrics['l0']:.0f}", dead=metrics["dead"],
                                     aux=f"{metrics['aux_loss']:.3f}", tok_s=f"{rate:,.0f}")
            if trainer.step % tc.save_every == 0:
                checkpointer.save()
            if trainer.tokens_seen >= total:  # checked before drawing another batch: the saved position is exact
                break
        if trainer.step == 0:
            raise TrainError(f"{tc.activations}: no batch of {tc.batch_size} tokens to train on")
        checkpointer.save(final=True)
    finally:
        progress.close()
