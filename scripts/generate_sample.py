#!/usr/bin/env python
"""Have the embedded model (SmolLM2-135M-Instruct, offline, on the CPU) answer the sample's spare questions.

scripts/build_sample.py uses each hand-written scenario once, with its first phrasing of the question
(scripts/sample_text/README.md). The other phrasings of the English scenarios are spare: this script gives
them to the embedded model and stores its answers in scripts/sample_text/generated.json, which
build_sample.py turns into single-turn conversations. Nothing is generated at demo time: the answers are
committed with the text, and build_sample.py only reads them.

Sampling: temperature 0.7, top_p 0.9, repetition_penalty 1.15, no_repeat_ngram_size 4, at most
MAX_NEW_TOKENS new tokens (an answer cut at the limit is trimmed back to its last full sentence).
Prompts go in fixed batches of BATCH, in a fixed order, and batch i is sampled after
torch.manual_seed(SEED + i), in float32 on one CPU thread, so a rerun on the same torch/transformers gives
the same text; `--limit N` answers, and writes, only the first N prompts (the first batches, unchanged). Answers already
in the output file for the same prompt, settings and batch are kept (an interrupted run resumes).

    nice -n 19 .venv/bin/python scripts/generate_sample.py [--limit N] [--list]

The shipped generated.json: 444 answers, 83,840 new tokens in 28 batches, 24 minutes of generation at
~59 tokens/s (one thread, nice 19, on a 2-core machine with one core taken by other work; with both cores
busy it fell to ~8 tokens/s). Regenerating one batch reproduced it exactly.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

TEXT = Path(__file__).resolve().parent / "sample_text"
OUT = TEXT / "generated.json"
SEED = 20_261_202
BATCH = 16
MAX_NEW_TOKENS = 224
SAMPLING = {"do_sample": True, "temperature": 0.7, "top_p": 0.9, "repetition_penalty": 1.15,
            "no_repeat_ngram_size": 4}
SKIP_FAMILIES = {"short", "riddles", "roleplay"}  # plain families: greetings, riddles and role play keep theirs
_END = re.compile(r"[.!?…)\]`*]\s")


def prompts() -> list[tuple[str, str]]:
    """(family, question): the spare phrasings (all but the first) of every English scenario, in plan order,
    then the new questions of prompts.json."""
    plan = json.loads((TEXT / "plan.json").read_text(encoding="utf-8"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from build_sample import T, txt  # the same reflowing as the builder

    out: list[tuple[str, str]] = []
    for family, entry in plan["families"].items():
        path = TEXT / "scenarios" / f"{family}.json"
        if entry["language"] != "English" or family in SKIP_FAMILIES or not path.exists():
            continue
        for spec in json.loads(path.read_text(encoding="utf-8")):
            out += [(family, T(txt(q))) for q in spec["q"][1:] if "{NAME" not in txt(q)]
    new = json.loads((TEXT / "prompts.json").read_text(encoding="utf-8"))["prompts"]
    return out + [(family, q) for family, q in new]


def trim(text: str, cut: bool) -> str:
    """The answer, stripped; one cut at the token limit loses its unfinished last sentence."""
    text = text.strip()
    if cut:
        ends = [m.end() for m in _END.finditer(text + " ")]
        text = text[: ends[-1]].strip() if ends else text
    return text


def generate(batch: list[str], index: int, lm) -> list[str]:
    import torch

    tok = lm.tokenizer
    texts = [tok.apply_chat_template([{"role": "user", "content": q}], tokenize=False, add_generation_prompt=True)
             for q in batch]
    enc = tok(texts, return_tensors="pt", padding=True, add_special_tokens=False)
    torch.manual_seed(SEED + index)
    with torch.no_grad():
        out = lm.model.generate(**enc, max_new_tokens=MAX_NEW_TOKENS, pad_token_id=tok.pad_token_id, **SAMPLING)
    answers = []
    for row in out[:, enc["input_ids"].shape[1]:]:
        ids = row.tolist()
        cut = tok.eos_token_id not in ids
        ids = ids[: ids.index(tok.eos_token_id)] if not cut else ids
        answers.append(trim(tok.decode(ids, skip_special_tokens=True), cut))
    return answers


def main(argv: list[str]) -> None:
    todo = prompts()
    if "--list" in argv:
        print(f"{len(todo)} prompts")
        return
    if "--limit" in argv:
        todo = todo[: int(argv[argv.index("--limit") + 1])]
    settings = {"seed": SEED, "batch": BATCH, "max_new_tokens": MAX_NEW_TOKENS, **SAMPLING}
    done = json.loads(OUT.read_text(encoding="utf-8")) if OUT.exists() else {"settings": settings, "answers": []}
    if done["settings"] != settings:
        done = {"settings": settings, "answers": []}
    kept = {(a["batch"], a["q"]): a for a in done["answers"]}

    import torch

    from saescope.config.schema import ModelConfig
    from saescope.lm.loading import load_model

    torch.set_num_threads(1)
    lm = None
    answers = []
    for index in range(0, (len(todo) + BATCH - 1) // BATCH):
        batch = todo[index * BATCH: (index + 1) * BATCH]
        if all((index, q) in kept for _, q in batch):
            answers += [kept[(index, q)] for _, q in batch]
            continue
        if lm is None:
            lm = load_model(ModelConfig(dtype="float32", device="cpu"))
            lm.tokenizer.padding_side = "left"
        start = time.time()
        texts = generate([q for _, q in batch], index, lm)
        n_tokens = sum(len(lm.tokenizer(t, add_special_tokens=False)["input_ids"]) for t in texts)
        answers += [{"batch": index, "family": f, "q": q, "a": a} for (f, q), a in zip(batch, texts, strict=True)]
        OUT.write_text(json.dumps({"settings": settings, "answers": answers}, ensure_ascii=False, indent=1) + "\n",
                       encoding="utf-8")
        print(f"batch {index}: {len(batch)} answers, {n_tokens} tokens in {time.time() - start:.0f} s "
              f"({n_tokens / (time.time() - start):.1f} tokens/s)", flush=True)
    OUT.write_text(json.dumps({"settings": settings, "answers": answers}, ensure_ascii=False, indent=1) + "\n",
                   encoding="utf-8")
    print(f"wrote {OUT}: {len(answers)} answers")


if __name__ == "__main__":
    main(sys.argv[1:])
