"""A stand-in LLM server for plumbing tests: OpenAI ``/v1/chat/completions`` and Ollama
``/api/chat``, served by uvicorn on a free loopback port, replying from a script.

Each test sets ``server.script`` (what to do next) and reads ``server.requests`` (what the
answerer sent). Modes: "reply" (the text), "slow" (sleep, then reply), "status" (an HTTP
error), "badjson" (a body that is not JSON), "garbage-stream" (an SSE line that is not JSON),
"error-stream" (an OpenAI error event in the middle of a stream). With `fail_first=N` the
first N requests answer HTTP 503 whatever the mode (to see retries).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, PlainTextResponse, StreamingResponse


@dataclass
class Script:
    mode: str = "reply"
    text: str = ""
    status: int = 200
    delay: float = 0.0
    fail_first: int = 0


@dataclass
class Recorded:
    path: str
    headers: dict[str, str]
    query: dict[str, str]
    body: dict


@dataclass
class StandIn:
    host: str = "127.0.0.1"
    port: int = 0
    script: Script = field(default_factory=Script)
    requests: list[Recorded] = field(default_factory=list)
    server: uvicorn.Server | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pieces(text: str) -> list[str]:
    words = text.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)]


def build_app(state: StandIn) -> FastAPI:
    app = FastAPI()

    async def record(request: Request) -> dict:
        raw = await request.body()
        body = json.loads(raw) if raw else {}
        state.requests.append(
            Recorded(request.url.path, dict(request.headers), dict(request.query_params), body)
        )
        return body

    async def common(script: Script):
        if script.fail_first > 0:
            script.fail_first -= 1
            return JSONResponse({"error": {"message": "scripted overload"}}, status_code=503)
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.mode == "status":
            return JSONResponse({"error": {"message": f"scripted failure {script.status}"}},
                                status_code=script.status)
        if script.mode == "badjson":
            return PlainTextResponse("<html>not json</html>")
        return None

    @app.post("/v1/chat/completions")
    async def chat_completions(request: Request):
        body = await record(request)
        script = state.script
        early = await common(script)
        if early is not None:
            return early
        if not body.get("stream"):
            return {
                "id": "standin", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": script.text}}],
            }

        async def events():
            if script.mode == "garbage-stream":
                yield "data: {not json\n\n"
                return
            for i, piece in enumerate(_pieces(script.text)):
                if script.mode == "error-stream" and i == 2:
                    yield f"data: {json.dumps({'error': {'message': 'model crashed'}})}\n\n"
                    return
                chunk = {"choices": [{"index": 0, "delta": {"content": piece}}]}
                yield f"data: {json.dumps(chunk)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(events(), media_type="text/event-stream")

    @app.post("/api/chat")
    async def ollama_chat(request: Request):
        body = await record(request)
        script = state.script
        early = await common(script)
        if early is not None:
            return early
        if not body.get("stream", True):
            return {"model": body.get("model"), "done": True,
                    "message": {"role": "assistant", "content": script.text}}

        async def lines():
            if script.mode == "garbage-stream":
                yield "{not json\n"
                return
            for piece in _pieces(script.text):
                yield json.dumps({"message": {"role": "assistant", "content": piece},
                                  "done": False}) + "\n"
            yield json.dumps({"message": {"role": "assistant", "content": ""},
                              "done": True}) + "\n"

        return StreamingResponse(lines(), media_type="application/x-ndjson")

    return app


def start() -> StandIn:
    """Serve a stand-in on a free port in a background thread."""
    state = StandIn(port=free_port())
    config = uvicorn.Config(build_app(state), host=state.host, port=state.port,
                            log_level="warning", lifespan="off")
    state.server = uvicorn.Server(config)
    thread = threading.Thread(target=state.server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not state.server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("stand-in LLM server did not start")
        time.sleep(0.05)
    return state


def stop(state: StandIn) -> None:
    if state.server is not None:
        state.server.should_exit = True
