"""The road from the reference release's recipe to saescope's training defaults, one change at a time: held-out
FVE (pooled, and on ordinary tokens without the attention sinks) after the same 400k tokens of demo activations,
the same batches for every SAE (the setup of bench/fve_vs_sparsify.py, whose functions this reuses).

    .venv/bin/python bench/fve_ladder.py [--tokens 400000]
"""

from __future__ import annotations

import argparse
import math
import sys
import time

from fve_vs_sparsify import (
    ACTIVATIONS,
    BATCH,
    HOOKPOINT,
    REFERENCE_RECIPE,
    describe_outliers,
    held_out_fve,
    loader,
    recipe,
    split_shards,
    take_batches,
    train_saescope,
    training_stream,
)

from saescope.harvest.dataset import ActivationDataset

# Each rung adds its change to the one before; the last is TrainConfig's defaults.
LADDER: list[tuple[str, dict[str, object]]] = [
    ("reference recipe", {}),
    ("lr 3e-3", {"lr": 3e-3}),
    ("+ sink weight 0.05", {"sink_loss_weight": 0.05}),
    ("lr 6e-3", {"lr": 6e-3}),
    ("(lr 1e-2 instead)", {"lr": 1e-2}),
    ("+ scalar normaliser", {"lr": 6e-3, "normalizer_scale": "scalar"}),
    ("+ beta1 0.8, decay 0.2", {"beta1": 0.8, "lr_decay_fraction": 0.2}),
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=400_000, help="training tokens for each SAE")
    args = parser.parse_args()
    if not (ACTIVATIONS / "manifest.json").is_file():
        print(f"{ACTIVATIONS} not found: run the demo harvest first (`make demo`)", file=sys.stderr)
        return 1
    dataset = ActivationDataset.open(ACTIVATIONS)
    _, held = split_shards(dataset)
    eval_rows = [dataset.shard_activations(i, HOOKPOINT) for i in held]
    batches = take_batches(training_stream(dataset, held, loader(seed=0)), math.ceil(args.tokens / BATCH))
    outlier_norm = describe_outliers(eval_rows)
    settings: dict[str, object] = {"aux_k": dataset.d_model // 2, **REFERENCE_RECIPE}
    rows = []
    for name, change in LADDER:
        settings |= change
        t = time.perf_counter()
        sae = train_saescope(dataset, held, batches, recipe(settings))
        rows.append((name, *held_out_fve(lambda x, sae=sae: sae(x).x_hat, eval_rows, outlier_norm)))
        print(f"  ({time.perf_counter() - t:.0f} s) {name}")
    defaults = recipe({"aux_k": dataset.d_model // 2})
    assert all(getattr(defaults, k) == v for k, v in settings.items() if k != "lr"), "the last rung is the defaults"
    print(f"\n  {'':<26} {'pooled FVE':>10} {'ordinary FVE':>13}")
    for name, pooled, ordinary in rows:
        print(f"  {name:<26} {pooled:>10.4f} {ordinary:>13.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
