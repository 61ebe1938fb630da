"""Which device a process computes on: one GPU per process under torchrun, whatever CUDA_VISIBLE_DEVICES shows."""

from __future__ import annotations

import os

import torch

from saescope.errors import SaescopeError


class DeviceError(SaescopeError, RuntimeError):
    """A device setting this machine or this process cannot honour."""


def local_rank() -> int:
    """This process's rank on its node (torchrun's LOCAL_RANK; 0 in a plain run)."""
    return int(os.environ.get("LOCAL_RANK", 0))


def resolve_device(spec: str, rank_on_node: int | None = None) -> torch.device:
    """'auto': this process's GPU when CUDA is available, else the CPU. 'cuda' (no index): this process's GPU.
    'cpu' and 'cuda:N' as given.

    This process's GPU is the local rank's; where each process sees exactly one GPU (torchrun launched with
    CUDA_VISIBLE_DEVICES per rank, or a scheduler binding one GPU per task) it is that one, cuda:0, since the
    local rank is then no valid ordinal for ranks above 0.
    """
    rank = local_rank() if rank_on_node is None else rank_on_node
    if spec == "auto" and not torch.cuda.is_available():
        return torch.device("cpu")
    if spec not in ("auto", "cuda"):
        device = torch.device(spec)
        if device.type == "cuda" and not torch.cuda.is_available():
            raise DeviceError(f"device '{spec}' asked for, but this torch sees no CUDA device (torch "
                              f"{torch.__version__}, CUDA build {torch.version.cuda}); use 'cpu' or 'auto'")
        return device
    if not torch.cuda.is_available():
        raise DeviceError(f"device 'cuda' asked for, but this torch sees no CUDA device (torch {torch.__version__}, "
                          f"CUDA build {torch.version.cuda}); use 'cpu' or 'auto'")
    count = torch.cuda.device_count()
    if count == 1:
        return torch.device("cuda:0")
    if rank >= count:
        raise DeviceError(f"local rank {rank} but only {count} GPUs are visible: run at most {count} processes per "
                          "node, or give each process one GPU with CUDA_VISIBLE_DEVICES")
    return torch.device(f"cuda:{rank}")
