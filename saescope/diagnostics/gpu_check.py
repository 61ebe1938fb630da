"""`scripts/gpu-check`: run every stage on this machine's GPU and on its CPU, and check that they agree.

    scripts/gpu-check                   # CPU half, then GPU half, then one table; exit 1 if any check fails
    scripts/gpu-check --cpu-only        # the CPU half alone (what the test suite runs, with --small)
    scripts/gpu-check --out DIR         # keep the outputs and the stages' log in DIR (default: a temporary folder)

The stages are the demo's on SmolLM2 (harvest, train, eval intrinsic and core-plus, index, steer) over the first
`data.max_conversations` conversations of `saescope:sample`, plus the reference release's SAE shape (d_in 4096,
d_sae 65,536, k 64, aux_k 512) on random activations. Both halves run in float32 with the same seeds and inputs
(every stage reads the CPU half's outputs); the bf16 paths are timed on the GPU, not compared. Nothing is
downloaded and nothing is written outside the check's folder.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

if TYPE_CHECKING:
    from saescope.diagnostics.checks import StageResult
    from saescope.diagnostics.half import Half

# Set before transformers and huggingface_hub are imported: the check must never reach for the network.
OFFLINE_ENV = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_DATASETS_OFFLINE")
CUDA_INSTALL = "pip install torch --index-url https://download.pytorch.org/whl/cu124"


class OneLineParser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.exit(2, f"gpu-check: {message} (see --help)\n")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = OneLineParser(prog="gpu-check", description="Run every saescope stage on the GPU and on the CPU "
                           "(float32, same seeds and inputs), print one table of throughput, peak GPU memory and "
                           "agreement, and exit 1 if any stage disagrees beyond its tolerance.")
    parser.add_argument("--cpu-only", action="store_true", help="Run the CPU half alone (no comparison).")
    parser.add_argument("--small", action="store_true", help="Tiny sizes (a reduced d_sae for the reference shape): "
                        "checks the check itself in about a minute.")
    parser.add_argument("--device", default="cuda", help="Device of the second half: cuda (default), cuda:N, or cpu "
                        "(runs the second half on the CPU too: a self-test of the comparison).")
    parser.add_argument("--out", type=Path, help="Empty or new folder to keep the outputs and the stages' log in "
                        "(default: a temporary folder, removed at the end).")
    return parser.parse_args(argv)


def no_gpu_message(torch: Any) -> str:
    return (f"gpu-check: this torch ({torch.__version__}, CUDA build {torch.version.cuda or 'none'}) sees no CUDA "
            f"device: install the CUDA build first ({CUDA_INSTALL}, your CUDA version; see README, Install), or pass "
            "--cpu-only to run the CPU half alone")


def convert_model(root: Path, log: Path) -> Path:
    """The embedded SmolLM2 GGUF dequantised once into a float32 model folder: every stage then loads it in about
    a second, where the GGUF takes ~15 s of dequantisation on each load."""
    from saescope.config.schema import ModelConfig
    from saescope.lm.loading import load_model

    folder = root / "smollm2-135m-instruct"
    with log.open("a") as out, contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        lm = load_model(ModelConfig(dtype="float32", device="cpu"))
        lm.model.hf_quantizer = None  # the weights are plain tensors once dequantised; transformers refuses otherwise
        if hasattr(lm.model.config, "quantization_config"):
            del lm.model.config.quantization_config
        lm.model.save_pretrained(folder)
        lm.tokenizer.save_pretrained(folder)
    return folder


def run_half(half: Half, order: list[tuple[str, Callable[[Half], StageResult]]], label: str) -> dict[str, StageResult]:
    from saescope.diagnostics.half import attempt

    results = {}
    for name, run in order:
        result = attempt(half, name, run)
        status = f"error: {result.error}" if result.error else f"{result.seconds:6.1f} s"
        print(f"  {label:<6} {name:<17} {status}", flush=True)
        results[name] = result
    half.cache.clear()
    return results


def stage_order(half: Half) -> list[tuple[str, Any]]:
    from saescope.diagnostics.pipeline import device_order
    from saescope.diagnostics.reference import reference_order

    return device_order(half) + reference_order(half)


def report(order: list[str], cpu: dict[str, StageResult], device: dict[str, StageResult] | None,
           device_label: str) -> tuple[str, int, int]:
    """(the table, checks compared, checks failed)."""
    from saescope.diagnostics import pipeline, reference
    from saescope.diagnostics.checks import render_table, stage_rows

    checks = pipeline.CHECKS | reference.CHECKS
    rows: list[list[str]] = []
    compared = failed = 0
    for name in order:
        dev = device.get(name) if device is not None else None
        for cells, bad in stage_rows(checks[name], cpu.get(name), dev):
            rows.append(cells)
            compared += device is not None and cells[-1] != "-"
            failed += bad
    return render_table(rows, device_label), compared, failed


def notes(sizes: Any, device_label: str) -> str:
    compared = f"{sizes.ref_cpu_records:,} records and {sizes.ref_steps} steps of {sizes.ref_cpu_batch} tokens"
    timed = f"{sizes.ref_device_records:,} records and {sizes.ref_timed_steps} steps of {sizes.ref_device_batch:,}"
    return (f"Rates are over each stage's call (model loading included). ref rows: d_in 4096, d_sae "
            f"{sizes.ref_d_sae:,}, k 64, aux_k 512 on random activations, figures compared on {compared}, the "
            f"{device_label} timed on {timed} tokens. bf16 rows are timed, not compared.")


def check(args: argparse.Namespace, root: Path, device: Any) -> int:
    import torch

    from saescope.diagnostics.half import Half
    from saescope.diagnostics.sizes import FULL, SMALL

    sizes = SMALL if args.small else FULL
    log = root / "stages.log"
    root.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    model_dir = convert_model(root, log)
    cpu_half = Half(root, torch.device("cpu"), True, sizes, model_dir, log)
    cpu_order = stage_order(cpu_half)
    cpu = run_half(cpu_half, cpu_order, "cpu")
    dev_results, order = None, [name for name, _ in cpu_order]
    label = "GPU" if device is None or device.type == "cuda" else "device"
    if device is not None and not args.cpu_only:
        if device.type == "cuda":
            torch.zeros(1, device=device)  # CUDA context start-up, outside the first stage's timing
        dev_half = Half(root, device, False, sizes, model_dir, log)
        dev_order = stage_order(dev_half)
        dev_results, order = run_half(dev_half, dev_order, str(device)), [name for name, _ in dev_order]
    table, compared, failed = report(order, cpu, dev_results, label)
    print(f"\n{table}\n\n{notes(sizes, label)}")
    elapsed = f"{time.perf_counter() - started:.0f} s"
    if dev_results is None:
        print(f"gpu-check: CPU half only, nothing compared ({elapsed})")
        return 0
    keep = "" if args.out else "; rerun with --out DIR to keep the stages' log"
    verdict = f"{failed} of {compared} checks FAIL{keep}" if failed else f"all {compared} checks pass"
    print(f"gpu-check: {verdict} ({elapsed})")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    for key in OFFLINE_ENV:
        os.environ.setdefault(key, "1")
    import torch

    from saescope.errors import SaescopeError
    from saescope.utils.devices import resolve_device

    if args.out is not None and args.out.exists() and (not args.out.is_dir() or any(args.out.iterdir())):
        print(f"gpu-check: --out {args.out} exists and is not an empty folder: give a new or empty one",
              file=sys.stderr)
        return 2
    wants_cuda = args.device.startswith("cuda")
    if wants_cuda and not torch.cuda.is_available():
        if not args.cpu_only:
            print(no_gpu_message(torch), file=sys.stderr)
            return 2
        print(f"gpu-check: no CUDA device (torch {torch.__version__}): running the CPU half only")
    try:
        device = None if args.cpu_only else resolve_device(args.device)
    except RuntimeError as e:  # DeviceError, or torch's own for a device string it cannot parse
        print(f"gpu-check: --device {args.device}: {e}", file=sys.stderr)
        return 2
    try:
        if device is not None and device.type == "cuda":
            name = torch.cuda.get_device_name(device)
            print(f"gpu-check: {name}, torch {torch.__version__}, CUDA {torch.version.cuda}")
        folder: Any = (contextlib.nullcontext(str(args.out)) if args.out
                       else tempfile.TemporaryDirectory(prefix="saescope-gpu-check-"))
        with folder as root:
            return check(args, Path(root), device)
    except SaescopeError as e:
        print(f"gpu-check: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
