"""Which recorded names are Hugging Face Hub ids (for the card's front matter and links)."""

from __future__ import annotations

import re

from saescope.config.schema import DEFAULT_MODEL

HUB_ID = re.compile(r"[A-Za-z0-9][\w.-]*/[\w.-]+")
FILE_SUFFIXES = (".json", ".jsonl", ".gz", ".parquet", ".gguf", ".safetensors")
# The embedded default model is a GGUF build of this hub model.
EMBEDDED_BASE = {DEFAULT_MODEL: "HuggingFaceTB/SmolLM2-135M-Instruct"}
HF_DATASETS = "hf://datasets/"


def hub_id(name: str | None) -> str | None:
    """`name` when it reads as `owner/repo` (not a local path or file), else None."""
    if not name or not HUB_ID.fullmatch(name) or name.endswith(FILE_SUFFIXES) or name.startswith(("./", "../")):
        return None
    return name


def base_model_id(name: str | None) -> str | None:
    return EMBEDDED_BASE.get(name or "") or hub_id(name)


def activations_hub_id(activations: str | None) -> str | None:
    """`hf://datasets/<repo_id>[@revision]` -> repo_id; local folders have no hub id."""
    if not activations or not activations.startswith(HF_DATASETS):
        return None
    return hub_id(activations.removeprefix(HF_DATASETS).split("@", 1)[0])
