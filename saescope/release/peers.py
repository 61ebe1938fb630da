"""Read the folder layouts of SAELens and EleutherAI sparsify as saescope TopK SAEs (writing: export/interop.py).

Both peers run a plain TopK SAE on raw activations, `pre = (x - b_dec) @ W_enc + b_enc`, keep the k largest
(ReLU before or after the selection gives the same code) and decode `z @ W_dec + b_dec`. Our per-dimension
normaliser is affine, so it folds into the weights exactly:

    W_enc' = diag(1 / std) W_enc     W_dec' = W_dec diag(std)     b_dec' = std * b_dec + mean     b_enc' = b_enc

    (x - b_dec') @ W_enc' + b_enc = ((x - mean) / std - b_dec) @ W_enc + b_enc        (our pre-activations)
    z @ W_dec' + b_dec'          = (z @ W_dec + b_dec) * std + mean                   (our reconstruction)

Layouts (checked against sae-lens 6.54 and eai-sparsify 1.3.3):

- SAELens: `<folder>/cfg.json` + `<folder>/sae_weights.safetensors` (W_enc [d_in, d_sae], b_enc, W_dec
  [d_sae, d_in], b_dec), loaded by `SAE.load_from_disk(folder)` as architecture "topk".
- sparsify: one folder per hookpoint, `<root>/<hookpoint>/cfg.json` + `sae.safetensors` (encoder.weight
  [d_sae, d_in], encoder.bias, W_dec [d_sae, d_in], b_dec), loaded by `SparseCoder.load_from_disk(root /
  hookpoint)` or all at once by `SparseCoder.load_many(root, local=True)`.

Reading needs neither peer installed: cfg.json and the safetensors file are parsed directly, and anything the
TopK forward above cannot reproduce exactly is refused with the file and key that say so. A SAELens "jumprelu"
folder with one threshold for every latent and saescope's `k` in cfg.json (what saescope exports for a BatchTopK
SAE) is read back as a BatchTopKSae.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file

from saescope.errors import SaescopeError
from saescope.release.layout import INFO_FILE, MANIFEST, SAE_FILE, STATE_FILE
from saescope.sae.batchtopk import BatchTopKSae
from saescope.sae.model import TopKSae
from saescope.utils.atomic import read_json_object

SAELENS_CFG = "cfg.json"
SAELENS_WEIGHTS = "sae_weights.safetensors"
SPARSIFY_CFG = "cfg.json"
SPARSIFY_WEIGHTS = "sae.safetensors"

# SAELens reads configs without a `sae_lens_version` >= 6 through its pre-6.0 converter, which renames keys;
# we write the 6.x layout, so we declare the first version of that layout.
SAELENS_FORMAT_VERSION = "6.0.0"

DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64", torch.float16: "float16", torch.bfloat16: "bfloat16"}
DTYPES = {**{name: dtype for dtype, name in DTYPE_NAMES.items()}, **{f"torch.{n}": d for d, n in DTYPE_NAMES.items()}}

FOLDED_NOTE = "folded into W_enc, W_dec and b_dec: feed raw activations"

RAW_KEYS = ("W_enc", "b_enc", "W_dec", "b_dec")
SPARSIFY_KEYS = ("encoder.weight", "encoder.bias", "W_dec", "b_dec")
SPARSIFY_BATCHTOPK = ("sparsify export: refused for a batchtopk SAE (sparsify has no thresholded inference); "
                      "export it as saelens instead")


class InteropError(SaescopeError, ValueError):
    """A peer-library folder that cannot be written or read as an exact saescope TopK SAE."""


@dataclass(frozen=True)
class RawWeights:
    """A TopK SAE on raw activations (no normaliser), in saescope's orientation."""

    W_enc: torch.Tensor  # [d_in, d_sae]
    b_enc: torch.Tensor  # [d_sae]
    W_dec: torch.Tensor  # [d_sae, d_in]
    b_dec: torch.Tensor  # [d_in]


def cast(w: RawWeights, dtype: torch.dtype) -> RawWeights:
    return RawWeights(*(t.to(dtype).contiguous() for t in (w.W_enc, w.b_enc, w.W_dec, w.b_dec)))


