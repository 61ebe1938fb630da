"""What the GPU check compares, within which tolerance, and the one table it prints.

A stage's run on a device is a `StageResult`: its throughput, its peak GPU memory and named figures. A `Check`
compares one figure of the device's run with the CPU's:

- `abs`: |device - cpu| <= tol;  `rel`: |device - cpu| <= tol * |cpu|
- `max`: device <= tol, for an error the device run computed against the CPU's outputs (the CPU column says
  `ref`); `min`: device >= tol, for a fraction that agrees with the CPU's outputs
- `info`: shown, not compared (the bf16 paths, timed only: the comparison runs both devices in float32)
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["abs", "rel", "max", "min", "info"]


@dataclass(frozen=True)
class Check:
    key: str  # the figure's key in StageResult.figures
    label: str  # what the table calls it
    kind: Kind
    tol: float = 0.0

    def describe(self) -> str:
        return {"abs": f"abs. diff <= {self.tol:g}", "rel": f"rel. diff <= {self.tol:g}", "max": f"<= {self.tol:g}",
                "min": f">= {self.tol:g}", "info": "timing only"}[self.kind]


@dataclass
class StageResult:
    stage: str
    device: str
    rate: float | None = None  # units per second over the stage's call (model loading included)
    unit: str = "tok/s"
    peak_mib: float | None = None  # torch.cuda.max_memory_allocated, reset before the stage; None on the CPU
    seconds: float = 0.0
    figures: dict[str, float] = field(default_factory=dict)
    error: str | None = None  # the stage raised: one line


def agrees(kind: Kind, cpu: float | None, device: float, tol: float) -> bool:
    """Whether `device` agrees with `cpu` under `kind` and `tol`; a non-finite device figure never does."""
    if kind == "info":
        return True
    if not math.isfinite(device):
        return False
    if kind == "max":
        return device <= tol
    if kind == "min":
        return device >= tol
    if cpu is None or not math.isfinite(cpu):
        return False
    if kind == "abs":
        return abs(device - cpu) <= tol
    return abs(device - cpu) <= tol * abs(cpu)


def figure_text(value: float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or (float(value).is_integer() and abs(value) < 1e9):
        return f"{int(value):,}"
    return f"{value:.6g}" if abs(value) >= 1e-3 else f"{value:.2e}"


def rate_text(result: StageResult | None) -> str:
    if result is None or result.rate is None:
        return "-"
    return f"{result.rate:,.0f} {result.unit}"


def memory_text(result: StageResult | None) -> str:
    return "-" if result is None or result.peak_mib is None else f"{result.peak_mib:,.0f}"


HEADER = ["stage", "CPU rate", "{dev} rate", "{dev} peak MiB", "figure", "CPU", "{dev}", "tolerance", "result"]


def stage_rows(checks: tuple[Check, ...], cpu: StageResult | None,
               device: StageResult | None) -> list[tuple[list[str], bool]]:
    """The table rows of one stage (one per check; rate and memory on the first) and whether each failed.
    Without a device run the CPU figures are shown and nothing is compared."""
    name = (device or cpu).stage  # type: ignore[union-attr]
    head = [name, rate_text(cpu), rate_text(device), memory_text(device)]
    error = device.error if device is not None else (cpu.error if cpu is not None else None)
    if error is not None:
        return [([*head, "-", "-", "-", "-", f"FAIL: {error}"], True)]
    rows = []
    for i, check in enumerate(checks):
        first = head if i == 0 else [name, "", "", ""]
        cpu_value = cpu.figures.get(check.key) if cpu is not None else None
        cpu_cell = "ref" if check.kind in ("max", "min") else figure_text(cpu_value)
        if device is None:
            cells = [*first, check.label, cpu_cell, "-", check.describe(), "cpu only"]
            rows.append((cells, False))
            continue
        dev_value = device.figures.get(check.key, math.nan)
        passed = agrees(check.kind, cpu_value, dev_value, check.tol)
        verdict = "-" if check.kind == "info" else ("pass" if passed else "FAIL")
        rows.append(([*first, check.label, cpu_cell, figure_text(dev_value), check.describe(), verdict], not passed))
    return rows


def render_table(rows: list[list[str]], device_label: str) -> str:
    """A markdown table (it reads as plain text too) with aligned columns."""
    header = [h.format(dev=device_label) for h in HEADER]
    rows = [[cell.replace("|", "/") for cell in row] for row in rows]  # an error message must not split a row
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    rule = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(header), rule, *(line(r) for r in rows)])
