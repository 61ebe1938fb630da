"""Plots drawn on the server as inline SVG (no script, no CDN): the activation histogram of a feature, with its
activation intervals as bands and an optional marker (a tested text's maximum)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from html import escape
from typing import Any

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 180, 44, 28, 10


@dataclass
class Axis:
    low: float  # activation at the left edge (log scale)
    high: float

    def x(self, value: float) -> float:
        span = math.log(self.high) - math.log(self.low)
        where = (math.log(max(value, self.low)) - math.log(self.low)) / span
        return PAD_LEFT + min(max(where, 0.0), 1.0) * (WIDTH - PAD_LEFT - 8)


def _axis(bins: list[dict[str, Any]], marker: float | None) -> Axis:
    lows = [b["low"] for b in bins if b["low"] > 0] + [b["high"] / 2 for b in bins if b["low"] <= 0]
    highs = [b["high"] for b in bins if math.isfinite(b["high"])] + [b["low"] * 2 for b in bins
                                                                     if not math.isfinite(b["high"])]
    if marker is not None and marker > 0:
        lows.append(marker / 1.5)
        highs.append(marker * 1.5)
    low, high = min(lows), max(highs)
    return Axis(low, high if high > low else low * 2)


def histogram_svg(bins: list[dict[str, Any]], intervals: list[dict[str, Any]] | None = None,
                  marker: float | None = None) -> str:
    """An SVG of the non-empty histogram bins (low, high, count) on a log activation axis; every bar's title says
    its range and count. Empty string without bins."""
    if not bins:
        return ""
    axis = _axis(bins, marker)
    top = max(b["count"] for b in bins)
    plot_h = HEIGHT - PAD_BOTTOM - PAD_TOP
    parts = [f'<svg class="histogram" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
             f'width="{WIDTH}" height="{HEIGHT}" role="img" aria-label="activation histogram">']
    for i, iv in enumerate(intervals or []):
        x0, x1 = axis.x(iv["low"]), axis.x(iv["high"] if math.isfinite(iv["high"]) else axis.high)
        parts.append(f'<rect class="interval" x="{x0:.1f}" y="{PAD_TOP}" width="{max(x1 - x0, 1):.1f}" '
                     f'height="{plot_h}" fill="{"#e3f2fd" if i % 2 else "#f1f8e9"}">'
                     f'<title>interval {iv["interval"]}: {iv["low"]:.3g} – {iv["high"]:.3g}, {iv["count"]} fires '
                     f'({100 * iv["share"]:.1f}%)</title></rect>')
    for b in bins:
        high = b["high"] if math.isfinite(b["high"]) else b["low"] * 1.19
        x0, x1 = axis.x(b["low"] if b["low"] > 0 else axis.low), axis.x(high)
        h = plot_h * b["count"] / top
        parts.append(f'<rect class="bar" x="{x0:.1f}" y="{PAD_TOP + plot_h - h:.1f}" width="{max(x1 - x0 - 1, 1):.1f}"'
                     f' height="{h:.1f}" fill="#5c6bc0"><title>{b["low"]:.3g} – {high:.3g}: {b["count"]} fires'
                     f'</title></rect>')
    base = PAD_TOP + plot_h
    parts.append(f'<line x1="{PAD_LEFT}" y1="{base}" x2="{WIDTH - 8}" y2="{base}" stroke="#888"/>')
    for tick in _ticks(axis):
        x = axis.x(tick)
        parts.append(f'<text x="{x:.1f}" y="{base + 16}" font-size="11" text-anchor="middle">{tick:g}</text>')
    parts.append(f'<text x="4" y="{PAD_TOP + 10}" font-size="11">{top}</text>')
    if marker is not None:
        x = axis.x(marker)
        parts.append(f'<line class="marker" x1="{x:.1f}" y1="{PAD_TOP}" x2="{x:.1f}" y2="{base}" stroke="#d32f2f" '
                     f'stroke-width="2"><title>your text: {escape(f"{marker:.4g}")}</title></line>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(axis: Axis) -> list[float]:
    """Powers of two across the axis (every other one when there are many)."""
    first, last = math.ceil(math.log2(axis.low)), math.floor(math.log2(axis.high))
    powers = list(range(first, last + 1))
    step = max(1, len(powers) // 8)
    return [2.0**p for p in powers[::step]]
