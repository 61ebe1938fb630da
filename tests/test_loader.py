import gc
import json
import logging
import shutil
import threading
from collections import Counter
from pathlib import Path

import pytest
import torch

import saescope.train.loader as loader_module
from saescope.config import load_config
from saescope.harvest.dataset import ActivationDataset, DatasetError
from saescope.harvest.run import harvest
from saescope.train.loader import ActivationStream, LoaderConfig, sample_rows

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


def test_iterating_again_continues_where_it_stopped(acts_dir: Path, reference: list[torch.Tensor]):
    with ActivationStream(acts_dir, config()) as stream:
        first = [batch for _, batch in zip(range(3), stream, strict=False)]
        assert stream.position == (0, 3)
        rest = list(stream)
    assert same(first + rest, reference)


def test_ranks_split_each_global_batch(acts_dir: Path, reference: list[torch.Tensor]):
    halves = [take(acts_dir, config(), rank=r, world_size=2) for r in range(2)]
    assert all(len(h) == len(reference) and h[0].shape == (BATCH // 2, 64) for h in halves)
    for pair, batch in zip(zip(*halves, strict=True), reference, strict=True):  # the same rows, in rank order
        assert Counter(key(row) for half in pair for row in half) == Counter(key(row) for row in batch)
    # A state saved by one world size resumes in another: the global sequence is the same.
    with ActivationStream(acts_dir, config(), rank=1, world_size=2) as stream:
        next(iter(stream))
        state = stream.state_dict()
    assert same(take(acts_dir, config(), state=state), reference[1:])


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
    cfg = config(skip_corrupt=True, epochs=1)
    with caplog.at_level(logging.WARNING, logger=loader_module.__name__), ActivationStream(copy, cfg) as stream:
        batches = list(stream)
        assert stream.skipped_shards == [name]
    assert name in caplog.text
    assert all(shards_of(row, where) != {3} for batch in batches for row in batch)
    good = dataset.num_records - dataset.shard_entries[3]["rows"]
    assert len(batches) == good // BATCH
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
    real, calls = loader_module.open_rows, []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom in the decoder")
        return real(*args, **kwargs)

    monkeypatch.setattr(loader_module, "open_rows", failing)
    stream = ActivationStream(acts_dir, config())
    iterator = iter(stream)
    pipeline = stream._slot.pipeline
    with pytest.raises(RuntimeError, match="boom in the decoder"):
        list(iterator)
    assert pipeline is not None and not any(t.is_alive() for t in pipeline.threads)


def test_close_or_garbage_stops_an_endless_stream(acts_dir: Path):
    stream = ActivationStream(acts_dir, config(epochs=None))
    iterator = iter(stream)
    pipeline = stream._slot.pipeline
    for _ in range(3 * (stream.batches_per_epoch + 1)):  # past several epoch boundaries
        next(iterator)
    assert stream.position[0] == 3
    stream.close()
    assert pipeline is not None and not any(t.is_alive() for t in pipeline.threads)

    stream = ActivationStream(acts_dir, config(epochs=None))
    iterator = iter(stream)
    next(iterator)
    pipeline = stream._slot.pipeline
    del stream, iterator
    gc.collect()
    assert pipeline is not None and not any(t.is_alive() for t in pipeline.threads)


def test_memory_stays_within_the_window(acts_dir: Path, dataset: ActivationDataset, monkeypatch: pytest.MonkeyPatch):
    held: list[int] = []
    real_add, real_release = loader_module.LiveShards.add, loader_module.LiveShards.release

    def add(self, start: int, acts: torch.Tensor) -> None:
        real_add(self, start, acts)
        held.append(sum(len(shard) for shard in self._shards))

    def release(self, live_start: int) -> None:
        real_release(self, live_start)
        held.append(sum(len(shard) for shard in self._shards))

    monkeypatch.setattr(loader_module.LiveShards, "add", add)
    monkeypatch.setattr(loader_module.LiveShards, "release", release)
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
