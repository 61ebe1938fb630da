"""The reverse feature index: per-feature firing metrics and top activating examples in context, built over an
activation dataset with an SAE (`build_index`), merged from parts (`merge_indexes`) and read back (`ReverseIndex`)."""

from saescope.index.errors import ReverseIndexError
from saescope.index.merge import merge_indexes
from saescope.index.reader import ReverseIndex
from saescope.index.run import build_index

__all__ = ["ReverseIndex", "ReverseIndexError", "build_index", "merge_indexes"]
