"""The reverse feature index: per-feature firing metrics and top activating examples in context, built over an
activation dataset with an SAE (`build_index`), merged from parts (`merge_indexes`) and read back (`ReverseIndex`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from saescope.index.errors import ReverseIndexError
from saescope.index.reader import ReverseIndex

if TYPE_CHECKING:
    from saescope.index.merge import merge_indexes
    from saescope.index.run import build_index

__all__ = ["ReverseIndex", "ReverseIndexError", "build_index", "merge_indexes"]

# Building and merging load torch; reading does not: import them on first use, so queries start fast.
_LAZY = {"build_index": "saescope.index.run", "merge_indexes": "saescope.index.merge"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'saescope.index' has no attribute {name!r}")
