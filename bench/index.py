"""Reverse-index throughput: records/s of a whole index build against encoding the same records alone, side by side.

Encoding is the floor: every record must go through the SAE. The index adds the per-feature statistics, the top
examples (one per conversation), the resumable progress file and the parquet tables; a ratio near 1 means that
bookkeeping is cheap next to the encoder. Uses the demo's activations and SAE (`make demo`); token text is not
decoded (`decode_tokens` off) so the tokenizer's load time stays out of it.

    .venv/bin/python bench/index.py [--repeats 2] [--batch-size 4096]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import torch

from saescope.harvest.dataset import ActivationDataset
from saescope.index.run import build_part, encode_sparse, shard_batches
from saescope.release.select import load_sae_or_run

ACTIVATIONS, RUN = Path("runs/demo/activations"), Path("runs/demo/train")


def encode_only(sae: torch.nn.Module, dataset: ActivationDataset, label: str, batch_size: int) -> float:
    started = time.perf_counter()
    for shard in range(dataset.num_shards):
        for _, acts in shard_batches(dataset, shard, label, batch_size):
            encode_sparse(sae, acts.float())
    return time.perf_counter() - started


def index_build(sae: torch.nn.Module, dataset: ActivationDataset, label: str, batch_size: int) -> float:
    shards = list(range(dataset.num_shards))
    settings = {"batch_size": batch_size, "context_tokens": 8, "top_examples": 5, "shards": shards}
    head = {key: value for key, value in settings.items() if key != "shards"} | {"decode_tokens": False}
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        build_part(Path(tmp) / "index", sae, dataset, label, shards, settings, head, None, save_every=1,
                   device=torch.device("cpu"), show_progress=False)
        return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    args = parser.parse_args()
    if not (ACTIVATIONS / "manifest.json").is_file() or not (RUN / "checkpoints").is_dir():
        print(f"{ACTIVATIONS} or {RUN} not found: run `make demo` first", file=sys.stderr)
        return 1
    dataset = ActivationDataset.open(ACTIVATIONS)
    source, sae, metadata = load_sae_or_run(RUN)
    label = dataset.label_of(metadata["model"]["hookpoint"])
    print(f"{source}: d_sae {sae.d_sae}, k {sae.k}; {dataset.num_records:,} records in {dataset.num_shards} shards, "
          f"batch {args.batch_size}, torch threads {torch.get_num_threads()}")
    encode, index = [], []
    for _ in range(args.repeats):  # interleaved, so both see the same machine state
        encode.append(encode_only(sae, dataset, label, args.batch_size))
        index.append(index_build(sae, dataset, label, args.batch_size))
    for name, times in (("encode only", encode), ("index build", index)):
        print(f"{name:<12}: {dataset.num_records / min(times):>10,.0f} records/s (best of {args.repeats})")
    print(f"index build / encode only (records/s): {min(encode) / min(index):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
