"""The sparse code of a TopK SAE and the gather-based decode that never builds the dense [N, d_sae] code.

Decode is `F.embedding_bag(indices, W_dec, per_sample_weights=values, mode="sum")`: it reads only the k
decoder rows each token uses. On CPU (2 cores; d_in 576, d_sae 9216, k 32, N 4096), forward / fwd+bwd:
embedding_bag 6 / 33 ms (the same under bf16 autocast, where it stays fp32), dense fp32 `z @ W_dec`
181 / 478 ms, dense under bf16 autocast 106 / 232 ms, `W_dec[indices]` + einsum 91 / 399 ms (it
materialises [N, k, d_in]).
"""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F


class SparseCode(NamedTuple):
    """The k active latents of each token: `indices` [..., k] long, `values` [..., k] (>= 0, unordered)."""

    indices: torch.Tensor
    values: torch.Tensor

    def to_dense(self, d_sae: int) -> torch.Tensor:
        """The dense code [..., d_sae], zero outside the k selected latents."""
        return self.values.new_zeros(*self.indices.shape[:-1], d_sae).scatter(-1, self.indices, self.values)


def sparse_decode(indices: torch.Tensor, values: torch.Tensor, weight: torch.Tensor) -> torch.Tensor:
    """sum_j values[..., j] * weight[indices[..., j]] -> [..., weight.shape[1]]; no bias.

    Differentiable in `values` and `weight`. `values` are cast to the weight dtype because embedding_bag
    requires matching dtypes (under autocast the code is bf16 while the master weights stay fp32).
    """
    k = indices.shape[-1]
    out = F.embedding_bag(
        indices.reshape(-1, k),
        weight,
        per_sample_weights=values.reshape(-1, k).to(weight.dtype),
        mode="sum",
    )
    return out.reshape(*indices.shape[:-1], weight.shape[1])


class Scratch:
    """A reused buffer for the dense pre-activations of the fused encoder. On CPU a fresh [N, d_sae] tensor pays
    its page faults again every step (~50 ms of a ~700 ms step at N 4096, d_sae 9216, fp32); CUDA's caching
    allocator already reuses its blocks, so there the buffer is not used."""

    def __init__(self) -> None:
        self._buffer: torch.Tensor | None = None

    def take(self, rows: int, cols: int, dtype: torch.dtype, device: torch.device) -> torch.Tensor | None:
        """An uninitialised [rows, cols] view of the buffer (grown when too small), or None off the CPU."""
        if device.type != "cpu":
            return None
        b = self._buffer
        if b is None or b.numel() < rows * cols or b.dtype != dtype:
            b = self._buffer = torch.empty(rows * cols, dtype=dtype)
        return b[: rows * cols].view(rows, cols)


def _compute_dtype(device_type: str, param_dtype: torch.dtype) -> torch.dtype:
    """The dtype autocast would run the encoder GEMM in (the parameter dtype when autocast is off)."""
    if torch.is_autocast_enabled(device_type):
        return torch.get_autocast_dtype(device_type)
    return param_dtype


