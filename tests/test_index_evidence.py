"""The index's deeper evidence per feature (deep top list, histogram, activation intervals and their samples) and
attention sinks kept apart: every table against an independent brute-force computation over the dense codes, a
build in 3 parts merged equals one build, and a killed build resumes to the same tables."""

import json
import math
from pathlib import Path

import numpy as np
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import torch
from conftest import fitted_sae, write_run

from saescope import ActivationDataset
from saescope.config import load_config
from saescope.index import build_index, merge_indexes
from saescope.index.distributions import IntervalSamples
from saescope.sae.model import TopKSae

D_SAE, K = 256, 8
TOP, DEEP, PER_INTERVAL, BATCH, FACTOR, SEED = 3, 6, 2, 100, 1.3, 7
FILES = ["feature_metrics.parquet", "feature_prompts.parquet", "feature_top.parquet", "feature_histograms.parquet",
         "feature_intervals.parquet", "feature_samples.parquet"]
FLOAT_SUMS = ["activation_sum", "activation_sq_sum", "mean_activation", "std_activation"]


@pytest.fixture(scope="module")
def dataset(tiny_activations: ActivationDataset) -> ActivationDataset:
    return tiny_activations


@pytest.fixture(scope="module")
def sae(dataset: ActivationDataset) -> TopKSae:
    return fitted_sae(dataset, "l3", D_SAE, K, b_enc=0.3)


