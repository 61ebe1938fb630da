"""The rows of feature_prompts: each top example's record, conversation and token context, read back from the
activation dataset's shards (each conversation's tokens are stored there once) and optionally decoded.

The text of an example is its window of the conversation's tokens (context before, firing token, context after)
decoded in one piece and then cut at the firing token, so that a character whose bytes byte-level BPE split over
several tokens (Chinese, Japanese, emoji) reads as itself rather than as U+FFFD: `context_before + token +
context_after` is that decoded window. The window is widened past the id columns' (by the few tokens needed) where
its ends would cut a character, and the firing token's text is every character it holds a byte of.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pyarrow as pa
from transformers import PreTrainedTokenizerBase

from saescope.data.templating import ROLE_CODES, ROLE_NAMES
from saescope.harvest.dataset import ActivationDataset, DatasetError, Shard
from saescope.index.accumulate import TopExamples
from saescope.index.tables import PROMPTS_SCHEMA

ROLE_ARRAY = np.asarray([ROLE_NAMES[code] for code in sorted(ROLE_NAMES)], dtype=object)
DECODE_ROWS = 1 << 15  # windows decoded per batch_decode call (bounds the token lists held at once)
WIDEN_STEPS = 8  # tokens a window end moves at most to reach a character boundary (a character has <= 4 bytes)
TEXT_COLUMNS = ("context_before", "token", "context_after")


def record_starts(dataset: ActivationDataset) -> np.ndarray:
    """int64 [shards + 1]: the global index of each shard's first record, and the total."""
    return np.concatenate([[0], np.cumsum([entry["rows"] for entry in dataset.shard_entries])]).astype(np.int64)


