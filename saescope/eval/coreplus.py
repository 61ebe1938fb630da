"""Core-plus: next-token cross-entropy and KL with the SAE's reconstruction spliced into the model.

    ce_score = (CE_zero - CE_sae) / (CE_zero - CE_clean)        kl_score = 1 - KL(clean||sae) / KL(clean||zero)

over the scored next-token predictions of real chat-templated conversations, computed in the same batches,
log_softmax in float32.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch

from saescope.data.templating import ROLE_CODES, TokenizedConversation
from saescope.eval.splice import VARIANTS, spliced
from saescope.lm.batching import padded_batch, plan_batches
from saescope.lm.loading import LoadedModel

ScoreTokens = Literal["all", "assistant"]


@dataclass
class CorePlusResult:
    ce_clean: float
    ce_sae: float
    ce_zero: float
    kl_sae: float
    kl_zero: float
    tokens: int
    options: dict[str, object] = field(default_factory=dict)

    @property
    def ce_score(self) -> float:
        return (self.ce_zero - self.ce_sae) / (self.ce_zero - self.ce_clean)

    @property
    def kl_score(self) -> float:
        return 1.0 - self.kl_sae / self.kl_zero

    def to_dict(self) -> dict[str, object]:
        return {"ce_score": self.ce_score, "kl_score": self.kl_score, "tokens": self.tokens,
                "ce_clean": self.ce_clean, "ce_sae": self.ce_sae, "ce_zero": self.ce_zero,
                "kl_sae": self.kl_sae, "kl_zero": self.kl_zero, "options": self.options}


def scored_positions(tokens: TokenizedConversation, score_tokens: ScoreTokens) -> np.ndarray:
    """Positions t whose prediction of token t+1 is scored."""
    targets = np.arange(1, len(tokens))
    if score_tokens == "assistant":
        targets = targets[tokens.roles[targets] == ROLE_CODES["assistant"]]
    return targets - 1


def _scored_sums(clean: torch.Tensor, variants: dict[str, torch.Tensor], targets: torch.Tensor,
                 chunk: int = 256) -> dict[str, float]:
    """Summed CE of every variant and KL(clean || variant) over rows of logits, in float32 chunks.

    With lse = logsumexp: CE = lse - logit[target] and KL(c || v) = sum p_c (c - v) - lse_c + lse_v (the
    log-probabilities never need writing out), so each chunk costs a few passes over the vocabulary.
    """
    sums = {f"ce_{name}": 0.0 for name in ("clean", *variants)} | {f"kl_{name}": 0.0 for name in variants}
    for start in range(0, len(clean), chunk):
        target = targets[start : start + chunk]
        c = clean[start : start + chunk].float()
        lse_c = torch.logsumexp(c, dim=-1)
        p_c = torch.exp(c - lse_c[:, None])
        sums["ce_clean"] += float((lse_c - c.gather(-1, target)[:, 0]).double().sum())
        for name, logits in variants.items():
            v = logits[start : start + chunk].float()
            lse_v = torch.logsumexp(v, dim=-1)
            sums[f"ce_{name}"] += float((lse_v - v.gather(-1, target)[:, 0]).double().sum())
            kl = (p_c * (c - v)).sum(-1) - lse_c + lse_v
            sums[f"kl_{name}"] += float(kl.double().sum())
    return sums


@torch.no_grad()
def core_plus(
    lm: LoadedModel, hookpoint: str, reconstruct: Callable[[torch.Tensor], torch.Tensor],
    conversations: Iterable[TokenizedConversation], batch_tokens: int = 2048,
    score_tokens: ScoreTokens = "all", keep_special: bool = True,
) -> CorePlusResult:
    items = list(conversations)
    special = torch.tensor(sorted(set(lm.tokenizer.all_special_ids)), dtype=torch.long)
    pad_id = lm.tokenizer.pad_token_id if lm.tokenizer.pad_token_id is not None else 0
    sums = dict.fromkeys(("ce_clean", "ce_sae", "ce_zero", "kl_sae", "kl_zero"), 0.0)
    tokens = 0
    lengths = [len(it) for it in items]
    for batch in plan_batches(lengths, batch_tokens):
        ids, mask = padded_batch([items[i].token_ids for i in batch], pad_id)
        scored = torch.zeros(ids.shape, dtype=torch.bool)
        for row, i in enumerate(batch):
            scored[row, torch.from_numpy(scored_positions(items[i], score_tokens))] = True
        keep = torch.isin(ids, special) & mask.bool() if keep_special else None
        with spliced(lm.model, hookpoint, reconstruct, keep):
            logits = lm.model(input_ids=ids.to(lm.device), attention_mask=mask.to(lm.device), use_cache=False).logits
        # Only scored positions are scored: padding and unscored rows would be wasted vocabulary work.
        where = scored[:, :-1].to(lm.device)
        targets = ids[:, 1:].to(lm.device)[where][:, None]
        clean, sae, zero = (logits[i * len(batch) : (i + 1) * len(batch), :-1][where] for i in range(len(VARIANTS)))
        for name, value in _scored_sums(clean, {"sae": sae, "zero": zero}, targets).items():
            sums[name] += value
        tokens += int(where.sum())
    if tokens == 0:
        raise ValueError("no tokens to score: the conversations are empty or have no scored tokens")
    means = {k: v / tokens for k, v in sums.items()}
    return CorePlusResult(**means, tokens=tokens, options={"score_tokens": score_tokens,
                                                          "keep_special_tokens": keep_special,
                                                          "batch_tokens": batch_tokens})
