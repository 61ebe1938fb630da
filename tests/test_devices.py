"""Which GPU a process takes, how the process group is joined, and that an out-of-memory error is never hidden."""

from __future__ import annotations

from typing import Any

import pytest
import torch

from saescope.sae import kernels
from saescope.utils import devices, dist
from saescope.utils.devices import DeviceError, resolve_device


def fake_cuda(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: count > 0)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: count)


@pytest.mark.parametrize("spec", ["auto", "cuda"])
def test_each_rank_takes_its_own_gpu(spec: str, monkeypatch: pytest.MonkeyPatch):
    fake_cuda(monkeypatch, 4)
    for rank in range(4):
        monkeypatch.setenv("LOCAL_RANK", str(rank))
        assert resolve_device(spec) == torch.device(f"cuda:{rank}")  # not every rank on cuda:0


def test_one_visible_gpu_per_process_is_cuda_0_for_every_rank(monkeypatch: pytest.MonkeyPatch):
    # CUDA_VISIBLE_DEVICES per rank: rank 3 sees one GPU, and cuda:3 would be an invalid ordinal.
    fake_cuda(monkeypatch, 1)
    monkeypatch.setenv("LOCAL_RANK", "3")
    assert resolve_device("auto") == torch.device("cuda:0")


def test_more_ranks_than_gpus_and_cuda_without_gpus_are_clear_errors(monkeypatch: pytest.MonkeyPatch):
    fake_cuda(monkeypatch, 2)
    monkeypatch.setenv("LOCAL_RANK", "2")
    with pytest.raises(DeviceError, match="local rank 2 but only 2 GPUs"):
        resolve_device("cuda")
    fake_cuda(monkeypatch, 0)
    assert resolve_device("auto") == torch.device("cpu")
    for spec in ("cuda", "cuda:1"):
        with pytest.raises(DeviceError, match="sees no CUDA device"):
            resolve_device(spec)
    assert resolve_device("cpu") == torch.device("cpu")
    assert devices.local_rank() == 2


def test_process_group_is_bound_to_the_device_with_a_long_timeout(monkeypatch: pytest.MonkeyPatch):
    calls: list[dict[str, Any]] = []
    monkeypatch.setenv("RANK", "0")
    monkeypatch.setenv("WORLD_SIZE", "1")
    monkeypatch.setattr(dist.dist, "is_initialized", lambda: bool(calls))
    monkeypatch.setattr(dist.dist, "init_process_group", lambda **kw: calls.append(kw))
    monkeypatch.setattr(dist.dist, "get_rank", lambda: 0)
    monkeypatch.setattr(dist.dist, "get_world_size", lambda: 1)
    current: list[torch.device] = []
    monkeypatch.setattr(torch.cuda, "set_device", current.append)
    dist.init_distributed(torch.device("cuda:1"))
    assert calls[-1]["backend"] == "nccl" and calls[-1]["device_id"] == torch.device("cuda:1")
    assert current == [torch.device("cuda:1")]  # default-device CUDA calls land on this rank's GPU
    assert calls[-1]["timeout"].total_seconds() == dist.DEFAULT_TIMEOUT_MINUTES * 60
    calls.clear()
    monkeypatch.setenv(dist.TIMEOUT_ENV, "5")
    dist.init_distributed(torch.device("cpu"))
    assert calls[-1]["backend"] == "gloo" and calls[-1]["timeout"].total_seconds() == 300


def test_out_of_memory_in_the_sparse_backward_is_raised_not_retried(monkeypatch: pytest.MonkeyPatch):
    def out_of_memory(*args: Any) -> torch.Tensor:
        raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 8.00 GiB")

    retried: list[bool] = []
    monkeypatch.setattr(torch.ops.aten, "_embedding_bag_per_sample_weights_backward", out_of_memory)
    monkeypatch.setattr(kernels, "_entry_dots_public", lambda *a: retried.append(True))
    indices, weights = torch.tensor([[0, 1]]), torch.ones(1, 2)
    groups = kernels._group_by_row(indices.flatten(), kernels._bag_ids(1, 2, indices.device), weights.flatten(), 4)
    with pytest.raises(torch.OutOfMemoryError):
        kernels._entry_dots(torch.ones(1, 3), torch.ones(4, 3), groups)
    assert not retried
