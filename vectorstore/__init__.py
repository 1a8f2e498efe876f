"""Chunks into Chroma and back out: embeddings, the store, the lexical index, incremental indexing."""
