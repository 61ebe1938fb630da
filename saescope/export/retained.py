"""Exports of the checkpoints a training run retains (`train.export_formats`), made as the run goes.

Each retained checkpoint gets its release in `<checkpoint>/release/`, inside the checkpoint folder, so the
registry deleting a checkpoint deletes its export with it and a re-saved step is re-exported.
"""

from __future__ import annotations

from pathlib import Path

from saescope.export.release import export_release
from saescope.release.registry import read_registry

RELEASE_DIR = "release"


def export_retained(checkpoints: Path, formats: list[str]) -> list[Path]:
    """Export every checkpoint listed in `checkpoints/registry.json` that has no release yet; returns all
    retained checkpoints' release folders."""
    releases = []
    for entry in read_registry(checkpoints).checkpoints:
        release = Path(checkpoints) / entry.path / RELEASE_DIR
        if not release.is_dir():
            export_release(release.parent, release, formats=formats)
        releases.append(release)
    return releases
