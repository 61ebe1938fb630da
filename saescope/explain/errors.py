from __future__ import annotations

from saescope.errors import SaescopeError


class ExplainError(SaescopeError):
    """A bad selection, template, backend setting or endpoint reply; the message names it."""
