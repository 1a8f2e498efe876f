"""`igr serve`: run the API and chat page with uvicorn (registered via `igr.commands`)."""

from __future__ import annotations

import socket

import typer

from api.security import is_loopback
from assistant.cli.common import load_assistant, require_documents
from assistant.cli.logs import active_config


def _port_free(host: str, port: int) -> bool:
    family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host.strip("[]"), port))
        except OSError:
            return False
    return True


def _check_model(settings) -> None:
    """The embedding model folder exists and looks like a sentence-transformers model."""
    from vectorstore.embeddings import check_model_dir

    check_model_dir(settings.resolved_embedding_model())


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the `igr` CLI."""

    @app.command("serve")
    def serve(
        host: str = typer.Option(None, help="address to bind (default IGR_HOST, 127.0.0.1)"),
        port: int = typer.Option(None, min=1, max=65535, help="port (default IGR_PORT, 8000)"),
        workers: int = typer.Option(
            1, min=1, max=64,
            help="worker processes (more than 1 needs a Chroma server, IGR_CHROMA_URL)",
        ),
        allow_empty: bool = typer.Option(
            False, "--allow-empty",
            help="serve a store with no documents yet (to add them with POST /documents)",
        ),
    ) -> None:
        """Serve the HTTP API and the chat page."""
        import uvicorn

        from api.app import create_app

        assistant = load_assistant("serve")  # invalid settings: one line, exit 2
        settings = assistant.settings
        host = host or settings.host
        port = port or settings.port
        if not settings.api_keys and not is_loopback(host):
            typer.echo(
                f"igr serve: refusing to bind {host} without API keys; set IGR_API_KEYS=key1,key2 "
                "or bind to 127.0.0.1",
                err=True,
            )
            raise typer.Exit(2)
        if workers > 1 and not settings.chroma_url:
            typer.echo(
                "igr serve: --workers above 1 needs a Chroma server (set IGR_CHROMA_URL; "
                "`chroma run --path DIR`): the embedded store keeps its vector index in each "
                "process's memory and is not safe to write from several processes",
                err=True,
            )
            raise typer.Exit(2)
        if not _port_free(host, port):
            typer.echo(f"igr serve: cannot bind {host}:{port} (in use or not available)", err=True)
            raise typer.Exit(2)
        if not allow_empty:
            require_documents("serve", settings, " (or add documents through the API: "
                              "igr serve --allow-empty)")
        try:
            if workers > 1:  # each worker loads its own; here only check what can fail
                if not assistant.store.ping():
                    raise RuntimeError(f"no answer from the Chroma server {settings.chroma_url}")
                assistant.lexical.refresh(force=True, wait=True)  # built once, not per worker
                _check_model(settings)
            else:
                assistant.warm_up()  # model, store, lexical index, answerer: fail here
        except Exception as exc:  # one line, not a traceback
            typer.echo(f"igr serve: cannot load the assistant: {exc}", err=True)
            raise typer.Exit(1) from None
        if settings.api_keys:
            typer.echo(f"igr serve: API keys required (Authorization: Bearer); on {host}:{port}")
        else:
            typer.echo(
                "igr serve: UNAUTHENTICATED (no IGR_API_KEYS): bound to loopback only, "
                f"http://{host}:{port}/"
            )
        if workers > 1:
            typer.echo(f"igr serve: {workers} worker processes")
            uvicorn.run(
                "api.app:create_app", factory=True, workers=workers, host=host.strip("[]"),
                port=port, log_config=active_config(),
            )
        else:
            uvicorn.run(create_app(settings, assistant), host=host.strip("[]"), port=port,
                        log_config=active_config())
