"""The sparse code of a TopK SAE, the gather-based decode that never builds the dense [N, d_sae] code, and the
fused TopK encoder whose backward is sparse too.

Decode is `F.embedding_bag(indices, W_dec, per_sample_weights=values, mode="sum")`: it reads only the k
decoder rows each token uses (CPU, d_in 576, d_sae 9216, k 32, N 4096, fwd+bwd: 33 ms against 478 for a dense
fp32 `z @ W_dec`). The weight gradient of a gather is a gather too (`_gather_grads`), written once in its final
layout, on CPU into the memory of the last step's gradient (`Scratch`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import torch
import torch.nn.functional as F

_CPU_COLUMN_CHUNK = 256  # table columns per gather on CPU: a [N, 256] fp32 slice of the table stays in cache
_CPU_PART_BYTES = 8 << 20  # largest partial result on CPU: below glibc's mmap threshold, so no fresh page faults
_CPU_ROWS_CHUNK = 64  # columns per compact slice of the gathered rows in `_gather_among` ([32768, 64] fp32: 8 MB)
# The AuxK backward's cost on CPU in seconds, fitted to whole steps (2 cores; d_in 576 and 4096, N 2048-4096, bf16
# and fp32). Gathers: per (token, aux latent) entry and per element of its row. Dense: four GEMMs per token x dead
# latent x d_in element, and its full-size W_dec gradients (zero-filled, then summed) per d_sae x d_in element. At
# the reference shape gathers take ~0.6 s, dense >= 1.3 s even with 512 dead latents. On a GPU dense always wins.
_GATHER_ENTRY_S, _GATHER_ELEMENT_S = 1.2e-7, 4.3e-11
_GEMM_ELEMENT_S = {torch.float32: 5.3e-11, torch.float64: 1e-10}
_GEMM_ELEMENT_S_REDUCED = 2.4e-11
_FULL_GRAD_ELEMENT_S = 5e-9
Selection = int | Callable[[torch.Tensor], tuple[torch.Tensor, torch.Tensor]]  # k, or pre -> (values, indices)


class SparseCode(NamedTuple):
    """The k active latents of each token: `indices` [..., k] long, `values` [..., k] (>= 0, unordered)."""

    indices: torch.Tensor
    values: torch.Tensor

    def to_dense(self, d_sae: int) -> torch.Tensor:
        """The dense code [..., d_sae], zero outside the k selected latents."""
        return self.values.new_zeros(*self.indices.shape[:-1], d_sae).scatter(-1, self.indices, self.values)


class Scratch:
    """Reused CPU memory: the fused encoder's dense pre-activations and other large temporaries (`take`), and the
    weight gradients of the last step (`keep`, then `reclaim` by the next backward). On CPU a fresh 1 GB tensor
    pays its page faults again every step (~0.35 s, against ~0.05 s to rewrite memory already mapped); CUDA's
    caching allocator already reuses its blocks, so there nothing is held."""

    def __init__(self) -> None:
        self._buffers: dict[str, torch.Tensor] = {}
        self._kept: dict[str, torch.Tensor] = {}

    def take(
        self, rows: int, cols: int, dtype: torch.dtype, device: torch.device, key: str = "pre"
    ) -> torch.Tensor | None:
        """An uninitialised [rows, cols] view of the `key` buffer (grown when too small), or None off the CPU."""
        if device.type != "cpu":
            return None
        b = self._buffers.get(key)
        if b is None or b.numel() < rows * cols or b.dtype != dtype:
            b = self._buffers[key] = torch.empty(rows * cols, dtype=dtype)
        return b[: rows * cols].view(rows, cols)

    def keep(self, key: str, tensor: torch.Tensor) -> None:
        if tensor.device.type == "cpu":  # hold it (nothing else may use it any more) for a later `reclaim`
            self._kept[key] = tensor

    def reclaim(self, key: str, shape: tuple[int, ...], dtype: torch.dtype, device: torch.device) -> torch.Tensor:
        """The kept `key` tensor when it fits, handed over (no longer held here); else a new uninitialised one."""
        kept = self._kept.pop(key, None)
        if (kept is not None and tuple(kept.shape) == shape and kept.dtype == dtype and kept.device == device
                and kept.is_contiguous()):
            return kept
        return torch.empty(shape, dtype=dtype, device=device)


def _new_or_kept(scratch: Scratch | None, key: str, like: torch.Tensor, dtype: torch.dtype) -> torch.Tensor:
    return like.new_empty(like.shape, dtype=dtype) if scratch is None else scratch.reclaim(
        key, tuple(like.shape), dtype, like.device)


def _compute_dtype(device_type: str, param_dtype: torch.dtype) -> torch.dtype:
    """The dtype autocast would run the encoder GEMM in (the parameter dtype when autocast is off)."""
    if torch.is_autocast_enabled(device_type):
        return torch.get_autocast_dtype(device_type)
    return param_dtype


def sparse_aux(W_enc: torch.Tensor, n_tokens: int, n_dead: int, aux_k: int) -> bool:
    """Whether an AuxK code of aux_k of n_dead latents per token is trained by gathers rather than by GEMMs over all
    the dead latents (the cheaper by `_GATHER_ENTRY_S` and co.); both give the same gradients. Call it where
    autocast applies."""
    if W_enc.device.type != "cpu" or aux_k == 0:
        return False
    (d_in, d_sae), dtype = W_enc.shape, _compute_dtype(W_enc.device.type, W_enc.dtype)
    gathers = n_tokens * aux_k * (_GATHER_ENTRY_S + _GATHER_ELEMENT_S * d_in)
    gemm = _GEMM_ELEMENT_S.get(dtype, _GEMM_ELEMENT_S_REDUCED)
    return gathers < n_tokens * n_dead * d_in * gemm + _FULL_GRAD_ELEMENT_S * d_sae * d_in


class _Groups(NamedTuple):
    """Entries (row, bag, weight) grouped by row: row j's are `bags/weights[offsets[j]:offsets[j + 1]]`."""

    order: torch.Tensor  # the entries' original positions, in grouped order
    rows: torch.Tensor
    bags: torch.Tensor
    weights: torch.Tensor
    offsets: torch.Tensor  # [num_rows]


