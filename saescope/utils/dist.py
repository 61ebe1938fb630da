"""torch.distributed helpers: every stage runs unchanged under `torchrun` or as a single process."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import torch
import torch.distributed as dist


@dataclass(frozen=True)
class DistInfo:
    rank: int
    world_size: int
    local_rank: int

    @property
    def is_main(self) -> bool:
        return self.rank == 0


# Rank 0 alone writes manifests, merges index parts and exports checkpoints (ONNX at 2 GB) between two barriers:
# NCCL's default 10 minutes can pass there on a large run, so the other ranks wait longer before giving up.
TIMEOUT_ENV = "SAESCOPE_DIST_TIMEOUT_MINUTES"
DEFAULT_TIMEOUT_MINUTES = 120


def init_distributed(device: torch.device | None = None) -> DistInfo:
    """Join the process group torchrun describes in the environment; a plain run is rank 0 of 1.

    On CUDA the process's GPU becomes its current device and NCCL is bound to it (`device_id`), so collectives
    and default-device calls never land on cuda:0 by accident. The collective timeout is
    SAESCOPE_DIST_TIMEOUT_MINUTES (default 120).
    """
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return DistInfo(rank=0, world_size=1, local_rank=0)
    if not dist.is_initialized():
        timeout = timedelta(minutes=float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT_MINUTES)))
        if device is not None and device.type == "cuda":
            torch.cuda.set_device(device)
            dist.init_process_group(backend="nccl", device_id=device, timeout=timeout)
        else:
            dist.init_process_group(backend="gloo", timeout=timeout)
    return DistInfo(
        rank=dist.get_rank(),
        world_size=dist.get_world_size(),
        local_rank=int(os.environ.get("LOCAL_RANK", 0)),
    )


def barrier() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.barrier()


def all_gather_object(obj: Any, device: torch.device | None = None) -> list[Any]:
    """Every rank's `obj` (picklable), in rank order; `[obj]` in a plain run. A collective: every rank must call
    it. `device`: this rank's device, which NCCL moves the pickled bytes through."""
    if not (dist.is_available() and dist.is_initialized()):
        return [obj]
    gathered: list[Any] = [None] * dist.get_world_size()
    with torch.cuda.device(device) if device is not None and device.type == "cuda" else contextlib.nullcontext():
        dist.all_gather_object(gathered, obj)
    return gathered


def destroy() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
