"""The one error type of exporting, verifying and loading releases."""

from __future__ import annotations

from saescope.errors import SaescopeError


class ReleaseError(SaescopeError, RuntimeError):
    """A release or checkpoint is missing a file, or a file does not match what the release says it is."""
