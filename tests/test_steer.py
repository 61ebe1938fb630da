"""Steering: the hook's edit matches its definition, generation is clean/steered from one prompt, and the
reliability metrics match their definitions computed by hand."""

import os
import subprocess
import sys
import types
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
import torch.nn.functional as F
from conftest import lmsys_row, make_sae, write_run

from saescope.config import load_config
from saescope.config.schema import SteerConfig
from saescope.sae.model import TopKSae
from saescope.steer import Intervention, SteerError, steered_generate, steering
from saescope.steer.generate import chat_prompt_ids, generate_ids
from saescope.steer.intervene import feature_activation, feature_direction
from saescope.steer.reliability import Prompt, choose_features, measure_reliability

HOOKPOINT, LAYER = "layers.1", 1
D_SAE, K = 256, 8
IDS = torch.tensor([[1, 5, 9, 13, 17, 21]])


@pytest.fixture(scope="module")
def sae() -> TopKSae:
    # Tied init: W_dec[f] . W_enc[:, f] = 1, so a clamp reads back exactly.
    return make_sae(64, D_SAE, K, mean=0.1).requires_grad_(False)


def hookpoint_output(model, ids: torch.Tensor, **kwargs) -> torch.Tensor:
    """The block output as the next block sees it (a hook registered last sees earlier hooks' edits)."""
    captured = {}
    handle = model.model.layers[LAYER].register_forward_hook(lambda _m, _a, out: captured.__setitem__("h", out))
    try:
        with torch.no_grad():
            model(input_ids=ids, **kwargs)
    finally:
        handle.remove()
    return captured["h"]


def test_add_moves_every_edited_position_by_value_times_d_f(tiny_qwen3, sae):
    model = tiny_qwen3.model
    clean = hookpoint_output(model, IDS)
    d_f = feature_direction(sae, 7)
    torch.testing.assert_close(d_f, sae.decode(torch.eye(D_SAE)[7]) - sae.decode(torch.zeros(D_SAE)))
    with steering(model, HOOKPOINT, sae, [Intervention(7, 2.5)]):
        steered = hookpoint_output(model, IDS)
    torch.testing.assert_close(steered, clean + 2.5 * d_f, atol=1e-5, rtol=1e-5)
    # "generated" with a 4-token prompt: positions 0..2 clean; 3 (its logits pick the first new token) on, steered.
    with steering(model, HOOKPOINT, sae, [Intervention(7, 2.5)], positions="generated", prompt_length=4):
        partial = hookpoint_output(model, IDS)
    torch.testing.assert_close(partial[:, :3], clean[:, :3], atol=0, rtol=0)
    torch.testing.assert_close(partial[:, 3:], clean[:, 3:] + 2.5 * d_f, atol=1e-5, rtol=1e-5)


def test_generated_positions_with_a_kv_cache(tiny_qwen3, sae):
    """The prompt's forward is clean but for its last position; the incremental step (one new position) is
    steered."""
    model = tiny_qwen3.model
    d_f = feature_direction(sae, 3)
    with torch.no_grad():
        cache = model(input_ids=IDS[:, :5], use_cache=True).cache
    clean_step = hookpoint_output(model, IDS[:, 5:], use_cache=True, cache=cache)
    with steering(model, HOOKPOINT, sae, [Intervention(3, 4.0)], positions="generated", prompt_length=5):
        prompt_part = hookpoint_output(model, IDS[:, :5], use_cache=True)
        with torch.no_grad():
            cache = model(input_ids=IDS[:, :5], use_cache=True).cache
        step = hookpoint_output(model, IDS[:, 5:], use_cache=True, cache=cache)
    clean_prompt = hookpoint_output(model, IDS[:, :5])
    torch.testing.assert_close(prompt_part[:, :4], clean_prompt[:, :4], atol=0, rtol=0)
    torch.testing.assert_close(prompt_part[:, 4], clean_prompt[:, 4] + 4.0 * d_f, atol=1e-5, rtol=1e-5)
    assert step.shape[1] == 1 and not torch.allclose(step, clean_step)


