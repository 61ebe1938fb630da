"""Held-out FVE after the same token budget: saescope vs EleutherAI sparsify, on the demo's SmolLM2 activations.

Both train on the identical stream of batches (same rows, same order) from `runs/demo/activations`
(`make demo`, or `.venv/bin/saescope harvest --config configs/demo.yaml`), holding out the dataset's last shards,
and are evaluated on those held-out rows with FVE pooled in raw activation space:
1 - sum||x - x_hat||^2 / sum||x - mean(x)||^2, pooled and on ordinary tokens (the attention sinks, norm above 10x
the median, left out), and by core-plus CE and KL scores with each SAE spliced into SmolLM2 over 16 held-out
conversations. saescope runs with its defaults, with the reference release's recipe (Adam 3e-4, per-dimension
normaliser, sinks weighted like any token, no decay) and as BatchTopK (same batches, same average L0, evaluated
with its inference threshold); sparsify with saescope's reference optimiser ("matched") and with its own defaults.

    .venv/bin/python bench/fve_vs_sparsify.py [--tokens 400000] [--no-ce]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from saescope.config import load_config
from saescope.config.schema import TrainConfig
from saescope.eval.coreplus import core_plus
from saescope.eval.run import heldout_conversations
from saescope.harvest.dataset import ActivationDataset
from saescope.lm.loading import LoadedModel, load_model
from saescope.sae import (
    BatchTopKSae,
    FveAccumulator,
    TopKSae,
    apply_to,
    build_sae,
    estimate_moments,
    init_b_dec,
    init_weights,
)
from saescope.train.loader import ActivationStream, LoaderConfig
from saescope.train.trainer import Trainer
from saescope.utils.precision import compute_dtype, dtype_name

ACTIVATIONS = Path("runs/demo/activations")
HOOKPOINT = "layers.19"
D_SAE, K, BATCH = 4608, 32, 4096
LR, WARMUP_TOKENS = 3e-4, 100_000  # the reference recipe's Adam lr; configs/demo.yaml's warmup
AUX_COEF, DEAD_TOKENS = 1 / 32, 200_000  # configs/demo.yaml
NORMALIZER_TOKENS = 100_000  # configs/demo.yaml
EVAL_MIN_ROWS = 8 * BATCH  # hold out shards from the end until at least this many rows
STEP_DTYPE = dtype_name(compute_dtype("bfloat16", torch.device("cpu")))  # fp32 without native bf16
OUTLIER_FACTOR = 10  # diagnostic: tokens with a norm above 10x the median (attention sinks) are "outliers"


def loader(seed: int, batch_size: int = BATCH) -> LoaderConfig:
    return LoaderConfig(hookpoint=HOOKPOINT, batch_size=batch_size, seed=seed, prefetch_shards=2,
                        decoded_prefetch_shards=2, cpu_prefetch_batches=4)


def split_shards(dataset: ActivationDataset) -> tuple[list[int], list[int]]:
    """(training shards, held-out shards): the last shards, whole conversations, never seen in training."""
    held: list[int] = []
    rows = 0
    for i in reversed(range(dataset.num_shards)):
        if rows >= EVAL_MIN_ROWS:
            break
        held.insert(0, i)
        rows += dataset.shard_entries[i]["rows"]
    return [i for i in range(dataset.num_shards) if i not in held], held


def training_stream(dataset: ActivationDataset, held: list[int], cfg: LoaderConfig) -> ActivationStream:
    stream = ActivationStream(dataset, cfg)
    # The stream leaves out the shards named in `skipped_shards` (its corrupt-shard mechanism): the held-out ones.
    stream.skipped_shards[:] = [dataset.shard_entries[i]["file"] for i in held]
    return stream


def take_batches(stream: ActivationStream, n: int) -> list[torch.Tensor]:
    batches: list[torch.Tensor] = []
    with stream:
        for x in stream:
            batches.append(x.clone())
            if len(batches) == n:
                break
    return batches


# --- saescope, as saescope/train/run.py sets it up

# The reference release's recipe (configs/qwen3-8b-l36.yaml): Adam 3e-4 (0.9, 0.999), per-dimension normaliser,
# sinks weighted like any token, no decay. saescope's defaults are TrainConfig's (lr by its width/batch rule).
REFERENCE_RECIPE = {"lr": LR, "beta1": 0.9, "normalizer_scale": "per_dimension", "sink_loss_weight": 1.0,
                    "lr_decay_fraction": 0.0}


def recipe(overrides: dict[str, object]) -> TrainConfig:
    """TrainConfig's defaults at the demo's size (configs/demo.yaml), with `overrides`."""
    return TrainConfig(d_sae=D_SAE, k=K, batch_size=BATCH, warmup_tokens=WARMUP_TOKENS, aux_coef=AUX_COEF,
                       dead_tokens=DEAD_TOKENS, normalizer_tokens=NORMALIZER_TOKENS, autocast_dtype="bfloat16",
                       **overrides)


def describe(tc: TrainConfig, trainer: Trainer) -> str:
    return (f"Adam lr {trainer.lr:.3g} ({tc.beta1}, {tc.beta2}), warmup {tc.warmup_tokens:,} tokens, decay over the "
            f"last {tc.lr_decay_fraction:.0%}, sink weight {tc.sink_loss_weight:g}, {tc.normalizer_scale} normaliser, "
            f"aux_k {tc.aux_k}, aux_coef {tc.aux_coef:g}, {tc.b_dec_init} b_dec")


def train_saescope(dataset: ActivationDataset, held: list[int], batches: list[torch.Tensor], tc: TrainConfig,
                   architecture: str = "topk") -> TopKSae:
    with training_stream(dataset, held, loader(seed=1, batch_size=8192)) as stream:
        estimate = estimate_moments(stream, tc.normalizer_tokens, tc.b_dec_init_tokens, tc.normalizer_outlier_factor)
    sae = build_sae(architecture, dataset.d_model, tc.d_sae, tc.k)
    apply_to(sae, estimate.moments, tc.std_floor, tc.normalizer_scale)
    init_weights(sae, torch.Generator().manual_seed(0))
    init_b_dec(sae, sae.normalize(estimate.sample), tc.b_dec_init)
    trainer = Trainer(sae, tc, torch.device("cpu"), total_tokens=len(batches) * tc.batch_size)
    for x in batches:
        metrics = trainer.train_step(x)
    print(f"  {architecture}, {describe(tc, trainer)}: last step loss {metrics['loss']:.4f}, train-batch fve "
          f"{metrics['fve']:.4f}, l0 {metrics['l0']:.1f}, dead {metrics['dead']}"
          + (f", threshold {metrics['threshold']:.4g}" if "threshold" in metrics else ""))
    return sae.eval()


def batchtopk_diagnostics(sae: TopKSae, eval_rows: list[torch.Tensor]) -> None:
    """BatchTopK at inference (theta-thresholded, capped at 4k): its held-out L0 and how often the cap bites."""
    assert isinstance(sae, BatchTopKSae)
    with torch.no_grad():
        x = torch.cat(eval_rows).float()
        l0 = float(torch.cat([(sae.encode(r).values > 0).sum(-1).float() for r in x.split(BATCH)]).mean())
        truncated = sum(sae.cap_truncation(r) * len(r) for r in x.split(BATCH)) / len(x)
    print(f"  batchtopk: k {K} on average in training; held-out L0 {l0:.1f} at threshold "
          f"{float(sae.threshold):.4g}, {truncated:.2%} of tokens capped at {sae.k_cap}")


# --- sparsify: the per-step body of sparsify.trainer.Trainer.fit (loss_fn="fvu", one SAE, no accumulation)


def train_sparsify(batches: list[torch.Tensor], d_in: int, matched: bool) -> torch.nn.Module:
    from sparsify import SaeConfig, SparseCoder

    torch.manual_seed(0)  # its trainer seeds with init_seeds[0] = 0 before building the SAE
    sae = SparseCoder(d_in, SaeConfig(num_latents=D_SAE, k=K), device="cpu", dtype=torch.float32)
    sae.b_dec.data = batches[0].float().mean(0)  # its first-step decoder-bias init
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    opt: torch.optim.Optimizer
    if matched:  # saescope's optimiser, schedule and AuxK settings
        opt = torch.optim.Adam(sae.parameters(), lr=LR, betas=(0.9, 0.999))
        scheduler = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda step: min(1.0, (step + 1) * BATCH / WARMUP_TOKENS))
        auxk_alpha = AUX_COEF
    else:  # its TrainConfig defaults: signum (ScheduleFree SignSGD), lr scaled by width, auxk_alpha 0
        from schedulefree import ScheduleFreeWrapper
        from sparsify.sign_sgd import SignSGD

        opt = ScheduleFreeWrapper(SignSGD([{"params": sae.parameters(), "lr": 5e-3 / (D_SAE / 2**14) ** 0.5}]),
                                  momentum=0.95)
        opt.train()
        auxk_alpha = 0.0
    counts = torch.zeros(D_SAE, dtype=torch.long)
    did_fire = torch.zeros(D_SAE, dtype=torch.bool)
    for x in batches:
        x = x.float()
        sae.set_decoder_norm_to_unit_norm()
        dead_mask = counts > DEAD_TOKENS if auxk_alpha > 0 else None
        total_variance = (x - x.mean(0)).pow(2).sum()
        out = sae(x=x, y=x, dead_mask=dead_mask, total_variance=total_variance)
        did_fire[out.latent_indices.flatten()] = True
        loss = out.fvu + auxk_alpha * out.auxk_loss + out.multi_topk_fvu / 8
        loss.backward()
        sae.remove_gradient_parallel_to_decoder_directions()
        opt.step()
        opt.zero_grad()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            counts += x.shape[0]
            counts[did_fire] = 0
            did_fire.zero_()
    if not matched:
        opt.eval()  # ScheduleFree: evaluate at the averaged weights, as its trainer does before saving
    sae.set_decoder_norm_to_unit_norm()
    print(f"  sparsify ({'matched' if matched else 'defaults'}): last step fvu {float(out.fvu.detach()):.4f}, "
          f"dead {int((counts > DEAD_TOKENS).sum())}")
    return sae.eval()


@torch.no_grad()
def held_out_fve(reconstruct: Callable[[torch.Tensor], torch.Tensor], eval_rows: list[torch.Tensor],
                 outlier_norm: float) -> tuple[float, float]:
    """Pooled FVE in raw space (the metric), and the same without the attention-sink tokens (norm above
    `outlier_norm`): the ordinary tokens, eval's fve_ordinary."""
    d = eval_rows[0].shape[1]
    raw, ordinary = FveAccumulator(d), FveAccumulator(d)
    for rows in eval_rows:
        for x in rows.split(BATCH):
            x = x.float()
            x_hat = reconstruct(x)
            raw.update(x, x_hat)
            keep = x.norm(dim=1) <= outlier_norm
            ordinary.update(x[keep], x_hat[keep])
    return raw.compute(), ordinary.compute()


