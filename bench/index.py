"""Reverse-index throughput and memory: records/s of a whole index build against encoding the same records alone,
side by side, and the build's peak RSS at two dataset sizes.

Encoding is the floor: every record must go through the SAE. The index adds the per-feature statistics, the top
examples (one per conversation), the resumable progress file and the parquet tables; a ratio near 1 means that
bookkeeping is cheap next to the encoder. Token text is not decoded (`decode_tokens` off) so the tokenizer's load
time stays out of it. Each measurement runs in a fresh process, so each peak RSS is that build's own.

    .venv/bin/python bench/index.py                        # the demo's activations and SAE (`make demo`)
    .venv/bin/python bench/index.py --synthetic            # d_sae 65,536, k 64, 250k and 1M records

`--synthetic` writes random activations in the harvest format (bench/synthetic.py) and indexes them with a
freshly initialised SAE of the reference release's d_sae and k. The bookkeeping scales with d_sae, k and the
records; the encoder also with d_in. The default `--d-in 256` keeps a 1M-record run within minutes on a CPU and
is the stricter test of the ratio (a cheaper encoder leaves the bookkeeping a larger share); `--d-in 4096` is
the reference row itself.
"""

from __future__ import annotations

import argparse
import multiprocessing
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import torch

from saescope.config import load_config
from saescope.harvest.dataset import ActivationDataset
from saescope.index.build import PartInputs, build_part, encode_sparse, pre_activation_buffer, shard_batches
from saescope.index.run import SETTINGS, index_head
from saescope.release.select import load_sae_or_run
from saescope.sae.model import TopKSae

sys.path.insert(0, str(Path(__file__).parent))
from synthetic import HOOKPOINT, write_synthetic_dataset

ACTIVATIONS, RUN = Path("runs/demo/activations"), Path("runs/demo/train")


def encode_only(sae: TopKSae, dataset: ActivationDataset, label: str, shards: list[int], batch_size: int) -> None:
    pre_buffer = pre_activation_buffer(sae, batch_size, torch.device("cpu"))
    for shard in shards:
        for _, acts in shard_batches(dataset, shard, label, batch_size):
            encode_sparse(sae, acts.float(), pre_buffer)


def index_build(sae: TopKSae, dataset: ActivationDataset, label: str, shards: list[int], batch_size: int) -> None:
    """The build as `saescope index` runs it with the default index settings (every table; the decoder's
    neighbour and logit-lens tables, a cost per SAE rather than per record, left out)."""
    overrides = {"index.batch_size": batch_size, "index.decode_tokens": False, "index.neighbours": 0,
                 "index.logit_lens": 0}
    head = index_head(load_config(None, overrides), Path("bench"), sae, dataset, dataset.hookpoints[0])
    settings = {key: head[key] for key in SETTINGS} | {"shards": shards}
    inputs = PartInputs(sae, dataset, label, settings, head, None, {}, torch.device("cpu"))
    with tempfile.TemporaryDirectory() as tmp:
        build_part(Path(tmp) / "index", inputs, shards, save_every=1, show_progress=False)


def measure(job: str, sae_source: str | tuple[int, int, int], root: str, shards: list[int], batch_size: int
            ) -> tuple[float, float]:
    """(seconds, peak RSS in GiB) of one job, run in this (fresh) process."""
    dataset = ActivationDataset.open(root)
    if isinstance(sae_source, tuple):
        torch.manual_seed(0)
        sae = TopKSae(*sae_source)
        label = dataset.label_of(HOOKPOINT)
    else:
        _, sae, metadata = load_sae_or_run(sae_source)
        label = dataset.label_of(metadata["model"]["hookpoint"])
    started = time.perf_counter()
    (encode_only if job == "encode" else index_build)(sae, dataset, label, shards, batch_size)
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def in_child(*args: object) -> tuple[float, float]:
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(measure, *args).result()


def compare(sae_source: str | tuple[int, int, int], dataset: ActivationDataset, shards: list[int], batch_size: int,
            repeats: int) -> tuple[float, float]:
    """Best records/s of encoding alone and of the build over `shards`, interleaved so both see the same machine
    state; prints both and their ratio; returns the build's peak RSS (GiB) and records/s."""
    records = sum(dataset.shard_entries[s]["rows"] for s in shards)
    runs = {"encode": [], "index": []}
    for _ in range(repeats):
        for job in runs:
            runs[job].append(in_child(job, sae_source, str(dataset.root), shards, batch_size))
    encode, index = (min(t for t, _ in runs[job]) for job in ("encode", "index"))
    rss = {job: max(r for _, r in runs[job]) for job in runs}
    print(f"{records:>10,} records: encode only {records / encode:>8,.0f} rec/s, index build {records / index:>8,.0f} "
          f"rec/s, ratio {encode / index:.2f} (target 0.8); peak RSS encode {rss['encode']:.2f} GiB, "
          f"index {rss['index']:.2f} GiB")
    return rss["index"], records / index


def synthetic(args: argparse.Namespace) -> int:
    rows = args.shard_records
    sizes = sorted({max(1, n // rows) for n in args.records})
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "acts"
        write_synthetic_dataset(root, max(sizes), rows, args.d_in)
        dataset = ActivationDataset.open(root)
        shape = (args.d_in, args.d_sae, args.k)
        print(f"synthetic: SAE {args.d_in} x {args.d_sae:,}, k {args.k}; shards of {rows:,} records (conversations "
              f"of 512 tokens), d {args.d_in} bf16, batch {args.batch_size}, torch threads {torch.get_num_threads()}")
        peaks = [compare(shape, dataset, list(range(n)), args.batch_size, args.repeats)[0] for n in sizes]
    if len(peaks) > 1:
        print(f"peak RSS, largest / smallest dataset: {peaks[-1] / peaks[0]:.3f} (target within 1.10)")
    return 0


def demo(args: argparse.Namespace) -> int:
    if not (ACTIVATIONS / "manifest.json").is_file() or not (RUN / "checkpoints").is_dir():
        print(f"{ACTIVATIONS} or {RUN} not found: run `make demo` first", file=sys.stderr)
        return 1
    dataset = ActivationDataset.open(ACTIVATIONS)
    source, sae, _ = load_sae_or_run(RUN)
    print(f"{source}: d_sae {sae.d_sae}, k {sae.k}; {dataset.num_records:,} records in {dataset.num_shards} shards, "
          f"batch {args.batch_size}, torch threads {torch.get_num_threads()}")
    compare(str(RUN), dataset, list(range(dataset.num_shards)), args.batch_size, args.repeats)
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=4096)
    parser.add_argument("--synthetic", action="store_true", help="random activations at the reference d_sae and k")
    parser.add_argument("--d-in", type=int, default=256)
    parser.add_argument("--d-sae", type=int, default=65_536)
    parser.add_argument("--k", type=int, default=64)
    parser.add_argument("--records", type=int, nargs="+", default=[262_144, 1_048_576])
    parser.add_argument("--shard-records", type=int, default=65_536)
    args = parser.parse_args()
    return synthetic(args) if args.synthetic else demo(args)


if __name__ == "__main__":
    sys.exit(main())
