"""Releases: export a checkpoint to every format, verify it, load it back from any format, a hub cache or the
checkpoint itself, and check the model card against the Qwen3-8B l36 release's layout."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
import torch
import yaml
from conftest import make_sae

import saescope.export.onnx_graph as onnx_graph
import saescope.export.release as release_module
from saescope.export import export_release, export_retained, set_repo_id, verify_release
from saescope.release import ReleaseError, load_sae
from saescope.sae.model import STATE_DICT_KEYS, TopKSae
from saescope.train.checkpoint import write_checkpoint
from saescope.utils.atomic import write_json_atomic

D_IN, D_SAE, K = 16, 64, 4
ALL_FILES = {"model.safetensors", "model.metadata.json", "model.pt", "model.onnx", "W_enc", "W_dec", "b_enc",
             "b_dec", "release_manifest.json", "README.md"}
SEED_SECTIONS = ["Release Summary", "Files", "Loading Artifacts", "Architecture And Rationale",
                 "Training Data Provenance", "Training Hyperparameters", "Checkpoint Policy", "Reverse Feature Index",
                 "Evaluation Snapshots", "Reproduction Notes", "Limitations"]


def small_sae() -> TopKSae:
    """Non-trivial normaliser and biases, and an encoder that is not the decoder's transpose, so that a format
    dropping or swapping one of them shows."""
    return make_sae(D_IN, D_SAE, K, mean=3.0, std=(0.5, 4.0), b_dec=0.5, b_enc=0.1, enc_scale=1.7)


def header(step: int) -> dict[str, str]:
    meta = {
        "saescope_version": "0.1.0",
        "architecture": {"type": "topk", "d_in": D_IN, "d_sae": D_SAE, "k": K, "aux_k": 8, "aux_coef": 0.03125},
        "normalization": {"method": "per_dimension_standardize", "tokens": 4096, "std_floor": 1e-5},
        "hookpoint": "layers.2", "layer_label": "l3", "step": step, "tokens_seen": step * 256,
        "model": {"name": "Qwen/Qwen3-8B", "revision": "b968826", "architecture": "Qwen3ForCausalLM",
                  "dtype": "bfloat16", "attn_implementation": "sdpa", "n_layers": 4},
        "data": {"activations": "hf://datasets/someone/acts@main", "source": {"dataset": "lmsys/lmsys-chat-1m"},
                 "activations_manifest_sha256": "ab" * 32},
        "training": {"run_name": "tiny-run", "lr": 0.001, "beta1": 0.9, "beta2": 0.999, "batch_size": 256,
                     "aux_k": 8, "aux_coef": 0.03125, "warmup_tokens": 2048, "save_every": 10,
                     "best_checkpoint_count": 2, "best_checkpoint_metric": "loss", "best_checkpoint_mode": "min",
                     "export_formats": ["safetensors", "pt", "onnx"], "wandb_project": "sae-proj",
                     "autocast_dtype": "bfloat16", "compute_dtype": "float32"},
    }
    return {"saescope": json.dumps(meta, sort_keys=True)}


@pytest.fixture(scope="module")
def sae() -> TopKSae:
    return small_sae()


@pytest.fixture(scope="module")
def checkpoint(tmp_path_factory: pytest.TempPathFactory, sae: TopKSae) -> Path:
    run = tmp_path_factory.mktemp("run")
    folder = run / "checkpoints" / "step-000030"
    metrics = {"loss": 0.31, "mse": 0.3, "aux_loss": 0.01, "fve": 0.8, "l0": 4.0, "dead": 2.0}
    write_checkpoint(folder, sae.state_dict(), header(30), {"trainer": {"step": 30}},
                     {"step": 30, "tokens_seen": 7680, "metrics": metrics, "export_formats": ["safetensors"],
                      "run_name": "tiny-run"})
    write_json_atomic(folder.parent / "registry.json", {"checkpoints": [
        {"step": 30, "path": "step-000030", "metrics": metrics, "final": True, "best_rank": 1,
         "retained_because": ["best loss (min) #1 of 2", "final"]}]})
    (run / "wandb_run_id").write_text("abc123xyz")
    return folder


@pytest.fixture(scope="module")
def release(checkpoint: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return export_release(checkpoint, tmp_path_factory.mktemp("rel") / "release")


@pytest.fixture
def release_copy(release: Path, tmp_path: Path) -> Path:
    return Path(shutil.copytree(release, tmp_path / "release"))


def inputs(sae: TopKSae, n: int, seed: int = 1) -> torch.Tensor:
    noise = torch.randn(n, D_IN, generator=torch.Generator().manual_seed(seed))
    return sae.input_mean + sae.input_std * noise


@torch.no_grad()
def dense_code(model: TopKSae, x: torch.Tensor) -> torch.Tensor:
    return model.encode(x).to_dense(model.d_sae)


def flip_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def rewrite_manifest(folder: Path, edit) -> None:
    manifest = json.loads((folder / "release_manifest.json").read_text())
    edit(manifest)
    (folder / "release_manifest.json").write_text(json.dumps(manifest))


def test_release_has_the_seed_files_and_a_complete_manifest(release: Path):
    assert {p.name for p in release.iterdir()} == ALL_FILES
    manifest = json.loads((release / "release_manifest.json").read_text())
    listed = {e["path"]: e for e in manifest["files"]}
    assert set(listed) == ALL_FILES - {"release_manifest.json"}
    for rel, entry in listed.items():
        data = (release / rel).read_bytes()
        assert entry["bytes"] == len(data) and entry["sha256"] == hashlib.sha256(data).hexdigest()
        assert entry["role"] != "other"
    prov = manifest["provenance"]
    assert prov["base_model"] == "Qwen/Qwen3-8B" and prov["base_model_revision"] == "b968826"
    assert prov["checkpoint_step"] == 30 and prov["tokens_seen"] == 7680 and prov["hookpoint"] == "layers.2"
    assert prov["selected_because"] == ["best loss (min) #1 of 2", "final"]
    assert prov["activations_manifest_sha256"] == "ab" * 32 and prov["training_run"] == "tiny-run"
    assert prov["wandb"] == {"project": "sae-proj", "run_id": "abc123xyz"}


def test_metadata_sections(release: Path, sae: TopKSae):
    meta = json.loads((release / "model.metadata.json").read_text())
    assert meta["architecture"] | {"forward": None} == {"type": "topk", "d_in": D_IN, "d_sae": D_SAE, "k": K,
                                                        "aux_k": 8, "aux_coef": 0.03125, "forward": None}
    assert "W_enc" in meta["architecture"]["forward"]
    assert torch.equal(torch.tensor(meta["normalization"]["input_mean"]), sae.input_mean)
    assert torch.equal(torch.tensor(meta["normalization"]["input_std"]), sae.input_std)
    assert meta["normalization"]["std_floor"] == 1e-5 and meta["normalization"]["tokens"] == 4096
    assert meta["model"]["layer_label"] == "l3" and meta["model"]["attn_implementation"] == "sdpa"
    assert meta["training"]["hyperparameters"]["lr"] == 0.001 and meta["training"]["metrics"]["fve"] == 0.8
    assert meta["data"]["raw_dataset"] == "lmsys/lmsys-chat-1m"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", meta["export"]["exported_at"])
    assert meta["export"]["checkpoint_step"] == 30 and meta["export"]["formats"] == ["safetensors", "pt", "onnx",
                                                                                      "raw"]
    assert meta["tensors"]["W_enc"] == {"shape": [D_IN, D_SAE], "dtype": "float32", "byte_order": "little",
                                        "order": "C"}
    assert set(meta["tensors"]) == {"W_enc", "W_dec", "b_enc", "b_dec"}


def test_safetensors_header_is_one_key_holding_the_metadata(release: Path):
    from safetensors import safe_open

    with safe_open(str(release / "model.safetensors"), "pt") as f:
        assert list(f.metadata()) == ["saescope"]
        assert json.loads(f.metadata()["saescope"]) == json.loads((release / "model.metadata.json").read_text())


def test_pt_loads_with_weights_only(release: Path, sae: TopKSae):
    obj = torch.load(release / "model.pt", weights_only=True)
    assert set(obj["state_dict"]) == set(STATE_DICT_KEYS) and obj["metadata"]["architecture"]["k"] == K
    for key, value in sae.state_dict().items():
        assert torch.equal(obj["state_dict"][key], value)


def test_raw_tensors_are_little_endian_float32_c_order(release: Path, sae: TopKSae):
    for name in ("W_enc", "W_dec", "b_enc", "b_dec"):
        expected = getattr(sae, name).detach().numpy()
        assert (release / name).read_bytes() == expected.astype("<f4").tobytes(order="C")


@pytest.mark.parametrize("fmt", ["safetensors", "pt", "raw", "onnx"])
def test_each_format_round_trips(release: Path, sae: TopKSae, fmt: str):
    loaded, meta = load_sae(release, format=fmt)
    assert meta["architecture"]["k"] == K and loaded.k == K
    for key, value in sae.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value), key
    x = inputs(sae, 9)
    with torch.no_grad():
        assert torch.equal(loaded(x).x_hat, sae(x).x_hat)
    assert torch.equal(dense_code(loaded, x), dense_code(sae, x))


@pytest.mark.parametrize("batch", [5, 17])
def test_onnx_matches_pytorch_on_any_batch_size(release: Path, sae: TopKSae, batch: int):
    session = ort.InferenceSession(str(release / "model.onnx"), providers=["CPUExecutionProvider"])
    x = inputs(sae, batch, seed=batch)
    x_hat, indices, values = session.run(None, {"x": x.numpy()})
    assert x_hat.shape == (batch, D_IN) and indices.shape == values.shape == (batch, K)
    with torch.no_grad():
        ref = sae(x)
    np.testing.assert_allclose(x_hat, ref.x_hat.numpy(), rtol=1e-5, atol=1e-5)
    code = torch.zeros(batch, D_SAE).scatter(1, torch.from_numpy(indices), torch.from_numpy(values))
    torch.testing.assert_close(code, dense_code(sae, x), rtol=1e-5, atol=1e-5)


def test_verify_passes_on_a_fresh_release(release: Path):
    report = verify_release(release)
    text = str(report)
    assert "OK" in text and all(fmt in report.formats for fmt in ("pt", "onnx", "raw"))
    assert all(a.max_rel_error <= 1e-4 and a.wrong_rows == 0 for a in report.formats.values())
    assert len(report.files) == len(ALL_FILES) - 1


@pytest.mark.parametrize("name", ["model.safetensors", "W_dec", "model.onnx"])
def test_verify_names_a_file_with_one_flipped_byte(release_copy: Path, name: str):
    flip_byte(release_copy / name)
    with pytest.raises(ReleaseError, match=re.escape(name)):
        verify_release(release_copy)


@pytest.mark.parametrize("bad_path", ["../outside", "/etc/hostname", "sub/../../outside"])
def test_verify_refuses_manifest_paths_escaping_the_folder(release_copy: Path, bad_path: str):
    (release_copy.parent / "outside").write_text("x")
    rewrite_manifest(release_copy, lambda m: m["files"].append(
        {"path": bad_path, "bytes": 1, "sha256": hashlib.sha256(b"x").hexdigest(), "role": "other"}))
    with pytest.raises(ReleaseError, match=r"outside|escapes"):
        verify_release(release_copy)


def test_verify_refuses_a_symlink_pointing_out(release_copy: Path):
    (release_copy.parent / "outside").write_text("x")
    os.symlink(release_copy.parent / "outside", release_copy / "link")
    rewrite_manifest(release_copy, lambda m: m["files"].append(
        {"path": "link", "bytes": 1, "sha256": hashlib.sha256(b"x").hexdigest(), "role": "other"}))
    with pytest.raises(ReleaseError, match="resolves outside"):
        verify_release(release_copy)


def test_verify_catches_a_format_computing_another_function(release_copy: Path):
    """Even with a consistent manifest, a W_dec that differs from model.safetensors is found and named."""
    w_dec = np.fromfile(release_copy / "W_dec", dtype="<f4")
    (w_dec * 1.01).astype("<f4").tofile(release_copy / "W_dec")
    data = (release_copy / "W_dec").read_bytes()
    rewrite_manifest(release_copy, lambda m: next(e for e in m["files"] if e["path"] == "W_dec").update(
        sha256=hashlib.sha256(data).hexdigest()))
    with pytest.raises(ReleaseError, match=r"W_dec.*different function"):
        verify_release(release_copy)


def card_code_block(card: str, marker: str) -> str:
    blocks = re.findall(r"```python\n(.*?)```", card, flags=re.S)
    return next(block for block in blocks if marker in block)


def test_numpy_loader_in_the_card_reproduces_encode_decode(release: Path, sae: TopKSae):
    namespace = {"release_dir": str(release)}
    exec(card_code_block((release / "README.md").read_text(), "np.fromfile"), namespace)
    w, k = namespace["w"], namespace["k"]
    x = inputs(sae, 11).numpy()
    indices, values = namespace["encode"](w, k, x)
    code = torch.zeros(11, D_SAE).scatter(1, torch.from_numpy(indices), torch.from_numpy(values).float())
    with torch.no_grad():
        torch.testing.assert_close(code, dense_code(sae, torch.from_numpy(x)), rtol=1e-5, atol=1e-5)
        x_hat = namespace["decode"](w, indices, values)
        torch.testing.assert_close(torch.from_numpy(x_hat).float(), sae(torch.from_numpy(x)).x_hat, rtol=1e-5,
                                   atol=1e-5)


def test_card_has_front_matter_and_every_seed_section(release: Path):
    card = (release / "README.md").read_text()
    # The run asked for bf16 but computed in float32 (no native bf16): the card says both.
    assert "Autocast dtype: bfloat16 (computed in float32: no native bf16 on the training device)" in card
    front = yaml.safe_load(card.split("---\n")[1])
    assert front["library_name"] == "saescope" and front["base_model"] == "Qwen/Qwen3-8B"
    assert front["datasets"] == ["lmsys/lmsys-chat-1m", "someone/acts"]
    assert front["tags"] == ["sparse-autoencoder", "topk-sae", "interpretability", "saescope"]
    headings = re.findall(r"^## (.+)$", card, flags=re.M)
    assert headings == SEED_SECTIONS
    assert 'hf_hub_download(repo_id, "model.safetensors")' in card
    assert 'hf_hub_download(repo_id, "model.metadata.json")' in card
    assert "Not built yet" in card and "None yet" in card
    assert "best loss (min) #1 of 2; final" in card and "abc123xyz" in card and "k=4" in card


def test_a_failure_mid_export_leaves_no_release(checkpoint: Path, tmp_path: Path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(release_module, "write_onnx", broken)
    out = tmp_path / "rel"
    with pytest.raises(RuntimeError, match="disk full"):
        export_release(checkpoint, out)
    assert list(tmp_path.iterdir()) == []


def test_export_refuses_an_existing_folder_and_unknown_formats(checkpoint: Path, tmp_path: Path):
    (tmp_path / "rel").mkdir()
    with pytest.raises(ReleaseError, match="already exists"):
        export_release(checkpoint, tmp_path / "rel")
    with pytest.raises(ValueError, match="unknown export formats"):
        export_release(checkpoint, tmp_path / "other", formats=["gguf"])


def test_format_subset_still_writes_safetensors_and_metadata(checkpoint: Path, tmp_path: Path):
    out = export_release(checkpoint, tmp_path / "rel", formats=["raw"])
    assert {p.name for p in out.iterdir()} == ALL_FILES - {"model.pt", "model.onnx"}
    assert json.loads((out / "model.metadata.json").read_text())["export"]["formats"] == ["safetensors", "raw"]
    assert set(verify_release(out).formats) == {"raw"}
    card = (out / "README.md").read_text()
    assert "model.onnx" not in card and "np.fromfile" in card


def test_load_from_checkpoint_and_release_agree(checkpoint: Path, release: Path, sae: TopKSae):
    from_checkpoint, ckpt_meta = load_sae(checkpoint)
    from_release, release_meta = load_sae(str(release))
    x = inputs(sae, 13)
    with torch.no_grad():
        assert torch.equal(from_checkpoint(x).x_hat, from_release(x).x_hat)
    assert torch.equal(dense_code(from_checkpoint, x), dense_code(from_release, x))
    assert ckpt_meta["architecture"] == release_meta["architecture"]
    assert ckpt_meta["export"]["exported_at"] is None
    with pytest.raises(ReleaseError, match="only safetensors"):
        load_sae(checkpoint, format="pt")


def test_load_errors_name_the_file(release_copy: Path):
    flip_byte(release_copy / "model.pt")
    with pytest.raises(ReleaseError, match=r"model\.pt: sha256"):
        load_sae(release_copy, format="pt")
    (release_copy / "b_enc").unlink()
    with pytest.raises(ReleaseError, match=r"b_enc.*missing"):
        load_sae(release_copy, format="raw")
    (release_copy / "release_manifest.json").unlink()  # without a manifest only shapes can be checked
    meta = json.loads((release_copy / "model.metadata.json").read_text())
    meta["tensors"]["W_dec"]["shape"] = [D_SAE // 2, D_IN * 2]
    meta["architecture"]["d_sae"] = D_SAE // 2
    (release_copy / "model.metadata.json").write_text(json.dumps(meta))
    with pytest.raises(ReleaseError, match=r"model\.safetensors.*shape"):
        load_sae(release_copy)
    with pytest.raises(ReleaseError, match="not a hub repo id"):
        load_sae(release_copy / "nothing-here")


def fake_hub_cache(release: Path, cache: Path, repo_id: str, commit: str) -> Path:
    """The hub cache layout: snapshots/<commit>/<file> are symlinks into blobs/<sha256>, refs/main names the commit."""
    repo = cache / f"models--{repo_id.replace('/', '--')}"
    snapshot = repo / "snapshots" / commit
    (repo / "blobs").mkdir(parents=True)
    snapshot.mkdir(parents=True)
    for path in release.iterdir():
        blob = repo / "blobs" / hashlib.sha256(path.read_bytes()).hexdigest()
        shutil.copyfile(path, blob)
        os.symlink(os.path.relpath(blob, snapshot), snapshot / path.name)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    return snapshot


def test_load_and_verify_from_the_hub_cache_offline(release: Path, tmp_path: Path, monkeypatch):
    """A cached hub snapshot (symlinks into blobs/) loads with HF_HUB_OFFLINE and verifies; an uncached repo fails
    clearly."""
    from huggingface_hub import constants

    snapshot = fake_hub_cache(release, tmp_path, "someone/tiny-sae", "0123abcd")
    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path))
    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    loaded, meta = load_sae("someone/tiny-sae", format="raw")
    assert loaded.d_sae == D_SAE and meta["export"]["checkpoint"] == "step-000030"
    assert set(verify_release(snapshot).formats) == {"pt", "onnx", "raw"}
    with pytest.raises(ReleaseError, match="not in the local hub cache"):
        load_sae("someone/not-cached")


def test_onnx_keeps_equal_valued_tensors_apart(tmp_path: Path):
    """A fresh SAE has b_dec == input_mean == 0: each still gets its own named ONNX initializer."""
    fresh = TopKSae(D_IN, D_SAE, K)
    folder = tmp_path / "run" / "checkpoints" / "step-000001"
    write_checkpoint(folder, fresh.state_dict(), header(1), {}, {"step": 1})
    out = export_release(folder, tmp_path / "rel", formats=["onnx"])
    loaded, _ = load_sae(out, format="onnx")
    assert torch.equal(loaded.input_std, torch.ones(D_IN)) and torch.equal(loaded.b_dec, torch.zeros(D_IN))
    verify_release(out)


def test_eval_snapshots_and_index_summary_go_into_card_and_manifest(checkpoint: Path, tmp_path: Path):
    good, plain = tmp_path / "eval1.json", tmp_path / "eval2.json"
    good.write_text(json.dumps({"snapshot_line": "step-000030: intrinsic fve=0.80, mse=0.30"}))
    plain.write_text(json.dumps({"fve": 0.8}))
    index = tmp_path / "l3-index"
    index.mkdir()
    (index / "summary.json").write_text(json.dumps({"conversations_indexed": 120, "activation_records_indexed": 4000,
                                                    "active_features": 50, "prompt_rows": 240}))
    (index / "report.md").write_text("# report\n")
    out = export_release(checkpoint, tmp_path / "rel", formats=["safetensors"], eval_results=[good, plain],
                         index_summary=index / "summary.json")
    manifest = json.loads((out / "release_manifest.json").read_text())
    summary = manifest["provenance"]["reverse_index_summary"]
    assert summary["path"] == "reverse-index/l3-index/summary.json"
    assert summary["sha256"] == hashlib.sha256((index / "summary.json").read_bytes()).hexdigest()
    assert {e["path"] for e in manifest["files"]} >= {summary["path"], "reverse-index/l3-index/report.md"}
    card = (out / "README.md").read_text()
    assert "- step-000030: intrinsic fve=0.80, mse=0.30" in card and "None yet" not in card
    assert "Active features found: 50" in card and "Not built yet" not in card
    assert "built over 120 conversations and 4,000 activation records. It found 50 active features and stores 240" \
        in card
    verify_release(out)


def test_set_repo_id_rewrites_card_and_manifest(release_copy: Path):
    set_repo_id(release_copy, "someone/tiny-sae")
    card = (release_copy / "README.md").read_text()
    assert 'repo_id = "someone/tiny-sae"' in card and "Repository: someone/tiny-sae" in card
    manifest = json.loads((release_copy / "release_manifest.json").read_text())
    assert manifest["provenance"]["repo_id"] == "someone/tiny-sae"
    verify_release(release_copy)


def test_large_models_keep_onnx_weights_in_one_external_file(checkpoint: Path, tmp_path: Path, sae: TopKSae,
                                                             monkeypatch):
    monkeypatch.setattr(onnx_graph, "EXTERNAL_DATA_BYTES", 1024)
    out = export_release(checkpoint, tmp_path / "rel", formats=["onnx"])
    assert {"model.onnx", "model.onnx.data"} <= {p.name for p in out.iterdir()}
    assert "onnx" in verify_release(out).formats
    loaded, _ = load_sae(out, format="onnx")
    assert torch.equal(loaded.W_dec, sae.W_dec.detach())


def test_export_retained_exports_each_retained_checkpoint_once(checkpoint: Path):
    releases = export_retained(checkpoint.parent, ["safetensors", "pt"])
    assert releases == [checkpoint / "release"]
    stamp = (checkpoint / "release" / "model.metadata.json").stat().st_mtime_ns
    assert export_retained(checkpoint.parent, ["safetensors", "pt"]) == releases
    assert (checkpoint / "release" / "model.metadata.json").stat().st_mtime_ns == stamp
    verify_release(releases[0])


def test_load_builds_the_requested_subclass(release: Path):
    class Sub(TopKSae):
        pass

    loaded, _ = load_sae(release, model_class=Sub)
    assert type(loaded) is Sub


@pytest.mark.slow
def test_cli_exports_a_run_with_peer_formats_and_verify_fails_by_name(checkpoint: Path, tmp_path: Path):
    from click.testing import CliRunner

    from saescope.cli import main
    from saescope.release.peers import read_saelens, read_sparsify

    run = checkpoint.parent.parent  # the training run folder: `--select final` picks step-000030
    out = tmp_path / "release"
    runner = CliRunner()
    formats = "safetensors,raw,saelens,sparsify"
    result = runner.invoke(main, ["export", str(run), "--out", str(out), "--formats", formats])
    assert result.exit_code == 0, result.output
    assert "step-000030" in result.output
    assert (out / "saelens" / "cfg.json").is_file() and (out / "sparsify").is_dir()
    manifest = json.loads((out / "release_manifest.json").read_text())
    assert any(f["path"].startswith("saelens/") for f in manifest["files"])
    x = inputs(small_sae(), 8)
    reference = load_sae(out)[0](x).x_hat
    for imported in (read_saelens(out / "saelens"), read_sparsify(out / "sparsify")):
        torch.testing.assert_close(imported(x).x_hat, reference, atol=1e-4, rtol=1e-4)
    ok = runner.invoke(main, ["verify", str(out)])
    assert ok.exit_code == 0 and "saelens" in ok.output and "sparsify" in ok.output
    flip_byte(out / "W_dec")
    bad = subprocess.run([sys.executable, "-m", "saescope", "verify", str(out)], capture_output=True, text=True)
    assert bad.returncode == 1 and "W_dec" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.parametrize("fmt", ["safetensors", "pt", "raw", "onnx"])
def test_weights_sha256_is_the_same_for_the_checkpoint_and_every_format(release: Path, sae: TopKSae, fmt: str):
    loaded, _ = load_sae(release, format=fmt)
    assert loaded.weights_sha256() == sae.weights_sha256()
    loaded.b_enc.data[3] += 1e-3
    assert loaded.weights_sha256() != sae.weights_sha256()
