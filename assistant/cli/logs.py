"""Logging for the `igr` commands and the server: one level, plain text or JSON lines.

`setup_logging` configures the root logger (stderr) and returns the same configuration as
a `logging.config.dictConfig` dict, which `igr serve` hands to uvicorn so its start-up and
access lines come out in the same format.
"""

from __future__ import annotations

import logging
import logging.config

LEVELS = ("debug", "info", "warning", "error", "critical")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
# Libraries that log every request at INFO: kept at WARNING unless debugging.
CHATTY = ("httpx", "httpcore", "chromadb", "openai", "sentence_transformers", "urllib3")

_active: dict | None = None


def logging_config(level: str = "info", json_lines: bool = False) -> dict:
    """A dictConfig for `level` ("debug" ... "critical") in text or JSON lines on stderr."""
    level = level.lower()
    if level not in LEVELS:
        raise ValueError(f"log level must be one of {', '.join(LEVELS)}, not {level!r}")
    if json_lines:
        from pythonjsonlogger.core import RESERVED_ATTRS

        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": JSON_FIELDS,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            # uvicorn repeats each start-up message with terminal colours: not for a collector
            "reserved_attrs": [*RESERVED_ATTRS, "color_message"],
        }
    else:
        formatter = {"format": TEXT_FORMAT}
    upper = level.upper()
    chatty = upper if level == "debug" else max(upper, "WARNING", key=logging.getLevelName)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {"class": "logging.StreamHandler", "formatter": "default",
                       "stream": "ext://sys.stderr"},
        },
        "root": {"level": upper, "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": upper, "handlers": [], "propagate": True}
               for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
            **{name: {"level": chatty} for name in CHATTY},
        },
    }


def setup_logging(level: str = "info", json_lines: bool = False) -> dict:
    """Configure logging now; the configuration stays available from `active_config`."""
    global _active
    _active = logging_config(level, json_lines)
    logging.config.dictConfig(_active)
    return _active


def active_config() -> dict:
    """The configuration `setup_logging` applied (the default one if it was not called)."""
    return _active or logging_config()
