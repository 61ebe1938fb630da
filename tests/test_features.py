"""`saescope features` and ReverseIndex's queries: over a small built index whose optional tables are replaced by
synthetic ones (so the expected answers are computed here, from the tables, with pyarrow and numpy), an "older"
index without them, the CLI's error lines and exit codes, and explain-prompt on the tiny Qwen3 against the SAE's
top-k of independently captured residuals."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
import torch
import yaml
from click.testing import CliRunner
from conftest import PYTHON, SAESCOPE, make_sae, write_run

from saescope.cli import main, run
from saescope.cli_features import snippet, sparkline
from saescope.config import load_config
from saescope.harvest.dataset import ActivationDataset
from saescope.index import ReverseIndex, ReverseIndexError, build_index
from saescope.index.query import OPTIONAL_TABLES, ROLES
from saescope.sae.model import TopKSae

D_IN, D_SAE, K, TOP = 64, 256, 8, 3
MARKER = "ZeBrA"  # in the synthetic deep examples of MARKED features only
MARKED = {5: 2, 17: 1, 40: 3}  # feature: rows with the marker
rng = np.random.default_rng(7)


@pytest.fixture(scope="module")
def sae(tiny_activations: ActivationDataset) -> TopKSae:
    model = make_sae(D_IN, D_SAE, K, b_enc=0.3)
    x = torch.cat([tiny_activations.shard_activations(i, "l3").float() for i in range(tiny_activations.num_shards)])
    model.input_mean.copy_(x.mean(0))
    model.input_std.copy_(x.std(0))
    return model


@pytest.fixture(scope="module")
def sae_run(sae: TopKSae, tmp_path_factory) -> Path:
    return write_run(tmp_path_factory.mktemp("features-run") / "run", sae)


@pytest.fixture(scope="module")
def built(tiny_qwen3_dir: Path, tiny_activations: ActivationDataset, sae_run: Path, tmp_path_factory) -> Path:
    settings = {"model.name": str(tiny_qwen3_dir), "index.activations": str(tiny_activations.root),
                "index.out": str(tmp_path_factory.mktemp("features") / "built"), "index.batch_size": 300,
                "index.top_examples": TOP, "index.context_tokens": 4, "index.device": "cpu", "index.neighbours": 0,
                "index.logit_lens": 0}
    return build_index(load_config(None, settings), sae_run)


def feature_blocks_reversed(table: pa.Table) -> pa.Table:
    """The rows with the features' blocks in descending order, each block's rows in their order: out of order
    on purpose, which the reader must sort back."""
    f = table["feature"].to_numpy()
    return table.take(pa.array(np.lexsort((np.arange(len(f)), -f))))


def synthetic_tables(prompts: pa.Table, metrics: pa.Table) -> dict[str, pa.Table]:
    live = np.flatnonzero(metrics["fire_count"].to_numpy() > 0)
    deep = prompts.to_pylist()
    for f, n in MARKED.items():
        last = max([r["rank"] for r in deep if r["feature"] == f], default=-1)
        base = next(r for r in deep if r["feature"] == f)
        deep += [base | {"rank": last + 1 + i, "context_after": f" the {MARKER}!", "activation": 0.01}
                 for i in range(n)]
    deep.sort(key=lambda r: (r["feature"], r["rank"]))
    samples = [r | {"interval": r["rank"] % 2} for r in prompts.to_pylist()]
    samples.sort(key=lambda r: (r["feature"], r["interval"], r["rank"]))
    intervals = [{"feature": int(f), "interval": j, "low": j / 10, "high": (j + 1) / 10, "count": int(c),
                  "share": float(c) / 10} for f in live for j, c in enumerate(rng.integers(0, 3, 10)) if c]
    hist = [{"feature": int(f), "bin": b, "low": 2.0 ** (-10 + (b - 1) / 4), "high": 2.0 ** (-10 + b / 4),
             "count": int(rng.integers(1, 50))} for f in live for b in sorted(rng.choice(97, 4, replace=False) + 1)]
    neighbours = [{"feature": f, "rank": r, "neighbour": int(n), "cosine": 0.9 - 0.1 * r}
                  for f in range(D_SAE) for r, n in enumerate(rng.choice(D_SAE, 3, replace=False))]
    logits = [{"feature": f, "direction": d, "rank": r, "token_id": 100 * f + r, "token": f"{d[:3]}{f}.{r}\n",
               "logit": (1.0 if d == "promoted" else -1.0) * (2 - r)}
              for f in range(D_SAE) for d in ("promoted", "suppressed") for r in range(2)]
    schema = prompts.schema
    return {"top": pa.Table.from_pylist(deep, schema), "samples": pa.Table.from_pylist(
        samples, schema.append(pa.field("interval", pa.int8()))),
        "intervals": pa.Table.from_pylist(intervals), "histograms": feature_blocks_reversed(pa.Table.from_pylist(hist)),
        "neighbours": pa.Table.from_pylist(neighbours), "logits": pa.Table.from_pylist(logits)}


@pytest.fixture(scope="module")
def full(built: Path, tmp_path_factory) -> Path:
    """The built index with synthetic optional tables, and sinks counted apart in its metrics (ordinary_fire_rate
    left out: the reader derives it)."""
    folder = Path(shutil.copytree(built, tmp_path_factory.mktemp("full") / "index"))
    metrics, prompts = (pq.read_table(built / n) for n in ("feature_metrics.parquet", "feature_prompts.parquet"))
    for name, table in synthetic_tables(prompts, metrics).items():
        pq.write_table(table, folder / OPTIONAL_TABLES[name])
    count = metrics["fire_count"].to_numpy()
    sinks = (rng.random(D_SAE) * count).astype(np.int64)
    columns = {n: metrics[n] for n in metrics.column_names if not n.startswith(("sink", "ordinary"))}
    columns |= {"sink_fires": pa.array(sinks), "ordinary_fires": pa.array(count - sinks),
                "ordinary_max_activation": pa.array((metrics["max_activation"].to_numpy() * rng.random(D_SAE))
                                                    .astype(np.float32))}
    pq.write_table(pa.table(columns), folder / "feature_metrics.parquet")
    return folder


@pytest.fixture(scope="module")
def old(built: Path, tmp_path_factory) -> Path:
    """An index from before the optional tables, sinks and `special`: metrics, prompts and summary only."""
    folder = tmp_path_factory.mktemp("old") / "index"
    folder.mkdir()
    metrics, prompts = (pq.read_table(built / n) for n in ("feature_metrics.parquet", "feature_prompts.parquet"))
    pq.write_table(metrics.select([n for n in metrics.column_names if not n.startswith(("sink", "ordinary"))]),
                   folder / "feature_metrics.parquet")
    pq.write_table(prompts.select([n for n in prompts.column_names if n != "special"]),
                   folder / "feature_prompts.parquet")
    shutil.copy(built / "summary.json", folder / "summary.json")
    return folder


def rows_of(folder: Path, name: str, feature: int) -> list[dict]:
    """A feature's rows by a full filter (not the reader's binary search), in stored order within the feature."""
    table = pq.read_table(folder / OPTIONAL_TABLES.get(name, name))
    return table.filter(pc.equal(table["feature"], feature)).to_pylist()


def cli(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["features", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_file_names_and_roles_are_the_builds():
    from saescope.index.decoder import LOGITS_FILE, NEIGHBOURS_FILE
    from saescope.index.evidence import HISTOGRAMS_FILE, INTERVALS_FILE, SAMPLES_FILE, TOP_FILE
    from saescope.index.tables import ROLE_COLUMNS

    assert OPTIONAL_TABLES == {"top": TOP_FILE, "samples": SAMPLES_FILE, "intervals": INTERVALS_FILE,
                               "histograms": HISTOGRAMS_FILE, "neighbours": NEIGHBOURS_FILE, "logits": LOGITS_FILE}
    assert [f"fires_{r}" for r in ROLES] == ROLE_COLUMNS


def test_per_feature_lookups_equal_filters(full: Path):
    index = ReverseIndex.open(full)
    live = [f for f in range(D_SAE) if index.feature(f)["fire_count"] > 0]
    for f in [*live[:5], *MARKED, live[-1], D_SAE - 1]:
        assert index.deep_examples(f) == rows_of(full, "top", f)
        assert index.samples(f) == rows_of(full, "samples", f)
        assert index.intervals(f) == rows_of(full, "intervals", f)
        assert index.neighbours(f) == rows_of(full, "neighbours", f)
        hist = rows_of(full, "histograms", f)
        assert index.histogram(f) == hist and [b["bin"] for b in hist] == sorted(b["bin"] for b in hist)
        lens = rows_of(full, "logits", f)
        assert index.logits(f) == {d: [r for r in lens if r["direction"] == d] for d in ("promoted", "suppressed")}
    dead = sorted(set(range(D_SAE)) - set(live))
    assert all(index.histogram(f) == [] and index.examples(f) == [] for f in dead[:5])
    with pytest.raises(ReverseIndexError, match=f"feature {D_SAE} out of range"):
        index.samples(D_SAE)


def expected_top(metrics: pa.Table, values: np.ndarray, limit: int) -> list[int]:
    key = [(-v if v == v else np.inf, f) for f, v in enumerate(values)]
    return [f for _, f in sorted(key)][:limit]


@pytest.mark.parametrize(("by", "role", "ordinary", "column"), [
    ("fire_rate", None, True, "ordinary_fire_rate"), ("fire_rate", None, False, "fire_rate"),
    ("max_activation", None, True, "ordinary_max_activation"), ("fire_count", None, True, "ordinary_fires"),
    ("conversations", None, True, "conversations"), ("mean_activation", None, True, "mean_activation"),
    ("fire_rate", "assistant", True, "fires_assistant"), ("fire_rate", "template", True, "fires_template"),
])
def test_top_ranks_by_the_column(full: Path, by: str, role: str | None, ordinary: bool, column: str):
    index = ReverseIndex.open(full)
    metrics = pq.read_table(full / "feature_metrics.parquet")
    records = json.loads((full / "summary.json").read_text())["activation_records_indexed"]
    if column == "ordinary_fire_rate":
        values = metrics["ordinary_fires"].to_numpy() / records
    else:
        values = metrics[column].to_numpy(zero_copy_only=False).astype(np.float64)
    rows = index.top(by, role, 12, ordinary)
    assert index.sort_column(by, role, ordinary) == column
    assert [r["feature"] for r in rows] == expected_top(metrics, values, 12)
    assert all(r[column] == pytest.approx(values[r["feature"]], nan_ok=True) for r in rows)
    examples = pq.read_table(full / "feature_prompts.parquet")
    for r in rows:
        best = examples.filter(pc.equal(examples["feature"], r["feature"])).slice(0, 1).to_pylist()
        assert (r["best"] is None) == (not best) and (not best or r["best"]["token"] == best[0]["token"])


def test_search_counts_matching_examples(full: Path, old: Path):
    index = ReverseIndex.open(full)
    hits = index.search(MARKER.lower(), 10)
    assert [(r["feature"], r["hits"]) for r in hits] == sorted(MARKED.items(), key=lambda kv: (-kv[1], kv[0]))
    assert all(MARKER in r["example"]["context_after"] for r in hits)
    deep = pq.read_table(full / OPTIONAL_TABLES["top"]).to_pylist()
    word = next(r["token"] for r in deep if r["token"] and len(r["token"].strip()) > 2).strip().upper()
    counts: dict[int, int] = {}
    for r in deep:
        if word.lower() in (r["context_before"] + r["token"] + r["context_after"]).lower():
            counts[r["feature"]] = counts.get(r["feature"], 0) + 1
    got = index.search(word, 5)
    assert [(r["feature"], r["hits"]) for r in got] == sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:5]
    assert ReverseIndex.open(old).search(MARKER) == [] and index.search("  ") == []


def test_an_older_index_says_not_in_this_index(old: Path):
    index = ReverseIndex.open(old)
    assert all(not index.has(name) for name in OPTIONAL_TABLES)
    assert index.histogram(3) is None and index.logits(3) is None and index.deep_examples(3) is None
    metrics = pq.read_table(old / "feature_metrics.parquet")
    assert index.sort_column("fire_count") == "fire_count"
    assert [r["feature"] for r in index.top("fire_count", limit=5)] == expected_top(
        metrics, metrics["fire_count"].to_numpy().astype(float), 5)
    code, out, _ = cli("show", "3", "--index", str(old))
    assert code == 0
    for title in ("histogram   not in this index", "interval samples: not in this index",
                  "logit lens: not in this index", "neighbours: not in this index"):
        assert title in out


def test_show_prints_every_section(full: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COLUMNS", "90")
    index = ReverseIndex.open(full)
    f = max(MARKED, key=lambda f: index.feature(f)["fire_count"])
    code, out, _ = cli("show", str(f), "--index", str(full))
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith(f"feature {f} of {D_SAE}: fires {index.feature(f)['fire_count']:,} times")
    assert all(len(line) <= 90 for line in lines)
    hist = next(line for line in lines if line.startswith("  histogram"))
    assert any(c in hist for c in "▁▂▃▄▅▆▇█") and "records)" in hist
    examples = index.examples(f)
    marked = [line for line in lines if "⟦" in line]
    assert len(marked) >= len(examples) and all("\n" not in line for line in marked)
    assert f"'pro{f}.0↵' 2" in out and f"'sup{f}.0↵' -2" in out
    assert f"{index.neighbours(f)[0]['neighbour']} (0.900)" in out
    code, out, _ = cli("show", str(f), "--index", str(full), "--json", "--deep")
    shown = json.loads(out)
    assert shown["examples"] == rows_of(full, "top", f) and shown["histogram"] == rows_of(full, "histograms", f)


def test_top_and_search_commands(full: Path):
    code, out, _ = cli("top", "--index", str(full), "--by", "conversations", "--role", "user", "-n", "4")
    assert code == 0 and out.splitlines()[0].split()[:2] == ["feature", "fires_user"]
    expected = ReverseIndex.open(full).top(role="user", limit=4)
    assert [int(line.split()[0]) for line in out.splitlines()[1:]] == [r["feature"] for r in expected]
    code, out, _ = cli("top", "--index", str(full), "--by", "max_activation", "--all-records", "--json")
    assert [r["feature"] for r in json.loads(out)] == [r["feature"] for r in ReverseIndex.open(full).top(
        "max_activation", ordinary=False)]
    code, out, _ = cli("search", MARKER.upper(), "--index", str(full))
    assert code == 0 and [int(line.split()[0]) for line in out.splitlines()[1:]] == [40, 5, 17]
    assert cli("search", "no such text anywhere", "--index", str(full))[1].startswith("no example contains")


def test_a_release_folder_finds_its_index(full: Path, tmp_path: Path):
    shutil.copytree(full, tmp_path / "release" / "reverse-index" / "l3")
    code, out, _ = cli("top", "--index", str(tmp_path / "release"), "-n", "2", "--json")
    assert code == 0 and len(json.loads(out)) == 2


def run_cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, *args: str) -> tuple[int, str]:
    """`saescope ARGS` through the console script's entry point, in-process: (exit code, stderr)."""
    monkeypatch.setattr(sys, "argv", ["saescope", *args])
    with pytest.raises(SystemExit) as exit_:
        run()
    return exit_.value.code, capsys.readouterr().err