def test_clamp_sets_the_sae_reading_of_the_feature(tiny_qwen3, sae):
    model = tiny_qwen3.model
    clean = hookpoint_output(model, IDS)
    code = sae.encode(clean[0, 3])
    feature = int(code.indices[code.values.argmax()])  # in the top-k at position 3
    target = 1.5 * float(code.values.max())
    with steering(model, HOOKPOINT, sae, [Intervention(feature, target, "clamp")]):
        steered = hookpoint_output(model, IDS)
    with torch.no_grad():
        assert float(feature_activation(sae, steered[0, 3], feature)) == pytest.approx(target, rel=1e-4)
        # The SAE error term is untouched: the edit is exactly x_hat's change when z_f alone is set to target.
        z = sae.encode_dense(clean[0, 3])
        z_target = z.clone()
        z_target[feature] = target
        torch.testing.assert_close(steered[0, 3] - sae.decode(z_target), clean[0, 3] - sae.decode(z),
                                   atol=1e-4, rtol=1e-4)


def test_strength_zero_is_identity_and_hooks_are_removed(tiny_qwen3, sae):
    model, layer = tiny_qwen3.model, tiny_qwen3.model.model.layers[LAYER]
    # transformers may keep hooks of its own on the layer (output capture): only ours must come and go.
    before = dict(layer._forward_hooks)
    with torch.no_grad():
        plain = model(input_ids=IDS).logits
        with steering(model, HOOKPOINT, sae, [Intervention(5, 0.0)]):
            zero = model(input_ids=IDS).logits
    assert torch.equal(plain, zero) and dict(layer._forward_hooks) == before
    with pytest.raises(RuntimeError, match="boom"), steering(model, HOOKPOINT, sae, [Intervention(5, 9.0)]):
        assert len(layer._forward_hooks) == len(before) + 1
        raise RuntimeError("boom")
    assert dict(layer._forward_hooks) == before


def test_bad_feature_id_names_it_and_d_sae(tiny_qwen3, sae):
    bad = [Intervention(D_SAE, 1.0)]
    with pytest.raises(SteerError, match=rf"feature {D_SAE} .*d_sae={D_SAE}"), steering(tiny_qwen3.model, HOOKPOINT,
                                                                                         sae, bad):
        pass


def test_greedy_generation_matches_model_generate_and_steering_changes_it(tiny_qwen3, sae):
    lm = tiny_qwen3
    prompt = chat_prompt_ids(lm.tokenizer, "How do I sort a list?")
    with torch.no_grad():
        reference = lm.model.generate(prompt[None], attention_mask=torch.ones(1, len(prompt), dtype=torch.long),
                                      max_new_tokens=8, do_sample=False, pad_token_id=lm.tokenizer.eos_token_id)
    assert generate_ids(lm, prompt, 8).tolist() == reference[0, len(prompt):].tolist()
    strong = [Intervention(11, 200.0)]
    first = steered_generate(lm, sae, HOOKPOINT, prompt, strong, 8)
    again = steered_generate(lm, sae, HOOKPOINT, prompt, strong, 8)
    assert first.clean_ids.tolist() == reference[0, len(prompt):].tolist()
    assert first.steered_ids.tolist() != first.clean_ids.tolist()
    assert first.steered_ids.tolist() == again.steered_ids.tolist() and first.steered_text == again.steered_text
    sampled = [steered_generate(lm, sae, HOOKPOINT, prompt, strong, 8, temperature=1.0, seed=3) for _ in range(2)]
    assert sampled[0].clean_ids.tolist() == sampled[1].clean_ids.tolist()


def by_hand(lm, sae, prompt_ids, continuation, feature):
    """Fire rate, mean activation and CE of a continuation from hidden_states (entry LAYER + 1 is block LAYER)."""
    ids = torch.cat([prompt_ids, continuation])[None]
    with torch.no_grad():
        out = lm.model(input_ids=ids, output_hidden_states=True)
    p = len(prompt_ids)
    dense = sae.encode_dense(out.hidden_states[LAYER + 1][0, p:])[:, feature]
    ce = F.cross_entropy(out.logits[0, p - 1 : -1], continuation)
    return float((dense > 0).float().mean()), float(dense.mean()), float(ce)


