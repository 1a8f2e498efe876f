"""Chunks into Chroma and back: embeddings, the store, the lexical index, incremental indexing."""
