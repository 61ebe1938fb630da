"""The optimisation loop on synthetic sparse data, and the retained-checkpoint registry."""

import json
from pathlib import Path

import pytest
import torch

from saescope.sae import TopKSae, auxk_loss, init_weights, mse_loss
from saescope.sae import model as model_module
from saescope.train.checkpoint import CheckpointRegistry, RetentionPolicy, read_trainer_state, write_checkpoint
from saescope.train.trainer import Hyperparams, Trainer

D_IN, D_SAE, K = 32, 128, 4


def sparse_data(n: int, seed: int) -> torch.Tensor:
    """Activations that really are sparse sums of a fixed dictionary: a TopK SAE should fit them."""
    g = torch.Generator().manual_seed(0)
    dictionary = torch.randn(64, D_IN, generator=g)
    g.manual_seed(seed)
    weights = torch.zeros(n, 64)
    idx = torch.randint(0, 64, (n, 3), generator=g)
    weights.scatter_(1, idx, torch.rand(n, 3, generator=g) * 3)
    return weights @ dictionary + 0.5


def new_trainer(**kw) -> Trainer:
    sae = TopKSae(D_IN, D_SAE, K)
    init_weights(sae, torch.Generator().manual_seed(1))
    hp = Hyperparams(lr=3e-3, batch_size=256, warmup_tokens=512, aux_k=16, dead_tokens=2048,
                     autocast_dtype="float32", **kw)
    return Trainer(sae, hp, torch.device("cpu"))


def test_training_fits_sparse_data_and_tracks_dead_latents():
    trainer = new_trainer()
    metrics = [trainer.train_step(sparse_data(256, seed)) for seed in range(150)]
    assert metrics[-1]["fve"] > 0.8 > metrics[0]["fve"]
    assert metrics[-1]["l0"] <= K
    assert trainer.tokens_seen == 150 * 256 and trainer.step == 150
    assert metrics[-1]["dead"] > 0 and metrics[-1]["aux_loss"] > 0  # 128 latents for 64 atoms: some die
    rows = trainer.sae.W_dec.norm(dim=1)
    torch.testing.assert_close(rows, torch.ones_like(rows))


def plain_train_step(trainer: Trainer, x: torch.Tensor) -> dict[str, float]:
    """The train step before the fused encoder: `forward` keeps the dense `pre`, `auxk_loss` takes it."""
    dead = trainer.tracker.dead_mask(trainer.hp.dead_tokens)
    with trainer._autocast():
        out = trainer.model(x)
        main = mse_loss(out.x_hat_n, out.x_n)
        residual = (out.x_n - out.x_hat_n).detach()
        aux = auxk_loss(trainer.sae, out.pre, residual, dead, trainer.hp.aux_k)
        loss = main + trainer.hp.aux_coef * aux
    loss.backward()
    trainer.sae.remove_gradient_parallel_to_decoder_directions()
    trainer.optimizer.step()
    trainer.scheduler.step()
    trainer.optimizer.zero_grad(set_to_none=True)
    trainer.sae.set_decoder_norm_to_unit_norm()
    trainer._update_dead_latents(out.code.indices, out.code.values, x.shape[0])
    trainer.step += 1
    return {"loss": float(loss.detach()), "aux_loss": float(aux.detach())}