def describe_outliers(eval_rows: list[torch.Tensor]) -> float:
    x = torch.cat(eval_rows).float()
    norms = x.norm(dim=1)
    threshold = OUTLIER_FACTOR * float(norms.median())
    var = x.var(dim=0)
    print(f"held-out rows: {int((norms > threshold).sum())} of {len(x):,} have a norm above {OUTLIER_FACTOR}x the "
          f"median ({threshold:,.0f}; max {float(norms.max()):,.0f}); dimension {int(var.argmax())} holds "
          f"{float(var.max() / var.sum()):.1%} of the total variance")
    return threshold


Scores = tuple[float, float, float, float]  # raw FVE, raw FVE without sinks, core-plus ce_score, kl_score
CE_CONVERSATIONS, CE_MAX_TOKENS = 16, 256  # configs/demo.yaml's eval section, from the held-out shards


def core_plus_scores(lm: LoadedModel | None, conversations: list, reconstruct: Callable) -> tuple[float, float]:
    if lm is None:
        return math.nan, math.nan
    def rows(h: torch.Tensor) -> torch.Tensor:  # the hookpoint's [batch, tokens, d] as rows (sparsify wants 2-D)
        return reconstruct(h.reshape(-1, h.shape[-1]).float()).reshape(h.shape).to(h.dtype)

    result = core_plus(lm, HOOKPOINT, rows, conversations)
    return result.ce_score, result.kl_score


