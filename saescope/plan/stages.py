"""One function per stage: bytes, FLOPs, memory and time of harvest, train, eval and index on a cluster.

Time model. Each stage's work is split over resources (compute, memory bandwidth, network, disk, pcie), each
timed from `saescope.plan.hardware`. Resources in one group run one after another (the GPU's GEMMs, its
memory-bound kernels and an un-overlapped all-reduce); groups overlap (the disk and the host copies run in
background threads: harvest's shard writer, train's prefetching loader, index's read-ahead). A stage takes its
slowest group plus its serial setup (loading the model or the SAE, writing checkpoints), and is bound by the
largest resource of that group. FLOPs are totals over all GPUs; device memory is per GPU; host memory is per
node, page cache of the shards in flight included.
"""

from __future__ import annotations

import math

from saescope.plan.base import PlanInputs, StageResult, check_hookpoint, finish, model_dtype_bytes
from saescope.plan.costs import (
    FP32,
    encode_flops,
    encode_hbm_bytes,
    lm_activation_bytes_per_token,
    lm_device_bytes,
    lm_flops_per_token,
)
from saescope.plan.dataset import ACTIVATION_BYTES
from saescope.plan.training import train_stage

__all__ = ["PlanInputs", "StageResult", "eval_stage", "harvest_stage", "index_stage", "train_stage"]


def harvest_stage(p: PlanInputs) -> StageResult:
    """Forward every token to the deepest hookpoint, copy each record's rows to the host, write the shards.

        FLOPs = tokens x (2 x params of blocks 0..deepest + blocks x 4 x heads x head_dim x mean length)
        written = the dataset's bytes (`saescope.plan.dataset`); host copies = records x hookpoints x d x dtype
    """
    cfg, m, data, cl = p.cfg, p.model, p.data, p.cluster
    blocks = max(check_hookpoint(m, hp) for hp in cfg.harvest.hookpoints) + 1
    dtype_bytes = model_dtype_bytes(cfg)
    flops = data.tokens * lm_flops_per_token(m, 0, blocks, data.mean_tokens_per_conversation)
    rank_tokens = data.tokens / cl.count
    batches = math.ceil(rank_tokens / cfg.harvest.batch_tokens)
    hbm = (batches * m.blocks_params(0, blocks) * dtype_bytes
           + rank_tokens * lm_activation_bytes_per_token(m, blocks, dtype_bytes))
    copied = data.records / cl.count * len(cfg.harvest.hookpoints) * data.d_model * ACTIVATION_BYTES[cfg.harvest.dtype]
    written = data.bytes.total
    weights = m.params * dtype_bytes
    source = data.tokens * cl.assumptions.utf8_bytes_per_token  # every rank reads the whole source
    one_shard = written / data.shards
    # The forward's efficiency already holds its memory-bound kernels, so its HBM time is a roofline check (a
    # group of its own), not a term added to the compute.
    gpu = {"compute": cl.lm_seconds(flops / cl.count, cfg.model.dtype), "pcie": cl.pcie_seconds(copied)}
    memory = {"memory bandwidth": cl.hbm_seconds(hbm)}
    disk = {"disk": cl.disk_write_seconds(written / cl.nodes)}
    setup = cl.disk_read_seconds(weights + source) + cl.pcie_seconds(weights)
    notes = [
        f"the forward stops after block {blocks - 1} (the deepest hookpoint): {blocks} of {m.layers} blocks, no LM "
        "head; the whole model is still loaded",
        "rows are copied to the host synchronously per conversation (the GPU waits: pcie is in the GPU's group); "
        "shard writes overlap the next shard's forward",
        f"weights ({weights / 1e9:.1f} GB) are read from a local folder or the HF cache; a first hub download adds "
        f"{cl.network_seconds(weights):.0f} s",
        "tokenising and shard assembly on the CPU are not counted",
        "host peak: ~3 shards of rows per rank (the one being filled, its assembled copy, the one being written); "
        "the weights load straight onto the GPU (device_map)",
    ]
    if cl.count > 1:
        notes.append(f"ranks take conversations index % {cl.count}, each reading the whole source; the disk's "
                     f"{written / 1e12:.2f} TB is written by {cl.gpus_per_node} ranks per node through one filesystem, "
                     "which does not speed up with more GPUs per node")
    return finish(
        "harvest", [gpu, memory, disk], setup, bytes_written=written, bytes_read=(weights + source) * cl.nodes,
        flops=flops,
        peak_host_bytes=cl.gpus_per_node * 3 * one_shard,
        peak_device_bytes=lm_device_bytes(m, cfg.harvest.batch_tokens, dtype_bytes, len(cfg.harvest.hookpoints)),
        details={"tokens": data.tokens, "blocks_forwarded": blocks, "flops_per_token": flops / data.tokens,
                 "activation_bytes_per_hookpoint": data.bytes.activations_per_hookpoint,
                 "metadata_bytes": written - data.bytes.activations, "bytes_per_record": data.bytes_per_record,
                 "host_copy_bytes_per_gpu": copied, "shards": data.shards, "model_weight_bytes": weights},
        notes=notes,
    )


