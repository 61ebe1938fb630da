"""Chat-template a conversation and label every token with its role and turn.

The template is rendered to text once, then tokenized with character offsets; a token belongs to a
message when it starts inside that message's content, and is a template token otherwise (headers,
separators, default system prompts). Its turn is the turn of the message it precedes or belongs to.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from transformers import PreTrainedTokenizerBase

ROLE_CODES: dict[str, int] = {"template": 0, "system": 1, "user": 2, "assistant": 3}
ROLE_NAMES: dict[int, str] = {code: name for name, code in ROLE_CODES.items()}


@dataclass
class TokenizedConversation:
    token_ids: np.ndarray  # int32 [n]
    roles: np.ndarray  # int8 [n], ROLE_CODES
    turns: np.ndarray  # int16 [n]; 0 for a leading system message, user turn i counts from 1
    truncated: bool
    full_length: int

    def __len__(self) -> int:
        return len(self.token_ids)


def message_turns(messages: list[dict[str, str]]) -> list[int]:
    turns, turn = [], 0
    for message in messages:
        if message["role"] == "user":
            turn += 1
        turns.append(turn)
    return turns


def _content_spans(text: str, messages: list[dict[str, str]]) -> list[tuple[int, int] | None]:
    """Where each message's content stands in the rendered text (None if the template rewrote it)."""
    spans: list[tuple[int, int] | None] = []
    cursor = 0
    for message in messages:
        span = None
        for content in (message["content"], message["content"].strip()):
            start = text.find(content, cursor)
            if start >= 0:
                span = (start, start + len(content))
                cursor = span[1]
                break
        spans.append(span)
    return spans


def tokenize_conversation(
    tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]], max_tokens: int
) -> TokenizedConversation:
    text = tokenizer.apply_chat_template(messages, tokenize=False)
    encoding = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True)
    ids = np.asarray(encoding["input_ids"], dtype=np.int32)
    starts = np.asarray([start for start, _ in encoding["offset_mapping"]], dtype=np.int64)
    roles = np.zeros(len(ids), dtype=np.int8)
    turns = np.zeros(len(ids), dtype=np.int16)
    spans = _content_spans(text, messages)
    msg_turns = message_turns(messages)
    # Template tokens take the turn of the next message's content (its header); trailing ones the last.
    span_ends = np.asarray([span[1] if span else -1 for span in spans], dtype=np.int64)
    owner = np.searchsorted(np.maximum.accumulate(span_ends), starts, side="right")
    turns[:] = np.asarray(msg_turns, dtype=np.int16)[np.minimum(owner, len(messages) - 1)]
    for message, span in zip(messages, spans, strict=True):
        if span is not None:
            inside = (starts >= span[0]) & (starts < span[1])
            roles[inside] = ROLE_CODES[message["role"]]
    full_length = len(ids)
    return TokenizedConversation(
        token_ids=ids[:max_tokens],
        roles=roles[:max_tokens],
        turns=turns[:max_tokens],
        truncated=full_length > max_tokens,
        full_length=full_length,
    )


def tokenizer_fingerprint(tokenizer: PreTrainedTokenizerBase) -> dict[str, str | int]:
    """Hashes that change when the vocabulary or the chat template changes."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    vocab_text = backend.to_str() if backend is not None else str(sorted(tokenizer.get_vocab().items()))
    template = tokenizer.chat_template or ""
    return {
        "name_or_path": str(tokenizer.name_or_path),
        "vocab_size": len(tokenizer),
        "tokenizer_sha256": hashlib.sha256(vocab_text.encode()).hexdigest(),
        "chat_template_sha256": hashlib.sha256(template.encode()).hexdigest(),
    }
