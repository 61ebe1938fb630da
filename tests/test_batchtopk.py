"""BatchTopK SAEs: the training code and loss against a brute-force dense computation, theta's estimate against
its definition, inference thresholding, the train -> export -> verify -> load round trip, the sparsify refusal, and
eval / index / steer on a BatchTopK SAE."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import make_sae, write_run
from safetensors import safe_open

from saescope.config import load_config
from saescope.config.schema import Hyperparams, TrainConfig
from saescope.export.interop import write_sparsify
from saescope.export.release import export_release
from saescope.export.verify import verify_release
from saescope.release import ReleaseError, Sae, load_sae
from saescope.release.peers import InteropError
from saescope.sae.batchtopk import BatchTopKSae, BatchTopKSelection
from saescope.sae.losses import mse_loss
from saescope.train.trainer import Trainer

D_IN, D_SAE, K = 16, 64, 4


def batchtopk_sae(d_in: int = D_IN, d_sae: int = D_SAE, k: int = K, threshold: float = 0.0, **options) -> BatchTopKSae:
    state = make_sae(d_in, d_sae, k, **options).state_dict()
    return BatchTopKSae.from_state_dict({**state, "threshold": torch.tensor(threshold)}, k).eval()


def brute_force_code(pre: torch.Tensor, k: int) -> torch.Tensor:
    """The dense BatchTopK code: the N*k largest entries of the whole batch, where positive (a sort, not topk)."""
    flat = pre.flatten()
    order = flat.argsort(descending=True)[: pre.shape[0] * k]
    keep = torch.zeros_like(flat, dtype=torch.bool)
    keep[order] = True
    return torch.where(keep & (flat > 0), flat, torch.zeros_like(flat)).view_as(pre)


def test_training_code_loss_and_gradients_match_a_dense_computation():
    sae = batchtopk_sae(enc_scale=3.0, b_enc=0.5).train()
    x = sae.input_mean + sae.input_std * torch.randn(48, D_IN, generator=torch.Generator().manual_seed(1))
    dead = torch.zeros(D_SAE, dtype=torch.bool)
    dead[::3] = True
    out = sae(x, dead_mask=dead, aux_k=4)
    loss = mse_loss(out.x_hat_n, out.x_n)
    loss.backward()
    grads = {name: p.grad.clone() for name, p in sae.named_parameters()}
    sae.zero_grad()
    # Dense reference: the same weights, plain autograd through the dense pre-activations.
    pre = (sae.normalize(x) - sae.b_dec) @ sae.W_enc + sae.b_enc
    z = brute_force_code(pre.detach(), K)
    mask = z > 0
    z_grad = torch.where(mask, pre, torch.zeros_like(pre))
    ref_loss = mse_loss(z_grad @ sae.W_dec + sae.b_dec, sae.normalize(x))
    ref_loss.backward()
    torch.testing.assert_close(out.code.to_dense(D_SAE).detach(), z, rtol=1e-5, atol=1e-6)
    assert int((out.code.values > 0).sum()) == 48 * K  # every kept entry positive here: L0 averages exactly k
    assert (out.code.values > 0).sum(-1).unique().numel() > 1  # ... and varies per token
    torch.testing.assert_close(loss, ref_loss, rtol=1e-5, atol=1e-7)
    for name, p in sae.named_parameters():
        torch.testing.assert_close(grads[name], p.grad, rtol=1e-4, atol=1e-6, msg=name)
    assert float(out.batch_threshold) == pytest.approx(float(z[mask].min()))


def test_only_positive_values_are_kept_when_the_batch_has_fewer_than_n_k():
    sae = batchtopk_sae(b_enc=0.1, b_enc_shift=-3.0).train()
    x = sae.input_mean + sae.input_std * torch.randn(16, D_IN, generator=torch.Generator().manual_seed(2))
    out = sae(x, dead_mask=torch.zeros(D_SAE, dtype=torch.bool), aux_k=0)
    pre = sae.encode_pre(sae.normalize(x)).detach()
    assert int((pre > 0).sum()) < 16 * K
    torch.testing.assert_close(out.code.to_dense(D_SAE).detach(), brute_force_code(pre, K))


def test_selection_is_exact_when_a_few_tokens_hold_far_more_than_their_share():
    """Rows whose kept entries exceed the first candidate width (4k) force the width to double: the code must
    still be the batch's N*k largest."""
    pre = torch.randn(64, 512, generator=torch.Generator().manual_seed(3))
    pre[:2] += 4.0  # two tokens take most of the batch's budget: far more than 4k = 16 entries each
    values, indices = BatchTopKSelection(4)(pre)
    assert values.shape[1] > 16
    code = torch.zeros_like(pre).scatter_(1, indices, values)
    torch.testing.assert_close(code, brute_force_code(pre, 4), rtol=0, atol=0)


