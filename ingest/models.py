"""Typed contracts of the ingest stage: what a loaded document and a chunk carry."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class SourceFile(BaseModel):
    """A file found under a corpus root, with the doc_id it will be indexed under."""

    path: Path
    root: Path
    doc_id: str = Field(description="path relative to the corpus root, without extension")


class DocumentMeta(BaseModel):
    """Document-level metadata, from the corpus header block or inferred."""

    doc_id: str
    path: str
    title: str
    source: str | None = None
    publisher: str | None = None
    date: str | None = Field(None, description="YYYY-MM-DD, YYYY-MM or YYYY")
    doc_type: str | None = None
    pages: int | None = Field(None, description="page count for paged formats (PDF)")
    jurisdiction: list[str] | None = Field(
        None, description="the header's `Jurisdiction:` as codes; overrides the tagger"
    )


class LoadedDocument(BaseModel):
    """A cleaned document ready for chunking; chunk offsets point into ``text``."""

    meta: DocumentMeta
    text: str
    page_starts: list[int] | None = Field(
        None, description="character offset in `text` where each page begins (PDF only)"
    )
    content_hash: str = Field(description="sha256 of the normalised cleaned text")


class ChunkMetadata(BaseModel):
    """Metadata every chunk carries (stored beside its text in Chroma)."""

    model_config = ConfigDict(extra="allow")

    chunk_id: str
    doc_id: str
    title: str
    source: str | None = None
    publisher: str | None = None
    date: str | None = None
    doc_type: str | None = None
    page: int | None = None
    section: str | None = None
    start: int
    end: int
    jurisdictions: str = Field(
        "", description="codes of the jurisdictions the chunk concerns, comma-joined"
    )
    doc_jurisdictions: str = Field("", description="the union over the chunk's document")
    acting: str | None = Field(None, description="the government or body the chunk is about")


class SkippedFile(BaseModel):
    """A file that was not ingested, and why (one line)."""

    path: str = Field(description="The file.")
    reason: str = Field(description="Why it was not indexed, in one line.")
