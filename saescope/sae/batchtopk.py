"""BatchTopK sparse autoencoder (Bussmann, Leask, Nanda 2024, arXiv 2412.06410): TopKSae with a batch-wide
selection in training and a learned threshold at inference.

    x_n, pre, x_hat_n, x_hat  as in TopKSae
    training:   z = pre where pre is among the B*k largest entries of the batch's pre [B, d_sae] and > 0, else 0
    inference:  z = pre * (pre > theta)                 (per token: independent of the rest of the batch)
    code:       the k_cap = min(4k, d_sae) largest entries of z per token (entries not above theta have value 0)

theta (the `threshold` buffer, 0-dim, saved with the weights) is the smallest positive value kept in each
training batch's code, averaged over steps: a running mean over the first 1/threshold_lr steps, then an EMA
with rate threshold_lr (`update_threshold`). L0 averages k over a training batch but varies per token; at
inference a token whose thresholded code has more than k_cap entries keeps only its k_cap largest (the cap of
the [n, k_cap] code the other stages read; `cap_truncation` measures how often it bites).
"""

from __future__ import annotations

import functools

import torch

from saescope.sae.kernels import Selection, SparseCode
from saescope.sae.model import STATE_DICT_KEYS, TopKSae, TrainingOutput

ARCHITECTURES = ("topk", "batchtopk")
K_CAP_FACTOR = 4  # the inference code holds up to K_CAP_FACTOR * k latents per token


class BatchTopKSelection:
    """The training selection of one batch (a `kernels.Selection`): of pre [N, d_sae], the N*k largest entries
    (ties at the cut-off broken by position), kept where > 0, laid out as rows [N, m], m the largest count of
    any row; the other m - count slots of a row hold distinct latents with value 0. `min_kept` is then the
    smallest positive kept value (0-dim, inf when none), theta's sample."""

    def __init__(self, k: int) -> None:
        self.k = k
        self.min_kept: torch.Tensor | None = None

    @torch.no_grad()
    def __call__(self, pre: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        n, d_sae = pre.shape
        kept = min(n * self.k, pre.numel())
        values, indices, cutoff = _candidates(pre, kept, min(K_CAP_FACTOR * self.k, d_sae))
        above, tied = values > cutoff, values == cutoff
        spare = kept - above.sum()
        keep = above | (tied & (tied.flatten().cumsum(0).view_as(tied) <= spare))
        width = int(keep.sum(-1).max())  # host sync on CUDA: the code's width
        # The kept entries first (a row's non-kept candidates become value-0 slots of distinct latents).
        values, slots = values.masked_fill(~keep, -torch.inf).topk(width, dim=-1, sorted=False)
        values = values.relu_()
        indices = indices.gather(-1, slots)
        self.min_kept = torch.where(values > 0, values, torch.inf).amin().float()
        return values, indices


def _candidates(pre: torch.Tensor, kept: int, width: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Each row's `width` largest pre-activations [N, width] (values, indices) holding all of the batch's `kept`
    largest, and the cut-off (the kept-th largest value). Exact: when some row's smallest candidate reaches the
    cut-off that row may hold more, and the width doubles. A top-k over the whole [N * d_sae] batch would be
    exact at once, but costs ~15x more on CPU."""
    while True:
        values, indices = pre.topk(width, dim=-1, sorted=False)
        cutoff = values.reshape(-1).topk(kept, sorted=False).values.min()
        if width == pre.shape[-1] or bool((values.amin(-1) < cutoff).all()):
            return values, indices, cutoff
        width = min(2 * width, pre.shape[-1])


class BatchTopKSae(TopKSae):
    """A TopKSae whose training code is BatchTopK and whose inference code is thresholded at theta (see the
    module docstring); `k` is the average L0 of training."""

    threshold: torch.Tensor
    architecture = "batchtopk"
    state_keys = (*STATE_DICT_KEYS, "threshold")

    def __init__(self, d_in: int, d_sae: int, k: int, *, device: torch.device | str | None = None,
                 dtype: torch.dtype = torch.float32) -> None:
        super().__init__(d_in, d_sae, k, device=device, dtype=dtype)
        self.register_buffer("threshold", torch.zeros((), device=device, dtype=dtype))

    @property
    def k_cap(self) -> int:
        return min(K_CAP_FACTOR * self.k, self.d_sae)

    def topk(self, pre: torch.Tensor) -> SparseCode:
        """The inference code of pre-activations [..., d_sae]: the k_cap largest of pre * (pre > theta)."""
        z = pre.masked_fill(pre <= self.threshold.to(pre.dtype), 0)
        values, indices = z.topk(self.k_cap, dim=-1, sorted=False)
        return SparseCode(indices=indices, values=values.relu())

    def training_forward(self, x: torch.Tensor, dead_mask: torch.Tensor, aux_k: int,
                         selection: Selection | None = None) -> TrainingOutput:
        chosen = selection if isinstance(selection, BatchTopKSelection) else BatchTopKSelection(self.k)
        out = super().training_forward(x, dead_mask, aux_k, chosen)
        out.batch_threshold = chosen.min_kept
        return out

    @torch.no_grad()
    def update_threshold(self, batch_threshold: torch.Tensor, updates: int, rate: float) -> None:
        """theta <- theta + max(rate, 1 / (updates + 1)) * (batch_threshold - theta), in float64; `updates` is
        the number of earlier updates (so the first sets theta to the batch's value). A non-finite batch value
        (no positive entry kept) leaves theta as it is. No host sync."""
        step = max(rate, 1.0 / (updates + 1))
        old = self.threshold.double()
        new = old + step * (batch_threshold.to(old.device, torch.float64) - old)
        self.threshold.copy_(torch.where(torch.isfinite(new), new, old))

    @torch.no_grad()
    def cap_truncation(self, x: torch.Tensor) -> float:
        """The fraction of tokens [..., d_in] with more than k_cap pre-activations above theta (whose inference
        code therefore drops its smallest entries)."""
        pre = self.encode_pre(self.normalize(x))
        return float(((pre > self.threshold).sum(-1) > self.k_cap).float().mean())

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, k_cap={self.k_cap}, threshold={float(self.threshold):.6g}"


def sae_class(architecture: str, base: type[TopKSae] = TopKSae) -> type[TopKSae]:
    """The class for `architecture` ("topk" or "batchtopk") derived from `base` (a TopKSae subclass such as
    saescope.Sae): `base` itself for topk, else a subclass of both `base` and BatchTopKSae."""
    if architecture not in ARCHITECTURES:
        raise ValueError(f"unknown SAE architecture {architecture!r}; choose from {list(ARCHITECTURES)}")
    if architecture == "topk" or issubclass(base, BatchTopKSae):
        return base
    return BatchTopKSae if base is TopKSae else _batchtopk_variant(base)


@functools.cache
def _batchtopk_variant(base: type[TopKSae]) -> type[TopKSae]:
    return type(f"{base.__name__}BatchTopK", (base, BatchTopKSae), {"__module__": base.__module__})


def state_keys(architecture: str) -> tuple[str, ...]:
    """The tensors an SAE of `architecture` is saved as."""
    return sae_class(architecture).state_keys


def build_sae(architecture: str, d_in: int, d_sae: int, k: int, **kwargs: object) -> TopKSae:
    """A new SAE of `architecture` (see `sae_class`)."""
    return sae_class(architecture)(d_in, d_sae, k, **kwargs)  # type: ignore[arg-type]
