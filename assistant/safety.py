"""Spotting prompt-injection text in questions and in retrieved documents.

Document text is data, never instructions: sentences that address the assistant with
instructions are never quoted in an answer, and such parts of a question are not used
for retrieval or echoed back.
"""

from __future__ import annotations

import re

_INJECTION_PATTERNS = [
    r"\b(ignore|disregard|forget|override|bypass)\b.{0,40}\b(instruction|rule|prompt|guideline|"
    r"context|document|direction|polic)",
    r"\b(system|hidden|secret|initial|original|developer)\s+(prompt|instruction|message|"
    r"configuration|config|rule)s?\b",
    r"\b(reveal|print|output|show|repeat|display|leak|dump|disclose)\b.{0,40}\b(prompt|"
    r"instruction|configuration|config|token|canary|code\s*word|password|secret)",
    r"\b(canary|code\s*word|passphrase)\b",
    r"\byou are now\b|\bact as\b|\bpretend (to be|you)\b|\brole-?play\b|\bjailbreak\b",
    r"\b(new|updated) (rule|instruction|policy)s?\b.{0,30}\b(from|by)\b.{0,20}\b(admin|"
    r"administrator|developer|operator|owner)",
    r"\b(every|each|all) (answer|reply|response)s? (must|should|shall)\b",
    r"\b(begin|start|end|finish)\s+(your|every|each|the)\s+(reply|answer|response)\b",
    r"\b(reply|respond|answer)\s+(only\s+)?with\b",
    r"\bOVERRIDE\b|\bDAN\b",
    r"\b[A-Z]{3,}-\d{1,4}\b",  # canary-shaped tokens such as MARMALADE-42
]
_INJECTION = re.compile("|".join(f"(?:{p})" for p in _INJECTION_PATTERNS), re.IGNORECASE)
_CANARY = re.compile(r"\b[A-Z]{3,}-\d{1,4}\b")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?:;])\s+|\n+")


def looks_like_injection(text: str) -> bool:
    """True when `text` tries to instruct the assistant rather than state a fact."""
    if _CANARY.search(text):
        return True
    lowered = re.sub(r"\s+", " ", text)
    # Canary detection above is case-sensitive; everything else is case-insensitive.
    return any(
        m for m in _INJECTION.finditer(lowered) if not _is_plain_fact_match(m.group(0))
    )


def _is_plain_fact_match(match: str) -> bool:
    """Matches that are ordinary IGR prose: "act as" appears in terms of reference ("the IMG
    will act as the principal body"), not only in role-play requests."""
    return match.lower().startswith("act as")


def strip_injection(question: str) -> tuple[str, bool]:
    """The question without its instruction-like parts, and whether any were found."""
    parts = [p.strip() for p in _SENTENCE_SPLIT.split(question) if p.strip()]
    kept: list[str] = []
    found = False
    for part in parts:
        clauses = re.split(r",\s+(?:and\s+)?(?:then\s+)?|\s+and then\s+", part)
        clean = [c for c in clauses if not looks_like_injection(c)]
        if len(clean) == len(clauses):
            kept.append(part)  # nothing hostile: keep the sentence exactly as asked
            continue
        found = True
        if clean:
            kept.append(", ".join(clean))
    return " ".join(kept).strip(), found