def test_theta_is_the_running_mean_then_ema_of_each_batch_smallest_kept_value():
    sae = batchtopk_sae(enc_scale=2.0, b_enc=0.3)
    hp = Hyperparams(lr=1e-2, batch_size=32, warmup_tokens=32, aux_k=4, dead_tokens=64, autocast_dtype="float32",
                     threshold_lr=0.25)
    trainer = Trainer(sae, hp, torch.device("cpu"))
    gen = torch.Generator().manual_seed(3)
    expected = 0.0
    for step in range(7):
        x = sae.input_mean + sae.input_std * torch.randn(32, D_IN, generator=gen)
        with torch.no_grad():  # the definition, on the weights this step starts from
            z = brute_force_code(sae.encode_pre(sae.normalize(x)), K)
        smallest = float(z[z > 0].min())
        rate = max(0.25, 1 / (step + 1))  # a mean over the first 4 steps, then an EMA with rate 0.25
        expected += rate * (smallest - expected)
        metrics = trainer.train_step(x)
        assert metrics["threshold"] == pytest.approx(expected, rel=1e-5)
    assert float(sae.threshold) == pytest.approx(expected, rel=1e-5) and expected > 0


def test_inference_thresholds_per_token_and_caps_the_code():
    sae = batchtopk_sae(enc_scale=3.0, b_enc=0.5)
    x = sae.input_mean + sae.input_std * torch.randn(64, D_IN, generator=torch.Generator().manual_seed(4))
    with torch.no_grad():
        pre = (sae.normalize(x) - sae.b_dec) @ sae.W_enc + sae.b_enc
    for theta in (float(pre.quantile(0.9)), 0.0):  # few above theta; then ReLU only, where the 4k cap bites
        sae.threshold.fill_(theta)
        z = torch.where(pre > theta, pre, torch.zeros_like(pre))
        counts = (z > 0).sum(-1)
        cut = z.sort(dim=-1, descending=True).values[:, sae.k_cap - 1 : sae.k_cap]  # the k_cap-th largest
        expected = torch.where(z >= cut, z, torch.zeros_like(z))
        with torch.no_grad():
            code = sae.encode(x)
            assert code.indices.shape == (64, 4 * K)
            torch.testing.assert_close(code.to_dense(D_SAE), expected)
            # One token at a time gives the same code: inference does not depend on the rest of the batch.
            torch.testing.assert_close(sae.encode_dense(x[5:6]), expected[5:6])
            torch.testing.assert_close(sae(x).x_hat, sae.decode(code))
        assert sae.cap_truncation(x) == pytest.approx(float((counts > sae.k_cap).float().mean()))
    assert sae.cap_truncation(x) > 0


def train_config(dataset, out: Path, **train) -> object:
    settings = {"train.activations": str(dataset.root), "train.hookpoint": "layers.2", "train.out": str(out),
                "train.architecture": "batchtopk", "train.d_sae": 128, "train.k": 4, "train.aux_k": 16,
                "train.batch_size": 64, "train.warmup_tokens": 64, "train.lr": 1e-3, "train.dead_tokens": 512,
                "train.normalizer_tokens": 512, "train.b_dec_init_tokens": 256, "train.total_tokens": 64 * 12,
                "train.device": "cpu", "train.save_every": 100, "train.shuffle_buffer": 64,
                "train.heldout_fraction": 0.3, "train.prefetch_shards": 0, "train.cpu_prefetch_batches": 1,
                "train.decoded_prefetch_shards": 1}
    return load_config(None, settings | {f"train.{k}": v for k, v in train.items()})


@pytest.fixture(scope="module")
def trained(tiny_activations, tmp_path_factory) -> Path:
    from saescope.train.run import train

    return train(train_config(tiny_activations, tmp_path_factory.mktemp("btk") / "run"))


