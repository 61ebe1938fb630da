"""The explorer over a real index built from the tiny model: per-token shading read back from the harvested
activations, the histogram plot, logit lens and neighbours, explanations, escaping, the model-backed pages and
their bounds, and the list's speed at 65,536 features."""

from __future__ import annotations

import json
import re
import shutil
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from conftest import fitted_sae, write_run
from fastapi.testclient import TestClient

from saescope.config import load_config
from saescope.config.schema import ModelConfig
from saescope.index import ReverseIndex, build_index
from saescope.index.files import EXPLANATIONS_FILE, PROMPTS_FILE
from saescope.index.tables import PROMPTS_SCHEMA
from saescope.lm.hookpoints import decoder_layers
from saescope.serve.app import create_app
from saescope.serve.listing import FeatureList, ListFilter
from saescope.serve.shading import MAX_SHADED

D_SAE, K = 128, 8
EVIL = '<img src=x onerror=alert(1)><script>alert(2)</script>'


def build_real_index(tiny_qwen3_dir: Path, dataset, root: Path) -> Path:
    """An index of the session's tiny dataset (layers.2) with a fitted SAE; every table, logit lens included."""
    sae = fitted_sae(dataset, "l3", D_SAE, K, b_enc=0.3)
    run = write_run(root / "run", sae)
    cfg = load_config(None, {"model.name": str(tiny_qwen3_dir), "index.activations": str(dataset.root),
                             "index.out": str(root / "l3-complete"), "index.batch_size": 200,
                             "index.top_examples": 3, "index.context_tokens": 4, "index.device": "cpu"})
    return build_index(cfg, run)


def model_cfg(tiny_qwen3_dir: Path) -> ModelConfig:
    return ModelConfig(name=str(tiny_qwen3_dir), device="cpu", dtype="float32")


@pytest.fixture(scope="module")
def index_folder(tiny_qwen3_dir, tiny_activations, tmp_path_factory) -> Path:
    return build_real_index(tiny_qwen3_dir, tiny_activations, tmp_path_factory.mktemp("explorer"))


@pytest.fixture(scope="module")
def explained(index_folder, tmp_path_factory) -> Path:
    """A copy of the index with explanations: one label carries markup."""
    folder = tmp_path_factory.mktemp("explained") / "index"
    shutil.copytree(index_folder, folder)
    live = [f for f in range(D_SAE) if ReverseIndex.open(folder).examples(f)][:3]
    pq.write_table(pa.table({"feature": pa.array(live, pa.int64()),
                             "label": ["river names", EVIL, "numbers in lists"],
                             "backend": ["test"] * 3, "model": ["m"] * 3, "template_hash": ["h"] * 3,
                             "detection": [0.9, None, 0.4], "fuzzing": [0.8, 0.1, 0.3]}), folder / EXPLANATIONS_FILE)
    return folder


@pytest.fixture(scope="module")
def client(index_folder, tiny_qwen3_dir) -> TestClient:
    return TestClient(create_app(index_folder, None, model_cfg(tiny_qwen3_dir), model_given=True))


def live_feature(folder: Path) -> int:
    index = ReverseIndex.open(folder)
    return max((f for f in range(D_SAE) if index.examples(f)), key=lambda f: len(index.samples(f) or []))


def test_shading_reads_back_each_examples_activation(client, index_folder):
    feature = live_feature(index_folder)
    got = client.get(f"/api/feature/{feature}").json()
    assert got["examples"] and client.app.state.data.shader.reason is None
    shaded = got["examples"][:MAX_SHADED] + got["samples"][:MAX_SHADED]  # the rest are shown as plain text
    assert len(shaded) > 3 and not any("tokens" in ex for ex in got["samples"][MAX_SHADED:])
    for ex in shaded:
        tokens = ex["tokens"]
        assert len(tokens) == len(ex["context_before_ids"]) + 1 + len(ex["context_after_ids"])
        (fire,) = [t for t in tokens if t["fire"]]
        assert fire["act"] == pytest.approx(ex["activation"], rel=1e-4)
        assert "".join(t["text"] for t in tokens) == ex["context_before"] + ex["token"] + ex["context_after"]
        assert all(t["act"] >= 0 for t in tokens)
    page = client.get(f"/feature/{feature}").text
    assert page.count('class="tok fire"') == len(shaded)
    assert 'data-act="' in page and "rgba(255, 140, 0" in page


