from functools import partial

import pytest
import torch
import torch.nn.functional as F
from conftest import make_sae as shared_sae

from saescope.sae import (
    DeadLatentTracker,
    FveAccumulator,
    SparseCode,
    TopKSae,
    auxk_loss,
    auxk_loss_from_code,
    fused_topk_encode,
    fve,
    kernels,
    mse_loss,
)
from saescope.sae import model as model_module
from saescope.sae.kernels import sparse_decode_pair

D_IN, D_SAE, K = 16, 64, 4


# The identity normaliser, b_dec ~ N(0, 1) and a positive b_enc ~ N(0.5, 0.1).
make_sae = partial(shared_sae, D_IN, D_SAE, K, mean=0.0, std=(1.0, 1.0), b_dec=1.0, b_enc=0.1, b_enc_shift=0.5)


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


# --- the fused training path (TopKSae.training_forward + auxk_loss_from_code) against plain autograd


def make_mixed_sae() -> TopKSae:
    """make_sae with a strongly negative b_enc on every third latent: some top-k and many aux values are
    ReLU'd to 0, so the ReLU's zero gradient is exercised."""
    sae = make_sae()
    with torch.no_grad():
        sae.b_enc[::3] -= 4.0
        sae.input_mean.copy_(torch.linspace(-1, 1, D_IN))
        sae.input_std.copy_(torch.linspace(0.5, 2, D_IN))
    return sae


def plain_and_fused_grads(dead: torch.Tensor, aux_k: int, x: torch.Tensor, aux_coef: float = 0.5):
    """(losses, grads) of mse + aux_coef * AuxK through `forward` + `auxk_loss(pre)` and the fused path."""
    plain, fused = make_mixed_sae(), make_mixed_sae()
    out = plain(x)
    e = (out.x_n - out.x_hat_n).detach()
    want = mse_loss(out.x_hat_n, out.x_n) + aux_coef * auxk_loss(plain, out.pre, e, dead, aux_k)
    want.backward()
    got_out = fused(x, dead_mask=dead, aux_k=aux_k)
    e = (got_out.x_n - got_out.x_hat_n).detach()
    got = mse_loss(got_out.x_hat_n, got_out.x_n) + aux_coef * auxk_loss_from_code(
        fused, got_out.aux_code, e, latents=got_out.aux_latents
    )
    got.backward()
    grads = {name: (p.grad, dict(fused.named_parameters())[name].grad) for name, p in plain.named_parameters()}
    return (want, got), grads, (out, got_out)


