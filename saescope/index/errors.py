"""The one error type of building, merging and reading reverse indexes."""

from __future__ import annotations

from saescope.errors import SaescopeError


class ReverseIndexError(SaescopeError, RuntimeError):
    """An SAE, dataset, tokenizer or index part that cannot be used; the message names it."""
