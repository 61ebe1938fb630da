"""`make_plan`: the config, the model's config and the dataset's size -> every stage's plan on a cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from saescope.config.schema import SaescopeConfig
from saescope.plan.base import PlanInputs, StageResult
from saescope.plan.costs import SaeShape
from saescope.plan.dataset import dataset_size
from saescope.plan.errors import PlanError
from saescope.plan.hardware import GPUS, make_cluster
from saescope.plan.model import model_shape
from saescope.plan.stages import eval_stage, harvest_stage, index_stage, train_stage

# The Qwen3-8B l36 release's dead latents for most of its run (38,315 of 65,536 at step 5,000; 36,645 at the halt,
# step 74,670): AuxK's GEMMs run over the dead columns, so their share sets much of a step's cost.
DEFAULT_DEAD_FRACTION = 0.56
STAGES = (harvest_stage, train_stage, eval_stage, index_stage)


@dataclass
class Plan:
    inputs: dict[str, Any]
    stages: list[StageResult]

    def totals(self) -> dict[str, float]:
        return {"bytes_written": sum(s.bytes_written for s in self.stages),
                "bytes_read": sum(s.bytes_read for s in self.stages),
                "flops": sum(s.flops for s in self.stages),
                "peak_host_bytes": max(s.peak_host_bytes for s in self.stages),
                "peak_device_bytes": max(s.peak_device_bytes for s in self.stages),
                "seconds": sum(s.seconds for s in self.stages)}

    def stage(self, name: str) -> StageResult:
        return next(s for s in self.stages if s.name == name)

    def to_dict(self) -> dict[str, Any]:
        return {"inputs": self.inputs, "stages": [s.to_dict() for s in self.stages], "totals": self.totals()}


def make_plan(cfg: SaescopeConfig, gpus: int = 1, gpu: str = "h100", records: int | None = None,
              conversations: int | None = None, dead_fraction: float = DEFAULT_DEAD_FRACTION,
              disk_read_gbs: float | None = None, disk_write_gbs: float | None = None) -> Plan:
    """Plan harvest, train, eval and index of `cfg` on `gpus` GPUs of kind `gpu`, from local files only."""
    if gpu not in GPUS:
        raise PlanError(f"--gpu {gpu}: choose one of {', '.join(GPUS)}")
    if gpus < 1:
        raise PlanError(f"--gpus {gpus}: give at least one GPU")
    if not 0 <= dead_fraction <= 1:
        raise PlanError(f"--dead-fraction {dead_fraction}: give a fraction of the latents, 0 to 1")
    model = model_shape(cfg.model)
    data = dataset_size(cfg, model.hidden, records, conversations)
    tc = cfg.train
    sae = SaeShape(d_in=data.d_model, d_sae=tc.d_sae, k=tc.k, aux_k=tc.aux_k, dead_fraction=dead_fraction)
    cluster = make_cluster(gpu, gpus, disk_read_gbs, disk_write_gbs)
    inputs = PlanInputs(cfg, model, data, sae, cluster)
    described = {"model": {"name": cfg.model.name, "revision": cfg.model.revision, **model.to_dict()},
                 "dataset": data.to_dict(), "sae": sae.to_dict(), "cluster": cluster.describe()}
    return Plan(described, [stage(inputs) for stage in STAGES])