@pytest.fixture(scope="module")
def release(trained: Path, tmp_path_factory) -> Path:
    checkpoint = next((trained / "checkpoints").glob("step-*"))
    return export_release(checkpoint, tmp_path_factory.mktemp("btk-release") / "rel",
                          formats=["safetensors", "pt", "onnx", "raw", "saelens"])


def test_round_trip_records_theta_in_every_format(trained: Path, release: Path):
    checkpoint = next((trained / "checkpoints").glob("step-*"))
    with safe_open(str(checkpoint / "sae.safetensors"), "pt") as f:
        theta = float(f.get_tensor("threshold"))
        header = json.loads(f.metadata()["saescope"])
    assert theta > 0 and header["architecture"]["type"] == "batchtopk" and header["architecture"]["threshold"] == theta
    meta = json.loads((release / "model.metadata.json").read_text())
    assert meta["architecture"]["threshold"] == theta and meta["architecture"]["k_cap"] == 16
    with safe_open(str(release / "model.safetensors"), "pt") as f:
        assert json.loads(f.metadata()["saescope"]) == meta and float(f.get_tensor("threshold")) == theta
    pt = torch.load(release / "model.pt", weights_only=True)
    assert float(pt["state_dict"]["threshold"]) == theta and pt["metadata"]["architecture"]["type"] == "batchtopk"
    assert np.fromfile(release / "threshold", dtype="<f4").tolist() == [np.float32(theta)]
    assert "BatchTopK sparsity" in (release / "README.md").read_text()
    report = verify_release(release)
    assert set(report.formats) == {"pt", "onnx", "raw", "saelens"}
    for fmt in ("safetensors", "pt", "raw", "onnx"):
        sae, _ = load_sae(release, format=fmt)
        assert isinstance(sae, BatchTopKSae) and float(sae.threshold) == theta and sae.k == 4, fmt
    loaded = Sae.load(release)
    assert isinstance(loaded, BatchTopKSae) and isinstance(loaded, Sae)
    imported, _ = load_sae(release / "saelens")
    assert isinstance(imported, BatchTopKSae) and float(imported.threshold) == pytest.approx(theta)


