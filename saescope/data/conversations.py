"""Read lmsys-chat-1m-schema conversations from parquet, JSONL or the hub, skipping bad rows by reason.

A malformed row never stops a run: it is counted under its reason, with the first few places it was
seen (file:row), in the run summary. A file that cannot be read at all is an error naming it.
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from saescope.config.schema import SAMPLE_SOURCE, DataConfig
from saescope.errors import SaescopeError

ROLES = ("system", "user", "assistant")
LMSYS_COLUMNS = ("conversation_id", "model", "conversation", "turn", "language", "redacted")
_HUB_ID = re.compile(r"^[\w.-]+/[\w.-]+$")
_EXAMPLES_PER_REASON = 5


class DataError(SaescopeError, ValueError):
    """A conversation source that cannot be read; the message names the file."""


@dataclass
class Conversation:
    index: int  # position among the valid, kept conversations of the stream: the same on every rank
    conversation_id: str
    messages: list[dict[str, str]]
    language: str | None = None
    model: str | None = None
    turn: int | None = None
    redacted: bool = False


@dataclass
class ReadStats:
    rows_read: int = 0
    kept: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def skip(self, reason: str, where: str) -> None:
        self.skipped[reason] += 1
        places = self.examples.setdefault(reason, [])
        if len(places) < _EXAMPLES_PER_REASON:
            places.append(where)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rows_read": self.rows_read,
            "kept": self.kept,
            "skipped": dict(sorted(self.skipped.items())),
            "skipped_examples": self.examples,
        }


def sample_path() -> Path:
    """The conversations shipped with saescope (written for the project, lmsys schema)."""
    return Path(__file__).parent / "sample" / "lmsys_sample.jsonl.gz"


def validate_messages(conversation: Any) -> tuple[list[dict[str, str]] | None, str | None]:
    """Return (messages, None) for a usable conversation, else (None, reason)."""
    if conversation is None:
        return None, "missing_conversation"
    if not isinstance(conversation, list | tuple):
        return None, "conversation_not_a_list"
    if len(conversation) == 0:
        return None, "empty_conversation"
    messages = []
    for message in conversation:
        if not isinstance(message, dict):
            return None, "message_not_an_object"
        role, content = message.get("role"), message.get("content")
        if role not in ROLES:
            return None, "unknown_role"
        if content is None:
            return None, "missing_content"
        if not isinstance(content, str):
            return None, "non_string_content"
        if not content.strip():
            return None, "empty_content"
        messages.append({"role": role, "content": content})
    return messages, None


def _source_files(source: str) -> list[Path]:
    if source == SAMPLE_SOURCE:
        return [sample_path()]
    path = Path(source)
    if path.is_file():
        return [path]
    if path.is_dir():
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.name.endswith((".parquet", ".jsonl", ".jsonl.gz"))
        )
        if not files:
            raise DataError(f"{path}: folder holds no .parquet, .jsonl or .jsonl.gz files")
        return files
    if _HUB_ID.match(source) and not path.exists():
        return _hub_files(source)
    raise DataError(f"{source}: no such file or folder")


def _hub_files(repo_id: str) -> list[Path]:
    """Download (or reuse from the cache) a hub dataset's parquet files; HF_TOKEN opens gated ones."""
    from huggingface_hub import snapshot_download

    try:
        folder = snapshot_download(repo_id, repo_type="dataset", allow_patterns=["*.parquet"])
    except Exception as e:  # huggingface_hub raises many types: gated, offline, not found
        raise DataError(
            f"{repo_id}: cannot get the hub dataset ({type(e).__name__}: {e}). Gated datasets need HF_TOKEN; "
            "offline, point data.source at a local folder of its parquet files."
        ) from e
    files = sorted(Path(folder).rglob("*.parquet"))
    if not files:
        raise DataError(f"{repo_id}: the hub dataset has no parquet files")
    return files


def _jsonl_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            for line_no, line in enumerate(f, start=1):
                if not line.strip():
                    continue
                where = f"{path.name}:{line_no}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    yield where, None
                    continue
                yield where, row if isinstance(row, dict) else None
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise DataError(f"{path}: cannot read JSONL: {e}") from e


def _parquet_rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    try:
        pf = pq.ParquetFile(path)
        names = set(pf.schema_arrow.names)
        if "conversation" not in names:
            raise DataError(f"{path}: parquet file has no 'conversation' column (columns: {sorted(names)})")
        columns = [c for c in LMSYS_COLUMNS if c in names]
        row_no = 0
        for batch in pf.iter_batches(batch_size=1024, columns=columns):
            for row in batch.to_pylist():
                row_no += 1
                yield f"{path.name}:{row_no}", row
    except (OSError, pa.ArrowException) as e:
        raise DataError(f"{path}: cannot read parquet: {e}") from e


def _rows(path: Path) -> Iterator[tuple[str, dict[str, Any] | None]]:
    if path.name.endswith(".parquet"):
        return _parquet_rows(path)
    return _jsonl_rows(path)


def _keep(row: dict[str, Any], cfg: DataConfig) -> str | None:
    """The filter reason that drops a valid row, or None to keep it."""
    if cfg.languages is not None and row.get("language") not in cfg.languages:
        return "filtered_language"
    if cfg.skip_redacted and bool(row.get("redacted")):
        return "filtered_redacted"
    return None


def iter_conversations(cfg: DataConfig, stats: ReadStats | None = None) -> Iterator[Conversation]:
    """Yield valid conversations in a fixed order, numbering them from 0; fill `stats` as rows are read."""
    stats = stats if stats is not None else ReadStats()
    for path in _source_files(cfg.source):
        for where, row in _rows(path):
            if cfg.max_conversations is not None and stats.kept >= cfg.max_conversations:
                return
            stats.rows_read += 1
            if row is None:
                stats.skip("invalid_json_row", where)
                continue
            messages, reason = validate_messages(row.get("conversation"))
            conversation_id = row.get("conversation_id")
            if reason is None and not (isinstance(conversation_id, str) and conversation_id):
                reason = "missing_conversation_id"
            reason = reason or _keep(row, cfg)
            if reason is not None or messages is None:
                stats.skip(reason or "invalid", where)
                continue
            turn = row.get("turn")
            yield Conversation(
                index=stats.kept,
                conversation_id=conversation_id,
                messages=messages,
                language=row.get("language"),
                model=row.get("model"),
                turn=int(turn) if isinstance(turn, int) else None,
                redacted=bool(row.get("redacted")),
            )
            stats.kept += 1


def count_rows(source: str) -> int | None:
    """Rows in the source when cheap to know (parquet metadata, JSONL line count), for progress ETA."""
    try:
        files = _source_files(source)
    except DataError:
        return None
    total = 0
    for path in files:
        if path.name.endswith(".parquet"):
            try:
                total += pq.ParquetFile(path).metadata.num_rows
            except (OSError, pa.ArrowException):
                return None
        else:
            opener = gzip.open if path.name.endswith(".gz") else open
            try:
                with opener(path, "rb") as f:
                    total += sum(1 for line in f if line.strip())
            except OSError:
                return None
    return total