def test_fused_train_step_matches_the_plain_autograd_path():
    def make() -> Trainer:
        sae = TopKSae(D_IN, D_SAE, K)
        init_weights(sae, torch.Generator().manual_seed(1))
        hp = Hyperparams(lr=3e-3, batch_size=256, warmup_tokens=512, aux_k=16, dead_tokens=512,
                         autocast_dtype="float32")
        return Trainer(sae, hp, torch.device("cpu"))

    fused, plain = make(), make()
    for seed in range(14):
        x = sparse_data(256, seed)
        want = plain_train_step(plain, x)
        got = fused.train_step(x)
        assert got["loss"] == pytest.approx(want["loss"], rel=1e-5)
        assert got["aux_loss"] == pytest.approx(want["aux_loss"], rel=1e-5, abs=1e-7)
        assert torch.equal(fused.tracker.tokens_since_fired, plain.tracker.tokens_since_fired)
    assert got["dead"] > 0 and got["aux_loss"] > 0  # the last steps ran AuxK on dead latents
    for name, value in plain.sae.state_dict().items():
        torch.testing.assert_close(fused.sae.state_dict()[name], value, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("aux_backward", ["dense", "sparse"])
def test_kept_gradient_memory_is_reused_without_changing_the_step(aux_backward: str,
                                                                   monkeypatch: pytest.MonkeyPatch):
    """`release_gradients` keeps the weight gradients' memory for the next backward (on CPU): the same weights,
    bit for bit, as dropping it, and the same buffers step after step (W_enc's always; W_dec's when both codes
    are decoded in one node, the sparse AuxK path)."""
    monkeypatch.setattr(model_module, "sparse_aux", lambda *args: aux_backward == "sparse")
    kept, dropped = new_trainer(), new_trainer()
    monkeypatch.setattr(dropped.sae, "release_gradients", lambda: None)  # zero_grad then frees them
    pointers = []
    for seed in range(6):
        x = sparse_data(256, seed)
        for trainer in (kept, dropped):
            trainer.tracker.tokens_since_fired[::3] = trainer.hp.dead_tokens  # AuxK on every step
            trainer.train_step(x)
        assert kept.sae.W_enc.grad is None and kept.sae.W_dec.grad is None
        pointers.append({key: t.data_ptr() for key, t in kept.sae._scratch._kept.items()})
    want = {"grad_W_enc", "grad_W_dec"} if aux_backward == "sparse" else {"grad_W_enc"}
    assert want <= set(pointers[0]) and all(p[key] == pointers[0][key] for p in pointers for key in want)
    for name, value in dropped.sae.state_dict().items():
        assert torch.equal(kept.sae.state_dict()[name], value), name


def test_nonfinite_batches_are_skipped_then_stop_the_run():
    trainer = new_trainer(max_consecutive_nonfinite=3)
    before = trainer.sae.W_enc.detach().clone()
    bad = sparse_data(256, 0)
    bad[0, 0] = float("nan")
    assert trainer.train_step(bad)["skipped"] == 1
    assert torch.equal(trainer.sae.W_enc, before) and trainer.step == 0
    trainer.train_step(sparse_data(256, 1))
    trainer.train_step(bad)
    trainer.train_step(bad)
    try:
        trainer.train_step(bad)
    except RuntimeError as e:
        assert "non-finite" in str(e)
    else:
        raise AssertionError("three non-finite steps in a row must stop training")


def test_state_round_trip_continues_exactly(tmp_path: Path):
    reference = new_trainer()
    for seed in range(20):
        reference.train_step(sparse_data(256, seed))
    resumed = new_trainer()
    for seed in range(10):
        resumed.train_step(sparse_data(256, seed))
    write_checkpoint(tmp_path / "ck", resumed.sae.state_dict(), {"k": str(K)}, resumed.state_dict(), {"step": 10})
    from safetensors.torch import load_file

    restarted = new_trainer()
    restarted.sae.load_state_dict(load_file(tmp_path / "ck" / "sae.safetensors"))
    restarted.load_state_dict(read_trainer_state(tmp_path / "ck"))
    for seed in range(10, 20):
        restarted.train_step(sparse_data(256, seed))
    for name, value in reference.sae.state_dict().items():
        torch.testing.assert_close(restarted.sae.state_dict()[name], value, rtol=0, atol=0)


def test_registry_keeps_best_n_latest_and_final(tmp_path: Path):
    registry = CheckpointRegistry(tmp_path, RetentionPolicy(best_count=2, metric="loss", mode="min"))
    losses = {100: 5.0, 200: 3.0, 300: 4.0, 400: 1.0, 500: 2.5}
    for step, loss in losses.items():
        write_checkpoint(tmp_path / f"step-{step:06d}", {"w": torch.zeros(1)}, {}, {"step": step}, {})
        registry.record(step, step * 10, {"loss": loss}, final=step == 500)
    kept = {p.name for p in tmp_path.iterdir() if p.name.startswith("step-")}
    assert kept == {"step-000400", "step-000500"}
    saved = json.loads((tmp_path / "registry.json").read_text())
    reasons = {e["step"]: e["retained_because"] for e in saved["checkpoints"]}
    assert reasons[400] == ["best loss (min) #1 of 2"]
    assert reasons[500][0] == "best loss (min) #2 of 2" and "final" in reasons[500]
    # A new registry object (a restarted process) reads the same state and finds the resume point.
    assert CheckpointRegistry(tmp_path, registry.policy).latest() == tmp_path / "step-000500"


def test_learning_rate_warms_up_then_decays_linearly_to_zero():
    sae = TopKSae(D_IN, D_SAE, K)
    hp = Hyperparams(lr=1e-3, batch_size=100, warmup_tokens=200, lr_decay_fraction=0.5)
    trainer = Trainer(sae, hp, torch.device("cpu"), total_tokens=1000)
    # step s runs after s * 100 tokens: warmup (s+1)*100/200, decay (1000 - 100 s) / 500 once under 1
    expected = {0: 0.5, 1: 1.0, 5: 1.0, 7: 0.6, 9: 0.2, 10: 0.0}
    assert {s: pytest.approx(trainer._lr_factor(s)) for s in expected} == expected
    assert Trainer(sae, hp.model_copy(update={"lr_decay_fraction": 0.0}), torch.device("cpu"), 1000)._lr_factor(9) == 1
    assert Trainer(sae, hp, torch.device("cpu"))._lr_factor(9) == 1  # no budget known: no decay


def test_default_learning_rate_scales_with_width_and_batch():
    hp = Hyperparams(batch_size=16384)
    assert hp.lr is None
    trainer = Trainer(TopKSae(D_IN, 4608 * 4, K), hp, torch.device("cpu"))
    assert trainer.lr == pytest.approx(6e-3 / 2 * 2)  # 1/sqrt(4) for the width, sqrt(4) for the batch
    assert trainer.optimizer.param_groups[0]["initial_lr"] == pytest.approx(trainer.lr)


def test_sink_weight_zero_trains_on_the_ordinary_rows_only():
    from saescope.sae.losses import sink_weights, weighted_mse_loss

    x = torch.randn(64, D_IN)
    x[:3] *= 100  # three attention sinks
    weights = sink_weights(x, factor=10.0, weight=0.0)
    assert weights.tolist() == [0.0] * 3 + [1.0] * 61
    x_hat = x + torch.randn_like(x)
    assert float(weighted_mse_loss(x_hat, x, weights)) == pytest.approx(float(mse_loss(x_hat[3:], x[3:])), rel=1e-5)
    assert float(weighted_mse_loss(x_hat, x, torch.ones(64))) == pytest.approx(float(mse_loss(x_hat, x)), rel=1e-5)
