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
import sys
from array import array
from dataclasses import dataclass
from itertools import repeat
from operator import and_, sub

from . import parallel
from .postings import Postings

TARGET_BYTES = 12_000
"""Postings bytes (before base64) after which a shard is closed."""

_WIDTH_CODES = {4: "I", 8: "Q"}


def utf16_key(term: str) -> bytes:
    """Sort key giving JavaScript's (UTF-16 code unit) string order."""
    return term.encode("utf-16-be")


def posting_width(n_docs: int) -> int:
    """Bytes per posting delta: 4 up to 65,536 documents, else 8."""
    return 4 if n_docs <= 0x10000 else 8


def _pack(values: list[int], width: int) -> bytes:
    """Little-endian unsigned integers of ``width`` bytes."""
    packed = array(_WIDTH_CODES[width], values)
    if sys.byteorder == "big":  # pragma: no cover - no big-endian CI
        packed.byteswap()
    return packed.tobytes()


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
    postings: array[int],
    width: int,
) -> bytes:
    """One shard file from the concatenated posting integers (``doc << 16 | tf``) of its lists.

    The blob holds the differences between consecutive posting integers modulo 2**(8*width),
    across list boundaries too, so search.js recovers them with a running sum modulo the same
    power of two (a list's first posting is a wrapped difference from the previous list's last).
    """
    mask = (1 << (8 * width)) - 1
    previous = [0]
    previous.extend(postings[:-1])
    deltas = list(map(and_, map(sub, postings, previous), repeat(mask)))
    payload = {
        "o": first,
        "k": terms,
        "f": idfs,
        "c": counts,
        "p": base64.b64encode(_pack(deltas, width)).decode("ascii"),
    }
    return script(name, payload)


@dataclass(frozen=True, slots=True)
class _Plan:
    """What every shard-encoding worker needs: the postings, vocabulary and shard boundaries."""

    tables: list[dict[str, array[int]]]
    vocabulary: list[str]
    bounds: list[int]
    n_docs: int


def _plan(postings: Postings, n_docs: int) -> _Plan:
    """Sorted vocabulary and where each shard starts (plus the end), by postings size."""
    tables = postings.terms
    vocabulary = sorted(set().union(*tables), key=utf16_key)
    width = posting_width(n_docs)
    bounds = [0]
    size = 0
    for index, term in enumerate(vocabulary):
        size += sum(len(table.get(term, ())) for table in tables) * width + 3 * len(term) + 24
        if size >= TARGET_BYTES:
            bounds.append(index + 1)
            size = 0
    if bounds[-1] != len(vocabulary):
        bounds.append(len(vocabulary))
    return _Plan(tables, vocabulary, bounds, n_docs)


def _encode_range(plan: _Plan, shard_range: tuple[int, int]) -> list[bytes]:
    """Files of shards ``shard_range[0]``..``shard_range[1]``-1."""
    empty: array[int] = array("Q")
    width = posting_width(plan.n_docs)
    files = []
    for n in range(*shard_range):
        first, stop = plan.bounds[n], plan.bounds[n + 1]
        terms = plan.vocabulary[first:stop]
        idfs: list[float] = []
        counts: list[int] = []
        chunks: list[array[int]] = []
        for term in terms:
            lists = [table.get(term, empty) for table in plan.tables]
            lengths = list(map(len, lists))
            idfs.append(idf(sum(lengths), plan.n_docs))
            counts.extend(lengths)
            chunks.extend(lists)
        joined = array("Q", b"".join(chunks))
        files.append(_encode(f"t/{n}", first, terms, idfs, counts, joined, width))
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
    return [plan.vocabulary[i] for i in plan.bounds[:-1]], files
