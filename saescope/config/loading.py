"""YAML config files plus command-line overrides, validated together so errors name the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from saescope.config.schema import SaescopeConfig
from saescope.errors import SaescopeError

# An override that sets a key to None on purpose (a flag given as "none"); a plain None means "not given".
EXPLICIT_NONE = object()


class ConfigError(SaescopeError, ValueError):
    """A config file or override that cannot be used; the message names the file and key."""


def _format_validation_error(err: ValidationError, origin: str) -> str:
    lines = [f"{origin}: invalid config"]
    for e in err.errors():
        key = ".".join(str(p) for p in e["loc"])
        msg = "unknown key" if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {key}: {msg}")
    return "\n".join(lines)


def read_yaml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text())
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config file ({e.strerror})") from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)  # one line: the position and the problem, not YAML's excerpt
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        raise ConfigError(f"{path}: not valid YAML{where}: {getattr(e, 'problem', None) or e}") from e
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of sections, got {type(data).__name__}")
    return data


def apply_overrides(data: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """Set dotted keys (`harvest.batch_tokens`) on a nested dict; None means 'not given'."""
    merged = {k: dict(v) if isinstance(v, dict) else v for k, v in data.items()}
    for dotted, value in overrides.items():
        if value is None:
            continue
        if value is EXPLICIT_NONE:
            value = None
        section, key = dotted.split(".", 1)
        target = merged.setdefault(section, {})
        if not isinstance(target, dict):
            raise ConfigError(f"section '{section}' must be a mapping")
        target[key] = value
    return merged


def load_config(path: str | Path | None = None, overrides: dict[str, Any] | None = None) -> SaescopeConfig:
    data = read_yaml(path) if path is not None else {}
    data = apply_overrides(data, overrides or {})
    try:
        return SaescopeConfig.model_validate(data)
    except ValidationError as e:
        origin = str(path) if path is not None else "command line"
        raise ConfigError(_format_validation_error(e, origin)) from e
