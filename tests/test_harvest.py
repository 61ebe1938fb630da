import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import torch
from conftest import PYTHON, tiny_harvest_config, torchrun

from saescope import ActivationDataset
from saescope.config import load_config
from saescope.data.templating import ROLE_CODES, tokenize_conversation
from saescope.harvest.dataset import DatasetError
from saescope.harvest.run import HarvestError, harvest
from saescope.lm.hookpoints import capture_residuals

REPO = Path(__file__).resolve().parents[1]


def tiny_config(model_dir: Path, out: Path, source: str, **harvest_overrides):
    """The shared tiny harvest over every row of `source`, at two hookpoints, in short conversations."""
    overrides = {"data.source": source, "data.max_conversations": None, "data.max_tokens_per_conversation": 96,
                 "harvest.hookpoints": ["layers.1", "layers.2"], "harvest.batch_tokens": 512}
    overrides |= {f"harvest.{k}": v for k, v in harvest_overrides.items()}
    return tiny_harvest_config(model_dir, out, **overrides)


def cli_args(model_dir: Path, out: Path, source: str, max_conversations: int) -> list[str]:
    return [
        "harvest", "--model.name", str(model_dir), "--model.dtype", "float32", "--model.device", "cpu",
        "--data.source", source, "--data.max-conversations", str(max_conversations),
        "--data.max-tokens-per-conversation", "96", "--harvest.out", str(out),
        "--harvest.hookpoints", "layers.1,layers.2", "--harvest.shard-records", "200",
        "--harvest.batch-tokens", "512", "--harvest.dtype", "float32",
    ]


def all_records(ds: ActivationDataset) -> dict[tuple[int, int], tuple[int, torch.Tensor]]:
    table = {}
    for i in range(ds.num_shards):
        shard = ds.shard(i)
        keys = zip(shard.get("record.conversation").tolist(), shard.get("record.position").tolist(), strict=True)
        tokens = shard.get("record.token").tolist()
        acts = ds.shard_activations(i, "l3")
        for row, key in enumerate(keys):
            table[key] = (tokens[row], acts[row])
    return table


