"""The training stream: shuffled, deterministic, resumable, memory-bounded batches of activation rows.

Each stream (see `stream` for how the global batch is drawn from several) runs three stages in background threads
(`torchdata.nodes` and a thread pool), each with a bounded hand-off:

    fetch    `prefetch_shards` threads make the next shard files local and resident: a hub dataset downloads them
             into the Hugging Face cache; a local file is read into the page cache (hashed on the way when
             `verify_shards`)                                                               (`files`, `chain`)
    decode   one thread opens each shard (header and size checked), maps its activations of the hookpoint as a
             tensor of the dataset's dtype and draws its rows' sort keys, up to `decoded_prefetch_shards` shards
             ahead of the batcher                                                                      (`chain`)
    batch    one thread decides each batch from the keys and gathers its rows straight out of the mapped shards
             (into pinned memory for CUDA), up to `cpu_prefetch_batches` batches ahead of the consumer (`batcher`)

Every random draw comes from a generator seeded by (seed, epoch[, shard]) and every stage hands on shards in
stream order (`order`), so thread timing never changes the sequence. A kill loses nothing: a state saved after
any batch (`state`) continues batch for batch. Bad input stops the stream with a one-line DatasetError naming the
shard, or with `skip_corrupt_shards` skips it (logged, listed in the state).

Modules: `order` (seeded orders and the shuffle plan, no threads), `files` (shard files and reading), `chain`
(fetch and decode stages), `batcher` (batch stage, memory bound), `stream` (`ActivationStream`, ranks and
streams), `state` (resume states and `merge_loader_states`), `config` (`LoaderConfig`).
"""

from saescope.train.loader.batcher import LiveShards
from saescope.train.loader.config import LoaderConfig
from saescope.train.loader.files import HUB_PREFIX, ShardFiles, fetch_shard, open_rows
from saescope.train.loader.order import EpochPlan, epoch_shard_order, shard_keys, stream_shard_order
from saescope.train.loader.state import STATE_FORMAT, STATE_VERSION, merge_loader_states
from saescope.train.loader.stream import ActivationStream, LoaderPosition, sample_rows

__all__ = [
    "HUB_PREFIX",
    "STATE_FORMAT",
    "STATE_VERSION",
    "ActivationStream",
    "EpochPlan",
    "LiveShards",
    "LoaderConfig",
    "LoaderPosition",
    "ShardFiles",
    "epoch_shard_order",
    "fetch_shard",
    "merge_loader_states",
    "open_rows",
    "sample_rows",
    "shard_keys",
    "stream_shard_order",
]
