"""Counting terms and grouping them into postings lists, split over worker processes for big corpora.

A posting is one integer, ``doc << 16 | tf`` (tf = how often the term occurs in that field of that
document, at most MAX_TF). The documents are cut into blocks of BLOCK_DOCS consecutive documents,
counted from the last (oldest) one, so that a new item, which comes first, changes only the first
block. Each block is counted on its own (by worker processes when there are many): termcount.py
counts its terms, and a stable sort groups its postings by term in UTF-16 order, documents numbered
from the block's start. ``merge`` interleaves the blocks' lists term by term, so documents stay
ascending within every list. A block depends only on its own texts: an incremental build reuses
the blocks whose texts did not change (``invert``'s ``reuse``), and the result never depends on
the number of workers or on what was reused.

Why numpy: 10,000 items have about 15 million postings. Appending them one by one to per-term
arrays cost 0.7 µs each in Python; numbering and sorting them as arrays costs a tenth of that.
"""

from __future__ import annotations

import gc
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import pairwise

import numpy as np

from . import parallel
from .termcount import count_texts, prepare
from .utf16 import vocabulary

TF_BITS = 16
"""Bits of a posting integer that hold the term frequency."""

MAX_TF = (1 << TF_BITS) - 1
"""Term frequencies are capped here (a term repeated 65,535 times in one field)."""

PARALLEL_MIN_DOCS = 2000
"""Below this many documents one process is faster than starting workers."""

BLOCK_DOCS = 512
"""Documents per block (the first block, holding the newest documents, may be smaller)."""


@dataclass(frozen=True, slots=True)
class Postings:
    """Every term of every document, grouped into postings lists."""

    terms: list[str]
    """Every term, in UTF-16 code unit order (JavaScript's string order, which lunr.js needs)."""
    counts: np.ndarray
    """``counts[t, f]``: length of the postings list of term t in field f."""
    values: np.ndarray
    """All postings ``doc << 16 | tf``, by term, then field, then ascending document."""
    around: np.ndarray
    """Per posting, in the order of ``values``: the neighbour masks of the term in that field of
    that document (termcount.neighbour_masks ORed over its occurrences; 0 for a term that is not a
    HAN or YI pair), uint16."""
    lengths: list[list[int]]
    """Per field: token count of each document (lunr's field length)."""

    def __getstate__(self) -> tuple[object, ...]:
        # the terms as one string and their lengths: pickling 60,000 strings one by one costs
        # more than the arrays (the build cache holds every block's Postings)
        sizes = np.fromiter(map(len, self.terms), np.int64, len(self.terms))
        lengths = [np.asarray(f, np.int64) for f in self.lengths]
        return "".join(self.terms), sizes, self.counts, self.values, self.around, lengths

    def __setstate__(self, state: tuple[object, ...]) -> None:
        joined, sizes, counts, values, around, lengths = state
        ends = np.cumsum(sizes).tolist()
        starts = [0, *ends[:-1]] if ends else []
        terms = [joined[a:b] for a, b in zip(starts, ends, strict=True)]
        set_ = object.__setattr__
        set_(self, "terms", terms)
        set_(self, "counts", counts)
        set_(self, "values", values)
        set_(self, "around", around)
        set_(self, "lengths", [f.tolist() for f in lengths])


def posting_dtype(n_docs: int) -> type[np.unsignedinteger]:
    """Integer type of a posting: 32 bits up to 65,536 documents, else 64."""
    return np.uint32 if n_docs <= 0x10000 else np.uint64


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


def _group_block(fields: Sequence[Sequence[str]]) -> Postings:
    """Postings of texts ``fields[f][doc]``, documents numbered from 0 (at most 65,536)."""
    per_field = [count_texts(texts) for texts in fields]
    terms, ranks = vocabulary([c.terms for c in per_field])
    n_fields = len(fields)
    keys, values, around = [], [], []
    for f, c in enumerate(per_field):
        keys.append(ranks[f][c.term] * n_fields + f)
        tf = np.minimum(c.tf, MAX_TF).astype(np.uint32)
        values.append(c.doc.astype(np.uint32) << TF_BITS | tf)
        around.append(c.around)
    key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    # within one field, occurrences of a term are consecutive with documents ascending: a stable
    # sort by (term, field) keeps them so
    order = stable_order(key)
    value = np.concatenate(values)[order] if values else np.zeros(0, np.uint32)
    masks = np.concatenate(around)[order] if around else np.zeros(0, np.uint16)
    counts = np.bincount(key, minlength=len(terms) * n_fields).astype(np.int32)
    lengths = [c.lengths for c in per_field]
    return Postings(terms, counts.reshape(len(terms), n_fields), value, masks, lengths)