def saescope_results(dataset: ActivationDataset, held: list[int], batches: list[torch.Tensor],
                     eval_rows: list[torch.Tensor], outlier_norm: float, lm: LoadedModel | None,
                     conversations: list, aux_k: int) -> dict[str, Scores]:
    results: dict[str, Scores] = {}
    runs = {"saescope": ({}, "topk"), "saescope, reference recipe": (REFERENCE_RECIPE, "topk"),
            # theta's running mean spans the first 1/threshold_lr steps: 0.01 would average all 98 steps here.
            "saescope batchtopk": ({"threshold_lr": 0.1}, "batchtopk")}
    for name, (overrides, architecture) in runs.items():
        t = time.perf_counter()
        sae = train_saescope(dataset, held, batches, recipe({"aux_k": aux_k, **overrides}), architecture)
        if architecture == "batchtopk":
            batchtopk_diagnostics(sae, eval_rows)
        with torch.no_grad():
            fve = held_out_fve(lambda x, sae=sae: sae(x).x_hat, eval_rows, outlier_norm)
            results[name] = (*fve, *core_plus_scores(lm, conversations, lambda h, sae=sae: sae(h).x_hat))
        print(f"  ({time.perf_counter() - t:.0f} s) {name}: bf16 autocast requested ({STEP_DTYPE} ran)")
    return results


