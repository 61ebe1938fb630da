"""The index's decoder-side tables: what each feature's decoder direction is, independent of any activations.

- feature_neighbours.parquet: each feature's nearest features by cosine of their raw-space decoder directions;
- feature_logits.parquet: the logit lens of each direction, the tokens it most promotes and most suppresses
  through the model's final norm and unembedding.

A feature's raw-space decoder direction is d_f = W_dec[f] * input_std (see `saescope.steer.intervene`): the SAE
works on normalised activations, so W_dec's rows are only the directions up to that per-dimension scaling, and
both tables are computed on d_f. Everything runs in row blocks on one device, never on a [d_sae, d_sae] or
[d_sae, vocab] matrix at once (at the reference size d_sae is 65,536, d_in 4096 and the vocabulary ~150k).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import torch
from torch import nn
from transformers import PreTrainedTokenizerBase

from saescope.index.errors import ReverseIndexError
from saescope.sae.model import TopKSae

NEIGHBOURS_FILE = "feature_neighbours.parquet"
LOGITS_FILE = "feature_logits.parquet"
DIRECTIONS = ("promoted", "suppressed")
MAX_RANKS = int(np.iinfo(np.int8).max)  # `rank` is int8: at most 127 neighbours or lens tokens per feature

NEIGHBOURS_SCHEMA = pa.schema([
    ("feature", pa.int32()), ("rank", pa.int8()), ("neighbour", pa.int32()), ("cosine", pa.float32()),
])
LOGITS_SCHEMA = pa.schema([
    ("feature", pa.int32()), ("direction", pa.string()), ("rank", pa.int8()), ("token_id", pa.int32()),
    ("token", pa.string()), ("logit", pa.float32()),
])


def raw_directions(sae: TopKSae, device: torch.device | None = None) -> torch.Tensor:
    """Every feature's raw-space decoder direction W_dec * input_std [d_sae, d_in], float32, on `device` (the
    SAE's when None); only W_dec and input_std are moved there."""
    device = sae.W_dec.device if device is None else device
    w_dec = sae.W_dec.detach().to(device, torch.float32)
    return w_dec * sae.input_std.detach().to(device, torch.float32)


def _check_block_rows(block_rows: int) -> None:
    if block_rows < 1:
        raise ValueError(f"block_rows must be at least 1, got {block_rows}")


def _top_rows(block: torch.Tensor, n: int) -> tuple[torch.Tensor, torch.Tensor]:
    """The n largest entries of each row of `block` [rows, columns] and their columns, largest first, equal values
    in column order (the lower column first), as (values [rows, n], columns int64 [rows, n])."""
    values, columns = block.topk(n, dim=1)
    # Among values equal to its n-th, topk keeps an arbitrary subset: rows with more such columns than it kept
    # (a zero row, whose every cosine is 0, is one) are picked again by a stable sort, which keeps column order.
    cut = values[:, -1:]
    short = (block == cut).sum(dim=1) > (values == cut).sum(dim=1)
    if bool(short.any()):
        rows = short.nonzero().squeeze(1)
        resorted, order = block[rows].sort(dim=1, descending=True, stable=True)
        values[rows], columns[rows] = resorted[:, :n], order[:, :n]
    # Within the n kept, put equal values in column order: sort by column, then stably by value.
    columns, by_column = columns.sort(dim=1)
    values, by_value = values.gather(1, by_column).sort(dim=1, descending=True, stable=True)
    return values, columns.gather(1, by_value)


@torch.no_grad()
def nearest_features(w_dec: torch.Tensor, n: int = 10, block_rows: int = 4096) -> tuple[torch.Tensor, torch.Tensor]:
    """For every row of `w_dec` [d_sae, d_in], the `n` other rows of highest cosine similarity (itself excluded).

    Pass the raw-space directions (`raw_directions(sae)`), not W_dec itself: the cosine of W_dec's rows is the
    one in the SAE's normalised space, which input_std's per-dimension scaling changes.

    Returns (indices int64 [d_sae, n], cosines float32 [d_sae, n]), cosine descending and equal cosines in
    feature order, on w_dec's device; n is capped at d_sae - 1. A zero row has cosine 0 with every row (not
    NaN). The cosines are computed [block_rows, d_sae] at a time: ~block_rows * d_sae * 4 bytes of scratch
    (1 GiB at 4096 x 65,536), plus a unit-norm float32 copy of w_dec.
    """
    _check_block_rows(block_rows)
    d_sae = w_dec.shape[0]
    n = max(min(n, d_sae - 1), 0)
    indices = torch.empty(d_sae, n, dtype=torch.int64, device=w_dec.device)
    cosines = torch.empty(d_sae, n, dtype=torch.float32, device=w_dec.device)
    if n == 0:
        return indices, cosines
    w = w_dec.detach().float()
    # The norm floor makes a zero row a zero unit row (cosine 0) instead of 0 / 0.
    unit = w / w.norm(dim=1, keepdim=True).clamp_min(torch.finfo(torch.float32).tiny)
    for start in range(0, d_sae, block_rows):
        rows = unit[start:start + block_rows]
        block = rows @ unit.T
        local = torch.arange(rows.shape[0], device=block.device)
        block[local, local + start] = -torch.inf  # a feature is not its own neighbour
        values, columns = _top_rows(block, n)
        cosines[start:start + rows.shape[0]] = values.clamp_(-1.0, 1.0)
        indices[start:start + rows.shape[0]] = columns
        del block
    return indices, cosines


