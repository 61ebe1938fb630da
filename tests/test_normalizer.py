import pytest
import torch

from saescope.sae import RunningMoments, TopKSae, apply_to, estimate_moments

D = 12


def batches(sizes: list[int], seed: int = 0) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(seed)
    scale = torch.rand(D, generator=gen) * 3 + 0.1
    offset = torch.randn(D, generator=gen) * 10
    return [torch.randn(n, D, generator=gen) * scale + offset for n in sizes]


def test_matches_population_mean_and_std_over_the_concatenation():
    parts = batches([5, 1, 40, 17])
    moments = RunningMoments(D)
    for part in parts:
        moments.update(part)
    everything = torch.cat(parts).double()
    assert moments.count == everything.shape[0]
    torch.testing.assert_close(moments.mean, everything.mean(dim=0))
    torch.testing.assert_close(moments.std(), everything.std(dim=0, correction=0))


def test_leading_dims_and_empty_batches():
    parts = batches([24])
    moments = RunningMoments(D)
    moments.update(parts[0].reshape(2, 3, 4, D))
    moments.update(torch.empty(0, D))
    torch.testing.assert_close(moments.mean, parts[0].double().mean(dim=0))


def test_merge_equals_a_single_pass():
    parts = batches([9, 30, 2, 11])
    single, left, right = RunningMoments(D), RunningMoments(D), RunningMoments(D)
    for part in parts:
        single.update(part)
    for part in parts[:2]:
        left.update(part)
    for part in parts[2:]:
        right.update(part)
    left.merge(right)
    left.merge(RunningMoments(D))  # an empty rank changes nothing
    assert left.count == single.count
    torch.testing.assert_close(left.mean, single.mean)
    torch.testing.assert_close(left.std(), single.std())


def test_std_floor():
    x = batches([50])[0]
    x[:, 3] = 7.0  # a constant dimension
    moments = RunningMoments(D)
    moments.update(x)
    std = moments.std(floor=1e-3)
    assert std[3] == 1e-3
    torch.testing.assert_close(std[4], x[:, 4].double().std(correction=0))


def test_stable_with_a_large_offset():
    gen = torch.Generator().manual_seed(1)
    parts = [1e6 + torch.randn(4096, D, generator=gen) for _ in range(8)]  # fp32: spacing 0.0625 at 1e6
    moments = RunningMoments(D)
    for part in parts:
        moments.update(part)
    everything = torch.cat(parts).double()
    torch.testing.assert_close(moments.std(), everything.std(dim=0, correction=0), rtol=1e-9, atol=0)
    assert ((moments.std() - 1.0).abs() < 0.05).all()


def test_state_dict_round_trip_and_no_data():
    moments = RunningMoments(D)
    with pytest.raises(ValueError, match="no data"):
        moments.std()
    moments.update(batches([20])[0])
    restored = RunningMoments(D)
    restored.load_state_dict(moments.state_dict())
    assert restored.count == moments.count
    torch.testing.assert_close(restored.mean, moments.mean)
    torch.testing.assert_close(restored.std(), moments.std())
    with pytest.raises(ValueError, match="expected"):
        RunningMoments(D + 1).load_state_dict(moments.state_dict())


def test_apply_to_sets_the_sae_normaliser():
    x = batches([64])[0]
    x[:, 0] = 1.0
    moments = RunningMoments(D)
    moments.update(x)
    sae = TopKSae(D, 32, 4)
    apply_to(sae, moments, std_floor=1e-2)
    torch.testing.assert_close(sae.input_mean, x.mean(dim=0))
    assert sae.input_std[0] == pytest.approx(1e-2)
    x_n = sae.normalize(x)
    torch.testing.assert_close(x_n[:, 1:].mean(dim=0), torch.zeros(D - 1), atol=1e-5, rtol=0)
    torch.testing.assert_close(x_n[:, 1:].std(dim=0, correction=0), torch.ones(D - 1), atol=1e-5, rtol=0)


def test_estimate_leaves_sink_tokens_out_of_the_moments_but_not_out_of_the_sample():
    parts = batches([64, 64, 64], seed=3)
    sink = torch.zeros(D)
    sink[5] = 1e4  # an attention-sink-like token: one huge dimension
    for part in parts:
        part[0] = sink
    estimate = estimate_moments(iter(parts), tokens=10_000, sample_tokens=8, outlier_factor=10.0)
    ordinary = torch.cat([part[1:] for part in parts]).double()
    assert estimate.outliers == 3 and estimate.tokens_read == 192 and estimate.moments.count == 189
    torch.testing.assert_close(estimate.moments.std(), ordinary.std(dim=0, correction=0))
    assert torch.equal(estimate.sample[0], sink)  # b_dec's sample is what the SAE trains on, sinks included
    assert estimate.summary() == {"tokens": 189, "outlier_norm": estimate.outlier_norm, "outliers_excluded": 3}
    # Counted in, the one sink per 64 tokens would set dimension 5's std.
    plain = estimate_moments(iter(parts), tokens=10_000, sample_tokens=8, outlier_factor=None)
    assert plain.outliers == 0 and plain.outlier_norm is None
    assert plain.moments.std()[5] > 100 * estimate.moments.std()[5]


def test_estimate_stops_at_the_token_budget():
    estimate = estimate_moments(iter(batches([50, 50, 50])), tokens=70, sample_tokens=8, outlier_factor=None)
    assert estimate.moments.count == 70 and estimate.tokens_read == 100
    with pytest.raises(ValueError, match="too few"):
        estimate_moments(iter([]), tokens=10, sample_tokens=8, outlier_factor=None)


def test_scalar_scale_is_the_root_mean_square_of_the_stds():
    x = torch.randn(500, 8) * torch.arange(1, 9)
    moments = RunningMoments(8)
    moments.update(x)
    sae = TopKSae(8, 16, 2)
    apply_to(sae, moments, std_floor=1e-5, scale="scalar")
    rms = float(x.std(dim=0).square().mean().sqrt())
    assert torch.allclose(sae.input_std, torch.full((8,), rms), rtol=2e-3)
    torch.testing.assert_close(sae.input_mean, x.mean(0), rtol=1e-4, atol=1e-4)
