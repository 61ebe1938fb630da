"""Checkpoints and the retained-checkpoint registry.

A checkpoint is a folder `step-000100/` written under a temporary name and renamed into place, so a kill
at any moment leaves every earlier checkpoint whole. `registry.json` lists every retained checkpoint, its
metrics and why it is kept (best N by a metric, the latest for resuming, the final); checkpoints that no
rule keeps are deleted. The registry is rewritten atomically after every save, so which step was best is
never lost when a run is halted.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from saescope.release.layout import INFO_FILE, SAE_FILE, STATE_FILE
from saescope.release.registry import Registry, RegistryEntry, RetentionPolicy, read_registry, write_registry
from saescope.utils.atomic import write_json_atomic

__all__ = ["CheckpointRegistry", "RetentionPolicy", "read_trainer_state", "step_name", "write_checkpoint"]


def step_name(step: int) -> str:
    return f"step-{step:06d}"


def write_checkpoint(
    folder: Path, sae_state: dict[str, torch.Tensor], sae_metadata: dict[str, str], trainer_state: dict[str, Any],
    info: dict[str, Any],
) -> None:
    """Write one checkpoint folder atomically (a folder rename is atomic on one filesystem)."""
    tmp = folder.with_name(f".{folder.name}.tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir(parents=True)
    save_file({k: v.detach().cpu().contiguous() for k, v in sae_state.items()}, str(tmp / SAE_FILE),
              metadata=sae_metadata)
    torch.save(trainer_state, tmp / STATE_FILE)
    write_json_atomic(tmp / INFO_FILE, info)
    if folder.exists():  # the same step saved again after a resume: replace it whole
        shutil.rmtree(folder)
    tmp.rename(folder)


def read_trainer_state(folder: Path) -> dict[str, Any]:
    # weights_only: a checkpoint is data, never code to unpickle.
    return torch.load(folder / STATE_FILE, map_location="cpu", weights_only=True)


class CheckpointRegistry:
    """The run's registry and its retention rule: after every save, decide what is kept and delete the rest."""

    def __init__(self, root: Path, policy: RetentionPolicy) -> None:
        self.root = root
        self.policy = policy
        self.registry = read_registry(root)

    @property
    def entries(self) -> list[RegistryEntry]:
        return self.registry.checkpoints

    def latest(self) -> Path | None:
        """The newest checkpoint on disk, for --resume (None when there is none)."""
        for entry in sorted(self.entries, key=lambda e: e.step, reverse=True):
            folder = self.root / entry.path
            if (folder / STATE_FILE).exists():
                return folder
        return None

    def _ranked(self, entries: list[RegistryEntry]) -> list[int]:
        """Steps of the best `best_count` entries by the policy's metric, best first."""
        scored = [e for e in entries if self.policy.metric in e.metrics]
        ordered = sorted(scored, key=lambda e: e.metrics[self.policy.metric], reverse=self.policy.mode == "max")
        return [e.step for e in ordered[: self.policy.best_count]]

    def record(self, step: int, tokens_seen: int, metrics: dict[str, float], final: bool = False) -> list[Path]:
        """Add a saved checkpoint, re-decide what is retained, delete the rest; returns retained folders."""
        entries = [e for e in self.entries if e.step != step]
        entries.append(RegistryEntry(step=step, tokens_seen=tokens_seen, path=step_name(step), metrics=metrics,
                                     final=final))
        best_steps = self._ranked(entries)
        latest_step = max(e.step for e in entries)
        kept = []
        for entry in sorted(entries, key=lambda e: e.step):
            entry.best_rank = best_steps.index(entry.step) + 1 if entry.step in best_steps else None
            entry.latest = entry.step == latest_step
            entry.retained_because = entry.reasons(self.policy)
            if entry.retained_because:
                kept.append(entry)
            else:
                shutil.rmtree(self.root / entry.path, ignore_errors=True)
        self.registry = Registry(policy=self.policy, checkpoints=kept)
        write_registry(self.root, self.registry)
        return [self.root / e.path for e in kept]
