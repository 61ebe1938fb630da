"""The training stream's config: the `train` section's `LoaderSettings` plus what one stream reads."""

from __future__ import annotations

from pydantic import Field

from saescope.config.schema import LoaderSettings


class LoaderConfig(LoaderSettings):
    """How the training stream reads, shuffles and batches an activation dataset: the knobs of `LoaderSettings`
    (defined once, in the config schema) and this stream's hookpoint, global batch and seed."""

    hookpoint: str | None = Field(
        None, description="Hookpoint (`layers.N`) or label (`lN+1`) to stream; None: the dataset's only one."
    )
    batch_size: int = Field(4096, ge=1, description="Rows (tokens) per global batch, over all ranks.")
    seed: int = Field(0, ge=0, description="Seeds the shard order, row order and shuffle keys of every epoch.")
