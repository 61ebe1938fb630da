"""Readable example text in the reverse index: each window decoded in one piece and cut at the firing token, so that
characters byte-level BPE splits over tokens (Chinese, Japanese, emoji) read as themselves; the `special` column;
and the firing token's whitespace made visible (report.md and the explorer), still escaped."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import harvest_tiny, lmsys_row

from saescope.harvest.dataset import ActivationDataset
from saescope.index import examples
from saescope.index.accumulate import TopExamples
from saescope.index.examples import continuation_ids, prompt_table, whole_characters, window_text
from saescope.index.report import in_context
from saescope.serve.app import _templates
from saescope.utils.markdown import visible

USER = "東京タワーの高さは？\n中文：你好，世界！🦩 and 🍣\tnext"
ASSISTANT = "こんにちは世界。\n\n  Tokyo Tower is 333 m 🫠 tall."
TEXT_COLUMNS = ("context_before", "token", "context_after")


@pytest.fixture(scope="module")
def dataset(tiny_qwen3_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ActivationDataset:
    """Two conversations, the first full of split characters, in shards of about 40 records."""
    source = tmp_path_factory.mktemp("text-source") / "convs.jsonl"
    rows = [lmsys_row(0, conversation=[{"role": "user", "content": USER}, {"role": "assistant", "content": ASSISTANT}]),
            lmsys_row(1)]
    source.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return harvest_tiny(tiny_qwen3_dir, tmp_path_factory.mktemp("text-ds") / "ds", **{
        "data.source": str(source), "data.max_conversations": None, "data.max_tokens_per_conversation": 400,
        "harvest.shard_records": 40})


def every_record(dataset: ActivationDataset) -> TopExamples:
    """One example row per record of the dataset (feature 0, ranked by record)."""
    conversation = torch.cat([dataset.shard(i).get("record.conversation") for i in range(dataset.num_shards)]).long()
    n = len(conversation)
    return TopExamples(torch.zeros(n, dtype=torch.long), torch.ones(n), torch.arange(n), conversation,
                       torch.arange(n))


def token_bytes(tokenizer, ids: list[int]) -> list[bytes]:
    """Each token's own bytes, from its byte-level piece (added tokens: their text)."""
    alphabet = examples._byte_alphabet()
    added = set(tokenizer.added_tokens_decoder)
    return [piece.encode() if i in added else bytes(alphabet[c] for c in piece)
            for i, piece in zip(ids, tokenizer.convert_ids_to_tokens(ids), strict=True)]


def expected_token_text(text: str, pieces: list[bytes], position: int) -> tuple[int, int]:
    """The characters of `text` (the conversation's decode) holding any byte of token `position`: (start, end)."""
    byte_at = np.cumsum([0] + [len(c.encode()) for c in text])  # byte offset of each character, and the total
    lo = sum(len(p) for p in pieces[:position])
    hi = lo + len(pieces[position])
    start = int(np.searchsorted(byte_at, lo, side="right")) - 1  # the character containing byte lo
    end = int(np.searchsorted(byte_at, hi, side="left"))  # the first character starting at or after byte hi
    return start, end


@pytest.mark.parametrize("context", [1, 2, 4])
def test_windows_read_as_the_conversation_does(dataset: ActivationDataset, smollm2_tokenizer, context: int):
    tokenizer = smollm2_tokenizer
    rows = prompt_table(every_record(dataset), dataset, context, tokenizer).to_pylist()
    conversations = {c: dataset.conversation_tokens(c).tolist() for c in {row["conversation"] for row in rows}}
    texts = {c: tokenizer.decode(ids) for c, ids in conversations.items()}
    assert "\ufffd" not in "".join(texts.values())
    assert USER in texts[0] and ASSISTANT in texts[0]
    split = 0
    for row in rows:
        ids, text = conversations[row["conversation"]], texts[row["conversation"]]
        before, token, after = (row[name] for name in TEXT_COLUMNS)
        assert "\ufffd" not in before + token + after, row
        assert before + token + after in text  # an independent check: a piece of the conversation's text
        window_ids = row["context_before_ids"] + [row["token_id"]] + row["context_after_ids"]
        alone = tokenizer.decode(window_ids)
        assert alone.strip("\ufffd") in before + token + after  # widened at most past a cut character
        split += "\ufffd" in alone
        pieces = token_bytes(tokenizer, ids)
        assert b"".join(pieces).decode() == text
        start, end = expected_token_text(text, pieces, row["position"])
        assert token == text[start:end], (row["position"], token, text[start:end])
        assert text[:start].endswith(before) and text[end:].startswith(after)
    assert split > 10  # many windows cut a character when decoded from their ids alone


