"""The `explain` section: which features `saescope explain` labels, with which backend, and how it scores them."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from saescope.config.schema import DEFAULT_MODEL, Section


class ExplainConfig(Section):
    features: str = Field("top:8", description="Features to explain: ids and ranges ('3,7,10-20'), 'top:N' (the N "
                          "most frequently firing ordinary features), 'top:N:METRIC' (by a feature_metrics column) "
                          "or 'all' (every feature that fired).")
    explainer: Literal["local", "openai"] = Field("local", description="local: a transformers chat model "
                                                  "(local_model); openai: an OpenAI-compatible chat endpoint "
                                                  "(base_url, api_model).")
    local_model: str = Field(DEFAULT_MODEL, description="The local backend's chat model: a local folder, GGUF "
                             f"file or '{DEFAULT_MODEL}' (the embedded SmolLM2, offline).")
    device: str = Field("auto", description="The local backend's device: 'auto', 'cpu' or 'cuda:N'.")
    dtype: Literal["bfloat16", "float32"] = Field("float32", description="The local backend's weights dtype.")
    base_url: str | None = Field(None, description="The openai backend's endpoint, e.g. http://127.0.0.1:8000/v1 "
                                 "(POST {base_url}/chat/completions).")
    api_model: str | None = Field(None, description="The openai backend's model name.")
    api_key_env: str = Field("OPENAI_API_KEY", description="Environment variable holding the endpoint's API key "
                             "(unset: no key is sent). The key is never written or logged.")
    timeout_s: float = Field(60.0, gt=0, description="Seconds one endpoint request may take.")
    retries: int = Field(4, ge=0, description="Retries of a request that timed out or got 429 or 5xx.")
    requests_per_second: float = Field(4.0, gt=0, description="Endpoint requests started per second, at most.")
    concurrency: int = Field(4, ge=1, description="Endpoint requests in flight at once.")
    templates: str | None = Field(None, description="Folder of prompt templates (explainer.txt, detection.txt, "
                                  "fuzzing.txt) replacing the shipped ones; a file it lacks stays the shipped one.")
    top_examples: int = Field(5, ge=1, description="Top examples the explainer sees (the best ranks).")
    interval_examples: int = Field(3, ge=0, description="Interval samples the explainer sees, spread across the "
                                   "activation intervals from the highest.")
    detection_examples: int = Field(4, ge=0, description="Held-out firing examples detection scores, with as many "
                                    "non-firing ones (0: no detection score).")
    fuzzing_examples: int = Field(4, ge=0, description="Held-out firing examples fuzzing scores: half highlighted "
                                  "at the firing token, half at another token (0: no fuzzing score).")
    label_tokens: int = Field(24, ge=1, description="Most tokens the explainer may answer with.")
    answer_tokens: int = Field(4, ge=1, description="Most tokens a scorer may answer with.")
    batch_features: int = Field(4, ge=1, description="Features explained together (one batch of explainer prompts, "
                                "then one of scorer prompts).")
    seed: int = Field(0, description="Seeds the choice of held-out examples, non-firing examples and decoy tokens.")
