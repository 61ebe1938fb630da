"""Code shown in the model card. The numpy loader is the reference a user without saescope or torch can
rely on, so tests execute it from the generated card and compare it with TopKSae."""

from __future__ import annotations

NUMPY_LOADER = '''\
import json
from pathlib import Path

import numpy as np


def load_raw_sae(folder):
    """Raw tensors (little-endian float32, C order) shaped by model.metadata.json, plus the normaliser."""
    folder = Path(folder)
    meta = json.loads((folder / "model.metadata.json").read_text())
    w = {name: np.fromfile(folder / name, dtype="<f4").reshape(spec["shape"]) for name, spec in meta["tensors"].items()}
    w["input_mean"] = np.asarray(meta["normalization"]["input_mean"], dtype=np.float32)
    w["input_std"] = np.asarray(meta["normalization"]["input_std"], dtype=np.float32)
    return w, meta


def encode(w, k, x):
    """x [n, d_in] -> (indices, values) [n, k] of the k largest pre-activations, ReLU applied."""
    pre = ((x - w["input_mean"]) / w["input_std"] - w["b_dec"]) @ w["W_enc"] + w["b_enc"]
    indices = np.argpartition(-pre, k - 1, axis=-1)[:, :k]
    return indices, np.maximum(np.take_along_axis(pre, indices, axis=-1), 0)


def decode(w, indices, values):
    """(indices, values) [n, k] -> reconstruction x_hat [n, d_in] in raw activation space."""
    x_hat_n = np.einsum("nk,nkd->nd", values, w["W_dec"][indices]) + w["b_dec"]
    return x_hat_n * w["input_std"] + w["input_mean"]


w, meta = load_raw_sae(release_dir)  # release_dir: a local copy, e.g. snapshot_download(repo_id)
k = meta["architecture"]["k"]
'''

# A BatchTopK release's encode: the raw files include the 0-d `threshold`; k is the code's cap k_cap.
NUMPY_BATCHTOPK_ENCODE = '''\


def encode(w, k, x):
    """BatchTopK: x [n, d_in] -> (indices, values) [n, k] of the k largest of pre * (pre > threshold); 0: not firing."""
    pre = ((x - w["input_mean"]) / w["input_std"] - w["b_dec"]) @ w["W_enc"] + w["b_enc"]
    z = np.where(pre > w["threshold"], pre, 0)
    indices = np.argpartition(-z, k - 1, axis=-1)[:, :k]
    return indices, np.take_along_axis(z, indices, axis=-1)


k = meta["architecture"]["k_cap"]
'''


def numpy_loader(architecture: str) -> str:
    """The card's numpy loader for a release of `architecture` (BatchTopK: its own encode, and k = k_cap)."""
    return NUMPY_LOADER + NUMPY_BATCHTOPK_ENCODE if architecture == "batchtopk" else NUMPY_LOADER


def hub_snippet(repo_id: str, index_files: list[str]) -> str:
    """The Qwen3-8B l36 card's hf_hub_download snippet, listing this release's reverse-index parquet files."""
    lines = ["from huggingface_hub import hf_hub_download", "", f'repo_id = "{repo_id}"', "",
             'sae_path = hf_hub_download(repo_id, "model.safetensors")',
             'metadata_path = hf_hub_download(repo_id, "model.metadata.json")']
    for rel in index_files:
        if rel.endswith(".parquet"):
            var = rel.rsplit("/", 1)[-1].removesuffix(".parquet") + "_path"
            lines += [f"{var} = hf_hub_download(", "    repo_id,", f'    "{rel}",', ")"]
    return "\n".join(lines) + "\n"


def sdk_snippet(repo_id: str) -> str:
    return ("from saescope.export import load_sae\n\n"
            f'sae, metadata = load_sae("{repo_id}")  # or a local release folder; format="pt" | "raw" | "onnx"\n'
            "code = sae.encode(x)  # x: [..., d_in] residual-stream activations -> SparseCode(indices, values)\n"
            "x_hat = sae.decode(code)\n")
