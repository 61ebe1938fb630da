"""`saescope explain`: label a selection of an index's features with a backend's chat model, score each label
by detection and fuzzing on held-out windows, and write explanations.parquet and explanations.md beside the
index. Batches of features go through the backend together; each finished batch is journalled, so a killed run
resumes where it stopped."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from saescope.config.explain import ExplainConfig
from saescope.explain.backends import Backend, check_backend, open_backend
from saescope.explain.evidence import EvidenceBuilder
from saescope.explain.files import EXPLANATIONS_FILE, REPORT_FILE, write_explanations
from saescope.explain.progress import Journal
from saescope.explain.prompts import Templates, label_from
from saescope.explain.scoring import score, scoring_tasks
from saescope.explain.selection import select_features
from saescope.index.reader import ReverseIndex
from saescope.utils.timestamps import utc_now

# Settings a resumed run must share with the one it continues (the rest only change how fast it goes).
RESULT_SETTINGS = ("explainer", "top_examples", "interval_examples", "detection_examples", "fuzzing_examples",
                   "label_tokens", "answer_tokens", "seed")


def run_settings(cfg: ExplainConfig, features: list[int], templates: Templates) -> dict[str, Any]:
    model = {"model": cfg.local_model, "dtype": cfg.dtype} if cfg.explainer == "local" else {
        "model": cfg.api_model, "base_url": cfg.base_url}
    return {k: getattr(cfg, k) for k in RESULT_SETTINGS} | model | {"template_hash": templates.hash,
                                                                      "features": features}


def explain_batch(features: list[int], builder: EvidenceBuilder, templates: Templates, backend: Backend,
                  cfg: ExplainConfig) -> list[dict[str, Any]]:
    """One batch: the explainer's prompts together, then every scorer question of the batch together."""
    started = time.perf_counter()
    evidence = [builder.build(f) for f in features]
    replies = backend.complete([templates.explainer(e) for e in evidence], cfg.label_tokens)
    labels = [label_from(r) for r in replies]
    tasks = [scoring_tasks(e, label, templates, cfg.detection_examples, cfg.fuzzing_examples,
                           np.random.default_rng([cfg.seed, e.feature, 1])) for e, label in zip(evidence, labels,
                                                                                                strict=True)]
    flat = [t for mine in tasks for t in mine]
    answers = iter(backend.complete([t.chat for t in flat], cfg.answer_tokens) if flat else [])
    seconds = (time.perf_counter() - started) / len(features)
    rows = []
    for e, label, mine in zip(evidence, labels, tasks, strict=True):
        s = score(mine, [next(answers) for _ in mine])
        rows.append({"feature": e.feature, "label": label, "backend": backend.name, "model": backend.model,
                     "template_hash": templates.hash, "detection": s.detection, "fuzzing": s.fuzzing,
                     "detection_examples": s.detection_examples, "fuzzing_examples": s.fuzzing_examples,
                     "explained_examples": len(e.shown), "seconds": seconds, "created": utc_now(),
                     "detection_unparsed": s.detection_unparsed, "fuzzing_unparsed": s.fuzzing_unparsed})
    return rows


def explain_index(folder: str | Path, cfg: ExplainConfig, backend: Backend | None = None) -> dict[str, Any]:
    """Explain `cfg.features` of the index in `folder` (resuming a killed run with the same settings); returns
    the summary. `backend`: one already open (default: the one `cfg` names)."""
    started = time.perf_counter()
    folder = Path(folder)
    check_backend(cfg)
    index = ReverseIndex.open(folder)
    features = select_features(index, cfg.features)
    templates = Templates.load(cfg.templates)
    builder = EvidenceBuilder(index, cfg)
    journal = Journal.open(folder, run_settings(cfg, features, templates))  # other settings: refused before loading
    done = journal.done()
    todo = [f for f in features if f not in done]
    backend = backend or (open_backend(cfg) if todo else None)
    with tqdm(total=len(features), initial=len(features) - len(todo), unit="feature", desc="explain",
              mininterval=1.0) as progress:
        for i in range(0, len(todo), cfg.batch_features):
            rows = explain_batch(todo[i : i + cfg.batch_features], builder, templates, backend, cfg)  # type: ignore[arg-type]
            journal.record(rows)
            progress.update(len(rows))
    finished = journal.done()
    rows = write_explanations(folder, [finished[f] for f in features])
    journal.remove()  # explanations.parquet, written last, now holds the run
    mine = [finished[f] for f in features]
    return {"index": str(folder), "features": len(features), "resumed": len(done), "rows": len(rows),
            "mean_detection": _mean(mine, "detection"), "mean_fuzzing": _mean(mine, "fuzzing"),
            "files": [EXPLANATIONS_FILE, REPORT_FILE],
            "seconds": time.perf_counter() - started}


def _mean(rows: list[dict[str, Any]], key: str) -> float | None:
    values = [r[key] for r in rows if r[key] is not None]
    return float(np.mean(values)) if values else None
