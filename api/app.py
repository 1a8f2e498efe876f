"""`create_app`: the FastAPI app over one Assistant, loaded once at start-up."""

from __future__ import annotations

import copy
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from api.docs import ASSETS, install_redoc
from api.errors import JsonBodyLimit, install_error_handlers
from api.headers import SecurityHeadersMiddleware
from api.metrics import Metrics, MetricsMiddleware
from api.routes import chat, documents, feedback, openai_compat, system, trainer
from api.security import ApiKeyMiddleware, SameOriginMiddleware, allowed_host_names
from api.uploads import clean_uploads
from assistant import __version__
from ingest.settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.assistant import Assistant

log = logging.getLogger("igr.api")
JSON_BODY_LIMIT = 4 * 1024 * 1024
MULTIPART_OVERHEAD = 1024 * 1024


def _load_assistant(settings: Settings) -> Assistant:
    from assistant.assistant import Assistant

    return Assistant(settings)


def _tidy_uploads(settings: Settings) -> None:
    """Resolve what an upload killed half way left in the uploads folder (see
    `api.uploads.clean_uploads`)."""
    from vectorstore.indexer import file_index_key, indexed_files

    folder = settings.uploads_dir()
    if not folder.is_dir():
        return
    files = [p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")]
    indexed = indexed_files(settings, confirm=files)  # never an orphan while chunks hold it
    done = clean_uploads(folder, indexed, lambda p: file_index_key(p, settings))
    for line in done:
        log.warning("uploads folder at start-up: %s", line)


DESCRIPTION = """Answers questions about UK intergovernmental-relations documents. Every answer
sentence cites a document, page and verbatim quote (`citations`; `[n]` in the answer is
`citations[n-1]`); when the documents do not answer, `refused` is true and the answer names
the closest documents.

`POST /chat` is this API's own shape; `POST /v1/chat/completions` speaks OpenAI's protocol
for existing clients (citations as `url_citation` annotations). With `IGR_API_KEYS` set,
every route but `/health`, the chat page and these docs needs `Authorization: Bearer <key>`.
"""


def _indexed_doc_types(app: FastAPI) -> list[str]:
    assistant = app.state.assistant
    if assistant is None:
        return []
    try:
        return sorted({d.doc_type for d in assistant.documents() if d.doc_type})
    except Exception:  # noqa: BLE001 - the docs still render without the list
        return []


def _one_error_shape(schema: dict) -> None:
    """422 bodies are `ErrorBody` (`OAIErrorBody` under /v1), never FastAPI's default
    `HTTPValidationError`: the handlers in api/errors.py answer every error that way."""
    for path, operations in schema["paths"].items():
        model = "OAIErrorBody" if path.startswith("/v1/") else "ErrorBody"
        for operation in operations.values():
            response = operation.get("responses", {}).get("422")
            if response is not None:
                response["content"] = {"application/json": {
                    "schema": {"$ref": f"#/components/schemas/{model}"}}}
    for name in ("HTTPValidationError", "ValidationError"):
        schema["components"]["schemas"].pop(name, None)


def _customise_openapi(app: FastAPI, settings: Settings) -> None:
    """Add what a static schema cannot know: the configured limits (question and comment
    length, quiz size), the bearer-key scheme, and the document types indexed right now
    (for the `doc_type` filter)."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            models = schema["components"]["schemas"]
            models["ChatRequest"]["properties"]["question"]["maxLength"] = (
                settings.max_question_chars
            )
            feedback_in = models["FeedbackIn"]["properties"]
            feedback_in["question"]["maxLength"] = settings.max_question_chars
            feedback_in["comment"]["maxLength"] = settings.feedback_max_comment_chars
            for parameter in schema["paths"]["/quiz"]["get"]["parameters"]:
                if parameter["name"] == "n":
                    parameter["schema"]["maximum"] = settings.quiz_max_questions
            schema["components"]["securitySchemes"] = {
                "bearer": {"type": "http", "scheme": "bearer",
                           "description": "One of IGR_API_KEYS (only when it is set)."}
            }
            schema["security"] = [{}, {"bearer": []}]
            _one_error_shape(schema)
        schema = app.openapi_schema
        types = _indexed_doc_types(app)
        if types:
            schema = copy.deepcopy(schema)
            doc_type = schema["components"]["schemas"]["SearchFilters"]["properties"]["doc_type"]
            doc_type["description"] += " Indexed now: " + ", ".join(types) + "."
            doc_type["examples"] = [types[:2]]
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The API and chat page; `assistant` is built from `settings` at start-up if not given."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.assistant is None:
            app.state.assistant = await run_in_threadpool(_load_assistant, settings)
        if callable(getattr(app.state.assistant, "commit_upload", None)):
            await run_in_threadpool(_tidy_uploads, settings)
        warm_up = getattr(app.state.assistant, "warm_up", None)
        if callable(warm_up):  # load the model, store and lexical index before serving;
            # every stored sentence is then embedded in the background (fast first answers)
            await run_in_threadpool(warm_up, sentences=True)
        yield
        stop = getattr(app.state.assistant, "stop_warm_up", None)
        if callable(stop):  # no embedding may run on while the process exits
            await run_in_threadpool(stop)

    app = FastAPIOffline(  # Swagger UI and ReDoc served from a package, not a CDN
        title="igr-assistant",
        summary="Answers with verified citations over UK intergovernmental-relations documents.",
        description=DESCRIPTION,
        version=__version__,
        lifespan=lifespan,
        static_url=ASSETS,
        redoc_url=None,  # install_redoc below: the same page, without the CDN logo
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.metrics = Metrics()

    upload_limit = int(settings.max_upload_mb * 1024 * 1024) + MULTIPART_OVERHEAD
    # Body limits per router (not app-wide), so that an over-limit body is answered inside
    # the middleware below, which makes Starlette's plain-text 413 a JSON error.
    app.include_router(system.router, max_body_size=JSON_BODY_LIMIT)
    app.include_router(chat.router, max_body_size=JSON_BODY_LIMIT)
    app.include_router(openai_compat.router, max_body_size=JSON_BODY_LIMIT)
    app.include_router(trainer.router, max_body_size=JSON_BODY_LIMIT)
    app.include_router(feedback.router, max_body_size=JSON_BODY_LIMIT)
    app.include_router(documents.router, max_body_size=upload_limit)
    app.mount("/static", StaticFiles(directory=system.STATIC_DIR), name="static")

    install_redoc(app)
    _customise_openapi(app, settings)
    install_error_handlers(app)
    too_large = (
        f"request body too large: at most {settings.max_upload_mb:g} MB for an upload "
        f"(max_upload_mb) and {JSON_BODY_LIMIT // 1048576} MB for other requests"
    )
    app.add_middleware(JsonBodyLimit, detail=too_large)
    # admin keys (GET /feedback) also pass the key check when keys are required at all
    keys = [*settings.api_keys, *settings.admin_api_keys] if settings.api_keys else []
    app.add_middleware(ApiKeyMiddleware, keys=keys)
    if not settings.api_keys:
        hosts = allowed_host_names(settings.host, settings.allowed_hosts)
        app.add_middleware(SameOriginMiddleware, hosts=hosts)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
