"""The demo's stages on SmolLM2, through their library entry points: harvest, train, eval (intrinsic and core-plus),
index and steer, each on a few dozen of the shipped sample conversations, with the figures their checks compare."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from saescope.config.schema import SteerConfig
from saescope.diagnostics.checks import Check, StageResult
from saescope.diagnostics.half import HOOKPOINT, Half
from saescope.eval.run import evaluate
from saescope.harvest.dataset import ActivationDataset
from saescope.harvest.run import harvest
from saescope.index.files import METRICS_FILE, PROMPTS_FILE
from saescope.index.reader import ReverseIndex
from saescope.index.run import build_index
from saescope.steer.reliability import choose_features
from saescope.steer.run import steer_once
from saescope.train.metrics_log import METRICS_FILE as TRAIN_METRICS
from saescope.train.run import train
from saescope.utils.atomic import write_json_atomic

PROMPT = "Tell me a riddle"
STRENGTH = 0.5  # in units of the feature's max activation in the CPU's index

# fp32 on both devices: the differences left are summation order (and, in the SAE, a TopK choice flipped by it).
CHECKS: dict[str, tuple[Check, ...]] = {
    "harvest fp32": (Check("records", "records", "abs", 0),
                     Check("act_error", "activations, rel. L2 error", "max", 1e-3)),
    "harvest bf16": (Check("act_error", "activations, rel. L2 error", "info"),),
    "train fp32": (Check("loss", "train loss, last step", "rel", 1e-2),
                   Check("fve", "train FVE, last step", "abs", 1e-2)),
    "train bf16": (Check("loss", "train loss, last step", "info"),),
    "eval intrinsic": (Check("fve", "FVE (held out)", "abs", 1e-3),
                       Check("fve_ordinary", "FVE, no sinks", "abs", 1e-3)),
    "eval core-plus": (Check("ce_score", "ce_score", "abs", 2e-3), Check("kl_score", "kl_score", "abs", 2e-3)),
    "index": (Check("max_act_error", "max activation, max rel. error", "max", 1e-3),
              Check("top_match", "top examples matching", "min", 0.98)),
    "steer": (Check("prefix", "continuations, common prefix", "min", 0.75),),
}


def harvest_stage(half: Half, dtype: str = "float32") -> StageResult:
    """Harvest the sample's first conversations; the device's activations are compared with the CPU's."""
    name = "activations" if dtype == "float32" else "activations-bf16"
    out = half.out / name
    with half.measure() as timing:
        harvest(half.config(harvest__out=str(out), model__dtype=dtype))
    counts = ActivationDataset.open(out).manifest["counts"]
    figures: dict[str, float] = {"records": counts["records"]}
    if not half.is_reference:
        figures["act_error"] = activation_error(half.cpu / "activations", out)
    return StageResult(f"harvest {'fp32' if dtype == 'float32' else 'bf16'}", str(half.device),
                       counts["tokens"] / timing.seconds, "tok/s", timing.peak_mib, timing.seconds, figures)


def activation_error(reference: Path, other: Path) -> float:
    """||other - reference|| / ||reference|| over every record (inf when the records do not line up)."""
    a, b = ActivationDataset.open(reference), ActivationDataset.open(other)
    if a.num_records != b.num_records or a.num_shards != b.num_shards:
        return float("inf")
    err = total = 0.0
    for x, y in zip(a.iter_activations(HOOKPOINT), b.iter_activations(HOOKPOINT), strict=True):
        x, y = x.double(), y.double()
        err += float((y - x).square().sum())
        total += float(x.square().sum())
    return (err / total) ** 0.5


def train_stage(half: Half, autocast: str = "float32") -> StageResult:
    """A short run on the CPU's dataset; the last step's loss and FVE are compared."""
    out = half.out / ("train" if autocast == "float32" else "train-bf16")
    with half.measure() as timing:
        train(half.config(train__out=str(out), train__autocast_dtype=autocast))
    lines = (out / TRAIN_METRICS).read_text().splitlines()
    last = json.loads(lines[-1])
    return StageResult(f"train {'fp32' if autocast == 'float32' else 'bf16'}", str(half.device),
                       last["tokens"] / timing.seconds, "tok/s", timing.peak_mib, timing.seconds,
                       {"loss": last["loss"], "fve": last["fve"], "step": last["step"]})


