"""The optimisation loop of a TopK SAE with AuxK. It knows nothing of the LLM or of files: it takes batches
of activations, and the caller decides when to evaluate and checkpoint (SAELens' trainer shape)."""

from __future__ import annotations

from typing import Any

import torch
import torch.distributed as torch_dist
from torch.nn.parallel import DistributedDataParallel

from saescope.config.schema import Hyperparams
from saescope.errors import SaescopeError
from saescope.sae.batchtopk import BatchTopKSae
from saescope.sae.losses import DeadLatentTracker, auxk_loss_from_code, mse_loss, sink_weights, weighted_mse_loss
from saescope.sae.model import TopKSae
from saescope.utils.precision import compute_dtype


class TrainingDiverged(SaescopeError, RuntimeError):
    """Too many non-finite losses in a row; the last good state has been checkpointed by the caller."""


def scaled_lr(d_sae: int, batch_size: int) -> float:
    """The default learning rate (`lr: None`): 6e-3, the best of bench/fve_vs_sparsify.py at the demo's d_sae 4608
    and batch 4096, scaled as 1/sqrt(width) (Gao et al. 2024; sparsify's Adam rule) and as sqrt(batch) (Malladi
    et al. 2022, the square-root rule for Adam)."""
    return 6e-3 * (4608 / d_sae) ** 0.5 * (batch_size / 4096) ** 0.5


def _distributed() -> bool:
    return torch_dist.is_available() and torch_dist.is_initialized()


