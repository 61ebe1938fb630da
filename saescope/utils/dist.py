"""torch.distributed helpers: every stage runs unchanged under `torchrun` or as a single process."""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
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


def init_distributed(device: torch.device | None = None) -> DistInfo:
    """Join the process group torchrun describes in the environment; a plain run is rank 0 of 1."""
    if "RANK" not in os.environ or "WORLD_SIZE" not in os.environ:
        return DistInfo(rank=0, world_size=1, local_rank=0)
    if not dist.is_initialized():
        backend = "nccl" if device is not None and device.type == "cuda" else "gloo"
        dist.init_process_group(backend=backend)
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
