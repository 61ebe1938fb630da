"""A plan as a text table (valid markdown, padded for a terminal) with each stage's breakdown, or as JSON."""

from __future__ import annotations

import json
from typing import Any

from saescope.plan.base import StageResult
from saescope.plan.make import Plan

COLUMNS = ("stage", "written", "read", "FLOPs", "host peak", "GPU peak", "time", "bound")


def fmt_bytes(n: float) -> str:
    """SI units (1 GB = 1e9 bytes), three significant figures."""
    for unit, scale in (("PB", 1e15), ("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if abs(n) >= scale:
            return f"{n / scale:.3g} {unit}"
    return f"{n:.0f} B"


def fmt_seconds(s: float) -> str:
    if 0 < s < 1:
        return f"{s * 1e3:.3g} ms"
    if s < 120:
        return f"{s:.3g} s"
    if s < 2 * 3600:
        return f"{s / 60:.3g} min"
    if s < 48 * 3600:
        return f"{s / 3600:.3g} h"
    return f"{s / 86400:.3g} d"


def fmt_flops(f: float) -> str:
    return f"{f:.3g}" if f else "0"


def fmt_value(key: str, value: Any) -> str:
    """A detail's value, by what its name says it counts."""
    if isinstance(value, str):
        return value
    if "bytes" in key:
        return fmt_bytes(value)
    if "flops" in key:
        return fmt_flops(value)
    if "seconds" in key:
        return fmt_seconds(value)
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:.3g}"


def _row(stage: StageResult | dict[str, Any]) -> list[str]:
    s = stage.to_dict() if isinstance(stage, StageResult) else stage
    return [s["name"], fmt_bytes(s["bytes_written"]), fmt_bytes(s["bytes_read"]), fmt_flops(s["flops"]),
            fmt_bytes(s["peak_host_bytes"]), fmt_bytes(s["peak_device_bytes"]), fmt_seconds(s["seconds"]),
            s.get("bound", "")]


def padded_table(header: tuple[str, ...], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [list(header), *rows]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    return [line(list(header)), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, rows)]


def _header(plan: Plan) -> list[str]:
    m, d, sae, c = (plan.inputs[k] for k in ("model", "dataset", "sae", "cluster"))
    rev = f"@{m['revision']}" if m.get("revision") else ""
    a = c["assumptions"]
    return [
        f"model:   {m['name']}{rev} ({m['architecture']}, {m['params'] / 1e9:.3g}B parameters, {m['layers']} blocks, "
        f"d {m['hidden']})",
        f"dataset: {d['records']:,} records, {d['conversations']:,} conversations, {d['shards']:,} shards, "
        f"{d['hookpoints']} hookpoint(s) in {d['dtype']}: {fmt_bytes(d['bytes']['total'])} ({d['source']})",
        f"SAE:     d_in {sae['d_in']:,}, d_sae {sae['d_sae']:,}, k {sae['k']}, aux_k {sae['aux_k']}, "
        f"{sae['params']:,} parameters, {sae['n_dead']:,} dead latents assumed",
        f"cluster: {c['gpus']} x {c['gpu']} on {c['nodes']} node(s); disk {a['disk_read_bytes_s'] / 1e9:g}/"
        f"{a['disk_write_bytes_s'] / 1e9:g} GB/s read/write per node, hub {a['network_bytes_s'] / 1e9:g} GB/s",
    ]


def _groups(s: StageResult) -> str:
    """`a 1 s + b 2 s = 3 s | c 4 s`: one after another within a group, groups side by side."""
    parts = []
    for group in s.overlapping:
        terms = [f"{k} {fmt_seconds(s.times[k])}" for k in group if s.times[k] > 0]
        total = sum(s.times[k] for k in group)
        parts.append(" + ".join(terms) + (f" = {fmt_seconds(total)}" if len(terms) > 1 else ""))
    return " | ".join(p for p in parts if p)


def _stage_lines(s: StageResult) -> list[str]:
    lines = [f"{s.name}: {_groups(s)}; setup {fmt_seconds(s.setup_seconds)} -> {fmt_seconds(s.seconds)}, "
             f"{s.bound}-bound"]
    lines.append("  " + "; ".join(f"{k.replace('_', ' ')} {fmt_value(k, v)}" for k, v in s.details.items()))
    lines += [f"  - {note}" for note in s.notes]
    return lines


ASSUMPTIONS = (
    "FLOPs count multiply-adds as 2; the LM forward is 2 x params met x tokens plus attention, stopping at the deepest "
    "hookpoint (harvest); core-plus runs the prefix once and the suffix and LM head 3 times",
    "train: encoder GEMM 2·B·d·n forward, its W_enc backward from the sparse code (2·B·k·d), the sparse decoder "
    "(6·B·k·d), AuxK's GEMMs over the dead latents (10·B·d·n_dead); index: encode only; eval: encode + decode",
    "achieved fractions of peak, disk and network bandwidths: saescope/plan/hardware.py; nothing here has been "
    "measured on a GPU",
)


def render_text(plan: Plan) -> str:
    totals = plan.totals() | {"name": "total", "bound": ""}
    lines = [*_header(plan), ""]
    lines += padded_table(COLUMNS, [*map(_row, plan.stages), _row(totals)])
    lines += ["(FLOPs over all GPUs; host peak per node, page cache of the shards in flight included; GPU peak per "
              "GPU; time: slowest of the groups below plus setup)", ""]
    for stage in plan.stages:
        lines += _stage_lines(stage)
    lines += ["", "assumptions:", *(f"  - {a}" for a in ASSUMPTIONS)]
    return "\n".join(lines) + "\n"


def render_json(plan: Plan) -> str:
    return json.dumps(plan.to_dict(), indent=2) + "\n"