def _lookup(keys: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Positions of `wanted` in the unsorted, distinct `keys`."""
    sorter = np.argsort(keys, kind="stable")
    found = sorter[np.clip(np.searchsorted(keys, wanted, sorter=sorter), 0, len(keys) - 1)]
    if not np.array_equal(keys[found], wanted):
        raise KeyError("not every conversation is in the shard")
    return found


def _window(tokens: np.ndarray, base: np.ndarray, length: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, ...]:
    """Tokens at `offsets` relative to each row's position, where they fall inside its conversation:
    (ids [n, w], valid [n, w])."""
    valid = (offsets >= 0) & (offsets < length[:, None])
    ids = tokens[np.where(valid, base[:, None] + offsets, 0)] if len(tokens) else np.zeros(offsets.shape, np.int32)
    return ids.astype(np.int32), valid


def _list_array(ids: np.ndarray, valid: np.ndarray) -> pa.Array:
    offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pa.array(ids[valid], type=pa.int32()))


def _byte_alphabet() -> dict[str, int]:
    """GPT-2's byte-level alphabet: the character that stands for each byte in a byte-level BPE token."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    others = [b for b in range(256) if b not in printable]
    return {chr(b): b for b in printable} | {chr(256 + i): b for i, b in enumerate(others)}


def continuation_ids(tokenizer: PreTrainedTokenizerBase) -> np.ndarray:
    """bool per token id: the token's bytes begin inside a UTF-8 character (with a continuation byte, 0b10xxxxxx),
    so text cannot start there. Known for byte-level BPE vocabularies (GPT-2, Qwen, SmolLM2 ...) and byte-fallback
    SentencePiece ones (<0x80> .. <0xBF>); False everywhere for a tokenizer that never splits a character."""
    pieces = [piece or "" for piece in tokenizer.convert_ids_to_tokens(list(range(len(tokenizer))))]
    added = set(tokenizer.added_tokens_decoder)
    regular = [piece for i, piece in enumerate(pieces) if i not in added]
    alphabet = _byte_alphabet()
    if regular and set("".join(regular)) <= alphabet.keys():  # byte-level: every piece spells its bytes
        first = [alphabet[piece[0]] if piece and i not in added else 0 for i, piece in enumerate(pieces)]
    else:
        first = [int(piece[3:5], 16) if len(piece) == 6 and piece.startswith("<0x") and piece.endswith(">")
                 and i not in added else 0 for i, piece in enumerate(pieces)]
    first_byte = np.asarray(first, dtype=np.int64)
    return (first_byte >= 0x80) & (first_byte < 0xC0)


def _continues(continues: np.ndarray, ids: np.ndarray) -> np.ndarray:
    inside = ids < len(continues)
    return continues[np.where(inside, ids, 0)] & inside


def whole_characters(continues: np.ndarray, tokens: np.ndarray, base: np.ndarray, length: np.ndarray,
                     lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Windows [lo, hi) of conversation-relative positions widened, within their conversations, until neither end
    cuts a character: the first token does not begin inside one, nor does the token after the last."""
    lo, hi = lo.copy(), hi.copy()
    last = max(len(tokens) - 1, 0)
    for _ in range(WIDEN_STEPS):
        back = (lo > 0) & _continues(continues, tokens[np.minimum(base + lo, last)])
        ahead = (hi < length) & _continues(continues, tokens[np.minimum(base + hi, last)])
        if not (back.any() or ahead.any()):
            break
        lo, hi = lo - back, hi + ahead
    return lo, hi


def _common_prefix(a: str, b: str) -> int:
    if b.startswith(a):
        return len(a)
    i, n = 0, min(len(a), len(b))
    while i < n and a[i] == b[i]:
        i += 1
    return i


def _cut(window: str, before: str, through: str) -> tuple[str, str, str]:
    """(context before, token, context after) of a decoded window, given the decoded tokens before the firing token
    and through it. A character that starts in the context and ends in the token, or starts in the token and ends
    after it, is the token's: decoding the part alone leaves U+FFFD where the window has the character."""
    start = _common_prefix(before, window)
    end = _common_prefix(through, window)
    end = max(start, min(len(window), end + (end < len(through))))  # `through` stopped inside a character
    return window[:start], window[start:end], window[end:]


def batch_decoder(tokenizer: PreTrainedTokenizerBase) -> Callable[[list[list[int]]], list[str]]:
    """Token id lists to text, special tokens kept and spaces as decoded: the fast tokenizer's own decode_batch
    (parallel, in Rust) where there is one, else batch_decode (one Python call per list)."""
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is not None:
        return partial(backend.decode_batch, skip_special_tokens=False)
    return partial(tokenizer.batch_decode, skip_special_tokens=False, clean_up_tokenization_spaces=False)


def window_text(tokenizer: PreTrainedTokenizerBase, tokens: np.ndarray, start: np.ndarray, position: np.ndarray,
                stop: np.ndarray) -> list[list[str]]:
    """[context_before, token, context_after] text of windows tokens[start:stop] around tokens[position] (indexes
    into `tokens`), each window decoded in one piece; three batch decodes per DECODE_ROWS windows."""
    decode = batch_decoder(tokenizer)
    pieces: list[list[str]] = [[], [], []]
    for s in range(0, len(start), DECODE_ROWS):
        a, m, b = (x[s : s + DECODE_ROWS].astype(np.int64) for x in (start, position, stop))
        ends = np.cumsum(b - a)
        begins = ends - (b - a)
        flat = tokens[np.repeat(a - begins, b - a) + np.arange(ends[-1] if len(ends) else 0)].tolist()
        o, mid, e = begins.tolist(), (begins + m - a).tolist(), ends.tolist()
        cut = map(_cut, decode([flat[i:j] for i, j in zip(o, e, strict=True)]),
                  decode([flat[i:j] for i, j in zip(o, mid, strict=True)]),
                  decode([flat[i : j + 1] for i, j in zip(o, mid, strict=True)]))
        for column, part in zip(pieces, zip(*cut, strict=True), strict=True):
            column.extend(part)
    return pieces


def _shard_rows(cols: dict[str, np.ndarray], sel: np.ndarray, shard: Shard, rows: np.ndarray, width: int,
                tokenizer: PreTrainedTokenizerBase | None, continues: np.ndarray | None) -> None:
    """Fill rows `sel` of `cols` from one shard (`rows`: the records' rows in it)."""
    if not np.array_equal(shard.get("record.conversation").numpy()[rows], cols["conversation"][sel]):
        raise DatasetError(f"shard {shard.path}: records and conversations disagree with the index")
    for name, key in (("position", "record.position"), ("token_id", "record.token"), ("role", "record.role"),
                      ("turn", "record.turn")):
        cols[name][sel] = shard.get(key).numpy()[rows]
    conv_row = _lookup(shard.get("conv.index").numpy(), cols["conversation"][sel])
    cols["conversation_id"][sel] = np.asarray(shard.header_list("conversation_ids"), dtype=object)[conv_row]
    offsets = shard.get("conv.offsets").numpy()
    tokens = shard.get("conv.tokens").numpy()
    base, length = offsets[conv_row], offsets[conv_row + 1] - offsets[conv_row]
    position = cols["position"][sel].astype(np.int64)
    cols["before_ids"][sel], cols["before_ok"][sel] = _window(tokens, base, length,
                                                              position[:, None] + np.arange(-width, 0))
    cols["after_ids"][sel], cols["after_ok"][sel] = _window(tokens, base, length,
                                                            position[:, None] + np.arange(1, width + 1))
    if tokenizer is not None and continues is not None and len(sel):
        lo, hi = whole_characters(continues, tokens, base, length, np.maximum(position - width, 0),
                                  np.minimum(position + width + 1, length))
        texts = window_text(tokenizer, tokens, base + lo, base + position, base + hi)
        for name, text in zip(TEXT_COLUMNS, texts, strict=True):
            cols[name][sel] = text


def prompt_table(top: TopExamples, dataset: ActivationDataset, context_tokens: int,
                 tokenizer: PreTrainedTokenizerBase | None) -> pa.Table:
    """feature_prompts for these examples (already in feature, rank order); text columns only with a tokenizer."""
    top = top.to("cpu")
    n, width = len(top), context_tokens
    record = top.record.numpy()
    starts = record_starts(dataset)
    shard_of = np.searchsorted(starts, record, side="right") - 1
    cols: dict[str, np.ndarray] = {name: np.zeros(shape, dtype) for name, shape, dtype in (
        ("position", n, np.int32), ("token_id", n, np.int32), ("role", n, np.int8), ("turn", n, np.int32),
        ("before_ids", (n, width), np.int32), ("before_ok", (n, width), bool), ("after_ids", (n, width), np.int32),
        ("after_ok", (n, width), bool))}
    cols |= {name: np.full(n, None, dtype=object) for name in ("conversation_id", *TEXT_COLUMNS)}
    cols["conversation"] = top.conversation.numpy()
    continues = continuation_ids(tokenizer) if tokenizer is not None and n else None
    for shard_i in np.unique(shard_of).tolist():
        sel = np.flatnonzero(shard_of == shard_i)
        _shard_rows(cols, sel, dataset.shard(shard_i), record[sel] - starts[shard_i], width, tokenizer, continues)
    special = cols["role"] == ROLE_CODES["template"]
    if tokenizer is not None:
        special |= np.isin(cols["token_id"], np.asarray(tokenizer.all_special_ids, dtype=np.int64))
    columns = {
        "feature": pa.array(top.feature.numpy().astype(np.int32)),
        "rank": pa.array(top.rank.numpy().astype(np.int32)),
        "activation": pa.array(top.value.numpy()),
        "conversation": pa.array(cols["conversation"]),
        "conversation_id": pa.array(cols["conversation_id"].tolist(), pa.string()),
        "record": pa.array(record),
        "position": pa.array(cols["position"]),
        "token_id": pa.array(cols["token_id"]),
        "token": pa.array(cols["token"].tolist(), pa.string()),
        "role": pa.array(ROLE_ARRAY[cols["role"]].tolist(), pa.string()),
        "special": pa.array(special, pa.bool_()),
        "turn": pa.array(cols["turn"]),
        "context_before": pa.array(cols["context_before"].tolist(), pa.string()),
        "context_after": pa.array(cols["context_after"].tolist(), pa.string()),
        "context_before_ids": _list_array(cols["before_ids"], cols["before_ok"]),
        "context_after_ids": _list_array(cols["after_ids"], cols["after_ok"]),
    }
    return pa.table(columns, schema=PROMPTS_SCHEMA)
