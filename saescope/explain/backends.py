"""What explains and scores: any object with a name, a model and `complete` (a batch of chats to their replies, in
order). Two ship: a local transformers chat model (local.py) and an OpenAI-compatible endpoint (endpoint.py)."""

from __future__ import annotations

import os
from typing import Protocol

from saescope.config.explain import ExplainConfig
from saescope.explain.errors import ExplainError
from saescope.explain.prompts import Chat


class Backend(Protocol):
    name: str  # "local" or "openai"
    model: str

    def complete(self, chats: list[Chat], max_tokens: int) -> list[str]:
        """Each chat's reply (greedy, at most `max_tokens` tokens), in order."""
        ...


def check_backend(cfg: ExplainConfig) -> None:
    """Refuse an incomplete backend setting before any work starts."""
    if cfg.explainer == "openai" and (not cfg.base_url or not cfg.api_model):
        raise ExplainError("explain.explainer openai needs explain.base_url (e.g. http://127.0.0.1:8000/v1) and "
                           "explain.api_model")


def open_backend(cfg: ExplainConfig) -> Backend:
    check_backend(cfg)
    if cfg.explainer == "local":
        from saescope.explain.local import LocalBackend

        return LocalBackend.load(cfg)
    from saescope.explain.endpoint import EndpointBackend

    return EndpointBackend(cfg, os.environ.get(cfg.api_key_env))
