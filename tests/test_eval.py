"""Evaluation formulas: intrinsic metrics and core-plus with a reconstruction spliced into the model."""

import pytest
import torch
from conftest import lmsys_row

from saescope.data.templating import tokenize_conversation
from saescope.eval.coreplus import core_plus
from saescope.eval.splice import spliced


def conversations(lm, n=4, max_tokens=48):
    return [tokenize_conversation(lm.tokenizer, lmsys_row(i)["conversation"], max_tokens) for i in range(n)]


@pytest.mark.parametrize("which", ["tiny_qwen3", "smollm2"])
def test_identity_scores_one_and_zero_scores_zero(which, request):
    lm = request.getfixturevalue(which)
    convs = conversations(lm)
    identity = core_plus(lm, "layers.2", lambda h: h, convs, batch_tokens=256)
    assert identity.ce_score == pytest.approx(1.0, abs=1e-6) and identity.kl_score == pytest.approx(1.0, abs=1e-6)
    assert identity.ce_sae == pytest.approx(identity.ce_clean, abs=1e-6)
    assert identity.kl_sae == pytest.approx(0, abs=1e-6)
    zero = core_plus(lm, "layers.2", torch.zeros_like, convs, batch_tokens=256, keep_special=False)
    assert zero.ce_score == pytest.approx(0.0, abs=1e-6) and zero.kl_score == pytest.approx(0.0, abs=1e-6)
    assert zero.tokens == sum(len(c) - 1 for c in convs)
    if which == "smollm2":  # a trained model is hurt by losing its residual stream; a random one need not be
        assert zero.ce_zero > zero.ce_clean + 1


