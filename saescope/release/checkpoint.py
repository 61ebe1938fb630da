"""Read a training checkpoint folder (`<run>/checkpoints/step-NNNNNN/`) into what an export needs.

Only `sae.safetensors`, `checkpoint.json` and the registry are read: `trainer_state.pt` (optimizer moments,
RNG, loader position) is resume state and never goes into a release.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file

from saescope.release.errors import ReleaseError
from saescope.release.layout import HEADER_KEY, INFO_FILE, SAE_FILE, architecture_of
from saescope.release.registry import read_registry
from saescope.sae.batchtopk import state_keys
from saescope.sae.model import STATE_DICT_KEYS
from saescope.utils.atomic import read_json_object

WANDB_RUN_ID_FILE = "wandb_run_id"


@dataclass(frozen=True)
class CheckpointSource:
    folder: Path
    state: dict[str, torch.Tensor]
    header: dict[str, Any]  # the JSON object stored under the safetensors header key "saescope"
    info: dict[str, Any]  # checkpoint.json ({} when absent)
    selected_because: list[str]
    wandb: dict[str, str] | None


def is_checkpoint(folder: Path) -> bool:
    return (folder / SAE_FILE).is_file()


def read_header(path: Path) -> dict[str, Any]:
    """The metadata JSON of a saescope safetensors file (checkpoint or release)."""
    try:
        with safe_open(str(path), "pt") as f:
            header = f.metadata() or {}
    except Exception as e:  # safetensors raises its own error type for a damaged header
        raise ReleaseError(f"{path}: not a readable safetensors file ({e})") from e
    if HEADER_KEY not in header:
        raise ReleaseError(
            f"{path}: safetensors header has no '{HEADER_KEY}' metadata key (keys: {sorted(header)}); it was written "
            "by another tool or an older saescope - retrain or re-save the checkpoint with this version"
        )
    return json.loads(header[HEADER_KEY])


def read_state(path: Path, keys: tuple[str, ...] = STATE_DICT_KEYS) -> dict[str, torch.Tensor]:
    """The tensors `keys` (the architecture's `state_keys`) of a safetensors file."""
    try:
        state = load_file(str(path))
    except Exception as e:
        raise ReleaseError(f"{path}: not a readable safetensors file ({e})") from e
    missing = [key for key in keys if key not in state]
    if missing:
        raise ReleaseError(f"{path}: lacks tensors {missing}; expected {list(keys)}")
    # Checkpoints hold fp32 master weights; casting keeps every release format float32 whatever was saved.
    return {key: state[key].float().contiguous() for key in keys}


def selected_because(folder: Path) -> list[str]:
    """Why the trainer's registry retained this checkpoint (empty when there is no registry entry)."""
    entry = read_registry(folder.parent).entry(folder.name)
    return list(entry.retained_because) if entry is not None else []


def wandb_run(folder: Path, header: dict[str, Any]) -> dict[str, str] | None:
    """The wandb project and run id (the trainer keeps the id in `<run>/wandb_run_id`), when wandb was used."""
    project = header.get("training", {}).get("wandb_project")
    if not project:
        return None
    id_file = folder.parent.parent / WANDB_RUN_ID_FILE
    run_id = id_file.read_text().strip() if id_file.is_file() else None
    return {"project": project, "run_id": run_id} if run_id else {"project": project}


def read_checkpoint(folder: Path) -> CheckpointSource:
    folder = Path(folder)
    sae_file = folder / SAE_FILE
    if not sae_file.is_file():
        raise ReleaseError(f"{folder}: not a checkpoint folder (no {SAE_FILE})")
    header = read_header(sae_file)
    info_file = folder / INFO_FILE
    info = read_json_object(info_file, ReleaseError) if info_file.is_file() else {}
    state = read_state(sae_file, state_keys(architecture_of(header)))
    return CheckpointSource(folder=folder, state=state, header=header, info=info,
                            selected_because=selected_because(folder), wandb=wandb_run(folder, header))
