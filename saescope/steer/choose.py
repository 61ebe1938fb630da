"""Which features `saescope steer-eval` measures when steer.features is not given, chosen from index evidence.

"frequent": the most frequently firing live features, leaving out attention-sink features (on SmolLM2 those fire
on the first template token with ~25x the median max activation, and any steering along them wrecks the output).

"judgeable": among those, only features a person can check by reading a continuation: at least `WORD_SHARE` of
the feature's top examples fire on a word token (letters only once stripped, at least `MIN_LETTERS` of them, not
a special token), and, where the index has the logit lens, at least `WORD_SHARE` of its promoted tokens are words
too (steering then writes words, not byte fragments or punctuation whose change nothing measures).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from saescope.config.schema import SteerConfig
from saescope.index.reader import ReverseIndex
from saescope.steer.intervene import SteerError

WORD_SHARE = 0.6
MIN_LETTERS = 3
LENS_TOKENS = 10  # promoted tokens read per feature


def is_word(token: str | None) -> bool:
    text = (token or "").strip()
    return len(text) >= MIN_LETTERS and text.isalpha()


def word_share(tokens: list[str | None], special: list[bool | None] | None = None) -> float:
    """The share of `tokens` that are words (special tokens never are); 0 for none."""
    if not tokens:
        return 0.0
    special = special or [False] * len(tokens)
    return sum(is_word(t) and not s for t, s in zip(tokens, special, strict=True)) / len(tokens)


def readable(index: ReverseIndex, feature: int) -> bool:
    """Whether the feature's top examples and promoted tokens are mostly words (see the module's docstring)."""
    examples = index.examples(feature)
    if word_share([e["token"] for e in examples], [e.get("special") for e in examples]) < WORD_SHARE:
        return False
    lens = index.logits(feature) if index.has("logits") else None
    if lens is None:
        return True
    return word_share([r["token"] for r in lens["promoted"][:LENS_TOKENS]]) >= WORD_SHARE


def frequent_order(metrics: pa.Table, sink_factor: float) -> list[int]:
    """Live, non-sink features by fire rate, highest first (ties by id)."""
    count = metrics["fire_count"].to_numpy()
    peak = metrics["max_activation"].to_numpy()
    live = count > 0
    if not live.any():
        raise SteerError("the reverse index has no live feature to evaluate")
    ceiling = sink_factor * float(np.median(peak[live]))
    order = np.argsort(-metrics["fire_rate"].to_numpy(), kind="stable")
    return [int(f) for f in order if live[f] and peak[f] <= ceiling]


def choose_features(cfg: SteerConfig, index: ReverseIndex | None, d_sae: int) -> list[int]:
    """steer.features (checked), else top_features of the index chosen by steer.select."""
    if cfg.features is not None:
        bad = [f for f in cfg.features if not 0 <= f < d_sae]
        if bad:
            raise SteerError(f"feature {bad[0]} out of range: the SAE has d_sae={d_sae} features "
                             f"(valid ids 0 … {d_sae - 1})")
        return list(cfg.features)
    if index is None:
        raise SteerError("no features to evaluate: set steer.features, or steer.index to take its most frequent ones")
    order = frequent_order(index.metrics, cfg.sink_factor)
    if cfg.select == "frequent":
        return order[: cfg.top_features]
    chosen: list[int] = []
    for f in order:  # the frequent end first: a steered feature that fires often is measured on most prompts
        if readable(index, f):
            chosen.append(f)
            if len(chosen) == cfg.top_features:
                break
    if not chosen:
        raise SteerError(f"no judgeable feature in {index.folder}: none has top examples and promoted tokens that "
                         "are mostly words; use steer.select: frequent or list steer.features")
    return chosen
