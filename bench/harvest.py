"""Harvest throughput: saescope's path against the plain way, measured side by side in one run.

saescope: bf16 weights, forward stopped after the hookpoint by a hook, activations sliced per record
and written as a committed shard. Plain: an fp32 forward of the whole model with
output_hidden_states=True over the same padded batches. Prints tokens/s of each, their ratio, and the
bytes per token the dataset takes on disk.

    .venv/bin/python bench/harvest.py [--conversations 48] [--hookpoint layers.19]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import torch

from saescope.config.hookpoints import hookpoint_label, parse_hookpoint
from saescope.config.schema import DataConfig, ModelConfig, SaescopeConfig
from saescope.data.conversations import iter_conversations
from saescope.data.templating import tokenize_conversation
from saescope.harvest.run import harvest_activations
from saescope.harvest.shards import build_shard, commit_shard
from saescope.lm.batching import padded_batch, plan_batches
from saescope.lm.loading import load_model
from saescope.utils.precision import dtype_name


def plain_forward(lm, pending, batch_tokens: int, layer: int) -> None:
    lengths = [len(tok) for _, tok in pending]
    for batch in plan_batches(lengths, batch_tokens):
        ids, mask = padded_batch([pending[i][1].token_ids for i in batch], 0)
        with torch.no_grad():
            out = lm.model(input_ids=ids, attention_mask=mask, output_hidden_states=True)
        kept = out.hidden_states[layer + 1].cpu()
        del kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=48)
    parser.add_argument("--hookpoint", default="layers.19")
    parser.add_argument("--batch-tokens", type=int, default=4096)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)

    cfg = SaescopeConfig.model_validate({
        "data": {"max_conversations": args.conversations, "max_tokens_per_conversation": 512},
        "harvest": {"hookpoints": [args.hookpoint], "batch_tokens": args.batch_tokens},
    })
    fast = load_model(ModelConfig(dtype="bfloat16", device="cpu"))
    plain = load_model(ModelConfig(dtype="float32", device="cpu"))
    conversations = list(iter_conversations(DataConfig(max_conversations=args.conversations,
                                                       max_tokens_per_conversation=512)))
    pending = [(c, tokenize_conversation(fast.tokenizer, c.messages, 512)) for c in conversations]
    n_tokens = sum(len(tok) for _, tok in pending)
    label = hookpoint_label(args.hookpoint)

    def saescope_path(out: Path) -> None:
        items = harvest_activations(fast, pending, [args.hookpoint], cfg)
        tensors, metadata = build_shard(items, [label])
        commit_shard(out, 0, 0, tensors, metadata)

    with tempfile.TemporaryDirectory() as tmp:
        shards = Path(tmp) / "shards"
        shards.mkdir()
        saescope_path(shards)  # warm-up
        plain_forward(plain, pending[:4], args.batch_tokens, parse_hookpoint(args.hookpoint))
        ours, theirs = [], []
        for _ in range(args.repeats):  # interleaved so both see the same machine state
            t = time.perf_counter()
            saescope_path(shards)
            ours.append(time.perf_counter() - t)
            t = time.perf_counter()
            plain_forward(plain, pending, args.batch_tokens, parse_hookpoint(args.hookpoint))
            theirs.append(time.perf_counter() - t)
        disk = sum(p.stat().st_size for p in shards.iterdir())

    ours_tps, plain_tps = n_tokens / min(ours), n_tokens / min(theirs)
    print(f"SmolLM2-135M-Instruct at {args.hookpoint}, {len(pending)} conversations, {n_tokens} tokens, "
          f"{torch.get_num_threads()} threads")
    ran = dtype_name(fast.dtype)  # float32 where this CPU has no native bf16
    print(f"  saescope harvest (bf16 requested, {ran} ran; early exit, shard written): {ours_tps:10,.0f} tokens/s")
    print(f"  plain fp32 forward, output_hidden_states:                                {plain_tps:10,.0f} tokens/s")
    print(f"  ratio saescope / plain: {ours_tps / plain_tps:.2f}x   (target >= 3x)")
    print(f"  on disk: {disk / n_tokens:,.0f} bytes per token (d_model {fast.d_model}, bf16, with record and "
          "conversation token tables)")


if __name__ == "__main__":
    main()
