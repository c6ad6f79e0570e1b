"""Term shards: the inverted index cut into files of neighbouring terms, loaded per query term.

Terms are sorted in UTF-16 code unit order (JavaScript's string order, which lunr.js's TokenSet
builder requires); a term's lunr ``_index`` is its rank in that order. Consecutive terms are packed
into a shard until it holds about ``TARGET_BYTES`` of postings; a bigger term gets a shard of its
own. The manifest lists each shard's first term, so the browser finds a term's shard by binary
search and a prefix's shards as a contiguous range.

Shard file ``t/N.js``::

    SitegenSearch.add("t/N", {
      "o": 1234,            // _index of the shard's first term
      "k": ["保障", ...],    // the terms
      "f": [2.71, ...],     // lunr idf of each term (df counted per field, as lunr does)
      "c": [0, 3, ...],     // posting counts: term 0 title, term 0 body, term 1 title, ...
      "p": "base64"         // the postings doc << 16 | tf of every list, in that order, as
    });                     // wrapped differences (see _encode), little-endian, manifest "pw" bytes
"""

from __future__ import annotations

import base64
import json
import math
from dataclasses import dataclass

import numpy as np

from . import parallel
from .postings import Postings, posting_dtype

TARGET_BYTES = 12_000
"""Postings bytes (before base64) after which a shard is closed."""


def posting_width(n_docs: int) -> int:
    """Bytes per posting delta: 4 up to 65,536 documents, else 8."""
    return np.dtype(posting_dtype(n_docs)).itemsize


def idf(df: int, n_docs: int) -> float:
    """lunr's inverse document frequency (lunr/idf.py, lunr.js lunr.idf)."""
    return math.log(1 + abs((n_docs - df + 0.5) / (df + 0.5)))


def script(name: str, payload: object) -> bytes:
    """A script file registering ``payload`` under ``name`` with window.SitegenSearch."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    # "<" only occurs inside JSON strings: \u003c there keeps the text and means no "</script>" or
    # "<script" from a title or body ever appears in the file (safe even if it is inlined)
    body = body.replace("<", "\\u003c")
    return f"SitegenSearch.add({json.dumps(name)},{body});\n".encode()


def _encode(
    name: str,
    first: int,
    terms: list[str],
    idfs: list[float],
    counts: list[int],
    values: np.ndarray,
) -> bytes:
    """One shard file from the concatenated postings (``doc << 16 | tf``) of its lists.

    The blob holds the differences between consecutive posting integers modulo 2**(8*width),
    across list boundaries too, so search.js recovers them with a running sum modulo the same
    power of two (a list's first posting is a wrapped difference from the previous list's last).
    Unsigned numpy subtraction wraps exactly so.
    """
    deltas = np.diff(values, prepend=values.dtype.type(0))
    payload = {
        "o": first,
        "k": terms,
        "f": idfs,
        "c": counts,
        "p": base64.b64encode(deltas.astype(deltas.dtype.newbyteorder("<")).tobytes()).decode(),
    }
    return script(name, payload)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What every shard-encoding worker needs: the postings and the shard boundaries."""

    postings: Postings
    bounds: list[int]
    """Index of each shard's first term, and the number of terms at the end."""
    n_docs: int


def _plan(postings: Postings, n_docs: int) -> _Plan:
    """Where each shard starts (plus the end), by postings size."""
    width = posting_width(n_docs)
    sizes = postings.counts.sum(axis=1) * width + 24
    bounds = [0]
    size = 0
    for index, (term, term_size) in enumerate(zip(postings.terms, sizes.tolist(), strict=True)):
        size += term_size + 3 * len(term)
        if size >= TARGET_BYTES:
            bounds.append(index + 1)
            size = 0
    if bounds[-1] != len(postings.terms):
        bounds.append(len(postings.terms))
    return _Plan(postings, bounds, n_docs)


def _encode_range(plan: _Plan, shard_range: tuple[int, int]) -> list[bytes]:
    """Files of shards ``shard_range[0]``..``shard_range[1]``-1."""
    postings = plan.postings
    ends = np.cumsum(postings.counts.sum(axis=1))
    files = []
    for n in range(*shard_range):
        first, stop = plan.bounds[n], plan.bounds[n + 1]
        counts = postings.counts[first:stop]
        begin = int(ends[first - 1]) if first else 0
        values = postings.values[begin : int(ends[stop - 1])]
        idfs = [idf(df, plan.n_docs) for df in counts.sum(axis=1).tolist()]
        terms = postings.terms[first:stop]
        files.append(_encode(f"t/{n}", first, terms, idfs, counts.ravel().tolist(), values))
    return files


def build_shards(
    postings: Postings, n_docs: int, workers: int = 1
) -> tuple[list[str], list[bytes]]:
    """The first term of every shard and the shard files, in order."""
    plan = _plan(postings, n_docs)
    n_shards = len(plan.bounds) - 1
    pieces = max(1, min(workers, n_shards))
    ranges = [(n_shards * i // pieces, n_shards * (i + 1) // pieces) for i in range(pieces)]
    files = [f for part in parallel.run(_encode_range, plan, ranges, workers) for f in part]
    return [postings.terms[i] for i in plan.bounds[:-1]], files
