"""Checkpoints and the retained-checkpoint registry.

A checkpoint is a folder `step-000100/` written under a temporary name and renamed into place, so a kill
at any moment leaves every earlier checkpoint whole. `registry.json` lists every retained checkpoint, its
metrics and why it is kept (best N by a metric, the latest for resuming, the final); checkpoints that no
rule keeps are deleted. The registry is rewritten atomically after every save, so which step was best is
never lost when a run is halted.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from safetensors.torch import save_file

from saescope.utils.atomic import write_json_atomic

REGISTRY = "registry.json"
SAE_FILE = "sae.safetensors"
STATE_FILE = "trainer_state.pt"
INFO_FILE = "checkpoint.json"


def step_name(step: int) -> str:
    return f"step-{step:06d}"


@dataclass(frozen=True)
class RetentionPolicy:
    best_count: int = 3
    metric: str = "loss"
    mode: Literal["min", "max"] = "min"

    def best(self, entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
        scored = [e for e in entries if self.metric in e["metrics"]]
        ordered = sorted(scored, key=lambda e: e["metrics"][self.metric], reverse=self.mode == "max")
        return ordered[: self.best_count]


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
    def __init__(self, root: Path, policy: RetentionPolicy) -> None:
        self.root = root
        self.policy = policy
        path = root / REGISTRY
        self.entries: list[dict[str, Any]] = json.loads(path.read_text())["checkpoints"] if path.exists() else []

    def latest(self) -> Path | None:
        """The newest checkpoint on disk, for --resume (None when there is none)."""
        for entry in sorted(self.entries, key=lambda e: e["step"], reverse=True):
            folder = self.root / entry["path"]
            if (folder / STATE_FILE).exists():
                return folder
        return None

    def record(self, step: int, tokens_seen: int, metrics: dict[str, float], final: bool = False) -> list[Path]:
        """Add a saved checkpoint, re-decide what is retained, delete the rest; returns retained folders."""
        self.entries = [e for e in self.entries if e["step"] != step]
        self.entries.append({"step": step, "tokens_seen": tokens_seen, "path": step_name(step),
                             "metrics": metrics, "final": final})
        best_steps = [e["step"] for e in self.policy.best(self.entries)]
        latest_step = max(e["step"] for e in self.entries)
        kept = []
        for entry in sorted(self.entries, key=lambda e: e["step"]):
            reasons = []
            if entry["step"] in best_steps:
                rank = best_steps.index(entry["step"]) + 1
                reasons.append(f"best {self.policy.metric} ({self.policy.mode}) #{rank} of {self.policy.best_count}")
            if entry.get("final"):
                reasons.append("final")
            if entry["step"] == latest_step:
                reasons.append("latest (resume point)")
            entry["retained_because"] = reasons
            if reasons:
                kept.append(entry)
            else:
                shutil.rmtree(self.root / entry["path"], ignore_errors=True)
        self.entries = kept
        write_json_atomic(self.root / REGISTRY, {
            "policy": {"best_checkpoint_count": self.policy.best_count, "best_checkpoint_metric": self.policy.metric,
                       "best_checkpoint_mode": self.policy.mode},
            "checkpoints": kept,
        })
        return [self.root / e["path"] for e in kept]
