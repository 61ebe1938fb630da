"""`saescope plan`: bytes, FLOPs, memory and time of each stage, from the config and the model's config alone.

    hardware   GPU datasheet figures and every bandwidth/efficiency assumption, in one place
    model      the language model's shape from local files (folder, GGUF, cached hub config, embedded default)
    dataset    the activation dataset's counts and its bytes from the shard format
    costs      FLOPs and memory traffic of the LM forward and the SAE's kernels
    stages     harvest, eval and index; training: train (one function per stage, a `StageResult` each)
    make       `make_plan`;  render: the table and the JSON
"""

from saescope.plan.errors import PlanError
from saescope.plan.make import DEFAULT_DEAD_FRACTION, Plan, make_plan

__all__ = ["DEFAULT_DEAD_FRACTION", "Plan", "PlanError", "make_plan"]
