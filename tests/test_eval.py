"""Evaluation formulas: intrinsic metrics and core-plus with a reconstruction spliced into the model, against
plain forwards and torch's own cross-entropy and KL; `saescope eval` end to end and its held-out data."""

import hashlib
import json

import pytest
import torch
import torch.nn.functional as F
from conftest import lmsys_row, make_sae, write_run

from saescope.config import load_config
from saescope.data.templating import ROLE_CODES, tokenize_conversation
from saescope.eval.coreplus import core_plus, scored_positions
from saescope.eval.splice import spliced
from saescope.lm.hookpoints import block_output

ASSISTANT = ROLE_CODES["assistant"]


def conversations(lm, n=4, max_tokens=48):
    return [tokenize_conversation(lm.tokenizer, lmsys_row(i)["conversation"], max_tokens) for i in range(n)]


def forward_replacing(model, layer: int, ids: torch.Tensor, replace=None, mask=None) -> torch.Tensor:
    """Logits of a plain forward, with block `layer`'s output h replaced by replace(h) when given."""

    def hook(_module, _args, output):
        h = block_output(output)
        new = replace(h)
        return (new, *output[1:]) if isinstance(output, tuple) else new

    handle = model.model.layers[layer].register_forward_hook(hook) if replace is not None else None
    try:
        with torch.no_grad():
            return model(input_ids=ids, attention_mask=mask).logits
    finally:
        if handle is not None:
            handle.remove()


