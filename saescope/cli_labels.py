"""The labels `saescope explain` wrote beside an index (explanations.parquet), as `saescope features` shows and
searches them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from saescope.index.reader import ReverseIndex


def explanations(index: ReverseIndex) -> dict[int, dict[str, Any]]:
    """The index's explanation rows by feature (empty when it has none)."""
    from saescope.index.files import read_explanations

    table = read_explanations(index.folder)
    return {} if table is None else {r["feature"]: r for r in table.to_pylist()}


def _score(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def label_text(row: dict[str, Any]) -> str:
    scores = f"detection {_score(row['detection'])} · fuzzing {_score(row['fuzzing'])}"
    return f"{(row['label'] or '').replace(chr(10), ' ')!r}  ({scores}; {row['backend']}:{row['model']})"


def label_lines(index: ReverseIndex, feature: int) -> list[str]:
    """The feature's label line, none when the index has no explanations."""
    rows = explanations(index)
    if not rows:
        return []
    return [f"  label       {label_text(rows[feature]) if feature in rows else 'none'}"]


def label_hits(index: ReverseIndex, text: str, limit: int) -> list[dict[str, Any]]:
    """Explanation rows whose label contains `text` (any case), by feature."""
    needle = text.strip().casefold()
    hits = [r for f, r in sorted(explanations(index).items()) if needle and needle in (r["label"] or "").casefold()]
    return hits[:limit]


def label_hit_lines(hits: list[dict[str, Any]]) -> list[str]:
    return [f"labels containing the text ({len(hits)})", *(f"  {r['feature']:>7}  {label_text(r)}" for r in hits)]
