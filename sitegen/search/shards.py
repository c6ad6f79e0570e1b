"""Term shards: the inverted index cut into files of neighbouring terms, loaded per query term.

Terms are sorted in UTF-16 code unit order (JavaScript's string order, which lunr.js's TokenSet
builder requires). The manifest lists each shard's first term, so the browser finds a term's shard
by binary search and a prefix's shards as a contiguous range; search.js numbers the k-th term of
the n-th shard n * 65536 + k for lunr's ``_index`` (only the order of those numbers matters).

Where shards start depends on the terms around the cut only, not on everything before it, so that
an edit changes a handful of shard files rather than every later one (deploys and the live preview
copy only those): a term starts a new shard when the current one holds MIN_BYTES and the term's
hash is a multiple of CUT_EVERY, or when adding it would pass MAX_BYTES. A shard file is named
after a hash of its first term, ``t/<8 hex digits>.js`` (search.js computes the same name; the
manifest's ``renamed`` gives the name of a shard whose hash another one already took).

Shard file ``t/<name>.js``::

    SitegenSearch.add("t/<name>", {
      "k": ["保障", ...],    // the terms
      "f": [2.71, ...],     // lunr idf of each term (df counted per field, as lunr does)
      "c": [0, 3, ...],     // posting counts: term 0 title, term 0 body, term 1 title, ...
      "p": "base64"         // the postings doc << 16 | tf of every list, in that order, as
    });                     // wrapped differences (see _encode), little-endian, manifest "pw" bytes

Beside a shard that holds HAN or YI pairs, its adjacency file ``a/<name>.js`` (same name)::

    SitegenSearch.add("a/<name>", {
      "i": [0, 3, ...],     // which of the shard's terms are HAN or YI pairs (positions in "k")
      "m": "base64"         // per posting of their lists, in the shard's order, two bytes: the
    });                     // bits of the characters before, then after the pair in that document

The bits are termcount.neighbour_masks, ORed over the pair's occurrences in that field of that
document. search.js loads the file of a query's rarest pair only for a phrase of three or more
HAN/YI characters, and leaves out, without loading their text, the candidates that cannot hold the
phrase (推进高质量发展 needs 进高 after a character with 推's bit and before one with 质's): a phrase
found nowhere no longer costs dozens of document loads. A separate file, because no other query
needs it (the masks are half as big as the postings they describe).
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .postings import Postings, posting_dtype
from .termcount import pair_flags
from .utf16 import utf16_key

MIN_BYTES = 6_000
"""Postings bytes (before base64) a shard holds before a term's hash may start a new one."""
MAX_BYTES = 24_000
"""Postings bytes a shard never passes by taking one more term (a bigger term stands alone)."""
CUT_EVERY = 24
"""One term in this many may start a shard (about 20 terms per shard at 10,000 items)."""


@lru_cache(maxsize=1 << 18)  # the live preview plans the shards again after every edit
def fnv1a(term: str) -> int:
    """32-bit FNV-1a of the term's UTF-16 code units (search.js ``fnv1a`` computes the same)."""
    h = 0x811C9DC5
    data = term.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(data), 2):
        h = ((h ^ (data[i] | data[i + 1] << 8)) * 0x01000193) & 0xFFFFFFFF
    return h


def shard_names(firsts: list[str]) -> tuple[list[str], dict[str, str]]:
    """Each shard's file name (without ``t/`` and ``.js``), and the names that are not simply the
    hash of the first term, by shard number (rare: two first terms with the same hash)."""
    names: list[str] = []
    renamed: dict[str, str] = {}
    taken: set[str] = set()
    for n, first in enumerate(firsts):
        name = f"{fnv1a(first):08x}"
        if name in taken:
            suffix = 2
            while f"{name}-{suffix}" in taken:
                suffix += 1
            name = renamed[str(n)] = f"{name}-{suffix}"
        taken.add(name)
        names.append(name)
    return names, renamed


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


def adjacency_path(path: str) -> str:
    """The adjacency file of the shard file ``t/<name>.js``: ``a/<name>.js``."""
    return "a/" + path.removeprefix("t/")


def _adjacency(name: str, pairs: np.ndarray, counts: np.ndarray, around: np.ndarray) -> bytes:
    """The adjacency file of a shard: ``pairs`` flags its HAN/YI pair terms, ``counts`` its list
    lengths (terms × fields), ``around`` the neighbour masks of all its postings."""
    sizes = counts.sum(axis=1)
    keep = np.repeat(pairs, sizes)
    masks = around[keep].astype("<u2")  # previous character's bits in the low byte: "m" order
    payload = {
        "i": np.flatnonzero(pairs).tolist(),
        "m": base64.b64encode(masks.tobytes()).decode(),
    }
    return script(name, payload)


def _encode(
    name: str,
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
        "k": terms,
        "f": idfs,
        "c": counts,
        "p": base64.b64encode(deltas.astype(deltas.dtype.newbyteorder("<")).tobytes()).decode(),
    }
    return script(name, payload)


@dataclass(frozen=True, slots=True)
class Shards:
    """The term shards of an index."""

    firsts: list[str]
    """The first term of every shard, in order (the manifest's ``shards``)."""
    renamed: dict[str, str]
    """Shard number → name, for names that are not the hash of the first term."""
    files: dict[str, bytes]
    """``t/<name>.js`` and ``a/<name>.js`` → content, for the shards encoded (all, unless
    ``known`` was given)."""
    signatures: dict[str, bytes]
    """File path → fingerprint of what the shard holds (to skip unchanged shards next time), for
    every file of every shard (a shard's adjacency file has its shard's fingerprint)."""


