"""Resumable outputs record the settings they were made with; continuing one with other settings is refused."""

from __future__ import annotations

from typing import Any


def changed_settings(recorded: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    """The keys of `settings` whose recorded value differs, sorted."""
    return sorted(k for k in settings if recorded.get(k) != settings[k])


def refuse_other_settings(recorded: dict[str, Any], settings: dict[str, Any], what: str, fix: str,
                          error: type[Exception]) -> None:
    """Raise `error` naming `what` (e.g. a progress file) and the keys that differ, then how to go on."""
    changed = changed_settings(recorded, settings)
    if changed:
        raise error(f"{what} with other settings (differs in: {', '.join(changed)}); {fix}")
