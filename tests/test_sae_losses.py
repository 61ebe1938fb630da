import pytest
import torch
import torch.nn.functional as F

from saescope.sae import (
    DeadLatentTracker,
    FveAccumulator,
    TopKSae,
    auxk_loss,
    fve,
    init_weights,
    mse_loss,
)

D_IN, D_SAE, K = 16, 64, 4


def make_sae() -> TopKSae:
    gen = torch.Generator().manual_seed(0)
    sae = TopKSae(D_IN, D_SAE, K)
    init_weights(sae, gen)
    with torch.no_grad():
        sae.b_dec.copy_(torch.randn(D_IN, generator=gen))
        sae.b_enc.copy_(torch.randn(D_SAE, generator=gen) * 0.1 + 0.5)
    return sae


def make_x(n: int = 48, seed: int = 1) -> torch.Tensor:
    return torch.randn(n, D_IN, generator=torch.Generator().manual_seed(seed)) * 2 + 1


def test_mse_is_per_element_mean():
    a, b = make_x(seed=1), make_x(seed=2)
    torch.testing.assert_close(mse_loss(a, b), F.mse_loss(a, b))


def test_fve_perfect_and_mean_prediction():
    x = make_x()
    torch.testing.assert_close(fve(x, x), torch.tensor(1.0))
    torch.testing.assert_close(fve(x, x.mean(dim=0).expand_as(x)), torch.tensor(0.0), atol=1e-6, rtol=0)
    noisy = x + 0.1 * make_x(seed=5)
    assert 0.9 < fve(noisy, x) < 1.0


def test_fve_accumulator_equals_one_shot_fve_on_the_concatenation():
    # Batches with different means: a per-batch centring would overstate the pooled variance.
    batches = [make_x(n, seed=s) + offset for n, s, offset in [(10, 1, 0.0), (37, 2, 5.0), (3, 3, -4.0)]]
    recons = [b + 0.5 * make_x(b.shape[0], seed=10 + i) for i, b in enumerate(batches)]
    acc = FveAccumulator(D_IN)
    for b, r in zip(batches, recons, strict=True):
        acc.update(b.reshape(1, -1, D_IN), r.reshape(1, -1, D_IN))
    want = fve(torch.cat(batches).double(), torch.cat(recons).double()).item()
    assert acc.compute() == pytest.approx(want, abs=1e-6)

    first, second = FveAccumulator(D_IN), FveAccumulator(D_IN)
    first.update(batches[0], recons[0])
    for b, r in zip(batches[1:], recons[1:], strict=True):
        second.update(b, r)
    first.merge(second)
    assert first.compute() == pytest.approx(acc.compute(), rel=1e-12)


def forward_and_residual(sae: TopKSae, x: torch.Tensor):
    out = sae(x)
    return out, (out.x_n - out.x_hat_n).detach()


def test_auxk_is_zero_and_backpropagates_when_nothing_is_dead():
    sae = make_sae()
    out, e = forward_and_residual(sae, make_x())
    loss = auxk_loss(sae, out.pre, e, torch.zeros(D_SAE, dtype=torch.bool), aux_k=8)
    assert loss.item() == 0.0
    (mse_loss(out.x_hat_n, out.x_n) + loss).backward()


def test_auxk_matches_masking_live_latents_to_minus_inf():
    sae = make_sae()
    out, e = forward_and_residual(sae, make_x())
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[::3] = True
    got = auxk_loss(sae, out.pre, e, dead, aux_k=5)

    masked = out.pre.masked_fill(~dead, float("-inf"))
    values, indices = masked.topk(5, dim=-1)
    e_hat = torch.zeros_like(out.pre).scatter(-1, indices, values.relu()) @ sae.W_dec
    want = (e_hat - e).square().sum() / (e - e.mean(dim=0)).square().sum()
    torch.testing.assert_close(got, want, atol=1e-5, rtol=1e-5)
    # aux_k above the number of dead latents is clipped to it.
    torch.testing.assert_close(
        auxk_loss(sae, out.pre, e, dead, aux_k=1000), auxk_loss(sae, out.pre, e, dead, aux_k=int(dead.sum()))
    )


