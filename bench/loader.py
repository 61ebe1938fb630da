"""Training-stream throughput: the shuffled `ActivationStream` against a plain sequential read, side by side.

Both read the same synthetic dataset (written here without a model, page cache warm): the plain way takes
`shard_activations` of each shard in dataset order and cuts them into contiguous batches (one copy of every
row); the stream permutes shard order and rows, shuffles through its window, and hands over batches from its
background threads. Prints records/s of each and their ratio.

    .venv/bin/python bench/loader.py [--shards 8] [--rows 65536] [--d-model 576] [--batch-size 4096]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import torch
from safetensors.torch import save_file

from saescope.harvest.dataset import ActivationDataset
from saescope.harvest.format import FORMAT_NAME, FORMAT_VERSION, MANIFEST, SHARD_DIR, acts_key, shard_stem
from saescope.lm.hookpoints import hookpoint_label
from saescope.train.loader import ActivationStream, LoaderConfig
from saescope.utils.atomic import sha256_file, write_json_atomic

HOOKPOINT = "layers.19"


def write_synthetic_dataset(root: Path, shards: int, rows: int, d_model: int, dtype: torch.dtype) -> None:
    """Shards holding random activations and record positions, and the manifest fields the reader uses."""
    label = hookpoint_label(HOOKPOINT)
    (root / SHARD_DIR).mkdir(parents=True, exist_ok=True)
    generator = torch.Generator().manual_seed(0)
    entries = []
    for seq in range(shards):
        path = root / SHARD_DIR / f"{shard_stem(0, seq)}.safetensors"
        tensors = {
            acts_key(label): torch.randn(rows, d_model, generator=generator).to(dtype),
            "record.conversation": torch.full((rows,), seq, dtype=torch.int64),
            "record.position": torch.arange(rows, dtype=torch.int32),
        }
        save_file(tensors, str(path), metadata={"format": FORMAT_NAME, "format_version": str(FORMAT_VERSION)})
        entries.append({"file": f"{SHARD_DIR}/{path.name}", "rank": 0, "seq": seq, "rows": rows,
                        "bytes": path.stat().st_size, "sha256": sha256_file(path), "conversations": 1,
                        "first_conversation": seq, "last_conversation": seq})
    write_json_atomic(root / MANIFEST, {
        "format": FORMAT_NAME, "format_version": FORMAT_VERSION,
        "hookpoints": [{"hookpoint": HOOKPOINT, "label": label}], "d_model": d_model,
        "activation_dtype": str(dtype).removeprefix("torch."), "world_size": 1,
        "counts": {"records": rows * shards, "conversations": shards}, "shards": entries,
    })


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
    args = parser.parse_args()
    cfg = LoaderConfig(batch_size=args.batch_size, epochs=args.epochs)  # the seed's other knobs as they are

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "acts"
        write_synthetic_dataset(root, args.shards, args.rows, args.d_model, torch.bfloat16)
        dataset = ActivationDataset.open(root)
        size = sum(e["bytes"] for e in dataset.shard_entries) / 2**20
        print(f"dataset: {args.shards} shards x {args.rows} rows x d {args.d_model} bf16 ({size:.0f} MiB), "
              f"batch {args.batch_size}, shuffle_buffer {cfg.shuffle_buffer}, prefetch {cfg.prefetch_shards}/"
              f"{cfg.decoded_prefetch_shards} shards, {cfg.cpu_prefetch_batches} batches, torch threads "
              f"{torch.get_num_threads()}")
        plain, shuffled = [], []
        for _ in range(args.repeats):  # interleaved, so both see the same machine state
            plain.append(records_per_second(
                batch for _ in range(args.epochs) for batch in sequential_batches(dataset, args.batch_size)))
            with ActivationStream(root, cfg) as stream:
                shuffled.append(records_per_second(iter(stream)))
        best_plain, best_shuffled = max(plain), max(shuffled)
        print(f"sequential read : {best_plain / 1e6:6.2f} M records/s (best of {args.repeats})")
        print(f"shuffled stream : {best_shuffled / 1e6:6.2f} M records/s (best of {args.repeats})")
        print(f"ratio           : {best_shuffled / best_plain:.2f}")


if __name__ == "__main__":
    main()
