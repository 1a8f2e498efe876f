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

    doc_id: str = Field(description="The document's id: its path under the corpus folder, "
                        "without the extension.")
    title: str = Field(description="The document's title.")
    doc_type: str | None = Field(None, description="Its type (the `Type:` of its header).")
    publisher: str | None = Field(None, description="Who published it.")
    date: str | None = Field(None, description="Its date (YYYY, YYYY-MM or YYYY-MM-DD).")
    pages: int | None = Field(None, description="Page count, for paged formats (PDF).")
    chunks: int = Field(description="Chunks indexed.")
    jurisdictions: list[str] = Field(
        default_factory=list, description="Codes of the jurisdictions the document concerns "
        "(the union over its chunks, or its header's Jurisdiction:).",
    )


class IngestReport(BaseModel):
    """Summary of one ingest run (the JSON of `igr ingest --json`)."""

    added: int = Field(0, description="Documents indexed for the first time.")
    updated: int = Field(0, description="Documents whose file changed, re-indexed.")
    unchanged: int = Field(0, description="Documents already indexed as they are.")
    removed: int = Field(0, description="Documents removed (files gone, with --prune).")
    chunks_embedded: int = Field(0, description="Chunks embedded by this run.")
    skipped: list[SkippedFile] = Field(default_factory=list, description="Files not indexed, "
                                       "each with the reason.")
    duplicates: list[dict[str, str]] = Field(
        default_factory=list, description="same text in two files: {path, duplicate_of}"
    )
    near_duplicates: list[dict[str, str]] = Field(
        default_factory=list,
        description="indexed although near-identical to an uploaded document: "
        "{path, similar_to}; nothing is evicted across the upload boundary",
    )
    seconds: float = Field(0.0, description="How long the run took.")
