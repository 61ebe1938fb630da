"""Writers of the weight formats of a release: safetensors, .pt and raw tensor files (ONNX: `onnx_graph`).

Their readers are in `saescope.release.formats`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file

from saescope.release.formats import RAW_DTYPE
from saescope.release.layout import HEADER_KEY, raw_tensors


def write_safetensors(state: dict[str, torch.Tensor], metadata: dict[str, Any], path: Path) -> None:
    # One header key: safetensors orders several keys at random, which would make the bytes differ per export.
    save_file(state, str(path), metadata={HEADER_KEY: json.dumps(metadata)})


def write_pt(state: dict[str, torch.Tensor], metadata: dict[str, Any], path: Path) -> None:
    # Tensors plus JSON-able Python values only, so `torch.load(..., weights_only=True)` accepts it.
    torch.save({"state_dict": state, "metadata": metadata}, path)


def write_raw(state: dict[str, torch.Tensor], folder: Path, architecture: str = "topk") -> list[str]:
    """W_enc, W_dec, b_enc, b_dec (and BatchTopK's 4-byte `threshold`) as little-endian float32, C order."""
    names = raw_tensors(architecture)
    for name in names:
        np.ascontiguousarray(state[name].numpy(), dtype=RAW_DTYPE).tofile(folder / name)
    return list(names)
