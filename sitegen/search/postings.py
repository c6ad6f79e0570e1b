"""Counting terms and grouping them into postings lists, split over worker processes for big corpora.

A posting is one integer, ``doc << 16 | tf`` (tf = how often the term occurs in that field of that
document, at most MAX_TF). Workers take contiguous ranges of documents. Each counts the terms of its
texts, numbers them in first-seen order, and groups its postings by term with a stable sort of
those numbers (numpy), so a worker returns its own terms in UTF-16 order with their postings
lists. ``merge`` interleaves the workers' lists term by term; documents stay ascending within
every list, and the result does not depend on the number of workers.

Why numpy: 10,000 items have about 15 million postings. Appending them one by one to per-term
arrays cost 0.7 µs each in Python; numbering and sorting them as arrays costs a tenth of that.
"""

from __future__ import annotations

import gc
from array import array
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from . import parallel
from .tokenizer import count_terms, normalize

TF_BITS = 16
"""Bits of a posting integer that hold the term frequency."""

MAX_TF = (1 << TF_BITS) - 1
"""Term frequencies are capped here (a term repeated 65,535 times in one field)."""

PARALLEL_MIN_DOCS = 2000
"""Below this many documents one process is faster than starting workers."""


@dataclass(frozen=True, slots=True)
class Postings:
    """Every term of every document, grouped into postings lists."""

    terms: list[str]
    """Every term, in UTF-16 code unit order (JavaScript's string order, which lunr.js needs)."""
    counts: np.ndarray
    """``counts[t, f]``: length of the postings list of term t in field f."""
    values: np.ndarray
    """All postings ``doc << 16 | tf``, by term, then field, then ascending document."""
    lengths: list[list[int]]
    """Per field: token count of each document (lunr's field length)."""


def utf16_key(term: str) -> bytes:
    """Sort key giving JavaScript's (UTF-16 code unit) string order."""
    return term.encode("utf-16-be")


def posting_dtype(n_docs: int) -> type[np.unsignedinteger]:
    """Integer type of a posting: 32 bits up to 65,536 documents, else 64."""
    return np.uint32 if n_docs <= 0x10000 else np.uint64


class _Numbering(dict[str, int]):
    """term -> number in first-seen order; looking up a new term numbers it."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


def stable_order(keys: np.ndarray) -> np.ndarray:
    """Indices that sort non-negative integer ``keys`` (< 2**32) stably.

    A least-significant-digit radix sort in 16-bit digits: numpy sorts 16-bit integers stably by
    counting, which is faster than its general stable sort on wider ones.
    """
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    if len(keys) and int(keys.max()) > 0xFFFF:
        high = (keys[order] >> 16).astype(np.uint16)
        order = order[np.argsort(high, kind="stable")]
    return order


def _group_range(fields: Sequence[Sequence[str]], first_doc: int, n_docs: int) -> Postings:
    """Postings of texts ``fields[f][i]`` of documents ``first_doc + i``."""
    numbering = _Numbering()
    number = numbering.__getitem__
    ids = array("I")
    tfs = array("I")
    sizes = array("I")  # distinct terms per text
    lengths: list[list[int]] = []
    n_fields = len(fields)
    for texts in fields:
        field_lengths: list[int] = []
        for doc, text in enumerate(texts, first_doc):
            counts, length = count_terms(normalize(text))
            field_lengths.append(length)
            ids.extend(map(number, counts))
            tfs.extend(counts.values())
            sizes.append(len(counts))
        lengths.append(field_lengths)
    terms = list(numbering)
    rank = np.empty(len(terms), dtype=np.int64)
    rank[sorted(range(len(terms)), key=lambda i: utf16_key(terms[i]))] = np.arange(len(terms))
    # Every posting's field: the texts were counted field after field.
    per_doc = np.frombuffer(sizes, dtype=np.uint32)
    n_in_range = len(per_doc) // n_fields if n_fields else 0
    field_of = np.repeat(np.repeat(np.arange(n_fields), n_in_range), per_doc)
    doc_of = np.repeat(np.tile(np.arange(first_doc, first_doc + n_in_range), n_fields), per_doc)
    keys = rank[np.frombuffer(ids, dtype=np.uint32)] * n_fields + field_of
    order = stable_order(keys)
    dtype = posting_dtype(n_docs)
    tf = np.minimum(np.frombuffer(tfs, dtype=np.uint32), MAX_TF)
    values = ((doc_of.astype(dtype) << TF_BITS) | tf.astype(dtype))[order]
    counts = np.bincount(keys, minlength=len(terms) * n_fields).reshape(len(terms), n_fields)
    sorted_terms = [""] * len(terms)
    for term, r in zip(terms, rank.tolist(), strict=True):
        sorted_terms[r] = term
    return Postings(sorted_terms, counts, values, lengths)


def _worker(fields: Sequence[Sequence[str]], task: tuple[int, int, int]) -> Postings:
    """Postings of documents ``start``..``stop``-1 of ``n_docs``."""
    start, stop, n_docs = task
    return _group_range([texts[start:stop] for texts in fields], start, n_docs)


def merge(parts: Sequence[Postings]) -> Postings:
    """One Postings from those of consecutive document ranges, in range order."""
    if len(parts) == 1:
        return parts[0]
    n_fields = len(parts[0].lengths)
    vocabulary = sorted(set().union(*(p.terms for p in parts)), key=utf16_key)
    rank = {term: r for r, term in enumerate(vocabulary)}
    # A segment is one worker's list of one term in one field; segments of equal (term, field)
    # keep worker order under the stable sort, so documents stay ascending.
    keys, sizes, starts = [], [], []
    offset = 0
    for p in parts:
        global_rank = np.fromiter(map(rank.__getitem__, p.terms), np.int64, len(p.terms))
        keys.append((global_rank[:, None] * n_fields + np.arange(n_fields)).ravel())
        part_sizes = p.counts.ravel().astype(np.int64)
        sizes.append(part_sizes)
        starts.append(offset + np.cumsum(part_sizes) - part_sizes)
        offset += int(part_sizes.sum())
    key = np.concatenate(keys)
    order = np.argsort(key, kind="stable")
    size = np.concatenate(sizes)[order]
    start = np.concatenate(starts)[order]
    placed = np.cumsum(size) - size
    gather = np.repeat(start - placed, size) + np.arange(offset)
    values = np.concatenate([p.values for p in parts])[gather]
    counts = np.bincount(key, weights=np.concatenate(sizes), minlength=len(vocabulary) * n_fields)
    lengths = [[n for p in parts for n in p.lengths[f]] for f in range(n_fields)]
    return Postings(
        vocabulary, counts.astype(np.int64).reshape(len(vocabulary), n_fields), values, lengths
    )


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
    pieces = max(1, workers)
    tasks = [(n_docs * i // pieces, n_docs * (i + 1) // pieces, n_docs) for i in range(pieces)]
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: the cyclic GC only costs time
    try:
        parts = parallel.run(_worker, fields, tasks, workers, meanwhile)
    finally:
        if gc_was_enabled:
            gc.enable()
    return merge(parts)
