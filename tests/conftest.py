"""Shared fixtures: models are built or loaded once per test session."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch
from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM

from saescope.config.schema import ModelConfig
from saescope.lm.loading import LoadedModel, embedded_gguf, load_model


@pytest.fixture(scope="session")
def smollm2_tokenizer():
    gguf = embedded_gguf()
    return AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)


@pytest.fixture(scope="session")
def tiny_qwen3_dir(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer) -> Path:
    """A tiny random Qwen3ForCausalLM saved as a local model folder (SmolLM2's tokenizer stands in)."""
    folder = tmp_path_factory.mktemp("tiny-qwen3")
    torch.manual_seed(0)
    config = Qwen3Config(
        vocab_size=len(smollm2_tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=4,
        num_attention_heads=4,
        num_key_value_heads=2,
        head_dim=16,
        max_position_embeddings=4096,
        tie_word_embeddings=True,
    )
    Qwen3ForCausalLM(config).save_pretrained(folder)
    smollm2_tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_qwen3(tiny_qwen3_dir: Path) -> LoadedModel:
    return load_model(ModelConfig(name=str(tiny_qwen3_dir), dtype="float32", device="cpu"))


@pytest.fixture(scope="session")
def smollm2() -> LoadedModel:
    """The embedded default model, loaded once for the whole session."""
    return load_model(ModelConfig(device="cpu"))


def lmsys_row(i: int, **overrides) -> dict:
    row = {
        "conversation_id": f"{i:032x}",
        "model": "vicuna-13b",
        "conversation": [
            {"role": "user", "content": f"Question {i}: how do I sort a list of {i} numbers in Python?"},
            {"role": "assistant", "content": "Use `sorted(numbers)`; it returns a new list. " * (1 + i % 4)},
            {"role": "user", "content": "And in reverse order?"},
            {"role": "assistant", "content": "Pass `reverse=True`: `sorted(numbers, reverse=True)`."},
        ],
        "turn": 2,
        "language": "English" if i % 3 else "French",
        "openai_moderation": [],
        "redacted": i % 5 == 0,
    }
    row.update(overrides)
    return row


BAD_ROWS = [
    ({"conversation_id": "b1", "conversation": [{"role": "user", "content": "   "}]}, "empty_content"),
    ({"conversation_id": "b2", "conversation": [{"role": "robot", "content": "hi"}]}, "unknown_role"),
    ({"conversation_id": "b3", "conversation": [{"role": "user", "content": 42}]}, "non_string_content"),
    ({"conversation_id": "b4", "conversation": [{"role": "user"}]}, "missing_content"),
    ({"conversation_id": "b5"}, "missing_conversation"),
]


@pytest.fixture
def conversations_jsonl(tmp_path: Path) -> Path:
    """30 good rows with bad rows and a broken JSON line mixed in."""
    path = tmp_path / "convs.jsonl"
    lines = [json.dumps(lmsys_row(i)) for i in range(30)]
    for k, (row, _) in enumerate(BAD_ROWS):
        lines.insert(3 + 5 * k, json.dumps(row))
    lines.insert(10, "{this is not json")
    path.write_text("\n".join(lines) + "\n")
    return path