def test_reliability_metrics_match_their_definitions(tiny_qwen3, sae):
    lm = tiny_qwen3
    prompts = [Prompt(f"c{i}", m[0]["content"], chat_prompt_ids(lm.tokenizer, m[:1]))
               for i, m in enumerate(lmsys_row(i)["conversation"] for i in range(2))]
    clean_ids = generate_ids(lm, prompts[0].ids, 6)
    feature = int(sae.encode(hookpoint_output(lm.model, torch.cat([prompts[0].ids, clean_ids])[None])[0, -1])
                  .indices[0])  # fires on the clean text at least once, so fire_rate_clean > 0
    cfg = SteerConfig(features=[feature], strengths=[60.0], max_new_tokens=6, min_fire_gain=0.1, max_ce_increase=50)
    result = measure_reliability(lm, sae, HOOKPOINT, prompts, [feature], cfg)
    assert len(result.features) == 1 and len(result.prompts) == 2
    for row, prompt in zip(result.prompts, prompts, strict=True):
        clean = generate_ids(lm, prompt.ids, 6)
        with steering(lm.model, HOOKPOINT, sae, [Intervention(feature, 60.0)]):
            steered = generate_ids(lm, prompt.ids, 6)
        fire_c, act_c, ce_c = by_hand(lm, sae, prompt.ids, clean, feature)
        fire_s, act_s, ce_s = by_hand(lm, sae, prompt.ids, steered, feature)
        assert row["fire_rate_clean"] == pytest.approx(fire_c) and row["fire_rate_steered"] == pytest.approx(fire_s)
        assert row["mean_act_clean"] == pytest.approx(act_c, abs=1e-5)
        assert row["mean_act_steered"] == pytest.approx(act_s, abs=1e-5)
        assert row["ce_clean"] == pytest.approx(ce_c, rel=1e-5) and row["ce_steered"] == pytest.approx(ce_s, rel=1e-5)
        assert row["success"] == (fire_s - fire_c >= 0.1 and ce_s - ce_c <= 50)
    assert result.prompts[0]["fire_rate_clean"] > 0
    summary = result.features[0]
    assert summary["reliability"] == pytest.approx(sum(r["success"] for r in result.prompts) / 2)
    assert summary["ce_steered"] == pytest.approx(sum(r["ce_steered"] for r in result.prompts) / 2)


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory, sae) -> Path:
    return write_run(tmp_path_factory.mktemp("steer-run"), sae, HOOKPOINT)  # layers.1 of the tiny model


def test_steer_eval_writes_its_files_summary_last(tiny_qwen3_dir, run_folder, tmp_path):
    from saescope.steer.run import PROMPTS_FILE, RELIABILITY_FILE, REPORT_FILE, SUMMARY_FILE, steer_eval

    out = tmp_path / "out"
    cfg = load_config(None, {"model.name": str(tiny_qwen3_dir), "model.device": "cpu", "model.dtype": "float32",
                             "steer.features": [3, 7], "steer.strengths": [0.0, 50.0], "steer.prompts": 2,
                             "steer.max_new_tokens": 4, "steer.out": str(out)})
    summary = steer_eval(cfg, run_folder)
    table = pq.read_table(out / RELIABILITY_FILE).to_pylist()
    assert [(r["feature"], r["strength"]) for r in table] == [(3, 0.0), (3, 50.0), (7, 0.0), (7, 50.0)]
    zero = table[0]  # strength 0 reproduces the clean continuation exactly
    assert zero["changed"] == 0 and zero["fire_rate_steered"] == zero["fire_rate_clean"] and zero["reliability"] == 0
    assert pq.read_table(out / PROMPTS_FILE).num_rows == 8 and summary["prompts"] == 2
    assert "# Steering reliability" in (out / REPORT_FILE).read_text()
    last = os.stat(out / SUMMARY_FILE).st_mtime_ns
    assert all(os.stat(out / name).st_mtime_ns <= last for name in (RELIABILITY_FILE, PROMPTS_FILE, REPORT_FILE))

    with pytest.raises(SteerError, match=rf"feature 999 .*d_sae={D_SAE}"):
        steer_eval(cfg.model_copy(update={"steer": cfg.steer.model_copy(update={"features": [999]})}), run_folder)


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "saescope", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.slow
def test_cli_steer_prints_both_continuations_and_errors_cleanly(tiny_qwen3_dir, run_folder):
    common = ["--model.name", str(tiny_qwen3_dir), "--model.device", "cpu", "--model.dtype", "float32",
              "--steer.max-new-tokens", "4"]
    ok = cli("steer", str(run_folder), "--feature", "3", "--strength", "50", "--prompt", "Hello there", *common)
    assert ok.returncode == 0, ok.stderr
    assert "clean:" in ok.stdout and "steered:" in ok.stdout
    bad = cli("steer", str(run_folder), "--feature", "5000", "--strength", "5", "--prompt", "hi", *common)
    assert bad.returncode == 1 and "Traceback" not in bad.stderr
    assert f"feature 5000 out of range: the SAE has d_sae={D_SAE}" in bad.stderr