class Trainer:
    def __init__(self, sae: TopKSae, hp: Hyperparams, device: torch.device, total_tokens: int | None = None) -> None:
        self.sae = sae.to(device)
        self.hp = hp
        self.device = device
        self.compute_dtype = compute_dtype(hp.autocast_dtype, device)  # float32 where bf16 would be emulated
        self.model: torch.nn.Module = DistributedDataParallel(self.sae) if _distributed() else self.sae
        # The fused (single-kernel) Adam: the same update, ~3x faster than the default foreach one on CPU.
        self.lr = hp.lr if hp.lr is not None else scaled_lr(sae.d_sae, hp.batch_size)
        self.optimizer = torch.optim.Adam(
            self.sae.parameters(), lr=self.lr, betas=(hp.beta1, hp.beta2), fused=device.type in ("cpu", "cuda")
        )
        self.total_tokens = total_tokens  # the decay's budget; set before the scheduler first calls _lr_factor
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(self.optimizer, self._lr_factor)
        self.tracker = DeadLatentTracker(sae.d_sae, device=device)
        self.step = 0
        self.tokens_seen = 0
        self.nonfinite_skipped = 0
        self.consecutive_nonfinite = 0

    def _lr_factor(self, step: int) -> float:
        """Linear warmup, then (with lr_decay_fraction and a known token budget) a linear decay to zero over the
        last fraction; counted in tokens, whatever the batch size."""
        tokens = (step + 1) * self.hp.batch_size
        warmup = min(1.0, tokens / max(self.hp.warmup_tokens, 1))
        total = self.total_tokens
        if not total or self.hp.lr_decay_fraction == 0:
            return warmup
        remaining = max(total - step * self.hp.batch_size, 0)
        return warmup * min(1.0, remaining / (self.hp.lr_decay_fraction * total))

    def _reconstruction_loss(self, x: torch.Tensor, out: Any) -> torch.Tensor:
        if self.hp.sink_loss_weight == 1.0:
            return mse_loss(out.x_hat_n, out.x_n)
        # Sinks (a few hundred times an ordinary token's squared error in normalised space) would otherwise set
        # most of the gradient; under DDP each rank weighs its own rows.
        return weighted_mse_loss(out.x_hat_n, out.x_n, sink_weights(x, self.hp.sink_factor,
                                                                     self.hp.sink_loss_weight))

    def _autocast(self) -> torch.autocast:
        dtype = self.compute_dtype
        return torch.autocast(self.device.type, dtype=dtype, enabled=dtype != torch.float32)

    def train_step(self, x: torch.Tensor) -> dict[str, float]:
        """One optimiser step on this rank's slice of the global batch; returns the step's metrics."""
        x = x.to(self.device, non_blocking=True).float()
        dead = self.tracker.dead_mask(self.hp.dead_tokens)
        with self._autocast():
            # Through `self.model` (not `self.sae`) so that a DDP wrapper syncs the gradients; a dead mask selects
            # the fused training forward, which never keeps the dense pre-activations.
            out = self.model(x, dead_mask=dead, aux_k=self.hp.aux_k)
            main = self._reconstruction_loss(x, out)
            residual = (out.x_n - out.x_hat_n).detach()
            aux = auxk_loss_from_code(self.sae, out.aux_code, residual, self._global_residual_variance(residual),
                                      out.aux_latents, out.aux_decoded)
            loss = main + self.hp.aux_coef * aux
        finite = torch.isfinite(loss.detach()).to(torch.uint8)
        if _distributed():  # every rank must skip together, or DDP's gradient all-reduce would hang
            torch_dist.all_reduce(finite, op=torch_dist.ReduceOp.MIN)
        if not bool(finite):
            return self._skip_nonfinite(float(loss.detach()))
        self.consecutive_nonfinite = 0
        loss.backward()
        self.sae.remove_gradient_parallel_to_decoder_directions()
        self.optimizer.step()
        self.scheduler.step()
        self.sae.release_gradients()  # the weight gradients' memory is reused by the next backward on CPU
        self.optimizer.zero_grad(set_to_none=True)
        self.sae.set_decoder_norm_to_unit_norm()
        self._update_threshold(out.batch_threshold)
        global_tokens = self._update_dead_latents(out.code.indices, out.code.values, x.shape[0])
        self.step += 1
        self.tokens_seen += global_tokens
        metrics = {"step": self.step, "tokens": self.tokens_seen, **self._batch_metrics(x, out, main, aux, loss),
                   "dead": int(self.tracker.dead_mask(self.hp.dead_tokens).sum()),
                   "lr": self.scheduler.get_last_lr()[0]}
        if isinstance(self.sae, BatchTopKSae):
            metrics["threshold"] = float(self.sae.threshold)
        return metrics

    def _update_threshold(self, batch_threshold: torch.Tensor | None) -> None:
        """BatchTopK: fold this step's smallest kept value (the mean over ranks) into theta; `self.step` counts
        the earlier updates (one per successful step)."""
        if batch_threshold is None or not isinstance(self.sae, BatchTopKSae):
            return
        if _distributed():
            batch_threshold = batch_threshold.detach().clone().to(self.device)
            torch_dist.all_reduce(batch_threshold)
            batch_threshold /= torch_dist.get_world_size()
        self.sae.update_threshold(batch_threshold, self.step, self.hp.threshold_lr)

    def _batch_metrics(self, x: torch.Tensor, out: Any, main: torch.Tensor, aux: torch.Tensor,
                       loss: torch.Tensor) -> dict[str, float]:
        """The step's metrics over the global batch: under DDP every rank holds an equal slice, so the losses and
        L0 are the mean of the ranks' values, and FVE is pooled from summed squared errors and moments (what
        one process would report); the log and the best-checkpoint ranking both read these."""
        f64 = torch.float64
        x_hat, x_n, x_hat_n = out.x_hat.detach(), out.x_n.detach(), out.x_hat_n.detach()
        means = torch.stack([loss.detach(), main.detach(), aux.detach(),
                             (out.code.values > 0).sum(dim=-1).float().mean()]).to(f64)
        # Per-dimension sums for a pooled FVE in raw and normalised space (float64 sums of the float32 values, no
        # float64 copy of the batch): [sum x, sum x^2] each, then the squared errors and the row count.
        moments = torch.cat([x.sum(0, dtype=f64), x.square().sum(0, dtype=f64), x_n.sum(0, dtype=f64),
                             x_n.square().sum(0, dtype=f64),
                             torch.stack([(x - x_hat).square().sum(dtype=f64), (x_n - x_hat_n).square().sum(dtype=f64),
                                          torch.tensor(float(x.shape[0]), dtype=f64, device=x.device)])])
        if _distributed():  # one collective for both
            both = torch.cat([means, moments])
            torch_dist.all_reduce(both)
            means, moments = both[:4] / torch_dist.get_world_size(), both[4:]
        d = x.shape[1]
        sum_x, sum_x2, sum_n, sum_n2 = moments[:d], moments[d:2 * d], moments[2 * d:3 * d], moments[3 * d:4 * d]
        err, err_n, count = moments[-3], moments[-2], moments[-1]
        total = (sum_x2 - sum_x.square() / count).sum()
        total_n = (sum_n2 - sum_n.square() / count).sum()
        loss_v, mse_v, aux_v, l0_v = means.tolist()
        return {"loss": loss_v, "mse": mse_v, "aux_loss": aux_v, "fve": float(1 - err / total),
                "fve_normalized": float(1 - err_n / total_n), "l0": l0_v}

    def _global_residual_variance(self, residual: torch.Tensor) -> torch.Tensor | None:
        """AuxK's denominator pooled over the global batch, scaled so DDP's gradient averaging over W ranks
        gives the gradient of the one-process loss. None on a single process (the loss computes its own)."""
        if not _distributed():
            return None
        r = residual.reshape(-1, residual.shape[-1]).double()
        sums = torch.cat([r.sum(0), r.square().sum(0), torch.tensor([float(r.shape[0])], device=r.device,
                                                                       dtype=torch.float64)])
        torch_dist.all_reduce(sums)
        d = r.shape[1]
        total, total_sq, count = sums[:d], sums[d : 2 * d], sums[-1]
        variance = (total_sq - total.square() / count).sum()
        return (variance / torch_dist.get_world_size()).float()

    def _update_dead_latents(self, indices: torch.Tensor, values: torch.Tensor, local_tokens: int) -> int:
        """Every rank keeps identical counters: fired masks are OR-ed (MAX) and token counts summed."""
        fired = self.tracker.fired_mask(indices, values)
        tokens = local_tokens
        if _distributed():
            fired_u8 = fired.to(torch.uint8)
            torch_dist.all_reduce(fired_u8, op=torch_dist.ReduceOp.MAX)
            fired = fired_u8.bool()
            count = torch.tensor([local_tokens], device=self.device)
            torch_dist.all_reduce(count)
            tokens = int(count)
        self.tracker.update_from_fired(fired, tokens)
        return tokens

    def _skip_nonfinite(self, value: float) -> dict[str, float]:
        self.optimizer.zero_grad(set_to_none=True)
        self.nonfinite_skipped += 1
        self.consecutive_nonfinite += 1
        if self.consecutive_nonfinite >= self.hp.max_consecutive_nonfinite:
            raise TrainingDiverged(
                f"{self.consecutive_nonfinite} non-finite losses in a row at step {self.step} (last: {value}); "
                "lower the learning rate or check the activations"
            )
        return {"step": self.step, "tokens": self.tokens_seen, "loss": value, "skipped": self.nonfinite_skipped}

    def state_dict(self) -> dict[str, Any]:
        return {
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "dead_latents": self.tracker.state_dict(),
            "step": self.step,
            "tokens_seen": self.tokens_seen,
            "nonfinite_skipped": self.nonfinite_skipped,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.optimizer.load_state_dict(state["optimizer"])
        self.scheduler.load_state_dict(state["scheduler"])
        self.tracker.load_state_dict(state["dead_latents"])
        self.step = int(state["step"])
        self.tokens_seen = int(state["tokens_seen"])
        self.nonfinite_skipped = int(state["nonfinite_skipped"])
