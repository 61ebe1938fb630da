"""File names, roles and formats of a release folder (the Qwen3-8B l36 release's names, so hub snippets keep
working), and of a training run's checkpoint folders."""

from __future__ import annotations

SAFETENSORS = "model.safetensors"
METADATA = "model.metadata.json"
PT = "model.pt"
ONNX = "model.onnx"
ONNX_DATA = "model.onnx.data"  # only for models over protobuf's 2 GiB limit
MANIFEST = "release_manifest.json"
CARD = "README.md"
INDEX_DIR = "reverse-index"

# A training run: <out>/checkpoints/registry.json and one folder per retained checkpoint, step-NNNNNN/.
CHECKPOINTS_DIR = "checkpoints"
REGISTRY = "registry.json"
SAE_FILE = "sae.safetensors"
STATE_FILE = "trainer_state.pt"  # resume state (optimizer, RNG, loader): never part of a release
INFO_FILE = "checkpoint.json"

RAW_TENSORS = ("W_enc", "W_dec", "b_enc", "b_dec")
THRESHOLD = "threshold"  # BatchTopK's theta: a raw float32 scalar file (and a tensor in every weights format)
HEADER_KEY = "saescope"  # the one safetensors header key holding the metadata JSON

FORMATS = ("safetensors", "pt", "onnx", "raw")
# Peer layouts, each a sub-folder with the normaliser folded into the weights (see export/interop.py).
INTEROP_FORMATS = ("saelens", "sparsify")
ALL_FORMATS = FORMATS + INTEROP_FORMATS

# The reverse-index files the Qwen3-8B l36 release ships next to the index summary (its first four), then the
# deeper evidence saescope adds (each copied when the index has it).
INDEX_FILES = ("summary.json", "feature_metrics.parquet", "feature_prompts.parquet", "report.md",
               "feature_top.parquet", "feature_histograms.parquet", "feature_intervals.parquet",
               "feature_samples.parquet", "feature_neighbours.parquet", "feature_logits.parquet")

ROLES = {
    SAFETENSORS: "weights (safetensors, primary)",
    METADATA: "metadata",
    PT: "weights (PyTorch .pt)",
    ONNX: "ONNX forward graph",
    ONNX_DATA: "ONNX external weights",
    CARD: "model card",
    **{name: "raw tensor" for name in RAW_TENSORS},
    THRESHOLD: "raw tensor (BatchTopK threshold)",
}


def role_of(path: str) -> str:
    if path.startswith(f"{INDEX_DIR}/"):
        return "reverse index"
    if path.startswith("saelens/"):
        return "SAELens folder (normaliser folded in)"
    if path.startswith("sparsify/"):
        return "sparsify folder (normaliser folded in)"
    return ROLES.get(path, "other")


def raw_tensors(architecture: str = "topk") -> tuple[str, ...]:
    """The raw tensor files of an SAE of `architecture` (metadata `architecture.type`)."""
    return (*RAW_TENSORS, THRESHOLD) if architecture == "batchtopk" else RAW_TENSORS


def format_files(fmt: str, architecture: str = "topk") -> tuple[str, ...]:
    """The files a format consists of (ONNX's external-data file is optional and handled by the ONNX writer)."""
    return {"safetensors": (SAFETENSORS,), "pt": (PT,), "onnx": (ONNX,), "raw": raw_tensors(architecture)}[fmt]


def architecture_of(metadata: dict) -> str:
    """`architecture.type` of release or checkpoint metadata ("topk" when absent: releases before BatchTopK)."""
    return str(metadata.get("architecture", {}).get("type", "topk"))


def check_formats(formats: list[str] | tuple[str, ...]) -> list[str]:
    unknown = [f for f in formats if f not in ALL_FORMATS]
    if unknown:
        raise ValueError(f"unknown export formats {unknown}; choose from {list(ALL_FORMATS)}")
    return [f for f in ALL_FORMATS if f in formats]  # canonical order, no duplicates