def eval_stage(p: PlanInputs) -> StageResult:
    """Intrinsic metrics over the held-out rows and core-plus, for each retained checkpoint (best N + final).

        intrinsic FLOPs = held-out rows x (2 d n + 2 k d), fp32, per SAE
        core-plus FLOPs = tokens x (prefix blocks + 3 x (suffix blocks + LM head)) + the SAE on the tokens, per SAE
    """
    cfg, m, data, cl, sae = p.cfg, p.model, p.data, p.cluster, p.sae
    ec, saes = cfg.eval, cfg.train.best_checkpoint_count + 1
    rows = data.held_out_rows(ec.heldout_fraction)
    rows = min(rows, ec.max_records) if ec.max_records is not None else rows
    hook = check_hookpoint(m, cfg.train.hookpoint)
    context = min(ec.coreplus_max_tokens, data.mean_tokens_per_conversation)
    cp_tokens = ec.coreplus_conversations * context if ec.coreplus else 0
    cp_lm = cp_tokens * (lm_flops_per_token(m, 0, hook + 1, context)
                         + 3 * lm_flops_per_token(m, hook + 1, m.layers, context, head=True))
    cp_sae = encode_flops(sae, cp_tokens, decode=True)
    intrinsic = encode_flops(sae, rows, decode=True)
    read = rows * data.d_model * ACTIVATION_BYTES[data.dtype]
    weights = m.params * model_dtype_bytes(cfg) if ec.coreplus else 0
    gpu = {"compute": saes * (cl.gemm_seconds(intrinsic + cp_sae, "float32") + cl.lm_seconds(cp_lm, cfg.model.dtype)),
           "memory bandwidth": saes * cl.hbm_seconds(encode_hbm_bytes(sae, rows, decode=True)),
           "pcie": saes * cl.pcie_seconds(rows * data.d_model * FP32)}
    disk = {"disk": saes * cl.disk_read_seconds(read)}
    setup = cl.disk_read_seconds(weights + saes * sae.weight_bytes) + cl.pcie_seconds(weights)
    device = max(sae.weight_bytes + ec.batch_size * FP32 * (sae.d_sae + 10 * sae.d_in),
                 weights + sae.weight_bytes + 3 * ec.coreplus_batch_tokens * m.vocab * model_dtype_bytes(cfg)
                 + ec.coreplus_batch_tokens * FP32 * sae.d_sae)
    notes = [f"{saes} SAEs: the run's retained checkpoints (train.best_checkpoint_count {saes - 1} + the final)",
             "one process: --gpus does not split eval (the SAEs could be evaluated side by side, one per GPU)",
             f"the held-out rows ({read / 1e9:.1f} GB) are read again for each SAE unless the page cache holds them",
             "encode and decode run in fp32 (eval uses no autocast)"]
    if rows == 0:
        notes.append("no held-out shards (eval.heldout_fraction, or a one-shard dataset): eval refuses unless "
                     "eval.allow_training_data")
    return finish(
        "eval", [gpu, disk], setup, bytes_written=saes * 16_384 + (saes * 12 * sae.d_sae if ec.firing_counts else 0),
        bytes_read=saes * (read + sae.weight_bytes) + weights, flops=saes * (intrinsic + cp_lm + cp_sae),
        peak_host_bytes=saes * sae.weight_bytes + 2 * ec.batch_size * data.d_model * FP32,  # SAEs load up front
        peak_device_bytes=device,
        details={"saes": saes, "heldout_rows": rows, "intrinsic_flops_per_sae": intrinsic,
                 "coreplus_tokens_per_sae": cp_tokens, "coreplus_flops_per_sae": cp_lm + cp_sae},
        notes=notes,
    )


