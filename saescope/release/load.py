"""Load a TopK or BatchTopK SAE from a release folder, a hub repository or a training checkpoint folder.

Files read from a release are checked against release_manifest.json (size and sha256) when it is present;
nothing is ever unpickled (`.pt` files are read with `weights_only=True`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saescope.release.checkpoint import is_checkpoint, read_checkpoint, read_header
from saescope.release.errors import ReleaseError
from saescope.release.formats import read_format
from saescope.release.hub import hub_id
from saescope.release.layout import (
    FORMATS,
    MANIFEST,
    METADATA,
    ONNX_DATA,
    PT,
    SAFETENSORS,
    architecture_of,
    format_files,
)
from saescope.release.manifest import check_entry, entry_for, read_manifest
from saescope.release.metadata import check_shapes, release_metadata
from saescope.release.peers import detect_format, read_saelens, read_sparsify
from saescope.sae.batchtopk import BatchTopKSae, sae_class
from saescope.sae.model import TopKSae
from saescope.utils.atomic import read_json_object

FILE_FORMATS = {SAFETENSORS: "safetensors", PT: "pt", "model.onnx": "onnx"}


def download(repo_id: str, revision: str | None, fmt: str) -> Path:
    """Fetch only what loading `fmt` needs; honours HF_HUB_OFFLINE=1 by answering from the local cache."""
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, LocalEntryNotFoundError

    # BatchTopK's raw file list (a superset of TopK's): a pattern matching nothing downloads nothing.
    patterns = [METADATA, MANIFEST, *format_files(fmt, "batchtopk"), *([ONNX_DATA] if fmt == "onnx" else [])]
    try:
        return Path(snapshot_download(repo_id, revision=revision, allow_patterns=patterns))
    except LocalEntryNotFoundError as e:
        raise ReleaseError(f"{repo_id}: not in the local hub cache and the hub is unreachable or offline "
                           f"(HF_HUB_OFFLINE); download it once with network access ({e})") from e
    except HfHubHTTPError as e:
        raise ReleaseError(f"{repo_id}: hub download failed ({e})") from e


def resolve(source: str | Path, revision: str | None, fmt: str | None) -> tuple[Path, str | None]:
    """The local folder to load from, and the format implied by a file path (model.pt -> pt)."""
    path = Path(source)
    if path.is_dir():
        return path, fmt
    if path.is_file() and path.name in FILE_FORMATS:
        return path.parent, fmt or FILE_FORMATS[path.name]
    repo_id = hub_id(str(source))
    if repo_id is None or path.exists():
        raise ReleaseError(f"{source}: no such release or checkpoint folder, and not a hub repo id (owner/name)")
    return download(repo_id, revision, fmt or "safetensors"), fmt


def release_metadata_of(folder: Path) -> dict[str, Any]:
    """model.metadata.json, or the same JSON from the safetensors header when only that file is at hand."""
    if (folder / METADATA).is_file():
        return read_json_object(folder / METADATA, ReleaseError)
    if (folder / SAFETENSORS).is_file():
        return read_header(folder / SAFETENSORS)
    raise ReleaseError(f"{folder / METADATA}: missing (and no {SAFETENSORS} to read the metadata from)")


def check_checksums(folder: Path, fmt: str) -> None:
    """Size and sha256 of every file `fmt` reads, when the release has a manifest."""
    if not (folder / MANIFEST).is_file():
        return
    manifest = read_manifest(folder)
    arch = architecture_of(release_metadata_of(folder))  # which raw files there are; checked itself just below
    needed = [*format_files(fmt, arch), *([METADATA] if (folder / METADATA).is_file() else [])]
    if fmt == "onnx" and (folder / ONNX_DATA).is_file():
        needed.append(ONNX_DATA)
    for rel in needed:
        entry = entry_for(manifest, rel)
        if entry is None:
            raise ReleaseError(f"{folder / rel}: not listed in {MANIFEST}, so it cannot be checked")
        check_entry(folder, entry)


def load_release(folder: Path, fmt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    check_checksums(folder, fmt)
    metadata = release_metadata_of(folder)
    state = read_format(folder, fmt, metadata)
    check_shapes(state, metadata["architecture"], str(folder / format_files(fmt)[0]))
    return state, metadata


def load_checkpoint(folder: Path, fmt: str) -> tuple[dict[str, Any], dict[str, Any]]:
    if fmt != "safetensors":
        raise ReleaseError(f"{folder}: a training checkpoint has only safetensors weights, not {fmt}")
    src = read_checkpoint(folder)
    return src.state, release_metadata(src, ["safetensors"], exported_at=None)


def load_sae(path_or_repo_id: str | Path, revision: str | None = None, format: str | None = None,
             model_class: type[TopKSae] = TopKSae) -> tuple[TopKSae, dict[str, Any]]:
    """(model, metadata) from a release folder, a hub repo id (optionally at `revision`) or a checkpoint folder.

    `format` picks the weights to read: safetensors (default), pt, raw or onnx (the graph's initializers).
    SAELens and EleutherAI sparsify folders are imported too (their weights already hold any normalisation).
    `model_class` (a TopKSae subclass) is what gets built, so a subclass's `load` can return its own type; for a
    BatchTopK SAE (metadata `architecture.type` "batchtopk") a subclass of both it and BatchTopKSae.
    """
    if format is not None and format not in FORMATS:
        raise ValueError(f"unknown format '{format}'; choose from {list(FORMATS)}")
    if revision is not None and Path(path_or_repo_id).exists():
        raise ValueError(f"{path_or_repo_id}: revision applies to hub repositories, not local folders")
    folder, fmt = resolve(path_or_repo_id, revision, format)
    fmt = fmt or "safetensors"
    peer = detect_format(folder)
    if peer in ("saelens", "sparsify"):  # other tools' folders: normaliser already folded into the weights
        imported = read_saelens(folder) if peer == "saelens" else read_sparsify(folder)
        sae = sae_class(imported.architecture, model_class).from_state_dict(imported.state_dict(), k=imported.k)
        arch = {"type": sae.architecture, "d_in": sae.d_in, "d_sae": sae.d_sae, "k": sae.k}
        if isinstance(sae, BatchTopKSae):
            arch |= {"threshold": float(sae.threshold), "k_cap": sae.k_cap}
        return sae.eval(), {"architecture": arch, "imported_from": peer}
    if is_checkpoint(folder) and not (folder / METADATA).is_file():
        state, metadata = load_checkpoint(folder, fmt)
    else:
        state, metadata = load_release(folder, fmt)
    cls = sae_class(architecture_of(metadata), model_class)
    sae = cls.from_state_dict(state, k=int(metadata["architecture"]["k"]))
    return sae.eval(), metadata
