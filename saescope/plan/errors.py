"""The plan's one error: a missing file, flag or model config, said in one line."""

from __future__ import annotations

from saescope.errors import SaescopeError


class PlanError(SaescopeError, ValueError):
    """Input the plan cannot be computed from; the message names the file or flag to give."""
