import gzip
import json
import re
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from conftest import BAD_ROWS, lmsys_row

from saescope.config.schema import DataConfig
from saescope.data.conversations import DataError, ReadStats, iter_conversations, sample_path


def read(source, **kw):
    stats = ReadStats()
    return list(iter_conversations(DataConfig(source=str(source), **kw), stats)), stats


def test_bad_rows_are_skipped_and_counted_by_reason(conversations_jsonl: Path):
    convs, stats = read(conversations_jsonl)
    assert len(convs) == 30
    assert [c.index for c in convs] == list(range(30))
    expected = Counter(reason for _, reason in BAD_ROWS) + Counter({"invalid_json_row": 1})
    assert stats.skipped == expected
    assert stats.rows_read == 30 + len(BAD_ROWS) + 1
    assert stats.examples["invalid_json_row"] == ["convs.jsonl:11"]


def test_filters_and_limits(conversations_jsonl: Path):
    french, stats = read(conversations_jsonl, languages=["French"])
    assert {c.language for c in french} == {"French"} and len(french) == 10
    assert stats.skipped["filtered_language"] == 20
    clean, _ = read(conversations_jsonl, skip_redacted=True)
    assert len(clean) == 24 and not any(c.redacted for c in clean)
    first, _ = read(conversations_jsonl, max_conversations=7)
    assert [c.index for c in first] == list(range(7))


def test_parquet_in_the_hub_layout_reads_like_jsonl(tmp_path: Path):
    rows = [lmsys_row(i) for i in range(12)]
    folder = tmp_path / "data"
    folder.mkdir()
    pq.write_table(pa.Table.from_pylist(rows[:6]), folder / "train-00000-of-00002.parquet")
    pq.write_table(pa.Table.from_pylist(rows[6:]), folder / "train-00001-of-00002.parquet")
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("".join(json.dumps(r) + "\n" for r in rows))
    from_parquet, _ = read(folder)
    from_jsonl, _ = read(jsonl)
    assert [(c.conversation_id, c.messages, c.language) for c in from_parquet] == [
        (c.conversation_id, c.messages, c.language) for c in from_jsonl
    ]


def test_unreadable_files_are_named(tmp_path: Path):
    broken = tmp_path / "broken.parquet"
    broken.write_bytes(b"PAR1 definitely not parquet")
    with pytest.raises(DataError, match=r"broken\.parquet"):
        read(broken)
    with pytest.raises(DataError, match=r"nothere\.jsonl"):
        read(tmp_path / "nothere.jsonl")


def test_shipped_sample_is_varied():
    convs, stats = read("saescope:sample")
    assert len(convs) >= 500 and not stats.skipped
    languages = Counter(c.language for c in convs)
    assert len(languages) >= 6
    assert sum(1 for c in convs if sum(m["role"] == "user" for m in c.messages) >= 2) >= 100
    words = sorted(sum(len(m["content"].split()) for m in c.messages) for c in convs)
    assert words[-4] >= 2000  # stories and documents; each used once (tests/test_sample.py)
    assert any("```" in m["content"] for c in convs for m in c.messages)


def test_shipped_sample_records_are_well_formed():
    """What scripts/build_sample.py promises of every record it writes (lmsys-chat-1m schema)."""
    with gzip.open(sample_path(), "rt", encoding="utf-8") as f:
        records = [json.loads(line) for line in f]
    keys = {"conversation_id", "model", "conversation", "turn", "language", "openai_moderation", "redacted"}
    assert len({r["conversation_id"] for r in records}) == len(records)
    for r in records:
        assert set(r) == keys and re.fullmatch(r"[0-9a-f]{32}", r["conversation_id"])
        roles = [m["role"] for m in r["conversation"]]
        body = roles[1:] if roles[:1] == ["system"] else roles
        assert body and body == ["user", "assistant"] * (len(body) // 2) and r["turn"] == roles.count("user")
        texts = [m["content"] for m in r["conversation"]]
        assert all(set(m) == {"role", "content"} for m in r["conversation"])
        assert all(isinstance(t, str) and t.strip() and "{NAME" not in t for t in texts)
        assert r["redacted"] is any(re.search(r"NAME_\d", t) is not None for t in texts)
        moderation = r["openai_moderation"]
        assert len(moderation) == len(texts) and not any(m["flagged"] for m in moderation)