def test_auxk_decodes_without_b_dec():
    sae = make_sae()
    out, e = forward_and_residual(sae, make_x())
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[7] = True
    e_hat = out.pre[:, 7:8].relu() * sae.W_dec[7]
    want = (e_hat - e).square().sum() / (e - e.mean(dim=0)).square().sum()
    torch.testing.assert_close(auxk_loss(sae, out.pre, e, dead, aux_k=1), want)
    assert sae.b_dec.abs().min() > 0  # b_dec is non-trivial, so including it would change the value


def test_auxk_gradient_reaches_encoder_only_through_dead_latents():
    sae = make_sae()
    out, e = forward_and_residual(sae, make_x())
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[[3, 10, 20, 41, 50]] = True
    auxk_loss(sae, out.pre, e, dead, aux_k=2).backward()

    live = ~dead
    assert sae.W_enc.grad[:, dead].abs().sum() > 0
    assert sae.b_enc.grad[dead].abs().sum() > 0
    assert sae.W_dec.grad[dead].abs().sum() > 0
    assert (sae.W_enc.grad[:, live] == 0).all()
    assert (sae.b_enc.grad[live] == 0).all()
    assert (sae.W_dec.grad[live] == 0).all()


def test_auxk_gradient_adds_to_the_main_loss_gradient():
    sae = make_sae()
    x = make_x()
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[::4] = True
    out, e = forward_and_residual(sae, x)
    mse_loss(out.x_hat_n, out.x_n).backward()
    main_grad = sae.W_enc.grad.clone()

    sae.zero_grad()
    out, e = forward_and_residual(sae, x)
    (mse_loss(out.x_hat_n, out.x_n) + auxk_loss(sae, out.pre, e, dead, aux_k=4)).backward()
    assert not torch.allclose(sae.W_enc.grad[:, dead], main_grad[:, dead])
    torch.testing.assert_close(sae.W_enc.grad[:, ~dead], main_grad[:, ~dead])


def test_dead_latent_tracker_counts_tokens():
    tracker = DeadLatentTracker(8)
    tracker.update(torch.tensor([[0, 1], [1, 2]]), n_tokens=2)
    assert tracker.tokens_since_fired.tolist() == [0, 0, 0, 2, 2, 2, 2, 2]
    # A latent selected with value 0 did not fire.
    tracker.update(torch.tensor([[0, 3]]), n_tokens=100, values=torch.tensor([[1.0, 0.0]]))
    assert tracker.tokens_since_fired.tolist() == [0, 100, 100, 102, 102, 102, 102, 102]
    assert tracker.dead_mask(101).tolist() == [False, False, False, True, True, True, True, True]
    assert tracker.dead_mask(100).sum() == 7

    fired = torch.zeros(8, dtype=torch.bool)
    fired[5] = True
    tracker.update_from_fired(fired, n_tokens=10)
    assert tracker.tokens_since_fired.tolist() == [10, 110, 110, 112, 112, 0, 112, 112]


def test_dead_latent_tracker_state_round_trip():
    tracker = DeadLatentTracker(8)
    tracker.update(torch.tensor([[4]]), n_tokens=33)
    restored = DeadLatentTracker(8)
    restored.load_state_dict(tracker.state_dict())
    assert torch.equal(restored.tokens_since_fired, tracker.tokens_since_fired)
    with pytest.raises(ValueError, match="shape"):
        DeadLatentTracker(9).load_state_dict(tracker.state_dict())


def test_auxk_under_bf16_autocast():
    sae = make_sae()
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[::5] = True
    with torch.no_grad():
        out, e = forward_and_residual(sae, make_x())
        want = auxk_loss(sae, out.pre, e, dead, aux_k=3)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out, e = forward_and_residual(sae, make_x())
        got = auxk_loss(sae, out.pre, e, dead, aux_k=3)
    assert got.dtype == torch.float32
    torch.testing.assert_close(got, want, atol=0.05, rtol=0.05)
    got.backward()
    assert sae.W_enc.grad[:, dead].abs().sum() > 0
    assert (sae.W_enc.grad[:, ~dead] == 0).all()
