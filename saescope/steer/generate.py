"""Clean and steered continuations of the same prompt, token by token with the model's KV cache."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass

import torch
from transformers import PreTrainedModel, PreTrainedTokenizerBase

from saescope.lm.loading import LoadedModel
from saescope.sae.model import TopKSae
from saescope.steer.intervene import Intervention, Positions, steering


@dataclass
class SteeredGeneration:
    prompt_ids: torch.Tensor  # long [P]
    clean_ids: torch.Tensor  # long [n_clean]: the continuation only (an EOS token, if reached, included)
    steered_ids: torch.Tensor  # long [n_steered]
    clean_text: str
    steered_text: str


def chat_prompt_ids(tokenizer: PreTrainedTokenizerBase, messages: list[dict[str, str]] | str) -> torch.Tensor:
    """Token ids [P] of the chat-templated prompt, ending with the assistant header to generate from."""
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    # Rendered to text and tokenized without added specials, as templating.py does: the template has them.
    text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=True)
    return torch.tensor(tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)


def _cache_argument(model: PreTrainedModel) -> str:
    """The KV-cache keyword of this transformers version's forward (`cache` now, `past_key_values` before)."""
    return "cache" if "cache" in inspect.signature(model.forward).parameters else "past_key_values"


def _stop_ids(tokenizer: PreTrainedTokenizerBase, model: PreTrainedModel) -> set[int]:
    ids = model.generation_config.eos_token_id if model.generation_config is not None else None
    ids = [ids] if isinstance(ids, int) else list(ids or [])
    if tokenizer.eos_token_id is not None:
        ids.append(tokenizer.eos_token_id)
    return set(ids)


def _pick(logits: torch.Tensor, temperature: float, generator: torch.Generator | None) -> int:
    if temperature <= 0:
        return int(logits.argmax())
    probs = torch.softmax(logits.float() / temperature, dim=-1)
    return int(torch.multinomial(probs, 1, generator=generator))


@torch.no_grad()
def generate_ids(lm: LoadedModel, prompt_ids: torch.Tensor, max_new_tokens: int, temperature: float = 0.0,
                 seed: int = 0) -> torch.Tensor:
    """The continuation [n <= max_new_tokens] of prompt_ids [P]: greedy (temperature 0) or sampled with a
    generator seeded by `seed`; stops after an EOS token. Whatever hooks are active apply to every step."""
    model, key = lm.model, _cache_argument(lm.model)
    generator = torch.Generator(device="cpu").manual_seed(seed) if temperature > 0 else None
    stop = _stop_ids(lm.tokenizer, model)
    step_ids, cache, out_ids = prompt_ids[None].to(lm.device), None, []
    for _ in range(max_new_tokens):
        out = model(input_ids=step_ids, use_cache=True, **{key: cache})
        cache = getattr(out, key)
        token = _pick(out.logits[0, -1].cpu(), temperature, generator)
        out_ids.append(token)
        if token in stop:
            break
        step_ids = torch.tensor([[token]], device=lm.device)
    return torch.tensor(out_ids, dtype=torch.long)


def steered_generate(
    lm: LoadedModel, sae: TopKSae, hookpoint: str, prompt_ids: torch.Tensor, interventions: Sequence[Intervention],
    max_new_tokens: int, positions: Positions = "all", temperature: float = 0.0, seed: int = 0,
) -> SteeredGeneration:
    """Continue the same prompt without and with the interventions (same seed for both when sampling)."""
    clean = generate_ids(lm, prompt_ids, max_new_tokens, temperature, seed)
    with steering(lm.model, hookpoint, sae, interventions, positions, prompt_length=len(prompt_ids)):
        steered = generate_ids(lm, prompt_ids, max_new_tokens, temperature, seed)
    decode = lm.tokenizer.decode
    return SteeredGeneration(prompt_ids, clean, steered, decode(clean, skip_special_tokens=True),
                             decode(steered, skip_special_tokens=True))