def test_histogram_plot_neighbours_and_logit_lens(client, index_folder):
    index = ReverseIndex.open(index_folder)
    feature = live_feature(index_folder)
    page = client.get(f"/feature/{feature}").text
    assert page.count('<svg class="histogram"') == 1
    assert page.count('class="bar"') == len(index.histogram(feature))
    assert page.count('class="interval"') == len(index.intervals(feature))
    for n in index.neighbours(feature):
        assert f'<a href="/feature/{n["neighbour"]}">' in page
    lens = index.logits(feature)
    assert lens["promoted"] and 'class="logits"' in page
    assert f'href="/feature/{feature + 1}"' in page and 'href="/feature/random"' in page
    assert client.get("/feature/random", follow_redirects=False).status_code == 303
    assert client.get("/jump?feature=5", follow_redirects=False).headers["location"] == "/feature/5"


def test_explanations_on_pages_label_search_and_sort(explained, tiny_qwen3_dir):
    client = TestClient(create_app(explained))
    labels = pq.read_table(explained / EXPLANATIONS_FILE).to_pylist()
    page = client.get(f"/feature/{labels[0]['feature']}").text
    assert "river names" in page and "detection 0.9" in page
    hits = client.get("/api/features", params={"label": "RIVER"}).json()
    assert [r["feature"] for r in hits["features"]] == [labels[0]["feature"]]
    by_detection = client.get("/api/features?sort=detection&order=desc").json()["features"]
    assert [r["feature"] for r in by_detection[:2]] == [labels[0]["feature"], labels[2]["feature"]]
    assert by_detection[2]["detection"] is None  # features without a score come last
    for html in (client.get("/").text, client.get(f"/feature/{labels[1]['feature']}").text):
        assert EVIL not in html and "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html


def test_untrusted_index_text_is_escaped_everywhere(index_folder, tmp_path):
    folder = tmp_path / "evil"
    shutil.copytree(index_folder, folder)
    for name in (PROMPTS_FILE, "feature_top.parquet"):  # the top examples and the deeper list search reads
        rows = pq.read_table(folder / name).to_pylist()
        for row in rows:
            row["context_before"] = EVIL + row["context_before"]
            row["token"] = EVIL
        pq.write_table(pa.Table.from_pylist(rows, schema=pq.read_schema(folder / name)), folder / name)
    prompts = pq.read_table(folder / PROMPTS_FILE).to_pylist()
    summary = json.loads((folder / "summary.json").read_text())
    summary["activations"] = str(tmp_path / "gone")  # unshaded: the stored (evil) text is what the page shows
    (folder / "summary.json").write_text(json.dumps(summary))
    client = TestClient(create_app(folder))
    feature = prompts[0]["feature"]
    pages = [client.get("/"), client.get(f"/feature/{feature}"), client.get("/search", params={"q": "onerror"}),
             client.get("/fires", params={"text": EVIL}), client.get("/steer", params={"prompt": EVIL})]
    for response in pages:
        assert response.status_code == 200
        assert "<script>alert" not in response.text and "<img src" not in response.text
        assert "onerror=alert(1)&gt;" in response.text or "needs the model" in response.text
    assert "needs the model" in pages[3].text and "needs the model" in pages[4].text
    assert "per-token shading unavailable: the index&#39;s activations" in pages[1].text