def _bag_ids(n: int, width: int, device: torch.device, first: int = 0) -> torch.Tensor:
    return torch.arange(first, first + n, device=device).repeat_interleave(width)


def _group_by_row(rows: torch.Tensor, bags: torch.Tensor, weights: torch.Tensor, num_rows: int) -> _Groups:
    sorted_rows, order = rows.to(torch.int32).sort()  # int32 keys sort ~1.5x faster on CPU; every row fits
    counts = torch.bincount(rows, minlength=num_rows)
    return _Groups(order, sorted_rows.long(), bags[order], weights[order], counts.cumsum(0) - counts)


def _gather_grads(
    tables: Sequence[torch.Tensor],
    groups: _Groups,
    out: torch.Tensor | None = None,
    transposed: bool = False,
    dense: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
    dot_weight: torch.Tensor | None = None,
) -> torch.Tensor | None:
    """The gradients of a gather (`embedding_bag` with per-sample weights) from the gradient of its output (the
    `tables` stacked, indexed by bag, in the weights' dtype): into `out`, row j (column j if `transposed`) = sum
    over row j's entries of weight * table[bag]; with `dot_weight` (the gathered matrix), returns the per-sample
    weights' gradients table[bag] . dot_weight[row] in the entries' original order. `dense` = (rows, coef,
    source) adds coef^T @ source into those rows of `out` in the same pass.

    The first is a gather with bags per row instead of per token: nothing zero-filled is scattered into, and it
    is written once in its final layout. On CPU both run on column slices of the table, which stay in cache
    (d_in 4096, d_sae 65536, 2.3M entries: ~0.3 s and ~0.9 s, against ~5 s and ~1.8 s for the aten backward),
    and the rows in blocks whose partial results stay small enough to be served from already-mapped memory.
    """
    width, cpu = tables[0].shape[1], tables[0].device.type == "cpu"
    step = _CPU_COLUMN_CHUNK if cpu else width
    rows_per_block = _CPU_PART_BYTES // (step * groups.weights.element_size())
    blocks = _row_blocks(groups, rows_per_block if cpu and dense is None else groups.offsets.numel())
    dots = None
    for start in range(0, width, step):
        cols = slice(start, start + step)
        tab = torch.cat([t[:, cols] for t in tables]).to(groups.weights.dtype)  # contiguous, in cache
        for r0, r1, e0, e1 in blocks if out is not None else ():
            part = F.embedding_bag(groups.bags[e0:e1], tab, groups.offsets[r0:r1] - e0, mode="sum",
                                   per_sample_weights=groups.weights[e0:e1])
            if dense is not None:
                rows, coef, source = dense
                part.index_add_(0, rows, (coef.T @ source[:, cols]).to(part.dtype))
            (out[cols, r0:r1] if transposed else out[r0:r1, cols]).copy_(part.T if transposed else part)
        if dot_weight is not None:
            partial = _entry_dots(tab, dot_weight[:, cols], groups)
            dots = partial if dots is None else dots.add_(partial)
    return None if dots is None else torch.empty_like(dots).index_copy_(0, groups.order, dots)


