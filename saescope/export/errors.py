"""The one error type of exporting, verifying and loading releases."""

from __future__ import annotations


class ReleaseError(RuntimeError):
    """A release or checkpoint is missing a file, or a file does not match what the release says it is."""
