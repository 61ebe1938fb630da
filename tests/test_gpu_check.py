"""scripts/gpu-check: its CPU half end to end at a tiny size, and its comparisons (which must fail when figures
disagree beyond their tolerance)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from saescope.diagnostics import pipeline, reference
from saescope.diagnostics.checks import Check, StageResult, agrees, render_table, stage_rows
from saescope.diagnostics.gpu_check import main
from saescope.diagnostics.pipeline import common_prefix
from saescope.diagnostics.reference import code_agreement

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "gpu-check"
CPU_STAGES = ["harvest fp32", "train fp32", "eval intrinsic", "eval core-plus", "index", "steer", "ref index encode",
              "ref intrinsic", "ref train fp32"]
ALL_CHECKS = pipeline.CHECKS | reference.CHECKS


def table_rows(output: str) -> list[list[str]]:
    lines = [line for line in output.splitlines() if line.startswith("| ")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]  # without the header


@pytest.mark.slow
def test_cpu_half_runs_every_stage_and_prints_one_table(tmp_path: Path) -> None:
    out, cwd = tmp_path / "check", tmp_path / "cwd"
    cwd.mkdir()
    done = subprocess.run([str(SCRIPT), "--cpu-only", "--small", "--out", str(out)], capture_output=True, text=True,
                          cwd=cwd, env={**os.environ, "PYTHON": sys.executable}, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = table_rows(done.stdout)
    assert list(dict.fromkeys(r[0] for r in rows)) == CPU_STAGES
    assert len(rows) == sum(len(ALL_CHECKS[s]) for s in CPU_STAGES)
    for row in rows:
        stage, cpu_rate, _, _, figure, cpu_value, dev_value, _, result = row
        assert result == "cpu only" and dev_value == "-", row
        first = [c.label for c in ALL_CHECKS[stage]].index(figure) == 0
        if first:  # every stage reports a rate on the CPU
            assert cpu_rate.split()[1] in ("tok/s", "rec/s") and float(cpu_rate.split()[0].replace(",", "")) > 0
        if cpu_value != "ref":  # figures the CPU computes itself are finite numbers
            assert math.isfinite(float(cpu_value.replace(",", ""))), row
    fve = next(r for r in rows if r[0] == "eval intrinsic" and r[4] == "FVE (held out)")
    assert 0 < float(fve[5]) <= 1
    assert "CPU half only, nothing compared" in done.stdout
    assert not any(cwd.iterdir())  # everything went under --out
    assert {"cpu", "stages.log"} <= {p.name for p in out.iterdir()}


def test_comparison_fails_beyond_its_tolerance() -> None:
    assert agrees("abs", 0.5, 0.5, 0.0) and agrees("rel", 2.0, 2.0, 0.0)
    assert not agrees("abs", 0.5, 0.5 + 1e-9, 0.0)
    assert not agrees("rel", 2.0, 2.0 * (1 + 1e-9), 0.0)
    assert agrees("rel", 2.0, 2.02, 0.011) and not agrees("rel", 2.0, 2.03, 0.011)
    assert agrees("max", None, 1e-4, 1e-3) and not agrees("max", None, 2e-3, 1e-3)
    assert agrees("min", None, 0.99, 0.98) and not agrees("min", None, 0.97, 0.98)
    assert not agrees("max", None, math.nan, 1e-3) and not agrees("abs", 0.5, math.inf, 1.0)
    assert agrees("info", 1.0, 123.0, 0.0)


def test_stage_rows_flag_perturbed_figures() -> None:
    figures = {"fve": 0.9, "fve_ordinary": 0.6}
    cpu = StageResult("eval intrinsic", "cpu", 1000.0, "rec/s", None, 1.0, dict(figures))
    same = StageResult("eval intrinsic", "cuda:0", 9000.0, "rec/s", 512.0, 0.1, dict(figures))
    assert [bad for _, bad in stage_rows(ALL_CHECKS["eval intrinsic"], cpu, same)] == [False, False]
    perturbed = StageResult("eval intrinsic", "cuda:0", 9000.0, "rec/s", 512.0, 0.1,
                            {"fve": 0.9 + 1e-6, "fve_ordinary": 0.6})
    strict = (Check("fve", "FVE", "abs", 0.0), Check("fve_ordinary", "FVE, no sinks", "abs", 0.0))
    rows = stage_rows(strict, cpu, perturbed)
    assert [bad for _, bad in rows] == [True, False]
    assert rows[0][0][-1] == "FAIL" and rows[0][0][2] == "9,000 rec/s" and rows[0][0][3] == "512"
    missing = StageResult("eval intrinsic", "cuda:0", figures={})  # a figure the device did not report fails
    assert all(bad for _, bad in stage_rows(strict, cpu, missing))
    broken = StageResult("eval intrinsic", "cuda:0", error="OutOfMemoryError: CUDA out of memory")
    ((cells, bad),) = stage_rows(strict, cpu, broken)
    assert bad and cells[-1].startswith("FAIL: OutOfMemoryError")
    table = render_table([c for c, _ in rows], "GPU")
    assert table.splitlines()[0].split("|")[3].strip() == "GPU rate" and len(table.splitlines()) == 4


def test_device_side_figures() -> None:
    assert common_prefix([1, 2, 3, 4], [1, 2, 3, 4]) == 1.0
    assert common_prefix([1, 2, 3, 4], [1, 2, 9, 4]) == 0.5
    gen = torch.Generator().manual_seed(0)
    indices = torch.stack([torch.randperm(50, generator=gen)[:4] for _ in range(10)])
    values = torch.rand(10, 4, generator=gen)
    ref = {"indices": indices, "values": values}
    order = torch.argsort(torch.rand(10, 4, generator=gen), dim=1)  # the same codes, latents in another order
    same = code_agreement(ref, indices.gather(1, order), values.gather(1, order))
    assert same == {"same_latents": 1.0, "value_error": 0.0}
    other = indices.clone()
    other[0, 0] = 99
    changed = code_agreement(ref, other, values * 1.01)
    assert changed["same_latents"] == pytest.approx(0.9) and 0 < changed["value_error"] <= 0.01


def test_without_a_gpu_it_says_how_to_get_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main([]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "--cpu-only" in err
    assert "pip install torch --index-url https://download.pytorch.org/whl/cu" in err
    (tmp_path / "used").write_text("x")
    assert main(["--cpu-only", "--out", str(tmp_path)]) == 2
    assert "not an empty folder" in capsys.readouterr().err
