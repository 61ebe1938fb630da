"""`saescope train` end to end on a small harvested dataset: checkpoints, registry, exact resume, DDP."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

from saescope.config import load_config
from saescope.harvest.run import harvest

PYTHON = sys.executable
SAESCOPE = str(Path(PYTHON).parent / "saescope")


@pytest.fixture(scope="module")
def activations(tiny_qwen3_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("acts") / "ds"
    harvest(load_config(None, {
        "model.name": str(tiny_qwen3_dir), "model.device": "cpu", "data.max_conversations": 120,
        "data.max_tokens_per_conversation": 128, "harvest.out": str(out), "harvest.hookpoints": ["layers.2"],
        "harvest.shard_records": 2000, "harvest.batch_tokens": 2048,
    }))
    return out


def train_flags(activations: Path, out: Path, **extra) -> list[str]:
    flags = {
        "activations": str(activations), "hookpoint": "layers.2", "out": str(out), "d_sae": 256, "k": 8,
        "aux-k": 32, "dead-tokens": 4096, "batch-size": 256, "warmup-tokens": 2048, "lr": 0.001,
        "normalizer-tokens": 4096, "b-dec-init-tokens": 1024, "total-tokens": 256 * 120, "device": "cpu",
        "save-every": 10, "best-checkpoint-count": 2, "shuffle-buffer": 1024, "log-every": 1,
        "prefetch-shards": 2, "decoded-prefetch-shards": 2, "cpu-prefetch-batches": 2,
    } | extra
    args = []
    for key, value in flags.items():
        args += [f"--train.{key.replace('_', '-')}", str(value)]
    return args


def final_weights(out: Path) -> dict[str, torch.Tensor]:
    registry = json.loads((out / "checkpoints" / "registry.json").read_text())
    final = next(e for e in registry["checkpoints"] if e["final"])
    return load_file(out / "checkpoints" / final["path"] / "sae.safetensors")


def test_train_writes_checkpoints_registry_and_metrics(activations: Path, tmp_path: Path):
    out = tmp_path / "run"
    result = subprocess.run([SAESCOPE, "train", *train_flags(activations, out)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    registry = json.loads((out / "checkpoints" / "registry.json").read_text())
    steps = [e["step"] for e in registry["checkpoints"]]
    assert steps == sorted(steps) and steps[-1] == 120 and len(steps) <= 3
    assert {p.name for p in (out / "checkpoints").iterdir()} == {"registry.json"} | {e["path"] for e in
                                                                                      registry["checkpoints"]}
    best = sorted(registry["checkpoints"], key=lambda e: e["metrics"]["loss"])[:2]
    assert all(any(r.startswith("best loss") for r in e["retained_because"]) for e in best)
    lines = [json.loads(line) for line in (out / "metrics.jsonl").read_text().splitlines()]
    assert [m["step"] for m in lines] == list(range(1, 121))
    assert lines[-1]["fve"] > lines[0]["fve"] and lines[-1]["l0"] <= 8
    assert {"loss", "mse", "aux_loss", "fve", "l0", "dead", "lr", "tokens"} <= lines[-1].keys()
    sae = final_weights(out)
    assert set(sae) == {"W_enc", "b_enc", "W_dec", "b_dec", "input_mean", "input_std"}
    assert sae["W_enc"].shape == (64, 256) and sae["input_std"].min() > 0
    # Resuming a finished run changes nothing.
    before = (out / "checkpoints" / "registry.json").read_text()
    done = subprocess.run([SAESCOPE, "train", *train_flags(activations, out), "--resume"], capture_output=True,
                          text=True)
    assert done.returncode == 0 and "already complete" in done.stdout
    assert (out / "checkpoints" / "registry.json").read_text() == before
    # A second run into the same folder without --resume is refused rather than mixing runs.
    again = subprocess.run([SAESCOPE, "train", *train_flags(activations, out)], capture_output=True, text=True)
    assert again.returncode == 1 and "--resume" in again.stderr


@pytest.mark.slow
def test_sigkill_then_resume_equals_an_uninterrupted_run(activations: Path, tmp_path: Path):
    total = 256 * 400
    reference, killed = tmp_path / "reference", tmp_path / "killed"
    subprocess.run([SAESCOPE, "train", *train_flags(activations, reference, **{"total-tokens": total})], check=True,
                   capture_output=True)
    args = [SAESCOPE, "train", *train_flags(activations, killed, **{"total-tokens": total})]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    registry = killed / "checkpoints" / "registry.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if registry.exists() and json.loads(registry.read_text())["checkpoints"][-1]["step"] >= 30:
            break
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    state = json.loads(registry.read_text())["checkpoints"]
    assert not any(e["final"] for e in state), "the run finished before it could be killed"
    subprocess.run([*args, "--resume"], check=True, capture_output=True)
    ours, theirs = final_weights(killed), final_weights(reference)
    for name, value in theirs.items():
        torch.testing.assert_close(ours[name], value, rtol=1e-5, atol=1e-6)
    steps = [json.loads(line)["step"] for line in (killed / "metrics.jsonl").read_text().splitlines()]
    assert steps == list(range(1, 401))


@pytest.mark.slow
def test_two_ranks_match_one_at_the_same_global_batch(activations: Path, tmp_path: Path):
    one, two = tmp_path / "one", tmp_path / "two"
    # fp32: bf16 GEMMs round differently at another batch shape, and Adam amplifies that over steps.
    # A short dead window makes the AuxK path (and its all-reduced dead-latent counters) part of the check.
    flags = {"total-tokens": 256 * 40, "autocast-dtype": "float32", "dead-tokens": 1024}
    subprocess.run([SAESCOPE, "train", *train_flags(activations, one, **flags)], check=True, capture_output=True)
    torchrun = [PYTHON, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", "--no-python"]
    result = subprocess.run([*torchrun, SAESCOPE, "train", *train_flags(activations, two, **flags)],
                            capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    assert result.returncode == 0, result.stderr[-3000:]
    a, b = final_weights(one), final_weights(two)
    for name in a:
        torch.testing.assert_close(b[name], a[name], rtol=1e-4, atol=1e-5)
    lines_one = [json.loads(x) for x in (one / "metrics.jsonl").read_text().splitlines()]
    lines_two = [json.loads(x) for x in (two / "metrics.jsonl").read_text().splitlines()]
    assert [m["tokens"] for m in lines_one] == [m["tokens"] for m in lines_two]
    assert [m["dead"] for m in lines_one] == [m["dead"] for m in lines_two]
    assert max(m["dead"] for m in lines_one) > 0 and max(m["aux_loss"] for m in lines_one) > 0


def test_missing_dataset_is_named(tmp_path: Path):
    result = subprocess.run([SAESCOPE, "train", *train_flags(tmp_path / "nowhere", tmp_path / "run")],
                            capture_output=True, text=True)
    assert result.returncode == 1
    assert "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_wandb_offline_mirrors_the_metrics(activations: Path, tmp_path: Path):
    pytest.importorskip("wandb")
    out = tmp_path / "run"
    env = {**os.environ, "WANDB_MODE": "offline", "WANDB_SILENT": "true"}
    result = subprocess.run([SAESCOPE, "train", *train_flags(activations, out, **{"total-tokens": 256 * 20,
                                                                                   "wandb-project": "saescope-test"})],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0, result.stderr[-2000:]
    run_id = (out / "wandb_run_id").read_text().strip()
    assert list((out / "wandb").glob(f"offline-run-*-{run_id}"))
