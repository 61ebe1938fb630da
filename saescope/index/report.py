"""report.md: the index's counts, its most frequent features and its strongest ones with their best example in
context, and the distribution of firing rates (as firing_rates.png too when matplotlib is installed).

Example text comes from the indexed conversations, so it is untrusted: it is escaped for markdown and HTML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from saescope.index.tables import best_examples, template_features
from saescope.utils.atomic import write_bytes_atomic, write_with_atomic
from saescope.utils.markdown import escape, visible

REPORT_FILE = "report.md"
PLOT_FILE = "firing_rates.png"
TABLE_ROWS = 20
CONTEXT_CHARS = 60  # of text shown on each side of the firing token


def in_context(row: dict[str, Any]) -> str:
    """`…before ⟦token⟧ after…`, the token's whitespace visible, or the token id when the index was built without
    decoding."""
    if row["token"] is None:
        return f"token id {row['token_id']}"
    before = escape(row["context_before"], CONTEXT_CHARS, keep="end")
    after = escape(row["context_after"], CONTEXT_CHARS, keep="start")
    return f"{before}**⟦{escape(visible(row['token']))}⟧**{after}"


def feature_table(metrics: pa.Table, best: dict[int, dict[str, Any]], order: np.ndarray) -> list[str]:
    lines = ["| feature | fire rate | fires | sink fires | conversations | mean | max (ordinary) | best example (role, "
             "turn) |",
             "|---:|---:|---:|---:|---:|---:|---:|---|"]
    m = {name: metrics[name].to_numpy(zero_copy_only=False) for name in
         ("fire_rate", "fire_count", "conversations", "mean_activation", "max_activation")}
    sinks = (metrics["sink_fires"].to_numpy() if "sink_fires" in metrics.column_names
             else np.zeros(metrics.num_rows, np.int64))
    if "ordinary_max_activation" in metrics.column_names:  # the max the examples show, not a sink's
        m["max_activation"] = metrics["ordinary_max_activation"].to_numpy()
    for f in order.tolist():
        example = best.get(f)
        shown = f"{in_context(example)} ({example['role']}, {example['turn']})" if example else ""
        lines.append(f"| {f} | {m['fire_rate'][f]:.3g} | {m['fire_count'][f]:,} | {sinks[f]:,} | "
                     f"{m['conversations'][f]:,} | {m['mean_activation'][f]:.4g} | {m['max_activation'][f]:.4g} | "
                     f"{shown} |")
    return lines


def text_histogram(rates: np.ndarray, width: int = 40) -> list[str]:
    """Active features per half-decade of firing rate, as bars."""
    if len(rates) == 0:
        return ["(no active features)"]
    logs = np.log10(rates)
    low, high = np.floor(logs.min() * 2) / 2, np.ceil(logs.max() * 2) / 2  # rates <= 1: high <= 0
    edges = np.arange(low, max(high, low + 0.5) + 1e-9, 0.5)
    counts, _ = np.histogram(logs, bins=edges)
    peak = max(int(counts.max()), 1)
    return [f"1e{lo:+5.1f} .. 1e{hi:+5.1f} | {'#' * round(width * c / peak):<{width}} {c:,}"
            for lo, hi, c in zip(edges[:-1], edges[1:], counts.tolist(), strict=True)]


def write_plot(path: Path, rates: np.ndarray, title: str) -> bool:
    """firing_rates.png when matplotlib is importable (it is not a dependency); False otherwise."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, ax = plt.subplots(figsize=(7, 3.5))
    ax.hist(np.log10(rates), bins=60, color="#3b6ea8")
    ax.set_xlabel("log10 firing rate (fires / records)")
    ax.set_ylabel("active features")
    ax.set_title(title)
    fig.tight_layout()
    write_with_atomic(path, lambda tmp: fig.savefig(tmp, dpi=120, format="png"))
    plt.close(fig)
    return True


def write_report(folder: Path, summary: dict[str, Any], metrics: pa.Table, prompts: pa.Table) -> None:
    counts = metrics["fire_count"].to_numpy()
    rates = metrics["fire_rate"].to_numpy()
    active = np.flatnonzero(counts > 0)
    best = {row["feature"]: row for row in best_examples(prompts).to_pylist()}
    # Lead with ordinary records: attention sinks fire hard on a few template positions and would fill both tables.
    ordinary = metrics["ordinary_fires"].to_numpy() if "ordinary_fires" in metrics.column_names else counts
    frequent = active[np.argsort(-ordinary[active], kind="stable")][:TABLE_ROWS]
    max_name = "ordinary_max_activation" if "ordinary_max_activation" in metrics.column_names else "max_activation"
    max_act = metrics[max_name].to_numpy()
    strongest = active[np.argsort(-max_act[active], kind="stable")][:TABLE_ROWS]
    template = template_features(prompts, frequent)
    sinks = summary.get("sink_records")
    sink_line = (f"- Attention-sink records: {sinks:,} (norm above {summary['outlier_factor']:g}x the median: "
                 f"{summary['outlier_norm']:.4g}), counted in sink_fires"
                 + ("" if summary.get("keep_sinks") else " and left out of the examples") if sinks is not None
                 else "- Attention-sink records: not set apart by this index")
    title = f"{summary.get('layer_label') or summary.get('hookpoint')} reverse index"
    (folder / PLOT_FILE).unlink(missing_ok=True)  # never leave an older build's plot beside this report
    plotted = write_plot(folder / PLOT_FILE, rates[active], title)
    lines = [
        f"# Reverse feature index: {escape(str(summary.get('sae')))}", "",
        f"- Hookpoint: {escape(str(summary.get('hookpoint')))} ({escape(str(summary.get('layer_label')))})",
        f"- Activations: {escape(str(summary.get('activations')))} "
        f"(raw dataset {escape(str(summary.get('raw_dataset')))})",
        f"- Conversations indexed: {summary['conversations_indexed']:,}",
        f"- Activation records indexed: {summary['activation_records_indexed']:,}",
        f"- Active features: {len(active):,} of {len(counts):,} ({len(counts) - len(active):,} never fired)",
        f"- Prompt rows: {summary['prompt_rows']:,} (top {summary['top_examples']} per feature, at most one per "
        f"conversation, {summary['context_tokens']} tokens of context each side)",
        sink_line,
        f"- Shards: {len(summary['shards'])}", "",
        "Examples show the firing token as **⟦token⟧** between its context; ↵ marks a newline, → a tab and · a space "
        "of a token that is only spaces. They are evidence for interpretation, not labels.", "",
        f"## Most frequent features (top {TABLE_ROWS} by fires on ordinary records)", "",
        f"Template-token features among them (at least half of their top examples are template or special "
        f"tokens): {len(template)}" + (f" ({', '.join(map(str, template))})" if template else ""), "",
        *feature_table(metrics, best, frequent), "",
        f"## Strongest features (top {TABLE_ROWS} by max activation on ordinary records)", "",
        *feature_table(metrics, best, strongest), "",
        "## Firing rates", "",
        "Active features per half-decade of firing rate (fires / records)"
        + (f"; the same as a plot in {PLOT_FILE} beside this report." if plotted else "."), "",
        "```", *text_histogram(rates[active]), "```", "",
    ]
    write_bytes_atomic(folder / REPORT_FILE, "\n".join(lines).encode())
