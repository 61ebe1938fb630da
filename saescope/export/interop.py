"""Write the folder layouts of SAELens and EleutherAI sparsify, so their own loaders use our SAEs.

The fold of our normaliser into the weights and both layouts are described in `saescope.release.peers`, which
reads them back. A BatchTopK SAE goes to SAELens as its own inference form of BatchTopK, a "jumprelu" SAE
whose `threshold` [d_sae] is theta for every latent (SAELens' JumpReLU does not cap the code at k_cap); sparsify
has no thresholded inference, so that export is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file

from saescope import __version__
from saescope.config.hookpoints import parse_hookpoint
from saescope.release.peers import (
    DTYPE_NAMES,
    FOLDED_NOTE,
    SAELENS_CFG,
    SAELENS_FORMAT_VERSION,
    SAELENS_WEIGHTS,
    SPARSIFY_BATCHTOPK,
    SPARSIFY_CFG,
    SPARSIFY_WEIGHTS,
    InteropError,
    RawWeights,
    cast,
    hookpoint_dir,
)
from saescope.sae.batchtopk import BatchTopKSae
from saescope.sae.model import TopKSae
from saescope.utils.atomic import write_json_atomic, write_with_atomic


def fold_normalizer(sae: TopKSae) -> RawWeights:
    """The weights of `sae` with its normaliser folded in, in the SAE's dtype (the fold itself runs in fp64)."""
    std, mean = sae.input_std.detach().double().cpu(), sae.input_mean.detach().double().cpu()
    if not torch.all(std > 0):
        raise InteropError("input_std has non-positive entries; the normaliser cannot be folded into the weights")
    dtype = sae.W_dec.dtype
    return cast(
        RawWeights(
            W_enc=sae.W_enc.detach().double().cpu() / std[:, None],
            b_enc=sae.b_enc.detach().double().cpu(),
            W_dec=sae.W_dec.detach().double().cpu() * std[None, :],
            b_dec=sae.b_dec.detach().double().cpu() * std + mean,
        ),
        dtype,
    )


def transformer_lens_hook_name(hookpoint: str) -> str:
    """saescope's `layers.N` (residual stream after block N) is TransformerLens' `blocks.N.hook_resid_post`."""
    return f"blocks.{parse_hookpoint(hookpoint)}.hook_resid_post"


def _dtype_name(dtype: torch.dtype) -> str:
    if dtype not in DTYPE_NAMES:
        raise InteropError(f"cannot export dtype {dtype}; use one of {sorted(DTYPE_NAMES.values())}")
    return DTYPE_NAMES[dtype]


def saelens_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    """SAELens' `metadata` section: the caller's entries plus hook names derived from a saescope hookpoint.

    Needs `hookpoint` (saescope `layers.N`) or `hook_name` (TransformerLens) so that HookedSAETransformer
    knows where to attach the SAE; `model_name` falls back to `model.name` (saescope's metadata layout).
    """
    meta: dict[str, Any] = {"sae_lens_version": SAELENS_FORMAT_VERSION, "sae_lens_training_version": None,
                            "hook_head_index": None, "exported_by": f"saescope {__version__}", **metadata,
                            # saescope metadata may describe the normaliser; say it needs no applying any more.
                            "saescope_normalizer": FOLDED_NOTE}
    model = metadata.get("model")
    if "model_name" not in meta and isinstance(model, dict) and model.get("name"):
        meta["model_name"] = model["name"]  # saescope's own metadata keeps the model under model.name
    hookpoint = metadata.get("hookpoint")
    if hookpoint is not None:
        hook_name = transformer_lens_hook_name(hookpoint)
        if metadata.get("hook_name") not in (None, hook_name):
            raise InteropError(f"metadata hook_name {metadata['hook_name']!r} contradicts hookpoint {hookpoint!r} "
                               f"(which is {hook_name!r})")
        meta["hook_name"] = hook_name
        # SAELens' own name for the Hugging Face module it hooks (as in its Qwen Scope / sparsify loaders).
        meta.setdefault("hf_hook_name", f"model.layers.{parse_hookpoint(hookpoint)}")
    elif not metadata.get("hook_name"):
        raise InteropError("SAELens metadata needs 'hookpoint' (saescope layers.N) or 'hook_name' (TransformerLens)")
    return meta


