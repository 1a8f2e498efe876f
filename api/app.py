"""`create_app`: the FastAPI app over one Assistant, loaded once at start-up."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool

from api.errors import install_error_handlers
from api.metrics import Metrics, MetricsMiddleware
from api.routes import chat, documents, feedback, openai_compat, system, trainer
from api.security import ApiKeyMiddleware
from ingest.settings import Settings, get_settings

if TYPE_CHECKING:
    from assistant.assistant import Assistant

log = logging.getLogger("igr.api")
JSON_BODY_LIMIT = 4 * 1024 * 1024
MULTIPART_OVERHEAD = 1024 * 1024


def _load_assistant(settings: Settings) -> Assistant:
    from assistant.assistant import Assistant

    return Assistant(settings)


def _document_limits(app: FastAPI, settings: Settings) -> None:
    """Put the configured limits (question and comment length, quiz size) into the
    OpenAPI schema, so clients can see them."""

    def openapi() -> dict:
        if app.openapi_schema is None:
            schema = FastAPI.openapi(app)
            models = schema["components"]["schemas"]
            models["ChatRequest"]["properties"]["question"]["maxLength"] = (
                settings.max_question_chars
            )
            feedback = models["FeedbackIn"]["properties"]
            feedback["question"]["maxLength"] = settings.max_question_chars
            feedback["comment"]["maxLength"] = settings.feedback_max_comment_chars
            for parameter in schema["paths"]["/quiz"]["get"]["parameters"]:
                if parameter["name"] == "n":
                    parameter["schema"]["maximum"] = settings.quiz_max_questions
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, assistant: Assistant | None = None) -> FastAPI:
    """The API and chat page; `assistant` is built from `settings` at start-up if not given."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if app.state.assistant is None:
            app.state.assistant = await run_in_threadpool(_load_assistant, settings)
        warm_up = getattr(app.state.assistant, "warm_up", None)
        if callable(warm_up):  # load the model, store and lexical index before serving;
            # every stored sentence is then embedded in the background (fast first answers)
            await run_in_threadpool(warm_up, sentences=True)
        yield

    app = FastAPI(
        title="igr-assistant",
        summary="Answers with verified citations over UK intergovernmental-relations documents.",
        version="0.1.0",
        lifespan=lifespan,
        max_body_size=JSON_BODY_LIMIT,
    )
    app.state.settings = settings
    app.state.assistant = assistant
    app.state.metrics = Metrics()

    upload_limit = int(settings.max_upload_mb * 1024 * 1024) + MULTIPART_OVERHEAD
    app.include_router(system.router)
    app.include_router(chat.router)
    app.include_router(openai_compat.router)
    app.include_router(trainer.router)
    app.include_router(feedback.router)
    app.include_router(documents.router, max_body_size=upload_limit)
    app.mount("/static", StaticFiles(directory=system.STATIC_DIR), name="static")

    _document_limits(app, settings)
    install_error_handlers(app)
    # admin keys (GET /feedback) also pass the key check when keys are required at all
    keys = [*settings.api_keys, *settings.admin_api_keys] if settings.api_keys else []
    app.add_middleware(ApiKeyMiddleware, keys=keys)
    app.add_middleware(MetricsMiddleware, metrics=app.state.metrics)
    return app
