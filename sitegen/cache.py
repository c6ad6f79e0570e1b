"""The build cache: what the previous build computed, so a rebuild redoes only what changed.

Kept in <root>/.sitegen-cache/build-<output folder hash>.pickle, .data and .stamp (outside output/,
safe to delete: the next build is then a full build). It is keyed so that a stale entry can never be used:
- a whole-site key covers sitegen's own code, data/, themes/ and the build options; if it differs,
  nothing is reused;
- an item's load result is reused only while its file (and its attachments) keep size and mtime;
- a rendered body is reused only while the item is unchanged and its links resolve the same way;
- a page is not re-rendered while the fingerprint of everything it shows is unchanged and the
  previous output still has it (the file is then kept, or hard-linked into a new output folder);
- the search index's blocks of documents are reused while their texts are unchanged.
The cache file is deleted before output/ changes and written again after, so it always describes
output/ as it is.
The cache is a plain value: stages receive the previous one and the build returns the next one.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from . import __version__
from .content import Item
from .records import fast_pickle

CACHE_DIR = ".sitegen-cache"
FORMAT = 7
UNREADABLE = (
    OSError,
    EOFError,
    pickle.UnpicklingError,
    AttributeError,
    ImportError,
    TypeError,
    ValueError,
)
"""What reading a cache file may raise when it is damaged or was written by another version of
sitegen (a record with other fields: ValueError)."""
T = TypeVar("T")


@fast_pickle
@dataclass(frozen=True, slots=True)
class LoadEntry:
    """One item file's load and check results."""

    key: tuple[int, ...]
    """(size, mtime_ns) of the file followed by the same for each attachment."""
    result: Any
    """What content.load_item returned: (Item | None, diagnostics)."""
    checks: tuple[Any, ...] = ()
    """Privacy and timeliness diagnostics of the loaded item (checks.py)."""
    digest: str = ""
    """Fingerprint of the loaded item (for page fingerprints)."""
    shape: str = ""
    """Fingerprint of the loaded item but for its body (body_edit.py: a body-only edit keeps it)."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class BodyEntry:
    """One rendered body and how its links resolved."""

    item_digest: str
    """Fingerprint of the item it was rendered from."""
    links: tuple[tuple[str, str], ...]
    """(relative target, what it resolved to) for every link the body makes."""
    result: Any
    """(edition prefix → RenderedMarkdown, link diagnostics); "" is the default edition."""


@dataclass(slots=True)
class BuildCache:
    """Results of the previous build (mutable only while a build fills in the next one)."""

    site_key: str = ""
    """Fingerprint of sitegen's code, data/, themes/ and the build options."""
    inputs: str = ""
    """Fingerprint of every input file's size and mtime (equal ⇒ nothing to do)."""
    output: str = ""
    """Output folder the previous build wrote."""
    loads: dict[str, LoadEntry] = field(default_factory=dict)
    """Item source → load entry."""
    bodies: dict[str, BodyEntry] = field(default_factory=dict)
    """Item source → rendered body."""
    pages: dict[str, str] = field(default_factory=dict)
    """Output path → fingerprint of what the page showed."""
    search: str = ""
    """Fingerprint of all search documents of the previous build."""
    search_blocks: dict[str, Any] = field(default_factory=dict)
    """Counted blocks of search documents (search.postings.Postings) by fingerprint."""
    diagnostics: tuple[Any, ...] = ()
    """Warnings of the previous build (shown again when nothing changed)."""
    yi: dict[str, Any] = field(default_factory=dict)
    """Output path → the Yi characters the page shows (fonts.YiUse), for the pages that show some
    (a page kept as it is shows what it showed: it need not be read again)."""
    spans: dict[str, tuple[int, int, int]] = field(default_factory=dict)
    """Item page path → (start, end) of its body's HTML in it and its size, where the body occurs
    once (for body-only rebuilds, body_edit.py)."""
    index_token: str = ""
    """Token of the saved search index state that describes the output's index ("" = none)."""


def digest(value: object) -> str:
    """A short stable fingerprint of a picklable value."""
    return hashlib.blake2b(pickle.dumps(value, protocol=5), digest_size=16).hexdigest()


_SHAPE_FIELDS = tuple(f.name for f in fields(Item) if f.name != "body")


def shape_digest(item: Item) -> str:
    """Fingerprint of an item but for its body (LoadEntry.shape: a body-only edit keeps it)."""
    return digest(tuple([getattr(item, name) for name in _SHAPE_FIELDS]))


def file_key(path: Path | str, extra: Iterable[Path | str] = ()) -> tuple[int, ...]:
    """(size, mtime_ns) of `path` and of each extra file (missing files count as (-1, -1))."""
    out: list[int] = []
    for p in (path, *extra):
        try:
            st = os.stat(p)
            out += [st.st_size, st.st_mtime_ns]
        except OSError:
            out += [-1, -1]
    return tuple(out)