@pytest.fixture(scope="module")
def run(sae: TopKSae, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_run(tmp_path_factory.mktemp("evidence-run") / "run", sae)


def config(tiny_qwen3_dir: Path, dataset: ActivationDataset, out: Path, **index):
    overrides = {"model.name": str(tiny_qwen3_dir), "index.activations": str(dataset.root), "index.out": str(out),
                 "index.batch_size": BATCH, "index.top_examples": TOP, "index.deep_examples": DEEP,
                 "index.interval_samples": PER_INTERVAL, "index.outlier_factor": FACTOR, "index.sample_seed": SEED,
                 "index.context_tokens": 2, "index.device": "cpu", "index.decode_tokens": False,
                 "index.neighbours": 0, "index.logit_lens": 0}
    return load_config(None, overrides | {f"index.{k}": v for k, v in index.items()})


@pytest.fixture(scope="module")
def one_go(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path, tmp_path_factory) -> Path:
    return build_index(config(tiny_qwen3_dir, dataset, tmp_path_factory.mktemp("evidence") / "l3"), run)


@pytest.fixture(scope="module")
def dense(sae: TopKSae, dataset: ActivationDataset) -> dict[str, torch.Tensor]:
    """Every record's dense code, conversation and sink flag, computed here from the definitions."""
    codes, convs, norms = [], [], []
    for i in range(dataset.num_shards):
        x = dataset.shard_activations(i, "l3").float()
        with torch.no_grad():
            codes += [sae.encode_dense(x[s : s + BATCH]) for s in range(0, len(x), BATCH)]
        convs.append(dataset.shard(i).get("record.conversation"))
        norms.append(x.norm(dim=1))
    norm = torch.cat(norms)
    outlier = FACTOR * float(norms[0][:BATCH].median())  # the dataset's first batch
    return {"z": torch.cat(codes), "conv": torch.cat(convs), "sink": norm > outlier}


def read(folder: Path, name: str):
    return pq.read_table(folder / name)


def test_sinks_are_counted_apart(one_go: Path, dense):
    z, sink = dense["z"], dense["sink"]
    assert 0 < int(sink.sum()) < len(z)  # the test's factor sets some records apart
    metrics = read(one_go, "feature_metrics.parquet")
    fired = z > 0
    assert metrics["sink_fires"].to_pylist() == (fired & sink[:, None]).sum(0).tolist()
    assert metrics["ordinary_fires"].to_pylist() == (fired & ~sink[:, None]).sum(0).tolist()
    assert metrics["ordinary_max_activation"].to_pylist() == z[~sink].max(0).values.tolist()
    summary = json.loads((one_go / "summary.json").read_text())
    assert summary["sink_records"] == int(sink.sum()) and summary["outlier_factor"] == FACTOR
    top = read(one_go, "feature_top.parquet").to_pylist()
    assert not any(bool(sink[row["record"]]) for row in top)  # sinks never among the examples


def test_deep_top_list_and_prompts(one_go: Path, dense):
    z, conv, sink = dense["z"], dense["conv"], dense["sink"]
    expected = []
    for f in range(D_SAE):
        best: dict[int, tuple[float, int]] = {}
        for r in ((z[:, f] > 0) & ~sink).nonzero().flatten().tolist():
            candidate = (-float(z[r, f]), r)
            best[int(conv[r])] = min(best.get(int(conv[r]), candidate), candidate)
        ranked = sorted((v, r) for v, r in best.values())[:DEEP]
        expected += [(f, rank, -v, r) for rank, (v, r) in enumerate(ranked)]
    top = read(one_go, "feature_top.parquet").to_pylist()
    assert [(t["feature"], t["rank"], t["activation"], t["record"]) for t in top] == expected
    prompts = read(one_go, "feature_prompts.parquet").to_pylist()
    assert [(p["feature"], p["rank"], p["record"]) for p in prompts] == [e[:2] + e[3:] for e in expected
                                                                         if e[1] < TOP]


def expected_bin(value: float) -> int:
    return min(max(math.ceil((math.log2(value) + 10) * 4), 0), 97)


def splitmix(record: int, feature: int) -> int:
    mask = (1 << 64) - 1
    z = (((feature << 40) | record) + (SEED + 1) * 0x9E3779B97F4A7C15) & mask
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
    return (z ^ (z >> 31)) & ((1 << 62) - 1)


def test_histogram_intervals_and_samples(one_go: Path, dense):
    z, sink = dense["z"], dense["sink"]
    hist, intervals, samples = (read(one_go, f"feature_{n}.parquet").to_pylist()
                                for n in ("histograms", "intervals", "samples"))
    want_hist, want_intervals, want_samples = [], [], []
    for f in range(D_SAE):
        records = ((z[:, f] > 0) & ~sink).nonzero().flatten().tolist()
        values = [float(z[r, f]) for r in records]
        if not records:
            continue
        bins = np.bincount([expected_bin(v) for v in values], minlength=98)
        want_hist += [(f, b, int(c)) for b, c in enumerate(bins) if c]
        mantissa, exponent = math.frexp(max(values))
        m = 2.0 ** (exponent - (mantissa == 0.5))
        cut = [min(max(math.ceil(v * 10 / m) - 1, 0), 9) for v in values]
        counts = np.bincount(cut, minlength=10)
        want_intervals += [(f, j, m * j / 10, m * (j + 1) / 10, int(c), c / len(values))
                           for j, c in enumerate(counts) if c]
        for j in range(10):
            chosen = sorted((splitmix(r, f), r) for r, c in zip(records, cut, strict=True) if c == j)[:PER_INTERVAL]
            want_samples += [(f, j, rank, r) for rank, (_, r) in enumerate(chosen)]
    assert [(h["feature"], h["bin"], h["count"]) for h in hist] == want_hist
    got = [(i["feature"], i["interval"], i["low"], i["high"], i["count"], i["share"]) for i in intervals]
    assert [g[:2] + g[4:5] for g in got] == [w[:2] + w[4:5] for w in want_intervals]
    np.testing.assert_allclose([g[2:4] + g[5:] for g in got], [w[2:4] + w[5:] for w in want_intervals], rtol=1e-6)
    assert [(s["feature"], s["interval"], s["rank"], s["record"]) for s in samples] == want_samples
    assert any(c > PER_INTERVAL for *_, c, _ in got)  # some interval really was sampled down


def test_interval_samples_stream_in_any_order_with_a_growing_max():
    g = torch.Generator().manual_seed(0)
    n, d_sae = 4000, 5
    feature = torch.randint(0, d_sae, (n,), generator=g)
    value = torch.rand(n, generator=g).pow(3) * 40 + 1e-3  # heavy-tailed: the max keeps doubling
    record = torch.randperm(n, generator=g)
    whole = IntervalSamples.empty(d_sae, 3)
    whole.add(feature, value, record, record // 10, seed=1)
    for order in (torch.argsort(value), torch.randperm(n, generator=g)):  # ascending: M doubles many times
        streamed = IntervalSamples.empty(d_sae, 3)
        for chunk in order.split(97):
            streamed.add(feature[chunk], value[chunk], record[chunk], record[chunk] // 10, seed=1)
        for name in ("exponent", "counts", "hash", "value", "record", "conversation"):
            assert torch.equal(getattr(streamed, name), getattr(whole, name)), name
    halves = [IntervalSamples.empty(d_sae, 3) for _ in range(2)]
    for part, mask in zip(halves, (value < 5, value >= 5), strict=True):
        part.add(feature[mask], value[mask], record[mask], record[mask] // 10, seed=1)
    merged = halves[0].merge(halves[1])
    for name in ("exponent", "counts", "hash", "record"):
        assert torch.equal(getattr(merged, name), getattr(whole, name)), name


def assert_same_tables(ours: Path, reference: Path) -> None:
    for name in FILES:
        a, b = read(ours, name), read(reference, name)
        if name == "feature_metrics.parquet":
            exact = [c for c in b.column_names if c not in FLOAT_SUMS]
            assert a.select(exact).equals(b.select(exact))
            for c in FLOAT_SUMS:
                np.testing.assert_allclose(a[c].to_numpy(zero_copy_only=False), b[c].to_numpy(zero_copy_only=False),
                                           rtol=1e-12)
        else:
            assert a.equals(b), name


def test_three_parts_merged_equal_one_build(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                            one_go: Path, tmp_path: Path):
    shards = list(range(dataset.num_shards))
    parts = [build_index(config(tiny_qwen3_dir, dataset, tmp_path / f"p{i}", shards=shards[i::3]), run)
             for i in range(3)]
    assert_same_tables(merge_indexes(parts, tmp_path / "merged"), one_go)


def test_killed_build_resumes_to_the_same_tables(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                                 one_go: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    import saescope.index.build as build_module

    real_save = build_module.save_state
    calls = []

    def save_then_die(folder, state):
        real_save(folder, state)
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt  # as a kill right after the second progress save

    cfg = config(tiny_qwen3_dir, dataset, tmp_path / "resumed")
    monkeypatch.setattr(build_module, "save_state", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        build_index(cfg, run)
    monkeypatch.undo()
    build_index(cfg, run)
    assert_same_tables(tmp_path / "resumed", one_go)


def test_decoder_tables_are_written_and_merged(tiny_qwen3_dir: Path, dataset: ActivationDataset, run: Path,
                                               sae: TopKSae, tmp_path: Path):
    from saescope.index.decoder import nearest_features, raw_directions
    from saescope.lm.loading import load_model

    shards = list(range(dataset.num_shards))
    cfgs = [config(tiny_qwen3_dir, dataset, tmp_path / name, shards=part, neighbours=3, logit_lens=4)
            for name, part in (("a", shards[::2]), ("b", shards[1::2]))]
    parts = [build_index(cfg, run) for cfg in cfgs]
    merged = merge_indexes(parts, tmp_path / "merged")
    neighbours, logits = read(merged, "feature_neighbours.parquet"), read(merged, "feature_logits.parquet")
    indices, _ = nearest_features(raw_directions(sae), 3)
    assert neighbours["neighbour"].to_pylist() == indices.flatten().tolist()
    assert logits.num_rows == D_SAE * 2 * 4
    promoted = logits.filter(pc.equal(logits["direction"], "promoted"))
    model = load_model(load_config(None, {"model.name": str(tiny_qwen3_dir), "model.device": "cpu"}).model).model
    dense = model.get_output_embeddings().weight.float() @ (model.model.norm.weight.float() * raw_directions(sae)).T
    assert promoted["token_id"].to_pylist()[:4] == dense[:, 0].topk(4).indices.tolist()  # feature 0's top tokens
