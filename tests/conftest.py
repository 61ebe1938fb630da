"""Shared fixtures and builders: models, the tiny activation dataset, small SAEs and their training-run folders,
and the torchrun command line. Models and the dataset are built once per test session."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from transformers import AutoTokenizer, Qwen3Config, Qwen3ForCausalLM

from saescope.config import load_config
from saescope.config.schema import ModelConfig, SaescopeConfig
from saescope.harvest.dataset import ActivationDataset
from saescope.harvest.run import harvest
from saescope.lm.loading import LoadedModel, embedded_gguf, load_model
from saescope.sae.model import TopKSae, init_weights
from saescope.train.checkpoint import write_checkpoint
from saescope.utils.atomic import write_json_atomic

PYTHON = sys.executable
SAESCOPE = str(Path(PYTHON).parent / "saescope")  # the console script, as a user runs it


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


# --- activation datasets


def tiny_harvest_config(model_dir: Path, out: Path, **overrides: Any) -> SaescopeConfig:
    """Harvest settings for layers.2 of the tiny Qwen3 over the first conversations of the shipped sample.

    The defaults give the session's `tiny_activations`: float32 throughout, 12 conversations of at most 160
    tokens, 300 records a shard (7 shards). `overrides` are config keys ("data.max_conversations": 120, ...).
    """
    settings = {"model.name": str(model_dir), "model.device": "cpu", "model.dtype": "float32",
                "data.max_conversations": 12, "data.max_tokens_per_conversation": 160, "harvest.out": str(out),
                "harvest.hookpoints": ["layers.2"], "harvest.dtype": "float32", "harvest.shard_records": 300}
    return load_config(None, settings | overrides)


def harvest_tiny(model_dir: Path, out: Path, **overrides: Any) -> ActivationDataset:
    """Harvest `tiny_harvest_config(model_dir, out, **overrides)` and open the dataset."""
    harvest(tiny_harvest_config(model_dir, out, **overrides))
    return ActivationDataset.open(out)


@pytest.fixture(scope="session")
def tiny_activations(tiny_qwen3_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ActivationDataset:
    """One small activation dataset for the whole run (read-only: copy it before damaging it)."""
    ds = harvest_tiny(tiny_qwen3_dir, tmp_path_factory.mktemp("tiny-activations") / "ds")
    assert ds.num_shards >= 3 and ds.hookpoints == ["layers.2"]
    return ds


# --- small SAEs and training-run folders


def make_sae(d_in: int = 16, d_sae: int = 64, k: int = 4, seed: int = 0, *, mean: float = 1.0,
             std: tuple[float, float] = (0.5, 2.0), b_dec: float = 0.0, b_enc: float = 0.0,
             b_enc_shift: float = 0.0, enc_scale: float = 1.0, tied: bool = True) -> TopKSae:
    """A small seeded TopKSae in eval mode whose every term can show.

    Weights: unit-norm decoder rows with the encoder tied to them (what training starts from), times `enc_scale`
    (not 1: a format swapping W_enc and W_dec.T shows); untied, W_enc ~ N(0, 0.5) and W_dec ~ N(0, 0.3) apart
    (rows of any norm). Then input_mean ~ N(0, mean), input_std ~ U(std), b_dec ~ N(0, b_dec) and
    b_enc ~ N(b_enc_shift, b_enc).
    """
    gen = torch.Generator().manual_seed(seed)
    sae = TopKSae(d_in, d_sae, k)
    with torch.no_grad():
        init_weights(sae, gen)
        if not tied:
            sae.W_enc.copy_(torch.randn(d_in, d_sae, generator=gen) * 0.5)
            sae.W_dec.copy_(torch.randn(d_sae, d_in, generator=gen) * 0.3)
        sae.W_enc.mul_(enc_scale)
        sae.input_mean.copy_(torch.randn(d_in, generator=gen) * mean)
        sae.input_std.copy_(torch.rand(d_in, generator=gen) * (std[1] - std[0]) + std[0])
        sae.b_dec.copy_(torch.randn(d_in, generator=gen) * b_dec)
        sae.b_enc.copy_(torch.randn(d_sae, generator=gen) * b_enc + b_enc_shift)
    return sae.eval()


def sae_header(sae: TopKSae, hookpoint: str = "layers.2", step: int = 10, **sections: Any) -> dict[str, str]:
    """The safetensors header `saescope train` writes for `sae` (its metadata sections replaced by `sections`)."""
    meta = {
        "saescope_version": "0.1.0",
        "architecture": {"type": "topk", "d_in": sae.d_in, "d_sae": sae.d_sae, "k": sae.k, "aux_k": 8,
                         "aux_coef": 0.03125},
        "normalization": {"method": "per_dimension_standardize", "tokens": 4096, "std_floor": 1e-5},
        "hookpoint": hookpoint, "layer_label": f"l{int(hookpoint.split('.')[1]) + 1}", "step": step,
        "tokens_seen": step * 256, "model": {"name": "tiny-qwen3", "architecture": "Qwen3ForCausalLM", "n_layers": 4},
        "data": {"source": {"dataset": "saescope:sample"}}, "training": {"run_name": "tiny"},
    } | sections
    return {"saescope": json.dumps(meta, sort_keys=True)}


def write_run(folder: Path, sae: TopKSae, hookpoint: str = "layers.2", step: int = 10, **sections: Any) -> Path:
    """A training-run folder holding one final checkpoint of `sae` and its registry; returns the folder."""
    checkpoint = folder / "checkpoints" / f"step-{step:06d}"
    metrics = {"loss": 0.1}
    write_checkpoint(checkpoint, sae.state_dict(), sae_header(sae, hookpoint, step, **sections),
                     {"trainer": {"step": step}}, {"step": step, "tokens_seen": step * 256, "metrics": metrics})
    write_json_atomic(folder / "checkpoints" / "registry.json", {"checkpoints": [
        {"step": step, "path": checkpoint.name, "metrics": metrics, "final": True, "retained_because": ["final"]}]})
    return folder


def fitted_sae(dataset: ActivationDataset, label: str, d_sae: int, k: int, **options: Any) -> TopKSae:
    """`make_sae(d_model, d_sae, k, **options)` with the data's normaliser, as training would set it."""
    model = make_sae(dataset.d_model, d_sae, k, **options)
    x = torch.cat([dataset.shard_activations(i, label).float() for i in range(dataset.num_shards)])
    model.input_mean.copy_(x.mean(0))
    model.input_std.copy_(x.std(0))
    return model


# --- processes


def torchrun(*args: str, nproc: int = 2) -> subprocess.CompletedProcess:
    """`torchrun --standalone --nproc-per-node N --no-python saescope ARGS`, the documented multi-process form,
    one thread per rank (the ranks share the CPU); output captured as text."""
    command = [PYTHON, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(nproc), "--no-python",
               SAESCOPE, *args]
    return subprocess.run(command, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