def _block_worker(fields: Sequence[Sequence[str]], bounds: tuple[int, int]) -> Postings:
    """Postings of the block of documents ``start``..``stop``-1."""
    start, stop = bounds
    return _group_block([texts[start:stop] for texts in fields])


def merge(blocks: Sequence[Postings], n_docs: int) -> Postings:
    """One Postings from those of consecutive blocks, in document order."""
    dtype = posting_dtype(n_docs)
    n_fields = len(blocks[0].lengths) if blocks else 0
    terms, ranks = vocabulary([b.terms for b in blocks])
    # A segment is one block's list of one term in one field. Segments of equal (term, field)
    # keep block order under the stable sort, so documents stay ascending.
    keys, sizes, starts, firsts = [], [], [], []
    offset = first_doc = 0
    for b, global_rank in zip(blocks, ranks, strict=True):
        keys.append((global_rank[:, None] * n_fields + np.arange(n_fields)).ravel())
        block_sizes = b.counts.ravel().astype(np.int64)
        sizes.append(block_sizes)
        starts.append(offset + np.cumsum(block_sizes) - block_sizes)
        firsts.append(np.full(len(block_sizes), first_doc, dtype=dtype))
        offset += int(block_sizes.sum())
        first_doc += len(b.lengths[0]) if b.lengths else 0
    key = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    order = np.argsort(key, kind="stable")
    all_sizes = np.concatenate(sizes) if sizes else np.zeros(0, np.int64)
    size = all_sizes[order]
    # Where each posting of the merged lists comes from: 32-bit indices and in-place arithmetic
    # keep the peak memory of 15 million postings near three copies of them.
    index = np.int32 if offset < 2**31 else np.int64
    placed = np.cumsum(size) - size
    gather = np.repeat((np.concatenate(starts)[order] - placed).astype(index), size)
    gather += np.arange(offset, dtype=index)
    values = np.concatenate([b.values for b in blocks]) if blocks else np.zeros(0, dtype)
    values = values.astype(dtype, copy=False)[gather]
    around = np.concatenate([b.around for b in blocks]) if blocks else np.zeros(0, np.uint16)
    around = around[gather]
    del gather
    # block-local document numbers -> index-wide ones
    values += np.repeat((np.concatenate(firsts)[order] << TF_BITS).astype(dtype), size)
    counts = np.bincount(key, weights=all_sizes, minlength=len(terms) * n_fields)
    lengths = [[n for b in blocks for n in b.lengths[f]] for f in range(n_fields)]
    counts = counts.astype(np.int64).reshape(len(terms), n_fields)
    return Postings(terms, counts, values, around, lengths)


def block_bounds(n_docs: int) -> list[tuple[int, int]]:
    """(start, stop) of each block, in document order; all but the first hold BLOCK_DOCS."""
    first = n_docs % BLOCK_DOCS or min(n_docs, BLOCK_DOCS)
    cuts = [0, *range(first, n_docs + 1, BLOCK_DOCS)] if n_docs else [0]
    return list(pairwise(cuts))


def block_key(fields: Sequence[Sequence[str]], bounds: tuple[int, int]) -> str:
    """Fingerprint of a block's texts (equal texts give equal postings)."""
    h = hashlib.blake2b(digest_size=16)
    for texts in fields:
        for text in texts[bounds[0] : bounds[1]]:
            data = text.encode("utf-8", "surrogatepass")
            h.update(len(data).to_bytes(8, "little"))
            h.update(data)
    return h.hexdigest()


def worker_count(n_docs: int) -> int:
    """How many processes to use for ``n_docs`` documents."""
    return 1 if n_docs < PARALLEL_MIN_DOCS else max(1, min(parallel.cpu_count(), 4))


def invert(
    fields: Sequence[Sequence[str]],
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    reuse: Mapping[str, Postings] | None = None,
) -> tuple[Postings, dict[str, Postings]]:
    """Postings of field texts (``fields[f][doc]``), and every block's by its block_key.

    Blocks found in ``reuse`` are not counted again; the rest are counted by ``workers``
    processes. ``meanwhile`` runs in this process while the workers count.
    """
    ordered, blocks = count_blocks(fields, workers, meanwhile, reuse)
    return merge(ordered, len(fields[0]) if fields else 0), blocks