@pytest.fixture(params=["dense", "sparse"])
def aux_backward(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Runs a test with each AuxK backward of the training path: GEMMs over the dead latents, or gathers."""
    monkeypatch.setattr(model_module, "sparse_aux", lambda *args: request.param == "sparse")
    return request.param


@pytest.mark.parametrize("dead_every", [0, 3, 4, 1])  # none, some (partly ReLU'd to 0), all latents dead
def test_fused_training_path_matches_plain_autograd(dead_every: int, aux_backward: str):
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    if dead_every:
        dead[::dead_every] = True
    (want, got), grads, (out, fused_out) = plain_and_fused_grads(dead, aux_k=6, x=make_x(seed=3))
    torch.testing.assert_close(got, want, rtol=1e-6, atol=0)
    assert torch.equal(fused_out.code.indices.sort(-1).values, out.code.indices.sort(-1).values)
    torch.testing.assert_close(fused_out.x_hat, out.x_hat, rtol=1e-6, atol=1e-6)
    for name, (plain_grad, fused_grad) in grads.items():
        assert plain_grad.abs().sum() > 0, name
        torch.testing.assert_close(fused_grad, plain_grad, rtol=1e-5, atol=1e-5 * plain_grad.abs().max().item())
    if dead_every:
        assert (fused_out.aux_code.values > 0).any()
        assert (fused_out.aux_decoded is not None) == (aux_backward == "sparse")
    else:
        assert fused_out.aux_code.indices.shape == (48, 0)
    if dead_every == 3:  # exactly the latents with the negative b_enc: some aux values are ReLU'd to 0
        assert (fused_out.aux_code.values == 0).any()


def test_fused_aux_gradient_reaches_only_dead_encoder_columns(aux_backward: str):
    sae = make_mixed_sae()
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[[3, 10, 20, 41, 50]] = True
    out = sae(make_x(), dead_mask=dead, aux_k=2)
    assert set(out.aux_code.indices.unique().tolist()) <= {3, 10, 20, 41, 50}
    e = (out.x_n - out.x_hat_n).detach()
    auxk_loss_from_code(sae, out.aux_code, e, latents=out.aux_latents, decoded=out.aux_decoded).backward()
    live = ~dead
    assert sae.W_enc.grad[:, dead].abs().sum() > 0 and sae.b_enc.grad[dead].abs().sum() > 0
    assert (sae.W_enc.grad[:, live] == 0).all() and (sae.b_enc.grad[live] == 0).all()
    assert (sae.W_dec.grad[live] == 0).all()
    # Through b_dec the aux gradient reaches the encoder input: -(W_enc @ grad_b_enc).
    torch.testing.assert_close(sae.b_dec.grad, -(sae.W_enc.detach() @ sae.b_enc.grad))


def test_fused_auxk_without_latents_and_with_a_given_residual_variance():
    sae = make_mixed_sae()
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[::2] = True
    out = sae(make_x(), dead_mask=dead, aux_k=5)
    e = (out.x_n - out.x_hat_n).detach()
    with_latents = auxk_loss_from_code(sae, out.aux_code, e, latents=out.aux_latents)
    torch.testing.assert_close(auxk_loss_from_code(sae, out.aux_code, e), with_latents)
    plain = sae(make_x())
    variance = torch.tensor(123.0)
    torch.testing.assert_close(
        auxk_loss_from_code(sae, out.aux_code, e, variance, out.aux_latents),
        auxk_loss(sae, plain.pre, e, dead, 5, variance),
    )
    # aux_k above the number of dead latents is clipped to it; nothing dead gives an attached zero.
    assert sae(make_x(), dead_mask=dead, aux_k=1000).aux_code.indices.shape == (48, D_SAE // 2)
    none = sae(make_x(), dead_mask=torch.zeros(D_SAE, dtype=torch.bool), aux_k=8)
    zero = auxk_loss_from_code(sae, none.aux_code, e)
    assert zero.item() == 0.0 and zero.requires_grad


@pytest.mark.parametrize("sparse", [False, True])
def test_fused_encode_input_gradient_matches_autograd(sparse: bool):
    sae = make_mixed_sae()
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[1::3] = True
    x_n = sae.normalize(make_x(seed=4)).requires_grad_()
    code, aux = fused_topk_encode(x_n, sae.b_dec, sae.W_enc, sae.b_enc, K, dead.nonzero().squeeze(-1), 3,
                                  sparse=sparse)
    weights = torch.randn(48, K + 3, generator=torch.Generator().manual_seed(9))
    (grad_fused,) = torch.autograd.grad((torch.cat([code.values, aux.values], -1) * weights).sum(), x_n)

    pre = sae.encode_pre(x_n)
    top = pre.gather(-1, code.indices).relu()
    dead_top = pre.gather(-1, aux.indices).relu()
    (grad_plain,) = torch.autograd.grad((torch.cat([top, dead_top], -1) * weights).sum(), x_n)
    torch.testing.assert_close(grad_fused, grad_plain, rtol=1e-5, atol=1e-6)


def test_fused_training_forward_under_bf16_autocast_matches_forward(aux_backward: str):
    sae = make_mixed_sae()
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[::5] = True
    x = make_x().reshape(6, 8, D_IN)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        plain = sae(x)
        fused = sae(x, dead_mask=dead, aux_k=3)
        e = (fused.x_n - fused.x_hat_n).detach()
        want = auxk_loss(sae, plain.pre, e, dead, 3)
        got = auxk_loss_from_code(sae, fused.aux_code, e, latents=fused.aux_latents, decoded=fused.aux_decoded)
    assert fused.code.values.dtype == torch.bfloat16 and fused.code.indices.shape == (6, 8, K)
    order_p, order_f = plain.code.indices.argsort(-1), fused.code.indices.argsort(-1)
    assert torch.equal(plain.code.indices.gather(-1, order_p), fused.code.indices.gather(-1, order_f))
    assert torch.equal(plain.code.values.gather(-1, order_p), fused.code.values.gather(-1, order_f))
    torch.testing.assert_close(fused.x_hat, plain.x_hat)
    assert got.dtype == torch.float32
    # The gathers decode the aux code in fp32, where the dense path's matmul runs in bf16 under autocast.
    torch.testing.assert_close(got, want, **({} if aux_backward == "dense" else {"rtol": 1e-4, "atol": 0}))
    got.backward()
    assert (sae.W_enc.grad[:, ~dead] == 0).all() and sae.W_enc.grad[:, dead].abs().sum() > 0


def test_grouped_gathers_equal_the_aten_embedding_bag_gradients(monkeypatch: pytest.MonkeyPatch):
    """`_gather_grads` (both layouts, over several column slices, unused rows included; the private per-sample
    op and its public fallback) against autograd through `embedding_bag`."""
    g = torch.Generator().manual_seed(3)
    indices = torch.randint(0, 50, (12, 4), generator=g)  # rows never used stay zero
    weights = torch.rand(12, 4, generator=g, requires_grad=True)
    table = torch.randn(50, 600, generator=g, requires_grad=True)  # 600 columns: three CPU column slices
    grad_out = torch.randn(12, 600, generator=g)
    grad_table, grad_weights = torch.autograd.grad(
        F.embedding_bag(indices, table, per_sample_weights=weights, mode="sum"), (table, weights), grad_out
    )
    groups = kernels._group_by_row(indices.flatten(), kernels._bag_ids(12, 4, indices.device),
                                   weights.detach().flatten(), 50)
    out, out_t = torch.empty(50, 600), torch.full((600, 50), float("nan"))
    dots = kernels._gather_grads(grad_out.split([5, 7]), groups, out, dot_weight=table.detach())  # stacked tables
    monkeypatch.setattr(kernels, "_CPU_PART_BYTES", 256 * 4 * 7)  # blocks of 7 rows
    assert kernels._gather_grads([grad_out], groups, out_t, transposed=True) is None
    torch.testing.assert_close(out, grad_table)
    torch.testing.assert_close(out_t, grad_table.T)
    torch.testing.assert_close(dots.view(12, 4), grad_weights)
    torch.testing.assert_close(kernels._entry_dots_public(grad_out, table.detach(), groups),
                               kernels._entry_dots(grad_out, table.detach(), groups))


def test_sparse_decode_pair_equals_two_decodes_in_value_and_gradient():
    g = torch.Generator().manual_seed(5)
    weight = torch.randn(40, 130, generator=g, requires_grad=True)  # 130 columns: three compact CPU slices
    codes = [SparseCode(torch.randint(0, 40, (6, w), generator=g), torch.rand(6, w, generator=g, requires_grad=True))
             for w in (3, 5)]
    latents = torch.arange(0, 40, 3)
    codes[1] = SparseCode(latents[codes[1].indices % latents.numel()], codes[1].values)
    out, aux_out = sparse_decode_pair(*codes, weight, aux_latents=latents)  # the aux code uses every third row
    targets = torch.randn(2, 6, 130, generator=g)
    got = torch.autograd.grad((out * targets[0]).sum() + (aux_out * targets[1]).sum(),
                              (weight, codes[0].values, codes[1].values))
    plain = [F.embedding_bag(c.indices, weight, per_sample_weights=c.values, mode="sum") for c in codes]
    torch.testing.assert_close(out, plain[0])
    torch.testing.assert_close(aux_out, plain[1])
    want = torch.autograd.grad((plain[0] * targets[0]).sum() + (plain[1] * targets[1]).sum(),
                               (weight, codes[0].values, codes[1].values))
    for a, b in zip(got, want, strict=True):
        torch.testing.assert_close(a, b)


def test_sparse_aux_picks_gathers_where_the_cost_model_says_so():
    """The measured crossovers: at d_in 576 / d_sae 9216 (N 4096, aux_k 512) GEMMs win with 922 dead latents and
    gathers with 8192; at d_in 4096 / d_sae 65536 the dense path's full-size W_dec gradients lose even with 512."""
    small, reference = torch.empty(1).expand(576, 9216), torch.empty(1).expand(4096, 65536)  # shapes, no memory
    assert not kernels.sparse_aux(small, 4096, 922, 512) and kernels.sparse_aux(small, 4096, 8192, 512)
    assert not kernels.sparse_aux(small, 4096, 8192, 0)
    assert not kernels.sparse_aux(reference.to("meta"), 4096, 32768, 512)  # not on CPU: a GPU's GEMMs win
    with torch.autocast("cpu", dtype=torch.bfloat16):  # a reduced-precision GEMM is cheaper: a higher bar
        assert not kernels.sparse_aux(small, 4096, 3072, 512)
    assert kernels.sparse_aux(small, 4096, 3072, 512)
    assert kernels.sparse_aux(reference, 4096, 512, 512) and kernels.sparse_aux(reference, 4096, 32768, 512)