def index_stage(p: PlanInputs) -> StageResult:
    """Encode every record of the chosen shards (encode only, fp32) and accumulate per-feature statistics.

        FLOPs = records x 2 d n;  read = records x (d x dtype + 9 B of record.conversation and record.role)
    """
    cfg, data, cl, sae = p.cfg, p.data, p.cluster, p.sae
    ic = cfg.index
    chosen = ic.shards if ic.shards is not None else range(data.shards)
    outside = [s for s in chosen if not 0 <= s < data.shards]
    rows = sum(data.shard_rows[s] for s in chosen if 0 <= s < data.shards)
    act = ACTIVATION_BYTES[data.dtype]
    flops = encode_flops(sae, rows)
    read = rows * (data.d_model * act + 9)
    deep = max(ic.top_examples, ic.deep_examples)
    # statistics (sums, roles, sinks, the 98-bin histogram), top-example keys, interval samples and counts
    state = sae.d_sae * (4 * 8 + 4 + 4 * 8 + 12 + 98 * 8 + deep * 32 + 10 * (ic.interval_samples * 28 + 8) + 8)
    example_rows = sae.d_sae * (ic.top_examples + deep + 10 * ic.interval_samples)
    tables = sae.d_sae * (100 + 98 * 16 + 10 * 24) + example_rows * (2 * ic.context_tokens + 1) * 8
    shards_per_rank = math.ceil(len(chosen) / cl.count)
    saves = math.ceil(shards_per_rank / ic.save_every_shards)
    written = cl.count * saves * state + tables * (cl.count + 1 if cl.count > 1 else 1)
    gpu = {"compute": cl.gemm_seconds(flops / cl.count, "float32"),
           "memory bandwidth": cl.hbm_seconds(encode_hbm_bytes(sae, rows / cl.count)),
           "pcie": cl.pcie_seconds(rows / cl.count * data.d_model * act)}
    disk = {"disk": cl.disk_read_seconds(read / cl.nodes)}
    setup = cl.disk_read_seconds(cl.gpus_per_node * sae.weight_bytes) + cl.pcie_seconds(sae.weight_bytes)
    chunk = min(ic.batch_size, (1 << 28) // sae.d_sae)  # index.run.PRE_ELEMENTS: pre-activations in 1 GiB chunks
    device = (sae.weight_bytes + 2 * chunk * sae.d_sae * FP32 + ic.batch_size * data.d_model * (FP32 + act)
              + (1 << 24) * 12)  # accumulate.CELL_LIMIT cells of values and rows
    bf16 = flops / cl.count / (cl.gpu.bf16_flops * cl.assumptions.sae_gemm_efficiency)
    notes = [f"encodes in fp32 (no autocast): a bf16 encoder GEMM would take {bf16:.0f} s of compute instead of "
             f"{gpu['compute']:.0f} s",
             "accumulating statistics, examples, histograms and interval samples is not counted (bench/index.py "
             "on CPU: the whole build at 1.1x bare encoding at d_sae 65,536 over 1M records; 0.27x for the demo's "
             "small SAE, whose encoder is cheap)",
             "the decoder's tables (nearest features: d_sae^2 x d_in x 2 FLOPs; the logit lens: d_sae x d_in x "
             "vocab x 2) are a cost per SAE, not timed here"]
    if outside:
        notes.append(f"index.shards {outside} are not among the dataset's {data.shards} shards: index refuses them")
    if cl.count > 1:
        notes.append(f"rank r takes every {cl.count}th shard into parts/rank-r; rank 0 merges the parts (small, not "
                     "timed); index.shards + `saescope index-merge` does the same across separate jobs")
    return finish(
        "index", [gpu, disk], setup, bytes_written=written, bytes_read=read + cl.count * sae.weight_bytes,
        flops=flops,
        peak_host_bytes=cl.gpus_per_node * (sae.weight_bytes + 2 * ic.batch_size * data.d_model * act
                                            + max(data.shard_rows) * 9),
        peak_device_bytes=device,
        details={"records": rows, "shards": len(chosen), "encode_flops_per_record": 2 * sae.matrix,
                 "fp32_compute_seconds_per_gpu": gpu["compute"], "bf16_compute_seconds_per_gpu": bf16},
        notes=notes,
    )

