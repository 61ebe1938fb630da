"""The dtype a requested precision really computes in on a device.

bfloat16 is asked for because it is faster (the Qwen3-8B l36 recipe: bf16 autocast and a bf16 model). That holds on
CUDA GPUs from Ampere on and on CPUs with AVX512-BF16 or AMX. Elsewhere bf16 matmuls are emulated: on an AVX2
CPU a bf16 GEMM runs at ~1 GFLOP/s against ~100 for fp32, so `make demo` would take hours instead of minutes.
There a bf16 request computes in float32 (same or better accuracy), says so once, and outputs record what ran.
SAESCOPE_BF16=force keeps bf16 anyway (to reproduce bf16 numerics on such a machine).
"""

from __future__ import annotations

import logging
import os

import torch

log = logging.getLogger(__name__)

FORCE_ENV = "SAESCOPE_BF16"
_warned: set[str] = set()


def has_native_bf16(device: torch.device) -> bool:
    """Whether bf16 matmuls run natively (not emulated) on this device."""
    if device.type == "cuda":
        with torch.cuda.device(device):  # the stage's GPU, not whichever is current (cuda:0 by default)
            return torch.cuda.is_bf16_supported(including_emulation=False)
    if device.type == "cpu":
        return torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported()
    return True  # other backends: trust the request


def compute_dtype(requested: str, device: torch.device) -> torch.dtype:
    """`requested` ("bfloat16" or "float32") as it will run on `device`: float32 in place of an emulated bf16."""
    dtype = getattr(torch, requested)
    if dtype != torch.bfloat16 or has_native_bf16(device) or os.environ.get(FORCE_ENV) == "force":
        return dtype
    if device.type not in _warned:
        _warned.add(device.type)
        log.warning("bfloat16 requested, but this %s has no native bf16 matmul (it would be ~10-100x slower than "
                    "float32): computing in float32. Set %s=force to keep bf16.", device.type, FORCE_ENV)
    return torch.float32


def dtype_name(dtype: torch.dtype) -> str:
    """A dtype as configs and outputs spell it ("bfloat16", "float32")."""
    return str(dtype).removeprefix("torch.")