def test_split_characters_belong_to_their_tokens(dataset: ActivationDataset, smollm2_tokenizer):
    rows = prompt_table(every_record(dataset), dataset, 3, smollm2_tokenizer).to_pylist()
    pieces = smollm2_tokenizer.convert_ids_to_tokens([row["token_id"] for row in rows])
    by_piece = {}
    for row, piece in zip(rows, pieces, strict=True):
        by_piece.setdefault(piece, set()).add(row["token"])
    assert by_piece["ç"] == {"界"} and by_piece["Į"] == {"界"}  # 界 is three one-byte tokens: each shows it
    assert by_piece["æĿ"] == {"東"} and by_piece["±"] == {"東"}
    assert by_piece["¦"] == {"🦩"} and by_piece["©"] == {"🦩"}  # the emoji completed by its last byte
    newline = [row for row in rows if row["token"] == "\n" and row["role"] == "user"]
    assert newline and all(r["context_before"].endswith("？") and r["context_after"].startswith("中文")
                           for r in newline)
    tab = next(row for row in rows if row["token"] == "\t")
    assert tab["context_before"].endswith("🍣") and tab["context_after"].startswith("next")


def test_special_marks_template_and_special_tokens(dataset: ActivationDataset, smollm2_tokenizer):
    table = prompt_table(every_record(dataset), dataset, 2, smollm2_tokenizer)
    assert table.schema.names.index("special") == table.schema.names.index("role") + 1
    rows = table.to_pylist()
    specials = set(smollm2_tokenizer.all_special_ids)
    assert all(row["special"] == (row["role"] == "template" or row["token_id"] in specials) for row in rows)
    assert any(row["special"] and row["token"] == "<|im_start|>" for row in rows)
    assert not any(row["special"] for row in rows if row["role"] == "user" and row["token"] == "世")
    bare = prompt_table(every_record(dataset), dataset, 2, None).to_pylist()  # no tokenizer: role only
    assert [r["special"] for r in bare] == [r["role"] == "template" for r in rows]
    assert all(r["token"] is None and r["context_before"] is None for r in bare)


def test_window_text_in_chunks_and_at_conversation_ends(smollm2_tokenizer, monkeypatch: pytest.MonkeyPatch):
    tokenizer = smollm2_tokenizer
    texts = ["🦩界", "東京\n"]
    ids = [tokenizer.encode(t) for t in texts]
    tokens = np.asarray(ids[0] + ids[1], dtype=np.int32)
    base = np.repeat([0, len(ids[0])], [len(ids[0]), len(ids[1])])
    length = np.repeat([len(ids[0]), len(ids[1])], [len(ids[0]), len(ids[1])])
    position = np.arange(len(tokens)) - base
    continues = continuation_ids(tokenizer)
    lo, hi = whole_characters(continues, tokens, base, length, position, position + 1)  # no context at all
    assert (lo >= 0).all() and (hi <= length).all()  # never past the conversation
    whole = window_text(tokenizer, tokens, base + lo, base + position, base + hi)
    monkeypatch.setattr(examples, "DECODE_ROWS", 2)
    assert window_text(tokenizer, tokens, base + lo, base + position, base + hi) == whole
    class Slow:  # a tokenizer without a Rust backend: batch_decode instead
        batch_decode = tokenizer.batch_decode

    assert window_text(Slow(), tokens, base + lo, base + position, base + hi) == whole
    before, token, after = whole
    joined = [b + t + a for b, t, a in zip(before, token, after, strict=True)]
    assert joined == tokenizer.batch_decode([tokens[s:e].tolist() for s, e in zip(base + lo, base + hi,
                                                                                  strict=True)])
    assert token == ["🦩"] * 3 + ["界"] * 3 + ["東"] * 2 + ["京"] * 2 + ["\n"]
    assert all(t in texts[0] for t in joined[:6]) and all(t in texts[1] for t in joined[6:])


