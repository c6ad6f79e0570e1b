"""The search index writer: documents in, the files of an edition's search/ folder out.

Layout (every file is a script calling ``SitegenSearch.add(id, data)``, so it loads from file://
as well as over HTTP, under any sub-path):

- ``manifest.js``: settings, the per-document tables needed before any text is loaded (field
  lengths for scoring; domain, stage, year and language for filters), packed as strings so that
  it parses in a few milliseconds, and the first term of each term shard. Format described in
  ``manifest()`` (FORMAT_VERSION).
- ``t/<name>.js``: term shards (see shards.py), fetched per query term.
- ``a/<name>.js``: the neighbour masks of a shard's HAN/YI pairs (shards.py), fetched for one pair
  of a phrase of three or more characters, to leave out candidates without loading their text.
- ``d/N.js``: document N: link, title, date, body text (for the snippet and the phrase check).

Scores are lunr 2.3.9's: search.js computes each field vector entry exactly as lunr's builder
would (BM25, k1 = 1.2, b = 0.75, field boosts, rounded to 3 decimals) from the term frequencies,
field lengths and idf stored here, and lunr.Index.query's result from the loaded terms only
(bit-identical to running lunr.js on a lunr.Index assembled from those parts, which the tests do,
and equal to lunr.py's own index of the same token lists).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace

from ..records import fast_pickle
from .postings import Postings, count_blocks, merge, patch_document
from .shards import Shards, build_shards, posting_width, script
from .tokenizer import SPEC_VERSION

FORMAT_VERSION = 3
"""Version of the file layout; search.js refuses other versions (3: adjacency files)."""

FIELDS: tuple[tuple[str, int], ...] = (("title", 10), ("body", 1))
"""Indexed fields and their lunr boosts."""

K1, B = 1.2, 0.75
"""lunr's BM25 parameters (its defaults)."""

LAST_TIMINGS: dict[str, float] = {}
"""Seconds spent in each phase by the last build_search_index call (for benchmarks)."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class SearchDoc:
    """One published item as the search index sees it."""

    ref: str
    """URL of the item page relative to the edition root, e.g. "shehui-jiuzhu/dibao-2024.html"."""
    title: str
    """Title (信息名称), indexed with boost 10."""
    body: str
    """Plain text of the body, indexed with boost 1."""
    domain: str
    """Display name of the domain (领域), e.g. 社会救助."""
    domain_slug: str
    """ASCII slug of the domain, used as the filter value."""
    stage: str
    """Display name of the disclosure stage, e.g. 结果公开."""
    stage_slug: str
    """ASCII slug of the stage, used as the filter value."""
    date: str
    """ISO publish date (YYYY-MM-DD); its year is the year filter."""
    lang: str
    """Language of the item: "zh" or "ii"."""


def _table(values: Sequence[tuple[str, ...]]) -> tuple[list[list[str]], list[int]]:
    """Distinct values in order of first appearance, and each document's index into them."""
    seen: dict[tuple[str, ...], int] = {}
    indexes = [seen.setdefault(v, len(seen)) for v in values]
    return [list(v) for v in seen], indexes


def _year(date: str) -> int:
    """The year of an ISO date, 0 when there is none."""
    head = date[:4]
    return int(head) if len(head) == 4 and head.isdigit() else 0


COLUMN_BASE = 0x30
"""Code unit of table index 0 in a per-document column string ("0")."""


def _column(indexes: Sequence[int]) -> str:
    """Table indexes as a string of one UTF-16 code unit per document: COLUMN_BASE + index."""
    if indexes and max(indexes) + COLUMN_BASE >= 0xD800:  # no surrogates: one unit per document
        raise ValueError(f"too many distinct values for a column: {max(indexes) + 1}")
    return "".join(chr(COLUMN_BASE + i) for i in indexes)


LONG_LENGTH = 0xD000 - COLUMN_BASE
"""Field lengths from this on are written as the code unit COLUMN_BASE + LONG_LENGTH and listed
in the manifest's ``long_lengths`` (a column holds one code unit per document, below surrogates)."""


def _lengths(values: Sequence[int]) -> tuple[str, dict[str, int]]:
    """A field's token counts as a column string, and the counts too big for it by document."""
    column = "".join(chr(COLUMN_BASE + min(n, LONG_LENGTH)) for n in values)
    return column, {str(doc): n for doc, n in enumerate(values) if n >= LONG_LENGTH}


