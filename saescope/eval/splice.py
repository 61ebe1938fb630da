"""Splice a reconstruction into a language model at a hookpoint, computing the prefix once.

At block N's output the batch is tripled: [clean; spliced; zero]. The blocks above N get their attention
mask and position tensors repeated by forward pre-hooks, so the layers below the hookpoint run once per
batch while the clean, SAE and zero-ablated continuations run side by side.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

import torch
from torch import nn

from saescope.lm.hookpoints import block_output, check_hookpoints, decoder_layers

VARIANTS = ("clean", "sae", "zero")


def _repeat(value: object, batch: int, times: int) -> object:
    if isinstance(value, torch.Tensor) and value.dim() > 0 and value.shape[0] == batch and batch > 0:
        return value.repeat(times, *([1] * (value.dim() - 1)))
    if isinstance(value, tuple):
        return tuple(_repeat(v, batch, times) for v in value)
    return value


@contextmanager
def spliced(
    model: nn.Module, hookpoint: str, reconstruct: Callable[[torch.Tensor], torch.Tensor],
    keep: torch.Tensor | None = None,
) -> Iterator[None]:
    """While active, a forward over [B, T] returns logits for 3B rows: clean, reconstructed, zeroed.

    `reconstruct` maps the block output [B, T, d] to its replacement; positions where `keep` [B, T] is true
    keep their original activation in both the reconstructed and the zeroed rows (e.g. BOS/special tokens).
    """
    (index,) = check_hookpoints(model, [hookpoint])
    layers = decoder_layers(model)
    state: dict[str, int] = {}

    def at_hookpoint(_module: nn.Module, _args: tuple, output: torch.Tensor | tuple) -> torch.Tensor | tuple:
        h = block_output(output)
        state["batch"] = h.shape[0]
        replaced, zeroed = reconstruct(h).to(h.dtype), torch.zeros_like(h)
        if keep is not None:
            mask = keep[..., None].to(h.device)
            replaced, zeroed = torch.where(mask, h, replaced), torch.where(mask, h, zeroed)
        tripled = torch.cat([h, replaced, zeroed])
        return (tripled, *output[1:]) if isinstance(output, tuple) else tripled

    def expand_inputs(_module: nn.Module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        batch = state["batch"]
        return args, {k: _repeat(v, batch, len(VARIANTS)) for k, v in kwargs.items()}

    handles = [layers[index].register_forward_hook(at_hookpoint)]
    handles += [layer.register_forward_pre_hook(expand_inputs, with_kwargs=True) for layer in layers[index + 1 :]]
    try:
        yield
    finally:
        for handle in handles:
            handle.remove()
