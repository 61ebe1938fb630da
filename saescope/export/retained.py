"""Exports of the checkpoints a training run retains (`train.export_formats`), made as the run goes.

Each retained checkpoint gets its release in `<checkpoint>/release/`, inside the checkpoint folder, so the
registry deleting a checkpoint deletes its export with it and a re-saved step is re-exported.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from saescope.export.errors import ReleaseError
from saescope.export.load import load_sae
from saescope.export.release import export_release
from saescope.sae.model import TopKSae
from saescope.train.checkpoint import REGISTRY

RELEASE_DIR = "release"


def export_retained(checkpoints: Path, formats: list[str]) -> list[Path]:
    """Export every checkpoint listed in `checkpoints/registry.json` that has no release yet; returns all
    retained checkpoints' release folders."""
    registry = Path(checkpoints) / REGISTRY
    entries = json.loads(registry.read_text())["checkpoints"] if registry.is_file() else []
    releases = []
    for entry in entries:
        release = Path(checkpoints) / entry["path"] / RELEASE_DIR
        if not release.is_dir():
            export_release(release.parent, release, formats=formats)
        releases.append(release)
    return releases


def select_checkpoint(folder: Path, which: str = "final") -> Path:
    """A checkpoint folder as given, or, for a training run (or its checkpoints/ folder), the registry's
    `final` checkpoint or its `best` by the run's metric."""
    folder = Path(folder)
    if (folder / "sae.safetensors").is_file():
        return folder
    checkpoints = folder / "checkpoints" if (folder / "checkpoints" / REGISTRY).is_file() else folder
    registry = checkpoints / REGISTRY
    if not registry.is_file():
        raise ReleaseError(f"{folder}: neither a checkpoint (sae.safetensors) nor a training run ({REGISTRY})")
    entries = json.loads(registry.read_text())["checkpoints"]
    if which == "final":
        chosen = [e for e in entries if e.get("final")]
    elif which == "best":
        chosen = [e for e in entries
                  if any(r.startswith("best ") and " #1 of " in r for r in e.get("retained_because", []))]
    else:
        raise ValueError(f"unknown checkpoint selection '{which}'; use final or best")
    if not chosen:
        raise ReleaseError(f"{registry}: no {which} checkpoint (has the run finished?)")
    return checkpoints / chosen[-1]["path"]


def load_sae_or_run(path: str | Path) -> tuple[Path, TopKSae, dict[str, Any]]:
    """(the folder read, model, metadata) for a release, a checkpoint, or a training run (its final checkpoint):
    what eval, index and steer accept as an SAE."""
    path = Path(path)
    source = select_checkpoint(path) if (path / "checkpoints").is_dir() else path
    sae, metadata = load_sae(source)
    return source, sae, metadata
