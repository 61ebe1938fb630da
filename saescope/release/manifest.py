"""Reading `release_manifest.json` and the checks a verifier or loader runs against it. Manifest paths are
untrusted input: one that would resolve outside the release folder (absolute, `..`, a symlink pointing out) is
refused, never opened."""

from __future__ import annotations

from pathlib import Path, PurePosixPath
from typing import Any

from saescope.release.errors import ReleaseError
from saescope.release.layout import MANIFEST
from saescope.utils.atomic import read_json_object, sha256_file

FORMAT = "saescope-release-manifest"
FORMAT_VERSION = 1


def release_files(root: Path) -> list[str]:
    """Every regular file under `root` except the manifest itself, as sorted POSIX paths."""
    files = (p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    return sorted(f for f in files if f != MANIFEST)


def read_manifest(root: Path) -> dict[str, Any]:
    path = root / MANIFEST
    manifest = read_json_object(path, ReleaseError, missing="missing")
    if not isinstance(manifest.get("files"), list):
        raise ReleaseError(f"{path}: has no 'files' list")
    return manifest


def link_root(root: Path) -> Path:
    """Where symlinks of `root` may point: a hub cache snapshot (`<repo>/snapshots/<rev>/`) links every file
    into its repo's `blobs/`, so there the repo cache folder is the boundary; elsewhere `root` itself."""
    repo = root.resolve().parent.parent
    if root.resolve().parent.name == "snapshots" and (repo / "blobs").is_dir():
        return repo
    return root.resolve()


def safe_member(root: Path, rel: Any) -> Path:
    """`root / rel`, refusing any path that is not a plain relative path staying inside `root`."""
    if not isinstance(rel, str) or not rel or "\\" in rel:
        raise ReleaseError(f"{root / MANIFEST}: invalid file path {rel!r}")
    pure = PurePosixPath(rel)
    if pure.is_absolute() or ".." in pure.parts:
        raise ReleaseError(f"{root / MANIFEST}: file path {rel!r} escapes the release folder")
    path = root / pure
    # resolve() follows symlinks, so a link inside the folder pointing elsewhere is caught here too.
    if not path.resolve().is_relative_to(link_root(root)):
        raise ReleaseError(f"{root / MANIFEST}: file path {rel!r} resolves outside the release folder")
    return path


def check_entry(root: Path, entry: dict[str, Any]) -> Path:
    """Size and sha256 of one manifest entry; raises ReleaseError naming the file."""
    path = safe_member(root, entry.get("path"))
    rel = entry["path"]
    if not path.is_file():
        raise ReleaseError(f"{rel}: listed in {MANIFEST} but missing")
    size = path.stat().st_size
    if size != entry.get("bytes"):
        raise ReleaseError(f"{rel}: {size} bytes, {MANIFEST} says {entry.get('bytes')}")
    digest = sha256_file(path)
    if digest != entry.get("sha256"):
        raise ReleaseError(f"{rel}: sha256 {digest} does not match {MANIFEST} ({entry.get('sha256')})")
    return path


def entry_for(manifest: dict[str, Any], rel: str) -> dict[str, Any] | None:
    return next((e for e in manifest["files"] if isinstance(e, dict) and e.get("path") == rel), None)