def test_what_fires_here_matches_the_sae_on_the_hookpoint(client, tiny_qwen3, index_folder):
    from saescope.release.select import load_sae_or_run
    from saescope.steer.generate import chat_prompt_ids

    page = client.get("/fires", params={"text": "Tell me a riddle"})
    assert page.status_code == 200
    _, sae, _ = load_sae_or_run(ReverseIndex.open(index_folder).summary["sae"])
    ids = chat_prompt_ids(tiny_qwen3.tokenizer, "Tell me a riddle")
    captured = {}
    handle = decoder_layers(tiny_qwen3.model)[2].register_forward_hook(lambda _m, _a, o: captured.update(h=o))
    with torch.no_grad():
        tiny_qwen3.model(input_ids=ids[None])
    handle.remove()
    h = captured["h"][0] if isinstance(captured["h"], tuple) else captured["h"]
    code = sae.encode(h[0].float())
    best = [int(code.indices[t, code.values[t].argmax()]) for t in range(len(ids))]
    rows = re.findall(r'<tr><td class="n">\d+</td><td class="ctx">.*?</td><td><a class="fired" href="/feature/(\d+)"',
                      page.text, flags=re.S)
    assert [int(f) for f in rows] == best


def test_text_test_marks_the_maximum_and_steering_zero_is_clean(client, index_folder):
    feature = live_feature(index_folder)
    page = client.get(f"/feature/{feature}/test", params={"text": "How do I sort a list of numbers in Python?"})
    assert page.status_code == 200 and 'class="ctx tested"' in page.text
    top = float(re.search(r'<b class="top-act">([^<]+)</b>', page.text).group(1))
    assert (top > 0) == ('class="marker"' in page.text)
    zero = client.get("/steer", params={"prompt": "Hi", "features": str(feature), "strengths": "0", "tokens": 6})
    clean = re.search(r'<p class="ctx clean">(.*?)</p>', zero.text, re.S).group(1)
    assert clean == re.search(r'<p class="ctx steered">(.*?)</p>', zero.text, re.S).group(1)
    assert "seed 0" in zero.text


@pytest.mark.parametrize(("params", "message"), [
    ({"features": "1,2,3,4,5,6,7,8,9", "prompt": "hi"}, "1 to 8 feature ids"),
    ({"features": "99999", "prompt": "hi"}, "feature 99999 does not exist"),
    ({"features": "1", "strengths": "500", "prompt": "hi"}, "outside ±20"),
    ({"features": "1", "tokens": 1000, "prompt": "hi"}, "1 to 64"),
    ({"features": "1", "mode": "melt", "prompt": "hi"}, "is not one of add, clamp, ablate"),
    ({"features": "1", "prompt": "x" * 2001}, "at most 2000"),
])
def test_model_pages_refuse_unbounded_input(client, params, message):
    page = client.get("/steer", params=params)
    assert page.status_code == 400 and message in page.text


def test_list_page_under_200_ms_at_65536_features(tmp_path):
    n = 65_536
    rng = np.random.default_rng(0)
    count = rng.integers(0, 1000, n)
    metrics = pa.table({"feature": np.arange(n, dtype=np.int32), "fire_count": count, "fire_rate": count / 1e6,
                        "conversations": count // 3, "max_activation": rng.random(n) * 10,
                        "mean_activation": rng.random(n), "sink_fires": count // 10,
                        "ordinary_fires": count - count // 10})
    prompts = pa.Table.from_pylist([], schema=PROMPTS_SCHEMA)
    listing = FeatureList(ReverseIndex(tmp_path, {}, metrics, prompts), None)
    started = time.perf_counter()
    for sort in ("fire_rate", "sink_share", "max_activation"):
        page = listing.page(ListFilter(sort=sort, order="desc", min_fires=5, page=7))
    per_page = (time.perf_counter() - started) / 3
    assert per_page < 0.2 and len(page.rows) == 50
    values = [r["max_activation"] for r in page.rows]
    assert values == sorted(values, reverse=True)
