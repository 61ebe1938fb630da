"""Edit a hookpoint's block output along SAE feature directions while a context is active.

A feature's raw-space decoder direction is d_f = W_dec[f] * input_std: one unit of z_f moves the SAE's
reconstruction x_hat by exactly d_f. "add" moves the residual stream by value * d_f; "clamp" encodes it and
moves it by (value - z_f) * d_f, so the SAE then reads `value` for f while its error term stays untouched;
"ablate" is a clamp to 0 (its value is ignored). Several interventions apply together, each read from the same
unedited encoding.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from saescope.errors import SaescopeError
from saescope.lm.hookpoints import block_output, check_hookpoints, decoder_layers
from saescope.sae.model import TopKSae

Mode = Literal["add", "clamp", "ablate"]
Positions = Literal["all", "generated"]
MODES: tuple[str, ...] = ("add", "clamp", "ablate")


class SteerError(SaescopeError, ValueError):
    """A steering request that cannot be run (bad feature id, mode, SAE/model mismatch); the message says why."""


@dataclass(frozen=True)
class Intervention:
    feature: int
    value: float
    mode: Mode = "add"


def check_interventions(sae: TopKSae, interventions: Sequence[Intervention]) -> None:
    for iv in interventions:
        if not 0 <= iv.feature < sae.d_sae:
            raise SteerError(f"feature {iv.feature} out of range: the SAE has d_sae={sae.d_sae} features "
                             f"(valid ids 0 … {sae.d_sae - 1})")
        if iv.mode not in MODES:
            raise SteerError(f"unknown steering mode '{iv.mode}'; use one of {', '.join(MODES)}")


def feature_direction(sae: TopKSae, feature: int) -> torch.Tensor:
    """d_f [d_in] in raw activation space, float32."""
    return (sae.W_dec[feature].float() * sae.input_std.float()).detach()


def feature_activation(sae: TopKSae, h: torch.Tensor, feature: int) -> torch.Tensor:
    """z_f [...] of raw activations h [..., d_in]: the value of f in the SAE's top-k code, 0 outside it."""
    code = sae.encode(h.float())
    return (code.values * (code.indices == feature)).sum(-1).float()


def steering_delta(sae: TopKSae, h: torch.Tensor, interventions: Sequence[Intervention]) -> torch.Tensor:
    """The float32 edit [..., d_in] of h; clamps all read the same (unedited) encoding of h."""
    delta = torch.zeros(h.shape, dtype=torch.float32, device=h.device)
    for iv in interventions:
        direction = feature_direction(sae, iv.feature).to(h.device)
        if iv.mode == "add":
            delta += iv.value * direction
        else:
            target = 0.0 if iv.mode == "ablate" else iv.value
            gap = target - feature_activation(sae, h, iv.feature)
            delta += gap[..., None] * direction
    return delta


def _positions(kwargs: dict, h: torch.Tensor, seen: int) -> torch.Tensor:
    """Absolute positions [B, T] of the block's input rows: the forward's position_ids when the model passes
    them (full prompt and incremental KV-cache steps alike), else a running count of positions seen."""
    position_ids = kwargs.get("position_ids")
    if isinstance(position_ids, torch.Tensor) and position_ids.shape[-1] == h.shape[1]:
        return position_ids.expand(h.shape[0], -1).to(h.device)
    return torch.arange(seen, seen + h.shape[1], device=h.device).expand(h.shape[0], -1)


@contextmanager
def steering(
    model: nn.Module, hookpoint: str, sae: TopKSae, interventions: Sequence[Intervention],
    positions: Positions = "all", prompt_length: int = 0,
) -> Iterator[None]:
    """While active, every forward's output of the hookpoint's block is steered.

    positions="generated" edits positions >= prompt_length - 1: the last prompt position too, whose logits
    choose the first generated token, so every generated token is steered while the rest of the prompt stays
    clean. Hooks are removed on exit, also after an exception.
    """
    if positions not in ("all", "generated"):
        raise SteerError(f"unknown positions '{positions}'; use all or generated")
    check_interventions(sae, interventions)
    (index,) = check_hookpoints(model, [hookpoint])
    first = max(prompt_length - 1, 0) if positions == "generated" else 0
    seen = {"positions": 0}

    def hook(_module: nn.Module, _args: tuple, kwargs: dict, output: torch.Tensor | tuple) -> torch.Tensor | tuple:
        h = block_output(output)
        where = _positions(kwargs, h, seen["positions"]) >= first
        seen["positions"] += h.shape[1]
        if not interventions or not bool(where.any()):
            return output
        with torch.no_grad():
            delta = steering_delta(sae, h, interventions) * where[..., None]
            steered = (h.float() + delta).to(h.dtype)
        return (steered, *output[1:]) if isinstance(output, tuple) else steered

    handle = decoder_layers(model)[index].register_forward_hook(hook, with_kwargs=True)
    try:
        yield
    finally:
        handle.remove()
