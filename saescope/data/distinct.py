"""How much a set of conversations repeats itself: the share of distinct sentences.

Sentences: every message's content (system, user and assistant alike) is split after each sentence-ending
mark (``.``, ``!``, ``?``, ``…`` and the CJK ``。``, ``！``, ``？``), followed by whitespace or at the end, for the
Latin marks (so 3.14, e.g. and file.py stay whole); always, for the CJK marks (which take no space after
them); and at every newline. Each piece is stripped. Only sentences longer than ``min_chars`` characters
count (short ones such as "Thanks!" or "}" repeat in any natural text), each once per occurrence. The share
is distinct sentences / counted sentences: 1.0 when nothing repeats.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

MIN_CHARS = 30
_SPLIT = re.compile(r"(?<=[.!?…])\s+|(?<=[。！？])|\n")


@dataclass(frozen=True)
class Distinctness:
    sentences: int  # sentences longer than min_chars, counted once per occurrence
    distinct: int  # how many different ones
    share: float  # distinct / sentences (1.0 when there are none)
    most_repeated: str  # the most frequent of them ("" when there are none)
    most_repeated_count: int

    def __str__(self) -> str:
        return (f"{self.share:.3f} distinct ({self.distinct:,} of {self.sentences:,} sentences); most repeated "
                f"x{self.most_repeated_count}: {self.most_repeated[:80]!r}")


def split_sentences(text: str) -> list[str]:
    """A message's sentences, stripped, empty ones dropped (see the module docstring)."""
    return [s for s in (piece.strip() for piece in _SPLIT.split(text)) if s]


def sentence_counts(conversations: Iterable[Any], min_chars: int = MIN_CHARS) -> Counter[str]:
    """Occurrences of each sentence longer than `min_chars` characters in the conversations' messages."""
    counts: Counter[str] = Counter()
    for conversation in conversations:
        for message in _messages(conversation):
            counts.update(s for s in split_sentences(message["content"]) if len(s) > min_chars)
    return counts


def distinctness(conversations: Iterable[Any], min_chars: int = MIN_CHARS) -> Distinctness:
    """The share of distinct sentences among those longer than `min_chars`, and the most repeated one.

    A conversation is an lmsys-schema record (a mapping with a "conversation" list of {role, content}),
    a `saescope.data.Conversation` (its `.messages`), or the list of messages itself.
    """
    counts = sentence_counts(conversations, min_chars)
    total = sum(counts.values())
    top, top_count = counts.most_common(1)[0] if counts else ("", 0)
    return Distinctness(total, len(counts), len(counts) / total if total else 1.0, top, top_count)


def _messages(conversation: Any) -> Sequence[Mapping[str, str]]:
    if isinstance(conversation, Mapping):
        return conversation["conversation"]
    messages = getattr(conversation, "messages", None)
    return messages if messages is not None else conversation