def test_top_features_skip_dead_and_attention_sink_features():
    metrics = pa.table({"fire_count": [50, 0, 40, 30, 20, 10], "fire_rate": [0.5, 0.0, 0.4, 0.3, 0.2, 0.1],
                        "max_activation": [300.0, 0.0, 4.0, 5.0, 6.0, 3.0]})
    index = types.SimpleNamespace(metrics=metrics)
    # Feature 0 fires most but peaks at 60x the median (a sink); feature 1 is dead.
    assert choose_features(SteerConfig(top_features=3), index, d_sae=6) == [2, 3, 4]
    assert choose_features(SteerConfig(top_features=3, sink_factor=100), index, d_sae=6) == [0, 2, 3]


def test_steer_eval_resumes_after_a_kill_without_measuring_finished_pairs(tiny_qwen3_dir, run_folder, tmp_path,
                                                                         monkeypatch):
    import saescope.steer.reliability as reliability
    from saescope.steer.progress import PROGRESS_FILE, SteerProgress
    from saescope.steer.run import PROMPTS_FILE, RELIABILITY_FILE, SUMMARY_FILE, steer_eval

    def config(out: Path):
        return load_config(None, {"model.name": str(tiny_qwen3_dir), "model.device": "cpu",
                                  "model.dtype": "float32", "steer.features": [3, 7], "steer.strengths": [0.0, 50.0],
                                  "steer.prompts": 2, "steer.max_new_tokens": 4, "steer.out": str(out)})

    whole = tmp_path / "whole"
    steer_eval(config(whole), run_folder)

    out = tmp_path / "killed"
    real_record = SteerProgress.record

    def record_then_die(self, rows):
        real_record(self, rows)
        if len(self.done()) == 3:
            raise KeyboardInterrupt  # killed during the fourth pair, after three were saved
    monkeypatch.setattr(SteerProgress, "record", record_then_die)
    with pytest.raises(KeyboardInterrupt):
        steer_eval(config(out), run_folder)
    assert (out / PROGRESS_FILE).is_file() and not (out / SUMMARY_FILE).exists()
    monkeypatch.setattr(SteerProgress, "record", real_record)

    measured = []
    real_pair = reliability._measure_pair
    monkeypatch.setattr(reliability, "_measure_pair",
                        lambda lm, sae, hp, prompts, clean, f, s, *a: measured.append((f, s)) or
                        real_pair(lm, sae, hp, prompts, clean, f, s, *a))
    summary = steer_eval(config(out), run_folder)
    assert measured == [(7, 50.0)] and summary["resumed_pairs"] == 3
    assert not (out / PROGRESS_FILE).exists()
    for name in (RELIABILITY_FILE, PROMPTS_FILE):
        assert pq.read_table(out / name).to_pylist() == pq.read_table(whole / name).to_pylist()

    # Progress of other settings is refused, naming what differs.
    SteerProgress(out / PROGRESS_FILE, {"prompts": 5}, []).record([{"feature": 3, "strength": 0.0}])
    with pytest.raises(SteerError, match=r"differs in: .*prompts"):
        steer_eval(config(out), run_folder)


def first_token_by_hand(lm, sae, prompt: torch.Tensor, feature: int, value: float) -> int:
    """The greedy first new token when only the last prompt position's block output moves by value * d_f."""
    d_f = feature_direction(sae, feature)

    def edit(_m, _a, out):
        h = out[0] if isinstance(out, tuple) else out
        h = h.clone()
        h[:, -1] += value * d_f
        return (h, *out[1:]) if isinstance(out, tuple) else h

    handle = lm.model.model.layers[LAYER].register_forward_hook(edit)
    try:
        with torch.no_grad():
            return int(lm.model(input_ids=prompt[None]).logits[0, -1].argmax())
    finally:
        handle.remove()


