"""Brute-force search: what the index and search.js must return, decided from text alone.

Used by the tests and bench/search_bench.py as the truth that recall and precision are measured
against (tokenizer spec step 5). search.js checks candidates with the same rule.
"""

from __future__ import annotations

from .tokenizer import WORD, char_class, normalize, parse_query


def part_occurs(part: str, norm_field: str) -> bool:
    """Whether a query part occurs in normalised field text, WORD-initial parts at a word start."""
    if not part:
        return False
    word_initial = char_class(part[0]) == WORD
    start = norm_field.find(part)
    while start >= 0:
        if not word_initial or start == 0 or char_class(norm_field[start - 1]) != WORD:
            return True
        start = norm_field.find(part, start + 1)
    return False


def matches(query: str, title: str, body: str) -> bool:
    """Whether a document should be found: every query part occurs in its title or its body."""
    parts = parse_query(query)
    if not parts:
        return False
    t, b = normalize(title), normalize(body)
    return all(part_occurs(p.text, t) or part_occurs(p.text, b) for p in parts)


def plain_substring(query: str, title: str, body: str) -> bool:
    """The naive check (whole normalised query inside title or body), for comparison in reports."""
    q = normalize(query).strip()
    return bool(q) and (q in normalize(title) or q in normalize(body))