def count_blocks(
    fields: Sequence[Sequence[str]],
    workers: int | None = None,
    meanwhile: Callable[[], None] | None = None,
    reuse: Mapping[str, Postings] | None = None,
) -> tuple[list[Postings], dict[str, Postings]]:
    """invert's first half: every block's postings in document order (for merge), and the
    blocks by block_key."""
    n_docs = len(fields[0]) if fields else 0
    reuse = reuse or {}
    bounds = block_bounds(n_docs)
    keys = [block_key(fields, b) for b in bounds]
    todo = [b for b, k in zip(bounds, keys, strict=True) if k not in reuse]
    todo_docs = sum(stop - start for start, stop in todo)
    workers = worker_count(todo_docs) if workers is None else workers
    prepare()  # class tables built once, inherited by forked workers
    gc_was_enabled = gc.isenabled()
    gc.disable()  # millions of small objects, no cycles: the cyclic GC only costs time
    try:
        counted = parallel.run(_block_worker, fields, todo, workers, meanwhile)
    finally:
        if gc_was_enabled:
            gc.enable()
    fresh = dict(zip(todo, counted, strict=True))
    blocks = {
        k: reuse[k] if b not in fresh else fresh[b] for b, k in zip(bounds, keys, strict=True)
    }
    ordered = [blocks[k] for k in keys]
    if not ordered:
        ordered = [_group_block([[] for _ in fields])]
    return ordered, blocks


def patch_document(postings: Postings, doc: int, texts: Sequence[str]) -> tuple[Postings, set[str]]:
    """``postings`` with document ``doc``'s texts (one per field) replaced by ``texts``, and the
    terms whose postings changed: a term the document had or has, with another frequency or other
    neighbour masks in some field now (a term it keeps as it was is left out: its shard need not
    be looked at again).

    Equal to inverting the changed texts from scratch (tests check it), at a fraction of the cost:
    body-only rebuilds and the live preview's quick search update. The document's old postings are
    dropped, its new ones inserted into their lists, and terms left without postings leave the
    vocabulary. ``doc`` is an existing document (an edit: no document is added or removed).
    """
    n_fields = len(postings.lengths)
    fresh = [count_texts([text]) for text in texts]
    added = sorted({t for c in fresh for t in c.terms})
    terms, (old_rank, added_rank) = vocabulary([postings.terms, added])
    sizes = postings.counts.ravel().astype(np.int64)
    ends = np.cumsum(sizes)
    # drop the document's postings (lists hold postings in document order)
    dtype = postings.values.dtype
    gone = np.flatnonzero((postings.values >> dtype.type(TF_BITS)) == dtype.type(doc))
    gone_list = np.searchsorted(ends, gone, side="right")
    was = {  # (term, field) -> the document's posting and neighbour masks before
        (postings.terms[i // n_fields], i % n_fields): (v, m)
        for i, v, m in zip(
            gone_list.tolist(),
            postings.values[gone].tolist(),
            postings.around[gone].tolist(),
            strict=True,
        )
    }
    now: dict[tuple[str, int], tuple[int, int]] = {}
    kept_sizes = sizes.copy()
    np.subtract.at(kept_sizes, gone_list, 1)
    kept = np.delete(postings.values, gone)
    kept_around = np.delete(postings.around, gone)
    # list sizes in the new vocabulary: the old terms keep their order, new terms come in between
    counts = np.zeros((len(terms), n_fields), np.int64)
    counts[old_rank] = kept_sizes.reshape(-1, n_fields)
    kept_starts = np.cumsum(kept_sizes) - kept_sizes
    rank_of_added = dict(zip(added, added_rank.tolist(), strict=True))
    # (position in ``kept``, rank, field, posting, neighbour masks)
    inserts: list[tuple[int, int, int, int, int]] = []
    for f, c in enumerate(fresh):
        for term, tf, masks in zip(c.term.tolist(), c.tf.tolist(), c.around.tolist(), strict=True):
            rank = rank_of_added[c.terms[term]]
            posting = doc << TF_BITS | min(tf, MAX_TF)
            now[c.terms[term], f] = posting, masks
            old = int(np.searchsorted(old_rank, rank))  # old_rank rises: the old terms' order
            if old == len(old_rank) or old_rank[old] != rank:
                # a new term: its list goes after the lists of the terms before it
                at = int(kept_starts[old * n_fields]) if old < len(old_rank) else len(kept)
            else:
                start = int(kept_starts[old * n_fields + f])
                segment = kept[start : start + int(kept_sizes[old * n_fields + f])]
                at = start + int(np.searchsorted(segment, dtype.type(posting)))
            inserts.append((at, rank, f, posting, masks))
            counts[rank, f] += 1
    inserts.sort()  # at one position: lists in (term, field) order
    where = np.array([insert[0] for insert in inserts], np.int64)
    values = np.insert(kept, where, np.array([insert[3] for insert in inserts], dtype))
    around = np.insert(kept_around, where, np.array([insert[4] for insert in inserts], np.uint16))
    lengths = [list(field) for field in postings.lengths]
    for f, c in enumerate(fresh):
        lengths[f][doc] = c.lengths[0]
    used = counts.sum(axis=1) > 0
    if not used.all():
        terms = [t for t, u in zip(terms, used.tolist(), strict=True) if u]
        counts = counts[used]
    touched = {
        term for term, f in was.keys() | now.keys() if was.get((term, f)) != now.get((term, f))
    }
    return Postings(terms, counts, values, around, lengths), touched
