"""Do two implementations compute the same SAE function? Compares reconstructions and sparse codes.

Two correct implementations may pick different latents where the k-th and (k+1)-th pre-activations are
within rounding of each other (with d_sae=65536, k=64 a few percent of random rows have such a near-tie).
Such rows are counted and left out of the value comparison; a row whose selections differ by latents that
are *not* near the k-th value is a real mismatch. For a BatchTopK SAE (a `threshold` given) only the firing
entries (value > 0) are compared, and pre-activations within rounding of theta are near-ties too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnxruntime as ort
import torch

from saescope.export.onnx_graph import INPUT
from saescope.sae.model import TopKSae


@dataclass(frozen=True)
class Outputs:
    x_hat: torch.Tensor  # [n, d_in]
    indices: torch.Tensor  # [n, k], any order
    values: torch.Tensor  # [n, k]


@dataclass(frozen=True)
class Agreement:
    """Errors over x_hat and the dense codes of rows without a near-tie. The relative error is measured in
    normalised units (x_hat differences divided by input_std), then divided by max(1, |ref|): x_hat =
    x_hat_n * input_std + input_mean has large-mean dimensions whose raw rounding says nothing about the SAE."""

    max_abs_error: float
    max_rel_error: float
    tolerance: float
    tie_rows: int
    wrong_rows: int  # rows selecting latents that are not near-ties

    @property
    def ok(self) -> bool:
        return self.wrong_rows == 0 and self.max_rel_error <= self.tolerance


def random_inputs(state: dict[str, torch.Tensor], n: int, seed: int = 0) -> torch.Tensor:
    """Inputs on the activations' own scale: each dimension ~ N(input_mean, input_std)."""
    noise = torch.randn(n, state["input_mean"].shape[0], generator=torch.Generator().manual_seed(seed))
    return state["input_mean"] + state["input_std"] * noise


@torch.no_grad()
def torch_outputs(sae: TopKSae, x: torch.Tensor) -> Outputs:
    out = sae(x)
    return Outputs(out.x_hat, out.code.indices, out.code.values)


def onnx_outputs(path: Path, x: torch.Tensor) -> Outputs:
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x_hat, indices, values = session.run(None, {INPUT: np.ascontiguousarray(x.numpy(), dtype=np.float32)})
    return Outputs(torch.from_numpy(x_hat), torch.from_numpy(indices).long(), torch.from_numpy(values))


def selection(indices: torch.Tensor, d_sae: int, firing: torch.Tensor | None = None) -> torch.Tensor:
    """Bool [n, d_sae] of the latents in the code (with `firing` [n, k], only those entries)."""
    chosen = torch.zeros(indices.shape[0], d_sae, dtype=torch.bool)
    return chosen.scatter(1, indices, True) if firing is None else chosen.scatter(1, indices, firing)


def dense(out: Outputs, d_sae: int) -> torch.Tensor:
    return torch.zeros(out.indices.shape[0], d_sae).scatter(1, out.indices, out.values.float())


def errors(ref: torch.Tensor, other: torch.Tensor, unit: torch.Tensor | float = 1.0) -> tuple[float, float]:
    """(max abs, max relative) difference; relative = |ref - other| / unit / max(1, |ref / unit|)."""
    if ref.numel() == 0:
        return 0.0, 0.0
    diff = (ref - other).abs()
    return float(diff.max()), float((diff / unit / (ref / unit).abs().clamp_min(1.0)).max())


@torch.no_grad()
def agreement(ref: Outputs, other: Outputs, pre: torch.Tensor, input_mean: torch.Tensor, input_std: torch.Tensor,
              atol: float, threshold: float | None = None) -> Agreement:
    """Compare `other` with `ref`; `pre` are ref's pre-activations [n, d_sae], input_mean/std the normaliser,
    `threshold` a BatchTopK SAE's theta."""
    d_sae, k = pre.shape[1], ref.indices.shape[1]
    if threshold is None:
        swapped = selection(ref.indices, d_sae) ^ selection(other.indices, d_sae)
    else:
        swapped = (selection(ref.indices, d_sae, ref.values > 0)
                   ^ selection(other.indices.long(), d_sae, other.values > 0))
    kth = pre.topk(k, dim=1).values[:, -1:]
    near_tie = (pre - kth).abs() <= atol * kth.abs().clamp_min(1.0)
    if threshold is not None:
        near_tie |= (pre - threshold).abs() <= atol * max(abs(threshold), 1.0)
    differs = swapped.any(dim=1)
    wrong = (swapped & ~near_tie).any(dim=1)
    same = ~differs
    x_abs, _ = errors(ref.x_hat[same], other.x_hat[same])
    _, x_rel = errors(ref.x_hat[same] - input_mean, other.x_hat[same] - input_mean, input_std)
    z_abs, z_rel = errors(dense(ref, d_sae)[same], dense(other, d_sae)[same])
    return Agreement(max_abs_error=max(x_abs, z_abs), max_rel_error=max(x_rel, z_rel), tolerance=atol,
                     tie_rows=int((differs & ~wrong).sum()), wrong_rows=int(wrong.sum()))