def sparsify_results(batches: list[torch.Tensor], d_in: int, eval_rows: list[torch.Tensor], outlier_norm: float,
                     lm: LoadedModel | None, conversations: list, aux_k: int) -> dict[str, Scores]:
    results: dict[str, Scores] = {}
    for matched in (True, False):
        t = time.perf_counter()
        peer = train_sparsify(batches, d_in, matched)
        name = f"sparsify ({'matched' if matched else 'defaults'})"
        with torch.no_grad():
            fve = held_out_fve(lambda x, peer=peer: peer(x).sae_out, eval_rows, outlier_norm)
            results[name] = (*fve, *core_plus_scores(lm, conversations, lambda h, peer=peer: peer(h).sae_out))
        settings = (f"Adam lr {LR:g} (0.9, 0.999), same warmup, auxk_alpha {AUX_COEF:g}, k_aux {aux_k}, dead "
                    f"after {DEAD_TOKENS:,} tokens" if matched else
                    f"signum/ScheduleFree lr {5e-3 / (D_SAE / 2**14) ** 0.5:.2e}, no AuxK (auxk_alpha 0)")
        print(f"  ({time.perf_counter() - t:.0f} s) {name}: fp32 (its CPU precision), {settings}, mean b_dec")
    return results


def report(results: dict[str, Scores], rows: int) -> None:
    print(f"\nheld-out, pooled over {rows:,} rows; core-plus over {CE_CONVERSATIONS} held-out conversations:")
    print(f"  {'':<28} {'raw FVE':>8} {'ordinary FVE':>13} {'ce_score':>9} {'kl_score':>9}")
    for name, (raw, ordinary, ce, kl) in results.items():
        print(f"  {name:<28} {raw:>8.4f} {ordinary:>13.4f} {ce:>9.4f} {kl:>9.4f}")
    peers = {k: v for k, v in results.items() if k.startswith("sparsify")}
    if not peers:
        return
    ours = results["saescope"]
    for column, label in ((1, "ordinary-token FVE"), (0, "pooled FVE"), (2, "ce_score")):
        best = max(peers, key=lambda k: peers[k][column])
        diff = ours[column] - peers[best][column]
        target = {1: "target >= 0", 0: "target > 0", 2: "reported"}[column]
        met = "" if column == 2 else ("met" if (diff >= 0 if column == 1 else diff > 0) else "MISSED")
        print(f"saescope defaults vs best sparsify ({best}) on {label}: {diff:+.4f}  {target}: {met}".rstrip(": "))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=400_000, help="training tokens for each SAE")
    parser.add_argument("--no-ce", action="store_true", help="skip the core-plus CE and KL scores (no model load)")
    args = parser.parse_args()
    if not (ACTIVATIONS / "manifest.json").is_file():
        print(f"{ACTIVATIONS} not found: run the demo harvest first (`make demo`, or "
              "`.venv/bin/saescope harvest --config configs/demo.yaml`)", file=sys.stderr)
        return 1
    began = time.perf_counter()
    dataset = ActivationDataset.open(ACTIVATIONS)
    train_shards, held = split_shards(dataset)
    steps = math.ceil(args.tokens / BATCH)
    train_rows = sum(dataset.shard_entries[i]["rows"] for i in train_shards)
    eval_rows = [dataset.shard_activations(i, HOOKPOINT) for i in held]
    print(f"{ACTIVATIONS} ({HOOKPOINT}, d_model {dataset.d_model}): training on shards {train_shards} "
          f"({train_rows:,} rows), held out {held} ({sum(len(r) for r in eval_rows):,} rows)")
    batches = take_batches(training_stream(dataset, held, loader(seed=0)), steps)
    print(f"d_sae {D_SAE}, k {K}; {steps} steps x {BATCH} = {steps * BATCH:,} tokens "
          f"({steps * BATCH / train_rows:.2f} epochs), identical batches for every SAE")
    aux_k = dataset.d_model // 2  # sparsify's fixed AuxK heuristic; saescope's aux_k is set to match it
    outlier_norm = describe_outliers(eval_rows)
    lm = None if args.no_ce else load_model(load_config("configs/demo.yaml").model)
    conversations = [t for _, t in heldout_conversations(dataset, held, CE_CONVERSATIONS, CE_MAX_TOKENS)]
    results = saescope_results(dataset, held, batches, eval_rows, outlier_norm, lm, conversations, aux_k)
    if importlib.util.find_spec("sparsify") is None:
        print("eai-sparsify is not installed (pip install eai-sparsify): nothing to compare against")
    else:
        results |= sparsify_results(batches, dataset.d_model, eval_rows, outlier_norm, lm, conversations, aux_k)
    report(results, sum(len(r) for r in eval_rows))
    print(f"total runtime {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
