"""Every stage at the Qwen3-8B l36 release's shape: d_in 4096, d_sae 65,536, k 64, aux_k 512.

A two-block random Qwen3 of hidden size 4096 is harvested at its last block over a few sample conversations;
an SAE of the reference shape trains for two steps (the second with AuxK over the latents that did not fire);
its release holds every format (`model.onnx` with its 2 GB of weights as external data) and verifies; eval
(intrinsic and core-plus), the index and a steered generation run on it. The shapes, not the quality, are the
point: a path that has only run at the demo's d_in 576 / d_sae 4,608 is not known to work at 4096 / 65,536.
"""

from __future__ import annotations

import json
import resource
from pathlib import Path

import pytest
import torch
from transformers import Qwen3Config, Qwen3ForCausalLM

from saescope.config import load_config
from saescope.config.schema import SaescopeConfig

D_IN, D_SAE, K, AUX_K = 4096, 65536, 64, 512
PEAK_RSS_GB = 18  # the stages' own peak above what the session held at the start: 15-16 GB in a full run (CI has 24)


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise KeyError(field)


def reset_peak_rss() -> int:
    """Reset the process's peak RSS (VmHWM) to its current RSS and return that, in KiB: the test measures its own
    stages, not the models and fixtures earlier tests of the session left resident. Without /proc: 0."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return _status_kib("VmRSS")
    except OSError:
        return 0


def peak_rss_kib() -> int:
    try:
        return _status_kib("VmHWM")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


@pytest.fixture(scope="module")
def reference_model(tmp_path_factory: pytest.TempPathFactory, smollm2_tokenizer) -> Path:
    folder = tmp_path_factory.mktemp("qwen3-h4096")
    torch.manual_seed(0)
    config = Qwen3Config(vocab_size=len(smollm2_tokenizer), hidden_size=D_IN, intermediate_size=256,
                         num_hidden_layers=2, num_attention_heads=32, num_key_value_heads=8, head_dim=128,
                         max_position_embeddings=4096, tie_word_embeddings=True)
    Qwen3ForCausalLM(config).save_pretrained(folder)
    smollm2_tokenizer.save_pretrained(folder)
    return folder


def reference_config(model: Path, root: Path) -> SaescopeConfig:
    settings = {
        "model.name": str(model), "model.device": "cpu", "model.dtype": "float32",
        "data.max_conversations": 16, "data.max_tokens_per_conversation": 192,
        "harvest.out": str(root / "acts"), "harvest.hookpoints": ["layers.1"], "harvest.shard_records": 512,
        "train.activations": str(root / "acts"), "train.hookpoint": "layers.1", "train.out": str(root / "train"),
        "train.d_sae": D_SAE, "train.k": K, "train.aux_k": AUX_K, "train.batch_size": 1024,
        "train.total_tokens": 2048, "train.dead_tokens": 1024, "train.normalizer_tokens": 2048,
        "train.b_dec_init_tokens": 1024, "train.heldout_fraction": 0.2, "train.save_every": 1000,
        "train.autocast_dtype": "float32", "train.device": "cpu",
        "eval.out": str(root / "eval"), "eval.heldout_fraction": 0.2, "eval.coreplus_conversations": 2,
        "eval.coreplus_max_tokens": 64, "eval.max_records": 2048,
        # the decoder's tables at d_sae 65,536 (65,536^2 cosines: ~10 minutes on 2 CPU cores; the logit lens over
        # a 49,152-token vocabulary: 2.6e16 FLOP) are for GPUs: tested at small sizes in test_index_decoder.py
        "index.out": str(root / "index"), "index.device": "cpu", "index.batch_size": 512, "index.neighbours": 0,
        "index.logit_lens": 0,
        "steer.max_new_tokens": 4,
    }
    return load_config(None, settings)


@pytest.mark.slow
def test_every_stage_runs_at_the_reference_shape(reference_model: Path, tmp_path: Path):
    from saescope.eval.run import evaluate
    from saescope.export import export_release, verify_release
    from saescope.harvest.dataset import ActivationDataset
    from saescope.harvest.run import harvest
    from saescope.index.files import read_summary
    from saescope.index.run import build_index
    from saescope.release import load_sae, select_checkpoint
    from saescope.steer.run import steer_once
    from saescope.train.run import train

    cfg = reference_config(reference_model, tmp_path)
    start_kib = reset_peak_rss()
    harvest(cfg)
    dataset = ActivationDataset.open(tmp_path / "acts")
    assert dataset.d_model == D_IN and dataset.num_shards >= 3

    train(cfg)
    checkpoint = select_checkpoint(tmp_path / "train")
    sae, metadata = load_sae(checkpoint)
    assert (sae.d_in, sae.d_sae, sae.k) == (D_IN, D_SAE, K) and metadata["training"]["step"] == 2
    averages = json.loads((checkpoint / "checkpoint.json").read_text())["metrics"]
    assert averages["aux_loss"] > 0  # step 2 found dead latents and trained them through AuxK

    release = export_release(checkpoint, tmp_path / "release", ["safetensors", "pt", "onnx", "raw"])
    assert (release / "model.onnx.data").stat().st_size > 2 * D_IN * D_SAE * 4  # W_enc and W_dec, external
    report = verify_release(release, n_inputs=16)
    assert set(report.formats) == {"pt", "onnx", "raw"} and all(r.ok for r in report.formats.values())

    (result,) = evaluate(cfg, [release])
    assert result["intrinsic"]["records"] > 0 and result["heldout"] is True
    assert result["core_plus"]["tokens"] > 0

    summary = read_summary(build_index(cfg, release))
    assert summary["activation_records_indexed"] == dataset.num_records and summary["active_features"] > 0

    feature = int(sae.encode(dataset.shard_activations(0, "layers.1")[:1].float()).indices[0, 0])
    steered = steer_once(cfg, release, feature, 50.0, "Hello there", "add")
    assert steered.clean_text and steered.steered_text is not None

    peak_gb = (peak_rss_kib() - start_kib) / 2**20
    assert peak_gb < PEAK_RSS_GB, f"peak RSS {peak_gb:.1f} GB above the {start_kib / 2**20:.1f} GB held at the start"