def _row_blocks(groups: _Groups, rows_per_block: int) -> list[tuple[int, int, int, int]]:
    """(first row, end row, first entry, end entry) of consecutive blocks of `rows_per_block` rows."""
    num_rows = groups.offsets.numel()
    if rows_per_block >= num_rows:  # one block: no host sync on CUDA
        return [(0, num_rows, 0, groups.bags.numel())]
    starts = list(range(0, num_rows, max(rows_per_block, 1)))
    entries = [*groups.offsets[starts].tolist(), groups.bags.numel()]
    return [(r, min(r + rows_per_block, num_rows), entries[i], entries[i + 1]) for i, r in enumerate(starts)]


def _entry_dots(table: torch.Tensor, weight: torch.Tensor, groups: _Groups) -> torch.Tensor:
    """table[bag] . weight[row] for every entry, in grouped order. The aten kernel of embedding_bag's per-sample
    weight gradient runs on the grouped entries (a weight row is then read once per group); if that private op
    changes, the same dots come from public ops."""
    try:
        return torch.ops.aten._embedding_bag_per_sample_weights_backward(
            table, weight, groups.rows, groups.offsets, groups.bags, 0, -1  # mode "sum", no padding_idx
        )
    except torch.OutOfMemoryError:
        raise  # out of memory is not a missing op
    except (AttributeError, RuntimeError, TypeError):  # a torch without this signature
        return _entry_dots_public(table, weight, groups)


