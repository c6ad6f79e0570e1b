"""Counting terms and inverting them into postings, split over worker processes for big corpora.

A posting is stored as one integer, ``doc << 16 | tf`` (tf = how often the term occurs in that
field of that document, at most MAX_TF), in an ``array('Q')`` per term and field, in document
order, so that a list of postings is strictly increasing. Workers take
contiguous ranges of documents, so concatenating their arrays keeps that order and the result does
not depend on the number of workers.
"""

from __future__ import annotations

import gc
from array import array
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import repeat
from operator import add

from . import parallel
from .tokenizer import count_terms, normalize

TF_BITS = 16
"""Bits of a posting integer that hold the term frequency."""

MAX_TF = (1 << TF_BITS) - 1
"""Term frequencies are capped here (a term repeated 65,535 times in one field)."""

PARALLEL_MIN_DOCS = 2000
"""Below this many documents one process is faster than starting workers."""


@dataclass(slots=True)
class Postings:
    """Everything the index needs from the texts of all documents."""

    terms: list[dict[str, array[int]]]
    """Per field: term -> array('Q') of ``doc << 32 | tf``, ascending by document."""
    lengths: list[list[int]]
    """Per field: token count of each document (lunr's field length)."""


class _ArrayTable(dict[str, "array[int]"]):
    """term -> array('Q'); looking up a missing term creates its empty array."""

    def __missing__(self, term: str) -> array[int]:
        found = self[term] = array("Q")
        return found


def _invert_range(fields: Sequence[Sequence[str]], first_doc: int) -> Postings:
    """Postings of texts ``fields[f][i]`` of documents ``first_doc + i``."""
    result = Postings([], [])
    for texts in fields:
        table = _ArrayTable()
        lengths: list[int] = []
        for doc, text in enumerate(texts, first_doc):
            counts, length = count_terms(normalize(text))
            lengths.append(length)
            if counts and max(counts.values()) > MAX_TF:
                counts = Counter({t: min(n, MAX_TF) for t, n in counts.items()})
            # A C-level loop doing table[term].append(doc << 16 | tf) for each term of the text.
            values = map(add, repeat(doc << TF_BITS), counts.values())
            deque(map(array.append, map(table.__getitem__, counts), values), maxlen=0)
        result.terms.append(table)
        result.lengths.append(lengths)
    return result


_Part = tuple[list[dict[str, bytes]], list[list[int]]]


def _worker(fields: Sequence[Sequence[str]], bounds: tuple[int, int]) -> _Part:
    """Postings of documents ``start``..``stop``-1, arrays as bytes for cheap pickling."""
    start, stop = bounds
    part = _invert_range([texts[start:stop] for texts in fields], start)
    return [{t: a.tobytes() for t, a in table.items()} for table in part.terms], part.lengths


def worker_count(n_docs: int) -> int:
    """How many processes to use for ``n_docs`` documents."""
    return 1 if n_docs < PARALLEL_MIN_DOCS else max(1, min(parallel.cpu_count(), 4))


def invert(
    fields: Sequence[Sequence[str]],
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
) -> Postings:
    """Postings of field texts (``fields[f][doc]``), using ``workers`` processes.

    ``meanwhile`` runs in this process while the workers count.
    """
    n_docs = len(fields[0]) if fields else 0
    workers = worker_count(n_docs) if workers is None else workers
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: the cyclic GC only costs time
    try:
        if workers <= 1:
            if meanwhile is not None:
                meanwhile()
            return _invert_range(fields, 0)
        bounds = [(n_docs * i // workers, n_docs * (i + 1) // workers) for i in range(workers)]
        parts = parallel.run(_worker, fields, bounds, workers, meanwhile)
    finally:
        if gc_was_enabled:
            gc.enable()
    merged = Postings([{} for _ in fields], [[] for _ in fields])
    for tables, lengths in parts:
        for f, table in enumerate(tables):
            target = merged.terms[f]
            for term, raw in table.items():
                found = target.get(term)
                if found is None:
                    found = target[term] = array("Q")
                found.frombytes(raw)
            merged.lengths[f].extend(lengths[f])
    return merged