def manifest(
    docs: Sequence[SearchDoc],
    lengths: list[list[int]],
    firsts: list[str],
    renamed: Mapping[str, str] | None = None,
    tables: Mapping[str, object] | None = None,
) -> dict[str, object]:
    """The manifest: everything search.js needs before loading a term shard.

    Format 2 keeps the per-document tables as strings, which a browser parses far faster than
    arrays of numbers (and which search.js reads without building arrays):

    - ``domains``/``stages`` are lists of [slug, name], ``langs`` of [code], ``years`` of publish
      years (0: unknown), each in order of first appearance;
    - ``doc_domain``, ``doc_stage``, ``doc_lang``, ``doc_year`` are columns: one UTF-16 code unit
      per document, ``COLUMN_BASE`` (0x30, "0") + the index into that table;
    - ``lengths[f]`` is the column of the token counts of field f: ``COLUMN_BASE`` + the count,
      or ``COLUMN_BASE + LONG_LENGTH`` for a count of LONG_LENGTH or more, found in
      ``long_lengths[f]`` ({document number: count}); ``averages[f]`` is their mean, computed as
      lunr.py's builder does (sum / number of documents);
    - ``shards[n]`` is the first term of shard n, whose file is ``t/<name>.js`` (shards.py:
      the FNV-1a hash of that term, unless ``renamed`` gives the name of shard n); ``pw`` is the
      byte width of a posting in the shards.

    ``tables`` (a previous manifest of the same documents but for their texts) saves computing
    the per-document tables again.
    """
    if tables is None:
        tables = _document_tables(docs)
    columns = [_lengths(field) for field in lengths]
    return {
        "format": FORMAT_VERSION,
        "tokenizer": SPEC_VERSION,
        "fields": [name for name, _ in FIELDS],
        "boosts": [boost for _, boost in FIELDS],
        "k1": K1,
        "b": B,
        **{key: tables[key] for key in DOCUMENT_TABLES},
        "averages": [sum(field) / len(field) if field else 0 for field in lengths],
        "lengths": [column for column, _ in columns],
        "long_lengths": [long for _, long in columns],
        "shards": firsts,
        "renamed": dict(renamed or {}),
    }


DOCUMENT_TABLES = (
    "count",
    "pw",
    "domains",
    "stages",
    "langs",
    "years",
    "doc_domain",
    "doc_stage",
    "doc_lang",
    "doc_year",
)
"""The manifest's entries that depend on the documents' places, not on their texts."""


def _document_tables(docs: Sequence[SearchDoc]) -> dict[str, object]:
    domains, doc_domain = _table([(d.domain_slug, d.domain) for d in docs])
    stages, doc_stage = _table([(d.stage_slug, d.stage) for d in docs])
    langs, doc_lang = _table([(d.lang,) for d in docs])
    years: dict[int, int] = {}
    doc_year = [years.setdefault(_year(d.date), len(years)) for d in docs]
    return {
        "count": len(docs),
        "pw": posting_width(len(docs)),
        "domains": domains,
        "stages": stages,
        "langs": langs,
        "years": list(years),
        "doc_domain": _column(doc_domain),
        "doc_stage": _column(doc_stage),
        "doc_lang": _column(doc_lang),
        "doc_year": _column(doc_year),
    }


def build_search_index(docs: Sequence[SearchDoc], workers: int | None = None) -> dict[str, bytes]:
    """The files of the search/ folder (relative path -> content), byte-identical for equal input.

    ``workers`` overrides the number of processes used to count terms (default: up to 4 for big
    corpora, 1 below 2,000 documents); the output does not depend on it.
    """
    return index_files(docs, workers)[0]


@dataclass(frozen=True, slots=True)
class SearchState:
    """An index as built: what a quick update of one edited document starts from."""

    docs: tuple[SearchDoc, ...]
    """The documents, in index order."""
    postings: Postings
    """Every term's postings lists."""
    shards: Mapping[str, bytes]
    """Shard file → fingerprint of its content (shards.py): unchanged shards are not encoded."""
    files: frozenset[str]
    """Every file of the index (manifest.js, t/*.js, a/*.js, d/*.js)."""
    listing: Mapping[str, object]
    """The manifest."""


def document_file(n: int, doc: SearchDoc) -> bytes:
    """``d/N.js``: document N's link, title, date and body text."""
    return script(f"d/{n}", {"u": doc.ref, "t": doc.title, "d": doc.date, "b": doc.body})


def term_files(
    docs: Sequence[SearchDoc], postings: Postings
) -> tuple[dict[str, bytes], Shards, dict[str, object]]:
    """``manifest.js`` and the term shards of documents with these postings, the shards'
    description and the manifest."""
    shards = build_shards(postings, len(docs))
    listing = manifest(docs, postings.lengths, shards.firsts, shards.renamed)
    return {"manifest.js": script("manifest", listing), **shards.files}, shards, listing