def test_generated_positions_steer_the_first_generated_token(tiny_qwen3, sae):
    lm = tiny_qwen3
    prompt = chat_prompt_ids(lm.tokenizer, "How do I sort a list?")
    strong = [Intervention(11, 200.0)]
    result = steered_generate(lm, sae, HOOKPOINT, prompt, strong, 4, positions="generated")
    expected = first_token_by_hand(lm, sae, prompt, 11, 200.0)
    assert int(result.steered_ids[0]) == expected
    assert int(result.steered_ids[0]) != int(result.clean_ids[0])  # a strong edit changes the very first token


@pytest.mark.parametrize("positions", ["all", "generated"])
def test_strength_zero_reproduces_the_clean_generation_exactly(tiny_qwen3, sae, positions):
    lm = tiny_qwen3
    prompt = chat_prompt_ids(lm.tokenizer, "Tell me a riddle")
    zero = [Intervention(11, 0.0), Intervention(40, 0.0)]
    result = steered_generate(lm, sae, HOOKPOINT, prompt, zero, 8, positions=positions, temperature=1.0, seed=5)
    assert result.steered_ids.tolist() == result.clean_ids.tolist() and result.steered_text == result.clean_text


def test_ablate_zeroes_the_feature_and_several_features_add_up(tiny_qwen3, sae):
    model = tiny_qwen3.model
    clean = hookpoint_output(model, IDS)
    code = sae.encode(clean[0])  # the features firing at each position
    feature = int(code.indices[3, code.values[3].argmax()])
    assert float(feature_activation(sae, clean[0, 3], feature)) > 0
    with steering(model, HOOKPOINT, sae, [Intervention(feature, 123.0, "ablate")]):  # the value is ignored
        ablated = hookpoint_output(model, IDS)
    assert float(feature_activation(sae, ablated[0, 3], feature)) == pytest.approx(0.0, abs=1e-4)
    z = sae.encode_dense(clean[0, 3])
    torch.testing.assert_close(ablated[0, 3] - clean[0, 3], -z[feature] * feature_direction(sae, feature),
                               atol=1e-4, rtol=1e-4)
    pair = [Intervention(7, 2.0), Intervention(30, -1.5)]
    with steering(model, HOOKPOINT, sae, pair):
        both = hookpoint_output(model, IDS)
    expected = clean + 2.0 * feature_direction(sae, 7) - 1.5 * feature_direction(sae, 30)
    torch.testing.assert_close(both, expected, atol=1e-5, rtol=1e-5)


def test_judgeable_features_read_as_words():
    from saescope.steer.choose import choose_features as choose

    metrics = pa.table({"fire_count": [50, 40, 30, 20, 10], "fire_rate": [0.5, 0.4, 0.3, 0.2, 0.1],
                        "max_activation": [4.0, 5.0, 6.0, 3.0, 4.0]})
    tokens = {0: ["\n", "\n", " the"], 1: [" river", " lake", "ocean"], 2: [" castle", " tower", "<|im_end|>"],
              3: [" cat", " dog", "\u0120"], 4: [" apple", " pear", " plum"]}
    lens = {1: ["water", " stream", " flow"], 2: [",", ".", "ing"], 3: [" pet", " kitten", " puppy"],
            4: ["fruit", " juice", "!!"]}
    special = {2: [False, False, True]}

    class Index:
        folder = "idx"

        def __init__(self):
            self.metrics = metrics

        def examples(self, f):
            return [{"token": t, "special": s} for t, s in zip(tokens[f], special.get(f, [False] * 3), strict=True)]

        def has(self, name):
            return name == "logits"

        def logits(self, f):
            return {"promoted": [{"token": t} for t in lens.get(f, [])], "suppressed": []}

    index = Index()
    # 0: newlines; 2: 2/3 words but its promoted tokens are fragments; 3: 2/3 words and word tokens promoted.
    assert choose(SteerConfig(select="judgeable", top_features=3), index, d_sae=5) == [1, 3, 4]
    assert choose(SteerConfig(select="frequent", top_features=3), index, d_sae=5) == [0, 1, 2]
    tokens[1] = tokens[3] = tokens[4] = ["\n"] * 3
    with pytest.raises(SteerError, match="no judgeable feature in idx"):
        choose(SteerConfig(select="judgeable"), index, d_sae=5)