def eval_stage(half: Half, coreplus: bool) -> StageResult:
    """`evaluate` on the CPU's SAE: intrinsic alone (records/s), or with core-plus (its tokens/s)."""
    out = half.out / ("eval-coreplus" if coreplus else "eval-intrinsic")
    with half.measure() as timing:
        (result,) = evaluate(half.config(eval__out=str(out), eval__coreplus=coreplus), [half.cpu / "train"])
    intrinsic = result["intrinsic"]
    if not coreplus:
        return StageResult("eval intrinsic", str(half.device), intrinsic["records"] / timing.seconds, "rec/s",
                           timing.peak_mib, timing.seconds,
                           {"fve": intrinsic["fve"], "fve_ordinary": intrinsic["fve_ordinary"]})
    plus = result["core_plus"]
    return StageResult("eval core-plus", str(half.device), plus["tokens"] / timing.seconds, "tok/s", timing.peak_mib,
                       timing.seconds, {"ce_score": plus["ce_score"], "kl_score": plus["kl_score"]})


def index_stage(half: Half) -> StageResult:
    """The reverse index of the CPU's SAE over the CPU's dataset; compared feature by feature."""
    out = half.out / "index"
    with half.measure() as timing:
        build_index(half.config(index__out=str(out)), half.cpu / "train")
    records = ReverseIndex.open(out).summary["activation_records_indexed"]
    figures: dict[str, float] = {"records": records}
    if not half.is_reference:
        figures |= index_agreement(half.cpu / "index", out)
    return StageResult("index", str(half.device), records / timing.seconds, "rec/s", timing.peak_mib,
                       timing.seconds, figures)


def index_agreement(reference: Path, other: Path) -> dict[str, float]:
    """The largest difference of a feature's max activation (relative to the largest), and the fraction of the
    reference's top examples (feature, rank) that are the same record in the other index."""
    ref_max = pq.read_table(reference / METRICS_FILE)["max_activation"].to_numpy()
    got_max = pq.read_table(other / METRICS_FILE)["max_activation"].to_numpy()
    if ref_max.shape != got_max.shape:
        return {"max_act_error": float("inf"), "top_match": 0.0}
    error = float(np.abs(got_max - ref_max).max() / max(float(np.abs(ref_max).max()), 1e-30))
    columns = ["feature", "rank", "record"]
    ref = pq.read_table(reference / PROMPTS_FILE, columns=columns).to_pydict()
    got = pq.read_table(other / PROMPTS_FILE, columns=columns).to_pydict()
    found = {(f, r): rec for f, r, rec in zip(got["feature"], got["rank"], got["record"], strict=True)}
    same = sum(found.get((f, r)) == rec for f, r, rec in zip(ref["feature"], ref["rank"], ref["record"], strict=True))
    return {"max_act_error": error, "top_match": same / max(len(ref["record"]), 1)}


def steer_stage(half: Half) -> StageResult:
    """One prompt, the CPU index's most frequent non-sink feature at half its max activation, greedy: the device's
    clean and steered continuations are compared token by token with the CPU's."""
    index = ReverseIndex.open(half.cpu / "index")
    (feature,) = choose_features(SteerConfig(top_features=1), index, index.d_sae)
    with half.measure() as timing:
        result = steer_once(half.config(), half.cpu / "train", feature, STRENGTH, PROMPT, "add")
    tokens = {"feature": feature, "clean": result.clean_ids.tolist(), "steered": result.steered_ids.tolist(),
              "clean_text": result.clean_text, "steered_text": result.steered_text}
    write_json_atomic(half.out / "steer.json", tokens)
    figures: dict[str, float] = {"feature": feature}
    if not half.is_reference:
        reference = json.loads((half.cpu / "steer.json").read_text())
        figures["prefix"] = min(common_prefix(reference[k], tokens[k]) for k in ("clean", "steered"))
    generated = len(tokens["clean"]) + len(tokens["steered"])
    return StageResult("steer", str(half.device), generated / timing.seconds, "tok/s", timing.peak_mib,
                       timing.seconds, figures)


def common_prefix(reference: list[Any], other: list[Any]) -> float:
    """The fraction of the reference's tokens the other continuation repeats before it first differs (greedy
    decoding: after a near-tie flips, the rest differs anyway, so a later difference says nothing more)."""
    same = 0
    for a, b in zip(reference, other, strict=False):
        if a != b:
            break
        same += 1
    return same / len(reference) if reference else float(not other)


def device_order(half: Half) -> list[tuple[str, Any]]:
    """(stage, run) in order; bf16 is timed on a GPU only (a CPU without native bf16 computes it in fp32)."""
    stages: list[tuple[str, Any]] = [("harvest fp32", harvest_stage)]
    if half.on_cuda and not half.is_reference:
        stages.append(("harvest bf16", lambda h: harvest_stage(h, "bfloat16")))
    stages.append(("train fp32", train_stage))
    if half.on_cuda and not half.is_reference:
        stages.append(("train bf16", lambda h: train_stage(h, "bfloat16")))
    stages += [("eval intrinsic", lambda h: eval_stage(h, False)), ("eval core-plus", lambda h: eval_stage(h, True)),
               ("index", index_stage), ("steer", steer_stage)]
    return stages
