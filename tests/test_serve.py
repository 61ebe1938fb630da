"""The local explorer (`saescope serve`): pages, JSON API, escaping, steering rows, and the CLI's refusal."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from saescope.index.files import METRICS_FILE, PROMPTS_FILE
from saescope.index.tables import PROMPTS_SCHEMA, ROLE_COLUMNS
from saescope.serve.app import create_app

D_SAE = 130
DEAD = range(10)  # features 0..9 never fired
SCRIPT = "<script>alert(1)</script>"
XSS_FEATURE, RIDDLE_FEATURE, STEERED = 42, 77, 42


def fire_count(f: int) -> int:
    return 0 if f in DEAD else (f * 37) % 101 + 1


def write_index(folder: Path) -> Path:
    folder.mkdir()
    count = np.array([fire_count(f) for f in range(D_SAE)], dtype=np.int64)
    fired = count > 0
    max_act = np.where(fired, (np.arange(D_SAE) * 13 % 29) + 0.5, 0).astype(np.float32)
    mean = np.where(fired, max_act / 2, 0.0)
    columns = {
        "feature": pa.array(np.arange(D_SAE, dtype=np.int32)),
        "fire_count": pa.array(count),
        "fire_rate": pa.array(count / 1000.0),
        "conversations": pa.array(np.where(fired, np.arange(D_SAE) % 17 + 1, 0).astype(np.int64)),
        "activation_sum": pa.array(mean * count),
        "activation_sq_sum": pa.array(mean**2 * count),
        "mean_activation": pa.array(mean, mask=~fired),
        "std_activation": pa.array(np.zeros(D_SAE), mask=~fired),
        "max_activation": pa.array(max_act),
    }
    roles = np.zeros((D_SAE, len(ROLE_COLUMNS)), dtype=np.int64)
    roles[:, 2], roles[:, 3] = count // 4, count - count // 4  # user, assistant
    columns |= {name: pa.array(roles[:, i]) for i, name in enumerate(ROLE_COLUMNS)}
    pq.write_table(pa.table(columns), folder / METRICS_FILE)

    rows = []
    for f in range(D_SAE):
        if not fired[f]:
            continue
        for rank in range(2):
            token = f"tok{f}_{rank}"
            if f == XSS_FEATURE and rank == 0:
                token = SCRIPT
            if f == RIDDLE_FEATURE and rank == 1:
                token = " Riddle"
            rows.append({"feature": f, "rank": rank, "activation": float(max_act[f]) - rank, "conversation": f,
                         "conversation_id": f"conv{f:04d}r{rank}", "record": f * 10 + rank, "position": 5,
                         "token_id": 1, "token": token, "role": "assistant", "turn": 1,
                         "context_before": f"before {f} & <b>", "context_after": " after",
                         "context_before_ids": [1, 2], "context_after_ids": [3]})
    pq.write_table(pa.Table.from_pylist(rows, schema=PROMPTS_SCHEMA), folder / PROMPTS_FILE)
    summary = {"hookpoint": "layers.3", "layer_label": "l4", "d_sae": D_SAE, "k": 4, "top_examples": 2,
               "conversations_indexed": 50, "activation_records_indexed": 1000,
               "active_features": int(fired.sum()), "prompt_rows": len(rows), "sae": "fake"}
    (folder / "summary.json").write_text(json.dumps(summary))
    return folder


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("serve")
    index = write_index(root / "index")
    steer = root / "steer"
    steer.mkdir()
    pq.write_table(pa.Table.from_pylist([
        {"feature": STEERED, "strength": s, "value": 3.0 * s, "reliability": r, "prompts": 3,
         "fire_rate_clean": 0.1, "fire_rate_steered": 0.1 + r, "mean_act_clean": 0.2, "mean_act_steered": 0.9,
         "ce_clean": 0.85, "ce_steered": 0.95, "fire_gain": r, "ce_increase": 0.1, "changed": 1.0, "mode": "add"}
        for s, r in [(0.5, 0.6667), (0.25, 0.3333)]] + [
        {"feature": 11, "strength": 0.25, "value": 1.0, "reliability": 0.0, "prompts": 3, "fire_rate_clean": 0.0,
         "fire_rate_steered": 0.0, "mean_act_clean": 0.0, "mean_act_steered": 0.0, "ce_clean": 0.8,
         "ce_steered": 0.8, "fire_gain": 0.0, "ce_increase": 0.0, "changed": 0.0, "mode": "add"}]),
        steer / "steering_reliability.parquet")
    return index, steer


@pytest.fixture(scope="module")
def client(folders) -> TestClient:
    return TestClient(create_app(*folders))


@pytest.fixture(scope="module")
def plain(folders) -> TestClient:
    return TestClient(create_app(folders[0]))


def linked_features(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<td><a href="/feature/(\d+)">', html)]


def test_feature_list_sorts_and_paginates(client):
    live = [f for f in range(D_SAE) if fire_count(f)]
    by_rate = sorted(live, key=lambda f: (-fire_count(f), f))
    first = client.get("/")
    assert first.status_code == 200
    assert linked_features(first.text) == by_rate[:50]
    assert "page 1 of 3" in first.text
    third = client.get("/?page=3")
    assert linked_features(third.text) == by_rate[100:]
    asc = client.get("/api/features?sort=feature&order=asc&page=2").json()
    assert [r["feature"] for r in asc["features"]] == live[50:100]
    assert asc["total"] == len(live) and asc["pages"] == 3
    by_max = client.get("/api/features?sort=max_activation&order=desc").json()["features"]
    maxes = [r["max_activation"] for r in by_max]
    assert maxes == sorted(maxes, reverse=True)
    assert client.get("/?sort=bogus").status_code == 422


def test_dead_features_hidden_unless_asked(client):
    shown = client.get("/api/features?sort=feature&order=asc").json()
    assert shown["total"] == D_SAE - len(DEAD) and shown["features"][0]["feature"] == 10
    with_dead = client.get("/api/features?sort=feature&order=asc&dead=1").json()
    assert with_dead["total"] == D_SAE
    assert with_dead["features"][0] == {"feature": 0, "fire_count": 0, "fire_rate": 0.0, "conversations": 0,
                                        "max_activation": 0.0, "mean_activation": None, "best_token": None,
                                        "label": None}
    assert linked_features(client.get("/?sort=feature&order=asc&dead=1").text)[0] == 0
    min_fires = client.get("/api/features?min_fires=90").json()
    assert min_fires["total"] == sum(fire_count(f) >= 90 for f in range(D_SAE))
    assert all(r["fire_count"] >= 90 for r in min_fires["features"])


def test_feature_page_highlights_token_and_escapes(client):
    page = client.get(f"/feature/{XSS_FEATURE}")
    assert page.status_code == 200
    assert SCRIPT not in page.text and "<b>" not in page.text
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in page.text
    assert f"before {XSS_FEATURE} &amp; &lt;b&gt;<mark>&lt;script&gt;" in page.text
    assert f"<mark>tok{XSS_FEATURE}_1</mark> after" in page.text
    assert f"conv{XSS_FEATURE:04d}r0" in page.text
    assert "assistant" in page.text and "user" in page.text  # role breakdown
    assert SCRIPT not in client.get("/?sort=feature&order=asc").text  # best-token column escapes too


def test_unknown_feature_is_404(client):
    for bad in (D_SAE, 99999, -1):
        page = client.get(f"/feature/{bad}")
        assert page.status_code == 404
        assert f"0 to {D_SAE - 1}" in page.text
    assert client.get(f"/api/feature/{D_SAE}").status_code == 404


def test_search_finds_feature_by_token(client):
    page = client.get("/search", params={"q": "riddle"})
    assert page.status_code == 200
    assert linked_features(page.text) == [RIDDLE_FEATURE]
    assert "<mark> Riddle</mark>" in page.text
    scripted = client.get("/search", params={"q": "<script>"})
    assert linked_features(scripted.text) == [XSS_FEATURE] and SCRIPT not in scripted.text
    assert linked_features(client.get("/search", params={"q": "nothing-like-this"}).text) == []


def test_steering_rows_appear_with_steer_folder(client, plain):
    page = client.get(f"/feature/{STEERED}")
    assert "steering reliability" in page.text and page.text.count('<tr class="steer">') == 2
    assert "66.67%" in page.text
    assert "No steering results" in client.get("/feature/12").text
    assert "steering reliability" not in plain.get(f"/feature/{STEERED}").text
    rows = client.get(f"/api/feature/{STEERED}").json()["steering"]
    assert [r["strength"] for r in rows] == [0.25, 0.5]


def test_api_matches_parquet(client, folders):
    metrics = pq.read_table(folders[0] / METRICS_FILE).to_pylist()
    prompts = [r for r in pq.read_table(folders[0] / PROMPTS_FILE).to_pylist() if r["feature"] == RIDDLE_FEATURE]
    got = client.get(f"/api/feature/{RIDDLE_FEATURE}").json()
    assert got["metrics"] == pytest.approx(metrics[RIDDLE_FEATURE])
    assert [e["token"] for e in got["examples"]] == [p["token"] for p in prompts]
    assert [e["activation"] for e in got["examples"]] == pytest.approx([p["activation"] for p in prompts])
    listed = {r["feature"]: r for r in client.get("/api/features?dead=1&sort=feature&order=asc").json()["features"]}
    for f, row in listed.items():
        for key in ("fire_count", "fire_rate", "conversations", "max_activation", "mean_activation"):
            assert row[key] == pytest.approx(metrics[f][key])


@pytest.mark.slow
def test_cli_refuses_folder_without_summary(folders, tmp_path):
    incomplete = tmp_path / "incomplete"
    incomplete.mkdir()
    for name in (METRICS_FILE, PROMPTS_FILE):
        (incomplete / name).write_bytes((folders[0] / name).read_bytes())
    done = subprocess.run([sys.executable, "-m", "saescope", "serve", str(incomplete), "--port", "1"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "summary.json" in done.stderr and "Traceback" not in done.stderr