def tree_state(root: Path, folders: Iterable[str]) -> list[tuple[str, int, int]]:
    """(path, size, mtime_ns) of every file under the given folders of `root`, sorted."""
    out = []
    skip = len(str(root)) + 1  # os.walk yields paths that start with str(root) + "/"
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(root / folder):
            dirnames.sort()
            for name in filenames:
                p = os.path.join(dirpath, name)
                st = os.stat(p)
                out.append((p[skip:], st.st_size, st.st_mtime_ns))
    out.sort()
    return out


def code_key() -> str:
    """Fingerprint of sitegen's own source files (a new sitegen invalidates everything)."""
    pkg = Path(__file__).resolve().parent
    state = [
        (p.relative_to(pkg).as_posix(), p.read_bytes())
        for p in sorted(pkg.rglob("*"))
        if p.is_file() and p.suffix in (".py", ".js", ".html", ".css")
    ]
    return digest((__version__, state))


def cache_path(root: Path, out: Path) -> Path:
    """Where the cache of building the site at `root` into `out` lives (one cache per output
    folder: `sitegen build` and the `serve` preview must never reuse each other's pages)."""
    return root / CACHE_DIR / f"build-{digest(str(out.resolve()))[:12]}.pickle"


def data_path(root: Path, out: Path) -> Path:
    """Where the bulky part of the cache for `out` lives (next to it; see dump_data)."""
    return cache_path(root, out).with_suffix(".data")


def read_cache(root: Path, out: Path | None) -> BuildCache:
    """The cache left by the previous build into `out`, or an empty one (no output folder, missing,
    old format, unreadable, or its two files not from the same build)."""
    if out is None:
        return BuildCache()
    head = _read(cache_path(root, out), tuple)
    data = _read(data_path(root, out), tuple) if head is not None else None
    if head is None or data is None or head[1] != data[0] or not isinstance(head[0], BuildCache):
        return BuildCache()
    cache, token = head
    _, cache.loads, cache.bodies = data
    edited = _read(journal_path(root, out), tuple)
    if edited is not None:  # body-only rebuilds changed these pages and the index since
        if edited[0] != token:
            return BuildCache()
        for path in edited[1]:
            cache.pages.pop(path, None)
            cache.spans.pop(path, None)
        cache.search = cache.index_token = ""
    return cache


def journal_path(root: Path, out: Path) -> Path:
    """Where the journal of body-only rebuilds since the cache was written lives (body_edit.py):
    the pages they rewrote, whose cached fingerprints no longer describe the output."""
    return cache_path(root, out).with_suffix(".journal")


def read_journal(root: Path, out: Path, token: str) -> frozenset[str]:
    """The pages the journal of the cache with `token` lists (none when there is no journal)."""
    edited = _read(journal_path(root, out), tuple)
    return frozenset(edited[1]) if edited is not None and edited[0] == token else frozenset()


def dump_journal(token: str, paths: frozenset[str], file: BinaryIO) -> None:
    """Serialise a journal (for output.write_cache)."""
    pickle.dump((FORMAT, (token, paths)), file, protocol=5)


def _read(path: Path, kind: type[T]) -> T | None:
    """The `kind` value pickled at `path` by this version of sitegen, or None."""
    try:
        with path.open("rb") as f:
            fmt, value = pickle.load(f)
    except UNREADABLE:
        return None
    return value if fmt == FORMAT and isinstance(value, kind) else None


def dump_data(
    token: str, loads: dict[str, LoadEntry], bodies: dict[str, BodyEntry], file: BinaryIO
) -> None:
    """Serialise the bulky part of a cache, the loaded items and rendered bodies (known before the
    search index and the pages, so a child process writes it meanwhile); `token` pairs it with
    the rest (dump_cache)."""
    pickle.dump((FORMAT, (token, loads, bodies)), file, protocol=5)


def dump_cache(cache: BuildCache, token: str, file: BinaryIO) -> None:
    """Serialise the cache but for its bulky part (dump_data with the same `token`)."""
    rest = replace(cache, loads={}, bodies={})
    pickle.dump((FORMAT, (rest, token)), file, protocol=5)


@dataclass(frozen=True, slots=True)
class Stamp:
    """The few facts that decide "nothing changed", kept apart so a no-op build reads only them."""

    inputs: str
    """BuildCache.inputs of the last build."""
    output: str
    """Output folder of the last build."""
    diagnostics: tuple[Any, ...]
    """Its warnings, shown again."""


def stamp_path(root: Path, out: Path) -> Path:
    """Where the stamp of the cache for `out` lives (next to it)."""
    return cache_path(root, out).with_suffix(".stamp")


def read_stamp(root: Path, out: Path | None) -> Stamp | None:
    """The stamp of the last build into `out`, or None."""
    return _read(stamp_path(root, out), Stamp) if out is not None else None


def dump_stamp(cache: BuildCache, file: BinaryIO) -> None:
    """Serialise the stamp of `cache` into an open file (for output.write_cache)."""
    pickle.dump((FORMAT, Stamp(cache.inputs, cache.output, cache.diagnostics)), file, protocol=5)
