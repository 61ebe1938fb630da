import gc
import json
import logging
import shutil
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
import torch

from saescope.config import load_config
from saescope.harvest.dataset import ActivationDataset, DatasetError
from saescope.harvest.run import harvest
from saescope.train.loader import (
    ActivationStream,
    LoaderConfig,
    batcher,
    chain,
    epoch_shard_order,
    merge_loader_states,
    sample_rows,
)

HOOKPOINT = "layers.2"
BATCH = 64


@pytest.fixture(scope="module")
def acts_dir(tiny_qwen3_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A harvested float32 dataset of several ~300-record shards."""
    from conftest import lmsys_row

    src = tmp_path_factory.mktemp("loader-src") / "c.jsonl"
    src.write_text("".join(json.dumps(lmsys_row(i)) + "\n" for i in range(40)))
    out = tmp_path_factory.mktemp("loader-h") / "acts"
    harvest(load_config(None, {
        "model.name": str(tiny_qwen3_dir), "model.dtype": "float32", "model.device": "cpu", "data.source": str(src),
        "data.max_tokens_per_conversation": 96, "harvest.out": str(out), "harvest.hookpoints": ["layers.1", HOOKPOINT],
        "harvest.shard_records": 300, "harvest.batch_tokens": 512, "harvest.dtype": "float32",
    }))
    return out


@pytest.fixture(scope="module")
def dataset(acts_dir: Path) -> ActivationDataset:
    ds = ActivationDataset.open(acts_dir)
    assert ds.num_shards >= 5
    return ds


def key(row: torch.Tensor) -> bytes:
    return row.numpy().tobytes()


@pytest.fixture(scope="module")
def where(dataset: ActivationDataset) -> dict[bytes, set[tuple[int, int]]]:
    """(shard, row) of each distinct row (identical activations recur: every conversation starts alike)."""
    table: dict[bytes, set[tuple[int, int]]] = {}
    for i in range(dataset.num_shards):
        for j, row in enumerate(dataset.shard_activations(i, HOOKPOINT)):
            table.setdefault(key(row), set()).add((i, j))
    return table


def shards_of(row: torch.Tensor, where: dict[bytes, set[tuple[int, int]]]) -> set[int]:
    return {shard for shard, _ in where[key(row)]}


@pytest.fixture(scope="module")
def all_rows(dataset: ActivationDataset) -> Counter:
    return Counter(key(row) for acts in dataset.iter_activations(HOOKPOINT) for row in acts)


def config(**overrides) -> LoaderConfig:
    knobs = {"hookpoint": HOOKPOINT, "batch_size": BATCH, "shuffle_buffer": 256, "prefetch_shards": 2,
             "decoded_prefetch_shards": 2, "cpu_prefetch_batches": 4, "seed": 7, "epochs": 2}
    return LoaderConfig(**(knobs | overrides))


def take(source, cfg: LoaderConfig, **kwargs) -> list[torch.Tensor]:
    with ActivationStream(source, cfg, **kwargs) as stream:
        return list(stream)


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return len(a) == len(b) and all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


def threads_left(before: set[threading.Thread], seconds: float = 5.0) -> list[threading.Thread]:
    """The threads started since `before` still alive after up to `seconds` (torchdata's idle workers look at
    their stop flag every 0.1 s, so one may take that long to end after close)."""
    deadline = time.monotonic() + seconds
    while (left := [t for t in threading.enumerate() if t not in before]) and time.monotonic() < deadline:
        time.sleep(0.02)
    return left


@pytest.fixture(scope="module")
def reference(acts_dir: Path) -> list[torch.Tensor]:
    return take(acts_dir, config())


def test_same_seed_same_batches_and_another_seed_others(acts_dir: Path, reference: list[torch.Tensor]):
    assert same(take(acts_dir, config()), reference)
    other = take(acts_dir, config(seed=8))
    assert len(other) == len(reference) and not torch.equal(other[0], reference[0])
    assert reference[0].dtype == torch.float32 and reference[0].shape == (BATCH, 64)


def test_every_record_once_per_epoch(dataset: ActivationDataset, reference: list[torch.Tensor], all_rows: Counter):
    per_epoch = dataset.num_records // BATCH
    assert len(reference) == 2 * per_epoch
    epochs = [reference[:per_epoch], reference[per_epoch:]]
    for batches in epochs:
        seen = Counter(key(row) for batch in batches for row in batch)
        assert sum(seen.values()) == per_epoch * BATCH
        assert not seen - all_rows  # never a row more often than the dataset holds it
    assert not torch.equal(epochs[0][0], epochs[1][0])  # each epoch has its own order


def test_batches_mix_shards_and_rows(reference: list[torch.Tensor], where: dict[bytes, set[tuple[int, int]]]):
    for batch in reference[:5]:
        assert len(set().union(*(shards_of(row, where) for row in batch))) >= 2
    # Within a shard, a batch takes rows from all over it, not a run of neighbours.
    located = [next(iter(where[key(row)])) for row in reference[0] if len(where[key(row)]) == 1]
    by_shard: dict[int, list[int]] = {}
    for shard, row in located:
        by_shard.setdefault(shard, []).append(row)
    rows = max(by_shard.values(), key=len)
    assert max(rows) - min(rows) + 1 > 2 * len(rows)


@pytest.mark.parametrize("consumed", [1, 10, "epoch", "epoch+3"])
def test_resume_continues_exactly(acts_dir: Path, dataset: ActivationDataset, reference: list[torch.Tensor],
                                  consumed):
    per_epoch = dataset.num_records // BATCH
    k = {"epoch": per_epoch, "epoch+3": per_epoch + 3}.get(consumed, consumed)
    with ActivationStream(acts_dir, config()) as stream:
        head = [batch for _, batch in zip(range(k), stream, strict=False)]
        state = stream.state_dict()
    assert same(head, reference[:k])
    assert same(take(acts_dir, config(), state=state), reference[k:])
    restored = ActivationStream(acts_dir, config(prefetch_shards=0, decoded_prefetch_shards=1))  # knobs may differ
    restored.load_state_dict(state)
    assert same(list(restored), reference[k:])


def test_thread_timing_never_changes_the_batches(acts_dir: Path, reference: list[torch.Tensor],
                                                 monkeypatch: pytest.MonkeyPatch):
    real_fetch, real_open = chain.fetch_shard, chain.open_rows

    def slow_fetch(files, i, verify):  # even shards come in last: the pool finishes them out of order
        time.sleep(0.03 if i % 2 == 0 else 0.0)
        return real_fetch(files, i, verify)

    def slow_open(path, *args):
        time.sleep(0.01 * (hash(path.name) % 3))
        return real_open(path, *args)

    monkeypatch.setattr(chain, "fetch_shard", slow_fetch)
    monkeypatch.setattr(chain, "open_rows", slow_open)
    assert same(take(acts_dir, config(prefetch_shards=3, decoded_prefetch_shards=1)), reference)


def torch_threads_of_a_new_thread() -> int:
    counts: list[int] = []
    thread = threading.Thread(target=lambda: counts.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    return counts[0]


def test_stream_leaves_torch_threads_alone(acts_dir: Path):
    # torch keeps one intra-op thread count per process, which a thread takes up at its first torch op: a stage
    # calling torch.set_num_threads(1) (as torchdata's ParallelMapper and PinMemory threads do) would have every
    # later thread, the gathers' too, run on one core.
    threads = torch_threads_of_a_new_thread()
    take(acts_dir, config(epochs=1))
    assert torch_threads_of_a_new_thread() == threads


def test_iterating_again_continues_where_it_stopped(acts_dir: Path, reference: list[torch.Tensor]):
    with ActivationStream(acts_dir, config()) as stream:
        first = [batch for _, batch in zip(range(3), stream, strict=False)]
        assert stream.position == (3, {0: (0, 3)})
        rest = list(stream)
    assert same(first + rest, reference)


@pytest.fixture(scope="module")
def reference2(acts_dir: Path) -> list[torch.Tensor]:
    """One process reading two streams."""
    return take(acts_dir, config(loader_streams=2))


def test_two_ranks_yield_one_process_batches_in_rank_order(acts_dir: Path, reference: list[torch.Tensor],
                                                            reference2: list[torch.Tensor], all_rows: Counter):
    ranks = [take(acts_dir, config(loader_streams=2), rank=r, world_size=2) for r in range(2)]
    assert all(len(batches) == len(reference2) and batches[0].shape == (BATCH // 2, 64) for batches in ranks)
    assert same([torch.cat(pair) for pair in zip(*ranks, strict=True)], reference2)
    assert same(take(acts_dir, config(), rank=1, world_size=2), ranks[1])  # streams=None: one per rank
    seen = Counter(key(row) for batch in reference2 for row in batch)  # two epochs: no row more than twice
    assert not seen - Counter({row: 2 * n for row, n in all_rows.items()})
    assert not torch.equal(reference2[0], reference[0])  # the number of streams is part of the sequence


def test_each_rank_reads_only_its_own_shards(dataset: ActivationDataset, monkeypatch: pytest.MonkeyPatch):
    held_out = tuple(dataset.held_out_shards(0.25))
    streamed = set(range(dataset.num_shards)) - set(held_out)
    real_fetch, real_keys = chain.fetch_shard, chain.shard_keys
    fetched: list[int] = []
    decoded: list[tuple[int, int]] = []

    def fetch(files, i, verify):
        fetched.append(i)
        return real_fetch(files, i, verify)

    def keys(seed, epoch, shard, *rest):
        decoded.append((epoch, shard))
        return real_keys(seed, epoch, shard, *rest)

    def dealt(epoch: int, rank: int) -> set[int]:  # the epoch's order without the held-out shards, dealt to 2
        return set([i for i in epoch_shard_order(7, epoch, dataset.num_shards) if i in streamed][rank::2])

    monkeypatch.setattr(chain, "fetch_shard", fetch)  # where the fetch and decode stages look them up
    monkeypatch.setattr(chain, "shard_keys", keys)
    read: list[dict[int, set[int]]] = []  # per rank: epoch -> shards decoded
    for rank in range(2):
        fetched.clear()
        decoded.clear()
        take(dataset, config(loader_streams=2), rank=rank, world_size=2, exclude_shards=held_out)
        by_epoch: dict[int, set[int]] = {}
        for epoch, shard in decoded:
            by_epoch.setdefault(epoch, set()).add(shard)
        read.append(by_epoch)
        assert set(by_epoch) == {0, 1}  # the epochs the cap needs: none read ahead past the end
        assert by_epoch[0] == dealt(0, rank) and by_epoch[1] <= dealt(1, rank)
        assert set(fetched) <= dealt(0, rank) | dealt(1, rank)
    for epoch in set(read[0]) & set(read[1]):  # disjoint in every epoch, together every streamed shard
        assert not read[0][epoch] & read[1][epoch]
    assert read[0][0] | read[1][0] == streamed


def test_state_moves_between_world_sizes(acts_dir: Path):
    # 9 shards: stream 0 gets 5 of them each epoch, stream 1 gets 4 and runs shorter epochs.
    cfg, exclude = config(loader_streams=2), (0,)
    reference2 = take(acts_dir, cfg, exclude_shards=exclude)
    with ActivationStream(acts_dir, cfg, exclude_shards=exclude) as stream:
        k = stream.batches_per_epoch + 1
        assert len(reference2) == stream._layout.limit < 2 * max(stream._layout.first_epoch_batches)
    half = BATCH // 2
    # Two ranks save, one process resumes (streams=None takes the state's two streams).
    states = []
    for rank in range(2):
        with ActivationStream(acts_dir, cfg, rank=rank, world_size=2, exclude_shards=exclude) as stream:
            head = [batch for _, batch in zip(range(k), stream, strict=False)]
            states.append(stream.state_dict())
        assert same(head, [batch[rank * half: (rank + 1) * half] for batch in reference2[:k]])
    assert states[0]["streams"] == {"0": [0, k]} and states[1]["streams"] == {"1": [1, 1]}  # different epochs
    merged = merge_loader_states(states[::-1])
    assert list(merged["streams"]) == ["0", "1"] and merged["batches"] == k
    assert same(take(acts_dir, cfg, state=merged, exclude_shards=exclude), reference2[k:])
    assert same(take(acts_dir, config(), state=merged, exclude_shards=exclude), reference2[k:])
    with pytest.raises(ValueError, match="merge every rank"):  # a rank's state alone lacks the other stream
        ActivationStream(acts_dir, cfg, state=states[1], exclude_shards=exclude)
    # One process saves, two ranks resume.
    with ActivationStream(acts_dir, cfg, exclude_shards=exclude) as stream:
        head = [batch for _, batch in zip(range(k), stream, strict=False)]
        state = stream.state_dict()
        assert stream.position == (k, {0: (0, k), 1: (1, 1)})
    assert same(head, reference2[:k]) and merge_loader_states([state]) == state == merged
    halves = []
    for rank in range(2):
        resumed = ActivationStream(acts_dir, config(), rank=rank, world_size=2, exclude_shards=exclude)
        resumed.load_state_dict(state)
        halves.append(list(resumed))
    assert same([torch.cat(pair) for pair in zip(*halves, strict=True)], reference2[k:])


def test_streams_must_fit_the_world_the_batch_and_the_shards(acts_dir: Path, dataset: ActivationDataset):
    with pytest.raises(ValueError, match="world_size 3 does not divide the 2 loader streams"):
        ActivationStream(acts_dir, config(loader_streams=2), rank=0, world_size=3)
    with pytest.raises(ValueError, match="batch_size 64 is not divisible by the 3 loader streams"):
        ActivationStream(acts_dir, config(loader_streams=3))
    with pytest.raises(ValueError, match=f"{dataset.num_shards} shards to stream, fewer than the 64 streams; use "
                                         f"fewer ranks/streams or smaller shards"):
        ActivationStream(acts_dir, config(loader_streams=64))
    with ActivationStream(acts_dir, config()) as stream:
        one_stream = stream.state_dict()
    with pytest.raises(ValueError, match="world_size 2 does not divide the 1 loader streams"):
        ActivationStream(acts_dir, config(), rank=0, world_size=2, state=one_stream)
    with pytest.raises(ValueError, match="num_streams: state 1, stream 2"):
        ActivationStream(acts_dir, config(loader_streams=2), state=one_stream)
    with ActivationStream(acts_dir, config(loader_streams=2), rank=1, world_size=2) as stream:
        next(iter(stream))
        ahead = stream.state_dict()
    with ActivationStream(acts_dir, config(loader_streams=2), rank=0, world_size=2) as stream:
        behind = stream.state_dict()
    with pytest.raises(ValueError, match="different global batches"):
        merge_loader_states([behind, ahead])
    with pytest.raises(ValueError, match="not all of the 2 streams"):
        merge_loader_states([behind])


def test_state_of_another_stream_is_refused(acts_dir: Path):
    with ActivationStream(acts_dir, config()) as stream:
        state = stream.state_dict()
    with pytest.raises(ValueError, match="seed"):
        ActivationStream(acts_dir, config(seed=1), state=state)
    with pytest.raises(ValueError, match="divisible"):
        ActivationStream(acts_dir, config(), world_size=3)
    with pytest.raises(ValueError, match="exceeds"):
        ActivationStream(acts_dir, config(batch_size=10**7))


def broken_copy(acts_dir: Path, tmp_path: Path, shard: int, damage) -> tuple[Path, str]:
    copy = tmp_path / "acts"
    shutil.copytree(acts_dir, copy)
    entry = ActivationDataset.open(copy).shard_entries[shard]
    damage(copy / entry["file"])
    return copy, entry["file"]


def truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def test_truncated_shard_stops_with_its_name(acts_dir: Path, tmp_path: Path):
    copy, name = broken_copy(acts_dir, tmp_path, 2, truncate)
    with pytest.raises(DatasetError, match=Path(name).name):
        take(copy, config())


def test_flipped_byte_is_caught_by_verification(acts_dir: Path, tmp_path: Path):
    copy, name = broken_copy(acts_dir, tmp_path, 1, flip_byte)
    with pytest.raises(DatasetError, match=f"{Path(name).name} is corrupt: sha256"):
        take(copy, config(verify_shards=True))


def test_skip_corrupt_skips_counts_and_resumes(acts_dir: Path, tmp_path: Path, dataset: ActivationDataset,
                                               where: dict[bytes, set[tuple[int, int]]],
                                               caplog: pytest.LogCaptureFixture):
    copy, name = broken_copy(acts_dir, tmp_path, 3, truncate)
    cfg = config(skip_corrupt_shards=True, epochs=1)
    with caplog.at_level(logging.WARNING, logger="saescope.train.loader"), ActivationStream(copy, cfg) as stream:
        batches = list(stream)
        assert stream.skipped_shards == [name]
        # The cap comes from the manifest: the shorter epoch 0 is followed by enough of epoch 1 to reach it.
        good = dataset.num_records - dataset.shard_entries[3]["rows"]
        assert len(batches) == dataset.num_records // BATCH > good // BATCH
        assert stream.position == (len(batches), {0: (1, len(batches) - good // BATCH)})
    assert [r.getMessage().split(':')[0] for r in caplog.records] == [f"skipping corrupt shard {name}"]
    assert all(shards_of(row, where) != {3} for batch in batches for row in batch)
    for k in (4, len(batches) - 1):  # the state lists the skipped shard once the batcher has met it
        with ActivationStream(copy, cfg) as stream:
            head = [batch for _, batch in zip(range(k), stream, strict=False)]
            state = stream.state_dict()
        assert state["skipped_shards"] in ([], [name]) and same(head, batches[:k])
        assert same(take(copy, cfg, state=state), batches[k:])
    with ActivationStream(copy, cfg) as stream:
        list(stream)
        assert stream.state_dict()["skipped_shards"] == [name]


def test_background_error_reaches_the_consumer_and_threads_stop(acts_dir: Path, monkeypatch: pytest.MonkeyPatch):
    real, calls = chain.open_rows, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom in the decoder")
        return real(*args, **kwargs)

    monkeypatch.setattr(chain, "open_rows", failing)
    for cfg in (config(), config(loader_streams=2)):
        calls.clear()
        before = set(threading.enumerate())
        stream = ActivationStream(acts_dir, cfg)
        with pytest.raises(RuntimeError, match=r"^boom in the decoder$"):  # the error itself, not a wrapper's
            list(stream)
        assert not threads_left(before)


def test_close_or_garbage_stops_an_endless_stream(acts_dir: Path):
    before = set(threading.enumerate())
    stream = ActivationStream(acts_dir, config(epochs=None))
    iterator = iter(stream)
    for _ in range(3 * (stream.batches_per_epoch + 1)):  # past several epoch boundaries
        next(iterator)
    assert stream.position.streams[0][0] == 3
    assert len(threading.enumerate()) > len(before)
    stream.close()
    assert not threads_left(before)

    stream = ActivationStream(acts_dir, config(epochs=None, loader_streams=2))
    iterator = iter(stream)
    next(iterator)
    pipelines = stream._slot.pipelines
    assert pipelines and len(pipelines) == 2
    del stream, iterator, pipelines
    gc.collect()
    assert not threads_left(before)


def test_memory_stays_within_the_window(acts_dir: Path, dataset: ActivationDataset, monkeypatch: pytest.MonkeyPatch):
    held: list[int] = []
    real_add, real_release = batcher.LiveShards.add, batcher.LiveShards.release

    def add(self, start: int, acts: torch.Tensor) -> None:
        real_add(self, start, acts)
        held.append(sum(len(shard) for shard in self._shards))

    def release(self, live_start: int) -> None:
        real_release(self, live_start)
        held.append(sum(len(shard) for shard in self._shards))

    monkeypatch.setattr(batcher.LiveShards, "add", add)
    monkeypatch.setattr(batcher.LiveShards, "release", release)
    largest = max(e["rows"] for e in dataset.shard_entries)
    for window in (0, 64, 256):
        held.clear()
        take(acts_dir, config(shuffle_buffer=window))
        assert 0 < max(held) < 2 * window + BATCH + 2 * largest


def test_sample_rows(acts_dir: Path, dataset: ActivationDataset):
    rows = sample_rows(acts_dir, HOOKPOINT, 100, seed=3)
    assert rows.shape == (100, 64) and torch.equal(rows, sample_rows(dataset, HOOKPOINT, 100, seed=3))
    assert len(sample_rows(acts_dir, HOOKPOINT, 10**9)) == dataset.num_records


def test_hub_source_downloads_manifest_then_shards(acts_dir: Path, tmp_path: Path, reference: list[torch.Tensor],
                                                   monkeypatch: pytest.MonkeyPatch):
    import huggingface_hub

    snapshot = tmp_path / "hub" / "snapshots" / ("c0ffee" * 6 + "c0ff")
    downloads = []

    def fake_download(repo_id: str, filename: str, repo_type: str, revision: str | None) -> str:
        assert (repo_id, repo_type) == ("someone/acts", "dataset")
        downloads.append((filename, revision))
        target = snapshot / filename
        # Like the real hub cache: a file already there is reused, a new one appears whole (temp + rename),
        # so a shard fetched again for the next epoch never truncates the copy being read.
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            partial = target.with_name(f".{target.name}.{threading.get_ident()}.partial")
            shutil.copy(acts_dir / filename, partial)
            partial.replace(target)
        return str(target)

    monkeypatch.setattr(huggingface_hub, "hf_hub_download", fake_download)
    assert same(take("hf://datasets/someone/acts@main", config()), reference)
    assert downloads[0] == ("manifest.json", "main")
    assert all(revision == snapshot.name for _, revision in downloads[1:])  # pinned to the manifest's commit
    with pytest.raises(ValueError, match="owner"):
        ActivationStream("hf://datasets/no-owner", config())


def test_held_out_shards_are_never_streamed(dataset: ActivationDataset, where):
    held_out = tuple(dataset.held_out_shards(0.25))
    assert held_out and held_out[-1] == dataset.num_shards - 1
    cfg = config(epochs=1)
    with ActivationStream(dataset, cfg, exclude_shards=held_out) as stream:
        batches = list(stream)
        assert stream.num_records == dataset.num_records - sum(dataset.shard_entries[i]["rows"] for i in held_out)
        assert len(batches) == stream.batches_per_epoch
    only_held_out = [row for b in batches for row in b if shards_of(row, where) <= set(held_out)]
    assert not only_held_out
