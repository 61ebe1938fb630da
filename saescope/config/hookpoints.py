"""Hookpoint names, `layers.N`, and their layer labels; torch-free, so config validation imports no model code."""

from __future__ import annotations

import re

from saescope.errors import SaescopeError

_HOOKPOINT = re.compile(r"^layers\.(\d+)$")


class HookpointError(SaescopeError, ValueError):
    """A hookpoint name that is malformed, or that the model does not have."""


def parse_hookpoint(hookpoint: str) -> int:
    match = _HOOKPOINT.match(hookpoint)
    if match is None:
        raise HookpointError(f"hookpoint '{hookpoint}' is not of the form 'layers.N' (e.g. layers.35)")
    return int(match.group(1))


def hookpoint_label(hookpoint: str) -> str:
    """`layers.35` -> `l36`: the Qwen3-8B l36 release's layer label counts blocks from one."""
    return f"l{parse_hookpoint(hookpoint) + 1}"
