"""A bf16 request computes in float32 where bf16 matmuls would be emulated, and says so; outputs record it."""

from __future__ import annotations

import logging

import pytest
import torch

from saescope.sae import TopKSae
from saescope.train.trainer import Hyperparams, Trainer
from saescope.utils import precision


@pytest.fixture
def no_native_bf16(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(precision, "has_native_bf16", lambda device: False)
    monkeypatch.setattr(precision, "_warned", set())
    monkeypatch.delenv(precision.FORCE_ENV, raising=False)


def test_bf16_without_native_support_computes_in_float32_and_warns_once(
    no_native_bf16: None, caplog: pytest.LogCaptureFixture
) -> None:
    cpu = torch.device("cpu")
    with caplog.at_level(logging.WARNING, logger=precision.__name__):
        assert precision.compute_dtype("bfloat16", cpu) == torch.float32
        assert precision.compute_dtype("bfloat16", cpu) == torch.float32
    assert sum("no native bf16" in r.getMessage() for r in caplog.records) == 1
    assert precision.compute_dtype("float32", cpu) == torch.float32


def test_bf16_is_kept_where_native_or_forced(monkeypatch: pytest.MonkeyPatch, no_native_bf16: None) -> None:
    monkeypatch.setenv(precision.FORCE_ENV, "force")
    assert precision.compute_dtype("bfloat16", torch.device("cpu")) == torch.bfloat16
    monkeypatch.delenv(precision.FORCE_ENV)
    monkeypatch.setattr(precision, "has_native_bf16", lambda device: True)
    assert precision.compute_dtype("bfloat16", torch.device("cpu")) == torch.bfloat16


def test_trainer_runs_its_step_in_the_dtype_that_computes(no_native_bf16: None) -> None:
    sae = TopKSae(16, 64, 4)
    trainer = Trainer(sae, Hyperparams(batch_size=32, warmup_tokens=32, autocast_dtype="bfloat16"),
                      torch.device("cpu"))
    assert trainer.compute_dtype == torch.float32
    with trainer._autocast():
        assert (torch.randn(4, 16) @ sae.W_enc).dtype == torch.float32
    assert "loss" in trainer.train_step(torch.randn(32, 16))
