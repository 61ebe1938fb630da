"""Resumable progress of `saescope steer-eval`: the prompt rows of every finished feature x strength, kept in
one JSON file rewritten atomically as each finishes, with the settings that must not change before a resume.
A killed run started again with the same settings skips what is done; summary.json, written last, says the
run is complete, and the progress file is removed then."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from saescope.steer.intervene import SteerError
from saescope.utils.atomic import read_json_object, write_json_atomic
from saescope.utils.settings import refuse_other_settings

PROGRESS_FILE = "steer_progress.json"


class SteerProgress:
    def __init__(self, path: Path, settings: dict[str, Any], pairs: list[list[dict[str, Any]]]) -> None:
        self.path, self.settings, self._pairs = path, settings, pairs  # each pair's prompt rows, in order

    @classmethod
    def open(cls, folder: Path, settings: dict[str, Any]) -> SteerProgress:
        """The progress in `folder` (empty when there is none); other settings stop with the keys that differ."""
        path = folder / PROGRESS_FILE
        if not path.is_file():
            return cls(path, settings, [])
        state = read_json_object(path, SteerError)
        refuse_other_settings(state.get("settings", {}), settings, f"{path}: progress of a steer-eval",
                              "use another steer.out, or delete the file to start over", SteerError)
        return cls(path, settings, state.get("pairs", []))

    def done(self) -> dict[tuple[int, float], list[dict[str, Any]]]:
        """Prompt rows of the finished pairs, by (feature, strength)."""
        return {(int(rows[0]["feature"]), float(rows[0]["strength"])): rows for rows in self._pairs}

    def record(self, rows: list[dict[str, Any]]) -> None:
        """One finished feature x strength (its prompt rows), on disk before the next one starts."""
        self._pairs.append(rows)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_json_atomic(self.path, {"settings": self.settings, "pairs": self._pairs})

    def remove(self) -> None:
        self.path.unlink(missing_ok=True)
