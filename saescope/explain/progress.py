"""Resumable progress of `saescope explain`: a JSON-lines journal beside the index, its first line the settings,
then one line per finished feature, appended and flushed to disk as each batch finishes (appending keeps a run
over every feature linear, where rewriting one file would not). A killed run leaves at most a torn last line,
which is dropped on reading; a run with other settings is refused, naming them. explanations.parquet, written at
the end, says the run is complete, and the journal is removed then. A journal with no finished feature yet is
simply started over."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from saescope.explain.errors import ExplainError
from saescope.utils.atomic import write_bytes_atomic
from saescope.utils.settings import refuse_other_settings

PROGRESS_FILE = "explanations_progress.jsonl"


class Journal:
    def __init__(self, path: Path, rows: list[dict[str, Any]]) -> None:
        self.path, self.rows = path, rows

    @classmethod
    def open(cls, folder: Path, settings: dict[str, Any]) -> Journal:
        """The journal in `folder`, its finished rows read back; a new one holding `settings` when it has none."""
        path = folder / PROGRESS_FILE
        *lines, torn = path.read_text().split("\n") if path.is_file() else [""]  # torn: "" unless a kill cut it
        entries = [_parse(path, number, line) for number, line in enumerate(lines, 1)]
        if len(entries) <= 1:  # new, killed while its first line was written, or nothing finished to keep
            write_bytes_atomic(path, _lines([{"settings": settings}]))
            return cls(path, [])
        if not isinstance(entries[0], dict) or "settings" not in entries[0]:
            raise ExplainError(f"{path}: has no settings line; delete the file to start over")
        refuse_other_settings(entries[0]["settings"], settings, f"{path}: progress of an explain run",
                              "delete it to start over with these settings", ExplainError)
        if torn:
            write_bytes_atomic(path, _lines(entries))
        return cls(path, entries[1:])

    def done(self) -> dict[int, dict[str, Any]]:
        return {int(r["feature"]): r for r in self.rows}

    def record(self, rows: list[dict[str, Any]]) -> None:
        _append(self.path, rows)
        self.rows += rows

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)


def _parse(path: Path, number: int, line: str) -> Any:
    try:
        return json.loads(line)
    except json.JSONDecodeError as e:
        raise ExplainError(f"{path}: line {number} is not JSON ({e}); delete the file to start over") from e


def _lines(entries: list[Any]) -> bytes:
    return "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries).encode()


def _append(path: Path, entries: list[dict[str, Any]]) -> None:
    with open(path, "ab") as f:
        f.write(_lines(entries))
        f.flush()
        os.fsync(f.fileno())