def _entry_dots_public(table: torch.Tensor, weight: torch.Tensor, groups: _Groups) -> torch.Tensor:
    """`_entry_dots` through public ops, 2^22 / d entries at a time (bounded memory)."""
    block = max(1, 2**22 // max(table.shape[1], 1))
    return torch.cat([(weight.index_select(0, r) * table.index_select(0, b)).sum(1)
                      for r, b in zip(groups.rows.split(block), groups.bags.split(block), strict=True)])


class _SparseDecode(torch.autograd.Function):
    """sum_j values[n, j] * weight[indices[n, j]] for one code (indices, values) [N, k], or for two over the same
    weight (a training step's main and AuxK codes) with one weight gradient for both.

    Backward: both gradients by `_gather_grads` over the output gradients (for two codes stacked, [2N, d]), the
    weight's in the last step's gradient memory when the scratch kept it.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx, weight: torch.Tensor, scratch: Scratch | None,
        latents: torch.Tensor | None, *codes: torch.Tensor
    ) -> tuple[torch.Tensor, ...]:
        ctx.save_for_backward(weight, *codes)
        ctx.scratch = scratch
        outs = [F.embedding_bag(codes[0], weight, per_sample_weights=codes[1], mode="sum")]
        if len(codes) > 2:
            outs.append(_gather_among(codes[2], codes[3], weight, latents))
        return tuple(outs)

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx, *grads: torch.Tensor
    ) -> tuple[torch.Tensor | None, ...]:
        weight, *codes = ctx.saved_tensors
        indices, values = codes[0::2], codes[1::2]
        n, device = indices[0].shape[0], weight.device
        bags = [_bag_ids(n, idx.shape[1], device, p * n) for p, idx in enumerate(indices)]  # into the stacked grads
        groups = _group_by_row(torch.cat([idx.flatten() for idx in indices]), torch.cat(bags),
                               torch.cat([val.flatten() for val in values]), weight.shape[0])
        grad_weight = _new_or_kept(ctx.scratch, "grad_W_dec", weight, weight.dtype) if ctx.needs_input_grad[0] else None
        need_values = any(ctx.needs_input_grad[4::2])  # the values, after weight, scratch, latents, indices
        dots = _gather_grads(grads, groups, grad_weight, dot_weight=weight if need_values else None)
        grad_codes: list[torch.Tensor | None] = [None] * len(codes)
        if dots is not None:
            parts = dots.split([idx.numel() for idx in indices])
            grad_codes[1::2] = [d.view(idx.shape) for d, idx in zip(parts, indices, strict=True)]
        return grad_weight, None, None, *grad_codes


def _gather_among(
    indices: torch.Tensor, values: torch.Tensor, weight: torch.Tensor, latents: torch.Tensor | None
) -> torch.Tensor:
    """`embedding_bag(indices, weight, values)` for indices all among `latents` (distinct rows of weight). On CPU
    it gathers from column slices of those rows only, copied compact so that they stay in cache (d_in 4096,
    32768 rows, 2M entries: ~0.3 s against ~0.8 s from the whole weight)."""
    if latents is None or weight.device.type != "cpu":
        return F.embedding_bag(indices, weight, per_sample_weights=values, mode="sum")
    inverse = torch.empty(weight.shape[0], dtype=torch.long, device=weight.device)
    inverse[latents] = torch.arange(latents.numel(), device=weight.device)
    positions = inverse[indices]
    out = weight.new_empty(indices.shape[0], weight.shape[1])
    for start in range(0, weight.shape[1], _CPU_ROWS_CHUNK):
        cols = slice(start, start + _CPU_ROWS_CHUNK)
        out[:, cols] = F.embedding_bag(positions, weight[:, cols].index_select(0, latents), mode="sum",
                                       per_sample_weights=values)
    return out


def sparse_decode(
    indices: torch.Tensor, values: torch.Tensor, weight: torch.Tensor, scratch: Scratch | None = None
) -> torch.Tensor:
    """sum_j values[..., j] * weight[indices[..., j]] -> [..., weight.shape[1]]; no bias.

    Differentiable in `values` and `weight`. `values` are cast to the weight dtype because embedding_bag
    requires matching dtypes (under autocast the code is bf16 while the master weights stay fp32). A `scratch`
    lends the weight gradient the memory of the last step's (see `TopKSae.release_gradients`).
    """
    k = indices.shape[-1]
    (out,) = _SparseDecode.apply(weight, scratch, None, indices.reshape(-1, k),
                                 values.reshape(-1, k).to(weight.dtype))
    return out.reshape(*indices.shape[:-1], weight.shape[1])


def sparse_decode_pair(
    code: SparseCode, aux_code: SparseCode, weight: torch.Tensor, scratch: Scratch | None = None,
    aux_latents: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """`sparse_decode` of two codes, rows [N, k] and [N, aux_k >= 1], over the same weight in one autograd node
    (one weight gradient, one grouping of the entries): rows [N, d] each. `aux_latents` (distinct long) may list
    the rows the aux code chose among, a subset of the weight's: the forward then gathers from those only."""
    codes = [t for c in (code, aux_code) for t in (c.indices, c.values.to(weight.dtype))]
    out, aux_out = _SparseDecode.apply(weight, scratch, aux_latents, *codes)
    return out, aux_out


class _FusedTopKEncode(torch.autograd.Function):
    """pre = (x_n - b_dec) @ W_enc + b_enc, its top-k and the top aux_k among `dead` columns, without keeping
    the dense `pre` [N, d_sae] for autograd (it is the largest tensor of a training step).

    Backward never builds a dense gradient of `pre` either. With g the gradients of the ReLU'd values (zero
    where a value is <= 0) and c = x_n - b_dec:

    - W_enc: column j gets sum over (token, slot) choosing j of g * c[token]: `_gather_grads` over c, written
      transposed into W_enc's layout (fp32). With `sparse` False the AuxK part is instead a dense code over the
      dead columns times c (one GEMM per column slice in the autocast dtype), cheaper when aux_k is a large
      fraction of the dead latents (see `sparse_aux`);
    - b_enc: the same gradients index-added per latent; b_dec: -(W_enc @ grad_b_enc) (every token shares
      d pre / d b_dec = -W_enc^T), so the input-gradient gather is only run when x_n itself needs a gradient.
    """

    @staticmethod
    def forward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx, x_n: torch.Tensor, b_dec: torch.Tensor, W_enc: torch.Tensor,
        b_enc: torch.Tensor, k: Selection, dead: torch.Tensor, aux_k: int, dtype: torch.dtype, scratch: Scratch | None,
        sparse: bool
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        d_in, d_sae = W_enc.shape
        n = x_n.numel() // d_in
        centred = torch.sub(x_n.reshape(n, d_in), b_dec, out=x_n.new_empty(n, d_in, dtype=dtype))  # cast in the pass
        take = scratch.take if scratch is not None else lambda *args, **kw: None
        w = W_enc
        if dtype != W_enc.dtype:  # the GEMM's copy of the weights, in memory reused from step to step on CPU
            held = take(d_in, d_sae, dtype, W_enc.device, key="w")
            w = W_enc.to(dtype) if held is None else held.copy_(W_enc)
        # One GEMM with its bias in the autocast dtype, as `TopKSae.encode_pre` does under autocast.
        pre = torch.addmm(b_enc.to(dtype), centred, w, out=take(n, d_sae, dtype, centred.device))
        del w
        values, indices = k(pre) if callable(k) else pre.topk(k, dim=-1, sorted=False)
        values = values.relu()
        if aux_k > 0:
            # Choosing among the dead columns equals masking the live ones to -inf before topk. Reading them
            # from `pre` beats a GEMM over the dead columns (bf16 CPU, N 4096: 11 ms against 56 at d_in 576,
            # 0.3 s against 1.9 at d_in 4096).
            held = take(n, dead.numel(), dtype, pre.device, key="aux")
            pre_dead = pre.index_select(1, dead) if held is None else torch.index_select(pre, 1, dead, out=held)
            aux_values, positions = pre_dead.topk(aux_k, dim=-1, sorted=False)
            aux_values = aux_values.relu()
            del pre_dead
        else:
            aux_values, positions = values.new_zeros(n, 0), indices.new_zeros(n, 0)
        del pre  # the largest tensor of a training step: not kept
        aux_indices = dead[positions]
        ctx.save_for_backward(centred, W_enc, indices, values, dead, positions, aux_values)
        ctx.x_shape, ctx.x_dtype, ctx.scratch, ctx.sparse = x_n.shape, x_n.dtype, scratch, sparse
        ctx.mark_non_differentiable(indices, aux_indices)
        return values, indices, aux_values, aux_indices

    @staticmethod
    def backward(  # type: ignore[override]
        ctx: torch.autograd.function.FunctionCtx, grad_values: torch.Tensor, _grad_indices: torch.Tensor | None,
        grad_aux: torch.Tensor, _grad_aux_indices: torch.Tensor | None
    ) -> tuple[torch.Tensor | None, ...]:
        _, W_enc, indices, values, dead, positions, aux_values = ctx.saved_tensors
        need_x, need_b_dec, need_w, need_b_enc = ctx.needs_input_grad[:4]
        # Gradients are accumulated in fp32 at least (the bf16 code's gradients are summed over many tokens).
        acc = W_enc.dtype if W_enc.dtype.itemsize >= 4 else torch.float32
        rows, g = indices, grad_values.to(acc).masked_fill(values <= 0, 0)  # undefined gradients arrive as zeros
        g_aux = grad_aux.to(acc).masked_fill(aux_values <= 0, 0) if positions.shape[-1] > 0 else None
        if g_aux is not None:
            rows, g = torch.cat([rows, dead[positions]], 1), torch.cat([g, g_aux], 1)
        grad_x = grad_b_dec = grad_w = grad_b_enc = None
        if need_w:
            grad_w = _encoder_weight_grad(ctx, rows, g, g_aux, acc).to(W_enc.dtype)
        if need_b_enc or need_b_dec:
            grad_b = torch.zeros(W_enc.shape[1], dtype=acc, device=W_enc.device).index_add_(0, rows.flatten(),
                                                                                             g.flatten())
            if need_b_enc:
                grad_b_enc = grad_b.to(W_enc.dtype)
            if need_b_dec:
                grad_b_dec = -(W_enc.to(acc) @ grad_b).to(W_enc.dtype)
        if need_x:
            grad_c = F.embedding_bag(rows, W_enc.T.to(acc).contiguous(), per_sample_weights=g, mode="sum")
            grad_x = grad_c.reshape(ctx.x_shape).to(ctx.x_dtype)
        return grad_x, grad_b_dec, grad_w, grad_b_enc, None, None, None, None, None, None


def _encoder_weight_grad(
    ctx: torch.autograd.function.FunctionCtx, rows: torch.Tensor, g: torch.Tensor, g_aux: torch.Tensor | None,
    acc: torch.dtype
) -> torch.Tensor:
    """W_enc's gradient [d_in, d_sae] in `acc` from the entries (rows, g) [N, k (+ aux_k)] (see _FusedTopKEncode)."""
    centred, W_enc, _, _, dead, positions, _ = ctx.saved_tensors
    n, d_sae = centred.shape[0], W_enc.shape[1]
    dense = None
    if g_aux is not None and not ctx.sparse:
        # The AuxK part as a dense code over the dead columns only, [N, n_dead] in the compute dtype.
        coef = centred.new_zeros(n, dead.numel()).scatter_(-1, positions, g_aux.to(centred.dtype))
        dense = (dead, coef, centred)
        rows, g = rows[:, : -positions.shape[-1]], g[:, : -positions.shape[-1]]
    groups = _group_by_row(rows.flatten(), _bag_ids(n, rows.shape[1], rows.device), g.flatten(), d_sae)
    out = _new_or_kept(ctx.scratch, "grad_W_enc", W_enc, acc)
    _gather_grads([centred], groups, out, transposed=True, dense=dense)
    return out


def fused_topk_encode(
    x_n: torch.Tensor, b_dec: torch.Tensor, W_enc: torch.Tensor, b_enc: torch.Tensor, k: Selection,
    dead: torch.Tensor | None = None, aux_k: int = 0, scratch: Scratch | None = None, sparse: bool | None = None
) -> tuple[SparseCode, SparseCode]:
    """The top-k code of `pre = (x_n - b_dec) @ W_enc + b_enc` and the top-`aux_k` code among the `dead` latent
    indices (distinct, long [n_dead]; aux_k is clipped to n_dead), both flattened to rows [N, k] / [N, aux_k] with
    ReLU'd values and indices into d_sae (a callable `k` selects instead: see `Selection`). The dense `pre` is
    never kept for backward (see _FusedTopKEncode). Under autocast the GEMM and the values are in the autocast
    dtype, as in `TopKSae.encode_pre`. A `scratch` holds the dense pre-activations between calls on CPU (one call
    at a time) and lends W_enc's gradient the last step's memory. `sparse` picks the AuxK backward (`sparse_aux`).
    """
    dtype = _compute_dtype(x_n.device.type, W_enc.dtype)
    if dead is None:
        dead = torch.zeros(0, dtype=torch.long, device=x_n.device)
    aux_k = min(aux_k, dead.numel())
    if sparse is None:
        sparse = sparse_aux(W_enc, x_n.numel() // W_enc.shape[0], dead.numel(), aux_k)
    with torch.autocast(x_n.device.type, enabled=False):
        values, indices, aux_values, aux_indices = _FusedTopKEncode.apply(
            x_n, b_dec, W_enc, b_enc, k, dead, aux_k, dtype, scratch, sparse
        )
    return SparseCode(indices=indices, values=values), SparseCode(indices=aux_indices, values=aux_values)
