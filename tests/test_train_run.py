"""`saescope train` end to end on a small harvested dataset: checkpoints, registry, exact resume, DDP."""

import json
import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch
from conftest import SAESCOPE, harvest_tiny, torchrun
from safetensors import safe_open
from safetensors.torch import load_file

from saescope.harvest.dataset import ActivationDataset
from saescope.train.checkpoint import read_trainer_state

pytestmark = pytest.mark.slow  # every test here runs `saescope train` in processes of its own


@pytest.fixture(scope="module")
def activations(tiny_qwen3_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A larger dataset than the session's, in the default bfloat16: 120 conversations in 2,000-record shards."""
    out = tmp_path_factory.mktemp("acts") / "ds"
    harvest_tiny(tiny_qwen3_dir, out, **{"model.dtype": "bfloat16", "harvest.dtype": "bfloat16",
                                         "data.max_conversations": 120, "data.max_tokens_per_conversation": 128,
                                         "harvest.shard_records": 2000, "harvest.batch_tokens": 2048})
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


def final_checkpoint(out: Path) -> Path:
    """The last final checkpoint (a run extended by --resume has two)."""
    registry = json.loads((out / "checkpoints" / "registry.json").read_text())
    final = max((e for e in registry["checkpoints"] if e["final"]), key=lambda e: e["step"])
    return out / "checkpoints" / final["path"]


def final_weights(out: Path) -> dict[str, torch.Tensor]:
    return load_file(final_checkpoint(out) / "sae.safetensors")


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
    with safe_open(final_checkpoint(out) / "sae.safetensors", "pt") as f:
        norm = json.loads(f.metadata()["saescope"])["normalization"]
    assert norm["tokens"] == 4096 and norm["outlier_factor"] == 10.0
    # The threshold is 10x the median norm of the pass's first batch (4,096 of the training records); a random
    # model has no attention sinks, so no training record is above it and none was left out.
    ds = ActivationDataset.open(activations)
    held_out = ds.held_out_shards(0.1)
    norms = torch.cat([ds.shard_activations(i, "l3").float() for i in range(ds.num_shards) if i not in held_out]
                      ).norm(dim=1)
    assert norm["outlier_norm"] == pytest.approx(10 * float(norms.median()), rel=0.05)
    assert int((norms > norm["outlier_norm"]).sum()) == 0 and norm["outliers_excluded"] == 0
    # Resuming a finished run changes nothing.
    before = (out / "checkpoints" / "registry.json").read_text()
    done = subprocess.run([SAESCOPE, "train", *train_flags(activations, out), "--resume"], capture_output=True,
                          text=True)
    assert done.returncode == 0 and "already complete" in done.stdout
    assert (out / "checkpoints" / "registry.json").read_text() == before
    # A second run into the same folder without --resume is refused rather than mixing runs.
    again = subprocess.run([SAESCOPE, "train", *train_flags(activations, out)], capture_output=True, text=True)
    assert again.returncode == 1 and "--resume" in again.stderr


def test_resume_with_a_larger_budget_continues_exactly(activations: Path, tmp_path: Path):
    """With a constant learning rate after warmup (a decay's schedule depends on the budget, so raising the
    budget of a decaying run changes its remaining steps, by design)."""
    straight, extended = tmp_path / "straight", tmp_path / "extended"
    constant = {"lr-decay-fraction": 0}
    subprocess.run([SAESCOPE, "train", *train_flags(activations, straight, **{"total-tokens": 256 * 30}, **constant)],
                   check=True, capture_output=True)
    subprocess.run([SAESCOPE, "train", *train_flags(activations, extended, **{"total-tokens": 256 * 20}, **constant)],
                   check=True, capture_output=True)
    subprocess.run([SAESCOPE, "train", *train_flags(activations, extended, **{"total-tokens": 256 * 30}, **constant),
                    "--resume"], check=True, capture_output=True)
    ours, theirs = final_weights(extended), final_weights(straight)
    for name, value in theirs.items():
        torch.testing.assert_close(ours[name], value, rtol=1e-5, atol=1e-6)


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


def test_two_ranks_match_one_at_the_same_global_batch(activations: Path, tmp_path: Path):
    one, two, moved = tmp_path / "one", tmp_path / "two", tmp_path / "moved"
    # fp32: bf16 GEMMs round differently at another batch shape, and Adam amplifies that over steps.
    # A dead window of one batch makes the AuxK path (and its all-reduced dead-latent counters) part of the check.
    # Two loader streams in every run: each rank reads only its stream's shards, one process reads both.
    flags = {"total-tokens": 256 * 40, "autocast-dtype": "float32", "dead-tokens": 256, "loader-streams": 2}
    subprocess.run([SAESCOPE, "train", *train_flags(activations, one, **flags)], check=True, capture_output=True)
    result = torchrun("train", *train_flags(activations, two, **flags))
    assert result.returncode == 0, result.stderr[-3000:]
    a, b = final_weights(one), final_weights(two)
    for name in a:
        torch.testing.assert_close(b[name], a[name], rtol=1e-4, atol=1e-5)
    loader = read_trainer_state(final_checkpoint(two))["loader"]
    assert set(loader["streams"]) == {"0", "1"}  # both ranks' positions, merged
    # Two ranks until the checkpoint at step 10 (the later one dropped, as if killed), then one process resumes:
    # the same run.
    result = torchrun("train", *train_flags(activations, moved, **flags | {"total-tokens": 256 * 20}))
    assert result.returncode == 0, result.stderr[-3000:]
    registry_file = moved / "checkpoints" / "registry.json"
    registry = json.loads(registry_file.read_text())
    for entry in registry["checkpoints"]:
        if entry["step"] > 10:
            shutil.rmtree(moved / "checkpoints" / entry["path"])
    registry["checkpoints"] = [e for e in registry["checkpoints"] if e["step"] <= 10]
    assert [e["step"] for e in registry["checkpoints"]] == [10]
    registry_file.write_text(json.dumps(registry))
    subprocess.run([SAESCOPE, "train", *train_flags(activations, moved, **flags), "--resume"], check=True,
                   capture_output=True)
    c = final_weights(moved)
    for name in a:
        torch.testing.assert_close(c[name], a[name], rtol=1e-4, atol=1e-5)
    lines_one = [json.loads(x) for x in (one / "metrics.jsonl").read_text().splitlines()]
    lines_two = [json.loads(x) for x in (two / "metrics.jsonl").read_text().splitlines()]
    assert [m["tokens"] for m in lines_one] == [m["tokens"] for m in lines_two]
    assert [m["dead"] for m in lines_one] == [m["dead"] for m in lines_two]
    # The logged losses (which also rank the best checkpoints) are over the global batch, not rank 0's slice.
    for key in ("loss", "mse", "aux_loss", "fve", "l0"):
        torch.testing.assert_close([m[key] for m in lines_two], [m[key] for m in lines_one], rtol=1e-4, atol=1e-6)
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


def test_more_loader_streams_than_shards_is_a_clear_error(activations: Path, tmp_path: Path):
    result = subprocess.run([SAESCOPE, "train", *train_flags(activations, tmp_path / "run", **{"loader-streams": 64})],
                            capture_output=True, text=True)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{activations}:" in result.stderr and "fewer than the 64 streams" in result.stderr
