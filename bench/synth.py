"""Synthetic filler documents for the scale benchmarks.

Words are drawn from the word frequencies of a real corpus folder (read at run time, never
stored), so posting lists have the skew of real prose: common words such as "council" are
in a large share of chunks, as they would be in a corpus a hundred times larger. Where no
corpus folder exists, pseudo-words with Zipf frequencies stand in. Every document carries
the corpus header block, so it is loaded like any other file.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]*")
DOC_TYPES = ("report", "briefing", "communique", "other")


def word_frequencies(corpus: Path | None, vocabulary: int = 20_000) -> tuple[list[str], np.ndarray]:
    """(words, probabilities) of the corpus' words, or of Zipf pseudo-words without one."""
    counts: Counter[str] = Counter()
    if corpus is not None and corpus.is_dir():
        for path in corpus.rglob("*"):
            if path.suffix.lower() in (".txt", ".md", ".html") and path.is_file():
                counts.update(_WORD.findall(path.read_text(encoding="utf-8", errors="ignore")))
    if len(counts) < 500:
        rng = np.random.default_rng(7)
        letters = np.array(list("abcdefghijklmnoprstuvw"))
        words = sorted(
            {"".join(rng.choice(letters, rng.integers(3, 10))) for _ in range(vocabulary)}
        )
        weights = 1.0 / np.arange(1, len(words) + 1)
        return words, weights / weights.sum()
    common = counts.most_common(vocabulary)
    words = [w for w, _ in common]
    weights = np.array([c for _, c in common], dtype=np.float64)
    return words, weights / weights.sum()


def write_documents(
    folder: Path,
    n_docs: int,
    chars_per_doc: int,
    words: list[str],
    probabilities: np.ndarray,
    seed: int = 0,
    prefix: str = "synthetic",
) -> list[Path]:
    """Write `n_docs` text files of about `chars_per_doc` characters each into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    vocab = np.array(words, dtype=object)
    mean_word = float(np.dot([len(w) + 1 for w in words], probabilities))
    paths = []
    for i in range(n_docs):
        n_words = max(40, int(chars_per_doc / mean_word))
        drawn = vocab[rng.choice(len(words), size=n_words, p=probabilities)]
        lengths = rng.integers(8, 26, size=n_words // 8 + 1)
        sentences, at = [], 0
        for length in lengths:
            piece = drawn[at : at + length]
            at += length
            if len(piece) == 0:
                break
            sentence = " ".join(piece)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        paragraphs = [" ".join(sentences[j : j + 5]) for j in range(0, len(sentences), 5)]
        year = 2000 + int(rng.integers(0, 25))
        header = (
            f"Title: Synthetic paper {prefix} {i}\nSource: generated\nPublisher: Bench\n"
            f"Date: {year}-{int(rng.integers(1, 13)):02d}-01\n"
            f"Type: {DOC_TYPES[i % len(DOC_TYPES)]}\n---\n"
        )
        path = folder / f"{prefix}-{i:06d}.txt"
        path.write_text(header + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        paths.append(path)
    return paths
