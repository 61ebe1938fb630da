"""What every stage after training accepts as "an SAE": a release, a checkpoint, or a training run."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from saescope.release.errors import ReleaseError
from saescope.release.layout import CHECKPOINTS_DIR, REGISTRY, SAE_FILE
from saescope.release.load import load_sae
from saescope.release.registry import read_registry
from saescope.sae.model import TopKSae


def select_checkpoint(folder: Path, which: Literal["final", "best"] = "final") -> Path:
    """A checkpoint folder as given, or, for a training run (or its checkpoints/ folder), the registry's
    `final` checkpoint or its `best` by the run's metric."""
    folder = Path(folder)
    if (folder / SAE_FILE).is_file():
        return folder
    checkpoints = folder / CHECKPOINTS_DIR if (folder / CHECKPOINTS_DIR / REGISTRY).is_file() else folder
    if not (checkpoints / REGISTRY).is_file():
        raise ReleaseError(f"{folder}: neither a checkpoint ({SAE_FILE}) nor a training run ({REGISTRY})")
    registry = read_registry(checkpoints)
    if which not in ("final", "best"):
        raise ReleaseError(f"unknown checkpoint selection '{which}'; use final or best")
    chosen = registry.final() if which == "final" else registry.best()
    if chosen is None:
        raise ReleaseError(f"{checkpoints / REGISTRY}: no {which} checkpoint (has the run finished?)")
    return checkpoints / chosen.path


def load_sae_or_run(path: str | Path) -> tuple[Path, TopKSae, dict[str, Any]]:
    """(the folder read, model, metadata) for a release, a checkpoint, or a training run (its final checkpoint):
    what eval, index and steer accept as an SAE."""
    path = Path(path)
    source = select_checkpoint(path) if (path / CHECKPOINTS_DIR).is_dir() else path
    sae, metadata = load_sae(source)
    return source, sae, metadata


def recorded_hookpoint(source: Path, metadata: dict[str, Any], available: list[str] | None = None) -> str:
    """The hookpoint an SAE was trained on, as its metadata records it. An SAE imported from a peer folder records
    none: it is taken to read the only hookpoint of `available` (a dataset's), else refused by name."""
    hookpoint = (metadata.get("model") or {}).get("hookpoint")
    if isinstance(hookpoint, str):
        return hookpoint
    if available is not None and len(available) == 1:
        return available[0]
    origin = metadata.get("imported_from")
    how = f"imported from a {origin} folder, " if origin else ""
    raise ReleaseError(f"SAE {source}: {how}its metadata records no hookpoint, and the activations hold "
                       f"{available or 'none to choose from'}; export it as a saescope release with its hookpoint")
