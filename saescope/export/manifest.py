"""Writing `release_manifest.json`: every file of a release (path, bytes, sha256, role) plus provenance.
Its readers and checks are in `saescope.release.manifest`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saescope.release.layout import role_of
from saescope.release.manifest import FORMAT, FORMAT_VERSION, release_files
from saescope.utils.atomic import sha256_file


def file_entry(root: Path, rel: str) -> dict[str, Any]:
    path = root / rel
    return {"path": rel, "bytes": path.stat().st_size, "sha256": sha256_file(path), "role": role_of(rel)}


def build_manifest(root: Path, provenance: dict[str, Any]) -> dict[str, Any]:
    return {"format": FORMAT, "format_version": FORMAT_VERSION,
            "files": [file_entry(root, rel) for rel in release_files(root)], "provenance": provenance}
