"""Readers of the weight formats of a release: safetensors, .pt, raw tensor files and ONNX.

Every reader returns the float32 tensors of the architecture's `state_keys` (`STATE_DICT_KEYS`, plus
`threshold` for BatchTopK) and raises ReleaseError naming the file
it could not use. Nothing here unpickles: .pt files are read with `weights_only=True`; onnx is imported only
when an ONNX file is read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from saescope.release.checkpoint import read_state
from saescope.release.errors import ReleaseError
from saescope.release.layout import ONNX, PT, SAFETENSORS, architecture_of, raw_tensors
from saescope.sae.batchtopk import state_keys
from saescope.sae.model import STATE_DICT_KEYS

RAW_DTYPE = np.dtype("<f4")  # little-endian float32 whatever the machine's byte order


def require(path: Path) -> Path:
    if not path.is_file():
        raise ReleaseError(f"{path}: missing")
    return path


def checked_state(state: dict[str, Any], source: Path, keys: tuple[str, ...] = STATE_DICT_KEYS
                  ) -> dict[str, torch.Tensor]:
    missing = [key for key in keys if key not in state]
    if missing:
        raise ReleaseError(f"{source}: lacks tensors {missing}; expected {list(keys)}")
    return {key: torch.as_tensor(state[key]).float().contiguous() for key in keys}


def read_safetensors(folder: Path, keys: tuple[str, ...] = STATE_DICT_KEYS) -> dict[str, torch.Tensor]:
    return read_state(require(folder / SAFETENSORS), keys)


def read_pt(folder: Path, keys: tuple[str, ...] = STATE_DICT_KEYS) -> dict[str, torch.Tensor]:
    path = require(folder / PT)
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as e:  # a corrupt zip or a pickle with non-tensor objects: both are unusable here
        raise ReleaseError(f"{path}: not a loadable weights-only .pt file ({e})") from e
    if not isinstance(obj, dict) or not isinstance(obj.get("state_dict"), dict):
        raise ReleaseError(f"{path}: expected a dict with a 'state_dict' entry")
    return checked_state(obj["state_dict"], path, keys)


def read_raw_tensor(path: Path, shape: list[int]) -> torch.Tensor:
    expected = int(np.prod(shape)) * RAW_DTYPE.itemsize
    size = require(path).stat().st_size
    if size != expected:
        raise ReleaseError(f"{path}: {size} bytes, but metadata shape {shape} of float32 needs {expected}")
    return torch.from_numpy(np.fromfile(path, dtype=RAW_DTYPE).reshape(shape).astype(np.float32))


def read_raw(folder: Path, metadata: dict[str, Any]) -> dict[str, torch.Tensor]:
    """The raw files (four, and BatchTopK's threshold) shaped by the metadata; the normaliser vectors come from
    the metadata itself."""
    arch = architecture_of(metadata)
    state = {name: read_raw_tensor(folder / name, metadata["tensors"][name]["shape"]) for name in raw_tensors(arch)}
    norm = metadata["normalization"]
    state["input_mean"] = torch.tensor(norm["input_mean"], dtype=torch.float32)
    state["input_std"] = torch.tensor(norm["input_std"], dtype=torch.float32)
    return checked_state(state, folder, state_keys(arch))


def read_onnx(folder: Path, keys: tuple[str, ...] = STATE_DICT_KEYS) -> dict[str, torch.Tensor]:
    path = require(folder / ONNX)
    try:
        arrays = read_onnx_initializers(path)
    except Exception as e:  # onnx raises DecodeError/ValidationError variants for a damaged file
        raise ReleaseError(f"{path}: not a readable ONNX model ({e})") from e
    return checked_state({name: torch.from_numpy(a.copy()) for name, a in arrays.items()}, path, keys)


def read_format(folder: Path, fmt: str, metadata: dict[str, Any]) -> dict[str, torch.Tensor]:
    if fmt == "raw":
        return read_raw(folder, metadata)
    readers = {"safetensors": read_safetensors, "pt": read_pt, "onnx": read_onnx}
    if fmt not in readers:
        raise ValueError(f"unknown format '{fmt}'; choose from safetensors, pt, raw, onnx")
    return readers[fmt](folder, state_keys(architecture_of(metadata)))


def read_onnx_initializers(path: Path) -> dict[str, np.ndarray]:
    """The named weights of an exported graph (external data is read from the same folder)."""
    import onnx  # only here: importing saescope must not load onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    return {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