def test_splicing_x_hat_plus_error_reproduces_the_clean_logits(tiny_qwen3):
    model = tiny_qwen3.model
    ids = torch.tensor([[1, 5, 9, 13, 17, 21], [2, 6, 10, 14, 0, 0]])
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2])
    with torch.no_grad():
        plain = model(input_ids=ids, attention_mask=mask).logits
    noisy = lambda h: h * 0.5 + 0.3  # noqa: E731 - a crude "x_hat"
    with torch.no_grad(), spliced(model, "layers.1", lambda h: noisy(h) + (h - noisy(h))):
        tripled = model(input_ids=ids, attention_mask=mask).logits
    assert tripled.shape[0] == 3 * ids.shape[0]
    valid = mask.bool()
    torch.testing.assert_close(tripled[:2][valid], plain[valid], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(tripled[2:4][valid], plain[valid], atol=1e-4, rtol=1e-4)


def test_prefix_runs_once(tiny_qwen3):
    model = tiny_qwen3.model
    batches: list[int] = []
    handles = [layer.register_forward_hook(lambda _m, _a, out: batches.append(out.shape[0]))
               for layer in model.model.layers]
    try:
        with torch.no_grad(), spliced(model, "layers.1", lambda h: h):
            model(input_ids=torch.tensor([[1, 2, 3], [4, 5, 6]]))
    finally:
        for h in handles:
            h.remove()
    assert batches == [2, 2, 6, 6]  # blocks 0-1 once per batch; 2-3 for clean, SAE and zero together


def test_assistant_only_scores_fewer_tokens(tiny_qwen3):
    convs = conversations(tiny_qwen3, max_tokens=200)
    all_tokens = core_plus(tiny_qwen3, "layers.2", lambda h: h * 0.9, convs, batch_tokens=512)
    assistant = core_plus(tiny_qwen3, "layers.2", lambda h: h * 0.9, convs, batch_tokens=512,
                          score_tokens="assistant")
    assert 0 < assistant.tokens < all_tokens.tokens
    assert assistant.options["score_tokens"] == "assistant"


def test_intrinsic_metrics_match_their_definitions(tiny_qwen3_dir, tmp_path):
    from saescope.config import load_config
    from saescope.eval.intrinsic import intrinsic_metrics
    from saescope.harvest.dataset import ActivationDataset
    from saescope.harvest.run import harvest
    from saescope.sae.model import TopKSae

    harvest(load_config(None, {"model.name": str(tiny_qwen3_dir), "model.device": "cpu", "data.max_conversations": 12,
                               "harvest.out": str(tmp_path / "ds"), "harvest.hookpoints": ["layers.2"],
                               "harvest.shard_records": 300}))
    ds = ActivationDataset.open(tmp_path / "ds")
    torch.manual_seed(0)
    sae = TopKSae(64, 256, 8)
    sae.input_mean.normal_()
    sae.input_std.uniform_(0.5, 2.0)
    shards = ds.held_out_shards(0.5)
    assert shards == list(range(ds.num_shards - round(ds.num_shards * 0.5), ds.num_shards)) and ds.num_shards > 1
    result = intrinsic_metrics(sae, ds, "layers.2", shards, batch_size=100)
    x = torch.cat([ds.shard_activations(i, "l3").float() for i in shards])
    with torch.no_grad():
        out = sae(x)
    fve = 1 - (x - out.x_hat).square().sum() / (x - x.mean(0)).square().sum()
    assert result.records == len(x)
    assert result.fve == pytest.approx(float(fve), rel=1e-4)
    assert result.mse_normalized == pytest.approx(float((out.x_hat_n - out.x_n).square().mean()), rel=1e-4)
    assert result.mse_raw == pytest.approx(float((out.x_hat - x).square().mean()), rel=1e-4)
    fired = torch.zeros(256, dtype=torch.bool)
    fired[out.code.indices[out.code.values > 0]] = True
    assert result.dead == int((~fired).sum()) and result.l0 <= 8
    # The no-sinks FVE: the same formula over records within 10x the first batch's median norm.
    ordinary = x.norm(dim=1) <= 10 * float(x[:100].norm(dim=1).median())
    xo, xo_hat = x[ordinary], out.x_hat[ordinary]
    fve_ordinary = 1 - (xo - xo_hat).square().sum() / (xo - xo.mean(0)).square().sum()
    assert result.outlier_records == int((~ordinary).sum())
    assert result.fve_ordinary == pytest.approx(float(fve_ordinary), rel=1e-4)


def test_snapshot_line_is_the_seed_format():
    from saescope.eval.run import snapshot_line

    line = snapshot_line("step-005000", {"fve": 0.694073, "mse": 0.323483, "dead": 38315, "records": 131366},
                         {"ce_score": 0.765003, "kl_score": 0.948459, "tokens": 106})
    assert line == ("step-005000: intrinsic fve=0.694073, mse=0.323483, dead=38315, records=131366; "
                    "core-plus ce_score=0.765003, kl_score=0.948459, tokens=106")


def test_scored_sums_equal_the_log_softmax_definitions():
    import torch.nn.functional as F

    from saescope.eval.coreplus import _scored_sums

    g = torch.Generator().manual_seed(0)
    clean, sae, zero = (torch.randn(300, 50, generator=g) * 3 for _ in range(3))
    targets = torch.randint(0, 50, (300, 1), generator=g)
    sums = _scored_sums(clean.bfloat16(), {"sae": sae.bfloat16(), "zero": zero.bfloat16()}, targets, chunk=64)
    lc = F.log_softmax(clean.bfloat16().float(), -1)
    for name, v in (("sae", sae), ("zero", zero)):
        lv = F.log_softmax(v.bfloat16().float(), -1)
        assert sums[f"ce_{name}"] == pytest.approx(float(-lv.gather(-1, targets).sum()), rel=1e-5)
        assert sums[f"kl_{name}"] == pytest.approx(float((lc.exp() * (lc - lv)).sum()), rel=1e-4)
    assert sums["ce_clean"] == pytest.approx(float(-lc.gather(-1, targets).sum()), rel=1e-5)


def test_evaluate_scores_core_plus_on_held_out_conversations(tiny_qwen3_dir, tmp_path):
    import hashlib
    import json

    from test_index import make_run

    from saescope.config import load_config
    from saescope.eval.run import evaluate
    from saescope.harvest.dataset import ActivationDataset
    from saescope.harvest.run import harvest
    from saescope.sae.model import TopKSae
    from saescope.utils.precision import compute_dtype

    overrides = {"model.name": str(tiny_qwen3_dir), "model.device": "cpu", "data.max_conversations": 12,
                 "harvest.out": str(tmp_path / "ds"), "harvest.hookpoints": ["layers.2"],
                 "harvest.shard_records": 300, "eval.out": str(tmp_path / "eval"), "eval.heldout_fraction": 0.5,
                 "eval.coreplus_conversations": 3, "eval.coreplus_max_tokens": 64,
                 "train.activations": str(tmp_path / "ds")}
    cfg = load_config(None, overrides)
    harvest(cfg)
    ds = ActivationDataset.open(tmp_path / "ds")
    torch.manual_seed(0)
    run = make_run(tmp_path / "run", TopKSae(64, 256, 8))
    (result,) = evaluate(cfg, [run])
    held = ds.held_out_shards(0.5)
    first_held = [ds.conversation(i).conversation_id for s in held for i in ds.shard(s).get("conv.index").tolist()]
    expected = hashlib.sha256(json.dumps(first_held[:3]).encode()).hexdigest()
    assert result["core_plus_data"]["conversation_ids_sha256"] == expected
    assert result["core_plus_data"]["origin"].startswith(f"held-out shards {held}")
    assert result["intrinsic_data"]["shards"] == held and result["core_plus"]["tokens"] >= 0
    # model.dtype is left at bfloat16: the result records what ran (float32 on a CPU without native bf16).
    ran = compute_dtype("bfloat16", torch.device("cpu"))
    assert result["core_plus_data"]["model_dtype"] == str(ran).removeprefix("torch.")
    written = json.loads((tmp_path / "eval" / f"{result['label']}.json").read_text())
    assert written["snapshot_line"] == (tmp_path / "eval" / "snapshots.txt").read_text().strip()
