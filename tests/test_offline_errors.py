"""With no hub in reach, errors tell the user how to point at a local copy."""

import os
import subprocess
import sys

import pytest

from saescope.config.schema import DataConfig, ModelConfig
from saescope.data.conversations import DataError, iter_conversations
from saescope.lm.loading import ModelLoadError, load_model


@pytest.fixture(autouse=True)
def offline(monkeypatch: pytest.MonkeyPatch, tmp_path):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))


@pytest.mark.slow
def test_model_not_reachable_says_how_to_use_a_local_copy(tmp_path):
    # A fresh process, since huggingface_hub reads HF_HUB_OFFLINE when it is imported.
    result = subprocess.run(
        [sys.executable, "-m", "saescope", "harvest", "--model.name", "Qwen/Qwen3-8B", "--model.revision", "b968826",
         "--harvest.out", str(tmp_path / "out")],
        capture_output=True, text=True, env={**os.environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")},
    )
    assert result.returncode == 1
    assert "Qwen/Qwen3-8B" in result.stderr and "b968826" in result.stderr
    assert "local copy" in result.stderr and "--local-dir" in result.stderr
    assert "Traceback" not in result.stderr


def test_dataset_not_reachable_names_it_and_the_way_out():
    with pytest.raises(DataError) as err:
        list(iter_conversations(DataConfig(source="lmsys/lmsys-chat-1m")))
    assert "lmsys/lmsys-chat-1m" in str(err.value) and "HF_TOKEN" in str(err.value)
    assert "local folder" in str(err.value)


def test_missing_gguf_is_named(tmp_path):
    with pytest.raises(ModelLoadError, match=r"nothere\.gguf"):
        load_model(ModelConfig(name=str(tmp_path / "nothere.gguf"), device="cpu"))
