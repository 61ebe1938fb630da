"""The explorer's model-backed pages: "what fires here", a text test on one feature, and a steering playground.

They need the LLM and the index's SAE, loaded once on first use (`saescope serve --model`, or the config's model
with `--config`); without one each page says so. Every input is bounded and the rest refused with a message."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse

from saescope.config.schema import ModelConfig
from saescope.serve.data import ExplorerData
from saescope.serve.plots import histogram_svg

MAX_TEXT_CHARS = 2000
MAX_TOKENS = 256  # of a prompt or tested text, templated
MAX_FEATURES = 8  # steered at once
MAX_STRENGTH = 20.0  # in units of the feature's max activation
MAX_NEW_TOKENS = 64
TOP_PER_TOKEN = 3
MODES = ("add", "clamp", "ablate")


class InputError(ValueError):
    """A request the model pages refuse; the message says which input and its bound."""


@dataclass
class Encoded:
    pieces: list[str]
    indices: list[list[int]]  # [T][k] the SAE's chosen features per token
    values: list[list[float]]


class ModelBackend:
    def __init__(self, cfg: ModelConfig, summary: dict[str, Any]) -> None:
        self.cfg, self.summary = cfg, summary
        self._lock = threading.Lock()
        self._loaded: tuple[Any, Any, str] | None = None

    def load(self) -> tuple[Any, Any, str]:
        with self._lock:
            if self._loaded is None:
                from saescope.lm.loading import load_model
                from saescope.release.select import load_sae_or_run

                lm = load_model(self.cfg)
                _, sae, _ = load_sae_or_run(self.summary["sae"])
                self._loaded = (lm, sae.eval().to(lm.device), self.summary["hookpoint"])
            return self._loaded

    def encode(self, text: str, chat: bool) -> Encoded:
        import torch

        from saescope.lm.hookpoints import block_output, check_hookpoints, decoder_layers
        from saescope.serve.shading import token_pieces
        from saescope.steer.generate import chat_prompt_ids

        lm, sae, hookpoint = self.load()
        ids = chat_prompt_ids(lm.tokenizer, text) if chat else torch.tensor(
            lm.tokenizer(text, add_special_tokens=False)["input_ids"], dtype=torch.long)
        if len(ids) > MAX_TOKENS:
            raise InputError(f"the text is {len(ids)} tokens; at most {MAX_TOKENS} are read")
        if not len(ids):
            raise InputError("the text has no tokens")
        (layer,) = check_hookpoints(lm.model, [hookpoint])
        captured: dict[str, torch.Tensor] = {}
        handle = decoder_layers(lm.model)[layer].register_forward_hook(
            lambda _m, _a, out: captured.__setitem__("h", block_output(out)))
        try:
            with torch.no_grad():
                lm.model(input_ids=ids[None].to(lm.device), use_cache=False)
                code = sae.encode(captured["h"][0].float())
        finally:
            handle.remove()
        order = code.values.argsort(dim=-1, descending=True)
        return Encoded(token_pieces(lm.tokenizer, ids.tolist()), code.indices.gather(-1, order).tolist(),
                       code.values.gather(-1, order).tolist())

    def steer(self, prompt: str, interventions: list[Any], positions: str, seed: int, temperature: float,
              new_tokens: int) -> Any:
        from saescope.steer.generate import chat_prompt_ids, steered_generate

        lm, sae, hookpoint = self.load()
        ids = chat_prompt_ids(lm.tokenizer, prompt)
        if len(ids) > MAX_TOKENS:
            raise InputError(f"the prompt is {len(ids)} tokens; at most {MAX_TOKENS}")
        with self._lock:  # one generation at a time: the hooks are on the shared model
            return steered_generate(lm, sae, hookpoint, ids, interventions, new_tokens, positions, temperature, seed)


def bounded_text(text: str) -> str:
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"the text is {len(text)} characters; at most {MAX_TEXT_CHARS}")
    return text


def parse_list(raw: str, kind: Callable[[str], Any], name: str) -> list[Any]:
    try:
        return [kind(x) for x in raw.replace(" ", "").split(",") if x]
    except ValueError as e:
        raise InputError(f"{name}: '{raw[:40]}' is not a comma-separated list of numbers") from e


def interventions_from(data: ExplorerData, features: str, strengths: str, mode: str) -> list[Any]:
    """Interventions in the SAE's units from feature ids and strengths in units of each feature's max activation."""
    from saescope.steer.intervene import Intervention

    ids, values = parse_list(features, int, "features"), parse_list(strengths, float, "strengths")
    if not ids or len(ids) > MAX_FEATURES:
        raise InputError(f"features: give 1 to {MAX_FEATURES} feature ids (got {len(ids)})")
    if mode not in MODES:
        raise InputError(f"mode: '{mode[:20]}' is not one of {', '.join(MODES)}")
    values = values * len(ids) if len(values) == 1 else values
    if len(values) != len(ids):
        raise InputError(f"strengths: {len(values)} given for {len(ids)} features; give one, or one each")
    for f, s in zip(ids, values, strict=True):
        if not data.has(f):
            raise InputError(f"feature {f} does not exist: valid ids are 0 to {data.d_sae - 1}")
        if not abs(s) <= MAX_STRENGTH:
            raise InputError(f"strength {s:g} of feature {f} is outside ±{MAX_STRENGTH:g} (units of max activation)")
    peak = data.listing.columns["max_activation"]
    return [Intervention(f, s * float(peak[f]), mode) for f, s in zip(ids, values, strict=True)]  # type: ignore[arg-type]


def add_model_routes(app: FastAPI, data: ExplorerData, page: Callable[..., HTMLResponse],
                     model: ModelConfig | None) -> None:
    backend = ModelBackend(model, data.summary) if model is not None else None

    def run(request: Request, name: str, work: Callable[[ModelBackend], dict[str, Any]], empty: dict[str, Any],
            **context: Any) -> HTMLResponse:
        """The page with `work`'s results, or with `empty` ones and why: no model, or the input refused (400)."""
        if backend is None:
            return page(request, name, no_model=True, error=None, **context, **empty)
        try:
            return page(request, name, no_model=False, error=None, **context, **(empty | work(backend)))
        except InputError as e:
            return page(request, name, 400, no_model=False, error=str(e), **context, **empty)

    @app.get("/fires", response_class=HTMLResponse)
    def fires_page(request: Request, text: str = ""):
        def work(b: ModelBackend) -> dict[str, Any]:
            if not text.strip():
                return {}
            encoded = b.encode(bounded_text(text), chat=True)
            peak = max((v[0] for v in encoded.values if v), default=0.0)
            return {"encoded": encoded, "peak": peak, "top": TOP_PER_TOKEN}
        return run(request, "fires.html", work, {"encoded": None}, text=text)

    @app.get("/feature/{feature}/test", response_class=HTMLResponse)
    def test_page(request: Request, feature: int, text: str = ""):
        if not data.has(feature):
            return page(request, "error.html", 404, message=f"feature {feature} does not exist: this index has "
                        f"features 0 to {data.d_sae - 1}")

        def work(b: ModelBackend) -> dict[str, Any]:
            if not text.strip():
                return {}
            encoded = b.encode(bounded_text(text), chat=False)
            acts = [sum(v for i, v in zip(ix, vs, strict=True) if i == feature)
                    for ix, vs in zip(encoded.indices, encoded.values, strict=True)]
            top = max(acts, default=0.0)
            bins, intervals = data.index.histogram(feature) or [], data.index.intervals(feature) or []
            return {"tokens": list(zip(encoded.pieces, acts, strict=True)), "top_act": top,
                    "peak": float(data.listing.columns["max_activation"][feature]) or top,
                    "plot": histogram_svg(bins, intervals, top if top > 0 else None)}
        return run(request, "test.html", work, {"tokens": None, "plot": ""}, feature=feature, text=text)

    @app.get("/steer", response_class=HTMLResponse)
    def steer_page(request: Request, prompt: str = "", features: str = "", strengths: str = "0.5",
                   mode: str = "add", positions: str = "generated", seed: int = 0, temperature: float = 0.0,
                   tokens: int = 24):
        def work(b: ModelBackend) -> dict[str, Any]:
            if not prompt.strip() or not features.strip():
                return {}
            if not 1 <= tokens <= MAX_NEW_TOKENS:
                raise InputError(f"tokens: {tokens} new tokens asked; 1 to {MAX_NEW_TOKENS}")
            if positions not in ("all", "generated") or not 0 <= temperature <= 2:
                raise InputError("positions must be all or generated, and temperature 0 to 2")
            ivs = interventions_from(data, features, strengths, mode)
            return {"result": b.steer(bounded_text(prompt), ivs, positions, seed, temperature, tokens)}
        form = {"prompt": prompt, "features": features, "strengths": strengths, "mode": mode,
                "positions": positions, "seed": seed, "temperature": temperature, "tokens": tokens}
        return run(request, "steer.html", work, {"result": None}, form=form)