def test_onnx_graph_applies_the_threshold(release: Path):
    import onnxruntime as ort

    sae, _ = load_sae(release)
    x = sae.input_mean + sae.input_std * torch.randn(32, sae.d_in, generator=torch.Generator().manual_seed(5))
    session = ort.InferenceSession(str(release / "model.onnx"), providers=["CPUExecutionProvider"])
    x_hat, indices, values = session.run(None, {"x": x.numpy()})
    with torch.no_grad():
        dense = torch.zeros(32, sae.d_sae).scatter(1, torch.from_numpy(indices), torch.from_numpy(values))
        torch.testing.assert_close(dense, sae.encode_dense(x), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(torch.from_numpy(x_hat), sae(x).x_hat, rtol=1e-4, atol=1e-4)
    assert float(values.min()) == 0 or float(values[values > 0].min()) > float(sae.threshold)


def test_saelens_loads_the_export_as_jumprelu(release: Path):
    sae_lens = pytest.importorskip("sae_lens")
    peer = sae_lens.SAE.load_from_disk(str(release / "saelens"))
    assert peer.cfg.architecture() == "jumprelu"
    ours, _ = load_sae(release)
    x = ours.input_mean + ours.input_std * torch.randn(64, ours.d_in, generator=torch.Generator().manual_seed(6))
    with torch.no_grad():
        pre = ours.encode_pre(ours.normalize(x))
        assert int((pre > ours.threshold).sum(-1).max()) <= ours.k_cap  # no truncation: SAELens does not cap
        torch.testing.assert_close(peer.encode(x), ours.encode_dense(x), rtol=1e-4, atol=1e-5)
        torch.testing.assert_close(peer(x), ours(x).x_hat, rtol=1e-4, atol=1e-4)


def test_sparsify_export_is_refused(trained: Path, tmp_path: Path):
    checkpoint = next((trained / "checkpoints").glob("step-*"))
    with pytest.raises(ReleaseError, match="sparsify export: refused for a batchtopk SAE"):
        export_release(checkpoint, tmp_path / "rel", formats=["sparsify"])
    assert not (tmp_path / "rel").exists()
    with pytest.raises(InteropError, match="sparsify"):
        write_sparsify(batchtopk_sae(), tmp_path / "sp", "layers.2")
    with pytest.raises(ValueError, match="sparsify"):
        TrainConfig(architecture="batchtopk", export_formats=["safetensors", "sparsify"])


def test_verify_catches_a_raw_threshold_that_differs(release: Path, tmp_path: Path):
    """A raw `threshold` file doubled (its manifest entry updated to match) computes another function."""
    import hashlib
    import shutil

    copy = tmp_path / "rel"
    shutil.copytree(release, copy)
    (np.fromfile(copy / "threshold", dtype="<f4") * 2).astype("<f4").tofile(copy / "threshold")
    manifest = json.loads((copy / "release_manifest.json").read_text())
    entry = next(e for e in manifest["files"] if e["path"] == "threshold")
    entry["sha256"] = hashlib.sha256((copy / "threshold").read_bytes()).hexdigest()
    (copy / "release_manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ReleaseError, match=r"computes a different function"):
        verify_release(copy)


# --- eval, index and steer on a BatchTopK SAE


def batchtopk_run(folder: Path, sae: BatchTopKSae, hookpoint: str = "layers.2") -> Path:
    arch = {"type": "batchtopk", "d_in": sae.d_in, "d_sae": sae.d_sae, "k": sae.k, "aux_k": 8, "aux_coef": 0.03125,
            "threshold": float(sae.threshold), "k_cap": sae.k_cap}
    return write_run(folder, sae, hookpoint, architecture=arch)


def positive_threshold_sae(dataset, d_sae: int = 256, k: int = 8) -> BatchTopKSae:
    sae = batchtopk_sae(dataset.d_model, d_sae, k, b_enc=0.3)
    x = torch.cat([dataset.shard_activations(i, "l3").float() for i in range(dataset.num_shards)])
    sae.input_mean.copy_(x.mean(0))
    sae.input_std.copy_(x.std(0))
    with torch.no_grad():
        sae.threshold.fill_(float(sae.encode_pre(sae.normalize(x)).quantile(0.97)))
    return sae


def test_eval_runs_on_a_batchtopk_sae(tiny_qwen3_dir, tiny_activations, tmp_path):
    from saescope.eval.run import evaluate

    sae = positive_threshold_sae(tiny_activations)
    cfg = load_config(None, {"model.name": str(tiny_qwen3_dir), "model.device": "cpu",
                             "train.activations": str(tiny_activations.root), "eval.out": str(tmp_path / "eval"),
                             "eval.heldout_fraction": 0.5, "eval.coreplus_conversations": 2,
                             "eval.coreplus_max_tokens": 32})
    (result,) = evaluate(cfg, [batchtopk_run(tmp_path / "run", sae)])
    text = json.dumps(result)
    assert "fve" in text and "core_plus" in result


def test_index_runs_on_a_batchtopk_sae(tiny_qwen3_dir, tiny_activations, tmp_path):
    import pyarrow.parquet as pq

    from saescope.index import build_index

    sae = positive_threshold_sae(tiny_activations)
    cfg = load_config(None, {"model.name": str(tiny_qwen3_dir), "index.activations": str(tiny_activations.root),
                             "index.out": str(tmp_path / "l3"), "index.batch_size": 100, "index.device": "cpu",
                             "index.keep_sinks": True, "index.logit_lens": 0})
    folder = build_index(cfg, batchtopk_run(tmp_path / "run", sae))
    metrics = pq.read_table(folder / "feature_metrics.parquet").to_pydict()
    x = torch.cat([tiny_activations.shard_activations(i, "l3").float() for i in range(tiny_activations.num_shards)])
    with torch.no_grad():
        fires = (sae.encode_dense(x) > 0).sum(0)
    assert metrics["fire_count"] == fires.tolist()


def test_steer_eval_runs_on_a_batchtopk_sae(tiny_qwen3_dir, tmp_path):
    from saescope.steer.run import steer_eval

    sae = batchtopk_sae(64, 256, 8, threshold=0.05, mean=0.1)
    run = batchtopk_run(tmp_path / "run", sae, "layers.1")
    cfg = load_config(None, {"model.name": str(tiny_qwen3_dir), "model.device": "cpu", "model.dtype": "float32",
                             "steer.features": [3], "steer.strengths": [0.0, 50.0], "steer.prompts": 2,
                             "steer.max_new_tokens": 4, "steer.out": str(tmp_path / "out")})
    summary = steer_eval(cfg, run)
    assert summary["prompts"] == 2