def to_topk_sae(w: RawWeights, k: int, threshold: torch.Tensor | None = None) -> TopKSae:
    """A TopKSae computing exactly `w` on raw activations: identity normaliser (mean 0, std 1); with a scalar
    `threshold`, a BatchTopKSae."""
    d_in = w.W_dec.shape[1]
    state = {"W_enc": w.W_enc, "b_enc": w.b_enc, "W_dec": w.W_dec, "b_dec": w.b_dec,
             "input_mean": torch.zeros(d_in, dtype=w.W_dec.dtype), "input_std": torch.ones(d_in, dtype=w.W_dec.dtype)}
    if threshold is None:
        return TopKSae.from_state_dict(state, k)
    return BatchTopKSae.from_state_dict({**state, "threshold": threshold.to(w.W_dec.dtype).reshape(())}, k)


def _read_json(path: Path) -> dict[str, Any]:
    return read_json_object(path, InteropError)


def _read_tensors(path: Path) -> dict[str, torch.Tensor]:
    if not path.is_file():
        raise InteropError(f"{path}: no such file")
    return load_file(str(path))


def _require_int(cfg: dict[str, Any], key: str, path: Path, prefix: str = "") -> int:
    value = cfg.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InteropError(f"{path}: '{prefix}{key}' must be a positive integer, got {value!r}")
    return value


def _check_keys(tensors: dict[str, torch.Tensor], expected: tuple[str, ...], path: Path) -> None:
    missing = [key for key in expected if key not in tensors]
    if missing:
        raise InteropError(f"{path}: lacks tensors {missing}; expected exactly {list(expected)}")
    extra = sorted(set(tensors) - set(expected))
    if extra:
        raise InteropError(f"{path}: has tensors {extra} that a plain TopK SAE does not use; refusing to drop them")


def _check_shapes(tensors: dict[str, torch.Tensor], shapes: dict[str, tuple[int, ...]], path: Path) -> None:
    for key, shape in shapes.items():
        if tuple(tensors[key].shape) != shape:
            raise InteropError(f"{path}: tensor '{key}' has shape {list(tensors[key].shape)}, expected {list(shape)}")


def _saelens_architecture(cfg: dict[str, Any]) -> str:
    if "architecture" in cfg:
        return str(cfg["architecture"])
    # Pre-6.0 configs name the activation instead (SAELens maps activation "topk" to the topk architecture).
    activation = cfg.get("activation_fn", cfg.get("activation_fn_str"))
    return "topk" if activation == "topk" else f"standard (activation_fn {activation!r})"


def _saelens_k(cfg: dict[str, Any], path: Path) -> int:
    if "k" in cfg:
        return _require_int(cfg, "k", path)
    kwargs = cfg.get("activation_fn_kwargs") or {}
    if kwargs.get("signed"):
        raise InteropError(f"{path}: 'activation_fn_kwargs.signed' is true; signed top-k is not supported")
    return _require_int(kwargs, "k", path, prefix="activation_fn_kwargs.")


def _check_saelens_config(cfg: dict[str, Any], path: Path) -> None:
    architecture = _saelens_architecture(cfg)
    ours = architecture == "jumprelu" and (cfg.get("metadata") or {}).get("saescope_architecture") == "batchtopk"
    if architecture != "topk" and not ours:
        raise InteropError(f"{path}: 'architecture' is {architecture!r}; only 'topk' SAEs (and the 'jumprelu' ones "
                           "saescope exports from BatchTopK: metadata.saescope_architecture) can be imported")
    # Older configs store False for "none".
    normalize = cfg.get("normalize_activations", "none")
    if normalize not in ("none", None, False):
        raise InteropError(f"{path}: 'normalize_activations' is {normalize!r}; only 'none' can be imported (its "
                           "scaling is computed at run time or stored outside the SAE)")
    if cfg.get("reshape_activations", "none") not in ("none", None):
        raise InteropError(f"{path}: 'reshape_activations' is {cfg['reshape_activations']!r}; only 'none' "
                           "(residual-stream SAEs) can be imported")
    if cfg.get("finetuning_scaling_factor"):
        raise InteropError(f"{path}: 'finetuning_scaling_factor' is true; only plain TopK SAEs can be imported")


def _drop_unit_scaling_factor(tensors: dict[str, torch.Tensor], path: Path) -> None:
    """SAELens itself discards an all-ones `scaling_factor` (older saves always wrote one); keep that rule."""
    factor = tensors.pop("scaling_factor", None)
    if factor is not None and not torch.all(factor == 1):
        raise InteropError(f"{path}: tensor 'scaling_factor' is not all ones; only plain TopK SAEs can be imported")


