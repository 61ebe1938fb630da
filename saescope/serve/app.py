"""The explorer's routes: HTML pages (Jinja2, autoescaped: index text is untrusted) and a small JSON API."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlencode

import jinja2
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from saescope.serve.data import PAGE_SIZE, ExplorerData
from saescope.utils.markdown import visible

TEMPLATES = Path(__file__).parent / "templates"
Sort = Literal["fire_rate", "max_activation", "conversations", "feature"]
Order = Literal["desc", "asc"]


def _templates() -> Jinja2Templates:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                             undefined=jinja2.StrictUndefined)
    env.filters["num"] = lambda v, digits=4: "–" if v is None else f"{v:.{digits}g}"
    env.filters["pct"] = lambda v: "–" if v is None else f"{100 * v:.2f}%"
    env.filters["visible"] = visible  # a firing token's whitespace shown (↵ → ·); still autoescaped
    return Jinja2Templates(env=env)


def create_app(index_folder: str | Path, steer_folder: str | Path | None = None) -> FastAPI:
    """The explorer over a complete reverse index (and steer-eval results, if given); loads everything once."""
    data = ExplorerData.load(index_folder, steer_folder)
    templates = _templates()
    app = FastAPI(title="saescope explorer", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.data = data

    def page(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        base = {"summary": data.summary, "folder": str(data.index.folder), "steer": data.steer_folder}
        return templates.TemplateResponse(request, name, base | context, status_code=status_code)

    def not_found(request: Request, feature: int) -> HTMLResponse:
        message = f"feature {feature} does not exist: this index has features 0 to {data.d_sae - 1}"
        return page(request, "error.html", 404, message=message)

    def check(feature: int) -> None:
        if not data.has(feature):
            raise HTTPException(404, f"feature {feature} does not exist: valid ids are 0 to {data.d_sae - 1}")

    @app.get("/", response_class=HTMLResponse)
    def features_page(request: Request, sort: Sort = "fire_rate", order: Order = "desc",
                      min_fires: int = Query(0, ge=0), dead: bool = False, page_no: int = Query(1, ge=1, alias="page")):
        result = data.features(sort, order, min_fires, dead, page_no)
        params = {"sort": sort, "order": order, "min_fires": min_fires, "dead": int(dead), "page": result.page}

        def link(**change: Any) -> str:
            return "?" + urlencode(params | change)

        def sort_link(key: str) -> str:
            flipped = "asc" if (key == sort and order == "desc") or (key != sort and key == "feature") else "desc"
            return link(sort=key, order=flipped, page=1)

        return page(request, "features.html", result=result, params=params, link=link, sort_link=sort_link,
                    dead_count=data.dead, page_size=PAGE_SIZE)

    @app.get("/feature/{feature}", response_class=HTMLResponse)
    def feature_page(request: Request, feature: int):
        if not data.has(feature):
            return not_found(request, feature)
        return page(request, "feature.html", f=data.feature(feature))

    @app.get("/search", response_class=HTMLResponse)
    def search_page(request: Request, q: str = ""):
        return page(request, "search.html", q=q, hits=data.search(q))

    @app.get("/api/features")
    def api_features(sort: Sort = "fire_rate", order: Order = "desc", min_fires: int = Query(0, ge=0),
                     dead: bool = False, page_no: int = Query(1, ge=1, alias="page")) -> dict[str, Any]:
        result = data.features(sort, order, min_fires, dead, page_no)
        return {"total": result.total, "page": result.page, "pages": result.pages, "per_page": PAGE_SIZE,
                "features": result.rows}

    @app.get("/api/feature/{feature}")
    def api_feature(feature: int) -> dict[str, Any]:
        check(feature)
        return data.feature(feature)

    return app
