"""`saescope steer` (one prompt, clean vs steered) and `saescope steer-eval` (reliability tables and report)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from saescope import __version__
from saescope.config.schema import SaescopeConfig
from saescope.index.reader import ReverseIndex
from saescope.lm.hookpoints import HookpointError, check_hookpoints
from saescope.lm.loading import LoadedModel, load_model
from saescope.release.select import load_sae_or_run
from saescope.sae.model import TopKSae
from saescope.steer.choose import choose_features
from saescope.steer.files import PROMPTS_FILE, RELIABILITY_FILE, REPORT_FILE, SUMMARY_FILE
from saescope.steer.generate import SteeredGeneration, chat_prompt_ids, steered_generate
from saescope.steer.intervene import Intervention, SteerError, check_interventions
from saescope.steer.progress import SteerProgress
from saescope.steer.reliability import data_prompts, measure_reliability, steering_value
from saescope.steer.report import render_report
from saescope.utils.atomic import write_bytes_atomic, write_json_atomic, write_with_atomic
from saescope.utils.precision import dtype_name


def sae_hookpoint(metadata: dict[str, Any], sae: TopKSae, lm: LoadedModel) -> str:
    """The SAE's hookpoint from its metadata, checked against the model's blocks and width."""
    hookpoint = metadata.get("model", {}).get("hookpoint")
    if hookpoint is None:
        raise SteerError("the SAE's metadata names no hookpoint (model.hookpoint); cannot tell where to steer")
    try:
        check_hookpoints(lm.model, [hookpoint])
    except HookpointError as e:
        raise SteerError(f"the SAE was trained at {hookpoint}, which model {lm.name} does not have: {e}") from e
    if sae.d_in != lm.d_model:
        raise SteerError(f"the SAE's d_in={sae.d_in} does not match model {lm.name}'s d_model={lm.d_model}")
    return hookpoint


def open_index(folder: str | None, sae: TopKSae) -> ReverseIndex | None:
    if folder is None:
        return None
    index = ReverseIndex.open(folder)
    if index.d_sae != sae.d_sae:
        raise SteerError(f"{folder} indexes {index.d_sae} features but the SAE has d_sae={sae.d_sae}: another SAE's "
                         "index")
    return index


def steer_once(cfg: SaescopeConfig, sae_path: Path, feature: int | Sequence[int], strength: float | Sequence[float],
               prompt: str, mode: str) -> SteeredGeneration:
    """Clean and steered continuations of one text prompt, steering one feature or several at once (one strength
    for all, or one each; in max-activation units with steer.index)."""
    _, sae, metadata = load_sae_or_run(sae_path)
    features = [feature] if isinstance(feature, int) else list(feature)
    strengths = [strength] if isinstance(strength, int | float) else list(strength)
    if len(strengths) == 1:
        strengths *= len(features)
    if len(strengths) != len(features):
        raise SteerError(f"{len(strengths)} strengths for {len(features)} features: give one strength, or one each")
    interventions = [Intervention(f, s, mode) for f, s in zip(features, strengths, strict=True)]  # type: ignore[arg-type]
    check_interventions(sae, interventions)  # before loading the model: a bad id fails fast
    index = open_index(cfg.steer.index, sae)
    interventions = [Intervention(iv.feature, steering_value(iv.value, iv.feature, index), iv.mode)
                     for iv in interventions]
    lm = load_model(cfg.model)
    hookpoint = sae_hookpoint(metadata, sae, lm)
    return steered_generate(lm, sae.to(lm.device), hookpoint, chat_prompt_ids(lm.tokenizer, prompt), interventions,
                            cfg.steer.max_new_tokens, cfg.steer.positions, cfg.steer.temperature, cfg.steer.seed)


def write_outputs(out: Path, features: list[dict[str, Any]], prompts: list[dict[str, Any]],
                  summary: dict[str, Any]) -> None:
    """Tables and report first, summary.json last: its presence means the run is complete."""
    (out / SUMMARY_FILE).unlink(missing_ok=True)
    write_with_atomic(out / RELIABILITY_FILE, lambda p: pq.write_table(pa.Table.from_pylist(features), p))
    write_with_atomic(out / PROMPTS_FILE, lambda p: pq.write_table(pa.Table.from_pylist(prompts), p))
    write_bytes_atomic(out / REPORT_FILE, render_report(summary, features, prompts).encode())
    write_json_atomic(out / SUMMARY_FILE, summary)


def steer_eval(cfg: SaescopeConfig, sae_path: Path) -> dict[str, Any]:
    started = time.perf_counter()
    s = cfg.steer
    source, sae, metadata = load_sae_or_run(sae_path)
    index = open_index(s.index, sae)
    features = choose_features(s, index, sae.d_sae)  # before loading the model: bad ids fail fast
    lm = load_model(cfg.model)
    hookpoint = sae_hookpoint(metadata, sae, lm)
    sae = sae.to(lm.device)
    prompts = data_prompts(lm, cfg.data, s.prompts, s.max_prompt_tokens)
    head = {
        "sae": str(sae_path), "source": str(source), "sae_weights_sha256": sae.weights_sha256(),
        "hookpoint": hookpoint, "model": cfg.model.name, "model_dtype": dtype_name(lm.dtype),
        "data_source": cfg.data.source,
        "index": s.index, "features": features, "strengths": s.strengths, "prompts": len(prompts),
        "conversation_ids": [p.conversation_id for p in prompts],
        "settings": s.model_dump(exclude={"out"}) | {"strength_unit": "max_activation" if s.index else "absolute"},
    }
    # Everything the rows depend on must match for a killed run to continue where it stopped.
    progress_file = SteerProgress.open(Path(s.out), {k: v for k, v in head.items() if k not in ("sae", "source")})
    done = progress_file.done()
    total = len(features) * len(s.strengths) * len(prompts)
    with tqdm(total=total, unit="gen", desc="steer-eval", mininterval=1.0) as progress:
        result = measure_reliability(lm, sae, hookpoint, prompts, features, s, index, progress, done,
                                     progress_file.record)
    summary = head | {
        "rows": len(result.features), "prompt_rows": len(result.prompts), "resumed_pairs": len(done),
        "files": [RELIABILITY_FILE, PROMPTS_FILE, REPORT_FILE],
        "seconds": time.perf_counter() - started, "saescope_version": __version__,
    }
    write_outputs(Path(s.out), result.features, result.prompts, summary)
    progress_file.remove()  # the summary, written last, now says the run is complete
    return summary
