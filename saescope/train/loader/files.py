"""Where a stream's shard files come from and how they are read: a dataset folder or a hub dataset repo.

`fetch_shard` makes a shard local and resident: a hub dataset (`hf://datasets/<owner>/<name>[@revision]`)
downloads it into the Hugging Face cache, pinned to the manifest's commit; a local file is read into the page
cache (hashed on the way when `verify`). `open_rows` then maps one hookpoint's activations as a tensor, no copy:
the rows stay file pages in the page cache rather than process memory. Every check of a shard against the
manifest is `check_shard_file` of the dataset format; its DatasetError names the shard.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import torch

from saescope.harvest.dataset import ActivationDataset, DatasetError, Shard, check_shard_file
from saescope.harvest.format import MANIFEST, acts_key

HUB_PREFIX = "hf://datasets/"


def _parse_hub(source: str) -> tuple[str, str | None]:
    repo_id, _, revision = source[len(HUB_PREFIX):].strip("/").partition("@")
    if repo_id.count("/") != 1:
        raise ValueError(f"{source}: expected {HUB_PREFIX}<owner>/<name>[@revision]")
    return repo_id, revision or None


class ShardFiles:
    """An activation dataset's manifest and a way to make each shard file local: a folder, or a hub dataset repo."""

    def __init__(self, dataset: ActivationDataset, repo_id: str | None = None, revision: str | None = None) -> None:
        self.dataset = dataset
        self.repo_id = repo_id
        self.revision = revision

    @classmethod
    def open(cls, source: str | Path | ActivationDataset | ShardFiles) -> ShardFiles:
        if isinstance(source, ShardFiles):
            return source
        if isinstance(source, ActivationDataset):
            return cls(source)
        if not (isinstance(source, str) and source.startswith(HUB_PREFIX)):
            return cls(ActivationDataset.open(source))
        from huggingface_hub import hf_hub_download

        repo_id, revision = _parse_hub(source)
        manifest = Path(hf_hub_download(repo_id, MANIFEST, repo_type="dataset", revision=revision))
        # The hub cache keeps each commit in a snapshot folder named by its hash: pinning the shards to that
        # commit means a branch moving during training cannot mix two versions of the dataset.
        return cls(ActivationDataset.open(manifest.parent), repo_id, manifest.parent.name)

    def name(self, i: int) -> str:
        return self.dataset.shard_entries[i]["file"]

    def local_path(self, i: int) -> Path:
        if self.repo_id is None:
            return self.dataset.shard_path(i)
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(self.repo_id, self.name(i), repo_type="dataset", revision=self.revision))


def _make_resident(path: Path, size: int) -> None:
    """Have the kernel read the whole file into the page cache."""
    with open(path, "rb", buffering=0) as src:
        if hasattr(os, "sendfile"):
            # sendfile into /dev/null reads every page without copying the bytes through user space.
            with open(os.devnull, "wb") as sink:
                offset = 0
                try:
                    while offset < size and (sent := os.sendfile(sink.fileno(), src.fileno(), offset, size - offset)):
                        offset += sent
                    return
                except OSError:  # a platform whose sendfile needs a socket: read through instead
                    pass
        buffer = bytearray(1 << 22)
        while src.readinto(buffer):
            pass


def fetch_shard(files: ShardFiles, i: int, verify: bool) -> Path:
    """Make shard i local and resident; checks its size, and its sha256 when `verify` (which reads it whole
    anyway, so it needs no second pass to become resident)."""
    entry = files.dataset.shard_entries[i]
    path = files.local_path(i)
    size = check_shard_file(path, entry["bytes"], entry["sha256"] if verify else None)
    if not verify:
        try:
            _make_resident(path, size)
        except OSError as e:
            raise DatasetError(f"shard {path} cannot be read: {e}") from e
    return path


def open_rows(path: Path, entry: dict[str, Any], label: str, d_model: int) -> torch.Tensor:
    """A shard's activations at one hookpoint, memory-mapped (no copy yet), checked against the manifest."""
    acts = Shard(path, entry["bytes"]).get(acts_key(label))
    if tuple(acts.shape) != (entry["rows"], d_model):
        raise DatasetError(f"shard {path}: acts.{label} is {tuple(acts.shape)}, manifest says ({entry['rows']}, "
                           f"{d_model})")
    if acts.dtype not in (torch.bfloat16, torch.float32):
        raise DatasetError(f"shard {path}: acts.{label} is {acts.dtype}, expected bfloat16 or float32")
    return acts
