"""Core-plus throughput: scored tokens/s with the SAE spliced in (clean, SAE and zero continuations from one
shared prefix) against one plain forward of the model over the same tokens, measured side by side.

A ratio of plain / core-plus time below 3 means the layers below the hookpoint are computed once, not three
times. Uses the demo release when present (`make demo`), else a random SAE of the demo's shape.

    .venv/bin/python bench/eval.py [--conversations 16] [--hookpoint layers.19]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import torch

from saescope.config.schema import DataConfig, ModelConfig
from saescope.data.conversations import iter_conversations
from saescope.data.templating import tokenize_conversation
from saescope.eval.coreplus import core_plus
from saescope.eval.splice import spliced
from saescope.lm.batching import padded_batch, plan_batches
from saescope.lm.loading import load_model
from saescope.release.load import load_sae
from saescope.sae.model import TopKSae

RELEASE = Path("runs/demo/release")


@torch.no_grad()
def spliced_forward(lm, items, batch_tokens: int, hookpoint: str, reconstruct) -> None:
    """The three continuations' forward alone, without scoring: isolates the prefix sharing."""
    lengths = [len(t) for t in items]
    for batch in plan_batches(lengths, batch_tokens):
        ids, mask = padded_batch([items[i].token_ids for i in batch], 0)
        with spliced(lm.model, hookpoint, reconstruct):
            lm.model(input_ids=ids, attention_mask=mask, use_cache=False)


@torch.no_grad()
def plain_forward(lm, items, batch_tokens: int) -> None:
    lengths = [len(t) for t in items]
    for batch in plan_batches(lengths, batch_tokens):
        ids, mask = padded_batch([items[i].token_ids for i in batch], 0)
        lm.model(input_ids=ids, attention_mask=mask, use_cache=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--hookpoint", default="layers.19")
    parser.add_argument("--batch-tokens", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    lm = load_model(ModelConfig(device="cpu"))
    sae = load_sae(RELEASE)[0] if RELEASE.is_dir() else TopKSae(lm.d_model, 8 * lm.d_model, 32)
    items = [tokenize_conversation(lm.tokenizer, c.messages, 256)
             for c in iter_conversations(DataConfig(max_conversations=args.conversations))]
    n_tokens = sum(len(t) for t in items)

    def reconstruct(h: torch.Tensor) -> torch.Tensor:
        return sae(h.float()).x_hat

    def spliced() -> None:
        core_plus(lm, args.hookpoint, reconstruct, items, args.batch_tokens)

    plain_forward(lm, items[:2], args.batch_tokens)  # warm-up
    ours, forward_only, plain = [], [], []
    for _ in range(args.repeats):
        t = time.perf_counter()
        spliced()
        ours.append(time.perf_counter() - t)
        t = time.perf_counter()
        spliced_forward(lm, items, args.batch_tokens, args.hookpoint, reconstruct)
        forward_only.append(time.perf_counter() - t)
        t = time.perf_counter()
        plain_forward(lm, items, args.batch_tokens)
        plain.append(time.perf_counter() - t)
    print(f"SmolLM2-135M-Instruct, SAE at {args.hookpoint} ({'demo release' if RELEASE.is_dir() else 'random'}), "
          f"{len(items)} conversations, {n_tokens} tokens, {torch.get_num_threads()} threads")
    print(f"  core-plus (clean + SAE + zero, one prefix): {n_tokens / min(ours):9,.0f} tokens/s")
    print(f"  one plain forward:                          {n_tokens / min(plain):9,.0f} tokens/s")
    print(f"  core-plus time / plain forward time: {min(ours) / min(plain):.2f}x  (target below 3)")
    print(f"  spliced forward alone (no scoring) / plain forward: {min(forward_only) / min(plain):.2f}x  "
          "(below 3 means the prefix is shared; the rest is fp32 scoring over the vocabulary)")


if __name__ == "__main__":
    main()
