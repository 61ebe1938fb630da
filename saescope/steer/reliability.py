"""How reliably a feature steers: generate clean and steered continuations of prompts (the first user turns of
the data section), then read both back with the CLEAN model and the SAE.

Per continuation (its tokens only): fire_rate = fraction of tokens where the feature is in the SAE's top-k with
a value > 0, mean_act = mean z_f (0 where it does not fire), ce = the clean model's mean next-token
cross-entropy of the continuation. A prompt succeeds when fire_rate_steered - fire_rate_clean >= min_fire_gain
and ce_steered - ce_clean <= max_ce_increase; a feature x strength's reliability is the fraction of successes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch

from saescope.config.schema import DataConfig, SteerConfig
from saescope.data.conversations import iter_conversations
from saescope.index.reader import ReverseIndex
from saescope.lm.hookpoints import block_output, check_hookpoints, decoder_layers
from saescope.lm.loading import LoadedModel
from saescope.sae.model import TopKSae
from saescope.steer.choose import choose_features  # noqa: F401 (diagnostics import it from here)
from saescope.steer.generate import chat_prompt_ids, generate_ids
from saescope.steer.intervene import Intervention, SteerError, steering


@dataclass
class Prompt:
    conversation_id: str
    text: str  # the user turn
    ids: torch.Tensor  # long [P], chat-templated with the generation prompt


@dataclass
class Reading:
    """What the clean model and the SAE make of one continuation, for each measured feature."""

    fire_rate: dict[int, float]
    mean_act: dict[int, float]
    ce: float


def first_user_turn(messages: list[dict[str, str]]) -> list[dict[str, str]] | None:
    """The messages before the first assistant turn, when they end with a user turn."""
    cut = next((i for i, m in enumerate(messages) if m["role"] == "assistant"), len(messages))
    head = messages[:cut]
    return head if head and head[-1]["role"] == "user" else None


def data_prompts(lm: LoadedModel, data: DataConfig, n: int, max_tokens: int) -> list[Prompt]:
    """The first n usable conversations of the data section (core-plus takes the first ones too), cut at the
    first assistant turn; conversations whose prompt exceeds max_tokens are skipped."""
    prompts: list[Prompt] = []
    for conv in iter_conversations(data):
        head = first_user_turn(conv.messages)
        if head is None:
            continue
        ids = chat_prompt_ids(lm.tokenizer, head)
        if len(ids) <= max_tokens:
            prompts.append(Prompt(conv.conversation_id, head[-1]["content"], ids))
        if len(prompts) == n:
            break
    if not prompts:
        raise SteerError(f"no usable prompt in {data.source}: no conversation starts with a user turn of at most "
                         f"{max_tokens} templated tokens (steer.max_prompt_tokens)")
    return prompts


def steering_value(strength: float, feature: int, index: ReverseIndex | None) -> float:
    """Strength in units of the feature's max activation in the index, or absolute without one."""
    return strength if index is None else strength * float(index.feature(feature)["max_activation"])


@torch.no_grad()
def read_continuation(lm: LoadedModel, sae: TopKSae, hookpoint: str, prompt_ids: torch.Tensor,
                      continuation: torch.Tensor, features: Sequence[int]) -> Reading:
    """One clean forward over prompt + continuation: the SAE's code and the CE on the continuation's tokens."""
    (index,) = check_hookpoints(lm.model, [hookpoint])
    captured: dict[str, torch.Tensor] = {}
    handle = decoder_layers(lm.model)[index].register_forward_hook(
        lambda _m, _a, out: captured.__setitem__("h", block_output(out)))
    try:
        ids = torch.cat([prompt_ids, continuation])[None].to(lm.device)
        logits = lm.model(input_ids=ids, use_cache=False).logits[0]
    finally:
        handle.remove()
    start, n = len(prompt_ids), len(continuation)
    code = sae.encode(captured["h"][0, start : start + n].float())
    # Logits at position t predict token t+1: the continuation is predicted from start-1 .. start+n-2.
    logprobs = torch.log_softmax(logits[start - 1 : start + n - 1].float(), dim=-1)
    ce = float(-logprobs.gather(-1, continuation[:, None].to(logprobs.device)).mean())
    fire_rate, mean_act = {}, {}
    for f in features:
        match = code.indices == f
        fire_rate[f] = float((match & (code.values > 0)).any(-1).float().mean())
        mean_act[f] = float((code.values * match).sum(-1).mean())
    return Reading(fire_rate, mean_act, ce)