@pytest.mark.parametrize("which", ["tiny_qwen3", pytest.param("smollm2", marks=pytest.mark.slow)])
def test_identity_scores_one_and_zero_scores_zero(which, request):
    """The scores' end points (they follow from the SAE row equalling the clean or the zero row; the CE and KL
    themselves are checked against torch below)."""
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
    """A real SAE (x_hat != x): spliced with its error term it gives the clean logits; without, the logits of a
    forward whose block output is replaced by x_hat, and the zero rows those of a forward with it zeroed."""
    model = tiny_qwen3.model
    ids = torch.tensor([[1, 5, 9, 13, 17, 21], [2, 6, 10, 14, 0, 0]])
    mask = torch.tensor([[1] * 6, [1] * 4 + [0] * 2])
    valid = mask.bool()
    sae = make_sae(64, 256, 8, b_dec=0.1)

    def x_hat(h):
        return sae(h.float()).x_hat.to(h.dtype)

    plain = forward_replacing(model, 1, ids, mask=mask)
    with torch.no_grad(), spliced(model, "layers.1", lambda h: x_hat(h) + (h - x_hat(h))):
        with_error = model(input_ids=ids, attention_mask=mask).logits
    with torch.no_grad(), spliced(model, "layers.1", x_hat):
        without = model(input_ids=ids, attention_mask=mask).logits
    assert with_error.shape[0] == without.shape[0] == 3 * ids.shape[0]
    clean_rows, sae_rows, zero_rows = (slice(i * 2, (i + 1) * 2) for i in range(3))
    torch.testing.assert_close(with_error[clean_rows][valid], plain[valid], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(with_error[sae_rows][valid], plain[valid], atol=1e-4, rtol=1e-4)
    replaced = forward_replacing(model, 1, ids, x_hat, mask)
    zeroed = forward_replacing(model, 1, ids, torch.zeros_like, mask)
    assert (replaced[valid] - plain[valid]).abs().max() > 0.1  # x_hat really differs from x
    torch.testing.assert_close(without[clean_rows][valid], plain[valid], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(without[sae_rows][valid], replaced[valid], atol=1e-4, rtol=1e-4)
    torch.testing.assert_close(without[zero_rows][valid], zeroed[valid], atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize("score_tokens", ["all", "assistant"])
@pytest.mark.parametrize("keep_special", [True, False])
def test_core_plus_equals_plain_forwards_and_torch_cross_entropy(tiny_qwen3, score_tokens, keep_special):
    """CE and KL of the clean, SAE and zero rows against one plain forward per conversation (no padding, no
    splice) and F.cross_entropy / F.kl_div over the predictions of the targets chosen here."""
    model, tokenizer = tiny_qwen3.model, tiny_qwen3.tokenizer
    lengths = [70, 33, 52, 41]  # unequal: core-plus pads them, two or three to a batch
    convs = [tokenize_conversation(tokenizer, lmsys_row(i)["conversation"], n) for i, n in enumerate(lengths)]
    assert [len(c) for c in convs] == lengths
    sae = make_sae(64, 256, 8, b_dec=0.1)

    def reconstruct(h):
        return sae(h.float()).x_hat

    result = core_plus(tiny_qwen3, "layers.2", reconstruct, convs, batch_tokens=150, score_tokens=score_tokens,
                       keep_special=keep_special)
    special = torch.tensor(sorted(set(tokenizer.all_special_ids)))
    sums = dict.fromkeys(("ce_clean", "ce_sae", "ce_zero", "kl_sae", "kl_zero"), 0.0)
    tokens = 0
    for conv in convs:
        ids = torch.from_numpy(conv.token_ids).long()[None]
        keep = torch.isin(ids, special)[..., None] if keep_special else torch.zeros(1, len(conv), 1, dtype=torch.bool)
        logits = {"clean": forward_replacing(model, 2, ids),
                  "sae": forward_replacing(model, 2, ids, lambda h, k=keep: torch.where(k, h, reconstruct(h))),
                  "zero": forward_replacing(model, 2, ids, lambda h, k=keep: torch.where(k, h, 0.0))}
        # The prediction at t is of token t + 1: scored when all are, or when token t + 1 is the assistant's.
        targets = ids[0, 1:]
        scored = torch.ones(len(targets), dtype=torch.bool)
        if score_tokens == "assistant":
            scored = torch.from_numpy(conv.roles[1:] == ASSISTANT)
        log_p = {k: F.log_softmax(v[0, :-1][scored].float(), -1) for k, v in logits.items()}
        for name in ("clean", "sae", "zero"):
            sums[f"ce_{name}"] += float(F.cross_entropy(logits[name][0, :-1][scored].float(), targets[scored],
                                                        reduction="sum"))
        for name in ("sae", "zero"):
            sums[f"kl_{name}"] += float(F.kl_div(log_p[name], log_p["clean"], log_target=True, reduction="sum"))
        tokens += int(scored.sum())
    assert result.tokens == tokens and tokens > 0
    for name, total in sums.items():
        assert getattr(result, name) == pytest.approx(total / tokens, rel=1e-4, abs=1e-5), name
    assert result.kl_sae > 1e-3 and result.kl_zero > 1e-3  # neither variant is the clean model


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


def test_assistant_only_scores_the_predictions_of_assistant_tokens(tiny_qwen3):
    """The scored positions are those whose *target* (the next token) is an assistant token, from the roles of
    the tokenized conversation; the input token's role gives other positions."""
    convs = conversations(tiny_qwen3, max_tokens=200)
    expected = []
    for conv in convs:
        by_target = [t - 1 for t in range(1, len(conv)) if conv.roles[t] == ASSISTANT]
        by_input = [t for t in range(len(conv) - 1) if conv.roles[t] == ASSISTANT]
        assert scored_positions(conv, "assistant").tolist() == by_target != by_input
        assert scored_positions(conv, "all").tolist() == list(range(len(conv) - 1))
        expected.append(len(by_target))
    all_tokens = core_plus(tiny_qwen3, "layers.2", lambda h: h * 0.9, convs, batch_tokens=512)
    assistant = core_plus(tiny_qwen3, "layers.2", lambda h: h * 0.9, convs, batch_tokens=512,
                          score_tokens="assistant")
    assert all_tokens.tokens == sum(len(c) - 1 for c in convs)
    assert assistant.tokens == sum(expected) and 0 < assistant.tokens < all_tokens.tokens
    assert assistant.options["score_tokens"] == "assistant"


def test_intrinsic_metrics_match_their_definitions(tiny_activations):
    from saescope.eval.intrinsic import intrinsic_metrics

    ds = tiny_activations
    sae = make_sae(64, 256, 8)
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
    assert result.dead == int((~fired).sum())
    assert result.l0 == pytest.approx(float((out.code.values > 0).sum()) / len(x)) and result.l0 <= 8
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


def eval_config(tiny_qwen3_dir, tiny_activations, out, **overrides):
    settings = {"model.name": str(tiny_qwen3_dir), "model.device": "cpu",
                "train.activations": str(tiny_activations.root), "eval.out": str(out), "eval.heldout_fraction": 0.5,
                "eval.coreplus_conversations": 3, "eval.coreplus_max_tokens": 64}
    return load_config(None, settings | {f"eval.{k}": v for k, v in overrides.items()})


def test_evaluate_scores_core_plus_on_held_out_conversations(tiny_qwen3_dir, tiny_activations, tmp_path):
    from saescope.eval.run import evaluate
    from saescope.utils.precision import compute_dtype

    ds = tiny_activations
    cfg = eval_config(tiny_qwen3_dir, ds, tmp_path / "eval")
    (result,) = evaluate(cfg, [write_run(tmp_path / "run", make_sae(64, 256, 8))])
    held = ds.held_out_shards(0.5)
    first_held = [ds.conversation(i) for s in held for i in ds.shard(s).get("conv.index").tolist()][:3]
    expected = hashlib.sha256(json.dumps([c.conversation_id for c in first_held]).encode()).hexdigest()
    assert result["core_plus_data"]["conversation_ids_sha256"] == expected
    assert result["core_plus_data"]["origin"].startswith(f"held-out shards {held}")
    assert result["heldout"] is True and result["intrinsic_data"]["shards"] == held
    # Every next-token prediction of the three conversations, each cut to eval.coreplus_max_tokens.
    assert result["core_plus"]["tokens"] == sum(min(len(c.token_ids), 64) - 1 for c in first_held)
    # model.dtype is left at bfloat16: the result records what ran (float32 on a CPU without native bf16).
    ran = compute_dtype("bfloat16", torch.device("cpu"))
    assert result["core_plus_data"]["model_dtype"] == str(ran).removeprefix("torch.")
    written = json.loads((tmp_path / "eval" / f"{result['label']}.json").read_text())
    assert written["snapshot_line"] == (tmp_path / "eval" / "snapshots.txt").read_text().strip()
    assert written["heldout"] is True


def test_evaluating_on_training_data_is_an_error_unless_allowed(tiny_qwen3_dir, tiny_activations, tmp_path, capsys,
                                                                monkeypatch):
    import sys

    from saescope.cli import run as cli
    from saescope.eval.run import EvalError, evaluate

    ds = tiny_activations
    run = write_run(tmp_path / "run", make_sae(64, 256, 8))
    cfg = eval_config(tiny_qwen3_dir, ds, tmp_path / "eval", heldout_fraction=0.0, coreplus=False)
    with pytest.raises(EvalError, match=rf"{ds.root} has no held-out shards .*eval\.allow_training_data") as error:
        evaluate(cfg, [run])
    assert "\n" not in str(error.value) and not (tmp_path / "eval").exists()
    monkeypatch.setattr(sys, "argv", ["saescope", "eval", str(run), "--train.activations", str(ds.root),
                                      "--eval.out", str(tmp_path / "cli"), "--eval.heldout-fraction", "0",
                                      "--eval.no-coreplus"])
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        cli()
    err = capsys.readouterr().err
    assert exit_info.value.code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert str(ds.root) in err and "eval.allow_training_data" in err

    (result,) = evaluate(cfg.model_copy(update={"eval": cfg.eval.model_copy(update={"allow_training_data": True})}),
                         [run])
    assert "training data" in capsys.readouterr().out
    assert result["heldout"] is False and result["intrinsic_data"]["shards"] == list(range(ds.num_shards))
    assert result["intrinsic"]["records"] == len(ds)
    assert json.loads((tmp_path / "eval" / f"{result['label']}.json").read_text())["heldout"] is False


def test_evaluate_puts_the_sae_on_the_models_device(tiny_qwen3_dir, tiny_activations, tmp_path, monkeypatch):
    """The SAE must reach the model's device before core-plus splices it in (left on the CPU it fails on every
    CUDA machine). A CPU machine has one device, so the model reports cuda:0 and `TopKSae.to` records the move
    (and stays on the CPU): without the move, the SAE core-plus reads is never placed on cuda:0."""
    import saescope.eval.run as eval_run
    from saescope.sae.model import TopKSae

    real_load = eval_run.load_model
    target = torch.device("cuda:0")

    def load_on_cuda(cfg):
        lm = real_load(cfg)
        lm.device = target
        return lm

    placed: dict[int, torch.device] = {}

    def record_to(self, *args, **kwargs):
        placed[id(self)] = torch.device(args[0]) if args else kwargs["device"]
        return self

    def check_core_plus(lm, hookpoint, reconstruct, *args, **kwargs):
        sae = reconstruct.__closure__[0].cell_contents
        assert placed.get(id(sae)) == lm.device
        lm.device = torch.device("cpu")  # where the model really is, for the forward itself
        return real_core_plus(lm, hookpoint, reconstruct, *args, **kwargs)

    real_core_plus = eval_run.core_plus
    monkeypatch.setattr(eval_run, "load_model", load_on_cuda)
    monkeypatch.setattr(TopKSae, "to", record_to)
    monkeypatch.setattr(eval_run, "core_plus", check_core_plus)
    cfg = eval_config(tiny_qwen3_dir, tiny_activations, tmp_path / "eval")
    (result,) = evaluate_with(cfg, write_run(tmp_path / "run", make_sae(64, 256, 8)))
    assert result["core_plus"]["tokens"] > 0 and list(placed.values()) == [target]


def evaluate_with(cfg, run):
    from saescope.eval.run import evaluate

    return evaluate(cfg, [run])


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")
def test_evaluate_on_cuda_matches_the_cpu(tiny_qwen3_dir, tiny_activations, tmp_path):
    run = write_run(tmp_path / "run", make_sae(64, 256, 8))
    on_cpu = evaluate_with(eval_config(tiny_qwen3_dir, tiny_activations, tmp_path / "cpu"), run)[0]
    cfg = eval_config(tiny_qwen3_dir, tiny_activations, tmp_path / "cuda").model_copy(deep=True)
    cfg.model.device, cfg.model.dtype = "cuda", "float32"
    on_cuda = evaluate_with(cfg, run)[0]
    for key in ("fve", "mse", "dead", "records"):
        assert on_cuda["intrinsic"][key] == pytest.approx(on_cpu["intrinsic"][key], rel=1e-3, abs=1e-4)
    assert on_cuda["core_plus"]["ce_score"] == pytest.approx(on_cpu["core_plus"]["ce_score"], abs=1e-3)
