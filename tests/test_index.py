"""The reverse feature index: metrics and top examples against dense brute-force definitions, merge == one go,
resume == uninterrupted, the error cases, and the CLI."""

import itertools
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
import torch
import yaml
from conftest import SAESCOPE, fitted_sae, make_sae, torchrun, write_run

from saescope import ActivationDataset
from saescope.config import load_config
from saescope.data.templating import ROLE_NAMES
from saescope.harvest.dataset import DatasetError
from saescope.index import ReverseIndex, ReverseIndexError, accumulate, build_index, merge_indexes
from saescope.index.accumulate import TopExamples, select_top
from saescope.index.examples import prompt_table
from saescope.sae.model import TopKSae
from saescope.utils.markdown import escape

D_IN, D_SAE, K = 64, 256, 8
TOP, CONTEXT, BATCH = 3, 4, 100
EXACT_METRICS = ["feature", "fire_count", "fire_rate", "conversations", "max_activation", "fires_template",
                 "fires_system", "fires_user", "fires_assistant"]


@pytest.fixture(scope="module")
def dataset(tiny_activations: ActivationDataset) -> ActivationDataset:
    """The session's tiny dataset: layers.2 (label l3) of 12 conversations, in 300-record shards."""
    return tiny_activations


@pytest.fixture(scope="module")
def sae(dataset: ActivationDataset) -> TopKSae:
    return fitted_sae(dataset, "l3", D_SAE, K, b_enc=0.3)