def test_errors_are_one_line(full: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys):
    cases = [(["features", "show", str(D_SAE), "--index", str(full)], 1, f"feature {D_SAE} out of range"),
             (["features", "top", "--index", str(full), "--by", "nope"], 1, "unknown metric 'nope'"),
             (["features", "show", "1", "--index", str(tmp_path / "absent")], 1, "absent: no such index folder"),
             (["features", "top", "--index", str(tmp_path)], 1, "summary.json"),
             (["features", "top", "--index", str(full), "--role", "robot"], 2, "'robot' is not one of")]
    for args, code, message in cases:
        got, err = run_cli(monkeypatch, capsys, *args)
        assert got == code and message in err and "Traceback" not in err, (args, err)
        assert len(err.strip().splitlines()) == 1 or code == 2, err  # click's usage errors add a usage line
    other = write_run(tmp_path / "other", make_sae(D_IN, 128, K))
    got, err = run_cli(monkeypatch, capsys, "features", "explain-prompt", "hi", "--sae", str(other), "--index",
                       str(full))
    assert got == 1 and "d_sae 128" in err and len(err.strip().splitlines()) == 1


def test_console_script_is_light_and_fails_cleanly(tmp_path: Path):
    probe = "import sys, saescope.cli; print(sorted(m for m in ('torch', 'pyarrow') if m in sys.modules))"
    assert subprocess.run([PYTHON, "-c", probe], capture_output=True, text=True).stdout.strip() == "[]"
    result = subprocess.run([SAESCOPE, "features", "show", "1", "--index", str(tmp_path / "x")],
                            capture_output=True, text=True)
    assert result.returncode == 1 and result.stderr.strip() == (
        f"error: {tmp_path / 'x'}: no such index folder (pass --index FOLDER: a reverse index, or a release's "
        "reverse-index/<name>/)")


