"""The shipped sample (scripts/build_sample.py) is worth training the demo SAE on: it seldom repeats itself,
and under the demo's truncation it holds enough tokens, in several languages, with code, multi-turn and
long conversations."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from saescope.config import load_config
from saescope.config.schema import DataConfig
from saescope.data.conversations import Conversation, iter_conversations
from saescope.data.distinct import distinctness, split_sentences
from saescope.data.templating import tokenize_conversation

DEMO = Path(__file__).resolve().parents[1] / "configs" / "demo.yaml"


@pytest.fixture(scope="module")
def demo_data() -> DataConfig:
    return load_config(DEMO).data


@pytest.fixture(scope="module")
def sample(demo_data: DataConfig) -> list[Conversation]:
    return list(iter_conversations(demo_data))  # what the demo reads: the whole sample, no filters


def test_sentence_splitting():
    text = "First one. Second one! Third, with 3.14 and file.py? 第一句。第二句！第三句？\nA line\n\n  last  "
    assert split_sentences(text) == ["First one.", "Second one!", "Third, with 3.14 and file.py?",
                                     "第一句。", "第二句！", "第三句？", "A line", "last"]
    long = "This sentence is certainly longer than thirty characters."
    d = distinctness([[{"role": "user", "content": f"{long} {long} Short one."}],
                      {"conversation": [{"role": "assistant", "content": "Another sentence, also over thirty."}]}])
    assert (d.sentences, d.distinct, d.most_repeated, d.most_repeated_count) == (3, 2, long, 2)
    assert d.share == pytest.approx(2 / 3)


def test_sample_seldom_repeats_a_sentence(sample: list[Conversation]):
    d = distinctness(sample)
    print(f"shipped sample: {d}")
    assert d.share >= 0.90, str(d)
    assert d.most_repeated_count <= 10, str(d)


def test_sample_is_large_and_varied(sample: list[Conversation], demo_data: DataConfig, smollm2_tokenizer):
    assert demo_data.max_conversations is None and len(sample) >= 500
    tokens = sum(len(tokenize_conversation(smollm2_tokenizer, c.messages, demo_data.max_tokens_per_conversation))
                 for c in sample)  # as harvest counts them: chat-templated, truncated
    print(f"{len(sample)} conversations, {tokens:,} tokens at {demo_data.max_tokens_per_conversation} per conversation")
    assert tokens >= 200_000
    languages = Counter(c.language for c in sample)
    assert len(languages) >= 6 and sum(n >= 5 for n in languages.values()) >= 6
    assert sum(any("```" in m["content"] for m in c.messages) for c in sample) >= 20  # code
    multi = sum(sum(m["role"] == "user" for m in c.messages) >= 2 for c in sample)
    assert multi >= 0.30 * len(sample)
    words = sorted(sum(len(m["content"].split()) for m in c.messages) for c in sample)
    assert words[-4] >= 2000  # some long conversations: the stories and documents