@pytest.fixture(scope="module")
def run(sae: TopKSae, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_run(tmp_path_factory.mktemp("index-run") / "run", sae)


def config(tiny_qwen3_dir: Path, dataset: ActivationDataset, out: Path, **index):
    overrides = {"model.name": str(tiny_qwen3_dir), "index.activations": str(dataset.root), "index.out": str(out),
                 "index.batch_size": BATCH, "index.top_examples": TOP, "index.context_tokens": CONTEXT,
                 "index.device": "cpu", "index.keep_sinks": True}  # every record in the examples (sinks: see
    # test_index_evidence.py)
    return load_config(None, overrides | {f"index.{k}": v for k, v in index.items()})


@pytest.fixture(scope="module")
def one_go(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path, tmp_path_factory) -> Path:
    return build_index(config(tiny_qwen3_dir, dataset, tmp_path_factory.mktemp("one-go") / "l3-complete"), run)


def tables(folder: Path):
    return pq.read_table(folder / "feature_metrics.parquet"), pq.read_table(folder / "feature_prompts.parquet")


def dense_codes(sae: TopKSae, dataset: ActivationDataset):
    """Every record's dense code (encoded in the index's batches, so values are bit for bit the same), with its
    conversation and role."""
    codes, convs, roles = [], [], []
    for i in range(dataset.num_shards):
        x = dataset.shard_activations(i, "l3").float()
        with torch.no_grad():
            codes += [sae.encode_dense(x[s : s + BATCH]) for s in range(0, len(x), BATCH)]
        convs.append(dataset.shard(i).get("record.conversation"))
        roles.append(dataset.shard(i).get("record.role").long())
    return torch.cat(codes), torch.cat(convs), torch.cat(roles)


def test_metrics_match_dense_definitions(one_go: Path, sae: TopKSae, dataset: ActivationDataset):
    metrics, _ = tables(one_go)
    z, conv, role = dense_codes(sae, dataset)
    fired = z > 0
    assert metrics.num_rows == D_SAE and metrics["feature"].to_pylist() == list(range(D_SAE))
    count = fired.sum(0)
    assert metrics["fire_count"].to_pylist() == count.tolist()
    assert np.allclose(metrics["fire_rate"].to_numpy(), count.numpy() / len(z))
    assert metrics["max_activation"].to_pylist() == z.max(0).values.tolist()
    np.testing.assert_allclose(metrics["activation_sum"].to_numpy(), z.double().sum(0).numpy(), rtol=1e-9)
    np.testing.assert_allclose(metrics["activation_sq_sum"].to_numpy(), z.double().square().sum(0).numpy(),
                               rtol=1e-9)
    distinct = [len(set(conv[fired[:, f]].tolist())) for f in range(D_SAE)]
    assert metrics["conversations"].to_pylist() == distinct
    for code, name in ROLE_NAMES.items():
        assert metrics[f"fires_{name}"].to_pylist() == (fired & (role == code)[:, None]).sum(0).tolist()
    live = count > 0
    mean = metrics["mean_activation"].to_numpy(zero_copy_only=False)
    values = [z[fired[:, f], f].double() for f in range(D_SAE)]
    for f in (live).nonzero().flatten().tolist()[:50]:
        assert mean[f] == pytest.approx(float(values[f].mean()), rel=1e-9)
        std = metrics["std_activation"][f].as_py()
        assert std == pytest.approx(float(values[f].std(unbiased=False)), rel=1e-6, abs=1e-9)
    assert all(metrics["mean_activation"][f].as_py() is None for f in (~live).nonzero().flatten().tolist())


def test_top_examples_are_the_best_per_conversation_in_order(one_go: Path, sae: TopKSae, dataset: ActivationDataset):
    _, prompts = tables(one_go)
    z, conv, _ = dense_codes(sae, dataset)
    rows = prompts.to_pylist()
    expected = []
    for f in range(D_SAE):
        best: dict[int, tuple[float, int]] = {}
        for r in (z[:, f] > 0).nonzero().flatten().tolist():
            candidate = (-float(z[r, f]), r)  # value desc, then record asc
            best[int(conv[r])] = min(best.get(int(conv[r]), candidate), candidate)
        ranked = sorted((v, r, c) for c, (v, r) in best.items())[:TOP]
        expected += [(f, rank, -v, r, c) for rank, (v, r, c) in enumerate(ranked)]
    got = [(row["feature"], row["rank"], row["activation"], row["record"], row["conversation"]) for row in rows]
    assert got == expected
    assert len({(row["feature"], row["conversation"]) for row in rows}) == len(rows)
    # Ties are real: the first template token has the same activation in every conversation.
    assert any(a[2] == b[2] and a[0] == b[0] for a, b in itertools.pairwise(got))


def test_small_conversation_blocks_give_the_same_index(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                                      one_go: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    # At Qwen scale a batch's (feature, conversation) grid is reduced a block of conversations at a time.
    monkeypatch.setattr(accumulate, "CELL_LIMIT", D_SAE)  # one conversation per block
    blocked = build_index(config(tiny_qwen3_dir, dataset, tmp_path / "l3-complete"), run)
    for ours, theirs in zip(tables(blocked), tables(one_go), strict=True):
        assert ours.equals(theirs)


def test_prompt_rows_carry_record_fields_and_context(one_go: Path, dataset: ActivationDataset, tiny_qwen3):
    _, prompts = tables(one_go)
    tokenizer = tiny_qwen3.tokenizer
    ids = {c.index: c for c in (dataset.conversation(i) for i in dataset.conversation_indices)}
    clipped_before = clipped_after = 0
    for row in prompts.to_pylist():
        record = dataset[row["record"]]
        assert (record.conversation, record.position, record.token, record.role, record.turn) == (
            row["conversation"], row["position"], row["token_id"], row["role"], row["turn"])
        tokens = ids[row["conversation"]].token_ids.tolist()
        p = row["position"]
        assert row["conversation_id"] == ids[row["conversation"]].conversation_id
        assert row["context_before_ids"] == tokens[max(0, p - CONTEXT) : p]
        assert row["context_after_ids"] == tokens[p + 1 : p + 1 + CONTEXT]
        # The window decoded in one piece, then cut at the firing token; the pieces are as decoded alone where
        # no character is split (tests/test_index_text.py covers split ones).
        joined = row["context_before"] + row["token"] + row["context_after"]
        assert joined in tokenizer.decode(tokens)
        alone = tokenizer.batch_decode([row["context_before_ids"], [row["token_id"]], row["context_after_ids"]])
        if "\ufffd" not in "".join(alone):
            assert [row["context_before"], row["token"], row["context_after"]] == alone
        clipped_before += p < CONTEXT
        clipped_after += p + CONTEXT >= len(tokens)
    # Both ends of a conversation clip a context (the slices above check those rows too); the counts are the
    # prompt rows within CONTEXT tokens of the conversation's first and last token.
    assert clipped_before > 0 and clipped_after > 0


def test_context_stops_at_conversation_boundaries(dataset: ActivationDataset):
    """The last record of one conversation and the first of the next: no token of the neighbour leaks in."""
    shard = dataset.shard(0)
    conv = shard.get("record.conversation")
    boundary = int((conv[1:] != conv[:-1]).nonzero().flatten()[0]) + 1
    top = TopExamples(torch.tensor([0, 1]), torch.tensor([1.0, 1.0]), torch.tensor([boundary - 1, boundary]),
                      conv[[boundary - 1, boundary]].long(), torch.tensor([0, 0]))
    rows = prompt_table(top, dataset, 6, None).to_pylist()
    last, first = rows
    last_tokens = dataset.conversation_tokens(int(conv[boundary - 1])).tolist()
    assert last["position"] == len(last_tokens) - 1 and last["context_after_ids"] == []
    assert last["context_before_ids"] == last_tokens[-7:-1]
    assert first["position"] == 0 and first["context_before_ids"] == []
    assert first["context_after_ids"] == dataset.conversation_tokens(int(conv[boundary])).tolist()[1:7]
    assert last["token"] is None and last["context_before"] is None  # not decoded without a tokenizer


def test_select_top_streaming_equals_all_at_once():
    g = torch.Generator().manual_seed(3)
    n = 5000
    feature = torch.randint(0, 40, (n,), generator=g)
    value = torch.randint(1, 30, (n,), generator=g).float()  # many exact ties
    record = torch.randperm(n, generator=g)
    conversation = record // 37
    whole = select_top(feature, value, record, conversation, 4)
    top = TopExamples.empty()
    for chunk in torch.randperm(n, generator=g).split(333):
        top = top.update(feature[chunk], value[chunk], record[chunk], conversation[chunk], 4, 40)
    for name in ("feature", "value", "record", "conversation", "rank"):
        assert torch.equal(getattr(top, name), getattr(whole, name)), name
    rows = list(zip(whole.feature.tolist(), whole.value.tolist(), whole.record.tolist(), strict=True))
    assert rows == sorted(rows, key=lambda r: (r[0], -r[1], r[2]))


def test_a_batch_in_which_no_feature_fires_adds_nothing(dataset: ActivationDataset):
    """All values 0 (every pre-activation negative): the batch is counted nowhere and does not crash."""
    from saescope.index.accumulate import ExampleRules, FeatureStats, ShardAccumulator
    from saescope.index.distributions import IntervalSamples

    shard = dataset.shard(0)
    acc = ShardAccumulator(FeatureStats.zeros(D_SAE), TopExamples.empty(), IntervalSamples.empty(D_SAE, 2),
                           ExampleRules(TOP, 2, False, 0))
    acc.start_shard(shard.get("record.conversation"), shard.get("record.role"), 0)
    acc.add(0, torch.zeros(BATCH, K, dtype=torch.int64), torch.zeros(BATCH, K), torch.zeros(BATCH, dtype=torch.bool))
    assert int(acc.stats.fire_count.sum()) == 0 and int(acc.stats.conversations.sum()) == 0 and len(acc.top) == 0


def test_merge_of_halves_equals_one_go(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path, one_go: Path,
                                       tmp_path: Path):
    half = dataset.num_shards // 2
    shards = list(range(dataset.num_shards))
    a = build_index(config(tiny_qwen3_dir, dataset, tmp_path / "a", shards=shards[half:]), run)
    b = build_index(config(tiny_qwen3_dir, dataset, tmp_path / "b", shards=shards[:half]), run)
    merged = merge_indexes([a, b], tmp_path / "merged")
    (m1, p1), (m2, p2) = tables(one_go), tables(merged)
    assert p2.equals(p1)
    assert m2.select(EXACT_METRICS).equals(m1.select(EXACT_METRICS))
    for name in ("activation_sum", "activation_sq_sum", "mean_activation", "std_activation"):
        np.testing.assert_allclose(m2[name].to_numpy(zero_copy_only=False), m1[name].to_numpy(zero_copy_only=False),
                                   rtol=1e-12)
    s1, s2 = (json.loads((f / "summary.json").read_text()) for f in (one_go, merged))
    for key in ("conversations_indexed", "activation_records_indexed", "active_features", "prompt_rows", "shards",
                "sae_weights_sha256", "top_examples", "context_tokens"):
        assert s2[key] == s1[key], key
    assert s2["merged_from"] == [str(a), str(b)]
    # Parts that cannot merge: overlapping shards, or other settings; the message names the part.
    with pytest.raises(ReverseIndexError, match=r"shard \d+ is also in"):
        merge_indexes([a, merged], tmp_path / "bad")
    c = build_index(config(tiny_qwen3_dir, dataset, tmp_path / "c", shards=shards[:half], top_examples=2), run)
    with pytest.raises(ReverseIndexError, match=re.escape(f"{c}: built with top_examples 2")):
        merge_indexes([a, c], tmp_path / "bad")


def test_killed_build_resumes_to_the_same_index(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                                one_go: Path, tmp_path: Path, monkeypatch):
    import saescope.index.build as build_module

    real_save = build_module.save_state

    def save_then_die(folder, state):
        real_save(folder, state)
        raise KeyboardInterrupt  # as a kill right after the first progress save

    cfg = config(tiny_qwen3_dir, dataset, tmp_path / "resumed")
    monkeypatch.setattr(build_module, "save_state", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        build_index(cfg, run)
    monkeypatch.undo()
    assert (tmp_path / "resumed" / "index_state.safetensors").is_file()
    assert not (tmp_path / "resumed" / "summary.json").exists()
    build_index(cfg, run)
    for resumed, reference in zip(tables(tmp_path / "resumed"), tables(one_go), strict=True):
        assert resumed.equals(reference)
    assert not (tmp_path / "resumed" / "index_state.safetensors").exists()
    # The same folder with other settings is refused rather than mixed.
    with pytest.raises(ReverseIndexError, match="differs in: context_tokens"):
        build_index(config(tiny_qwen3_dir, dataset, tmp_path / "resumed", context_tokens=2), run)


def test_reader_and_report(one_go: Path):
    index = ReverseIndex.open(one_go)
    assert index.d_sae == D_SAE and index.summary["top_examples"] == TOP
    live = [f for f in range(D_SAE) if index.feature(f)["fire_count"] > 0]
    examples = index.examples(live[0])
    assert 1 <= len(examples) <= TOP and [e["rank"] for e in examples] == list(range(len(examples)))
    assert all(e["feature"] == live[0] for e in examples)
    with pytest.raises(ReverseIndexError, match="out of range"):
        index.examples(D_SAE)
    report = (one_go / "report.md").read_text()
    assert "## Most frequent features" in report and "## Firing rates" in report
    assert f"Activation records indexed: {index.summary['activation_records_indexed']:,}" in report
    assert escape("<script>x</script> | **b** [l](u)\nnext") == (
        "&lt;script&gt;x&lt;/script&gt; \\| \\*\\*b\\*\\* \\[l\\]\\(u\\)↵next")


def test_bad_inputs_are_named(tiny_qwen3_dir: Path, dataset: ActivationDataset, sae: TopKSae, tmp_path: Path):
    wide = make_sae(D_IN * 2, D_SAE, K)
    with pytest.raises(ReverseIndexError, match=r"d_in 128.*d_model 64"):
        build_index(config(tiny_qwen3_dir, dataset, tmp_path / "x"), write_run(tmp_path / "wide", wide))
    with pytest.raises(ReverseIndexError, match=r"hookpoint layers\.1.*\['layers\.2'\]"):
        build_index(config(tiny_qwen3_dir, dataset, tmp_path / "x"), write_run(tmp_path / "l2", sae, "layers.1"))
    with pytest.raises(ReverseIndexError, match=r"index\.shards"):
        build_index(config(tiny_qwen3_dir, dataset, tmp_path / "x", shards=[0, 99]), write_run(tmp_path / "ok", sae))
    # A truncated shard is named; so is a tokenizer that is not the dataset's.
    copy = Path(shutil.copytree(dataset.root, tmp_path / "copy"))
    shard = copy / dataset.shard_entries[1]["file"]
    shard.write_bytes(shard.read_bytes()[:-100])
    with pytest.raises(DatasetError, match=str(shard)):
        build_index(config(tiny_qwen3_dir, ActivationDataset.open(copy), tmp_path / "x"), tmp_path / "ok")
    manifest = json.loads((copy / "manifest.json").read_text())
    manifest["tokenizer"]["tokenizer_sha256"] = "0" * 64
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ReverseIndexError, match="is not the one"):
        build_index(config(tiny_qwen3_dir, ActivationDataset.open(copy), tmp_path / "x"), tmp_path / "ok")


@pytest.mark.slow
def test_cli_builds_merges_and_fails_cleanly(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                             one_go: Path, tmp_path: Path, sae: TopKSae):
    from click.testing import CliRunner

    from saescope.cli import main

    cfg = tmp_path / "index.yaml"
    cfg.write_text(yaml.safe_dump({"model": {"name": str(tiny_qwen3_dir)}, "train": {"activations": str(dataset.root)},
                                   "index": {"out": str(tmp_path / "cli"), "batch_size": BATCH, "top_examples": TOP,
                                             "context_tokens": CONTEXT, "device": "cpu"}}))
    ok = subprocess.run([SAESCOPE, "index", str(run), "--config", str(cfg), "--index.no-decode-tokens"],
                        capture_output=True, text=True)
    assert ok.returncode == 0, ok.stderr[-2000:]
    assert f"{dataset.manifest['counts']['records']:,} records" in ok.stdout
    metrics, prompts = tables(tmp_path / "cli")
    # The same counts as in-process (float values may differ in the last bits with another BLAS thread count).
    assert metrics.select(["fire_count", "conversations"]).equals(tables(one_go)[0].select(["fire_count",
                                                                                          "conversations"]))
    assert prompts["token"].null_count == prompts.num_rows and prompts["context_before_ids"].null_count == 0
    merged = CliRunner().invoke(main, ["index-merge", str(one_go), "--out", str(tmp_path / "m")])
    assert merged.exit_code == 0, merged.output
    assert "merged from 1 parts" in merged.output and tables(tmp_path / "m")[1].equals(tables(one_go)[1])
    bad = subprocess.run([SAESCOPE, "index", str(write_run(tmp_path / "l2", sae, "layers.1")), "--config", str(cfg),
                          "--index.out", str(tmp_path / "bad")], capture_output=True, text=True)
    assert bad.returncode == 1 and "layers.1" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_two_ranks_under_torchrun_build_parts_and_merge(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                                        one_go: Path, tmp_path: Path):
    out = tmp_path / "dist"
    result = torchrun("index", str(run), "--index.activations", str(dataset.root), "--index.out", str(out),
                      "--index.batch-size", str(BATCH), "--index.top-examples", str(TOP), "--index.context-tokens",
                      str(CONTEXT), "--index.device", "cpu", "--index.no-decode-tokens", "--index.keep-sinks",
                      "--model.name", str(tiny_qwen3_dir))
    assert result.returncode == 0, result.stderr[-3000:]
    shards = list(range(dataset.num_shards))
    for rank in (0, 1):
        part = json.loads((out / "parts" / f"rank-{rank:03d}" / "summary.json").read_text())
        assert part["shards"] == shards[rank::2]
    summary = json.loads((out / "summary.json").read_text())
    reference = json.loads((one_go / "summary.json").read_text())
    for key in ("conversations_indexed", "activation_records_indexed", "active_features", "prompt_rows", "shards"):
        assert summary[key] == reference[key], key
    (m1, p1), (m2, p2) = tables(one_go), tables(out)
    assert m2.select(["fire_count", "conversations"]).equals(m1.select(["fire_count", "conversations"]))
    assert p2.select(["feature", "rank"]).equals(p1.select(["feature", "rank"]))
