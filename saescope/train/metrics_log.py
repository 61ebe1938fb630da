"""The run's metrics: `metrics.jsonl` in the run folder, mirrored to wandb when `train.wandb_project` is set."""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from saescope.config.schema import TrainConfig
from saescope.errors import SaescopeError
from saescope.utils.atomic import write_bytes_atomic

METRICS_FILE = "metrics.jsonl"


class MetricsLog:
    """metrics.jsonl, truncated back to the resume step so a resumed run never repeats lines."""

    def __init__(self, path: Path, resume_step: int, enabled: bool) -> None:
        self.path, self.enabled = path, enabled
        self.wandb_run: Any = None
        if enabled:
            path.parent.mkdir(parents=True, exist_ok=True)
        if enabled and path.exists():
            kept = [line for line in path.read_text().splitlines() if json.loads(line).get("step", 0) <= resume_step]
            write_bytes_atomic(path, "".join(line + "\n" for line in kept).encode())

    def write(self, metrics: dict[str, Any]) -> None:
        if self.enabled:
            with self.path.open("a") as f:
                f.write(json.dumps(metrics) + "\n")
        if self.wandb_run is not None:
            self.wandb_run.log(metrics, step=int(metrics["step"]))

    def start_wandb(self, cfg: TrainConfig, run_folder: Path) -> None:
        """Optional wandb mirror of the metrics (WANDB_MODE=offline works); resumes the same wandb run."""
        if not (self.enabled and cfg.wandb_project):
            return
        try:
            import wandb
        except ImportError as e:
            raise SaescopeError("train.wandb_project is set but wandb is not installed: pip install wandb") from e
        run_id_file = run_folder / "wandb_run_id"
        run_id = run_id_file.read_text().strip() if run_id_file.exists() else uuid.uuid4().hex[:12]
        write_bytes_atomic(run_id_file, run_id.encode())
        self.wandb_run = wandb.init(project=cfg.wandb_project, name=cfg.run_name or run_folder.name, id=run_id,
                                    resume="allow", config=cfg.model_dump(), dir=str(run_folder))
