"""The local backend: a transformers chat model (the embedded SmolLM2 by default, offline), greedy, in padded
batches."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from saescope.config.explain import ExplainConfig
from saescope.config.schema import ModelConfig
from saescope.explain.prompts import Chat
from saescope.lm.loading import LoadedModel, load_model

BATCH = 16  # chats a generate call holds at most


@dataclass
class LocalBackend:
    lm: LoadedModel
    name: str = "local"

    @classmethod
    def load(cls, cfg: ExplainConfig) -> LocalBackend:
        return cls(load_model(ModelConfig(name=cfg.local_model, device=cfg.device, dtype=cfg.dtype)))

    @property
    def model(self) -> str:
        return self.lm.name

    def complete(self, chats: list[Chat], max_tokens: int) -> list[str]:
        return [reply for i in range(0, len(chats), BATCH) for reply in self._batch(chats[i : i + BATCH], max_tokens)]

    def _batch(self, chats: list[Chat], max_tokens: int) -> list[str]:
        tokenizer = self.lm.tokenizer
        tokenizer.padding_side = "left"  # generation continues every row from its last real token
        if tokenizer.pad_token is None:
            tokenizer.pad_token = tokenizer.eos_token
        inputs = tokenizer.apply_chat_template(chats, add_generation_prompt=True, padding=True, return_dict=True,
                                               return_tensors="pt").to(self.lm.device)
        with torch.no_grad():
            out = self.lm.model.generate(**inputs, max_new_tokens=max_tokens, do_sample=False,
                                         pad_token_id=tokenizer.pad_token_id, top_p=None, top_k=None,
                                         temperature=None)
        return tokenizer.batch_decode(out[:, inputs["input_ids"].shape[1]:], skip_special_tokens=True)
