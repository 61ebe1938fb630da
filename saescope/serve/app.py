"""The explorer's routes: HTML pages (Jinja2, autoescaped: index text is untrusted) and a small JSON API.
The pages that need the model ("what fires here", text test, steering) are in `model_routes`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from fastapi.templating import Jinja2Templates

from saescope.config.schema import ModelConfig
from saescope.serve.data import PAGE_SIZE, ExplorerData, ListFilter
from saescope.utils.markdown import visible

TEMPLATES = Path(__file__).parent / "templates"
Order = Literal["desc", "asc"]


def shade(act: float, peak: float) -> str:
    """The background of a token whose activation is `act` (0 .. peak: white .. orange)."""
    alpha = 0.0 if peak <= 0 or act <= 0 else min(act / peak, 1.0) * 0.85
    return f"background: rgba(255, 140, 0, {alpha:.2f})"


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["num"] = lambda v, digits=4: "–" if v is None else f"{v:.{digits}g}"
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.2f}%"
    env.filters["visible"] = visible  # a firing token's whitespace shown (↵ → ·); still autoescaped
    env.globals["shade"] = shade
    return Jinja2Templates(env=env)


def create_app(index_folder: str | Path, steer_folder: str | Path | None = None,
               model: ModelConfig | None = None, model_given: bool = False) -> FastAPI:
    """The explorer over a complete reverse index (and steer-eval results, if given); loads the index once. With
    `model_given` the model-backed pages load `model` (and the index's SAE) on first use."""
    from saescope.serve.model_routes import add_model_routes

    data = ExplorerData.load(index_folder, steer_folder, model)
    templates = _templates()
    app = FastAPI(title="saescope explorer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.data = data

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        base = {"summary": data.summary, "folder": str(data.index.folder), "steer": data.steer_folder,
                "d_sae": data.d_sae, "has_labels": data.listing.has_labels}
        return templates.TemplateResponse(request, name, base | context, status_code=status_code)

    def not_found(request: Request, feature: int) -> HTMLResponse:
        message = f"feature {feature} does not exist: this index has features 0 to {data.d_sae - 1}"
        return page(request, "error.html", 404, message=message)

    def list_filter(sort: str, order: str, min_fires: int, dead: bool, label: str, page_no: int) -> ListFilter:
        if sort not in data.listing.sort_keys:
            raise HTTPException(422, f"sort must be one of {', '.join(data.listing.sort_keys)}")
        return ListFilter(sort, order, min_fires, dead, label[:200], page_no)

    @app.get("/", response_class=HTMLResponse)
    def features_page(request: Request, sort: str = "fire_rate", order: Order = "desc",
                      min_fires: int = Query(0, ge=0), dead: bool = False, label: str = "",
                      page_no: int = Query(1, ge=1, alias="page")):
        f = list_filter(sort, order, min_fires, dead, label, page_no)
        result = data.features(f)
        params = {"sort": sort, "order": order, "min_fires": min_fires, "dead": int(dead), "label": f.label,
                  "page": result.page}

        def link(**change: Any) -> str:
            return "?" + urlencode(params | change)

        def sort_link(key: str) -> str:
            flipped = "asc" if (key == sort and order == "desc") or (key != sort and key == "feature") else "desc"
            return link(sort=key, order=flipped, page=1)

        return page(request, "features.html", result=result, params=params, link=link, sort_link=sort_link,
                    dead_count=data.dead, page_size=PAGE_SIZE, sort_keys=data.listing.sort_keys)

    @app.get("/feature/random")
    def random_feature() -> RedirectResponse:
        return RedirectResponse(f"/feature/{data.random_live()}", status_code=303)

    @app.get("/jump")
    def jump(feature: int = Query(..., ge=0)) -> RedirectResponse:
        return RedirectResponse(f"/feature/{feature}", status_code=303)

    @app.get("/feature/{feature}", response_class=HTMLResponse)
    def feature_page(request: Request, feature: int):
        if not data.has(feature):
            return not_found(request, feature)
        return page(request, "feature.html", f=data.feature(feature), shading_off=data.shader.reason)

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = ""):
        return page(request, "search.html", q=q, hits=data.search(q[:200]))

    @app.get("/api/features")
    def api_features(sort: str = "fire_rate", order: Order = "desc", min_fires: int = Query(0, ge=0),
                     dead: bool = False, label: str = "", page_no: int = Query(1, ge=1, alias="page")
                     ) -> dict[str, Any]:
        result = data.features(list_filter(sort, order, min_fires, dead, label, page_no))
        return {"total": result.total, "page": result.page, "pages": result.pages, "per_page": PAGE_SIZE,
                "features": result.rows}

    @app.get("/api/feature/{feature}")
    def api_feature(feature: int) -> dict[str, Any]:
        if not data.has(feature):
            raise HTTPException(404, f"feature {feature} does not exist: valid ids are 0 to {data.d_sae - 1}")
        return data.feature(feature)

    add_model_routes(app, data, page, model if model_given else None)
    return app