def saelens_config(sae: TopKSae, metadata: dict[str, Any]) -> dict[str, Any]:
    if isinstance(sae, BatchTopKSae):  # SAELens saves a trained BatchTopK SAE as this JumpReLU config
        meta = {**saelens_metadata(metadata), "saescope_architecture": "batchtopk", "saescope_k_cap": sae.k_cap}
        return {"architecture": "jumprelu", "d_in": sae.d_in, "d_sae": sae.d_sae, "dtype": _dtype_name(sae.W_dec.dtype),
                "device": "cpu", "apply_b_dec_to_input": True, "normalize_activations": "none",
                "reshape_activations": "none", "k": sae.k, "metadata": meta}  # k: saescope's (SAELens drops it)
    return {
        "architecture": "topk",
        "d_in": sae.d_in,
        "d_sae": sae.d_sae,
        "k": sae.k,
        "dtype": _dtype_name(sae.W_dec.dtype),
        "device": "cpu",
        "apply_b_dec_to_input": True,
        "normalize_activations": "none",  # our normaliser is folded into the weights
        "reshape_activations": "none",
        "rescale_acts_by_decoder_norm": False,  # our top-k ranks raw pre-activations
        "metadata": saelens_metadata(metadata),
    }


def write_saelens(sae: TopKSae, folder: Path, metadata: dict[str, Any]) -> None:
    """Write `folder/cfg.json` + `folder/sae_weights.safetensors` for `sae_lens.SAE.load_from_disk(folder)`."""
    folder = Path(folder)
    cfg = saelens_config(sae, metadata)
    w = fold_normalizer(sae)
    tensors = {"W_enc": w.W_enc, "b_enc": w.b_enc, "W_dec": w.W_dec, "b_dec": w.b_dec}
    if isinstance(sae, BatchTopKSae):  # the fold leaves pre, so theta, unchanged
        tensors["threshold"] = torch.full_like(w.b_enc, float(sae.threshold))
    folder.mkdir(parents=True, exist_ok=True)
    write_with_atomic(folder / SAELENS_WEIGHTS, lambda tmp: save_file(tensors, str(tmp)))
    write_json_atomic(folder / SAELENS_CFG, cfg)


def sparsify_config(sae: TopKSae) -> dict[str, Any]:
    return {
        "activation": "topk",
        # num_latents wins over expansion_factor; the factor is informational (0 when d_sae is not a multiple).
        "expansion_factor": sae.d_sae // sae.d_in if sae.d_sae % sae.d_in == 0 else 0,
        # The folded decoder rows are not unit norm; true would renormalise them if someone trained further.
        "normalize_decoder": False,
        "num_latents": sae.d_sae,
        "k": sae.k,
        "multi_topk": False,
        "skip_connection": False,
        "transcode": False,
        "d_in": sae.d_in,
    }


def write_sparsify(sae: TopKSae, folder: Path, hookpoint: str) -> None:
    """Write `folder/<hookpoint>/{cfg.json, sae.safetensors}`: sparsify's one-folder-per-hookpoint layout.

    `SparseCoder.load_from_disk(folder / hookpoint)` loads one SAE, `SparseCoder.load_many(folder, local=True)`
    loads every hookpoint folder under `folder`. saescope's `layers.N` is sparsify's own name for that module.
    """
    if isinstance(sae, BatchTopKSae):
        raise InteropError(SPARSIFY_BATCHTOPK)
    target = hookpoint_dir(Path(folder), hookpoint)
    w = fold_normalizer(sae)
    # nn.Linear stores the encoder as [out, in] = [d_sae, d_in].
    tensors = {"encoder.weight": w.W_enc.T.contiguous(), "encoder.bias": w.b_enc, "W_dec": w.W_dec, "b_dec": w.b_dec}
    target.mkdir(parents=True, exist_ok=True)
    write_with_atomic(target / SPARSIFY_WEIGHTS, lambda tmp: save_file(tensors, str(tmp)))
    write_json_atomic(target / SPARSIFY_CFG, sparsify_config(sae))
