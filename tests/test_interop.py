"""SAELens / sparsify export and import: the peers' own loaders reproduce our forward, and back again."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import partial
from pathlib import Path

import pytest
import torch
from conftest import make_sae as shared_sae
from safetensors.torch import load_file, save_file

from saescope.export.interop import transformer_lens_hook_name, write_saelens, write_sparsify
from saescope.release.peers import InteropError, detect_format, read_saelens, read_sparsify
from saescope.sae.model import TopKSae

D_IN, D_SAE, K = 16, 64, 4
ATOL = 1e-5


# Untied random weights and a non-trivial normaliser, so that a missing fold shows up in every output.
make_sae = partial(shared_sae, D_IN, D_SAE, K, tied=False, mean=2.0, std=(0.5, 2.0), b_dec=0.2, b_enc=0.1)


def raw_inputs(sae: TopKSae, n: int = 256, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, D_IN, generator=g) * sae.input_std + sae.input_mean


@torch.no_grad()
def ours(sae: TopKSae, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(dense code, reconstruction) of a saescope SAE."""
    return sae.encode_dense(x), sae(x).x_hat


def assert_same_forward(a: TopKSae, b: TopKSae, x: torch.Tensor) -> None:
    code_a, x_hat_a = ours(a, x)
    code_b, x_hat_b = ours(b, x)
    torch.testing.assert_close(code_b, code_a, atol=ATOL, rtol=0)
    torch.testing.assert_close(x_hat_b, x_hat_a, atol=ATOL, rtol=0)


def topk_dense(values: torch.Tensor, indices: torch.Tensor) -> torch.Tensor:
    return values.new_zeros(values.shape[0], D_SAE).scatter(-1, indices, values)


# --------------------------------------------------------------------------------------------------- SAELens


def test_saelens_round_trip_without_peer(tmp_path: Path) -> None:
    sae = make_sae()
    write_saelens(sae, tmp_path, {"hookpoint": "layers.3", "model_name": "tiny"})
    back = read_saelens(tmp_path)
    assert (back.d_in, back.d_sae, back.k) == (D_IN, D_SAE, K)
    assert torch.equal(back.input_mean, torch.zeros(D_IN)) and torch.equal(back.input_std, torch.ones(D_IN))
    assert_same_forward(sae, back, raw_inputs(sae))


def test_saelens_config_records_both_hook_names(tmp_path: Path) -> None:
    write_saelens(make_sae(), tmp_path, {"hookpoint": "layers.3", "model_name": "tiny"})
    cfg = json.loads((tmp_path / "cfg.json").read_text())
    assert cfg["architecture"] == "topk" and cfg["k"] == K and cfg["normalize_activations"] == "none"
    assert cfg["apply_b_dec_to_input"] is True and cfg["rescale_acts_by_decoder_norm"] is False
    meta = cfg["metadata"]
    assert meta["hook_name"] == "blocks.3.hook_resid_post" == transformer_lens_hook_name("layers.3")
    assert meta["hookpoint"] == "layers.3" and meta["hf_hook_name"] == "model.layers.3"
    assert meta["model_name"] == "tiny"
    assert set(load_file(str(tmp_path / "sae_weights.safetensors"))) == {"W_enc", "b_enc", "W_dec", "b_dec"}


def test_saelens_model_name_from_saescope_metadata(tmp_path: Path) -> None:
    write_saelens(make_sae(), tmp_path, {"hookpoint": "layers.0", "model": {"name": "org/model"}})
    assert json.loads((tmp_path / "cfg.json").read_text())["metadata"]["model_name"] == "org/model"


def test_saelens_metadata_needs_a_hook(tmp_path: Path) -> None:
    with pytest.raises(InteropError, match="hookpoint"):
        write_saelens(make_sae(), tmp_path, {"model_name": "tiny"})
    with pytest.raises(InteropError, match="contradicts"):
        write_saelens(make_sae(), tmp_path, {"hookpoint": "layers.3", "hook_name": "blocks.4.hook_resid_post"})


def test_saelens_loader_matches_our_forward(tmp_path: Path) -> None:
    pytest.importorskip("sae_lens")
    from sae_lens import SAE
    from sae_lens.saes.topk_sae import TopKSAE

    sae = make_sae()
    write_saelens(sae, tmp_path, {"hookpoint": "layers.3", "model_name": "tiny"})
    peer = SAE.load_from_disk(tmp_path, device="cpu")
    assert isinstance(peer, TopKSAE)
    assert peer.cfg.metadata.hook_name == "blocks.3.hook_resid_post"
    x = raw_inputs(sae)
    code, x_hat = ours(sae, x)
    with torch.no_grad():
        peer_code = peer.encode(x)
        torch.testing.assert_close(peer_code, code, atol=ATOL, rtol=0)
        torch.testing.assert_close(peer.decode(peer_code), x_hat, atol=ATOL, rtol=0)
        torch.testing.assert_close(peer(x), x_hat, atol=ATOL, rtol=0)


