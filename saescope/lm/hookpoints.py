"""Hookpoints `layers.N`: the residual stream after decoder block N, before any final norm.

Captured with forward hooks on the block modules rather than `output_hidden_states`, whose last entry
is taken after the final norm and so is not the residual stream. The forward stops right after the
deepest hookpoint: no later block and no LM head is computed.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from saescope.config.hookpoints import HookpointError, parse_hookpoint

__all__ = ["HookpointError", "capture_residuals", "check_hookpoints", "decoder_layers"]


class _StopForward(Exception):
    """Raised from the deepest hook to end the forward early."""


def decoder_layers(model: nn.Module) -> nn.ModuleList:
    """The decoder blocks of a Llama/Qwen-style causal LM (`model.model.layers`)."""
    base = getattr(model, "model", model)
    layers = getattr(base, "layers", None)
    if not isinstance(layers, nn.ModuleList):
        raise HookpointError(f"{type(model).__name__} has no `model.layers`; only decoder-block models are supported")
    return layers


def check_hookpoints(model: nn.Module, hookpoints: Sequence[str]) -> list[int]:
    n_layers = len(decoder_layers(model))
    indices = []
    for hp in hookpoints:
        index = parse_hookpoint(hp)
        if index >= n_layers:
            raise HookpointError(
                f"unknown hookpoint '{hp}': this model has {n_layers} blocks, valid hookpoints are "
                f"layers.0 … layers.{n_layers - 1}"
            )
        indices.append(index)
    return indices


def block_output(output: torch.Tensor | tuple) -> torch.Tensor:
    """Decoder blocks return a tensor in recent transformers and a tuple in older ones."""
    return output[0] if isinstance(output, tuple) else output


@torch.no_grad()
def capture_residuals(
    model: nn.Module,
    input_ids: torch.Tensor,
    attention_mask: torch.Tensor | None,
    hookpoints: Sequence[str],
) -> dict[str, torch.Tensor]:
    """Run the model up to the deepest hookpoint and return {hookpoint: [batch, seq, d_model]}."""
    indices = check_hookpoints(model, hookpoints)
    layers = decoder_layers(model)
    deepest = max(indices)
    captured: dict[str, torch.Tensor] = {}

    def make_hook(hookpoint: str, index: int):
        def hook(_module: nn.Module, _args: tuple, output: torch.Tensor | tuple) -> None:
            captured[hookpoint] = block_output(output)
            if index == deepest:
                raise _StopForward

        return hook

    handles = [layers[i].register_forward_hook(make_hook(hp, i)) for hp, i in zip(hookpoints, indices, strict=True)]
    try:
        model(input_ids=input_ids, attention_mask=attention_mask, use_cache=False)
    except _StopForward:
        pass
    finally:
        for handle in handles:
            handle.remove()
    return captured
