"""The train stage's plan: steps of the TopK + AuxK trainer over the activation stream, under DDP.

    steps        = ceil(total_tokens / batch_size)   (total_tokens, else epochs x the training rows in whole batches)
    per GPU      = one `costs.train_step` over batch_size / gpus rows: GEMMs at the bf16 rate, memory-bound kernels
                   at HBM rate, then the fp32 gradient all-reduce (2 (n-1)/n x 4 x params bytes per GPU, not
                   overlapped with the backward: an upper bound, DDP overlaps part of it)
    loader       = batch_size x d x dtype bytes per step to the GPUs; from disk, whole shards (`fetch_shard` makes a
                   shard file resident, every hookpoint's rows with it): batch_size x the dataset's bytes per record
    checkpoints  = every save_every steps and at the end: fp32 weights + Adam's two moments, and one export per
                   format of train.export_formats (each ~ the fp32 weights), written by rank 0 while the others wait
"""

from __future__ import annotations

import math

from saescope.plan.base import PlanInputs, StageResult, check_hookpoint, finish
from saescope.plan.costs import FP32, SMALL_COLLECTIVES, TrainStep, train_device_bytes, train_step
from saescope.plan.dataset import ACTIVATION_BYTES


def _steps(p: PlanInputs) -> tuple[int, int, float]:
    """(steps, training rows, epochs)."""
    tc, data = p.cfg.train, p.data
    train_rows = data.records - data.held_out_rows(tc.heldout_fraction)
    total = tc.total_tokens or (train_rows // tc.batch_size) * tc.batch_size * (tc.epochs or 1)
    steps = math.ceil(total / tc.batch_size)
    return steps, train_rows, steps * tc.batch_size / max(train_rows, 1)


def _fit_notes(p: PlanInputs) -> list[str]:
    """What `ActivationStream` would refuse at this world size (it says so when train starts)."""
    tc, n = p.cfg.train, p.cluster.count
    streams = tc.loader_streams or n
    notes = []
    if streams % n:
        notes.append(f"train.loader_streams {streams} is not a multiple of --gpus {n}: train refuses to start; set "
                     f"--train.loader-streams to a multiple of {n} (a fresh run only: a resumed run keeps its streams)")
    if tc.batch_size % streams:
        notes.append(f"train.batch_size {tc.batch_size} is not divisible by the {streams} loader streams")
    return notes


def _host_bytes(p: PlanInputs, rank_rows: int) -> float:
    """Per node: each rank's pinned batch queue, rank 0's checkpoint and export staging, and the page cache of
    the shards each stream holds (fetched ahead, decoded ahead, and those its shuffle window still reads)."""
    tc, data, sae, cl = p.cfg.train, p.data, p.sae, p.cluster
    act = ACTIVATION_BYTES[data.dtype]
    pinned = (tc.cpu_prefetch_batches + 1) * rank_rows * data.d_model * act
    staging = sae.weight_bytes + sae.adam_bytes + 2 * sae.weight_bytes
    streams_per_node = (tc.loader_streams or cl.count) / cl.nodes
    rows_per_shard = data.records / data.shards
    live = math.ceil((2 * tc.shuffle_buffer + tc.batch_size / (tc.loader_streams or cl.count)) / rows_per_shard) + 1
    cached = streams_per_node * (tc.prefetch_shards + tc.decoded_prefetch_shards + live) * rows_per_shard
    return cl.gpus_per_node * pinned + staging + cached * data.bytes_per_record


def _cost_notes(p: PlanInputs, whole: TrainStep, read_ratio: float, fixed_bytes: float,
                collectives: float) -> list[str]:
    """Where a step's cost goes, and (on several GPUs) what more GPUs do not divide."""
    sae, data, cl = p.sae, p.data, p.cluster
    notes = [
        f"AuxK over {sae.n_dead:,} dead latents (--dead-fraction {sae.dead_fraction:g}): "
        f"{(whole.aux_encoder + whole.aux_decoder) / whole.dense_flops:.0%} of the step's GEMM FLOPs",
        f"encoder backward with the sparse code: 2·B·k·d = {whole.encoder_backward:.3g} FLOPs (a dense one would "
        f"add 4·B·d·n = {2 * whole.encoder_forward:.3g})",
    ]
    if data.hookpoints > 1:
        notes.append(f"the loader makes whole shard files resident: every one of the {data.hookpoints} hookpoints' "
                     f"rows is read from disk, {read_ratio:.2f} x the bytes of the batches")
    if cl.count > 1:
        disk_per_node = p.cfg.train.batch_size * data.bytes_per_record / cl.nodes
        notes.append(
            f"does not shrink with --gpus: every GPU streams Adam, the decoder-gradient projection and the "
            f"renormalisation over all {sae.params:,} parameters ({fixed_bytes / 1e9:.1f} GB, "
            f"{cl.hbm_seconds(fixed_bytes) * 1e3:.1f} ms per step); DDP all-reduces {FP32 * sae.params / 1e9:.2f} GB "
            f"of fp32 gradients per step ({collectives * 1e3:.1f} ms); each node reads whole shards "
            f"({disk_per_node / 1e9:.2f} GB per step per node); rank 0 writes the checkpoints")
    return notes


def train_stage(p: PlanInputs) -> StageResult:
    cfg, data, sae, cl = p.cfg, p.data, p.sae, p.cluster
    tc, n = cfg.train, cl.count
    check_hookpoint(p.model, tc.hookpoint)
    steps, train_rows, epochs = _steps(p)
    rank_rows = tc.batch_size // n
    step = train_step(sae, rank_rows, n > 1)
    whole = train_step(sae, tc.batch_size, False)  # the global batch's arithmetic, for the figures
    act = ACTIVATION_BYTES[data.dtype]
    loader_bytes = tc.batch_size * data.d_model * act
    disk_per_step = tc.batch_size * data.bytes_per_record
    grad_bytes = FP32 * sae.params
    collectives = cl.allreduce_seconds(grad_bytes) + SMALL_COLLECTIVES * cl.assumptions.collective_latency_s
    per_save = sae.weight_bytes + sae.adam_bytes + len(tc.export_formats) * sae.weight_bytes
    saves = steps // tc.save_every + 1  # and the final save (which rewrites a step that is a multiple of save_every)
    fixed_bytes = train_step(sae, 0, n > 1).hbm_bytes  # per-parameter streams: the same at any batch
    gpu = {"compute": steps * cl.gemm_seconds(step.dense_flops),
           "memory bandwidth": steps * cl.hbm_seconds(step.hbm_bytes),
           "network": steps * collectives if n > 1 else 0.0}
    disk = {"disk": steps * cl.disk_read_seconds(disk_per_step / cl.nodes)}
    pcie = {"pcie": steps * cl.pcie_seconds(rank_rows * data.d_model * act)}
    setup = saves * cl.disk_write_seconds(per_save)
    if tc.activations.startswith("hf://"):
        setup += cl.network_seconds(data.bytes.total)  # the hub cache keeps each shard after its first download
    notes = _fit_notes(p) + _cost_notes(p, whole, disk_per_step / loader_bytes, fixed_bytes, collectives)
    return finish(
        "train", [gpu, disk, pcie], setup, bytes_written=saves * per_save, bytes_read=steps * disk_per_step,
        flops=steps * whole.flops, peak_host_bytes=_host_bytes(p, rank_rows),
        peak_device_bytes=train_device_bytes(sae, rank_rows, n > 1),
        details={"steps": steps, "training_rows": train_rows, "epochs": epochs, "rows_per_gpu_per_step": rank_rows,
                 "encoder_gemm_flops_per_step": whole.encoder_forward,
                 "encoder_backward_flops_per_step": whole.encoder_backward,
                 "aux_flops_per_step": whole.aux_encoder + whole.aux_decoder, "flops_per_step": whole.flops,
                 "flops_per_gpu_per_step": step.flops, "hbm_bytes_per_gpu_per_step": step.hbm_bytes,
                 "loader_bytes_per_step": loader_bytes, "loader_bytes_per_gpu_per_step": loader_bytes / n,
                 "disk_bytes_per_step": disk_per_step, "allreduce_bytes_per_step": grad_bytes if n > 1 else 0,
                 "sae_param_bytes": FP32 * sae.params, "adam_bytes": sae.adam_bytes,
                 "checkpoint_bytes": per_save, "checkpoints": saves,
                 "step_seconds": sum(gpu.values()) / steps if steps else 0.0},
        notes=notes,
    )