def test_explain_prompt_is_the_saes_top_k(full: Path, sae_run: Path, tiny_qwen3_dir: Path, tiny_qwen3,
                                          sae: TopKSae, tmp_path: Path):
    config = tmp_path / "c.yaml"
    config.write_text(yaml.safe_dump({"model": {"name": str(tiny_qwen3_dir), "dtype": "float32", "device": "cpu"},
                                      "index": {"out": str(full)}}))
    text, n = "How do I sort a list\nin Python?", 3
    code, out, err = cli("explain-prompt", text, "--sae", str(sae_run), "--config", str(config),
                         "--top", str(n), "--json")
    assert code == 0, err
    result = json.loads(out)
    tok = tiny_qwen3.tokenizer
    templated = tok.apply_chat_template([{"role": "user", "content": text}], tokenize=False)
    ids = tok(templated, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        hidden = tiny_qwen3.model(torch.tensor([ids]), output_hidden_states=True).hidden_states[3][0]  # layers.2
        z = sae.encode_dense(hidden)
    assert [t["token_id"] for t in result["tokens"]] == ids and result["hookpoint"] == "layers.2"
    index = ReverseIndex.open(full)
    for t, row in zip(result["tokens"], z, strict=True):
        fired = [(-float(row[f]), f) for f in torch.nonzero(row > 0).flatten().tolist()]
        expected = [f for _, f in sorted(fired)][:n]
        assert [f["feature"] for f in t["features"]] == expected
        np.testing.assert_allclose([f["activation"] for f in t["features"]], [float(row[f]) for f in expected],
                                   rtol=1e-5)
        for f in t["features"]:
            best = index.examples(f["feature"])
            assert f["example"] == ({k: best[0][k] for k in f["example"]} if best else None)
    assert {t["role"] for t in result["tokens"]} >= {"user", "template"}
    code, out, _ = cli("explain-prompt", text, "--sae", str(sae_run), "--config", str(config))
    assert code == 0 and out.splitlines()[0].startswith(f"{len(ids)} tokens at layers.2")


def test_snippet_and_sparkline():
    ex = {"context_before": "line one\nline two ", "token": "firing", "context_after": " after\tthat and more"}
    assert snippet(ex, 200) == "…line one↵line two ⟦firing⟧ after→that and more…"
    short = snippet(ex, 24)
    assert len(short) <= 24 and "⟦firing⟧" in short and short.startswith("…") and short.endswith("…")
    ids = {"token": None, "token_id": 7, "context_before_ids": [1, 2], "context_after_ids": [3]}
    assert snippet(ids, 80) == "…1 2 ⟦7⟧ 3…"
    bins = [{"bin": 3, "low": 0.5, "high": 1.0, "count": 10}, {"bin": 5, "low": 2.0, "high": 4.0, "count": 80}]
    assert sparkline(bins) == "▁ █  0.5 … 4  (90 records)"
    assert sparkline([]) == "(no firing records)"
