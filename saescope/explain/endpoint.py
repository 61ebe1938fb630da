"""The OpenAI-compatible backend: POST {base_url}/chat/completions with httpx, a bounded pool of requests in
flight, a cap on requests started per second, a timeout on each, and retries with exponential backoff after a
timeout, a connection error, a 5xx, a malformed body or a 429 (which waits its Retry-After). The API key is read
from the environment and sent as a header only: never logged, written, or put in an error."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from saescope.config.explain import ExplainConfig
from saescope.explain.errors import ExplainError
from saescope.explain.prompts import Chat

BACKOFF_S = 0.5  # the first retry's wait; doubled each retry
MAX_WAIT_S = 60.0  # the longest wait, whatever a Retry-After asks


class RateLimit:
    """Requests start at least 1/rate seconds apart, across threads."""

    def __init__(self, per_second: float) -> None:
        self.gap, self.next, self.lock = 1.0 / per_second, 0.0, threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = time.monotonic()
            start = max(now, self.next)
            self.next = start + self.gap
        time.sleep(max(0.0, start - now))


def retry_after(response: httpx.Response) -> float | None:
    try:
        return min(MAX_WAIT_S, max(0.0, float(response.headers["retry-after"])))
    except (KeyError, ValueError):
        return None


def reply_text(body: Any) -> str:
    """choices[0].message.content of a chat-completions body; ValueError when it has none."""
    try:
        content = body["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError) as e:
        raise ValueError(f"no choices[0].message.content in the reply ({type(e).__name__}: {e})") from e
    if not isinstance(content, str):
        raise ValueError("choices[0].message.content is not a string")
    return content


class EndpointBackend:
    name = "openai"

    def __init__(self, cfg: ExplainConfig, api_key: str | None) -> None:
        self.cfg, self.model = cfg, str(cfg.api_model)
        self.url = f"{str(cfg.base_url).rstrip('/')}/chat/completions"
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self.client = httpx.Client(timeout=cfg.timeout_s, headers=headers)
        self.limit = RateLimit(cfg.requests_per_second)

    def complete(self, chats: list[Chat], max_tokens: int) -> list[str]:
        with ThreadPoolExecutor(max_workers=self.cfg.concurrency) as pool:
            return list(pool.map(lambda chat: self.request(chat, max_tokens), chats))

    def request(self, chat: Chat, max_tokens: int) -> str:
        payload = {"model": self.model, "messages": chat, "max_tokens": max_tokens, "temperature": 0}
        problem = ""
        for attempt in range(self.cfg.retries + 1):
            self.limit.wait()
            wait = BACKOFF_S * 2**attempt
            try:
                response = self.client.post(self.url, json=payload)
            except httpx.TimeoutException:
                problem = f"no reply within {self.cfg.timeout_s:g} s"
            except httpx.TransportError as e:
                problem = f"{type(e).__name__}: {e}"
            else:
                if response.status_code == 200:
                    try:
                        return reply_text(response.json())
                    except ValueError as e:  # a body that is not JSON, or not a chat completion
                        problem = f"malformed reply: {e}"
                elif response.status_code == 429 or response.status_code >= 500:
                    problem = f"HTTP {response.status_code}"
                    wait = retry_after(response) or wait
                else:
                    raise ExplainError(f"{self.url}: HTTP {response.status_code} {response.text[:200]!r} (check "
                                       f"explain.base_url, explain.api_model and {self.cfg.api_key_env})")
            if attempt < self.cfg.retries:
                time.sleep(min(wait, MAX_WAIT_S))
        raise ExplainError(f"{self.url}: {problem} after {self.cfg.retries + 1} attempts (explain.retries); run "
                           "again to resume")
