"""What every stage's plan shares: its inputs, its result, and how a result's time and bound are read."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from saescope.config.hookpoints import parse_hookpoint
from saescope.config.schema import SaescopeConfig
from saescope.plan.costs import SaeShape
from saescope.plan.dataset import ACTIVATION_BYTES, DatasetSize
from saescope.plan.errors import PlanError
from saescope.plan.hardware import Cluster
from saescope.plan.model import ModelShape


@dataclass(frozen=True)
class PlanInputs:
    cfg: SaescopeConfig
    model: ModelShape
    data: DatasetSize
    sae: SaeShape
    cluster: Cluster


@dataclass
class StageResult:
    name: str
    bytes_written: float
    bytes_read: float
    flops: float
    peak_host_bytes: float
    peak_device_bytes: float
    seconds: float
    bound: str
    times: dict[str, float]  # seconds per resource
    overlapping: list[list[str]]  # resources in one group run one after another; groups overlap
    setup_seconds: float
    details: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def finish(name: str, groups: list[dict[str, float]], setup: float, **fields: Any) -> StageResult:
    """The stage's time (slowest group + setup) and bound (the largest resource of that group)."""
    totals = [sum(g.values()) for g in groups]
    slowest = groups[totals.index(max(totals))]
    times = {k: v for g in groups for k, v in g.items()}
    return StageResult(name=name, seconds=max(totals) + setup, bound=max(slowest, key=lambda k: slowest[k]),
                       times=times, overlapping=[list(g) for g in groups], setup_seconds=setup, **fields)


def model_dtype_bytes(cfg: SaescopeConfig) -> int:
    return ACTIVATION_BYTES[cfg.model.dtype]


def check_hookpoint(model: ModelShape, hookpoint: str) -> int:
    index = parse_hookpoint(hookpoint)
    if index >= model.layers:
        raise PlanError(f"hookpoint {hookpoint}: the model has {model.layers} blocks (layers.0 … "
                        f"layers.{model.layers - 1})")
    return index
