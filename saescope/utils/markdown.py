"""Markdown for reports: tables, and untrusted text (conversation text, prompts) made inert in a table cell."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")


NEWLINE, TAB, SPACE = "↵", "→", "·"  # how whitespace shows where it would be invisible


def visible(text: str | None, newline: str = NEWLINE) -> str:
    """A firing token's text with its whitespace made visible: each line break ("\\n", "\\r\\n" or "\\r") as
    `newline` (↵; the explorer's pre-wrapped HTML adds the break itself after it), a tab as →, and a token of spaces
    only as · per space. Plain text still: escape it for where it goes (markdown `escape`, Jinja's autoescape)."""
    if not text:
        return ""
    if not text.strip(" "):
        return SPACE * len(text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\n", newline).replace("\t", TAB)


def escape(text: str | None, limit: int | None = None, keep: str = "end") -> str:
    """Untrusted text made inert in a markdown table cell: control characters visible, markdown punctuation
    backslash-escaped, then HTML-escaped; cut to `limit` characters keeping its start or end."""
    if not text:
        return ""
    text = text.replace("\r", "").replace("\n", NEWLINE).replace("\t", TAB)
    if limit is not None and len(text) > limit:
        text = "…" + text[-limit:] if keep == "end" else text[:limit] + "…"
    return html.escape(_MARKDOWN.sub(r"\\\1", text), quote=True)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], align: str = "---") -> list[str]:
    """A markdown table's lines; cells are written as given (escape untrusted ones first)."""
    lines = ["| " + " | ".join(header) + " |", f"|{align}" * len(header) + "|"]
    return lines + ["| " + " | ".join(cells) + " |" for cells in rows]
