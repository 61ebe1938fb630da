"""TopK sparse autoencoder on per-dimension normalised residual-stream activations.

    x_n     = (x - input_mean) / input_std
    pre     = (x_n - b_dec) @ W_enc + b_enc
    z       = ReLU of the k largest entries of pre, all others 0
    x_hat_n = z @ W_dec + b_dec
    x_hat   = x_hat_n * input_std + input_mean

The state_dict keys (W_enc, b_enc, W_dec, b_dec, input_mean, input_std) are the on-disk format.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Literal

import torch
from torch import nn

from saescope.sae.kernels import (
    Scratch,
    Selection,
    SparseCode,
    fused_topk_encode,
    sparse_aux,
    sparse_decode,
    sparse_decode_pair,
)

STATE_DICT_KEYS = ("W_enc", "b_enc", "W_dec", "b_dec", "input_mean", "input_std")
_CPU_ROW_BYTES = 4 << 20  # row block of the decoder passes on CPU


@dataclass(frozen=True)
class SaeConfig:
    d_in: int
    d_sae: int
    k: int


@dataclass
class ForwardOutput:
    x_hat: torch.Tensor  # reconstruction in raw activation space
    x_hat_n: torch.Tensor  # reconstruction in normalised space (what the MSE loss compares)
    x_n: torch.Tensor  # normalised input
    code: SparseCode
    pre: torch.Tensor  # pre-activations [..., d_sae], kept for the AuxK loss


@dataclass
class TrainingOutput:
    """The training forward's outputs: no dense pre-activations, but the AuxK code of the dead latents."""

    x_hat: torch.Tensor  # reconstruction in raw activation space
    x_hat_n: torch.Tensor  # reconstruction in normalised space
    x_n: torch.Tensor  # normalised input
    code: SparseCode  # indices/values [..., k]
    aux_code: SparseCode  # the top aux_k dead latents per token, rows [N, aux_k] (aux_k 0: no dead latents)
    aux_latents: torch.Tensor  # long [n_dead]: the dead latents the aux code chose among (sorted)
    # The aux code decoded without b_dec, rows [N, d_in], when it was decoded by a gather with the main code (the
    # AuxK code is sparse: see `sparse_aux`); None when `auxk_loss_from_code` decodes it densely.
    aux_decoded: torch.Tensor | None = None
    # BatchTopK only: the smallest positive value kept in this batch's code (inf when none), 0-dim, for theta.
    batch_threshold: torch.Tensor | None = None


