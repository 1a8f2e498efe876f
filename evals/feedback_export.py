"""Down-voted answers as evaluation cases for a person to complete (`igr feedback export`).

Each case is one line of the dataset format (`evals/dataset.py`): the question, its
history, the documents the answer cited as `sources`, and empty `type`, `answer`,
`evidence` and `keywords`; `review` keeps the answer given, the comment and the citations.
`igr eval` refuses a line until its type and the fields that type needs are filled in.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path, PurePosixPath

from assistant.feedback import FeedbackRecord, FeedbackStore


def case_line(record: FeedbackRecord) -> dict:
    """One dataset line (to complete) for one piece of feedback."""
    sources = list(dict.fromkeys(PurePosixPath(c.doc_id).name for c in record.citations))
    line: dict = {
        "id": f"fb{record.id:05d}",
        "type": "",
        "question": record.question,
        "answer": "",
        "sources": sources,
        "evidence": [],
        "keywords": [],
        "review": {
            "feedback_id": record.id,
            "rating": record.rating,
            "comment": record.comment,
            "given_answer": record.answer,
            "refused": record.refused,
            "citations": [
                {"doc_id": c.doc_id, "page": c.page, "quote": c.quote} for c in record.citations
            ],
            "created": record.created,
            "server_fingerprint": record.server_fingerprint,
            "fingerprint": record.fingerprint,
        },
    }
    if record.history:
        line["history"] = [m.model_dump() for m in record.history]
    return line


def export_cases(store: FeedbackStore, out: Path, include_up: bool = False) -> int:
    """Write the cases (down-votes; every rating with `include_up`) to `out` atomically;
    returns how many were written."""
    lines: list[str] = []
    offset, page = 0, 500
    rating = None if include_up else "down"
    while True:
        records = store.list(rating, limit=page, offset=offset)
        lines += [json.dumps(case_line(r), ensure_ascii=False) for r in records]
        if len(records) < page:
            break
        offset += page
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("".join(line + "\n" for line in lines))
    os.replace(tmp, out)
    return len(lines)
