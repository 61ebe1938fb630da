"""`saescope.Sae`: the TopK SAE with a loader for releases, checkpoints, hub repos and peer folders."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saescope.release.load import load_sae
from saescope.sae.model import TopKSae


class Sae(TopKSae):
    metadata: dict[str, Any]

    @classmethod
    def load(cls, path_or_repo_id: str | Path, revision: str | None = None, format: str | None = None) -> Sae:
        """Load from a release folder, a hub repo id (offline from its cache), a training checkpoint, or a
        SAELens / sparsify folder; `.metadata` holds the release metadata."""
        sae, metadata = load_sae(path_or_repo_id, revision, format, model_class=cls)
        sae.metadata = metadata
        return sae
