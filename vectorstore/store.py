"""The Chroma chunk store: embedded (`IGR_STORE_DIR`) or a server (`IGR_CHROMA_URL`)."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

import chromadb
from chromadb.config import Settings as ChromaSettings
from chromadb.errors import InternalError, NotFoundError

from ingest.models import ChunkMetadata
from vectorstore.models import ScoredChunk, StoredChunk

if TYPE_CHECKING:
    from chromadb.api.models.Collection import Collection
    from langchain_chroma import Chroma

    from ingest.settings import Settings

GENERATION_KEY = "generation"
CHANGES_SUFFIX = "-changes"
DOCS_SUFFIX = "-docs"
RECORDS_BUILT_KEY = "records_built"  # on the records collection: one record per document
_PAGE = 5000
# Embedded mode: generation tokens written by this process, and the generation each
# location's shared Chroma `System` was (re)loaded at (see ChunkStore._ensure_fresh).
_LOCAL_GENERATIONS: dict[str, set[str]] = {}
_SYSTEM_LOADED_AT: dict[str, str] = {}
_REOPEN_LOCK = threading.Lock()


def _chroma_settings() -> ChromaSettings:
    # a fresh object each time: PersistentClient mutates the one it is given
    return ChromaSettings(anonymized_telemetry=False)


class StoreError(RuntimeError):
    """The store cannot be opened or reached (message is one line)."""


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def _make_client(settings: Settings) -> chromadb.ClientAPI:
    """A Chroma client for the settings: HTTP when `chroma_url` is set, else embedded."""
    if settings.chroma_url:
        url = urlparse(settings.chroma_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise StoreError(
                f"IGR_CHROMA_URL must look like http://host:port, got {settings.chroma_url!r}"
            )
        try:
            port = url.port or (443 if url.scheme == "https" else 8000)
            return chromadb.HttpClient(
                host=url.hostname, port=port, ssl=url.scheme == "https", settings=_chroma_settings()
            )
        except Exception as exc:  # noqa: BLE001 - connection problems become one line
            raise StoreError(
                f"cannot reach Chroma at {settings.chroma_url}: {_first_line(exc)}"
            ) from exc
    store_dir = Path(settings.store_dir).expanduser().resolve()
    try:
        store_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(store_dir), settings=_chroma_settings())
    except Exception as exc:  # noqa: BLE001
        raise StoreError(f"cannot open the store at {store_dir}: {_first_line(exc)}") from exc


def _to_stored(text: str | None, metadata: Any) -> StoredChunk:
    return StoredChunk(text=text or "", metadata=ChunkMetadata.model_validate(dict(metadata)))


@dataclass(frozen=True)
class Change:
    """One change-log record: document `doc_id` was (re)written or removed around `at`."""

    entry_id: str
    doc_id: str
    at: float


class ChunkStore:
    """One Chroma collection of chunks (cosine space); ids are chunk ids.

    Besides each chunk's `ChunkMetadata`, the store keeps a `generation` token in the
    collection metadata, changed by every write, so other processes can notice changes,
    and a change log (a second collection, `<name>-changes`) saying which documents each
    write touched, so they can follow a change without re-reading everything (see
    `vectorstore.lexical`). Writers log a document before and after writing it. A third
    collection, `<name>-docs`, holds one bookkeeping record per document (see
    `vectorstore.docstate`).
    """

    def __init__(self, settings: Settings, refresh_interval_s: float = 1.0) -> None:
        self.settings = settings
        self.collection_name = settings.collection
        self.location = store_location(settings)
        self.refresh_interval_s = refresh_interval_s
        self._embedded = not settings.chroma_url
        self._write_lock = threading.Lock()
        self._records_built = False
        self._open()
        self._seen = self.generation()
        self._checked_at = time.monotonic()
        if self._embedded:
            _SYSTEM_LOADED_AT.setdefault(self.location, self._seen)

    def _open(self) -> None:
        client = _make_client(self.settings)

        def failed(exc: Exception) -> StoreError:
            return StoreError(
                f"cannot open collection {self.collection_name!r} at {self.location}: "
                f"{_first_line(exc)}"
            )

        try:
            collection = client.get_or_create_collection(
                name=self.collection_name,
                embedding_function=None,
                configuration={"hnsw": {"space": "cosine",
                                        "ef_search": self.settings.hnsw_ef_search}},
                metadata={GENERATION_KEY: uuid.uuid4().hex},
            )
        except Exception as exc:  # noqa: BLE001
            raise failed(exc) from exc
        if GENERATION_KEY not in (collection.metadata or {}):  # an existing collection keeps
            raise StoreError(  # its metadata: without our token, another program wrote it
                f"collection {self.collection_name!r} at {self.location} was not written by "
                "igr-assistant (it lacks igr's bookkeeping); set IGR_COLLECTION to another "
                "name, or IGR_STORE_DIR / IGR_CHROMA_URL to another store"
            )
        try:  # ours: bring an older collection's search breadth to the setting
            _set_ef_search(collection, self.settings.hnsw_ef_search)
            changes = client.get_or_create_collection(
                name=self.collection_name + CHANGES_SUFFIX, embedding_function=None
            )
            docs = client.get_or_create_collection(  # (an existing one keeps its metadata)
                name=self.collection_name + DOCS_SUFFIX, embedding_function=None,
                metadata={RECORDS_BUILT_KEY: False},
            )
        except Exception as exc:  # noqa: BLE001
            raise failed(exc) from exc
        self._client, self._collection, self._changes = client, collection, changes
        self._docs = docs

    def _reopen(self, generation: str) -> None:
        """Embedded Chroma keeps its vector index in memory: after another process wrote,
        load a fresh shared `System` for this folder (once per generation per process)."""
        from chromadb.api.shared_system_client import SharedSystemClient

        with _REOPEN_LOCK:
            if _SYSTEM_LOADED_AT.get(self.location) != generation:
                SharedSystemClient._identifier_to_system.pop(self.location, None)
                SharedSystemClient._identifier_to_refcount.pop(self.location, None)
                _SYSTEM_LOADED_AT[self.location] = generation
            self._open()
            self._seen = generation

    def _ensure_fresh(self) -> None:
        """Embedded mode: pick up writes made by other processes (checked at most every
        `refresh_interval_s`). A Chroma server needs nothing: it is the one process."""
        if not self._embedded:
            return
        now = time.monotonic()
        if now - self._checked_at < self.refresh_interval_s:
            return
        self._checked_at = now
        current = self.generation()
        if current == self._seen:
            return
        if current in _LOCAL_GENERATIONS.get(self.location, set()):
            self._seen = current  # written through this process's own System
            return
        self._reopen(current)

    # --- reading ---------------------------------------------------------------------

    def query(self, embedding: list[float], k: int, where: dict | None = None) -> list[ScoredChunk]:
        """The `k` chunks nearest to `embedding`; score = cosine similarity."""
        if k <= 0:
            return []
        self._ensure_fresh()
        request = {
            "query_embeddings": [list(embedding)],
            "n_results": k,
            "where": where or None,
            "include": ["documents", "metadatas", "distances"],
        }
        try:
            result = self._collection.query(**request)
        except InternalError:
            if not self._embedded:
                raise
            self._reopen(self.generation())  # e.g. another process created the index files
            result = self._collection.query(**request)
        docs = (result.get("documents") or [[]])[0]
        metas = (result.get("metadatas") or [[]])[0]
        dists = (result.get("distances") or [[]])[0]
        return [
            ScoredChunk(chunk=_to_stored(text, meta), score=1.0 - float(dist))
            for text, meta, dist in zip(docs, metas, dists, strict=True)
        ]

    def get(self, chunk_ids: list[str]) -> list[StoredChunk]:
        """The chunks with these ids, in the order asked (unknown ids are left out)."""
        if not chunk_ids:
            return []
        result = self._collection.get(ids=list(chunk_ids), include=["documents", "metadatas"])
        found = {
            cid: _to_stored(text, meta)
            for cid, text, meta in zip(
                result["ids"], result["documents"] or [], result["metadatas"] or [], strict=True
            )
        }
        return [found[cid] for cid in chunk_ids if cid in found]

    def _pages(self, where: dict | None, include: list[str]):
        offset = 0
        while True:
            page = self._collection.get(
                where=where or None, include=include, limit=_PAGE, offset=offset
            )
            yield page
            if len(page["ids"]) < _PAGE:
                return
            offset += _PAGE

    def raw_chunks(self, where: dict | None = None) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(chunk_id, text, raw stored metadata) of every chunk matching `where`, page by page."""
        for page in self._pages(where, ["documents", "metadatas"]):
            yield from zip(page["ids"], page["documents"], page["metadatas"], strict=True)

    def all_chunks(self, where: dict | None = None) -> list[StoredChunk]:
        """Every chunk (matching `where`), text and metadata."""
        return [_to_stored(text, meta) for _, text, meta in self.raw_chunks(where)]

    def metadatas(self, where: dict | None = None) -> dict[str, dict[str, Any]]:
        """chunk_id -> raw stored metadata (bookkeeping keys included), without texts."""
        found: dict[str, dict[str, Any]] = {}
        for page in self._pages(where, ["metadatas"]):
            found.update(
                (cid, dict(meta)) for cid, meta in zip(page["ids"], page["metadatas"], strict=True)
            )
        return found

    def doc_chunks(self, doc_id: str) -> list[StoredChunk]:
        """Every chunk of one document, ordered by `start`."""
        chunks = self.all_chunks({"doc_id": doc_id})
        return sorted(chunks, key=lambda c: (c.metadata.start, c.metadata.end))

    def count(self) -> int:
        """Number of chunks stored."""
        return self._collection.count()

    def generation(self) -> str:
        """A token that changes whenever the content changes (also by other processes)."""
        fresh = self._client.get_collection(self.collection_name)
        return str((fresh.metadata or {}).get(GENERATION_KEY, ""))

    def ping(self) -> bool:
        """True when the store answers."""
        try:
            self._client.heartbeat()
            self._collection.count()
        except Exception:  # noqa: BLE001 - any failure means "not healthy"
            return False
        return True

    # --- writing (used by the indexer and the catalogue) ------------------------------

    def upsert(
        self,
        ids: list[str],
        embeddings: list[list[float]],
        texts: list[str],
        metadatas: list[dict[str, Any]],
    ) -> None:
        """Write chunks (replacing same ids), in batches the server accepts."""
        if not ids:
            return
        step = max(1, min(self._client.get_max_batch_size(), 5000))
        with self._write_lock:
            for i in range(0, len(ids), step):
                self._collection.upsert(
                    ids=ids[i : i + step],
                    embeddings=embeddings[i : i + step],
                    documents=texts[i : i + step],
                    metadatas=metadatas[i : i + step],
                )

    def delete(self, chunk_ids: list[str]) -> None:
        """Remove chunks by id."""
        if not chunk_ids:
            return
        with self._write_lock:
            for i in range(0, len(chunk_ids), _PAGE):
                self._collection.delete(ids=chunk_ids[i : i + _PAGE])

    def log_changes(self, doc_ids: Iterable[str]) -> list[str]:
        """Append one change-log record per document; returns the records' ids."""
        docs = sorted(set(doc_ids))
        if not docs:
            return []
        ids = [uuid.uuid4().hex for _ in docs]
        at = time.time()
        self._changes.add(
            ids=ids,
            embeddings=[[1.0]] * len(docs),
            metadatas=[{"doc_id": d, "at": at} for d in docs],
        )
        return ids

    def changes_since(self, at: float) -> list[Change]:
        """The change-log records stamped at or after `at` (epoch seconds)."""
        found: list[Change] = []
        offset = 0
        while True:
            page = self._changes.get(
                where={"at": {"$gte": float(at)}}, include=["metadatas"], limit=_PAGE,
                offset=offset,
            )
            found.extend(
                Change(entry_id=i, doc_id=str(m["doc_id"]), at=float(m["at"]))
                for i, m in zip(page["ids"], page["metadatas"], strict=True)
            )
            if len(page["ids"]) < _PAGE:
                return found
            offset += _PAGE

    def bump_generation(self, doc_ids: Iterable[str] = ()) -> str:
        """Record that the content changed (in the change log for `doc_ids`, then in the
        generation token); returns the new token."""
        self.log_changes(doc_ids)
        token = uuid.uuid4().hex
        with self._write_lock:
            _LOCAL_GENERATIONS.setdefault(self.location, set()).add(token)
            self._collection.modify(metadata={GENERATION_KEY: token})
            self._seen = token
        return token

    # --- per-document records (their meaning: vectorstore.docstate) -------------------

    def doc_records(self, doc_ids: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
        """doc_id -> record, of these documents (those that have one) or of every document."""
        found: dict[str, dict[str, Any]] = {}
        if doc_ids is not None:
            wanted = sorted(set(doc_ids))
            for i in range(0, len(wanted), _PAGE):
                page = self._docs.get(ids=wanted[i : i + _PAGE], include=["metadatas"])
                found.update(
                    (d, dict(m or {})) for d, m in zip(page["ids"], page["metadatas"], strict=True)
                )
            return found
        offset = 0
        while True:
            page = self._docs.get(include=["metadatas"], limit=_PAGE, offset=offset)
            found.update(
                (i, dict(m or {})) for i, m in zip(page["ids"], page["metadatas"], strict=True)
            )
            if len(page["ids"]) < _PAGE:
                return found
            offset += _PAGE

    def put_doc_records(self, records: dict[str, dict[str, Any]], overwrite: bool = True) -> None:
        """Write records by doc_id; without `overwrite`, a document's existing record is kept
        (Chroma's `add` leaves existing ids alone)."""
        ids = sorted(records)
        if not ids:
            return
        step = max(1, min(self._client.get_max_batch_size(), _PAGE))
        write = self._docs.upsert if overwrite else self._docs.add
        with self._write_lock:
            for i in range(0, len(ids), step):
                batch = ids[i : i + step]
                write(ids=batch, embeddings=[[1.0]] * len(batch),
                      metadatas=[records[d] for d in batch])

    def delete_doc_records(self, doc_ids: Iterable[str]) -> None:
        """Remove these documents' records (unknown ones are ignored)."""
        ids = sorted(set(doc_ids))
        with self._write_lock:
            for i in range(0, len(ids), _PAGE):
                self._docs.delete(ids=ids[i : i + _PAGE])

    def doc_records_built(self) -> bool:
        """True once every document has a record (set by whoever built them, any process)."""
        if not self._records_built:
            fresh = self._client.get_collection(self.collection_name + DOCS_SUFFIX)
            self._records_built = bool((fresh.metadata or {}).get(RECORDS_BUILT_KEY))
        return self._records_built

    def mark_doc_records_built(self) -> None:
        """Say, for every process, that every document has a record."""
        with self._write_lock:
            self._docs.modify(metadata={RECORDS_BUILT_KEY: True})
        self._records_built = True

    # --- LangChain view ---------------------------------------------------------------

    @cached_property
    def langchain(self) -> Chroma:
        """`langchain_chroma.Chroma` over the same client and collection."""
        from langchain_chroma import Chroma

        from vectorstore.embeddings import get_embeddings

        return Chroma(
            client=self._client,
            collection_name=self.collection_name,
            embedding_function=get_embeddings(self.settings),
            create_collection_if_not_exists=False,
        )


def _set_ef_search(collection: Collection, ef_search: int) -> None:
    """An existing collection keeps the configuration it was created with: bring its
    query-time search breadth to the setting (a collection-level change, kept by Chroma)."""
    hnsw = (collection.configuration or {}).get("hnsw") or {}
    if hnsw.get("ef_search") not in (None, ef_search):
        collection.modify(configuration={"hnsw": {"ef_search": ef_search}})


def store_location(settings: Settings) -> str:
    """Where the store is: the Chroma server's URL, or the embedded store's absolute folder."""
    return settings.chroma_url or str(Path(settings.store_dir).expanduser().resolve())


def indexed_chunks(settings: Settings) -> int:
    """Chunks in the configured collection, without creating anything: 0 when the folder,
    the server's collection or the collection does not exist. StoreError when the store
    cannot be read (a server that does not answer, a foreign collection)."""
    if not settings.chroma_url:
        folder = Path(settings.store_dir).expanduser().resolve()
        if not (folder / "chroma.sqlite3").is_file():
            return 0
    client = _make_client(settings)
    try:
        collection = client.get_collection(settings.collection)
    except NotFoundError:
        return 0
    except Exception as exc:  # noqa: BLE001 - connection problems become one line
        raise StoreError(
            f"cannot read the store at {store_location(settings)}: {_first_line(exc)}"
        ) from exc
    if GENERATION_KEY not in (collection.metadata or {}):
        return ChunkStore(settings).count()  # raises the one-line "not written by" error
    return collection.count()


_STORES: dict[tuple[str, str], ChunkStore] = {}
_STORES_LOCK = threading.Lock()


def store_key(settings: Settings) -> tuple[str, str]:
    """The cache key of a store: (server URL or resolved folder, collection)."""
    return store_location(settings), settings.collection


def open_store(settings: Settings) -> ChunkStore:
    """The process-wide `ChunkStore` for these settings' location and collection."""
    key = store_key(settings)
    with _STORES_LOCK:
        store = _STORES.get(key)
        if store is None:
            store = ChunkStore(settings)
            _STORES[key] = store
        return store
