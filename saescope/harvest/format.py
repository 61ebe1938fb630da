"""The on-disk layout of an activation dataset.

    <out>/run.json                       what the run is (config fingerprint, world size): resume checks it
    <out>/shards/r000-000000.safetensors one shard: whole conversations, their records and their tokens
    <out>/shards/r000-000000.json        the shard's commit marker (rows, bytes, sha256); written last
    <out>/manifest.json                  written once every rank is done: its presence means complete

A shard is a safetensors file (memory-mappable, no pickle) holding, for its conversations:
    acts.<label>          [records, d_model]  activations per hookpoint (bf16 or fp32)
    record.conversation   [records] int64     global conversation index
    record.position       [records] int32     token position in the conversation
    record.token          [records] int32     token id
    record.role           [records] int8      ROLE_CODES
    record.turn           [records] int16
    conv.index            [convs] int64       global conversation index
    conv.offsets          [convs + 1] int64   where each conversation's tokens start in conv.tokens
    conv.tokens           [tokens] int32      every token of every conversation, stored once
    conv.roles, conv.turns, conv.truncated
and in its header metadata, under the one key `saescope`, a JSON object with the format and the
conversation ids, languages and source models as lists.
"""

from __future__ import annotations

import re

FORMAT_NAME = "saescope-activations"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
RUN_FILE = "run.json"
SHARD_DIR = "shards"
SHARD_HEADER_KEY = "saescope"

_SHARD_STEM = re.compile(r"^r(\d{3})-(\d{6})$")


def rank_prefix(rank: int) -> str:
    """The start of the name of every file a rank writes into the shard folder."""
    return f"r{rank:03d}-"


def shard_stem(rank: int, seq: int) -> str:
    return f"{rank_prefix(rank)}{seq:06d}"


def parse_shard_stem(stem: str) -> tuple[int, int] | None:
    match = _SHARD_STEM.match(stem)
    return (int(match.group(1)), int(match.group(2))) if match else None


def acts_key(label: str) -> str:
    return f"acts.{label}"
