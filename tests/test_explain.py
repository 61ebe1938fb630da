"""`saescope explain`: the scoring arithmetic against hand-computed cases, the held-out split, the selection, the
OpenAI-compatible backend against a scripted HTTP server on 127.0.0.1 (malformed bodies, a timeout, a 429 with
Retry-After, a 500, then good replies), resume after an interrupted run, and the embedded SmolLM2 on two features.
The index is a small one built from the tiny Qwen3's activations (its text is SmolLM2's tokenizer's)."""

from __future__ import annotations

import contextlib
import json
import shutil
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from conftest import make_sae, write_run

from saescope.config import load_config
from saescope.config.explain import ExplainConfig
from saescope.explain import ExplainError, explain_index
from saescope.explain.evidence import EvidenceBuilder, Window, decoy
from saescope.explain.files import REPORT_FILE, SCHEMA
from saescope.explain.progress import PROGRESS_FILE
from saescope.explain.prompts import Chat, Templates, label_from
from saescope.explain.scoring import Task, balanced_accuracy, parse_answer, score
from saescope.explain.selection import select_features
from saescope.harvest.dataset import ActivationDataset
from saescope.index import ReverseIndex, build_index
from saescope.index.files import EXPLANATIONS_FILE, read_explanations


@pytest.fixture(scope="module")
def built(tiny_qwen3_dir: Path, tiny_activations: ActivationDataset, tmp_path_factory) -> Path:
    sae = make_sae(64, 96, 6, b_enc=0.3)
    x = torch.cat([tiny_activations.shard_activations(i, "l3").float() for i in range(tiny_activations.num_shards)])
    sae.input_mean.copy_(x.mean(0))
    sae.input_std.copy_(x.std(0))
    root = tmp_path_factory.mktemp("explain")
    settings = {"model.name": str(tiny_qwen3_dir), "index.activations": str(tiny_activations.root),
                "index.out": str(root / "index"), "index.batch_size": 300, "index.device": "cpu",
                "index.neighbours": 0, "index.logit_lens": 5, "index.context_tokens": 6}
    return build_index(load_config(None, settings), write_run(root / "run", sae))


@pytest.fixture
def index_copy(built: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(built, tmp_path / "index"))


