"""The release metadata (`model.metadata.json`, also the safetensors header): everything needed to use and
reproduce the SAE, in sections (architecture, normalization, model, training, data, export, tensors)."""

from __future__ import annotations

from typing import Any

import torch

from saescope import __version__
from saescope.release.checkpoint import CheckpointSource
from saescope.release.errors import ReleaseError
from saescope.release.layout import architecture_of, raw_tensors

FORMAT = "saescope-sae-release"
FORMAT_VERSION = 1

FORWARD = """\
x_n     = (x - input_mean) / input_std          # per-dimension standardisation (input_std already floored)
pre     = (x_n - b_dec) @ W_enc + b_enc         # W_enc [d_in, d_sae]
indices = the k largest entries of pre per row  # ties broken arbitrarily
values  = ReLU(pre[indices])                    # all other latents are 0
x_hat_n = sum_j values[j] * W_dec[indices[j]] + b_dec   # W_dec [d_sae, d_in]
x_hat   = x_hat_n * input_std + input_mean"""

# BatchTopK (Bussmann et al. 2024) at inference: a JumpReLU with one threshold theta for every latent, capped.
FORWARD_BATCHTOPK = """\
x_n     = (x - input_mean) / input_std          # per-dimension standardisation (input_std already floored)
pre     = (x_n - b_dec) @ W_enc + b_enc         # W_enc [d_in, d_sae]
z       = pre * (pre > threshold)               # threshold: the scalar theta (architecture.threshold)
indices = the k_cap largest entries of z per row  # k_cap = min(4k, d_sae); ties broken arbitrarily
values  = z[indices]                            # 0 where pre <= threshold (not firing); all other latents 0
x_hat_n = sum_j values[j] * W_dec[indices[j]] + b_dec   # W_dec [d_sae, d_in]
x_hat   = x_hat_n * input_std + input_mean
(training kept the B*k largest pre-activations of each batch of B tokens; theta averages their smallest)"""


def tensor_spec(t: torch.Tensor) -> dict[str, Any]:
    return {"shape": list(t.shape), "dtype": "float32", "byte_order": "little", "order": "C"}


def expected_shapes(d_in: int, d_sae: int, architecture: str = "topk") -> dict[str, list[int]]:
    shapes = {"W_enc": [d_in, d_sae], "b_enc": [d_sae], "W_dec": [d_sae, d_in], "b_dec": [d_in],
              "input_mean": [d_in], "input_std": [d_in]}
    return {**shapes, "threshold": []} if architecture == "batchtopk" else shapes


def check_shapes(state: dict[str, torch.Tensor], arch: dict[str, Any], source: str) -> None:
    """Every tensor has the shape the architecture section implies; names `source` otherwise."""
    for name, shape in expected_shapes(arch["d_in"], arch["d_sae"], arch.get("type", "topk")).items():
        if name in state and list(state[name].shape) != shape:
            raise ReleaseError(f"{source}: {name} has shape {list(state[name].shape)}, metadata says {shape} "
                               f"(d_in={arch['d_in']}, d_sae={arch['d_sae']})")


def architecture(header: dict[str, Any], state: dict[str, torch.Tensor] | None = None) -> dict[str, Any]:
    """The architecture section; a BatchTopK one takes theta from the `state` tensor (float32 -> float: exact)."""
    arch = dict(header["architecture"])
    if architecture_of(header) != "batchtopk":
        return {**arch, "forward": FORWARD}
    if state is not None:
        arch["threshold"] = float(state["threshold"])
    return {**arch, "forward": FORWARD_BATCHTOPK}


def normalization(header: dict[str, Any], state: dict[str, torch.Tensor]) -> dict[str, Any]:
    norm = header.get("normalization", {})
    return {
        "method": norm.get("method", "per_dimension_standardize"),
        "formula": "x_n = (x - input_mean) / input_std",
        "std_floor": norm.get("std_floor"),
        "eps": 0.0,  # no eps is added at inference: input_std was floored at std_floor when it was estimated
        "tokens": norm.get("tokens"),
        # Tokens with a norm above outlier_norm (outlier_factor x the median: attention sinks) were left out of
        # the estimate, not out of training.
        "outlier_factor": norm.get("outlier_factor"),
        "outlier_norm": norm.get("outlier_norm"),
        "outliers_excluded": norm.get("outliers_excluded"),
        # float32 -> Python float is exact, so these lists reproduce the tensors bit for bit.
        "input_mean": state["input_mean"].tolist(),
        "input_std": state["input_std"].tolist(),
    }


def model_section(header: dict[str, Any]) -> dict[str, Any]:
    model = header.get("model", {})
    return {
        "name": model.get("name"), "revision": model.get("revision"), "architecture": model.get("architecture"),
        "n_layers": model.get("n_layers"), "hookpoint": header.get("hookpoint"),
        "layer_label": header.get("layer_label"), "attn_implementation": model.get("attn_implementation"),
        "dtype": model.get("dtype"),
    }


def training_section(src: CheckpointSource) -> dict[str, Any]:
    hyper = src.header.get("training", {})
    return {
        "run_name": src.info.get("run_name") or hyper.get("run_name"),
        "step": src.header.get("step", src.info.get("step")),
        "tokens_seen": src.header.get("tokens_seen", src.info.get("tokens_seen")),
        "metrics": src.info.get("metrics", {}),
        "wandb": src.wandb,
        "hyperparameters": hyper,
    }


def data_section(header: dict[str, Any]) -> dict[str, Any]:
    data = header.get("data", {})
    source = data.get("source", {})
    return {"raw_dataset": source.get("dataset"), "source": source, "activations": data.get("activations"),
            "activations_manifest_sha256": data.get("activations_manifest_sha256")}


def export_section(src: CheckpointSource, exported_at: str | None, formats: list[str]) -> dict[str, Any]:
    return {
        "exported_at": exported_at, "checkpoint": src.folder.name, "checkpoint_step": src.header.get("step"),
        "selected_because": src.selected_because, "formats": formats, "saescope_version": __version__,
        "trained_with_saescope_version": src.header.get("saescope_version"),
    }


def release_metadata(src: CheckpointSource, formats: list[str], exported_at: str | None) -> dict[str, Any]:
    """The metadata of a release of `src` (`exported_at` None when describing a checkpoint read in place)."""
    arch = architecture(src.header, src.state)
    check_shapes(src.state, arch, str(src.folder))
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION,
        "architecture": arch,
        "normalization": normalization(src.header, src.state),
        "model": model_section(src.header),
        "training": training_section(src),
        "data": data_section(src.header),
        "export": export_section(src, exported_at, formats),
        "tensors": {name: tensor_spec(src.state[name]) for name in raw_tensors(architecture_of(src.header))},
    }