def _fold_decoder_norm(w: RawWeights) -> RawWeights:
    """rescale_acts_by_decoder_norm: SAELens ranks pre * |W_dec row| and decodes acts / |W_dec row|.

    Scaling latent i's encoder column and bias by n_i and dividing its decoder row by n_i gives the same code
    and reconstruction (as SAELens' own save_inference_model fold). A zero row stays zero and its latent's
    pre-activation becomes 0, which is what SAELens computes for it.
    """
    norms = w.W_dec.norm(dim=-1)
    safe = torch.where(norms > 0, norms, torch.ones_like(norms))
    return RawWeights(W_enc=w.W_enc * norms[None, :], b_enc=w.b_enc * norms, W_dec=w.W_dec / safe[:, None],
                      b_dec=w.b_dec)


def _fold_input_bias(w: RawWeights) -> RawWeights:
    """apply_b_dec_to_input false means pre = x @ W_enc + b_enc; rewrite as (x - b_dec) @ W_enc + b_enc'."""
    return RawWeights(W_enc=w.W_enc, b_enc=w.b_enc + w.b_dec @ w.W_enc, W_dec=w.W_dec, b_dec=w.b_dec)


def read_saelens(folder: Path) -> TopKSae:
    """A SAELens TopK SAE folder as a TopKSae on raw activations (input_mean 0, input_std 1)."""
    folder = Path(folder)
    cfg_path, weights_path = folder / SAELENS_CFG, folder / SAELENS_WEIGHTS
    cfg = _read_json(cfg_path)
    _check_saelens_config(cfg, cfg_path)
    k = _saelens_k(cfg, cfg_path)
    d_in, d_sae = _require_int(cfg, "d_in", cfg_path), _require_int(cfg, "d_sae", cfg_path)
    dtype_name = cfg.get("dtype", "float32")
    if dtype_name not in DTYPES:
        raise InteropError(f"{cfg_path}: 'dtype' is {dtype_name!r}; expected one of {sorted(DTYPE_NAMES.values())}")
    tensors = _read_tensors(weights_path)
    _drop_unit_scaling_factor(tensors, weights_path)
    threshold = _saelens_threshold(cfg, tensors, cfg_path, weights_path, d_sae)
    _check_keys(tensors, RAW_KEYS, weights_path)
    _check_shapes(tensors, {"W_enc": (d_in, d_sae), "b_enc": (d_sae,), "W_dec": (d_sae, d_in), "b_dec": (d_in,)},
                  weights_path)
    if k > d_sae:
        raise InteropError(f"{cfg_path}: 'k' is {k}, more than d_sae {d_sae}")
    w = RawWeights(*(tensors[key].double() for key in RAW_KEYS))
    if cfg.get("rescale_acts_by_decoder_norm", False):
        w = _fold_decoder_norm(w)
    if not cfg.get("apply_b_dec_to_input", True):
        w = _fold_input_bias(w)
    return to_topk_sae(cast(w, DTYPES[dtype_name]), k, threshold)


def _saelens_threshold(cfg: dict[str, Any], tensors: dict[str, torch.Tensor], cfg_path: Path, weights_path: Path,
                       d_sae: int) -> torch.Tensor | None:
    """A jumprelu folder's one threshold (popped from `tensors`), or None for a topk folder."""
    if _saelens_architecture(cfg) != "jumprelu":
        return None
    if "k" not in cfg:
        raise InteropError(f"{cfg_path}: a 'jumprelu' config without saescope's 'k'; only JumpReLU SAEs exported by "
                           "saescope from BatchTopK can be imported")
    threshold = tensors.pop("threshold", None)
    if threshold is None or tuple(threshold.shape) != (d_sae,):
        raise InteropError(f"{weights_path}: a 'jumprelu' SAE needs tensor 'threshold' of shape [{d_sae}]")
    if not torch.all(threshold == threshold[0]):
        raise InteropError(f"{weights_path}: tensor 'threshold' differs between latents; only one threshold for "
                           "every latent (BatchTopK's) can be imported")
    return threshold[0].clone()


def hookpoint_dir(root: Path, hookpoint: str) -> Path:
    # sparsify names each SAE's folder after its module path (e.g. `layers.5`); it must stay one folder level.
    if not hookpoint or hookpoint in (".", "..") or "/" in hookpoint or "\\" in hookpoint:
        raise InteropError(f"hookpoint {hookpoint!r} is not usable as a sparsify folder name")
    return root / hookpoint


