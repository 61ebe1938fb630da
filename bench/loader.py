"""Training-stream throughput: the shuffled `ActivationStream` against a plain sequential read, side by side.

Both read the same synthetic dataset (written here without a model, page cache warm): the plain way takes
`shard_activations` of each shard in dataset order and cuts them into contiguous batches (one copy of every
row); the stream permutes shard order and rows, shuffles through its window, and hands over batches from its
background threads. A third reader, the random-row gather, gathers each shard's rows in a random order and
nothing else: the floor of any row-level shuffle, since rows of d 576 in bf16 (1,152 bytes) are read from
memory at random rather than streamed. Prints records/s and GB/s of each and the stream's ratios to the other two.

    .venv/bin/python bench/loader.py [--shards 8] [--rows 65536] [--d-model 576] [--batch-size 4096]
    .venv/bin/python bench/loader.py --reference   # d 4096 (8 KiB bf16 rows), as the Qwen3-8B release reads them

With `--reference` it also prints what one GPU's training step at batch 32,768 needs from the loader, from the
same arithmetic as `saescope plan` (saescope.plan), against what this machine's stream delivers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import torch

from saescope.harvest.dataset import ActivationDataset
from saescope.plan.costs import SaeShape, train_step
from saescope.plan.hardware import make_cluster
from saescope.train.loader import ActivationStream, LoaderConfig

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import HOOKPOINT, write_synthetic_dataset

# The Qwen3-8B l36 release: batch 32,768 of d 4096 into a 4096 x 65,536 SAE, k 64, aux_k 512, about half dead.
REFERENCE_BATCH, REFERENCE_SAE = 32_768, SaeShape(4096, 65_536, 64, aux_k=512, dead_fraction=0.56)

def sequential_batches(dataset: ActivationDataset, batch_size: int) -> Iterator[torch.Tensor]:
    """The plain read: shards in order, rows in order, each batch one contiguous tensor."""
    carry: list[torch.Tensor] = []
    held = 0
    for acts in dataset.iter_activations(HOOKPOINT):
        start = 0
        while start < len(acts):
            piece = acts[start: start + batch_size - held]
            carry.append(piece)
            held += len(piece)
            start += len(piece)
            if held == batch_size:
                yield torch.cat(carry)  # a copy even for one piece: the mapped file is not yet in memory
                carry, held = [], 0


def random_row_batches(dataset: ActivationDataset, batch_size: int, seed: int) -> Iterator[torch.Tensor]:
    """The floor of any row-level shuffle: each shard's rows in a random order, gathered `batch_size` at a time
    (sorted within the batch, as the stream reads them), with no planning, threads or window."""
    for acts in dataset.iter_activations(HOOKPOINT):
        order = torch.randperm(len(acts), generator=torch.Generator().manual_seed(seed))
        for i in range(0, len(acts) - batch_size + 1, batch_size):
            yield acts.index_select(0, order[i: i + batch_size].sort().values)


def records_per_second(batches: Iterator[torch.Tensor]) -> float:
    started = time.perf_counter()
    rows = sum(len(batch) for batch in batches)
    return rows / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shards", type=int, default=8)
    parser.add_argument("--rows", type=int, default=65536, help="rows per shard (harvest.shard_records default)")
    parser.add_argument("--d-model", type=int, default=576)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--streams", type=int, default=1, help="loader streams in this process (parallel gathers)")
    parser.add_argument("--reference", action="store_true", help="d 4096, 4 shards of 65,536 rows (2 GiB)")
    args = parser.parse_args()
    if args.reference:
        args.d_model, args.shards = 4096, min(args.shards, 4)
    # the Qwen3-8B l36 release's other knobs as they are
    cfg = LoaderConfig(batch_size=args.batch_size, epochs=args.epochs, loader_streams=args.streams)

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "acts"
        write_synthetic_dataset(root, args.shards, args.rows, args.d_model, torch.bfloat16)
        dataset = ActivationDataset.open(root)
        size = sum(e["bytes"] for e in dataset.shard_entries) / 2**20
        print(f"dataset: {args.shards} shards x {args.rows} rows x d {args.d_model} bf16 ({size:.0f} MiB), "
              f"batch {args.batch_size}, shuffle_buffer {cfg.shuffle_buffer}, prefetch {cfg.prefetch_shards}/"
              f"{cfg.decoded_prefetch_shards} shards, {cfg.cpu_prefetch_batches} batches, {args.streams} stream(s), "
              f"torch threads {torch.get_num_threads()}")
        plain, gathered, shuffled = [], [], []
        for _ in range(args.repeats):  # interleaved, so all three see the same machine state
            plain.append(records_per_second(
                batch for _ in range(args.epochs) for batch in sequential_batches(dataset, args.batch_size)))
            gathered.append(records_per_second(
                batch for epoch in range(args.epochs) for batch in random_row_batches(dataset, args.batch_size, epoch)))
            with ActivationStream(root, cfg) as stream:
                shuffled.append(records_per_second(iter(stream)))
        row_bytes = args.d_model * 2
        for name, rates in (("sequential read", plain), ("random-row gather", gathered), ("shuffled stream", shuffled)):
            print(f"{name:<18}: {max(rates) / 1e6:6.2f} M records/s, {max(rates) * row_bytes / 1e9:5.2f} GB/s (best "
                  f"of {args.repeats}; all: {', '.join(f'{r / 1e6:.2f}' for r in rates)})")
        print(f"ratio to the sequential read (target 0.8): {max(shuffled) / max(plain):.2f}")
        print(f"ratio to the random-row gather floor     : {max(shuffled) / max(gathered):.2f}")
        if args.reference:
            print_gpu_need(max(shuffled) * row_bytes)


def print_gpu_need(delivered: float) -> None:
    """What one GPU's step at the reference batch needs from the loader (saescope plan's arithmetic)."""
    step = train_step(REFERENCE_SAE, REFERENCE_BATCH, distributed=False)
    batch_bytes = REFERENCE_BATCH * REFERENCE_SAE.d_in * 2
    for gpu in ("h100", "h200"):
        cluster = make_cluster(gpu, 1)
        seconds = cluster.gemm_seconds(step.dense_flops) + cluster.hbm_seconds(step.hbm_bytes)
        need = batch_bytes / seconds
        print(f"one {cluster.gpu.name} at batch {REFERENCE_BATCH:,}: {batch_bytes / 1e6:.0f} MB of bf16 activations "
              f"a step, a step of {seconds * 1e3:.0f} ms (saescope plan), so {need / 1e9:.1f} GB/s; this stream "
              f"delivers {delivered / 1e9:.2f} GB/s ({delivered / need:.2f} of it)")

if __name__ == "__main__":
    main()
