"""Training losses (normalised-space MSE, AuxK), fraction of variance explained, and dead-latent tracking."""

from __future__ import annotations

from collections.abc import Mapping

import torch
import torch.nn.functional as F

from saescope.sae.kernels import SparseCode
from saescope.sae.model import TopKSae


def mse_loss(x_hat_n: torch.Tensor, x_n: torch.Tensor) -> torch.Tensor:
    """Per-element mean squared error in normalised space, in fp32."""
    # One fused kernel each way instead of sub, square, mean and their three backward passes (~2.5x faster).
    return F.mse_loss(x_hat_n.float(), x_n.float())


def weighted_mse_loss(x_hat_n: torch.Tensor, x_n: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """`mse_loss` with a weight per row [N]: sum_r w_r ||x_hat_r - x_r||^2 / (d * sum_r w_r), in fp32. With all
    weights 1 it is `mse_loss`."""
    err = (x_hat_n.float() - x_n.float()).square().sum(-1)
    return (err * weights).sum() / (weights.sum().clamp_min(1e-12) * x_n.shape[-1])


def sink_weights(x: torch.Tensor, factor: float, weight: float) -> torch.Tensor:
    """Row weights [N] for `weighted_mse_loss`: `weight` for the attention sinks (rows of `x` [N, d], raw space,
    whose norm exceeds `factor` times the batch's median norm, the rule eval's fve_ordinary uses), 1 for the rest."""
    norms = x.float().norm(dim=-1)
    sinks = norms > factor * norms.median()
    return torch.where(sinks, torch.as_tensor(weight, dtype=torch.float32, device=x.device), 1.0)


def _rows(x: torch.Tensor) -> torch.Tensor:
    return x.reshape(-1, x.shape[-1])


def fve(x: torch.Tensor, x_hat: torch.Tensor) -> torch.Tensor:
    """Fraction of variance explained, pooled over the batch: 1 - sum||x - x_hat||^2 / sum||x - mean(x)||^2.

    The mean is the batch mean per dimension. 1 is a perfect reconstruction, 0 is as good as predicting the
    mean. A constant batch has no variance and gives inf or nan.
    """
    x, x_hat = _rows(x).float(), _rows(x_hat).float()
    err = (x - x_hat).square().sum()
    total = (x - x.mean(dim=0)).square().sum()
    return 1.0 - err / total


class FveAccumulator:
    """FVE pooled exactly over many batches, centred with the global mean.

    Keeps float64 sums (sum_sq_err, sum_x, sum_x2 per dimension, count) and uses
    sum||x - mean||^2 = sum_d (sum x_d^2 - count * mean_d^2). The sums are plain tensors, so several ranks
    combine with an all_reduce(SUM) on each, or with `merge`.
    """

    def __init__(self, d: int, device: torch.device | str | None = None) -> None:
        self.sum_sq_err = torch.zeros((), dtype=torch.float64, device=device)
        self.sum_x = torch.zeros(d, dtype=torch.float64, device=device)
        self.sum_x2 = torch.zeros(d, dtype=torch.float64, device=device)
        self.count = torch.zeros((), dtype=torch.float64, device=device)

    @torch.no_grad()
    def update(self, x: torch.Tensor, x_hat: torch.Tensor) -> None:
        x, x_hat = _rows(x).double(), _rows(x_hat).double()
        self.sum_sq_err += (x - x_hat).square().sum()
        self.sum_x += x.sum(dim=0)
        self.sum_x2 += x.square().sum(dim=0)
        self.count += x.shape[0]

    def merge(self, other: FveAccumulator) -> None:
        self.sum_sq_err += other.sum_sq_err
        self.sum_x += other.sum_x
        self.sum_x2 += other.sum_x2
        self.count += other.count

    def compute(self) -> float:
        total = (self.sum_x2 - self.sum_x.square() / self.count).sum()
        return float(1.0 - self.sum_sq_err / total)


def auxk_loss(
    sae: TopKSae,
    pre: torch.Tensor,
    e: torch.Tensor,
    dead_mask: torch.Tensor,
    aux_k: int,
    residual_variance: torch.Tensor | None = None,
) -> torch.Tensor:
    """AuxK loss: how well the top `aux_k` dead latents reconstruct the main model's residual.

    `pre` are the forward's pre-activations [..., d_sae] (keep them attached: the loss trains the dead
    latents' encoder columns and b_enc through them), `e` the residual x_n - x_hat_n [..., d_in] (detached
    here), `dead_mask` a bool [d_sae]. The dead latents' decoder rows are summed without b_dec:

        L_aux = sum||e_hat - e||^2 / sum||e - mean(e)||^2    (sums over batch and dims, mean over the batch)

    With no dead latents (or aux_k == 0) the result is a zero still attached to `pre`, so adding it to the
    loss and calling backward always works. `residual_variance` replaces the denominator, for a caller that
    pools it over a global batch split across ranks.
    """
    pre = _rows(pre)
    # nonzero syncs with the host on CUDA: the number of dead latents sets the shapes below.
    dead = dead_mask.to(pre.device).nonzero().squeeze(-1)
    aux_k = min(aux_k, dead.numel())
    if aux_k == 0:
        return pre[:, :0].float().sum()
    e_hat = _decode_top_dead(sae, pre, dead, aux_k)
    return _normalised_error(e_hat, e, residual_variance)


def auxk_loss_from_code(
    sae: TopKSae,
    aux_code: SparseCode,
    e: torch.Tensor,
    residual_variance: torch.Tensor | None = None,
    latents: torch.Tensor | None = None,
    decoded: torch.Tensor | None = None,
) -> torch.Tensor:
    """`auxk_loss` from the aux code of `TopKSae.training_forward` (rows [N, aux_k], indices into d_sae,
    ReLU'd values) instead of the dense pre-activations: the same value and gradients.

    `latents` are the dead latents the code was chosen among (`TrainingOutput.aux_latents`); without them
    they are recovered from the code. `decoded` is the code already decoded without b_dec
    (`TrainingOutput.aux_decoded`), used as is. With an empty code (no dead latents, or aux_k 0) the result is a
    zero still attached to the code.
    """
    if aux_code.indices.shape[-1] == 0:
        return aux_code.values.float().sum()
    if decoded is not None:
        return _normalised_error(decoded, e, residual_variance)
    indices = _rows(aux_code.indices)
    if latents is None:
        latents, positions = indices.unique(return_inverse=True)
    else:
        latents = latents.to(indices.device)
        # Position of each latent among `latents`: the code laid out densely over those columns only.
        inverse = torch.empty(sae.d_sae, dtype=torch.long, device=indices.device)
        inverse[latents] = torch.arange(latents.numel(), device=indices.device)
        positions = inverse[indices]
    e_hat = _decode_over(sae, _rows(aux_code.values), positions, latents)
    return _normalised_error(e_hat, e, residual_variance)


def _normalised_error(e_hat: torch.Tensor, e: torch.Tensor, residual_variance: torch.Tensor | None) -> torch.Tensor:
    e = _rows(e).detach().float()
    err = F.mse_loss(e_hat.float(), e, reduction="sum")
    if residual_variance is None:
        residual_variance = (e - e.mean(dim=0)).pow_(2).sum()  # squared in place: one [N, d] temporary
    return err / residual_variance


def _decode_top_dead(sae: TopKSae, pre: torch.Tensor, dead: torch.Tensor, aux_k: int) -> torch.Tensor:
    """Decode, without b_dec, the `aux_k` largest pre-activations (ReLU'd) among the `dead` latent indices.

    The code is laid out densely over the dead columns only and decoded with one matmul against their
    decoder rows. A gather decode (as in the main forward) reads N * aux_k decoder rows, and aux_k is large
    (512 is usual): on CPU it made a whole training step 2x slower, and on GPU it is memory-bound.
    """
    with torch.no_grad():
        # Choosing among the dead columns equals masking the live ones to -inf before topk.
        positions = pre.index_select(-1, dead).topk(aux_k, dim=-1, sorted=False).indices
    # Gathering the values from `pre` itself keeps the gradient path to the chosen latents' W_enc and b_enc.
    values = pre.gather(-1, dead[positions]).relu()
    return _decode_over(sae, values, positions, dead)


def _decode_over(sae: TopKSae, values: torch.Tensor, positions: torch.Tensor, latents: torch.Tensor) -> torch.Tensor:
    """sum_j values[:, j] * W_dec[latents[positions[:, j]]], via a dense code over `latents` and one matmul."""
    z = values.new_zeros(values.shape[0], latents.numel()).scatter(-1, positions, values)
    if not torch.is_autocast_enabled(z.device.type):
        z = z.to(sae.W_dec.dtype)  # under autocast the matmul runs in the code's dtype: no round trip
    return z @ sae.W_dec.index_select(0, latents)


class DeadLatentTracker:
    """Per latent, the number of tokens since it last fired (had a positive value in some token's code)."""

    def __init__(self, d_sae: int, device: torch.device | str | None = None) -> None:
        self.tokens_since_fired = torch.zeros(d_sae, dtype=torch.int64, device=device)

    @property
    def d_sae(self) -> int:
        return self.tokens_since_fired.numel()

    @torch.no_grad()
    def fired_mask(self, indices: torch.Tensor, values: torch.Tensor | None = None) -> torch.Tensor:
        """Bool [d_sae] of the latents in a code; with `values`, only those that were positive somewhere."""
        device = self.tokens_since_fired.device
        indices = indices.flatten().to(device)
        hits = torch.ones_like(indices, dtype=torch.int32) if values is None else (values.flatten() > 0).int()
        # index_add rather than boolean masking: no host sync on CUDA.
        counts = torch.zeros(self.d_sae, dtype=torch.int32, device=device).index_add_(
            0, indices, hits.to(device)
        )
        return counts > 0

    @torch.no_grad()
    def update_from_fired(self, fired_mask: torch.Tensor, n_tokens: int) -> None:
        """Advance every counter by `n_tokens` and reset those of fired latents (across ranks: MAX-reduce the
        mask and pass the global token count)."""
        self.tokens_since_fired += n_tokens
        self.tokens_since_fired[fired_mask.to(self.tokens_since_fired.device)] = 0

    def update(self, indices: torch.Tensor, n_tokens: int, values: torch.Tensor | None = None) -> None:
        self.update_from_fired(self.fired_mask(indices, values), n_tokens)

    def dead_mask(self, dead_tokens: int) -> torch.Tensor:
        return self.tokens_since_fired >= dead_tokens

    def state_dict(self) -> dict[str, torch.Tensor]:
        return {"tokens_since_fired": self.tokens_since_fired.clone()}

    def load_state_dict(self, state_dict: Mapping[str, torch.Tensor]) -> None:
        counts = state_dict["tokens_since_fired"]
        if counts.shape != self.tokens_since_fired.shape:
            raise ValueError(f"tracker state has shape {tuple(counts.shape)}, expected ({self.d_sae},)")
        self.tokens_since_fired.copy_(counts)
