"""One half of the GPU check: where its stages run and write, how they are timed, and their shared settings.

Every stage of either half reads the CPU half's outputs (its dataset, its trained SAE, its index), so a stage's
agreement says whether that stage computes on the device what it computes on the CPU from the same inputs, not
how differences of the stages before it have grown.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from saescope.config import load_config
from saescope.config.schema import SaescopeConfig
from saescope.diagnostics.checks import StageResult
from saescope.diagnostics.sizes import Sizes

HOOKPOINT = "layers.19"  # the demo's: label l20, two thirds of the way through SmolLM2's 30 blocks
HELDOUT = 0.25  # of the harvest's shards: training leaves them out, eval reads them


@dataclass
class Timing:
    seconds: float = 0.0
    peak_mib: float | None = None


@dataclass
class Half:
    root: Path  # the check's folder: <root>/cpu holds the CPU half's outputs, <root>/device the device's
    device: torch.device
    is_reference: bool  # True for the CPU half, whose outputs every stage of both halves reads
    sizes: Sizes
    model_dir: Path  # the embedded SmolLM2, converted once to a folder (see gpu_check.convert_model)
    log: Path  # what the stages print goes here, so that the check's own output stays one table
    cache: dict[str, Any] = field(default_factory=dict)

    @property
    def out(self) -> Path:
        return self.root / ("cpu" if self.is_reference else "device")

    @property
    def cpu(self) -> Path:
        return self.root / "cpu"

    @property
    def on_cuda(self) -> bool:
        return self.device.type == "cuda"

    def synchronize(self) -> None:
        if self.on_cuda:
            torch.cuda.synchronize(self.device)

    @contextlib.contextmanager
    def measure(self) -> Iterator[Timing]:
        """Time the block (the device synchronised at both ends) and record its peak GPU memory, with what it
        prints (progress bars, summary lines, warnings) sent to the log."""
        timing = Timing()
        if self.on_cuda:
            torch.cuda.empty_cache()
            torch.cuda.reset_peak_memory_stats(self.device)
        self.synchronize()
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            started = time.perf_counter()
            yield timing
            self.synchronize()
            timing.seconds = time.perf_counter() - started
        if self.on_cuda:
            timing.peak_mib = torch.cuda.max_memory_allocated(self.device) / 2**20

    def config(self, **overrides: Any) -> SaescopeConfig:
        """The stages' settings: float32 throughout (the comparison's precision), the CPU half's outputs as
        inputs, this half's folder as output; `overrides` are config keys with '__' for '.'."""
        s, device, cpu, out = self.sizes, str(self.device), self.cpu, self.out
        settings: dict[str, Any] = {
            "model.name": str(self.model_dir), "model.dtype": "float32", "model.device": device,
            "data.source": "saescope:sample", "data.max_conversations": s.conversations,
            "data.max_tokens_per_conversation": s.max_tokens,
            "harvest.out": str(out / "activations"), "harvest.hookpoints": [HOOKPOINT], "harvest.dtype": "float32",
            "harvest.shard_records": s.shard_records, "harvest.batch_tokens": 4096,
            "train.activations": str(cpu / "activations"), "train.hookpoint": HOOKPOINT,
            "train.out": str(out / "train"), "train.d_sae": s.d_sae, "train.k": 32, "train.aux_k": 256,
            "train.lr": 1e-3, "train.batch_size": s.batch_size, "train.total_tokens": s.batch_size * s.train_steps,
            "train.warmup_tokens": 2 * s.batch_size, "train.normalizer_tokens": 8 * s.batch_size,
            "train.dead_tokens": 4 * s.batch_size, "train.heldout_fraction": HELDOUT,
            "train.autocast_dtype": "float32", "train.device": device, "train.save_every": 10**6,
            "train.log_every": 1, "train.shuffle_buffer": 2048, "train.prefetch_shards": 2,
            "train.decoded_prefetch_shards": 2, "train.cpu_prefetch_batches": 2,
            "eval.out": str(out / "eval"), "eval.heldout_fraction": HELDOUT,
            "eval.coreplus_conversations": s.coreplus_conversations, "eval.coreplus_max_tokens": s.coreplus_max_tokens,
            "index.out": str(out / "index"), "index.device": device, "index.batch_size": 1024,
            "index.save_every_shards": 10**6,
            "steer.index": str(cpu / "index"), "steer.max_new_tokens": s.new_tokens,
        }
        return load_config(None, settings | {k.replace("__", "."): v for k, v in overrides.items()})


def attempt(half: Half, stage: str, run: Callable[[Half], StageResult]) -> StageResult:
    """Run one stage. On the device a failure becomes a failed row and the check goes on (the later stages read
    only the CPU's outputs); on the CPU it stops the check, since every comparison needs the CPU's figures."""
    if half.is_reference:
        return run(half)
    try:
        return run(half)
    except Exception as e:  # any failure of a stage on the device is a finding, reported in its row
        if half.on_cuda and isinstance(e, torch.cuda.OutOfMemoryError):
            torch.cuda.empty_cache()
        first = str(e).strip().splitlines()[0] if str(e).strip() else ""
        return StageResult(stage, str(half.device), error=f"{type(e).__name__}: {first}"[:200])
