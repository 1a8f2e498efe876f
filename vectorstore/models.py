"""Typed contracts of the vector-store stage."""

from __future__ import annotations

from pydantic import BaseModel, Field

from ingest.models import ChunkMetadata, SkippedFile


class StoredChunk(BaseModel):
    """A chunk as read back from the store."""

    text: str
    metadata: ChunkMetadata

    @property
    def chunk_id(self) -> str:
        return self.metadata.chunk_id


class ScoredChunk(BaseModel):
    """A chunk with a retriever's score (higher is better)."""

    chunk: StoredChunk
    score: float


class DocumentInfo(BaseModel):
    """One indexed document, as `igr docs` and `GET /documents` list it."""

    doc_id: str
    title: str
    doc_type: str | None = None
    publisher: str | None = None
    date: str | None = None
    pages: int | None = None
    chunks: int
    jurisdictions: list[str] = Field(
        default_factory=list, description="codes of the jurisdictions the document concerns "
        "(the union over its chunks, or its header's Jurisdiction:)",
    )


class IngestReport(BaseModel):
    """Summary of one ingest run (the JSON of `igr ingest --json`)."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    chunks_embedded: int = 0
    skipped: list[SkippedFile] = Field(default_factory=list)
    duplicates: list[dict[str, str]] = Field(
        default_factory=list, description="same text in two files: {path, duplicate_of}"
    )
    seconds: float = 0.0
