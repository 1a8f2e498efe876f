"""`/redoc`: ReDoc from the packaged assets (fastapi-offline), forbidden to load images from
elsewhere (its "API docs by Redocly" logo would otherwise be fetched from a CDN)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html
from fastapi.responses import HTMLResponse

ASSETS = "/static/docs"
LOCAL_IMAGES_ONLY = "img-src 'self' data:"


def install_redoc(app: FastAPI, path: str = "/redoc") -> None:
    """Serve ReDoc at `path`, offline."""

    @app.get(path, include_in_schema=False)
    def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=f"{root}{app.openapi_url}",
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS}/favicon.png",
            with_google_fonts=False,
        )
        return HTMLResponse(page.body, headers={"Content-Security-Policy": LOCAL_IMAGES_ONLY})