def plan(postings: Postings, n_docs: int) -> list[int]:
    """Index of each shard's first term, plus the number of terms at the end.

    A term starts a new shard when the shard so far holds MIN_BYTES and the term's hash is a
    multiple of CUT_EVERY, or when adding the term would pass MAX_BYTES. Found shard by shard with
    binary searches over the running size, not term by term (a short rebuild plans every shard
    again: 130 → 40 ms at 10,000 items); tests compare it with the term-by-term rule.
    """
    n = len(postings.terms)
    if not n:
        return [0]
    width = posting_width(n_docs)
    sizes = postings.counts.sum(axis=1) * width + 24
    sizes += 3 * np.fromiter(map(len, postings.terms), np.int64, n)
    ends = [0, *np.cumsum(sizes).tolist()]  # ends[j]: size of terms 0 .. j-1
    cuts = np.flatnonzero(fnv1a_all(postings.terms) % CUT_EVERY == 0).tolist()
    bounds = [0]
    start = 0
    while True:
        # the first term after `start` with MIN_BYTES before it in the shard and a cutting hash
        at = max(bisect_left(ends, ends[start] + MIN_BYTES), start + 1)
        k = bisect_left(cuts, at)
        by_hash = cuts[k] if k < len(cuts) else n
        # the first term after `start` that would take the shard past MAX_BYTES
        by_size = max(bisect_right(ends, ends[start] + MAX_BYTES) - 1, start + 1)
        start = min(by_hash, by_size)
        if start >= n:
            break
        bounds.append(start)
    bounds.append(n)
    return bounds


def fnv1a_all(terms: Sequence[str]) -> np.ndarray:
    """``fnv1a`` of every term, computed over all of them at once (uint64 array)."""
    joined = "".join(terms)
    units = np.frombuffer(joined.encode("utf-16-le", "surrogatepass"), "<u2").astype(np.uint64)
    points = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), "<u4")
    astral = np.concatenate(([0], np.cumsum(points > 0xFFFF)))  # astral[k]: before point k
    n_points = np.fromiter(map(len, terms), np.int64, len(terms))
    first = np.cumsum(n_points) - n_points
    offsets = first + astral[first]  # where each term's code units start
    lengths = n_points + astral[first + n_points] - astral[first]  # and how many it has
    order = np.argsort(-lengths, kind="stable")  # longest first: the terms still going are a prefix
    offsets, lengths = offsets[order], lengths[order]
    h = np.full(len(terms), 0x811C9DC5, np.uint64)
    going = len(terms)
    for i in range(int(lengths[0]) if len(terms) else 0):
        while going and lengths[going - 1] <= i:
            going -= 1
        h[:going] = ((h[:going] ^ units[offsets[:going] + i]) * 0x01000193) & 0xFFFFFFFF
    out = np.empty_like(h)
    out[order] = h
    return out


def build_shards(
    postings: Postings,
    n_docs: int,
    known: Mapping[str, bytes] | None = None,
    unchanged: tuple[list[str], set[str]] | None = None,
) -> Shards:
    """The shards of an index; with ``known`` (the previous build's signatures), only the shards
    whose content differs are encoded.

    ``unchanged`` (with ``known``) spares computing signatures: (the previous index's shard
    first terms, the terms whose postings changed since; no shard was renamed). A shard between
    the same first terms as before, holding none of those terms, is the shard it was.
    """
    bounds = plan(postings, n_docs)
    firsts = [postings.terms[i] for i in bounds[:-1]]
    names, renamed = shard_names(firsts)
    ends = np.cumsum(postings.counts.sum(axis=1))
    files: dict[str, bytes] = {}
    signatures: dict[str, bytes] = {}
    next_first: dict[str, str | None] = {}
    dirty: set[int] = set()  # shards where a changed term is or was (terms are in UTF-16 order)
    if unchanged is not None and known is not None and not renamed:
        previous, changed = unchanged
        next_first = dict(zip(previous, [*previous[1:], None], strict=True))
        keys = [utf16_key(f) for f in firsts]
        dirty = {max(bisect_right(keys, utf16_key(t)) - 1, 0) for t in changed}
    for n, name in enumerate(names):
        first, stop = bounds[n], bounds[n + 1]
        path = f"t/{name}.js"
        beside = adjacency_path(path)
        if next_first and n not in dirty and known is not None and path in known:
            following = postings.terms[stop] if stop < len(postings.terms) else None
            if next_first.get(firsts[n], "") == following:
                signatures[path] = known[path]
                if beside in known:
                    signatures[beside] = known[beside]
                continue
        counts = postings.counts[first:stop]
        begin = int(ends[first - 1]) if first else 0
        end = int(ends[stop - 1])
        values = postings.values[begin:end]
        around = postings.around[begin:end]
        terms = postings.terms[first:stop]
        h = hashlib.blake2b(values.tobytes(), digest_size=16)
        h.update(around.tobytes())
        h.update(counts.astype(np.int64).tobytes())
        h.update(f"{n_docs}\0{values.dtype}\0{chr(0).join(terms)}".encode("utf-8", "surrogatepass"))
        signatures[path] = h.digest()
        pairs = pair_flags(terms)
        if pairs.any():
            signatures[beside] = signatures[path]
        if known is not None and known.get(path) == signatures[path]:
            continue
        idfs = [idf(df, n_docs) for df in counts.sum(axis=1).tolist()]
        files[path] = _encode(f"t/{name}", terms, idfs, counts.ravel().tolist(), values)
        if pairs.any():
            files[beside] = _adjacency(f"a/{name}", pairs, counts, around)
    return Shards(firsts, renamed, files, signatures)
