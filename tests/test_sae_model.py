from functools import partial

import pytest
import torch
from conftest import make_sae as shared_sae

from saescope.sae import (
    STATE_DICT_KEYS,
    SparseCode,
    TopKSae,
    geometric_median,
    init_b_dec,
    init_weights,
)

D_IN, D_SAE, K = 16, 64, 4


# A model with every term of the formula non-trivial: normaliser, b_dec and b_enc. A positive b_enc (1.5 +- 0.25)
# keeps well over k pre-activations positive, so every row has exactly k nonzeros.
make_sae = partial(shared_sae, D_IN, D_SAE, K, mean=3.0, std=(0.5, 2.5), b_dec=0.5, b_enc=0.25, b_enc_shift=1.5)


def make_x(n: int = 32, seed: int = 1) -> torch.Tensor:
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(n, D_IN, generator=gen) * 4 + 2


def reference_forward(sae: TopKSae, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The model's formula written out densely in float64: (z, x_hat)."""
    p = {name: t.detach().double() for name, t in sae.state_dict().items()}
    x_n = (x.double() - p["input_mean"]) / p["input_std"]
    pre = (x_n - p["b_dec"]) @ p["W_enc"] + p["b_enc"]
    act = pre.relu()
    kth = act.topk(sae.k, dim=-1).values[:, -1:]
    z = torch.where(act >= kth, act, torch.zeros_like(act))
    x_hat_n = z @ p["W_dec"] + p["b_dec"]
    return z, x_hat_n * p["input_std"] + p["input_mean"]


def test_forward_matches_the_formula():
    sae, x = make_sae(), make_x()
    z_ref, x_hat_ref = reference_forward(sae, x)
    with torch.no_grad():
        out = sae(x)
    torch.testing.assert_close(out.x_hat.double(), x_hat_ref, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(out.code.to_dense(D_SAE).double(), z_ref, atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(out.x_n, sae.normalize(x))
    torch.testing.assert_close(out.x_hat, sae.denormalize(out.x_hat_n))


def test_code_is_exactly_the_k_largest_relu_preactivations():
    sae, x = make_sae(), make_x()
    with torch.no_grad():
        out = sae(x)
    z = out.code.to_dense(D_SAE)
    assert out.code.indices.dtype == torch.long
    assert out.code.indices.shape == out.code.values.shape == (x.shape[0], K)
    assert ((z != 0).sum(dim=-1) == K).all()
    act = out.pre.relu()
    chosen = torch.zeros_like(act, dtype=torch.bool).scatter(-1, out.code.indices, True)
    torch.testing.assert_close(z[chosen], act[chosen])
    smallest_chosen = act.masked_fill(~chosen, float("inf")).min(dim=-1).values
    largest_other = act.masked_fill(chosen, float("-inf")).max(dim=-1).values
    assert (smallest_chosen >= largest_other).all()


def test_relu_zeroes_negative_winners():
    sae = make_sae()
    with torch.no_grad():
        sae.b_enc.fill_(-100.0)  # everything negative: the k winners are kept as indices with value 0
        code = sae.encode(make_x())
    assert (code.values == 0).all()


def test_encode_then_decode_equals_forward():
    sae, x = make_sae(), make_x()
    with torch.no_grad():
        out = sae(x)
        code = sae.encode(x)
        torch.testing.assert_close(sae.decode(code), out.x_hat)
        torch.testing.assert_close(sae.decode(sae.encode_dense(x)), out.x_hat, atol=1e-5, rtol=1e-5)


def test_sparse_decode_equals_dense_decode_in_value_and_gradient():
    sae, x = make_sae(), make_x()
    with torch.no_grad():
        code = sae.encode(x)
    values = code.values.clone().requires_grad_(True)
    sparse = sae.decode_sparse_n(SparseCode(code.indices, values))
    sparse.square().sum().backward()
    sparse_grads = [values.grad.clone(), sae.W_dec.grad.clone(), sae.b_dec.grad.clone()]

    sae.zero_grad()
    values.grad = None
    dense = sae.decode_dense_n(SparseCode(code.indices, values).to_dense(D_SAE))
    dense.square().sum().backward()
    dense_grads = [values.grad, sae.W_dec.grad, sae.b_dec.grad]

    torch.testing.assert_close(sparse, dense, atol=1e-5, rtol=1e-5)
    for got, want in zip(sparse_grads, dense_grads, strict=True):
        torch.testing.assert_close(got, want, atol=1e-4, rtol=1e-4)


def test_leading_batch_dims():
    sae = make_sae()
    x = make_x(2 * 3 * 5).reshape(2, 3, 5, D_IN)
    with torch.no_grad():
        out = sae(x)
        flat = sae(x.reshape(-1, D_IN))
        code = sae.encode(x)
        assert code.indices.shape == code.values.shape == (2, 3, 5, K)
        assert sae.encode_dense(x).shape == (2, 3, 5, D_SAE)
        assert out.pre.shape == (2, 3, 5, D_SAE)
        torch.testing.assert_close(out.x_hat, flat.x_hat.reshape(x.shape))
        torch.testing.assert_close(sae.decode(code), out.x_hat)
        torch.testing.assert_close(sae.decode(code.to_dense(D_SAE)), out.x_hat, atol=1e-5, rtol=1e-5)


def test_init_ties_encoder_to_decoder_with_unit_rows_and_is_seeded():
    sae = TopKSae(D_IN, D_SAE, K)
    init_weights(sae, torch.Generator().manual_seed(7))
    torch.testing.assert_close(sae.W_enc, sae.W_dec.T)
    assert sae.W_enc.data_ptr() != sae.W_dec.data_ptr()
    torch.testing.assert_close(sae.W_dec.norm(dim=1), torch.ones(D_SAE))
    assert (sae.b_enc == 0).all() and (sae.b_dec == 0).all()

    again = TopKSae(D_IN, D_SAE, K)
    init_weights(again, torch.Generator().manual_seed(7))
    torch.testing.assert_close(again.W_dec, sae.W_dec, atol=0, rtol=0)
    other = TopKSae(D_IN, D_SAE, K)
    init_weights(other, torch.Generator().manual_seed(8))
    assert not torch.allclose(other.W_dec, sae.W_dec)


def test_set_decoder_norm_to_unit_norm():
    sae = make_sae()
    with torch.no_grad():
        sae.W_dec.mul_(torch.rand(D_SAE, 1) * 5 + 0.1)
        directions = sae.W_dec / sae.W_dec.norm(dim=1, keepdim=True)
    sae.set_decoder_norm_to_unit_norm()
    torch.testing.assert_close(sae.W_dec.norm(dim=1), torch.ones(D_SAE))
    torch.testing.assert_close(sae.W_dec, directions)


def test_remove_gradient_parallel_to_decoder_directions():
    sae = make_sae()
    grad = torch.randn(D_SAE, D_IN)
    sae.W_dec.grad = grad.clone()
    sae.remove_gradient_parallel_to_decoder_directions()
    rows = sae.W_dec.detach()
    parallel = (sae.W_dec.grad * rows).sum(dim=1)
    torch.testing.assert_close(parallel, torch.zeros(D_SAE), atol=1e-5, rtol=0)
    # What is left is exactly the orthogonal part of the original gradient.
    torch.testing.assert_close(sae.W_dec.grad, grad - (grad * rows).sum(dim=1, keepdim=True) * rows)


def test_decoder_passes_over_many_row_chunks_and_zero_rows(monkeypatch: pytest.MonkeyPatch):
    """The chunked in-place projection and renormalisation equal the one-pass formulas, and a zero decoder row
    keeps its gradient and stays zero (no 0/0)."""
    import saescope.sae.model as model_module

    monkeypatch.setattr(model_module, "_CPU_ROW_BYTES", 5 * D_IN * 4)  # 5 rows a chunk: 13 chunks, the last short
    sae = make_sae()
    with torch.no_grad():
        sae.W_dec.mul_(torch.rand(D_SAE, 1) * 5 + 0.1)
        sae.W_dec[7] = 0
    w = sae.W_dec.detach().clone()
    grad = torch.randn(D_SAE, D_IN)
    sae.W_dec.grad = grad.clone()
    sae.remove_gradient_parallel_to_decoder_directions()
    directions = w / w.norm(dim=1, keepdim=True).clamp_min(torch.finfo(w.dtype).tiny)
    want = grad - (grad * directions).sum(dim=1, keepdim=True) * directions
    torch.testing.assert_close(sae.W_dec.grad, want)
    assert torch.equal(sae.W_dec.grad[7], grad[7])
    sae.set_decoder_norm_to_unit_norm()
    torch.testing.assert_close(sae.W_dec, directions)
    assert (sae.W_dec[7] == 0).all()


def test_geometric_median_resists_outliers():
    gen = torch.Generator().manual_seed(3)
    centre = torch.full((D_IN,), 2.0)
    inliers = centre + 0.1 * torch.randn(200, D_IN, generator=gen)
    outliers = torch.full((20, D_IN), 200.0)
    sample = torch.cat([inliers, outliers])

    median = geometric_median(sample)
    assert (median.float() - centre).norm() < 0.2
    assert (sample.mean(dim=0) - centre).norm() > 50

    sae = TopKSae(D_IN, D_SAE, K)
    init_b_dec(sae, sample, method="geometric_median")
    torch.testing.assert_close(sae.b_dec, median.float())
    init_b_dec(sae, sample.reshape(4, 55, D_IN), method="mean")
    torch.testing.assert_close(sae.b_dec, sample.mean(dim=0))
    with pytest.raises(ValueError, match="unknown"):
        init_b_dec(sae, sample, method="median")  # type: ignore[arg-type]


def test_from_state_dict_round_trip():
    sae, x = make_sae(), make_x()
    state = sae.state_dict()
    assert set(state) == set(STATE_DICT_KEYS)
    loaded = TopKSae.from_state_dict({name: t.clone() for name, t in state.items()}, k=K)
    assert loaded.config == sae.config
    assert loaded.W_dec.requires_grad and loaded.W_dec.device.type == "cpu"
    with torch.no_grad():
        torch.testing.assert_close(loaded(x).x_hat, sae(x).x_hat)
    with pytest.raises(KeyError, match="input_std"):
        TopKSae.from_state_dict({n: t for n, t in state.items() if n != "input_std"}, k=K)


def test_rejects_bad_k():
    with pytest.raises(ValueError, match="k must be"):
        TopKSae(D_IN, D_SAE, D_SAE + 1)


def test_bf16_autocast_runs_the_encoder_in_bf16_and_keeps_fp32_master_weights():
    sae, x = make_sae(), make_x()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = sae(x)
    assert out.pre.dtype == torch.bfloat16
    assert out.x_hat.dtype == torch.float32
    with torch.no_grad():
        pre_fp32 = sae.encode_pre(sae.normalize(x))
        torch.testing.assert_close(out.pre.float(), pre_fp32, atol=0.05, rtol=0.02)
        # Decoding stays in fp32: the same code decodes identically outside autocast.
        torch.testing.assert_close(out.x_hat, sae.decode(out.code))
    (out.x_hat_n - out.x_n).square().mean().backward()
    assert all(p.dtype == torch.float32 and p.grad.dtype == torch.float32 for p in sae.parameters())


def test_training_forward_reuses_its_scratch_without_changing_results():
    """The CPU scratch for the dense pre-activations is reused across steps of any batch size, and a result of
    one step is never overwritten by the next."""
    sae = TopKSae(16, 64, 4)
    dead = torch.zeros(64, dtype=torch.bool)
    dead[::3] = True
    xs = [torch.randn(n, 16) for n in (32, 8, 32)]
    outs = [sae.training_forward(x, dead, aux_k=6) for x in xs]
    buffer = sae._scratch._buffers["pre"]
    assert buffer.numel() == 32 * 64
    sae.training_forward(xs[1], dead, aux_k=6)
    assert sae._scratch._buffers["pre"].data_ptr() == buffer.data_ptr()  # smaller batch: same memory
    fresh = TopKSae(16, 64, 4)
    fresh.load_state_dict(sae.state_dict())
    for x, out in zip(xs, outs, strict=True):
        ref = fresh.training_forward(x, dead, aux_k=6)
        fresh._scratch = type(fresh._scratch)()  # a fresh buffer every call: the unshared reference
        assert torch.equal(out.code.indices, ref.code.indices) and torch.equal(out.code.values, ref.code.values)
        assert torch.equal(out.aux_code.values, ref.aux_code.values) and torch.equal(out.x_hat, ref.x_hat)
