"""The provenance block of release_manifest.json, and the card inputs that live in it (evaluation snapshot
lines, the reverse-index summary) so the card can be regenerated from the release folder alone."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from saescope.release.errors import ReleaseError
from saescope.release.layout import INDEX_DIR, INDEX_FILES
from saescope.utils.atomic import read_json_object, sha256_file


def snapshot_lines(eval_results: list[Path]) -> list[str]:
    """The `snapshot_line` of each evaluation result JSON; files without one are skipped."""
    lines = []
    for path in eval_results:
        result = read_json_object(path, ReleaseError)
        if isinstance(result.get("snapshot_line"), str):
            lines.append(result["snapshot_line"])
    return lines


def copy_index(summary: Path, release: Path) -> list[str]:
    """Copy the index summary and the companion files the reference release ships beside it into
    reverse-index/<index name>/."""
    summary = Path(summary)
    if not summary.is_file():
        raise ReleaseError(f"{summary}: reverse-index summary missing")
    target = release / INDEX_DIR / summary.parent.name
    target.mkdir(parents=True)
    copied = []
    for name in INDEX_FILES:
        source = summary if name == INDEX_FILES[0] else summary.parent / name
        if source.is_file():
            shutil.copyfile(source, target / name)
            copied.append(f"{INDEX_DIR}/{summary.parent.name}/{name}")
    return copied


def index_summary_entry(release: Path, summary_rel: str | None) -> dict[str, str] | None:
    if summary_rel is None:
        return None
    return {"path": summary_rel, "sha256": sha256_file(release / summary_rel)}


def release_provenance(metadata: dict[str, Any], repo_id: str | None, eval_lines: list[str],
                       index_summary: dict[str, str] | None) -> dict[str, Any]:
    model, training, data, export = (metadata[s] for s in ("model", "training", "data", "export"))
    return {
        "repo_id": repo_id,
        "base_model": model["name"],
        "base_model_revision": model["revision"],
        "hookpoint": model["hookpoint"],
        "layer_label": model["layer_label"],
        "checkpoint": export["checkpoint"],
        "checkpoint_step": export["checkpoint_step"],
        "selected_because": export["selected_because"],
        "tokens_seen": training["tokens_seen"],
        "training_run": training["run_name"],
        "wandb": training["wandb"],
        "raw_dataset": data["raw_dataset"],
        "activation_dataset": data["activations"],
        "activations_manifest_sha256": data["activations_manifest_sha256"],
        "reverse_index_summary": index_summary,
        "evaluation_snapshots": eval_lines,
    }