def test_read_saelens_folds_decoder_norm_and_input_bias(tmp_path: Path) -> None:
    """A folder SAELens itself wrote, with both options our forward lacks: rescaled top-k, no b_dec on input."""
    pytest.importorskip("sae_lens")
    from sae_lens.saes.topk_sae import TopKSAE, TopKSAEConfig

    g = torch.Generator().manual_seed(3)
    peer = TopKSAE(TopKSAEConfig(d_in=D_IN, d_sae=D_SAE, k=K, apply_b_dec_to_input=False,
                                 rescale_acts_by_decoder_norm=True))
    with torch.no_grad():
        peer.W_enc.copy_(torch.randn(D_IN, D_SAE, generator=g))
        peer.W_dec.copy_(torch.randn(D_SAE, D_IN, generator=g) * torch.rand(D_SAE, 1, generator=g) * 3)
        peer.b_enc.copy_(torch.randn(D_SAE, generator=g) * 0.1)
        peer.b_dec.copy_(torch.randn(D_IN, generator=g))
    peer.save_model(tmp_path)
    imported = read_saelens(tmp_path)
    x = torch.randn(256, D_IN, generator=g)
    code, x_hat = ours(imported, x)
    with torch.no_grad():
        torch.testing.assert_close(code, peer.encode(x), atol=ATOL, rtol=1e-5)
        torch.testing.assert_close(x_hat, peer(x), atol=ATOL, rtol=1e-5)


def edit_json(path: Path, **changes: object) -> None:
    cfg = json.loads(path.read_text())
    cfg.update(changes)
    path.write_text(json.dumps(cfg))


@pytest.mark.parametrize(
    ("key", "value"),
    [("normalize_activations", "expected_average_only_in"), ("architecture", "jumprelu"),
     ("reshape_activations", "hook_z")],
)
def test_read_saelens_refuses_what_it_cannot_represent(tmp_path: Path, key: str, value: str) -> None:
    write_saelens(make_sae(), tmp_path, {"hookpoint": "layers.3"})
    edit_json(tmp_path / "cfg.json", **{key: value})
    with pytest.raises(InteropError, match=rf"cfg\.json: '{key}' is '{value}'"):
        read_saelens(tmp_path)


def test_read_saelens_refuses_extra_tensors(tmp_path: Path) -> None:
    write_saelens(make_sae(), tmp_path, {"hookpoint": "layers.3"})
    weights = tmp_path / "sae_weights.safetensors"
    tensors = load_file(str(weights))
    save_file({**tensors, "threshold": torch.zeros(D_SAE)}, str(weights))
    with pytest.raises(InteropError, match=r"sae_weights\.safetensors: has tensors \['threshold'\]"):
        read_saelens(tmp_path)


# -------------------------------------------------------------------------------------------------- sparsify


def test_sparsify_round_trip_without_peer(tmp_path: Path) -> None:
    sae = make_sae()
    write_sparsify(sae, tmp_path, "layers.3")
    assert sorted(p.name for p in (tmp_path / "layers.3").iterdir()) == ["cfg.json", "sae.safetensors"]
    x = raw_inputs(sae)
    assert_same_forward(sae, read_sparsify(tmp_path / "layers.3"), x)
    assert_same_forward(sae, read_sparsify(tmp_path), x)  # a root with one hookpoint folder
    assert_same_forward(sae, read_sparsify(tmp_path, hookpoint="layers.3"), x)


def test_read_sparsify_root_with_several_hookpoints_needs_a_choice(tmp_path: Path) -> None:
    write_sparsify(make_sae(seed=0), tmp_path, "layers.3")
    write_sparsify(make_sae(seed=1), tmp_path, "layers.5")
    with pytest.raises(InteropError, match="pass hookpoint="):
        read_sparsify(tmp_path)
    x = raw_inputs(make_sae(seed=1))
    assert_same_forward(make_sae(seed=1), read_sparsify(tmp_path, hookpoint="layers.5"), x)


def test_sparsify_loader_matches_our_forward(tmp_path: Path) -> None:
    pytest.importorskip("sparsify")
    from sparsify import SparseCoder

    sae = make_sae()
    write_sparsify(sae, tmp_path, "layers.3")
    peer = SparseCoder.load_from_disk(tmp_path / "layers.3", device="cpu")
    assert not (peer.cfg.normalize_decoder or peer.cfg.multi_topk or peer.cfg.skip_connection or peer.cfg.transcode)
    assert list(SparseCoder.load_many(str(tmp_path), local=True)) == ["layers.3"]
    x = raw_inputs(sae)
    code, x_hat = ours(sae, x)
    with torch.no_grad():
        top_acts, top_indices, _ = peer.encode(x)
        torch.testing.assert_close(topk_dense(top_acts, top_indices), code, atol=ATOL, rtol=0)
        torch.testing.assert_close(peer.decode(top_acts, top_indices), x_hat, atol=ATOL, rtol=0)
        torch.testing.assert_close(peer(x).sae_out, x_hat, atol=ATOL, rtol=0)