def prompt_row(feature: int, strength: float, value: float, prompt_index: int, prompt: Prompt, clean: Reading,
               steered: Reading, texts: tuple[str, str], cfg: SteerConfig) -> dict[str, object]:
    fire_gain = steered.fire_rate[feature] - clean.fire_rate[feature]
    ce_increase = steered.ce - clean.ce
    return {
        "feature": feature, "strength": strength, "value": value, "prompt_index": prompt_index,
        "conversation_id": prompt.conversation_id, "prompt": prompt.text,
        "clean_text": texts[0], "steered_text": texts[1],
        "fire_rate_clean": clean.fire_rate[feature], "fire_rate_steered": steered.fire_rate[feature],
        "mean_act_clean": clean.mean_act[feature], "mean_act_steered": steered.mean_act[feature],
        "ce_clean": clean.ce, "ce_steered": steered.ce,
        "success": fire_gain >= cfg.min_fire_gain and ce_increase <= cfg.max_ce_increase,
    }


METRICS = ("fire_rate_clean", "fire_rate_steered", "mean_act_clean", "mean_act_steered", "ce_clean", "ce_steered")


def feature_row(rows: list[dict[str, object]], cfg: SteerConfig) -> dict[str, object]:
    """One feature x strength: reliability and the means over its prompts, with the settings beside them."""
    first = rows[0]
    means = {name: float(np.mean([r[name] for r in rows])) for name in METRICS}
    return {
        "feature": first["feature"], "strength": first["strength"], "value": first["value"],
        "reliability": float(np.mean([r["success"] for r in rows])), "prompts": len(rows),
        **means,
        "fire_gain": means["fire_rate_steered"] - means["fire_rate_clean"],
        "ce_increase": means["ce_steered"] - means["ce_clean"],
        "changed": float(np.mean([r["clean_text"] != r["steered_text"] for r in rows])),
        "mode": cfg.mode, "positions": cfg.positions, "max_new_tokens": cfg.max_new_tokens,
        "min_fire_gain": cfg.min_fire_gain, "max_ce_increase": cfg.max_ce_increase,
        "strength_unit": "max_activation" if cfg.index else "absolute",
    }


@dataclass
class ReliabilityResult:
    features: list[dict[str, object]]  # one row per feature x strength
    prompts: list[dict[str, object]]  # one row per feature x strength x prompt

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


def measure_reliability(lm: LoadedModel, sae: TopKSae, hookpoint: str, prompts: Sequence[Prompt],
                        features: Sequence[int], cfg: SteerConfig, index: ReverseIndex | None = None,
                        progress=None, done: Mapping[tuple[int, float], list[dict[str, Any]]] | None = None,
                        record: Callable[[list[dict[str, Any]]], None] | None = None) -> ReliabilityResult:
    """Clean continuations are generated and read once per prompt (they do not depend on the feature); each
    feature x strength x prompt then costs one steered generation and one clean read.

    `done` holds the prompt rows of pairs finished by an earlier, interrupted run (they are not measured
    again); `record` receives each newly finished pair's prompt rows, before the next pair starts.
    """
    if not features:
        raise SteerError("no features to evaluate (the index has no live feature?)")
    done = done or {}
    clean = []  # needed only while a pair remains to be measured
    for prompt in prompts if any((f, float(s)) not in done for f in features for s in cfg.strengths) else []:
        ids = generate_ids(lm, prompt.ids, cfg.max_new_tokens)
        clean.append((ids, read_continuation(lm, sae, hookpoint, prompt.ids, ids, features)))
    feature_rows, prompt_rows = [], []
    for feature in features:
        for strength in cfg.strengths:
            rows = done.get((feature, float(strength)))
            if rows is None:
                rows = _measure_pair(lm, sae, hookpoint, prompts, clean, feature, strength, cfg, index, progress)
                if record is not None:
                    record(rows)
            elif progress is not None:
                progress.update(len(rows))
            prompt_rows += rows
            feature_rows.append(feature_row(rows, cfg))
    return ReliabilityResult(feature_rows, prompt_rows)


def _measure_pair(lm: LoadedModel, sae: TopKSae, hookpoint: str, prompts: Sequence[Prompt],
                  clean: list[tuple[torch.Tensor, Reading]], feature: int, strength: float, cfg: SteerConfig,
                  index: ReverseIndex | None, progress) -> list[dict[str, Any]]:
    """One feature x strength over every prompt: a steered generation and a clean read of it each."""
    value = steering_value(strength, feature, index)
    rows = []
    for i, prompt in enumerate(prompts):
        iv = [Intervention(feature, value, cfg.mode)]
        with steering(lm.model, hookpoint, sae, iv, cfg.positions, prompt_length=len(prompt.ids)):
            steered_ids = generate_ids(lm, prompt.ids, cfg.max_new_tokens)
        steered = read_continuation(lm, sae, hookpoint, prompt.ids, steered_ids, [feature])
        texts = (lm.tokenizer.decode(clean[i][0], skip_special_tokens=True),
                 lm.tokenizer.decode(steered_ids, skip_special_tokens=True))
        rows.append(prompt_row(feature, strength, value, i, prompt, clean[i][1], steered, texts, cfg))
        if progress is not None:
            progress.update(1)
    return rows