def _is_sparsify_dir(folder: Path) -> bool:
    return (folder / SPARSIFY_CFG).is_file() and (folder / SPARSIFY_WEIGHTS).is_file()


def sparsify_hookpoints(root: Path) -> list[str]:
    """The hookpoint folders under a sparsify root, sorted."""
    return sorted(p.name for p in Path(root).iterdir() if p.is_dir() and _is_sparsify_dir(p))


def _sparsify_folder(folder: Path, hookpoint: str | None) -> Path:
    if hookpoint is not None:
        return hookpoint_dir(folder, hookpoint)
    if (folder / SPARSIFY_CFG).is_file():
        return folder
    found = sparsify_hookpoints(folder) if folder.is_dir() else []
    if len(found) != 1:
        raise InteropError(f"{folder}: not one sparsify SAE folder (has {SPARSIFY_CFG}? no; hookpoint folders: "
                           f"{found}); pass hookpoint= to choose one")
    return folder / found[0]


def _check_sparsify_config(cfg: dict[str, Any], path: Path) -> None:
    if cfg.get("activation", "topk") != "topk":
        raise InteropError(f"{path}: 'activation' is {cfg['activation']!r}; only 'topk' can be imported")
    for key, why in (("multi_topk", "its forward decodes 4k latents"), ("skip_connection", "it adds x @ W_skip"),
                     ("transcode", "a transcoder predicts another module's output"),
                     ("signed", "signed top-k keeps negative latents")):
        if cfg.get(key):
            raise InteropError(f"{path}: '{key}' is true ({why}); only plain TopK SAEs can be imported")


def read_sparsify(folder: Path, hookpoint: str | None = None) -> TopKSae:
    """A sparsify SAE as a TopKSae on raw activations (input_mean 0, input_std 1).

    `folder` is a hookpoint folder (with cfg.json), or a sparsify root holding exactly one hookpoint folder,
    or a root plus `hookpoint`.
    """
    sae_dir = _sparsify_folder(Path(folder), hookpoint)
    cfg_path, weights_path = sae_dir / SPARSIFY_CFG, sae_dir / SPARSIFY_WEIGHTS
    cfg = _read_json(cfg_path)
    _check_sparsify_config(cfg, cfg_path)
    d_in, k = _require_int(cfg, "d_in", cfg_path), _require_int(cfg, "k", cfg_path)
    # sparsify: num_latents, or d_in * expansion_factor (default 32) when num_latents is 0.
    d_sae = cfg.get("num_latents") or d_in * cfg.get("expansion_factor", 32)
    tensors = _read_tensors(weights_path)
    _check_keys(tensors, SPARSIFY_KEYS, weights_path)
    _check_shapes(tensors, {"encoder.weight": (d_sae, d_in), "encoder.bias": (d_sae,), "W_dec": (d_sae, d_in),
                            "b_dec": (d_in,)}, weights_path)
    if k > d_sae:
        raise InteropError(f"{cfg_path}: 'k' is {k}, more than the {d_sae} latents")
    dtype = tensors["W_dec"].dtype
    w = RawWeights(W_enc=tensors["encoder.weight"].T, b_enc=tensors["encoder.bias"], W_dec=tensors["W_dec"],
                   b_dec=tensors["b_dec"])
    return to_topk_sae(cast(w, dtype), k)


def detect_format(folder: Path) -> str | None:
    """Which layout `folder` holds, by the files present: "saelens", "sparsify", "saescope-release",
    "saescope-checkpoint", or None.

    A sparsify root (hookpoint folders, each with cfg.json + sae.safetensors) counts as "sparsify". The
    checkpoint test comes after sparsify's because both hold a `sae.safetensors`; only sparsify has cfg.json.
    """
    folder = Path(folder)
    if not folder.is_dir():
        return None
    if (folder / MANIFEST).is_file():
        return "saescope-release"
    if (folder / SAELENS_CFG).is_file() and (folder / SAELENS_WEIGHTS).is_file():
        return "saelens"
    if _is_sparsify_dir(folder):
        return "sparsify"
    if (folder / SAE_FILE).is_file() and ((folder / INFO_FILE).is_file() or (folder / STATE_FILE).is_file()):
        return "saescope-checkpoint"
    if sparsify_hookpoints(folder):
        return "sparsify"
    return None