class TopKSae(nn.Module):
    input_mean: torch.Tensor
    input_std: torch.Tensor
    architecture: ClassVar[str] = "topk"  # `architecture.type` in the metadata
    state_keys: ClassVar[tuple[str, ...]] = STATE_DICT_KEYS  # the tensors of the on-disk format

    def __init__(
        self,
        d_in: int,
        d_sae: int,
        k: int,
        *,
        device: torch.device | str | None = None,
        dtype: torch.dtype = torch.float32,
    ) -> None:
        super().__init__()
        if not 0 < k <= d_sae:
            raise ValueError(f"k must be in [1, d_sae={d_sae}], got {k}")
        self.d_in, self.d_sae, self.k = d_in, d_sae, k
        factory = {"device": device, "dtype": dtype}
        self.W_enc = nn.Parameter(torch.empty(d_in, d_sae, **factory))
        self.b_enc = nn.Parameter(torch.zeros(d_sae, **factory))
        self.W_dec = nn.Parameter(torch.empty(d_sae, d_in, **factory))
        self.b_dec = nn.Parameter(torch.zeros(d_in, **factory))
        self.register_buffer("input_mean", torch.zeros(d_in, **factory))
        self.register_buffer("input_std", torch.ones(d_in, **factory))
        self._scratch = Scratch()  # the training forward's dense pre-activations, reused from step to step on CPU
        # Meta-device models are shells for `from_state_dict`; there is nothing to initialise.
        if self.W_dec.device.type != "meta":
            init_weights(self)

    @property
    def config(self) -> SaeConfig:
        return SaeConfig(d_in=self.d_in, d_sae=self.d_sae, k=self.k)

    @classmethod
    def from_state_dict(cls, state_dict: Mapping[str, torch.Tensor], k: int) -> TopKSae:
        """Build a model around the given tensors (adopted as-is, not copied); d_in/d_sae come from W_dec."""
        missing = [key for key in cls.state_keys if key not in state_dict]
        if missing:
            raise KeyError(f"SAE state dict lacks {missing}; expected keys {list(cls.state_keys)}")
        d_sae, d_in = state_dict["W_dec"].shape
        sae = cls(d_in, d_sae, k, device="meta", dtype=state_dict["W_dec"].dtype)
        sae.load_state_dict(state_dict, strict=True, assign=True)
        return sae

    def weights_sha256(self) -> str:
        """sha256 of the parameters and normaliser (names, shapes, float32 bytes): the same for a checkpoint and
        every export of it, whatever the file format, so results computed on one can be matched to another."""
        digest = hashlib.sha256()
        for key in self.state_keys:
            tensor = getattr(self, key).detach().to("cpu", torch.float32).contiguous()
            digest.update(f"{key}:{list(tensor.shape)};".encode())
            digest.update(tensor.numpy().tobytes())
        return digest.hexdigest()

    def normalize(self, x: torch.Tensor) -> torch.Tensor:
        return (x - self.input_mean) / self.input_std

    def denormalize(self, x_n: torch.Tensor) -> torch.Tensor:
        return x_n * self.input_std + self.input_mean

    def encode_pre(self, x_n: torch.Tensor, out: torch.Tensor | None = None) -> torch.Tensor:
        """Pre-activations [..., d_sae] of normalised inputs [..., d_in]; `out` [rows, d_sae]: a buffer to write
        them into (no autograd, no autocast), which a caller reuses across batches."""
        centred = (x_n - self.b_dec).reshape(-1, self.d_in).to(self.W_enc.dtype)
        # addmm is on autocast's lower-precision list with its bias, so under bf16 autocast `pre` stays bf16
        # (a separate `+ b_enc` would promote the largest activation tensor of the model to fp32).
        pre = torch.addmm(self.b_enc, centred, self.W_enc) if out is None else torch.addmm(
            self.b_enc, centred, self.W_enc, out=out)
        return pre.reshape(*x_n.shape[:-1], self.d_sae)

    def topk(self, pre: torch.Tensor) -> SparseCode:
        # ReLU commutes with taking the k largest, so it is applied to k values instead of d_sae.
        values, indices = pre.topk(self.k, dim=-1, sorted=False)
        return SparseCode(indices=indices, values=values.relu())

    def decode_sparse_n(self, code: SparseCode) -> torch.Tensor:
        """Normalised-space reconstruction from a sparse code, without building the dense code."""
        return sparse_decode(code.indices, code.values, self.W_dec) + self.b_dec

    def decode_dense_n(self, z: torch.Tensor) -> torch.Tensor:
        return z.to(self.W_dec.dtype) @ self.W_dec + self.b_dec

    def encode(self, x: torch.Tensor) -> SparseCode:
        """Raw activations [..., d_in] -> sparse code with indices/values [..., k]."""
        return self.topk(self.encode_pre(self.normalize(x)))

    def encode_dense(self, x: torch.Tensor) -> torch.Tensor:
        """Raw activations [..., d_in] -> dense code [..., d_sae]."""
        return self.encode(x).to_dense(self.d_sae)

    def decode(self, code: SparseCode | torch.Tensor) -> torch.Tensor:
        """A sparse code or a dense code [..., d_sae] -> reconstruction in raw activation space."""
        x_hat_n = self.decode_sparse_n(code) if isinstance(code, SparseCode) else self.decode_dense_n(code)
        return self.denormalize(x_hat_n)

    def forward(
        self, x: torch.Tensor, dead_mask: torch.Tensor | None = None, aux_k: int = 0
    ) -> ForwardOutput | TrainingOutput:
        """`forward(x)` -> ForwardOutput (with the dense `pre`); with a `dead_mask`, the training forward
        (see `training_forward`), so that a DistributedDataParallel wrapper can run it."""
        if dead_mask is not None:
            return self.training_forward(x, dead_mask, aux_k)
        x_n = self.normalize(x)
        pre = self.encode_pre(x_n)
        code = self.topk(pre)
        x_hat_n = self.decode_sparse_n(code)
        return ForwardOutput(x_hat=self.denormalize(x_hat_n), x_hat_n=x_hat_n, x_n=x_n, code=code, pre=pre)

    def training_forward(self, x: torch.Tensor, dead_mask: torch.Tensor, aux_k: int,
                         selection: Selection | None = None) -> TrainingOutput:
        """The forward of a training step with AuxK: the same reconstruction as `forward`, plus the code of the
        top `aux_k` pre-activations among the latents of `dead_mask` (bool [d_sae]) for `auxk_loss_from_code`.

        The encoder is one fused autograd function (`fused_topk_encode`) that keeps only the small codes, not
        `pre` [N, d_sae], and does not build a dense gradient of `pre` in backward either. Call it through the
        module (`model(x, dead_mask=..., aux_k=...)`) so that a DistributedDataParallel wrapper sees it.
        `selection` replaces the per-token top-k (see `kernels.Selection`; BatchTopK's code has a variable width).
        """
        x_n = self.normalize(x)
        # nonzero syncs with the host on CUDA: the number of dead latents sets the aux code's shape.
        dead = dead_mask.to(x_n.device).nonzero().squeeze(-1)
        sparse = sparse_aux(self.W_enc, x_n.numel() // self.d_in, dead.numel(), min(aux_k, dead.numel()))
        rows, aux_code = fused_topk_encode(x_n, self.b_dec, self.W_enc, self.b_enc,
                                           self.k if selection is None else selection, dead, aux_k, self._scratch,
                                           sparse)
        lead = x_n.shape[:-1]
        code = SparseCode(indices=rows.indices.reshape(*lead, -1), values=rows.values.reshape(*lead, -1))
        aux_decoded = None
        if sparse and aux_code.indices.shape[-1] > 0:  # both codes in one gather node: one W_dec gradient
            decoded, aux_decoded = sparse_decode_pair(rows, aux_code, self.W_dec, self._scratch, dead)
            decoded = decoded.reshape(*lead, self.d_in)
        else:
            decoded = sparse_decode(code.indices, code.values, self.W_dec, self._scratch)
        # In place, and one fused op for the raw-space reconstruction: [N, d_in] passes that each map fresh memory.
        x_hat_n = decoded.add_(self.b_dec)
        x_hat = torch.addcmul(self.input_mean, x_hat_n, self.input_std)  # = denormalize(x_hat_n), up to rounding
        return TrainingOutput(x_hat=x_hat, x_hat_n=x_hat_n, x_n=x_n, code=code, aux_code=aux_code,
                              aux_latents=dead, aux_decoded=aux_decoded)

    @torch.no_grad()
    def set_decoder_norm_to_unit_norm(self) -> None:
        for rows in _row_chunks(self.W_dec):  # a chunk is still in cache when divided: one pass over W_dec
            rows.div_(_row_norms(rows))

    @torch.no_grad()
    def remove_gradient_parallel_to_decoder_directions(self) -> None:
        """Project each W_dec row's gradient onto the row's orthogonal complement (call before the step).

        With unit-norm rows the parallel part only changes a row's norm, which the renormalisation after the
        step undoes anyway; removing it first keeps it out of Adam's moment estimates.
        """
        if self.W_dec.grad is None:
            return
        # g -= (g . w / |w|^2) w per row, in place and chunk by chunk, without the [d_sae, d_in] temporaries
        # of `directions` and products (d_sae 65536, d_in 4096 on CPU: ~0.3 s against ~2 s).
        for rows, grad in zip(_row_chunks(self.W_dec), _row_chunks(self.W_dec.grad), strict=True):
            norms = _row_norms(rows)
            parallel = torch.linalg.vecdot(grad, rows, dim=1).unsqueeze(1)
            grad.addcmul_(rows, parallel.div_(norms).div_(norms), value=-1)

    def release_gradients(self) -> None:
        """Set W_enc's and W_dec's gradients to None after an optimiser step, keeping their memory on CPU for
        the next training backward (a fresh 1 GB gradient pays its page faults again: ~0.35 s each). Only call it
        when nothing else holds those gradient tensors."""
        for key, param in (("grad_W_enc", self.W_enc), ("grad_W_dec", self.W_dec)):
            if param.grad is not None:
                self._scratch.keep(key, param.grad)
            param.grad = None

    def extra_repr(self) -> str:
        return f"d_in={self.d_in}, d_sae={self.d_sae}, k={self.k}"


def _row_chunks(w: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """Row blocks of a matrix that fit in cache on CPU (~4 MB), the whole matrix elsewhere."""
    return w.split(_CPU_ROW_BYTES // max(w.shape[1] * w.element_size(), 1) or 1) if w.device.type == "cpu" else (w,)


def _row_norms(w: torch.Tensor) -> torch.Tensor:
    """Row norms [rows, 1], floored so that a zero row divides to zero instead of nan."""
    return w.norm(dim=1, keepdim=True).clamp_min(torch.finfo(w.dtype).tiny)


@torch.no_grad()
def init_weights(sae: TopKSae, generator: torch.Generator | None = None) -> None:
    """Random unit-norm decoder rows, encoder tied to the decoder's transpose, zero biases.

    Draws on the generator's device (the model's when no generator is given), so a CPU generator gives the
    same weights whatever device the model lives on.
    """
    device = generator.device if generator is not None else sae.W_dec.device
    directions = torch.randn(sae.d_sae, sae.d_in, generator=generator, device=device, dtype=torch.float32)
    directions /= directions.norm(dim=1, keepdim=True)
    sae.W_dec.copy_(directions)
    sae.W_enc.copy_(directions.T)
    sae.b_enc.zero_()
    sae.b_dec.zero_()


def geometric_median(points: torch.Tensor, n_iter: int = 100, tol: float = 1e-7) -> torch.Tensor:
    """Weiszfeld iterations from the mean, in float64: the point minimising the sum of distances to rows."""
    points = points.reshape(-1, points.shape[-1]).double()
    median = points.mean(dim=0)
    for _ in range(n_iter):
        # The floor keeps a point that coincides with the estimate from getting an infinite weight.
        weights = 1.0 / (points - median).norm(dim=1).clamp_min(1e-12)
        updated = (weights[:, None] * points).sum(dim=0) / weights.sum()
        shift = (updated - median).norm()
        median = updated
        if shift <= tol * (1.0 + median.norm()):
            break
    return median


@torch.no_grad()
def init_b_dec(
    sae: TopKSae, x_n_sample: torch.Tensor, method: Literal["mean", "geometric_median"] = "geometric_median"
) -> None:
    """Set b_dec from a sample of *normalised* activations [..., d_in] (apply the normaliser first)."""
    sample = x_n_sample.reshape(-1, sae.d_in)
    if method == "mean":
        centre = sample.double().mean(dim=0)
    elif method == "geometric_median":
        centre = geometric_median(sample)
    else:
        raise ValueError(f"unknown b_dec init method '{method}'; use 'mean' or 'geometric_median'")
    sae.b_dec.copy_(centre)
