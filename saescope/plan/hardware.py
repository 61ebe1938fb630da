"""The machines a plan is computed for: GPU datasheet figures and every bandwidth and efficiency assumption.

All of the plan's hardware assumptions live in this module, so a reader can check them in one place:

- GPU figures are NVIDIA's datasheet peaks (dense, i.e. without 2:4 sparsity), SXM form factor.
- Achieved fractions of those peaks (`Assumptions`) are not measured by saescope: nothing here has run on a GPU yet.
  They are the usual ballpark for large cuBLAS GEMMs, an eager transformers forward, streaming kernels, PCIe copies
  and NCCL all-reduce; override them in code (`Assumptions(...)`) or disk bandwidths with the CLI flags.
- A node holds up to `gpus_per_node` GPUs; GPUs of one node talk over NVLink, nodes over one 400 Gb/s NIC per GPU.
- Disk is one filesystem per node (local NVMe or a fast volume) shared by that node's ranks; the network to the
  hub is one 10 Gb/s link per node.

Units: bytes and bytes/s in SI (1 GB = 1e9 bytes), FLOP/s as FLOPs per second.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

TERA = 1e12
GIGA = 1e9


@dataclass(frozen=True)
class GpuSpec:
    """One GPU's datasheet peaks."""

    name: str
    bf16_flops: float  # dense bf16 tensor-core FLOP/s
    fp32_flops: float  # fp32 FLOP/s on the CUDA cores (no TF32: torch's default for matmuls)
    hbm_bytes_s: float  # HBM bandwidth
    memory_bytes: float  # HBM capacity
    nvlink_bytes_s: float  # NVLink bandwidth per direction (half the datasheet's bidirectional figure)
    pcie_bytes_s: float  # PCIe x16 bandwidth per direction


GPUS: dict[str, GpuSpec] = {
    # H100 SXM5 80GB: 989 TFLOP/s bf16 dense, 67 fp32, HBM3 3.35 TB/s, NVLink 4 900 GB/s, PCIe Gen5.
    "h100": GpuSpec("H100 SXM 80GB", 989 * TERA, 67 * TERA, 3.35 * TERA, 80 * GIGA, 450 * GIGA, 64 * GIGA),
    # A100 SXM4 80GB: 312 TFLOP/s bf16 dense, 19.5 fp32, HBM2e 2.039 TB/s, NVLink 3 600 GB/s, PCIe Gen4.
    "a100": GpuSpec("A100 SXM 80GB", 312 * TERA, 19.5 * TERA, 2.039 * TERA, 80 * GIGA, 300 * GIGA, 32 * GIGA),
    # H200 SXM 141GB: the H100's compute, HBM3e 4.8 TB/s and 141 GB.
    "h200": GpuSpec("H200 SXM 141GB", 989 * TERA, 67 * TERA, 4.8 * TERA, 141 * GIGA, 450 * GIGA, 64 * GIGA),
}


