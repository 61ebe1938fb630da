"""The ONNX export of the SAE forward: x [batch, d_in] -> (x_hat, indices, values), batch axis dynamic.

A BatchTopK graph holds the scalar initializer `threshold` and applies it in the graph (Greater, Where) before
the TopK of its k_cap = min(4k, d_sae) outputs per row; values not above the threshold come out as 0.

Exported with the TorchScript-based exporter (`dynamo=False`): the dynamo exporter needs onnxscript, which
saescope does not depend on. The graph uses plain MatMul/TopK/Gather ops (opset 17, which every
onnxruntime since 1.13 runs); the initializers keep the state-dict names, so the weights can be read back.
"""

from __future__ import annotations

import json
import tempfile
import warnings
from pathlib import Path
from typing import Any

import onnx
import torch
from torch import nn

from saescope.release.errors import ReleaseError
from saescope.release.layout import HEADER_KEY, ONNX, ONNX_DATA, architecture_of
from saescope.sae.batchtopk import K_CAP_FACTOR, state_keys

OPSET = 17
INPUT = "x"
OUTPUTS = ("x_hat", "indices", "values")
# protobuf cannot hold a message over 2 GiB; bigger SAEs keep their weights in one model.onnx.data file.
EXTERNAL_DATA_BYTES = 1 << 30


class OnnxForward(nn.Module):
    """TopKSae.forward in export-friendly ops: the decode gathers k rows of W_dec (TopKSae uses
    embedding_bag, which the exporter lowers to a loop); topk is sorted, so indices come by value."""

    def __init__(self, state: dict[str, torch.Tensor], k: int, architecture: str = "topk") -> None:
        super().__init__()
        self.batchtopk = architecture == "batchtopk"
        d_sae = state["W_dec"].shape[0]
        self.k = min(K_CAP_FACTOR * k, d_sae) if self.batchtopk else k
        for name in state_keys(architecture):
            self.register_buffer(name, state[name].detach().float().contiguous())

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        x_n = (x - self.input_mean) / self.input_std
        pre = (x_n - self.b_dec) @ self.W_enc + self.b_enc
        if self.batchtopk:
            pre = torch.where(pre > self.threshold, pre, torch.zeros_like(pre))
        values, indices = pre.topk(self.k, dim=-1)
        values = values.relu()
        x_hat_n = (self.W_dec[indices] * values.unsqueeze(-1)).sum(dim=-2) + self.b_dec
        return x_hat_n * self.input_std + self.input_mean, indices, values


def export_graph(state: dict[str, torch.Tensor], k: int, path: Path, architecture: str = "topk") -> None:
    """Export in training mode: in eval mode the exporter merges initializers with equal values (b_dec and
    input_mean are both zeros in a fresh SAE), which would lose names. The graph has no train-only ops
    (dropout, batch norm), so the mode changes nothing else; constant folding has nothing to fold."""
    module = OnnxForward(state, k, architecture).train()
    example = state["input_mean"].unsqueeze(0).repeat(2, 1)
    dynamic = {name: {0: "batch"} for name in (INPUT, *OUTPUTS)}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the legacy exporter announces its deprecation
        torch.onnx.export(module, (example,), str(path), dynamo=False, opset_version=OPSET, input_names=[INPUT],
                          output_names=list(OUTPUTS), dynamic_axes=dynamic, do_constant_folding=False,
                          training=torch.onnx.TrainingMode.TRAINING)


def check_initializers(model: onnx.ModelProto, architecture: str = "topk") -> None:
    """Every state-dict tensor must survive as a named initializer, or the ONNX weights cannot be read back."""
    names = {init.name for init in model.graph.initializer}
    missing = [key for key in state_keys(architecture) if key not in names]
    if missing:
        raise ReleaseError(f"{ONNX}: the exporter dropped initializers {missing} (torch {torch.__version__})")


def write_onnx(state: dict[str, torch.Tensor], k: int, metadata: dict[str, Any], folder: Path) -> list[str]:
    """Write model.onnx (plus model.onnx.data when large) into `folder`; returns the file names written.

    The export goes to a private folder first because for >2 GiB models the exporter scatters one file per
    tensor next to its output, and those names (W_enc, ...) would collide with the raw tensor files.
    """
    big = sum(t.numel() * 4 for t in state.values()) > EXTERNAL_DATA_BYTES
    arch = architecture_of(metadata)
    with tempfile.TemporaryDirectory(dir=folder) as scratch:
        exported = Path(scratch) / ONNX
        export_graph(state, k, exported, arch)
        model = onnx.load(str(exported))
    check_initializers(model, arch)
    onnx.helper.set_model_props(model, {HEADER_KEY: json.dumps(metadata)})
    if big:
        onnx.save_model(model, str(folder / ONNX), save_as_external_data=True, all_tensors_to_one_file=True,
                        location=ONNX_DATA, size_threshold=0)
        return [ONNX, ONNX_DATA]
    onnx.save_model(model, str(folder / ONNX))
    return [ONNX]
