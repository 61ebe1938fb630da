"""Held-out FVE after the same token budget: saescope vs EleutherAI sparsify, on the demo's SmolLM2 activations.

Both train on the identical stream of batches (same rows, same order) from `runs/demo/activations`
(`make demo`, or `.venv/bin/saescope harvest --config configs/demo.yaml`), holding out the dataset's last shards,
and are evaluated on those held-out rows with FVE pooled in raw activation space:
1 - sum||x - x_hat||^2 / sum||x - mean(x)||^2. A saescope BatchTopK SAE (train.architecture batchtopk) trains on
the same batches at the same average L0 (k) and is evaluated with its inference threshold.

    .venv/bin/python bench/fve_vs_sparsify.py [--tokens 400000]
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

from saescope.harvest.dataset import ActivationDataset
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
from saescope.train.trainer import Hyperparams, Trainer
from saescope.utils.precision import compute_dtype, dtype_name

ACTIVATIONS = Path("runs/demo/activations")
HOOKPOINT = "layers.19"
D_SAE, K, BATCH = 4608, 32, 4096
LR, WARMUP_TOKENS = 3e-4, 100_000  # configs/demo.yaml
AUX_COEF, DEAD_TOKENS = 1 / 32, 200_000  # configs/demo.yaml
NORMALIZER_TOKENS, STD_FLOOR, B_DEC_TOKENS = 100_000, 1e-5, 8192  # configs/demo.yaml and TrainConfig defaults
OUTLIER_FACTOR_DEFAULT = 10.0  # TrainConfig.normalizer_outlier_factor
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


def train_saescope(dataset: ActivationDataset, held: list[int], batches: list[torch.Tensor], aux_k: int,
                   outlier_factor: float | None, architecture: str = "topk") -> TopKSae:
    with training_stream(dataset, held, loader(seed=1, batch_size=8192)) as stream:
        estimate = estimate_moments(stream, NORMALIZER_TOKENS, B_DEC_TOKENS, outlier_factor)
    print(f"  saescope normaliser (outlier_factor {outlier_factor}): {estimate.outliers} of {estimate.tokens_read:,} "
          f"tokens left out of the estimate; max std / median std "
          f"{float(estimate.moments.std(STD_FLOOR).max() / estimate.moments.std(STD_FLOOR).median()):.1f}")
    moments, sample = estimate.moments, estimate.sample
    sae = build_sae(architecture, dataset.d_model, D_SAE, K)
    apply_to(sae, moments, STD_FLOOR)
    init_weights(sae, torch.Generator().manual_seed(0))
    init_b_dec(sae, sae.normalize(sample), "geometric_median")
    hp = Hyperparams(lr=LR, batch_size=BATCH, warmup_tokens=WARMUP_TOKENS, aux_k=aux_k, aux_coef=AUX_COEF,
                     dead_tokens=DEAD_TOKENS, autocast_dtype="bfloat16")
    trainer = Trainer(sae, hp, torch.device("cpu"))
    for x in batches:
        metrics = trainer.train_step(x)
    print(f"  saescope: last step loss {metrics['loss']:.4f}, train-batch fve {metrics['fve']:.4f}, "
          f"l0 {metrics['l0']:.1f}, dead {metrics['dead']}"
          + (f", threshold {metrics['threshold']:.4g}" if "threshold" in metrics else ""))
    return sae.eval()


def batchtopk_result(dataset: ActivationDataset, held: list[int], batches: list[torch.Tensor], aux_k: int,
                     eval_rows: list[torch.Tensor], outlier_norm: float) -> tuple[float, float, float]:
    """The BatchTopK variant: same batches, same average L0 (k), default normaliser; held-out FVE at inference
    (theta-thresholded, capped at 4k), with its held-out L0 and how often the cap truncated a token's code."""
    t = time.perf_counter()
    sae = train_saescope(dataset, held, batches, aux_k, OUTLIER_FACTOR_DEFAULT, "batchtopk")
    assert isinstance(sae, BatchTopKSae)
    result = held_out_fve(lambda x: sae(x).x_hat, eval_rows, sae.normalize, outlier_norm)
    with torch.no_grad():
        x = torch.cat(eval_rows).float()
        l0 = float(torch.cat([(sae.encode(r).values > 0).sum(-1).float() for r in x.split(BATCH)]).mean())
        truncated = sum(sae.cap_truncation(r) * len(r) for r in x.split(BATCH)) / len(x)
    print(f"  ({time.perf_counter() - t:.0f} s) saescope batchtopk: same settings, k {K} on average in training; "
          f"held-out L0 {l0:.1f} at threshold {float(sae.threshold):.4g}, {truncated:.2%} of tokens capped at "
          f"{sae.k_cap}")
    return result


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
                 normalize: Callable[[torch.Tensor], torch.Tensor], outlier_norm: float) -> tuple[float, float, float]:
    """Pooled FVE in raw space (the metric), and two diagnostics: raw space without the outlier tokens (norm
    above `outlier_norm`), and saescope's per-dimension standardised space (every dimension weighs the same)."""
    d = eval_rows[0].shape[1]
    raw, ordinary, standardised = FveAccumulator(d), FveAccumulator(d), FveAccumulator(d)
    for rows in eval_rows:
        for x in rows.split(BATCH):
            x = x.float()
            x_hat = reconstruct(x)
            raw.update(x, x_hat)
            keep = x.norm(dim=1) <= outlier_norm
            ordinary.update(x[keep], x_hat[keep])
            standardised.update(normalize(x), normalize(x_hat))
    return raw.compute(), ordinary.compute(), standardised.compute()