@pytest.fixture(scope="module")
def tiny_dataset(tiny_qwen3_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ActivationDataset:
    from conftest import BAD_ROWS, lmsys_row

    src = tmp_path_factory.mktemp("src") / "c.jsonl"
    rows = [lmsys_row(i) for i in range(24)] + [row for row, _ in BAD_ROWS]
    src.write_text("".join(json.dumps(r) + "\n" for r in rows))
    out = tmp_path_factory.mktemp("h") / "acts"
    harvest(tiny_config(tiny_qwen3_dir, out, str(src)))
    return ActivationDataset.open(out, verify=True)


def test_manifest_describes_the_run(tiny_dataset: ActivationDataset):
    m = tiny_dataset.manifest
    assert m["model"]["architecture"] == "Qwen3ForCausalLM"
    assert [h["label"] for h in m["hookpoints"]] == ["l2", "l3"]
    assert m["d_model"] == 64 and m["activation_dtype"] == "float32"
    assert m["counts"]["conversations"] == 24
    assert m["counts"]["records"] == len(tiny_dataset) == sum(s["rows"] for s in m["shards"])
    assert m["counts"]["skipped"] == {"empty_content": 1, "unknown_role": 1, "non_string_content": 1,
                                      "missing_content": 1, "missing_conversation": 1}
    assert m["counts"]["truncated_conversations"] > 0
    assert len(m["tokenizer"]["chat_template_sha256"]) == 64
    assert all(len(s["sha256"]) == 64 and s["rows"] > 0 for s in m["shards"])
    assert tiny_dataset.num_shards > 1


def test_records_match_a_direct_forward(tiny_dataset: ActivationDataset, tiny_qwen3):
    conv = tiny_dataset.conversation(5)
    ids = conv.token_ids.long()[None]
    direct = capture_residuals(tiny_qwen3.model, ids, None, ["layers.2"])["layers.2"][0]
    # Locate conversation 5's records through random access and compare every position.
    start = next(i for i in range(len(tiny_dataset)) if tiny_dataset[i].conversation == 5)
    for position in range(len(conv.token_ids)):
        record = tiny_dataset[start + position]
        assert (record.conversation, record.position) == (5, position)
        assert record.token == int(conv.token_ids[position])
        assert record.role == {v: k for k, v in ROLE_CODES.items()}[int(conv.roles[position])]
        torch.testing.assert_close(record.acts["l3"], direct[position], atol=1e-4, rtol=1e-4)


def test_conversation_tokens_are_the_chat_template(tiny_dataset: ActivationDataset, tiny_qwen3):
    from conftest import lmsys_row

    conv = tiny_dataset.conversation(7)
    assert conv.conversation_id == lmsys_row(7)["conversation_id"]
    expected = tokenize_conversation(tiny_qwen3.tokenizer, lmsys_row(7)["conversation"], 96)
    assert conv.token_ids.tolist() == expected.token_ids.tolist()
    assert conv.truncated == expected.truncated


def test_corrupt_and_truncated_shards_are_named(tiny_dataset: ActivationDataset, tmp_path: Path):
    import shutil

    copy = tmp_path / "copy"
    shutil.copytree(tiny_dataset.root, copy)
    shard = copy / tiny_dataset.shard_entries[1]["file"]
    data = bytearray(shard.read_bytes())
    data[-10] ^= 0xFF
    shard.write_bytes(bytes(data))
    with pytest.raises(DatasetError, match=r"r000-000001\.safetensors is corrupt"):
        ActivationDataset.open(copy, verify=True)
    shard.write_bytes(bytes(data[: len(data) // 2]))
    ds = ActivationDataset.open(copy)
    with pytest.raises(DatasetError, match=r"r000-000001\.safetensors is truncated"):
        ds.shard_activations(1, "layers.2")


def test_role_filter_stores_only_those_records(tiny_qwen3_dir: Path, tmp_path: Path):
    from conftest import lmsys_row

    src = tmp_path / "c.jsonl"
    src.write_text("".join(json.dumps(lmsys_row(i)) + "\n" for i in range(4)))
    harvest(tiny_config(tiny_qwen3_dir, tmp_path / "a", str(src), roles=["assistant"]))
    ds = ActivationDataset.open(tmp_path / "a")
    assert {ds[i].role for i in range(len(ds))} == {"assistant"}
    assert len(ds.conversation(0).token_ids) > sum(1 for i in range(len(ds)) if ds[i].conversation == 0)


def test_resume_with_another_config_is_refused(tiny_qwen3_dir: Path, tmp_path: Path, conversations_jsonl: Path):
    out = tmp_path / "a"
    harvest(tiny_config(tiny_qwen3_dir, out, str(conversations_jsonl)))
    with pytest.raises(HarvestError, match="other settings"):
        harvest(tiny_config(tiny_qwen3_dir, out, str(conversations_jsonl), batch_tokens=1024))


@pytest.mark.slow
def test_sigkill_then_resume_gives_the_uninterrupted_records(tiny_qwen3_dir: Path, tmp_path: Path):
    n = 160
    reference = tmp_path / "reference"
    subprocess.run([PYTHON, "-m", "saescope.cli", *cli_args(tiny_qwen3_dir, reference, "saescope:sample", n)],
                   check=True, capture_output=True)
    killed = tmp_path / "killed"
    args = [PYTHON, "-m", "saescope.cli", *cli_args(tiny_qwen3_dir, killed, "saescope:sample", n)]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while len(list((killed / "shards").glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert not (killed / "manifest.json").exists(), "the run finished before it could be killed"
    with pytest.raises(DatasetError, match="has not finished"):
        ActivationDataset.open(killed)
    subprocess.run(args, check=True, capture_output=True)
    a, b = ActivationDataset.open(reference, verify=True), ActivationDataset.open(killed, verify=True)
    assert a.manifest["counts"] == b.manifest["counts"]
    assert [s["sha256"] for s in a.manifest["shards"]] == [s["sha256"] for s in b.manifest["shards"]]


@pytest.mark.slow
def test_two_processes_under_torchrun_match_one(tiny_qwen3_dir: Path, tmp_path: Path):
    n = 40
    single, double = tmp_path / "one", tmp_path / "two"
    subprocess.run([PYTHON, "-m", "saescope.cli", *cli_args(tiny_qwen3_dir, single, "saescope:sample", n)],
                   check=True, capture_output=True)
    run = torchrun(*cli_args(tiny_qwen3_dir, double, "saescope:sample", n))
    # On failure, show every rank's own error lines first (torchrun's report names only the first rank to fail).
    errors = [line for line in run.stderr.splitlines() if "error" in line.lower() and "elastic" not in line]
    assert run.returncode == 0, "\n".join(errors[-30:]) + "\n---\n" + run.stderr[-3000:]
    a, b = ActivationDataset.open(single), ActivationDataset.open(double, verify=True)
    assert b.manifest["world_size"] == 2 and {s["rank"] for s in b.manifest["shards"]} == {0, 1}
    assert a.manifest["counts"] == b.manifest["counts"]
    ra, rb = all_records(a), all_records(b)
    assert ra.keys() == rb.keys()
    for key, (token, acts) in ra.items():
        assert rb[key][0] == token
        torch.testing.assert_close(rb[key][1], acts, atol=1e-4, rtol=1e-4)


@pytest.mark.slow
def test_demo_config_harvests_smollm2(tmp_path: Path):
    cfg = load_config(REPO / "configs" / "demo.yaml", {"harvest.out": str(tmp_path / "demo"),
                                                       "data.max_conversations": 6})
    harvest(cfg)
    ds = ActivationDataset.open(tmp_path / "demo", verify=True)
    assert ds.manifest["model"]["architecture"] == "LlamaForCausalLM" and ds.d_model == 576
    assert ds.manifest["counts"]["conversations"] == 6
    record = ds[len(ds) // 2]
    assert record.acts[ds.labels[0]].dtype == torch.bfloat16 and record.acts[ds.labels[0]].abs().sum() > 0


def test_a_rank_clears_only_its_own_stale_temporaries(tmp_path: Path):
    """Ranks share the shard folder: a rank starting late must not delete the file another rank is writing
    (this race once failed the torchrun harvest with a FileNotFoundError on rename)."""
    from saescope.harvest.format import rank_prefix, shard_stem
    from saescope.utils.atomic import remove_stale_temporaries

    mine, theirs = (tmp_path / f".{shard_stem(r, 0)}.safetensors.123.tmp" for r in (0, 1))
    committed = tmp_path / f"{shard_stem(0, 0)}.safetensors"
    for path in (mine, theirs, committed):
        path.write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path, rank_prefix(0)) == 1
    assert not mine.exists() and theirs.exists() and committed.exists()
    assert remove_stale_temporaries(tmp_path) == 1 and not theirs.exists()  # after the barrier: all of them