class _FusedTopKEncode(torch.autograd.Function):
    """pre = (x_n - b_dec) @ W_enc + b_enc, its top-k and the top aux_k among `dead` columns, without keeping
    the dense `pre` [N, d_sae] for autograd (it is the largest tensor of a training step).

    Backward never builds a dense gradient of `pre` either. With g the gradients of the ReLU'd values (zero
    where a value is <= 0) and c = x_n - b_dec:

    - W_enc, top-k part: column j gets sum over (token, slot) choosing j of g * c[token], which is the
      weight gradient of `embedding_bag(indices, ., per_sample_weights=g)` with output gradient c (N * k
      rows, in fp32);
    - W_enc, AuxK part: the aux gradient laid out densely over the dead columns only, times c^T (one GEMM
      [d_in, N] @ [N, n_dead] in the autocast dtype), added into the dead columns;
    - b_enc: the same gradients index-added per latent; b_dec: -(W_enc @ grad_b_enc) (every token shares
      d pre / d b_dec = -W_enc^T), so the input-gradient GEMM is only run when x_n itself needs a gradient.

    On CPU (d_in 576, d_sae 9216, k 32, aux_k 512 of 922 dead, N 4096, bf16) this backward takes ~30-40 ms;
    a dense bf16 gradient of `pre` (zero-fill, two scatters, the [d_in, N] @ [N, d_sae] GEMM) ~80-110.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx,
        x_n: torch.Tensor,
        b_dec: torch.Tensor,
        W_enc: torch.Tensor,
        b_enc: torch.Tensor,
        k: int,
        dead: torch.Tensor,
        aux_k: int,
        dtype: torch.dtype,
        scratch: Scratch | None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        d_in = W_enc.shape[0]
        centred = (x_n - b_dec).reshape(-1, d_in).to(dtype)
        # One GEMM with its bias in the autocast dtype, as `TopKSae.encode_pre` does under autocast.
        w = W_enc.to(dtype)
        out = scratch.take(centred.shape[0], w.shape[1], dtype, centred.device) if scratch is not None else None
        pre = torch.addmm(b_enc.to(dtype), centred, w, out=out)
        values, indices = pre.topk(k, dim=-1, sorted=False)
        values = values.relu()
        if aux_k > 0:
            # Choosing among the dead columns equals masking the live ones to -inf before topk. Their
            # pre-activations are read from `pre` in fp32, where a GEMM over the dead columns costs more (CPU,
            # N 4096, 922 of 9216 columns: 36 ms against 10); with native bf16 the GEMM is cheaper (3 ms
            # against 13), so there it recomputes the same dot products.
            if dtype == torch.float32:
                pre_dead = pre.index_select(1, dead)
            else:
                pre_dead = torch.addmm(b_enc.index_select(0, dead).to(dtype), centred, w.index_select(1, dead))
            aux_values, positions = pre_dead.topk(aux_k, dim=-1, sorted=False)
            aux_values = aux_values.relu()
            del pre_dead
        else:
            aux_values = values.new_zeros(values.shape[0], 0)
            positions = indices.new_zeros(indices.shape[0], 0)
        del pre  # the largest tensor of a training step: not kept
        aux_indices = dead[positions]
        ctx.save_for_backward(centred, W_enc, indices, values, dead, positions, aux_values)
        ctx.x_shape, ctx.x_dtype = x_n.shape, x_n.dtype
        ctx.mark_non_differentiable(indices, aux_indices)
        return values, indices, aux_values, aux_indices

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx,
        grad_values: torch.Tensor | None,
        _grad_indices: torch.Tensor | None,
        grad_aux: torch.Tensor | None,
        _grad_aux_indices: torch.Tensor | None,
    ) -> tuple[torch.Tensor | None, ...]:
        centred, W_enc, indices, values, dead, positions, aux_values = ctx.saved_tensors
        need_x, need_b_dec, need_w, need_b_enc = ctx.needs_input_grad[:4]
        d_sae = W_enc.shape[1]
        # Gradients are accumulated in fp32 at least (the bf16 code's gradients are summed over many tokens).
        acc = W_enc.dtype if W_enc.dtype.itemsize >= 4 else torch.float32
        if grad_values is None:
            grad_values = torch.zeros_like(values)
        g_top = grad_values.to(acc).masked_fill(values <= 0, 0)
        g_aux = None
        if grad_aux is not None and positions.shape[-1] > 0:
            # Dense over the dead columns only: [N, n_dead] in the compute dtype.
            g_aux = centred.new_zeros(centred.shape[0], dead.numel()).scatter_(
                -1, positions, grad_aux.to(centred.dtype).masked_fill(aux_values <= 0, 0)
            )
        grad_x = grad_b_dec = grad_w = grad_b_enc = None
        if need_w:
            grad_w_t = _embedding_bag_weight_grad(indices, g_top, centred.to(acc), d_sae)
            if g_aux is not None:
                grad_w_t.index_add_(0, dead, (g_aux.T @ centred).to(acc))
            grad_w = grad_w_t.T.contiguous().to(W_enc.dtype)
        if need_b_enc or need_b_dec:
            grad_b = torch.zeros(d_sae, dtype=acc, device=W_enc.device).index_add_(
                0, indices.flatten(), g_top.flatten()
            )
            if g_aux is not None:
                grad_b.index_add_(0, dead, g_aux.sum(0, dtype=acc))
            if need_b_enc:
                grad_b_enc = grad_b.to(W_enc.dtype)
            if need_b_dec:
                grad_b_dec = -(W_enc.to(acc) @ grad_b).to(W_enc.dtype)
        if need_x:
            w_rows = W_enc.T.to(acc).contiguous()
            grad_c = F.embedding_bag(indices, w_rows, per_sample_weights=g_top, mode="sum")
            if g_aux is not None:
                grad_c = grad_c + g_aux.to(acc) @ w_rows.index_select(0, dead)
            grad_x = grad_c.reshape(ctx.x_shape).to(ctx.x_dtype)
        return grad_x, grad_b_dec, grad_w, grad_b_enc, None, None, None, None, None


def _embedding_bag_weight_grad(
    indices: torch.Tensor, weights: torch.Tensor, grad_out: torch.Tensor, num_rows: int
) -> torch.Tensor:
    """[num_rows, d]: row j = sum over (bag n, slot s) with indices[n, s] == j of weights[n, s] * grad_out[n].

    The weight gradient of `embedding_bag(indices, ., per_sample_weights=weights, mode="sum")`. The aten
    backward is called directly (no forward output, no zero-filled leaf: 14 ms against 23 ms on CPU for
    4096 x 32 indices, d 576); if that private op changes, the same gradient comes from autograd.
    """
    n, k = indices.shape
    try:
        return torch.ops.aten._embedding_bag_dense_backward(
            grad_out,
            indices.reshape(-1),
            torch.arange(n, device=indices.device).repeat_interleave(k),  # offset2bag
            torch.full((n,), k, dtype=torch.long, device=indices.device),  # bag_size
            indices.new_empty(0),  # maximum_indices: only for mode "max"
            num_rows,
            False,  # scale_grad_by_freq
            0,  # mode "sum"
            weights.reshape(-1),
            -1,  # padding_idx
        )
    except torch.OutOfMemoryError:
        raise  # out of memory is not a missing op: retrying through autograd would need more memory, and hide it
    except (AttributeError, RuntimeError, TypeError):  # a torch without this signature
        return _embedding_bag_weight_grad_autograd(indices, weights, grad_out, num_rows)


def _embedding_bag_weight_grad_autograd(
    indices: torch.Tensor, weights: torch.Tensor, grad_out: torch.Tensor, num_rows: int
) -> torch.Tensor:
    """The same gradient through public autograd (slower: a zero-filled leaf and a forward)."""
    with torch.enable_grad():
        rows = grad_out.new_zeros(num_rows, grad_out.shape[1], requires_grad=True)
        bags = F.embedding_bag(indices, rows, per_sample_weights=weights, mode="sum")
        return torch.autograd.grad(bags, rows, grad_out)[0]


def fused_topk_encode(
    x_n: torch.Tensor,
    b_dec: torch.Tensor,
    W_enc: torch.Tensor,
    b_enc: torch.Tensor,
    k: int,
    dead: torch.Tensor | None = None,
    aux_k: int = 0,
    scratch: Scratch | None = None,
) -> tuple[SparseCode, SparseCode]:
    """The top-k code of `pre = (x_n - b_dec) @ W_enc + b_enc` and the top-`aux_k` code among the `dead` latent
    indices (distinct, long [n_dead]; aux_k is clipped to n_dead), both flattened to rows [N, k] / [N, aux_k] with
    ReLU'd values and indices into d_sae. The dense `pre` is never kept for backward (see _FusedTopKEncode).
    Under autocast the GEMM and the values are in the autocast dtype, as in `TopKSae.encode_pre`. A `scratch`
    holds the dense pre-activations between calls on CPU (only one call may use it at a time).
    """
    dtype = _compute_dtype(x_n.device.type, W_enc.dtype)
    if dead is None:
        dead = torch.zeros(0, dtype=torch.long, device=x_n.device)
    aux_k = min(aux_k, dead.numel())
    with torch.autocast(x_n.device.type, enabled=False):
        values, indices, aux_values, aux_indices = _FusedTopKEncode.apply(
            x_n, b_dec, W_enc, b_enc, k, dead, aux_k, dtype, scratch
        )
    return SparseCode(indices=indices, values=values), SparseCode(indices=aux_indices, values=aux_values)
