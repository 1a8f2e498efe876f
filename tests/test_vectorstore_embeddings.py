"""The local embedding model: loaded once, normalised, clear errors for a bad folder."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ingest.settings import Settings
from tests.conftest import make_settings
from vectorstore.embeddings import EmbeddingModelError, LocalEmbeddings, get_embeddings


def test_one_model_per_path_and_normalised_vectors(tmp_path: Path) -> None:
    first = get_embeddings(make_settings(tmp_path / "a"))
    second = get_embeddings(make_settings(tmp_path / "b"))
    assert first is second
    other_batch = get_embeddings(make_settings(tmp_path / "c", embedding_batch_size=8))
    assert other_batch.model is first.model and other_batch.batch_size == 8
    vectors = first.encode(["The Sewel convention", "Block grant funding", "Sewel convention"])
    assert vectors.dtype == np.float32 and vectors.shape == (3, first.dimension)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[2] > vectors[0] @ vectors[1]
    assert first.embed_query("Block grant funding") == pytest.approx(vectors[1].tolist(), abs=1e-5)
    assert len(first.embed_documents(["a", "b"])) == 2
    assert first.encode([]).shape == (0, first.dimension)


def test_missing_or_invalid_model_folder_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "no-model"
    with pytest.raises(EmbeddingModelError) as err:
        get_embeddings(Settings(embedding_model=missing))
    assert str(missing) in str(err.value) and "IGR_EMBEDDING_MODEL" in str(err.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(EmbeddingModelError, match="IGR_EMBEDDING_MODEL"):
        LocalEmbeddings(tmp_path / "empty")
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "config.json").write_text("{not json")
    with pytest.raises(EmbeddingModelError, match="cannot load embedding model"):
        LocalEmbeddings(broken)
