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


def register(app: typer.Typer) -> None:
    """Add the `serve` command to the `igr` CLI."""

    @app.command("serve")
    def serve(
        host: str = typer.Option(None, help="address to bind (default IGR_HOST, 127.0.0.1)"),
        port: int = typer.Option(None, min=1, max=65535, help="port (default IGR_PORT, 8000)"),
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
        if not _port_free(host, port):
            typer.echo(f"igr serve: cannot bind {host}:{port} (in use or not available)", err=True)
            raise typer.Exit(2)
        if not allow_empty:
            require_documents("serve", settings, " (or add documents through the API: "
                              "igr serve --allow-empty)")
        try:
            assistant.warm_up()  # model, store, lexical index, answerer: fail here, in one line
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
        uvicorn.run(create_app(settings, assistant), host=host.strip("[]"), port=port,
                    log_config=active_config())