@dataclass(frozen=True)
class Assumptions:
    """Achieved fractions of the peaks, and the bandwidths of what is not a GPU."""

    sae_gemm_efficiency: float = 0.7  # large SAE GEMMs (bf16 or fp32) reach ~70% of peak
    lm_forward_efficiency: float = 0.5  # an eager transformers forward (sdpa, padded batches): ~50% MFU
    hbm_efficiency: float = 0.8  # streaming and row-gather kernels reach ~80% of HBM bandwidth
    pcie_efficiency: float = 0.8  # pinned host<->device copies
    allreduce_efficiency: float = 0.8  # NCCL ring all-reduce bus bandwidth as a fraction of the link's
    collective_latency_s: float = 30e-6  # one small all-reduce (a few KB): latency, not bandwidth
    gpus_per_node: int = 8
    internode_bytes_s: float = 50 * GIGA  # one 400 Gb/s NIC per GPU between nodes
    disk_read_bytes_s: float = 5 * GIGA  # per node, sustained
    disk_write_bytes_s: float = 2.5 * GIGA  # per node, sustained
    network_bytes_s: float = 1.25 * GIGA  # per node, to the hub (10 Gb/s)
    utf8_bytes_per_token: float = 4.0  # raw conversation text read per token (English BPE averages ~4 chars)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Cluster:
    """`count` GPUs of one kind, packed into nodes of `assumptions.gpus_per_node`."""

    gpu: GpuSpec
    count: int = 1
    assumptions: Assumptions = field(default_factory=Assumptions)

    @property
    def nodes(self) -> int:
        return math.ceil(self.count / self.assumptions.gpus_per_node)

    @property
    def gpus_per_node(self) -> int:
        return min(self.count, self.assumptions.gpus_per_node)

    def gemm_seconds(self, flops: float, dtype: str = "bfloat16") -> float:
        """Seconds for `flops` of SAE GEMMs on one GPU: flops / (peak of the dtype x sae_gemm_efficiency)."""
        peak = self.gpu.bf16_flops if dtype == "bfloat16" else self.gpu.fp32_flops
        return flops / (peak * self.assumptions.sae_gemm_efficiency)

    def lm_seconds(self, flops: float, dtype: str = "bfloat16") -> float:
        """Seconds for `flops` of a language-model forward on one GPU (lm_forward_efficiency of the peak)."""
        peak = self.gpu.bf16_flops if dtype == "bfloat16" else self.gpu.fp32_flops
        return flops / (peak * self.assumptions.lm_forward_efficiency)

    def hbm_seconds(self, nbytes: float) -> float:
        """Seconds for `nbytes` of memory-bound traffic on one GPU."""
        return nbytes / (self.gpu.hbm_bytes_s * self.assumptions.hbm_efficiency)

    def pcie_seconds(self, nbytes: float) -> float:
        """Seconds to copy `nbytes` between one GPU and its host."""
        return nbytes / (self.gpu.pcie_bytes_s * self.assumptions.pcie_efficiency)

    def disk_read_seconds(self, nbytes_per_node: float) -> float:
        return nbytes_per_node / self.assumptions.disk_read_bytes_s

    def disk_write_seconds(self, nbytes_per_node: float) -> float:
        return nbytes_per_node / self.assumptions.disk_write_bytes_s

    def network_seconds(self, nbytes_per_node: float) -> float:
        return nbytes_per_node / self.assumptions.network_bytes_s

    def allreduce_seconds(self, nbytes: float) -> float:
        """Ring all-reduce of `nbytes` over all GPUs: each sends and receives 2 (n - 1) / n x nbytes, over NVLink
        within a node and the per-GPU NIC across nodes (the slower link sets the ring's pace). 0 on one GPU."""
        if self.count == 1:
            return 0.0
        link = self.gpu.nvlink_bytes_s if self.nodes == 1 else min(self.gpu.nvlink_bytes_s,
                                                                     self.assumptions.internode_bytes_s)
        traffic = 2 * (self.count - 1) / self.count * nbytes
        return traffic / (link * self.assumptions.allreduce_efficiency) + self.assumptions.collective_latency_s

    def describe(self) -> dict[str, Any]:
        return {"gpu": self.gpu.name, "gpus": self.count, "nodes": self.nodes, "spec": asdict(self.gpu),
                "assumptions": self.assumptions.to_dict()}


def make_cluster(gpu: str, count: int, disk_read_gbs: float | None = None,
                 disk_write_gbs: float | None = None) -> Cluster:
    """A cluster of `count` GPUs named as the CLI names them (h100, a100, h200), with optional disk bandwidths in
    GB/s per node."""
    overrides: dict[str, float] = {}
    if disk_read_gbs is not None:
        overrides["disk_read_bytes_s"] = disk_read_gbs * GIGA
    if disk_write_gbs is not None:
        overrides["disk_write_bytes_s"] = disk_write_gbs * GIGA
    return Cluster(GPUS[gpu], count, Assumptions(**overrides))
