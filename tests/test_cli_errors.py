"""Every subcommand given bad input prints one line naming what is wrong and exits non-zero: never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import save_file

from saescope.cli import run


@pytest.fixture(scope="module")
def bad(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bad")
    (root / "empty").mkdir()
    (root / "broken.yaml").write_text("train: [1\n")
    # A SAELens folder of an architecture saescope cannot run exactly (a ReLU SAE, not TopK).
    saelens = root / "saelens-relu"
    saelens.mkdir()
    (saelens / "cfg.json").write_text(json.dumps({"architecture": "standard", "d_in": 4, "d_sae": 8}))
    save_file({"W_enc": torch.zeros(4, 8), "b_enc": torch.zeros(8), "W_dec": torch.zeros(8, 4),
               "b_dec": torch.zeros(4)}, str(saelens / "sae_weights.safetensors"))
    # A training run whose registry is damaged, and a checkpoint whose weights file is not safetensors.
    (root / "run" / "checkpoints").mkdir(parents=True)
    (root / "run" / "checkpoints" / "registry.json").write_text('{"checkpoints": [{"step": "x"}]}')
    (root / "ckpt").mkdir()
    (root / "ckpt" / "sae.safetensors").write_bytes(b"not a safetensors file")
    (root / "release").mkdir()
    (root / "release" / "release_manifest.json").write_text('{"files": [{"path": "../outside"}]}')
    return root


CASES = {
    "harvest, unreadable YAML": (["harvest", "--config", "{root}/broken.yaml"], "broken.yaml"),
    "harvest, missing model": (["harvest", "--model.name", "{root}/no-such-model"], "no-such-model"),
    "inspect, not a dataset": (["inspect", "{root}/empty"], "manifest.json"),
    "train, not a dataset": (["train", "--train.activations", "{root}/empty", "--train.out", "{root}/t"],
                             "manifest.json"),
    "eval, SAELens ReLU folder": (["eval", "{root}/saelens-relu", "--eval.no-coreplus"], "architecture"),
    "eval, damaged registry": (["eval", "{root}/run", "--eval.no-coreplus"], "registry.json"),
    "index, not a dataset": (["index", "{root}/ckpt", "--index.activations", "{root}/empty"], "manifest.json"),
    "steer, not safetensors": (["steer", "{root}/ckpt", "-f", "0", "-s", "1", "-p", "hi"], "sae.safetensors"),
    "steer, no SAE": (["steer", "{root}/empty", "-f", "0", "-s", "1", "-p", "hi"], "model.metadata.json"),
    "steer-eval, SAELens ReLU folder": (["steer-eval", "{root}/saelens-relu"], "architecture"),
    "index-merge, not an index": (["index-merge", "{root}/empty", "--out", "{root}/m"], "summary.json"),
    "export, not a checkpoint": (["export", "{root}/empty", "--out", "{root}/r"], "registry.json"),
    "verify, escaping manifest": (["verify", "{root}/release"], "escapes"),
    "publish, not a release": (["publish", "{root}/empty", "--repo-id", "a/b", "--dry-run"], "release_manifest"),
    "serve, not an index": (["serve", "{root}/empty"], "summary.json"),
    "plan, no model config": (["plan", "--model.name", "{root}/empty", "--records", "10", "--conversations", "2"],
                              "empty"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_one_line_and_a_non_zero_exit(case: str, bad: Path, monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]):
    argv, named = CASES[case]
    monkeypatch.chdir(bad)  # default output folders (runs/...) land here, not in the checkout
    monkeypatch.setattr(sys, "argv", ["saescope", *(a.format(root=bad) for a in argv)])
    with pytest.raises(SystemExit) as exit_info:
        run()
    err = capsys.readouterr().err
    assert exit_info.value.code not in (0, None)
    assert "Traceback" not in err
    message = [line for line in err.splitlines() if line.lower().startswith("error:")]
    assert len(message) == 1 and named in message[0], err


@pytest.mark.slow
def test_help_answers_without_loading_torch_or_onnx():
    # `import saescope` and the CLI's --help must not pay for torch, onnx or onnxruntime (heavy imports are lazy).
    code = ("import sys, saescope, saescope.cli\n"
            "assert not {'torch', 'onnx', 'onnxruntime'} & set(sys.modules), sorted(sys.modules)\n"
            "from saescope import Sae\n"
            "assert 'onnx' not in sys.modules and 'onnxruntime' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=120)
    help_text = subprocess.run([sys.executable, "-m", "saescope.cli", "train", "--help"], check=True,
                               capture_output=True, text=True, timeout=60).stdout
    assert "--train.verify-shards" in help_text and "--train.epochs" in help_text
