"""`saescope harvest`: run a model over conversations and store residual-stream activations in shards.

Conversations are numbered in stream order; rank r of a torchrun job takes those with index % world == r
and writes its own shards, each closed after whole conversations. A restarted run skips everything its
committed shards already hold, and since shard boundaries and batches depend only on the stream, it
ends with exactly the records of an uninterrupted run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from tqdm import tqdm

from saescope import __version__
from saescope.config.hookpoints import hookpoint_label
from saescope.config.schema import SaescopeConfig
from saescope.data.conversations import Conversation, ReadStats, count_rows, iter_conversations
from saescope.data.templating import (
    ROLE_CODES,
    TokenizedConversation,
    tokenize_conversation,
    tokenizer_fingerprint,
)
from saescope.errors import SaescopeError
from saescope.harvest.format import FORMAT_NAME, FORMAT_VERSION, MANIFEST, RUN_FILE, SHARD_DIR, rank_prefix
from saescope.harvest.shards import HarvestedConversation, build_shard, commit_shard, committed_shards
from saescope.lm.batching import padded_batch, plan_batches
from saescope.lm.hookpoints import capture_residuals, check_hookpoints
from saescope.lm.loading import LoadedModel, load_model
from saescope.utils import dist
from saescope.utils.atomic import read_json_object, remove_stale_temporaries, write_json_atomic
from saescope.utils.devices import resolve_device
from saescope.utils.precision import dtype_name
from saescope.utils.settings import refuse_other_settings
from saescope.utils.timestamps import utc_now


class HarvestError(SaescopeError, RuntimeError):
    pass


def run_fingerprint(cfg: SaescopeConfig, world_size: int) -> dict:
    """What must not change between a run and its resumption."""
    harvest = cfg.harvest.model_dump(exclude={"out", "verify"})
    return {"model": cfg.model.model_dump(exclude={"device"}), "data": cfg.data.model_dump(),
            "harvest": harvest, "world_size": world_size}


def _check_run_file(out: Path, fingerprint: dict, info: dist.DistInfo) -> None:
    run_file = out / RUN_FILE
    if info.is_main and not run_file.exists():
        write_json_atomic(run_file, {"fingerprint": fingerprint, "started": utc_now()})
    dist.barrier()
    recorded = read_json_object(run_file, HarvestError).get("fingerprint", {})
    refuse_other_settings(recorded, fingerprint, f"{out} holds a harvest",
                          "use another harvest.out, or delete the folder to start over", HarvestError)


def record_positions(tokens: TokenizedConversation, roles: list[str] | None) -> np.ndarray:
    if roles is None:
        return np.arange(len(tokens), dtype=np.int64)
    keep = np.isin(tokens.roles, [ROLE_CODES[r] for r in roles])
    return np.flatnonzero(keep).astype(np.int64)


def harvest_activations(
    lm: LoadedModel,
    pending: list[tuple[Conversation, TokenizedConversation]],
    hookpoints: list[str],
    cfg: SaescopeConfig,
) -> list[HarvestedConversation]:
    """Forward one shard's conversations in padded batches; keep each record's activations on the CPU."""
    store_dtype = getattr(torch, cfg.harvest.dtype)
    pad_id = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else 0
    labels = [hookpoint_label(hp) for hp in hookpoints]
    lengths = [len(tok) for _, tok in pending]
    results: list[HarvestedConversation | None] = [None] * len(pending)
    for batch in plan_batches(lengths, cfg.harvest.batch_tokens):
        ids, mask = padded_batch([pending[i][1].token_ids for i in batch], pad_id)
        captured = capture_residuals(lm.model, ids.to(lm.device), mask.to(lm.device), hookpoints)
        for row, i in enumerate(batch):
            conversation, tokens = pending[i]
            positions = record_positions(tokens, cfg.harvest.roles)
            index = torch.from_numpy(positions).to(lm.device)
            acts = {
                label: captured[hp][row].index_select(0, index).to("cpu", store_dtype)
                for hp, label in zip(hookpoints, labels, strict=True)
            }
            results[i] = HarvestedConversation(conversation, tokens, positions, acts)
    return [r for r in results if r is not None]


def _rank_conversations(
    cfg: SaescopeConfig, info: dist.DistInfo, done_through: int, stats: ReadStats
) -> Iterator[Conversation]:
    for conversation in iter_conversations(cfg.data, stats):
        if conversation.index % info.world_size == info.rank and conversation.index > done_through:
            yield conversation


def _shards_of_conversations(
    conversations: Iterator[Conversation], lm: LoadedModel, cfg: SaescopeConfig
) -> Iterator[list[tuple[Conversation, TokenizedConversation]]]:
    """Group tokenized conversations into shards of at least `shard_records` records."""
    pending: list[tuple[Conversation, TokenizedConversation]] = []
    records = 0
    for conversation in conversations:
        tokens = tokenize_conversation(lm.tokenizer, conversation.messages, cfg.data.max_tokens_per_conversation)
        pending.append((conversation, tokens))
        records += len(record_positions(tokens, cfg.harvest.roles))
        if records >= cfg.harvest.shard_records:
            yield pending
            pending, records = [], 0
    if pending:
        yield pending


def write_manifest(out: Path, cfg: SaescopeConfig, lm: LoadedModel, stats: ReadStats, world_size: int) -> dict:
    markers = committed_shards(out / SHARD_DIR)
    config = lm.model.config
    manifest = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "saescope_version": __version__,
        "created": utc_now(),
        "model": {
            "name": lm.name,
            "revision": lm.revision,
            "architecture": type(lm.model).__name__,
            "dtype": dtype_name(lm.dtype),  # what ran (float32 where bf16 is not native)
            "attn_implementation": cfg.model.attn_implementation,
            "n_layers": int(config.num_hidden_layers),
        },
        "hookpoints": [{"hookpoint": hp, "label": hookpoint_label(hp)} for hp in cfg.harvest.hookpoints],
        "d_model": lm.d_model,
        "activation_dtype": cfg.harvest.dtype,
        "tokenizer": tokenizer_fingerprint(lm.tokenizer),
        "source": {"dataset": cfg.data.source, **cfg.data.model_dump(exclude={"source"})},
        "records_for_roles": cfg.harvest.roles or "all",
        "role_codes": ROLE_CODES,
        "world_size": world_size,
        "counts": {
            "conversations": sum(m["conversations"] for m in markers),
            "records": sum(m["rows"] for m in markers),
            "tokens": sum(m["tokens"] for m in markers),
            "truncated_conversations": sum(m["truncated_conversations"] for m in markers),
            **stats.to_dict(),
        },
        "shards": [{k: m[k] for k in ("file", "rank", "seq", "rows", "bytes", "sha256", "conversations",
                                         "first_conversation", "last_conversation")} for m in markers],
    }
    write_json_atomic(out / MANIFEST, manifest)
    return manifest


def harvest(cfg: SaescopeConfig) -> Path:
    """Harvest activations as `cfg` says; resumes a killed run in the same folder. Returns the folder."""
    out = Path(cfg.harvest.out)
    device = resolve_device(cfg.model.device)
    info = dist.init_distributed(device)
    try:
        if (out / MANIFEST).exists():
            _check_run_file(out, run_fingerprint(cfg, info.world_size), info)
            if info.is_main:
                print(f"{out}: harvest already complete ({out / MANIFEST})")
            return out
        (out / SHARD_DIR).mkdir(parents=True, exist_ok=True)
        _check_run_file(out, run_fingerprint(cfg, info.world_size), info)
        lm = load_model(cfg.model, info.local_rank)
        check_hookpoints(lm.model, cfg.harvest.hookpoints)
        stats = _harvest_rank(out, cfg, lm, info)
        dist.barrier()
        if info.is_main:
            remove_stale_temporaries(out / SHARD_DIR)
            manifest = write_manifest(out, cfg, lm, stats, info.world_size)
            counts = manifest["counts"]
            print(f"{out}: {counts['conversations']} conversations, {counts['records']} records in "
                  f"{len(manifest['shards'])} shards; skipped {counts['skipped'] or 'none'}")
            if cfg.harvest.verify:
                from saescope.harvest.dataset import ActivationDataset

                ActivationDataset.open(out, verify=True)
        dist.barrier()
        return out
    finally:
        dist.destroy()


def _harvest_rank(out: Path, cfg: SaescopeConfig, lm: LoadedModel, info: dist.DistInfo) -> ReadStats:
    shards_dir = out / SHARD_DIR
    # Only this rank's: another rank may already be writing its first shard into the same folder.
    remove_stale_temporaries(shards_dir, rank_prefix(info.rank))
    done = committed_shards(shards_dir, info.rank)
    done_through = max((m["last_conversation"] for m in done), default=-1)
    labels = [hookpoint_label(hp) for hp in cfg.harvest.hookpoints]
    stats = ReadStats()
    total_rows = count_rows(cfg.data.source) if info.is_main else None
    if total_rows is not None and cfg.data.max_conversations is not None:
        total_rows = min(total_rows, cfg.data.max_conversations)
    progress = tqdm(
        total=None if total_rows is None else -(-total_rows // info.world_size),
        initial=sum(m["conversations"] for m in done),
        unit="conv", desc=f"harvest {','.join(labels)}", disable=not info.is_main, mininterval=1.0,
    )
    started, tokens_done = time.perf_counter(), 0
    seq = len(done)
    writes: list[Future] = []
    with ThreadPoolExecutor(max_workers=1) as writer:  # the next shard's forward overlaps this write
        conversations = _rank_conversations(cfg, info, done_through, stats)
        for pending in _shards_of_conversations(conversations, lm, cfg):
            items = harvest_activations(lm, pending, cfg.harvest.hookpoints, cfg)
            tensors, metadata = build_shard(items, labels)
            for future in writes:
                future.result()
            writes = [writer.submit(commit_shard, shards_dir, info.rank, seq, tensors, metadata)]
            seq += 1
            tokens_done += sum(len(tok) for _, tok in pending)
            progress.update(len(pending))
            progress.set_postfix(tok_s=f"{tokens_done / (time.perf_counter() - started):,.0f}", shards=seq)
        for future in writes:
            future.result()
    progress.close()
    return stats