@dataclass(frozen=True, slots=True)
class Counted:
    """An index whose documents are counted, not yet merged and encoded (index_files' first half)."""

    docs: tuple[SearchDoc, ...]
    """The documents, in index order."""
    blocks: tuple[Postings, ...]
    """Every block's postings, in document order."""
    by_key: dict[str, Postings]
    """The blocks by fingerprint (the next build's ``reuse``)."""
    doc_files: dict[str, bytes]
    """``d/N.js`` → content, for every document (empty when they were handed to ``put``)."""
    put_files: frozenset[str] = frozenset()
    """The document files handed to ``put`` (count_index) instead."""


def index_files(
    docs: Sequence[SearchDoc],
    workers: int | None = None,
    reuse: Mapping[str, Postings] | None = None,
) -> tuple[dict[str, bytes], dict[str, Postings], SearchState]:
    """build_search_index, reusing counted blocks of documents (postings.py) from ``reuse``.

    Also returns the blocks of this index by fingerprint, to be passed as ``reuse`` next time, and
    the state a quick update (edit_document) starts from.
    """
    return finish_index(count_index(docs, workers, reuse))


def count_index(
    docs: Sequence[SearchDoc],
    workers: int | None = None,
    reuse: Mapping[str, Postings] | None = None,
    put: Callable[[str, bytes], object] | None = None,
) -> Counted:
    """Count the terms of the documents (the blocks not in ``reuse``) over ``workers`` processes;
    the documents' own files are encoded meanwhile, and handed to ``put(path, data)`` at once
    when given (the caller writes them; they are then not among finish_index's files)."""
    doc_files: dict[str, bytes] = {}

    def write_documents() -> None:  # while the workers count terms
        for n, d in enumerate(docs):
            if put is None:
                doc_files[f"d/{n}.js"] = document_file(n, d)
            else:
                put(f"d/{n}.js", document_file(n, d))

    started = time.perf_counter()
    fields = [[d.title for d in docs], [d.body for d in docs]]
    ordered, by_key = count_blocks(fields, workers, write_documents, reuse)
    LAST_TIMINGS["count"] = time.perf_counter() - started
    handed = frozenset(f"d/{n}.js" for n in range(len(docs))) if put is not None else frozenset()
    return Counted(tuple(docs), tuple(ordered), by_key, doc_files, handed)


def finish_index(
    counted: Counted,
) -> tuple[dict[str, bytes], dict[str, Postings], SearchState]:
    """The index files of counted documents (one process: merge the blocks, encode the shards),
    the blocks by fingerprint, and the index state."""
    started = time.perf_counter()
    postings = merge(counted.blocks, len(counted.docs))
    files, shards, listing = term_files(counted.docs, postings)
    files.update(counted.doc_files)
    LAST_TIMINGS["shards"] = time.perf_counter() - started
    every = frozenset(files) | counted.put_files
    state = SearchState(counted.docs, postings, shards.signatures, every, listing)
    return files, counted.by_key, state


def edit_document(
    state: SearchState, ref: str, title: str, body: str
) -> tuple[SearchState, dict[str, bytes]]:
    """The index with a new title and body for the document ``ref`` (an edited item that stays in
    its place), and the files that changed or may have: the manifest, the shards whose content
    changed, and the document's own file. Files of the index not in ``state.files`` any more (see
    the new state) are gone. Byte-identical to building the index again (tests check it).
    """
    n = next(i for i, d in enumerate(state.docs) if d.ref == ref)
    doc = replace(state.docs[n], title=title, body=body)
    docs = (*state.docs[:n], doc, *state.docs[n + 1 :])
    postings, changed = patch_document(state.postings, n, [doc.title, doc.body])
    old = state.listing
    # shards whose terms all kept their postings, between the same first terms, are as they were
    unchanged = None if old["renamed"] else (list(old["shards"]), changed)  # type: ignore[call-overload]
    shards = build_shards(postings, len(docs), state.shards, unchanged)
    listing = manifest(docs, postings.lengths, shards.firsts, shards.renamed, tables=old)
    files = {"manifest.js": script("manifest", listing), **shards.files}
    files[f"d/{n}.js"] = document_file(n, doc)
    every = {p for p in state.files if not p.startswith(("t/", "a/"))} | set(shards.signatures)
    return SearchState(docs, postings, shards.signatures, frozenset(every), listing), files
