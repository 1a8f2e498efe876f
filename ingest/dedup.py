"""Near-duplicate documents: the same text in two files (e.g. a report as .txt and .pdf).

Word 5-shingles of the normalised text; a pair is a duplicate when the smaller document's
shingles are mostly contained in the larger one (containment >= 0.7) and the two are of
comparable length (shorter/longer >= 0.5). Of each group the paged document (PDF) is kept,
its citations carrying page numbers; otherwise the first in sorted doc_id order.
"""

from __future__ import annotations

import re
import zlib
from collections import defaultdict
from collections.abc import Sequence

from ingest.models import LoadedDocument

SHINGLE = 5
MIN_CONTAINMENT = 0.7
MIN_LENGTH_RATIO = 0.5


def shingles(text: str, k: int = SHINGLE) -> set[int]:
    """Stable (crc32) hashes of the k-word shingles of the lower-cased alphanumeric words."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    return {
        zlib.crc32(" ".join(words[i : i + k]).encode()) for i in range(max(0, len(words) - k + 1))
    }


SKETCH = 64
SKETCH_MIN_SHARED = 2


def sketch(shingle_set: set[int], k: int = SKETCH) -> list[int]:
    """The `k` smallest shingle hashes (a bottom-k sketch), to pick which stored documents
    to compare a new one with, without reading them all. Of the k smallest hashes of two
    documents' union, each is in both sketches with probability Jaccard >= 0.3 for
    duplicates as defined here (containment >= 0.7, length ratio >= 0.5); two documents
    sharing fewer than `SKETCH_MIN_SHARED` hashes are duplicates with a chance below 1e-7
    (binomial, k = 64), while unrelated documents with a few common phrases share one."""
    return sorted(shingle_set)[:k]


def similarity(a: set[int], b: set[int]) -> tuple[float, float]:
    """(containment of the smaller in the larger, size ratio smaller/larger)."""
    if not a or not b:
        return 0.0, 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / len(small), len(small) / len(large)


def find_duplicates(docs: Sequence[LoadedDocument]) -> list[tuple[str, str]]:
    """(doc_id, duplicate_of_doc_id) for each document whose text another one already holds."""
    sets = {d.meta.doc_id: shingles(d.text) for d in docs}
    paged = {d.meta.doc_id for d in docs if d.page_starts}
    postings: dict[int, list[str]] = defaultdict(list)
    for doc_id in sorted(sets):
        for sh in sets[doc_id]:
            postings[sh].append(doc_id)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for ids in postings.values():
        if 1 < len(ids) < 50:
            for i, a in enumerate(ids):
                for b in ids[i + 1 :]:
                    shared[(a, b)] += 1
    parent = {doc_id: doc_id for doc_id in sets}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for (a, b), count in shared.items():
        small, large = sorted((len(sets[a]), len(sets[b])))
        if count / small >= MIN_CONTAINMENT and small / large >= MIN_LENGTH_RATIO:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = defaultdict(list)
    for doc_id in sets:
        groups[find(doc_id)].append(doc_id)
    pairs: list[tuple[str, str]] = []
    for members in groups.values():
        if len(members) < 2:
            continue
        keep = min(members, key=lambda d: (d not in paged, d))
        pairs.extend((d, keep) for d in sorted(members) if d != keep)
    return sorted(pairs)
