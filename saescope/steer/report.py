"""report.md of a steering-reliability run. Prompts and continuations are untrusted text: escaped like the index's."""

from __future__ import annotations

from typing import Any

from saescope.utils.markdown import escape, table

TEXT_CHARS = 120  # of each continuation shown


def reliability_table(features: list[dict[str, Any]]) -> list[str]:
    header = ["feature", "strength", "value", "reliability", "fire clean", "fire steered", "CE clean",
              "CE steered", "changed"]
    rows = [[str(r["feature"]), f"{r['strength']:g}", f"{r['value']:.3g}", f"{r['reliability']:.2f}",
             f"{r['fire_rate_clean']:.2f}", f"{r['fire_rate_steered']:.2f}", f"{r['ce_clean']:.2f}",
             f"{r['ce_steered']:.2f}", f"{r['changed']:.2f}"] for r in features]
    return table(header, rows)


def examples(prompts: list[dict[str, Any]]) -> list[str]:
    """The first prompt of each feature at its strongest strength: clean vs steered."""
    strongest: dict[int, dict[str, Any]] = {}
    for r in prompts:
        best = strongest.get(r["feature"])
        if r["prompt_index"] == 0 and (best is None or r["strength"] > best["strength"]):
            strongest[r["feature"]] = r
    lines = ["| feature | strength | prompt | clean | steered |", "|---|---|---|---|---|"]
    for f, r in strongest.items():
        clean, steered = (escape(r[k], TEXT_CHARS, "start") for k in ("clean_text", "steered_text"))
        lines.append(f"| {f} | {r['strength']:g} | {escape(r['prompt'], 60, 'start')} | {clean} | {steered} |")
    return lines


def render_report(summary: dict[str, Any], features: list[dict[str, Any]], prompts: list[dict[str, Any]]) -> str:
    s = summary["settings"]
    lines = [
        f"# Steering reliability: {escape(str(summary['sae']))}", "",
        f"- Hookpoint: {escape(summary['hookpoint'])}; model: {escape(summary['model'])} "
        f"({escape(str(summary.get('model_dtype')))})",
        f"- Mode {escape(s['mode'])}, positions {escape(s['positions'])}, {s['max_new_tokens']} new tokens, "
        f"strength unit: {escape(s['strength_unit'])}",
        f"- {summary['prompts']} prompts from {escape(summary['data_source'])}; success = fire-rate gain ≥ "
        f"{s['min_fire_gain']:g} and CE increase ≤ {s['max_ce_increase']:g} nats",
        f"- {summary['seconds']:.1f} s", "",
        "## Reliability per feature and strength", "", *reliability_table(features), "",
        "## Examples (first prompt, strongest strength)", "", *examples(prompts), "",
    ]
    return "\n".join(lines)