@torch.no_grad()
def logit_lens(
    directions: torch.Tensor, unembedding: torch.Tensor, norm_weight: torch.Tensor | None, n: int = 10,
    block_rows: int = 1024,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The logits each direction d_f (rows of `directions` [d_sae, d_model], raw space) adds through the final
    norm and the unembedding [vocab, d_model]: unembedding @ (norm_weight * d_f) (no norm_weight: unembedding @ d_f).

    RMSNorm also divides by the position's root mean square, a positive scale common to all tokens: it does not
    change which tokens rank first, so it is left out (the logits are those of a unit RMS scale). Norms that
    scale by (1 + weight) (Gemma's) or subtract a mean (LayerNorm) are not covered; `lens_weights` refuses them.
    An output-layer bias would not depend on d_f and is not added.

    Returns (promoted ids int64 [d_sae, n], promoted logits float32, suppressed ids, suppressed logits): the n
    largest logits, largest first, and the n smallest, most negative first; equal logits in token-id order; n is
    capped at the vocabulary size. Computed in float32 on directions' device, block_rows features at a time
    (~block_rows * vocab * 4 bytes of scratch), with a float32 copy of the unembedding there unless it already
    is one.
    """
    _check_block_rows(block_rows)
    d_sae, d_model = directions.shape
    if unembedding.shape[1] != d_model or (norm_weight is not None and norm_weight.shape != (d_model,)):
        raise ReverseIndexError(
            f"the logit lens needs directions of the model's width: directions are {d_model}-dimensional, the "
            f"unembedding is {tuple(unembedding.shape)}"
            + ("" if norm_weight is None else f" and the final norm's weight {tuple(norm_weight.shape)}"))
    n = max(min(n, unembedding.shape[0]), 0)
    device = directions.device
    u = unembedding.detach().to(device, torch.float32)
    scale = None if norm_weight is None else norm_weight.detach().to(device, torch.float32)
    out = tuple(torch.empty(d_sae, n, dtype=dtype, device=device)
                for dtype in (torch.int64, torch.float32, torch.int64, torch.float32))
    if n == 0:
        return out
    for start in range(0, d_sae, block_rows):
        d = directions[start:start + block_rows].detach().float()
        logits = (d if scale is None else d * scale) @ u.T
        rows = slice(start, start + d.shape[0])
        out[1][rows], out[0][rows] = _top_rows(logits, n)
        low, out[2][rows] = _top_rows(logits.neg_(), n)  # the smallest logits are the largest of their negation
        out[3][rows] = low.neg_()
        del logits
    return out


def lens_weights(model: nn.Module) -> tuple[torch.Tensor, torch.Tensor | None]:
    """(unembedding [vocab, d_model], final norm weight [d_model] or None where the norm has no weight) of a
    Hugging Face causal LM whose final norm is an RMSNorm at `model.model.norm` (Qwen3, Llama, SmolLM2, Mistral).

    Raises ReverseIndexError naming what is missing: no output embedding, no final norm there, or a norm the
    lens does not cover (Gemma's (1 + weight) RMSNorm, LayerNorm).
    """
    name = type(model).__name__
    get_head = getattr(model, "get_output_embeddings", None)
    head = get_head() if callable(get_head) else None
    unembedding = getattr(head, "weight", None)
    if not isinstance(unembedding, torch.Tensor) or unembedding.dim() != 2:
        raise ReverseIndexError(f"the logit lens needs the model's output embedding: {name} has no "
                                "get_output_embeddings().weight; or pass --index.logit-lens 0")
    norm = getattr(getattr(model, "model", None), "norm", None)
    if not isinstance(norm, nn.Module):
        raise ReverseIndexError(f"the logit lens needs the model's final norm: {name} has no model.norm; "
                                "or pass --index.logit-lens 0")
    kind = type(norm).__name__
    if "RMSNorm" not in kind or kind.lower().startswith("gemma"):
        raise ReverseIndexError(f"the logit lens covers final norms that scale by their weight (Llama's, Qwen's "
                                f"RMSNorm); {name}'s model.norm is a {kind}; pass --index.logit-lens 0")
    weight = getattr(norm, "weight", None)
    return unembedding.detach(), None if weight is None else weight.detach()


def _check_ranks(n: int, what: str) -> None:
    if n > MAX_RANKS:
        raise ReverseIndexError(f"{what} {n}: at most {MAX_RANKS} per feature (the tables' rank is int8)")


def neighbours_table(indices: torch.Tensor, cosines: torch.Tensor) -> pa.Table:
    """NEIGHBOURS_SCHEMA from `nearest_features`' output: feature, rank (0: nearest), neighbour, cosine, in
    (feature, rank) order."""
    d_sae, n = indices.shape
    _check_ranks(n, "neighbours")
    arrays = [np.repeat(np.arange(d_sae, dtype=np.int32), n), np.tile(np.arange(n, dtype=np.int8), d_sae),
              indices.cpu().numpy().reshape(-1).astype(np.int32),
              cosines.cpu().numpy().reshape(-1).astype(np.float32)]
    return pa.Table.from_arrays([pa.array(a) for a in arrays], schema=NEIGHBOURS_SCHEMA)


def _token_strings(ids: np.ndarray, tokenizer: PreTrainedTokenizerBase | None) -> pa.Array:
    """Each id decoded alone (every distinct id once); null without a tokenizer, and for ids past its vocabulary
    (an unembedding padded beyond the tokenizer, as Qwen's is)."""
    if tokenizer is None:
        return pa.nulls(len(ids), pa.string())
    unique, inverse = np.unique(ids, return_inverse=True)
    known = unique < len(tokenizer)
    decoded = np.full(len(unique), None, dtype=object)
    decoded[known] = tokenizer.batch_decode([[i] for i in unique[known].tolist()]) if known.any() else []
    return pa.array(decoded, pa.string()).take(pa.array(inverse.reshape(-1).astype(np.int64)))


def logits_table(
    promoted_ids: torch.Tensor, promoted_logits: torch.Tensor, suppressed_ids: torch.Tensor,
    suppressed_logits: torch.Tensor, tokenizer: PreTrainedTokenizerBase | None,
) -> pa.Table:
    """LOGITS_SCHEMA from `logit_lens`' output: feature, direction ("promoted" or "suppressed"), rank, token_id,
    token (the id decoded alone; null without a tokenizer), logit, in (feature, promoted first, rank) order."""
    d_sae, n = promoted_ids.shape
    _check_ranks(n, "logit-lens tokens")
    # Row-major [d_sae, 2n]: a feature's promoted ranks, then its suppressed ranks.
    ids = torch.cat([promoted_ids, suppressed_ids], dim=1).cpu().numpy().reshape(-1).astype(np.int32)
    logits = torch.cat([promoted_logits, suppressed_logits], dim=1).float().cpu().numpy().reshape(-1)
    direction = pa.array(DIRECTIONS, pa.string()).take(pa.array(np.tile(np.repeat([0, 1], n), d_sae)))
    arrays = [pa.array(np.repeat(np.arange(d_sae, dtype=np.int32), 2 * n)), direction,
              pa.array(np.tile(np.arange(n, dtype=np.int8), 2 * d_sae)), pa.array(ids),
              _token_strings(ids, tokenizer), pa.array(logits)]
    return pa.Table.from_arrays(arrays, schema=LOGITS_SCHEMA)


def decoder_tables(
    sae: TopKSae, model: nn.Module | None, tokenizer: PreTrainedTokenizerBase | None, neighbours: int,
    lens_tokens: int, device: torch.device,
) -> dict[str, pa.Table]:
    """{NEIGHBOURS_FILE: ...} when neighbours > 0, plus {LOGITS_FILE: ...} when a model is given and
    lens_tokens > 0, computed on `device` (the SAE's decoder, input_std and the model's unembedding and final norm
    weight are moved there, nothing else)."""
    _check_ranks(neighbours, "neighbours")
    _check_ranks(lens_tokens, "logit-lens tokens")
    # Before the neighbours are computed: a model the lens cannot use fails fast.
    weights = lens_weights(model) if model is not None and lens_tokens > 0 else None
    if neighbours <= 0 and weights is None:
        return {}
    directions = raw_directions(sae, device)
    tables: dict[str, pa.Table] = {}
    if neighbours > 0:
        tables[NEIGHBOURS_FILE] = neighbours_table(*nearest_features(directions, neighbours))
    if weights is not None:
        tables[LOGITS_FILE] = logits_table(*logit_lens(directions, *weights, n=lens_tokens), tokenizer)
    return tables
