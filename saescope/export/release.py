"""`saescope export`: turn one training checkpoint into a self-describing release folder.

The release is assembled in a hidden sibling folder and renamed into place at the end, so `out` either does
not exist or holds a complete release whose manifest covers every file; an error (or a kill) mid-way leaves
no `out` folder (a killed process can leave the hidden `.<name>.partial-<pid>` folder, never `out`).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

from saescope.export.card import read_index_summary, render_card
from saescope.export.formats import write_pt, write_raw, write_safetensors
from saescope.export.interop import write_saelens, write_sparsify
from saescope.export.manifest import build_manifest
from saescope.export.onnx_graph import write_onnx
from saescope.export.provenance import copy_index, index_summary_entry, release_provenance, snapshot_lines
from saescope.release.checkpoint import CheckpointSource, read_checkpoint
from saescope.release.errors import ReleaseError
from saescope.release.layout import (
    CARD,
    FORMATS,
    INTEROP_FORMATS,
    MANIFEST,
    METADATA,
    PT,
    SAFETENSORS,
    architecture_of,
    check_formats,
)
from saescope.release.manifest import read_manifest, release_files
from saescope.release.metadata import release_metadata
from saescope.release.peers import SPARSIFY_BATCHTOPK
from saescope.sae.batchtopk import sae_class
from saescope.utils.atomic import read_json_object, write_bytes_atomic, write_json_atomic
from saescope.utils.timestamps import utc_now


def write_json(path: Path, obj: Any) -> None:
    path.write_text(json.dumps(obj, indent=2, ensure_ascii=False) + "\n")


def write_weights(folder: Path, src: CheckpointSource, meta: dict[str, Any], formats: list[str]) -> None:
    """model.safetensors and model.metadata.json always; then each requested format."""
    write_safetensors(src.state, meta, folder / SAFETENSORS)
    write_json(folder / METADATA, meta)
    if "pt" in formats:
        write_pt(src.state, meta, folder / PT)
    if "onnx" in formats:
        write_onnx(src.state, meta["architecture"]["k"], meta, folder)
    arch = architecture_of(meta)
    if "raw" in formats:
        write_raw(src.state, folder, arch)
    if INTEROP_FORMATS[0] in formats or INTEROP_FORMATS[1] in formats:
        sae = sae_class(arch).from_state_dict(src.state, meta["architecture"]["k"])
        hookpoint = meta["model"]["hookpoint"]
        if "saelens" in formats:
            write_saelens(sae, folder / "saelens", {"hookpoint": hookpoint, "model_name": meta["model"]["name"]})
        if "sparsify" in formats:
            write_sparsify(sae, folder / "sparsify", hookpoint)


def write_card_and_manifest(folder: Path, meta: dict[str, Any], prov: dict[str, Any]) -> None:
    """README.md from the metadata, then the manifest over every file (the README included)."""
    files = sorted([*release_files(folder), CARD, MANIFEST])
    card = render_card(meta, prov, files, read_index_summary(folder, prov))
    (folder / CARD).write_text(card)
    write_json(folder / MANIFEST, build_manifest(folder, prov))


def make_readable(folder: Path) -> None:
    # safetensors creates its file owner-only (0600); a release is meant to be shared.
    for path in folder.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)


def assemble(folder: Path, src: CheckpointSource, formats: list[str], eval_lines: list[str],
             index_summary: Path | None, repo_id: str | None) -> None:
    meta = release_metadata(src, check_formats(["safetensors", *formats]), exported_at=utc_now())
    write_weights(folder, src, meta, formats)
    index_files = copy_index(index_summary, folder) if index_summary is not None else []
    summary_entry = index_summary_entry(folder, index_files[0] if index_files else None)
    write_card_and_manifest(folder, meta, release_provenance(meta, repo_id, eval_lines, summary_entry))
    make_readable(folder)


def export_release(checkpoint: Path, out: Path, formats: list[str] | None = None,
                   eval_results: list[Path] | None = None, index_summary: Path | None = None,
                   repo_id: str | None = None) -> Path:
    """Write a release of the checkpoint folder `checkpoint` to the new folder `out`; returns `out`.

    `formats` is a subset of safetensors/pt/onnx/raw (default: all four) and saelens/sparsify (sub-folders
    in those libraries' layouts); model.safetensors and
    model.metadata.json are always written. `eval_results` contribute their `snapshot_line` to the card;
    `index_summary` (a reverse index's summary.json) is copied with its companion files under reverse-index/.
    `repo_id` is the hub repository named in the card (see `set_repo_id` to change it later).
    """
    out = Path(out)
    chosen = check_formats(list(FORMATS) if formats is None else formats)
    if out.exists():
        raise ReleaseError(f"{out}: already exists; export to a new folder (or delete it first)")
    src = read_checkpoint(Path(checkpoint))
    if "sparsify" in chosen and architecture_of(src.header) == "batchtopk":
        raise ReleaseError(SPARSIFY_BATCHTOPK)
    eval_lines = snapshot_lines([Path(p) for p in eval_results or []])  # fail before writing anything
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial-{os.getpid()}")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        assemble(partial, src, chosen, eval_lines, index_summary, repo_id)
        partial.rename(out)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return out


def set_repo_id(release: Path, repo_id: str) -> None:
    """Name the hub repository in an existing release: regenerate README.md and rewrite the manifest."""
    release = Path(release)
    manifest = read_manifest(release)
    prov = {**manifest.get("provenance", {}), "repo_id": repo_id}
    meta = read_json_object(release / METADATA, ReleaseError)
    files = sorted({*release_files(release), CARD, MANIFEST})
    card = render_card(meta, prov, files, read_index_summary(release, prov))
    write_bytes_atomic(release / CARD, card.encode())
    write_json_atomic(release / MANIFEST, build_manifest(release, prov))
