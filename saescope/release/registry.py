"""`registry.json`: the checkpoints a training run retains, each with its metrics and why it is kept.

One typed model, read and written here only. The reasons are stored as fields (`best_rank`, `final`, `latest`),
so choosing a checkpoint is a lookup by field; `retained_because` is the same information in words, for people.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from saescope.release.errors import ReleaseError
from saescope.release.layout import REGISTRY
from saescope.utils.atomic import read_json_object, write_json_atomic


class RetentionPolicy(BaseModel):
    """Which checkpoints survive: the best `best_count` by `metric` (lower or higher is better), the final one,
    and the latest (the resume point)."""

    model_config = ConfigDict(frozen=True)

    best_count: int = Field(3, ge=0)
    metric: str = "loss"
    mode: Literal["min", "max"] = "min"


class RegistryEntry(BaseModel):
    """One retained checkpoint folder, `path`, relative to the registry's folder."""

    step: int
    tokens_seen: int = 0
    path: str
    metrics: dict[str, float] = Field(default_factory=dict)
    final: bool = False
    latest: bool = False
    best_rank: int | None = Field(None, ge=1, description="1 = best by the policy's metric; None: not among the best.")
    retained_because: list[str] = Field(default_factory=list)

    def reasons(self, policy: RetentionPolicy) -> list[str]:
        """Why the entry is kept, in words (what `retained_because` records)."""
        words = []
        if self.best_rank is not None:
            words.append(f"best {policy.metric} ({policy.mode}) #{self.best_rank} of {policy.best_count}")
        if self.final:
            words.append("final")
        if self.latest:
            words.append("latest (resume point)")
        return words


class Registry(BaseModel):
    policy: RetentionPolicy = Field(default_factory=RetentionPolicy)
    checkpoints: list[RegistryEntry] = Field(default_factory=list)

    def final(self) -> RegistryEntry | None:
        return next((e for e in reversed(self.checkpoints) if e.final), None)

    def best(self) -> RegistryEntry | None:
        return next((e for e in self.checkpoints if e.best_rank == 1), None)

    def entry(self, path: str) -> RegistryEntry | None:
        return next((e for e in self.checkpoints if e.path == path), None)


def read_registry(folder: Path) -> Registry:
    """The registry in `folder` (an empty one when there is none); a damaged file is an error naming it."""
    path = Path(folder) / REGISTRY
    if not path.exists():
        return Registry()
    data = read_json_object(path, ReleaseError)
    try:
        return Registry.model_validate(data)
    except ValidationError as e:
        where = ".".join(str(p) for p in e.errors()[0]["loc"])
        raise ReleaseError(f"{path}: not a checkpoint registry ({where}: {e.errors()[0]['msg']})") from e


def write_registry(folder: Path, registry: Registry) -> None:
    write_json_atomic(Path(folder) / REGISTRY, registry.model_dump(mode="json"))