def explain_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """`saescope explain ARGS` in-process through the entry point (its one-line errors and exit codes)."""
    from saescope.cli import run

    monkeypatch.setattr("sys.argv", ["saescope", "explain", *args])
    code = 0
    try:
        run()
    except SystemExit as stop:
        code = int(stop.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


# --- the arithmetic


def test_balanced_accuracy_by_hand():
    # firing 1 of 2 right (one unparsed), quiet 1 of 2 right: (1/2 + 1/2) / 2
    assert balanced_accuracy([True, True, False, False], [True, None, False, True]) == 0.5
    # firing 2 of 3, quiet 1 of 1: (2/3 + 1) / 2
    assert balanced_accuracy([True, True, True, False], [True, True, False, False]) == pytest.approx(5 / 6)
    assert balanced_accuracy([True, True], [True, False]) == 0.5  # one class only: its recall
    assert balanced_accuracy([True, False], [None, None]) == 0.0  # unparsed replies are wrong
    assert balanced_accuracy([], []) is None


@pytest.mark.parametrize(("reply", "answer"), [
    ("Yes.", True), ("no, because", False), ("The answer: YES", True), ("True", True), ("banana", None),
    ("Yesterday", None), ("", None), (None, None), ("No. Yes.", False), ("The feature does not", False),
    ("It doesn’t fire", False), ("The feature fires on", None),
])
def test_answers_parse_to_the_first_yes_or_no(reply: str | None, answer: bool | None):
    assert parse_answer(reply) is answer


def test_score_counts_each_kind_and_its_unparsed_replies():
    chat: Chat = [{"role": "user", "content": "x"}]
    kinds = [("detection", True), ("detection", True), ("detection", False), ("detection", False),
             ("fuzzing", True), ("fuzzing", False), ("fuzzing", False)]
    tasks = [Task(kind, chat, truth) for kind, truth in kinds]
    replies = ["Yes", "hmm", "No", "Yes", "No", "No", "perhaps"]
    s = score(tasks, replies)
    assert (s.detection, s.detection_examples, s.detection_unparsed) == (0.5, 4, 1)  # (1/2 + 1/2) / 2
    assert (s.fuzzing, s.fuzzing_examples, s.fuzzing_unparsed) == (0.25, 3, 1)  # (0/1 + 1/2) / 2


def test_labels_are_cleaned_from_the_reply():
    assert label_from("\n  Label: **words about size**.\nMore text") == "words about size"
    assert label_from('"code keywords"') == "code keywords"
    assert label_from("") == "" and label_from('1. "list items"') == "list items"


def test_a_decoy_moves_the_highlight_within_the_same_text():
    w = Window("the big cat ", "sat", " on the mat.", 1.0, 7, 0)
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(40):
        d = decoy(w, rng)
        assert d is not None and d.before + d.token + d.after == w.before + w.token + w.after
        assert d.token.strip() == d.token and d.token != "sat"
        seen.add(d.token)
    assert seen == {"the", "big", "cat", "on", "mat", "."}
    assert decoy(Window("", "x", ""), rng) is None


# --- the index side


def test_selection(built: Path):
    index = ReverseIndex.open(built)
    fires = index.metrics["fire_count"].to_numpy()
    live = np.flatnonzero(fires > 0).tolist()
    assert select_features(index, "all") == live
    assert select_features(index, f"{live[2]}, {live[0]}-{live[1]},{live[2]}") == [live[2], live[0], live[1]]
    by_rate = sorted(live, key=lambda f: (-index.feature(f)["ordinary_fires"], f))
    assert select_features(index, "top:3") == by_rate[:3]
    assert select_features(index, "top:2:max_activation") == [r["feature"] for r in index.top("max_activation",
                                                                                                 limit=2)]
    for bad, message in [("top:x", "top:N"), (str(index.d_sae), "out of range"), ("3;4", "not a feature id"),
                         ("9-2", "empty")]:
        with pytest.raises(ExplainError, match=message):
            select_features(index, bad)


def test_the_scorers_see_only_held_out_windows(built: Path):
    index = ReverseIndex.open(built)
    cfg = ExplainConfig(top_examples=3, interval_examples=2, detection_examples=3, fuzzing_examples=3)
    builder = EvidenceBuilder(index, cfg)
    for f in select_features(index, "top:6"):
        e = builder.build(f)
        stored = (index.deep_examples(f) or []) + (index.samples(f) or [])
        assert [w.record for w in e.shown[:3]] == [r["record"] for r in index.deep_examples(f)[:3]]
        shown, firing = {w.record for w in e.shown}, {w.record for w in e.firing}
        assert not shown & firing and len(firing) == len(e.firing)
        assert firing <= {r["record"] for r in stored}
        assert len(e.quiet) == 3 and not {w.record for w in e.quiet} & {r["record"] for r in stored}
        apart = {w.conversation for w in e.quiet} - {r["conversation"] for r in stored}
        others = set(index.prompts["conversation"].to_pylist()) - {r["conversation"] for r in stored}
        assert len(apart) == min(3, len(others))  # conversations without the feature's examples come first


# --- resume


class ScriptedBackend:
    """A backend answering from the prompt's text alone: a fixed label, Yes to every detection question and a
    reply without Yes or No to every fuzzing one; `stop_after` calls, it raises KeyboardInterrupt (a kill)."""

    name, model = "local", "scripted"

    def __init__(self, stop_after: int | None = None) -> None:
        self.stop_after, self.calls = stop_after, []

    def complete(self, chats: list[Chat], max_tokens: int) -> list[str]:
        if self.stop_after is not None and len(self.calls) >= self.stop_after:
            raise KeyboardInterrupt
        self.calls.append(chats)
        return [reply(chat[0]["content"]) for chat in chats]


def reply(prompt: str) -> str:
    if "short label" in prompt:
        return "Label: **numbers and lists**."
    return "Yes." if "somewhere in this text" in prompt else "I cannot tell"


def expected_scores(index: ReverseIndex, cfg: ExplainConfig, feature: int) -> tuple[float | None, int, int]:
    """(detection, its examples, fuzzing examples) when every detection answer is Yes: every firing window right,
    every quiet one wrong, so the balanced accuracy is 1/2 with both classes and 1 with firing windows only."""
    e = EvidenceBuilder(index, cfg).build(feature)
    firing, quiet = len(e.firing[: cfg.detection_examples]), len(e.quiet[: cfg.detection_examples])
    detection = None if not firing + quiet else (0.5 if firing and quiet else float(firing > 0))
    return detection, firing + quiet, len(e.firing[: cfg.fuzzing_examples])


def test_an_interrupted_run_resumes_and_other_settings_are_refused(index_copy: Path):
    cfg = ExplainConfig(features="top:3", batch_features=1, detection_examples=2, fuzzing_examples=2)
    with pytest.raises(KeyboardInterrupt):  # killed once the first feature (2 calls: label, scores) is journalled
        explain_index(index_copy, cfg, ScriptedBackend(stop_after=2))
    journal = index_copy / PROGRESS_FILE
    assert not (index_copy / EXPLANATIONS_FILE).exists()
    first = json.loads(journal.read_text().splitlines()[1])
    with journal.open("a") as f:
        f.write('{"feature": 4, "lab')  # a kill in the middle of writing a line
    with pytest.raises(ExplainError, match=r"differs in: seed"):
        explain_index(index_copy, cfg.model_copy(update={"seed": 1}), ScriptedBackend())
    backend = ScriptedBackend()
    summary = explain_index(index_copy, cfg, backend)
    features = select_features(ReverseIndex.open(index_copy), "top:3")
    assert summary["resumed"] == 1 and summary["features"] == 3 and not journal.exists()
    assert len(backend.calls) == 4  # only the two features left: a label call and a scoring call each
    builder = EvidenceBuilder(ReverseIndex.open(index_copy), cfg)
    asked = [c[0] for c in backend.calls[::2]]  # the label calls: one chat each (batch_features 1)
    assert first["feature"] == features[0] and asked == [Templates.load(None).explainer(builder.build(f))
                                                         for f in features[1:]]
    table = read_explanations(index_copy)
    assert table.schema.equals(SCHEMA) and table["feature"].to_pylist() == sorted(features)
    rows = {r["feature"]: r for r in table.to_pylist()}
    assert rows[first["feature"]] == first  # kept as journalled, not redone
    index = ReverseIndex.open(index_copy)
    for f in features:
        detection, d_n, f_n = expected_scores(index, cfg, f)
        r = rows[f]
        assert r["label"] == "numbers and lists" and r["template_hash"] == Templates.load(None).hash
        assert (r["detection"], r["detection_examples"], r["fuzzing_examples"]) == (detection, d_n, f_n)
        assert r["fuzzing"] == 0.0 and r["fuzzing_unparsed"] == f_n and r["detection_unparsed"] == 0
        assert r["explained_examples"] == len(EvidenceBuilder(index, cfg).build(f).shown)
    assert "numbers and lists" in (index_copy / REPORT_FILE).read_text()


# --- the OpenAI-compatible backend against a real HTTP server


class ScriptedServer(ThreadingHTTPServer):
    """POST /v1/chat/completions: the first requests fail one way each (a body that is not JSON, no reply within
    the client's timeout, 429 with Retry-After: 1, 500, a body without choices), then good replies."""

    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.failures = ["not json", "timeout", "429", "500", "no choices"]
        self.log: list[dict[str, Any]] = []
        self.lock = threading.Lock()


class ChatHandler(BaseHTTPRequestHandler):
    server: ScriptedServer

    def log_message(self, *args: Any) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with self.server.lock:
            failure = self.server.failures.pop(0) if self.server.failures else None
            self.server.log.append({"time": time.monotonic(), "path": self.path, "failure": failure,
                                    "auth": self.headers.get("authorization"), "body": body})
        if failure == "timeout":
            time.sleep(1.5)
        if failure in ("429", "500"):
            self.send(int(failure), b"{}", {"Retry-After": "1"} if failure == "429" else {})
            return
        content = reply(body["messages"][0]["content"])
        answer = {"choices": [{"message": {"role": "assistant", "content": content}}]}
        payload = {"not json": b"<html>oops", "no choices": b'{"error": "busy"}'}.get(failure or "",
                                                                                       json.dumps(answer).encode())
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up on a timed-out one
            self.send(200, payload, {})

    def send(self, status: int, payload: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for k, v in {"Content-Type": "application/json", "Content-Length": str(len(payload)), **headers}.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(payload)


def test_the_openai_backend_survives_a_scripted_server(index_copy: Path, monkeypatch, capsys):
    server = ScriptedServer()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("SAESCOPE_TEST_KEY", "sekret-4711")
    try:
        code, out, err = explain_cli(
            monkeypatch, capsys, str(index_copy), "--features", "top:2", "--explainer", "openai",
            "--explain.base-url", f"http://127.0.0.1:{server.server_address[1]}/v1", "--explain.api-model", "m1",
            "--explain.api-key-env", "SAESCOPE_TEST_KEY", "--explain.timeout-s", "0.5", "--explain.retries", "5",
            "--explain.concurrency", "2", "--explain.requests-per-second", "50", "--explain.detection-examples",
            "2", "--explain.fuzzing-examples", "2")
    finally:
        server.shutdown()
    assert code == 0, err
    log = server.log
    assert {r["path"] for r in log} == {"/v1/chat/completions"}
    assert {r["auth"] for r in log} == {"Bearer sekret-4711"} and {r["body"]["model"] for r in log} == {"m1"}
    after_429 = next(i for i, r in enumerate(log) if r["failure"] == "429")
    retried = next(r for r in log[after_429 + 1:] if r["body"] == log[after_429]["body"])
    assert retried["time"] - log[after_429]["time"] >= 0.95  # Retry-After: 1 honoured
    cfg = ExplainConfig(detection_examples=2, fuzzing_examples=2)
    index = ReverseIndex.open(index_copy)
    features = select_features(index, "top:2")
    questions = sum(expected_scores(index, cfg, f)[1] + expected_scores(index, cfg, f)[2] for f in features)
    assert len(log) == 5 + len(features) + questions  # each failure retried once, nothing asked twice besides
    rows = {r["feature"]: r for r in read_explanations(index_copy).to_pylist()}
    for f in features:
        detection, d_n, f_n = expected_scores(index, cfg, f)
        assert (rows[f]["backend"], rows[f]["model"], rows[f]["label"]) == ("openai", "m1", "numbers and lists")
        assert (rows[f]["detection"], rows[f]["detection_examples"], rows[f]["fuzzing_unparsed"]) == (detection, d_n,
                                                                                                    f_n)
    for path in index_copy.iterdir():
        assert b"sekret-4711" not in path.read_bytes(), path
    assert "sekret-4711" not in out + err and "2 features explained" in out


def test_endpoint_errors_are_one_line(index_copy: Path, monkeypatch, capsys):
    code, _, err = explain_cli(monkeypatch, capsys, str(index_copy), "--explainer", "openai")
    assert code == 1 and "explain.base_url" in err and "Traceback" not in err
    code, _, err = explain_cli(monkeypatch, capsys, str(index_copy), "--features", "99999")
    assert code == 1 and err.startswith("error: feature 99999") and len(err.strip().splitlines()) == 1
    # nothing listens on port 9 (discard): a connection error, retried, then one line
    code, _, err = explain_cli(monkeypatch, capsys, str(index_copy), "--features", "top:1", "--explainer", "openai",
                               "--explain.base-url", "http://127.0.0.1:9/v1", "--explain.api-model", "m",
                               "--explain.retries", "1")
    assert code == 1 and "after 2 attempts" in err and "Traceback" not in err


# --- the embedded model


@pytest.mark.slow
def test_the_embedded_model_labels_and_scores_two_features(index_copy: Path, smollm2):
    from saescope.explain.local import LocalBackend

    cfg = ExplainConfig(features="top:2", top_examples=3, interval_examples=1, detection_examples=2,
                        fuzzing_examples=2, label_tokens=10, answer_tokens=2, device="cpu")
    summary = explain_index(index_copy, cfg, LocalBackend(smollm2))
    rows = read_explanations(index_copy).to_pylist()
    assert summary["features"] == 2 and [r["feature"] for r in rows] == sorted(select_features(
        ReverseIndex.open(index_copy), "top:2"))
    for r in rows:
        assert isinstance(r["label"], str) and (r["backend"], r["model"]) == ("local", "smollm2-135m-instruct")
        assert 0.0 <= r["detection"] <= 1.0 and 0.0 <= r["fuzzing"] <= 1.0 and r["seconds"] > 0
        assert r["detection_unparsed"] <= r["detection_examples"] == 4 and r["explained_examples"] == 4


def test_features_show_and_search_the_labels(index_copy: Path):
    from click.testing import CliRunner

    from saescope.cli import main

    explain_index(index_copy, ExplainConfig(features="top:2", detection_examples=1, fuzzing_examples=2),
                  ScriptedBackend())
    rows = read_explanations(index_copy).to_pylist()
    f = rows[0]["feature"]
    runner = CliRunner()
    out = runner.invoke(main, ["features", "show", str(f), "--index", str(index_copy)], catch_exceptions=False).stdout
    scores = f"detection {rows[0]['detection']:.2f} · fuzzing 0.00"
    assert f"label       'numbers and lists'  ({scores}; local:scripted)" in out
    shown = json.loads(runner.invoke(main, ["features", "show", str(f), "--index", str(index_copy), "--json"]).stdout)
    assert shown["explanation"] == rows[0]
    out = runner.invoke(main, ["features", "search", "AND LISTS", "--index", str(index_copy)]).stdout
    section = out[out.index("labels containing the text (2)"):].splitlines()[1:]
    assert [int(line.split()[0]) for line in section] == [r["feature"] for r in rows]
