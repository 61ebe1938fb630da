"""Per-token shading of example windows, computed when a page asks, from the harvested activations the index
was built from and its SAE (no LLM): each window's records are read back from the dataset's shards and encoded
with the SAE exactly as the index encoded them, so the firing token's value equals the example's activation.

The index's summary names the dataset (`activations`) and the SAE (`sae`); the tokenizer (the explorer's model
config) splits each window into tokens. When any of them is missing the page says why and shows plain text."""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from saescope.config.schema import ModelConfig
from saescope.errors import SaescopeError

MAX_SHADED = 24  # examples shaded per page: each costs ~2 x context_tokens SAE encodings
CACHE_FEATURES = 64


def token_pieces(tokenizer: Any, ids: list[int]) -> list[str]:
    """Each token's text as it reads in the window: the growth of the decoded prefix, so a character split
    over several byte tokens shows once, on the token that completes it."""
    pieces, before = [], ""
    for i in range(len(ids)):
        text = tokenizer.decode(ids[: i + 1])
        pieces.append(text[len(before):] if text.startswith(before) else tokenizer.decode(ids[i : i + 1]))
        before = text
    return pieces


class Shader:
    def __init__(self, summary: dict[str, Any], model: ModelConfig) -> None:
        self.summary, self.model_cfg = summary, model
        self._loaded: tuple[Any, Any, Any, str] | None = None
        self._cache: OrderedDict[tuple[int, str], list[dict[str, Any]]] = OrderedDict()
        self.reason = self._why_not()

    def _why_not(self) -> str | None:
        for key in ("activations", "sae"):
            where = self.summary.get(key)
            if not where or not Path(where).exists():
                return f"the index's {key} ({where}) is not on this machine"
        return None

    def _load(self) -> tuple[Any, Any, Any, str]:
        if self._loaded is None:
            from saescope.harvest.dataset import ActivationDataset
            from saescope.lm.loading import load_tokenizer
            from saescope.release.select import load_sae_or_run

            dataset = ActivationDataset.open(self.summary["activations"])
            _, sae, _ = load_sae_or_run(self.summary["sae"])
            sha = self.summary.get("sae_weights_sha256")
            if sha and sae.weights_sha256() != sha:
                raise ValueError(f"the SAE at {self.summary['sae']} is not the one this index was built with")
            tokenizer = load_tokenizer(self.model_cfg)
            self._loaded = (dataset, sae.eval(), tokenizer, dataset.label_of(self.summary["hookpoint"]))
        return self._loaded

    def shade(self, feature: int, examples: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
        """The examples with `tokens` ([{text, act, fire}] across the window) added where they can be shaded."""
        if self.reason is not None or not examples:
            return examples
        key = (feature, kind)
        if key not in self._cache:
            try:
                self._cache[key] = self._shade(feature, examples[:MAX_SHADED]) + examples[MAX_SHADED:]
            except (SaescopeError, OSError, ValueError, KeyError) as e:  # shading off; the page still shows
                self.reason = f"shading is off: {e}"
                return examples
            if len(self._cache) > CACHE_FEATURES:
                self._cache.popitem(last=False)
        return self._cache[key]

    def _shade(self, feature: int, examples: list[dict[str, Any]]) -> list[dict[str, Any]]:
        import torch

        from saescope.index.build import encode_sparse

        dataset, sae, tokenizer, label = self._load()
        windows = [self._window(dataset, label, ex) for ex in examples]
        rows = [w for w in windows if w is not None]
        if not rows:
            return examples
        acts = torch.cat([w[0] for w in rows]).float()
        indices, values = encode_sparse(sae, acts)
        z = ((indices == feature) * values).sum(-1).tolist()
        out, at = [], 0
        for ex, window in zip(examples, windows, strict=True):
            if window is None:
                out.append(ex)
                continue
            ids = [*(ex.get("context_before_ids") or []), ex["token_id"], *(ex.get("context_after_ids") or [])]
            fire = len(ex.get("context_before_ids") or [])
            texts = token_pieces(tokenizer, ids)
            tokens = [{"text": t, "act": z[at + i], "fire": i == fire} for i, t in enumerate(texts)]
            at += len(ids)
            out.append(ex | {"tokens": tokens})
        return out

    @staticmethod
    def _window(dataset: Any, label: str, ex: dict[str, Any]) -> tuple[Any, int] | None:
        """The window's activations [n, d_model] when its records are the conversation's consecutive positions
        (else None: that example is shown unshaded)."""
        import torch

        from saescope.harvest.format import acts_key

        before, after = len(ex.get("context_before_ids") or []), len(ex.get("context_after_ids") or [])
        start, stop = ex["record"] - before, ex["record"] + after + 1
        if start < 0 or stop > dataset.num_records:
            return None
        parts, positions, convs = [], [], []
        record = start
        while record < stop:
            shard_i, row = dataset.locate(record)
            shard = dataset.shard(shard_i)
            n = min(stop - record, dataset.shard_entries[shard_i]["rows"] - row)
            parts.append(shard.get(acts_key(label), row, row + n))
            positions += shard.get("record.position", row, row + n).tolist()
            convs += shard.get("record.conversation", row, row + n).tolist()
            record += n
        first = ex["position"] - before
        if positions != list(range(first, first + stop - start)) or set(convs) != {ex["conversation"]}:
            return None
        return torch.cat(parts), start