class Vocabulary:
    """A tokenizer as continuation_ids sees one: pieces by id, the added ones named."""

    def __init__(self, pieces: list[str], added: tuple[int, ...] = ()) -> None:
        self.pieces, self.added_tokens_decoder = pieces, dict.fromkeys(added)

    def __len__(self) -> int:
        return len(self.pieces)

    def convert_ids_to_tokens(self, ids: list[int]) -> list[str]:
        return [self.pieces[i] for i in ids]


def test_continuation_ids_by_kind_of_vocabulary(smollm2_tokenizer):
    tokenizer = smollm2_tokenizer
    flags = continuation_ids(tokenizer)
    pieces = tokenizer.convert_ids_to_tokens(list(range(len(flags))))
    assert flags[tokenizer.convert_tokens_to_ids("¦")] and not flags[tokenizer.convert_tokens_to_ids("ðŁ")]
    assert not flags[tokenizer.all_special_ids].any()
    assert not flags[[i for i, piece in enumerate(pieces) if piece.isascii()]].any()
    fallback = Vocabulary(["<unk>", "<0xE4>", "<0xB8>", "<0x41>", "▁hello", "<0xBF>", "<0x80>"], added=(0,))
    assert continuation_ids(fallback).tolist() == [False, False, True, False, False, True, True]
    plain = Vocabulary(["[CLS]", "hello", "##lo", "中"], added=(0,))
    assert not continuation_ids(plain).any()


def test_whitespace_made_visible_and_escaped():
    assert visible("\n") == "↵" and visible("\r\n") == "↵" and visible(".\n\n") == ".↵↵"
    assert visible("\t") == "→" and visible("   ") == "···" and visible(" Riddle") == " Riddle"
    assert visible(None) == "" and visible("\n", "↵\n") == "↵\n"
    row = {"token": "\n", "token_id": 198, "context_before": "<b>x</b>", "context_after": "  y|"}
    assert in_context(row) == "&lt;b&gt;x&lt;/b&gt;**⟦↵⟧**  y\\|"
    assert in_context(row | {"token": "  "}).count("**⟦··⟧**") == 1
    assert in_context(row | {"token": "<i>\t"}) == "&lt;b&gt;x&lt;/b&gt;**⟦&lt;i&gt;→⟧**  y\\|"
    env = _templates().env  # the explorer's filter, under its autoescape
    page = env.from_string('{{ b }}<mark>{{ t | visible("↵\\n") }}</mark>{{ a }}')
    assert page.render(b="<b>", t="<s>\n", a="&") == "&lt;b&gt;<mark>&lt;s&gt;↵\n</mark>&amp;"
    assert env.from_string("<mark>{{ t | visible }}</mark>").render(t="\n") == "<mark>↵</mark>"


def test_template_features_are_those_whose_top_examples_are_mostly_special():
    import pyarrow as pa

    from saescope.index.tables import template_features

    # feature 0: 3 of 5 special; feature 1: 2 of 5; feature 2: 1 of 2 (half); feature 3: no examples
    rows = [(0, True), (0, True), (0, True), (0, False), (0, False), (1, True), (1, True), (1, False), (1, False),
            (1, False), (2, True), (2, False)]
    prompts = pa.table({"feature": pa.array([f for f, _ in rows], pa.int32()),
                        "special": pa.array([s for _, s in rows])})
    assert template_features(prompts, np.array([0, 1, 2, 3])) == [0, 2]
    assert template_features(prompts, np.array([1])) == []
    assert template_features(prompts.drop(["special"]), np.array([0])) == []