def test_read_sparsify_of_a_peer_written_folder(tmp_path: Path) -> None:
    pytest.importorskip("sparsify")
    from sparsify import SparseCoder, SparseCoderConfig

    g = torch.Generator().manual_seed(4)
    peer = SparseCoder(D_IN, SparseCoderConfig(num_latents=D_SAE, k=K))
    with torch.no_grad():
        peer.encoder.weight.copy_(torch.randn(D_SAE, D_IN, generator=g))
        peer.encoder.bias.copy_(torch.randn(D_SAE, generator=g) * 0.1)
        peer.W_dec.copy_(torch.randn(D_SAE, D_IN, generator=g))
        peer.b_dec.copy_(torch.randn(D_IN, generator=g))
    peer.save_to_disk(tmp_path / "layers.2")
    imported = read_sparsify(tmp_path)
    x = torch.randn(256, D_IN, generator=g)
    code, x_hat = ours(imported, x)
    with torch.no_grad():
        top_acts, top_indices, _ = peer.encode(x)
        torch.testing.assert_close(code, topk_dense(top_acts, top_indices), atol=ATOL, rtol=0)
        torch.testing.assert_close(x_hat, peer(x).sae_out, atol=ATOL, rtol=0)


@pytest.mark.parametrize("key", ["multi_topk", "skip_connection", "transcode"])
def test_read_sparsify_refuses_flags(tmp_path: Path, key: str) -> None:
    write_sparsify(make_sae(), tmp_path, "layers.3")
    edit_json(tmp_path / "layers.3" / "cfg.json", **{key: True})
    with pytest.raises(InteropError, match=rf"cfg\.json: '{key}' is true"):
        read_sparsify(tmp_path / "layers.3")


def test_read_sparsify_refuses_skip_weights(tmp_path: Path) -> None:
    write_sparsify(make_sae(), tmp_path, "layers.3")
    weights = tmp_path / "layers.3" / "sae.safetensors"
    save_file({**load_file(str(weights)), "W_skip": torch.zeros(D_IN, D_IN)}, str(weights))
    with pytest.raises(InteropError, match=r"sae\.safetensors: has tensors \['W_skip'\]"):
        read_sparsify(tmp_path / "layers.3")


def test_write_sparsify_refuses_a_path_as_hookpoint(tmp_path: Path) -> None:
    with pytest.raises(InteropError, match="folder name"):
        write_sparsify(make_sae(), tmp_path, "../escape")


# ------------------------------------------------------------------------------------------------- detection


def test_detect_format(tmp_path: Path) -> None:
    sae = make_sae()
    write_saelens(sae, tmp_path / "sl", {"hookpoint": "layers.3"})
    write_sparsify(sae, tmp_path / "sp", "layers.3")
    checkpoint = tmp_path / "run" / "step-000100"
    checkpoint.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in sae.state_dict().items()}, str(checkpoint / "sae.safetensors"))
    (checkpoint / "checkpoint.json").write_text("{}")
    release = tmp_path / "release"
    release.mkdir()
    (release / "release_manifest.json").write_text('{"files": []}')
    (tmp_path / "empty").mkdir()
    assert detect_format(tmp_path / "sl") == "saelens"
    assert detect_format(tmp_path / "sp") == "sparsify"
    assert detect_format(tmp_path / "sp" / "layers.3") == "sparsify"
    assert detect_format(checkpoint) == "saescope-checkpoint"
    assert detect_format(release) == "saescope-release"
    assert detect_format(tmp_path / "empty") is None
    assert detect_format(tmp_path / "missing") is None


@pytest.mark.slow
def test_reading_needs_no_peer_library(tmp_path: Path) -> None:
    sae = make_sae()
    write_saelens(sae, tmp_path / "sl", {"hookpoint": "layers.3"})
    write_sparsify(sae, tmp_path / "sp", "layers.3")
    # None in sys.modules makes any import of the peers fail, as if they were not installed.
    script = (
        "import sys; sys.modules['sae_lens'] = None; sys.modules['sparsify'] = None\n"
        "from pathlib import Path\n"
        "from saescope.release.peers import read_saelens, read_sparsify\n"
        f"read_saelens(Path({str(tmp_path / 'sl')!r})); read_sparsify(Path({str(tmp_path / 'sp')!r}))\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, timeout=120)
