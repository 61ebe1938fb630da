"""Training-step throughput on CPU: saescope vs EleutherAI sparsify vs SAELens, and the encoder-GEMM floor.

One full optimiser step per library, as its own trainer does it, with AuxK on and some latents dead (the same
latent indices for every library, re-marked dead before every step, outside the timed region). Peers are optional.

    .venv/bin/python bench/train_step.py [--shape small|reference] [--reps N] [--warmup N]

--shape small (default): d_in 576, d_sae 9216, k 32, 4096 tokens, ~10% dead; every variant timed round-robin
(interleaved) after warmup (default warmup 2, reps 8). --shape reference: the reference release's SAE, d_in
4096, d_sae 65536, k 64, aux_k 512, half the latents dead, 4096 tokens. Each library holds ~8 GB of weights,
gradients and Adam moments, so they run one after another (saescope first and last, pooled), each interleaved
with the encoder GEMM (the floor), so that each ratio is also given in floors of its own minutes
(load-normalised). sparsify runs its fastest small-shape variant (Adam; bf16 autocast where bf16 is native) in
two micro-batches of 2048 tokens (its micro_acc_steps; its RSS peaks at 13.4 GiB whole, 12.1 GiB in two, 12.0
in four but 15% slower: its full-size gradient temporaries stay); SAELens is skipped (its dense decode is two
more [4096, 65536] x [65536, 4096] GEMMs a step). Default warmup 1, reps 2: ~4 min on 2 cores. It also prints
the arithmetic of the same step on one H100/H200.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import importlib.util
import math
import os
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import torch

from saescope.sae import TopKSae
from saescope.train.trainer import Hyperparams, Trainer
from saescope.utils.precision import compute_dtype


@dataclass(frozen=True)
class Shape:  # the SAE and batch of one bench run
    d_in: int
    d_sae: int
    k: int
    n_tokens: int
    dead_fraction: float
    floor_target: float  # the most the saescope step may take, in encoder GEMMs
    peer_micro_steps: int = 1  # sparsify's micro_acc_steps (bounds its memory)


SHAPES = {
    "small": Shape(576, 9216, 32, 4096, 0.10, floor_target=2.5),
    "reference": Shape(4096, 65536, 64, 4096, 0.50, floor_target=3.0, peer_micro_steps=2),
}
AUX_COEF = 1 / 32  # saescope's default AuxK coefficient, used for the peers too (speed does not depend on it)
SAESCOPE_AUX_K = 512
DEAD_TOKENS = 10_000_000  # saescope's and sparsify's default dead threshold, in tokens
PEER_TARGET = 2.0
# What the reference recipe's bf16 autocast computes in on this CPU: float32 where bf16 is emulated (AVX2 only).
STEP_DTYPE = compute_dtype("bfloat16", torch.device("cpu"))
NATIVE_BF16 = STEP_DTYPE is torch.bfloat16
GPU_TOKENS, GPU_BF16_FLOPS = 32768, 989e12  # one H100 SXM's dense bf16 rate (an H200 has the same compute)


@dataclass
class Variant:
    name: str
    settings: str
    step: Callable[[], float]  # one training step; returns its AuxK loss (checks that AuxK ran)
    prepare: Callable[[], None] = lambda: None  # untimed, before every step (re-marks the dead latents)
    times: list[float] = field(default_factory=list)
    peer: bool = True  # False: saescope or a reference GEMM
    aux: float | None = None
    floor: list[float] = field(default_factory=list)  # reference shape: the GEMM floor's times in its phases
    peak_rss_gb: float = math.nan


def load() -> str:
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def cpu_bf16(enabled: bool) -> contextlib.AbstractContextManager[object]:
    return torch.autocast("cpu", dtype=torch.bfloat16) if enabled else contextlib.nullcontext()


# --- saescope: Trainer.train_step exactly as `saescope train` calls it


def saescope_variant(s: Shape, x: torch.Tensor, dead: torch.Tensor) -> Variant:
    torch.manual_seed(0)
    sae = TopKSae(s.d_in, s.d_sae, s.k)
    hp = Hyperparams(batch_size=s.n_tokens, aux_k=SAESCOPE_AUX_K, dead_tokens=DEAD_TOKENS, autocast_dtype="bfloat16")
    trainer = Trainer(sae, hp, torch.device("cpu"))
    counters = trainer.tracker.tokens_since_fired

    def prepare() -> None:
        counters.zero_()
        counters[dead] = DEAD_TOKENS

    precision = "bf16 autocast" if NATIVE_BF16 else "fp32 (bf16 requested; not native on this CPU)"
    return Variant("saescope", f"{precision}, Adam, aux_k {SAESCOPE_AUX_K}, aux_coef {AUX_COEF:g}",
                   lambda: trainer.train_step(x)["aux_loss"], prepare, peer=False)


# --- EleutherAI sparsify: the body of sparsify.trainer.Trainer.fit for loss_fn="fvu", one SAE


def sparsify_variant(s: Shape, x: torch.Tensor, dead: torch.Tensor, optimizer: str, bf16: bool) -> Variant:
    from sparsify import SaeConfig, SparseCoder

    torch.manual_seed(0)
    sae = SparseCoder(s.d_in, SaeConfig(num_latents=s.d_sae, k=s.k), device="cpu", dtype=torch.float32)
    sae.b_dec.data = x.mean(0)  # what its trainer does on the first step
    scheduler: torch.optim.lr_scheduler.LRScheduler | None = None
    opt: torch.optim.Optimizer
    if optimizer == "adam":
        from transformers import get_linear_schedule_with_warmup

        opt = torch.optim.Adam(sae.parameters(), lr=2e-4 / (s.d_sae / 2**14) ** 0.5)  # its default Adam lr
        scheduler = get_linear_schedule_with_warmup(opt, 1000, 100_000)
    else:  # "signum", its TrainConfig default
        from schedulefree import ScheduleFreeWrapper
        from sparsify.sign_sgd import SignSGD

        opt = ScheduleFreeWrapper(SignSGD([{"params": sae.parameters(), "lr": 5e-3 / (s.d_sae / 2**14) ** 0.5}]),
                                  momentum=0.95)
        opt.train()
    counts, did_fire = torch.zeros(s.d_sae, dtype=torch.long), torch.zeros(s.d_sae, dtype=torch.bool)

    def prepare() -> None:
        counts.zero_()
        counts[dead] = DEAD_TOKENS + 1  # its mask is `num_tokens_since_fired > dead_feature_threshold`

    def step() -> float:
        sae.set_decoder_norm_to_unit_norm()
        dead_mask = counts > DEAD_TOKENS
        total_variance = (x - x.mean(0)).pow(2).sum()  # of the whole batch, for every micro-batch
        auxk = 0.0
        for chunk in x.chunk(s.peer_micro_steps):
            with cpu_bf16(bf16):
                out = sae(x=chunk, y=chunk, dead_mask=dead_mask, total_variance=total_variance)
            did_fire[out.latent_indices.flatten()] = True
            float(out.fvu.detach())  # its trainer accumulates these floats for logging every step
            auxk += float(out.auxk_loss.detach())
            loss = out.fvu + AUX_COEF * out.auxk_loss + out.multi_topk_fvu / 8
            loss.div(s.peer_micro_steps).backward()
        sae.remove_gradient_parallel_to_decoder_directions()
        opt.step()
        opt.zero_grad()
        if scheduler is not None:
            scheduler.step()
        with torch.no_grad():
            counts.add_(x.shape[0])
            counts[did_fire] = 0
            did_fire.zero_()
        return auxk

    optim = "Adam (torch; bitsandbytes absent)" if optimizer == "adam" else "signum (ScheduleFree SignSGD, its default)"
    precision = "bf16 autocast (added by this bench)" if bf16 else "fp32 (its autocast is CUDA-only)"
    micro = f", {s.peer_micro_steps} micro-batches" * (s.peer_micro_steps > 1)
    return Variant(f"sparsify {optimizer} {'bf16' if bf16 else 'fp32'}",
                   f"{precision}, {optim}, k_aux d_in/2={s.d_in // 2}, auxk_alpha {AUX_COEF:g}{micro}", step, prepare)


# --- SAELens: TopKTrainingSAE driven by its own SAETrainer.step


def saelens_variant(s: Shape, x: torch.Tensor, dead: torch.Tensor, autocast: bool) -> Variant:
    from sae_lens.config import SAETrainerConfig
    from sae_lens.saes.topk_sae import TopKTrainingSAE, TopKTrainingSAEConfig
    from sae_lens.training.sae_trainer import SAETrainer

    torch.manual_seed(0)
    cfg = TopKTrainingSAEConfig(d_in=s.d_in, d_sae=s.d_sae, k=s.k, dtype="float32", device="cpu",
                                aux_loss_coefficient=AUX_COEF)
    sae = TopKTrainingSAE(cfg)
    window = 1000  # its default dead_feature_window, counted in steps (forward passes), not tokens
    trainer = SAETrainer(
        SAETrainerConfig(total_training_samples=s.n_tokens * 10**6, train_batch_size_samples=s.n_tokens, lr=3e-4,
                         lr_end=3e-5, device="cpu", autocast=autocast, dead_feature_window=window),
        sae, data_provider=iter(()),
    )
    since_fired = trainer.n_forward_passes_since_fired

    def prepare() -> None:
        since_fired.zero_()
        since_fired[dead] = window + 1  # its mask is `n_forward_passes_since_fired > dead_feature_window`

    precision = "bf16 autocast (its autocast=True)" if autocast else "fp32 (its default autocast=False)"
    return Variant(f"SAELens {'bf16' if autocast else 'fp32'}",
                   f"{precision}, Adam, grad clip 1.0, dense decode, k_aux {s.d_in // 2}, aux coef {AUX_COEF:g}",
                   lambda: float(trainer.step(x).losses["auxiliary_reconstruction_loss"].detach()), prepare)


def gemm_variant(s: Shape, dtype: torch.dtype, hold: bool = True) -> Variant:
    """The encoder GEMM. Its operands are made by the first `prepare`; with `hold` False, again for every step."""
    operands: list[torch.Tensor] = []
    label = "bf16" if dtype == torch.bfloat16 else "fp32"

    def prepare() -> None:
        if not operands:
            g = torch.Generator().manual_seed(1)
            operands.extend(torch.randn(*shape, generator=g).to(dtype)
                            for shape in ((s.n_tokens, s.d_in), (s.d_in, s.d_sae)))

    def step() -> float:
        operands[0] @ operands[1]
        if not hold:
            operands.clear()
        return float("nan")

    return Variant(f"floor GEMM {label}", f"[{s.n_tokens},{s.d_in}]@[{s.d_in},{s.d_sae}] {label}", step, prepare,
                   peer=False)


def run(variants: list[Variant], warmup: int, reps: int) -> None:
    for v in variants:
        for _ in range(warmup):
            v.prepare()
            v.step()
    for _ in range(reps):
        for v in variants:  # round-robin: a slow phase of the machine hits every variant alike
            v.prepare()
            start = time.perf_counter()
            v.aux = v.step()
            v.times.append(time.perf_counter() - start)


def peak_rss_gb(reset: bool = False) -> float:
    """This process's peak RSS since the last reset (Linux: VmHWM, reset through clear_refs), else since start.
    A reset first hands the memory freed by the last phase back to the OS (glibc), so that each peak is its own."""
    status = Path("/proc/self/status")
    if not status.exists():
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    if reset:
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        Path("/proc/self/clear_refs").write_text("5")  # 5: reset the peak to the current RSS
    return int(next(ln for ln in status.read_text().splitlines() if ln.startswith("VmHWM:")).split()[1]) / 2**20


def run_phases(builders: list[Callable[[], Variant]], s: Shape, warmup: int, reps: int) -> list[Variant]:
    """One library at a time, interleaved with a GEMM floor of its own, then freed. saescope runs first and last,
    its two phases pooled, so that a slow stretch of the machine does not fall on one side only."""
    done: dict[str, Variant] = {}
    for build in [*builders, builders[0]]:
        gc.collect()
        peak_rss_gb(reset=True)
        v, floor = build(), gemm_variant(s, STEP_DTYPE, hold=False)
        run([v, floor], warmup, reps)
        v.floor, v.peak_rss_gb, v.step, v.prepare = floor.times, peak_rss_gb(), lambda: math.nan, lambda: None
        print(f"  {v.name}: median {statistics.median(v.times):.1f} s, floor {statistics.median(v.floor):.2f} s, "
              f"peak RSS {v.peak_rss_gb:.1f} GiB; load {load()}", flush=True)
        if (first := done.setdefault(v.name, v)) is not v:
            first.times += v.times
            first.floor += v.floor
            first.peak_rss_gb = max(first.peak_rss_gb, v.peak_rss_gb)
    return list(done.values())


def verdict(by_median: bool, by_other: bool, other: str = "min") -> str:
    if by_median == by_other:
        return "met" if by_median else "MISSED"
    return f"mixed (met by {'median' if by_median else other} only)"


def print_profile(v: Variant) -> None:
    from torch.profiler import ProfilerActivity, profile

    v.prepare()
    with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof:
        v.step()
    table = prof.key_averages(group_by_input_shape=True).table(sort_by="self_cpu_time_total", row_limit=15,
                                                               max_name_column_width=34, max_shapes_column_width=48)
    print(f"\nsaescope step profile (one step, top ops by self CPU time):\n{table}")


def print_table(variants: list[Variant], s: Shape) -> None:
    print("\naux loss: the last step's AuxK loss, each library's own definition (non-zero: AuxK ran)")
    phased = bool(variants[0].floor)
    extra = f" {'/floor':>7} {'RSS GiB':>8}" if phased else ""
    print(f"{'variant':<20} {'median ms':>10} {'min ms':>8} {'tokens/s':>10} {'aux loss':>9}{extra}  settings")
    for v in variants:
        med = statistics.median(v.times)
        aux = "" if v.aux is None or math.isnan(v.aux) else f"{v.aux:.4f}"
        cols = f" {med / statistics.median(v.floor):>6.2f}x {v.peak_rss_gb:>8.1f}" if phased else ""
        print(f"{v.name:<20} {med * 1e3:>10.1f} {min(v.times) * 1e3:>8.1f} {s.n_tokens / med:>10,.0f} {aux:>9}{cols}  "
              f"{v.settings}")


def print_verdicts(ours: Variant, peers: list[Variant], floor_times: list[float], s: Shape) -> None:
    ours_med = statistics.median(ours.times)
    if peers:
        best = min(peers, key=lambda v: statistics.median(v.times))
        ratio, ratio_min = statistics.median(best.times) / ours_med, min(best.times) / min(ours.times)
        second, label, other = ratio_min, "min-based", "min"
        if best.floor:  # phases minutes apart: also each step in the GEMM floors of its own phase (load-normalised)
            second = (statistics.median(best.times) / statistics.median(best.floor)) / (
                ours_med / statistics.median(ours.floor))
            label, other = f"min-based {ratio_min:.2f}x, load-normalised", "load-normalised"
        print(f"\nsaescope / fastest peer ({best.name}) tokens/s: {ratio:.2f}x median-based, {label} {second:.2f}x  "
              f"target >= {PEER_TARGET:g}x: {verdict(ratio >= PEER_TARGET, second >= PEER_TARGET, other)}")
    else:
        print("\nno peer installed: no peer ratio")
    floor_ratio, floor_ratio_min = ours_med / statistics.median(floor_times), min(ours.times) / min(floor_times)
    label = "bf16" if NATIVE_BF16 else "fp32"
    print(f"saescope step / {label} encoder GEMM: {floor_ratio:.1f}x median-based, {floor_ratio_min:.1f}x min-based  "
          f"target <= {s.floor_target:g}x: {verdict(floor_ratio <= s.floor_target, floor_ratio_min <= s.floor_target)}")


def print_gpu_arithmetic(s: Shape) -> None:
    flop, loader = 2 * GPU_TOKENS * s.d_in * s.d_sae, GPU_TOKENS * s.d_in * 2
    seconds, dead_gemms = flop / GPU_BF16_FLOPS, 4 * s.dead_fraction  # dense AuxK: decode, 2 gradients, encoder
    rate = GPU_TOKENS / seconds / 1e6
    print(f"\nOne H100 SXM / H200 at batch {GPU_TOKENS:,}: the encoder GEMM is 2 x {GPU_TOKENS} x {s.d_in} x "
          f"{s.d_sae} = {flop:.3g} FLOP a step (the sparse top-k backward adds little); at the dense bf16 rate "
          f"({GPU_BF16_FLOPS / 1e12:.0f} TFLOP/s) that is {seconds * 1e3:.1f} ms a step, {rate:.2f}M "
          f"tokens/s. The loader must deliver {GPU_TOKENS} x {s.d_in} x 2 bytes = {loader / 1e6:.0f} MB of bf16 "
          f"activations a step, {loader / seconds / 1e9:.1f} GB/s at that rate. With {s.dead_fraction:.0%} of the "
          f"latents dead, AuxK on a GPU runs dense GEMMs over the dead latents (~{dead_gemms:.1f} encoder GEMMs "
          f"more: {seconds * (1 + dead_gemms) * 1e3:.0f} ms a step, {loader / seconds / (1 + dead_gemms) / 1e9:.1f} "
          "GB/s of activations).")


def variant_builders(s: Shape, x: torch.Tensor, dead: torch.Tensor, reference: bool) -> list[Callable[[], Variant]]:
    """saescope first, then the installed peers' variants (built lazily: at the reference shape one at a time)."""
    builders: list[Callable[[], Variant]] = [lambda: saescope_variant(s, x, dead)]
    if installed("sparsify") and reference:  # only its fastest variant at the small shape: Adam, bf16 if native
        builders.append(lambda: sparsify_variant(s, x, dead, "adam", bf16=NATIVE_BF16))
    elif installed("sparsify"):
        builders += [lambda o=o: sparsify_variant(s, x, dead, o, bf16=False) for o in ("signum", "adam")]
        if NATIVE_BF16:  # emulated bf16 would only slow a peer down: its fp32 variants are its best here
            builders.append(lambda: sparsify_variant(s, x, dead, "adam", bf16=True))
    else:
        print("eai-sparsify is not installed: skipped (pip install eai-sparsify)")
    if reference:
        print("SAELens: skipped at this shape (see the module docstring)")
    elif installed("sae_lens"):
        builders.append(lambda: saelens_variant(s, x, dead, autocast=False))
        if NATIVE_BF16:
            builders.append(lambda: saelens_variant(s, x, dead, autocast=True))
    else:
        print("sae-lens is not installed: skipped (pip install sae-lens)")
    return builders


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=sorted(SHAPES), default="small")
    parser.add_argument("--warmup", type=int)
    parser.add_argument("--reps", type=int)
    args = parser.parse_args()
    s, reference = SHAPES[args.shape], args.shape == "reference"
    warmup = args.warmup if args.warmup is not None else (1 if reference else 2)
    reps = args.reps if args.reps is not None else (2 if reference else 8)

    began = time.perf_counter()
    g = torch.Generator().manual_seed(0)
    # Anisotropic, offset data: a crude stand-in for a residual stream (speed does not depend on it).
    x = torch.randn(s.n_tokens, s.d_in, generator=g) * torch.rand(s.d_in, generator=g).mul(3).add(0.1) + 0.5
    dead = torch.randperm(s.d_sae, generator=g)[: round(s.dead_fraction * s.d_sae)]

    native = "yes" if NATIVE_BF16 else "no: bf16 requests compute in fp32"
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU "
          f"{torch.backends.cpu.get_cpu_capability()} (native bf16: {native}); shape {args.shape}: d_in {s.d_in}, "
          f"d_sae {s.d_sae}, k {s.k}, {s.n_tokens} tokens/step, {dead.numel()} dead latents ({s.dead_fraction:.0%}), "
          f"warmup {warmup}, {reps} interleaved reps; load average {load()}")
    builders = variant_builders(s, x, dead, reference)
    if reference:
        variants = run_phases(builders, s, warmup, reps)
        floor_times = variants[0].floor
    else:
        # The floor: one encoder GEMM in the dtype the step computes in (and fp32 beside it, for reference).
        floors = [gemm_variant(s, dt) for dt in ([torch.bfloat16] if NATIVE_BF16 else []) + [torch.float32]]
        variants = [build() for build in builders] + floors
        run(variants, warmup, reps)
        floor_times = floors[0].times
    print_table(variants, s)
    ours = variants[0]
    print_verdicts(ours, [v for v in variants if v.peer], floor_times, s)
    if not reference and max(statistics.median(ours.times) / statistics.median(floor_times),
                             min(ours.times) / min(floor_times)) > s.floor_target:
        print_profile(ours)
    if reference:
        print_gpu_arithmetic(s)
        print(f"peak RSS of the process: {max(v.peak_rss_gb for v in variants):.1f} GiB (the largest phase)")
    print(f"\ntotal runtime {time.perf_counter() - began:.0f} s; load average {load()} (other processes on these "
          "cores slow every variant: compare ratios, not absolute times)")


if __name__ == "__main__":
    main()