def describe_outliers(eval_rows: list[torch.Tensor]) -> float:
    x = torch.cat(eval_rows).float()
    norms = x.norm(dim=1)
    threshold = OUTLIER_FACTOR * float(norms.median())
    var = x.var(dim=0)
    print(f"held-out rows: {int((norms > threshold).sum())} of {len(x):,} have a norm above {OUTLIER_FACTOR}x the "
          f"median ({threshold:,.0f}; max {float(norms.max()):,.0f}); dimension {int(var.argmax())} holds "
          f"{float(var.max() / var.sum()):.1%} of the total variance")
    return threshold


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=400_000, help="training tokens for each SAE")
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
    results: dict[str, tuple[float, float, float]] = {}
    for name, factor in (("saescope", OUTLIER_FACTOR_DEFAULT), ("saescope, sinks in std", None)):
        t = time.perf_counter()
        sae = train_saescope(dataset, held, batches, aux_k, factor)
        results[name] = held_out_fve(lambda x, sae=sae: sae(x).x_hat, eval_rows, sae.normalize, outlier_norm)
        if factor is not None:
            standardise = sae.normalize  # every SAE's standardised-space diagnostic uses the default normaliser
        print(f"  ({time.perf_counter() - t:.0f} s) {name}: bf16 autocast requested ({STEP_DTYPE} ran), "
              f"Adam lr {LR:g} (0.9, 0.999), warmup {WARMUP_TOKENS:,} tokens, aux_k {aux_k}, aux_coef {AUX_COEF:g}, "
              f"dead after {DEAD_TOKENS:,} tokens, "
              f"per-dimension normaliser (outlier_factor {factor}), geometric-median b_dec")
    results["saescope batchtopk"] = batchtopk_result(dataset, held, batches, aux_k, eval_rows, outlier_norm)
    if importlib.util.find_spec("sparsify") is None:
        print("eai-sparsify is not installed (pip install eai-sparsify): nothing to compare against")
    else:
        for matched in (True, False):
            t = time.perf_counter()
            peer = train_sparsify(batches, dataset.d_model, matched)
            name = f"sparsify ({'matched' if matched else 'defaults'})"
            results[name] = held_out_fve(lambda x, peer=peer: peer(x).sae_out, eval_rows, standardise,
                                         outlier_norm)
            settings = (f"Adam lr {LR:g} (0.9, 0.999), same warmup, auxk_alpha {AUX_COEF:g}, k_aux {aux_k}, dead "
                        f"after {DEAD_TOKENS:,} tokens" if matched else
                        f"signum/ScheduleFree lr {5e-3 / (D_SAE / 2**14) ** 0.5:.2e}, no AuxK (auxk_alpha 0)")
            print(f"  ({time.perf_counter() - t:.0f} s) {name}: fp32 (its CPU precision), {settings}, mean b_dec")

    print(f"\nheld-out FVE, pooled over {sum(len(r) for r in eval_rows):,} rows:")
    print(f"  {'':<24} {'raw space':>10}  | diagnostics: {'raw, no outlier tokens':>22} {'standardised space':>19}")
    for name, (raw, ordinary, standardised) in results.items():
        print(f"  {name:<24} {raw:>10.4f}  | {ordinary:>35.4f} {standardised:>19.4f}")
    peers = {k: v[0] for k, v in results.items() if not k.startswith("saescope")}
    if peers:
        best = max(peers, key=peers.__getitem__)
        diff = results["saescope"][0] - peers[best]
        for name, value in peers.items():
            print(f"saescope - {name}: {results['saescope'][0] - value:+.4f} (raw FVE)")
        print(f"saescope vs best sparsify ({best}): {diff:+.4f}  target >= 0: {'met' if diff >= 0 else 'MISSED'}")
    print(f"total runtime {time.perf_counter() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
