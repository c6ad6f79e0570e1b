"""Body-only rebuilds: when the only change since the last build is the body text of a few
published items, splice their new bodies into their pages and patch the search index. Also plans
front-matter rebuilds (meta_edit.py), which share its kit, conditions and index patching.

An editor's most common change is a correction to an item's text. Nothing else in the site depends
on a body but the pages that show it (the item's page in each edition that shows this text) and the
search index, so `sitegen build` does just that instead of running the whole pipeline:

1. `plan` compares the input files with those of the last build (the `BodyEditKit` it left, paired
   with its stamp) and loads the changed items. It gives up (the normal build runs) unless every
   changed file is a published item whose diagnostics and Yi characters stay the same, and the
   build options, sitegen, data/ and themes/ are those of the last build.
2. When only bodies changed, `splice` puts the new bodies into the old pages; when some items'
   front-matter changed too, meta_edit.py renders the pages that show them again. `patch_index`
   patches each edition's search index; build.py (`_body_edits`) writes the files in place, then
   the next kits and stamp. It first records the pages it rewrites in the cache journal, so the
   next normal build renders them again instead of trusting the build cache (cache.py).

The output is byte-identical to a full build's (tests check it). The kit is written by every CLI
build (build.py) and is safe to delete like the rest of the cache.
"""

from __future__ import annotations

import datetime as dt
import gc
import pickle
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import BinaryIO

from .bodies import Links
from .cache import FORMAT, UNREADABLE, LoadEntry, Stamp, cache_path, digest
from .config import SiteConfig, load_config
from .content import Item
from .diagnostics import Diagnostic
from .fonts import NO_YI, YiUse, page_yi
from .incremental import load_and_check
from .markdown import RenderedMarkdown
from .model import Site
from .output import OutputFile, replace_files, write_cache
from .records import fast_pickle
from .search.index import SearchDoc, SearchState, edit_document

MAX_EDITS = 20
"""More changed files than this: the normal incremental build is as quick."""


Span = tuple[int, int, int]
"""(start, end) of an item page's body HTML in the page, and the page's size in bytes."""


@dataclass(frozen=True, slots=True)
class BodyPage:
    """A page that shows an edited item's body, and where the body is in it."""

    path: str
    """Output path of the page."""
    prefix: str
    """Its edition's folder ("" or "ii/")."""
    document: int
    """Number of the search document of its edition that holds the same text."""
    span: Span
    """Where the body is in the page as the last build left it."""
    yi: YiUse
    """The Yi characters the page shows (a body edit must keep them: the font subset stays)."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class EditionPages:
    """One edition's item pages, in the order of its search documents."""

    prefix: str
    """The edition's folder ("" or "ii/")."""
    paths: tuple[str, ...]
    """Output path of each item page (page n shows search document n)."""
    sources: tuple[str, ...]
    """Source of the text each page shows."""
    spans: tuple[Span | None, ...]
    """Where each page's body is (None: the body is empty or occurs more than once)."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class BodyEditKit:
    """What the last build leaves for body-only rebuilds."""

    inputs: str
    """The stamp's input fingerprint (the kit describes that build only)."""
    cache_token: str
    """Token of the build cache it goes with (its journal names it)."""
    site_key: str
    """Fingerprint of sitegen, data/, themes/ and the options."""
    today: dt.date
    """The build's publishing date."""
    tree: tuple[tuple[str, int, int], ...]
    """(path, size, mtime_ns) of every input file."""
    links: Links
    """How links between items resolved (its page paths also give each item's slug)."""
    editions: tuple[EditionPages, ...]
    """Every edition's item pages."""
    shapes: Mapping[str, str]
    """Published item source → fingerprint of the item but for its body (cache.LoadEntry.shape)."""
    diagnostics: Mapping[str, tuple[Diagnostic, ...]]
    """Item source → its load, check and body diagnostics (only items that have some)."""
    yi: Mapping[str, YiUse]
    """Output path → the Yi characters the page shows (only pages that show some)."""
    index_token: str
    """Token of the index state files describing the output's search index ("" = none)."""
    model_token: str
    """Token of the model kit that goes with it (meta_edit.py)."""
    restated: Mapping[str, Item]
    """Items whose front-matter changed since the model kit was written, as they are now (their
    bodies left out; they stand in for the model kit's)."""

    def pages(self, source: str) -> list[BodyPage] | None:
        """The pages that show the body of `source`; None when one cannot be edited in place."""
        found = []
        for edition in self.editions:
            for n, shown in enumerate(edition.sources):
                if shown == source:
                    span = edition.spans[n]
                    if span is None:
                        return None
                    path = edition.paths[n]
                    found.append(BodyPage(path, edition.prefix, n, span, self.yi.get(path, NO_YI)))
        return found


@dataclass(frozen=True, slots=True)
class BodyEdits:
    """A planned body-only rebuild."""

    kit: BodyEditKit
    """The kit it starts from."""
    items: tuple[Item, ...]
    """The edited items as saved now."""
    bodies: tuple[dict[str, RenderedMarkdown], ...]
    """Each edited item's rendered body (edition prefix → rendering)."""
    pages: tuple[tuple[BodyPage, ...], ...]
    """Each edited item's pages."""
    tree: tuple[tuple[str, int, int], ...]
    """The input files now."""
    reshaped: tuple[str, ...]
    """Sources of the edited items whose front-matter changed (their pages are rendered again)."""
    config: SiteConfig
    """The site configuration (that of the last build: data/ is unchanged)."""


def kit_path(root: Path, out: Path) -> Path:
    """Where the kit for body-only rebuilds of `out` lives (next to the build cache)."""
    return cache_path(root, out).with_suffix(".edit")


def make_kit(
    site: Site,
    links: Links,
    loads: Mapping[str, LoadEntry],
    diagnostics: Mapping[str, tuple[Diagnostic, ...]],
    spans: Mapping[str, Span],
    yi: Mapping[str, YiUse],
    head: tuple[str, str, str, dt.date, tuple[tuple[str, int, int], ...], str, str],
) -> BodyEditKit:
    """The kit of a build: its model, link resolver, loaded items, per-source diagnostics, the
    body span of every item page where it is unique, the Yi the pages show, and (inputs, cache
    token, site key, today, input files, index token, model token)."""
    editions = tuple(
        EditionPages(
            edition.prefix,
            tuple(entry.path for entry in edition.entries),
            tuple(entry.text.source for entry in edition.entries),
            tuple(spans.get(entry.path) for entry in edition.entries),
        )
        for edition in site.editions
    )
    shapes = {item.source: loads[item.source].shape for item in site.items}
    inputs, cache_token, site_key, today, tree, index_token, model_token = head
    return BodyEditKit(
        inputs,
        cache_token,
        site_key,
        today,
        tree,
        links,
        editions,
        shapes,
        dict(diagnostics),
        dict(yi),
        index_token,
        model_token,
        {},
    )


def dump_kit(kit: BodyEditKit, file: BinaryIO) -> None:
    """Serialise a kit (for output.write_cache)."""
    pickle.dump((FORMAT, kit), file, protocol=5)


def index_path(root: Path, out: Path, prefix: str) -> Path:
    """Where the state of the search index of `out`'s edition under `prefix` lives (read only by
    body-only rebuilds)."""
    return cache_path(root, out).with_suffix(f".{prefix.strip('/') or 'zh'}.index")


def dump_index(token: str, state: SearchState, file: BinaryIO) -> None:
    """Serialise an edition's search index state without the document bodies (the manifest does
    not need them; a patched document brings its own), after a header with `token`."""
    pickle.dump((FORMAT, token), file, protocol=5)
    pickle.dump(replace(state, docs=tuple(map(_slim, state.docs))), file, protocol=5)


def _slim(doc: SearchDoc) -> SearchDoc:
    return replace(doc, body="") if doc.body else doc


def _index_token(path: Path) -> str:
    """The token in the header of an index state file ("" when missing or unreadable)."""
    try:
        with path.open("rb") as f:
            fmt, token = pickle.load(f)
    except UNREADABLE:
        return ""
    return token if fmt == FORMAT and isinstance(token, str) else ""


def _load(path: Path, header: bool = False) -> object:
    gc.disable()  # loading creates many objects and frees none
    try:
        with path.open("rb") as f:
            fmt, value = pickle.load(f)
            if header:  # the value follows the header
                value = pickle.load(f)
    except UNREADABLE:
        return None
    finally:
        gc.enable()
    return value if fmt == FORMAT else None


def plan(
    root: Path,
    out: Path,
    stamp: Stamp | None,
    site_key: str,
    today: dt.date,
    tree: Sequence[tuple[str, int, int]],
) -> BodyEdits | None:
    """The body-only rebuild that brings `out` up to date, or None when it cannot."""
    if stamp is None or stamp.output != str(out):
        return None
    kit = _load(kit_path(root, out))
    if not isinstance(kit, BodyEditKit):
        return None
    if (kit.inputs, kit.site_key, kit.today) != (stamp.inputs, site_key, today):
        return None
    if not kit.index_token or len(tree) != len(kit.tree):
        return None
    if any(now[0] != then[0] for now, then in zip(tree, kit.tree, strict=True)):
        return None  # a file was added and another removed
    changed = [now[0] for now, then in zip(tree, kit.tree, strict=True) if now != then]
    if not changed or len(changed) > MAX_EDITS or any(p not in kit.shapes for p in changed):
        return None
    pages = [kit.pages(source) for source in changed]
    if any(not found for found in pages):
        return None
    prefixes = {page.prefix for found in pages if found for page in found}
    if any(_index_token(index_path(root, out, p)) != kit.index_token for p in prefixes):
        return None
    config, problems = load_config(root)
    if config is None or problems:
        return None
    items, bodies, reshaped = [], [], []
    for path in changed:
        edit = _edit(root, path, kit, config)
        if edit is None:
            return None
        items.append(edit[0])
        bodies.append(edit[1])
        if edit[2] != kit.shapes[path]:
            reshaped.append(path)
    return BodyEdits(
        kit,
        tuple(items),
        tuple(bodies),
        tuple(map(tuple, pages)),
        tuple(tree),
        tuple(reshaped),
        config,
    )


def _edit(
    root: Path, source: str, kit: BodyEditKit, config: SiteConfig
) -> tuple[Item, dict[str, RenderedMarkdown], str] | None:
    """The item at `source` as saved, its new body and its shape (cache.shape_digest), if it
    loads with the same diagnostics."""
    entry = load_and_check(root, root / source, config)
    item, found = entry.result
    if item is None:
        return None
    found = [*found, *entry.checks]
    slug = kit.links.page_of[source].rpartition("/")[2].removesuffix(".html")
    versions, link_problems, _ = kit.links.render(item, slug)
    found += [*versions[""].problems, *link_problems]
    if tuple(found) != kit.diagnostics.get(source, ()):
        return None
    return item, versions, entry.shape


def splice(edits: BodyEdits, out: Path) -> tuple[list[OutputFile], BodyEditKit] | None:
    """The edited items' pages with their new bodies in place of the old, and the kit that
    describes them; None when a page is not as the kit describes it or would show other Yi.
    Only for edits of bodies alone (not `edits.reshaped`)."""
    assert not edits.reshaped
    files: list[OutputFile] = []
    spans: dict[str, list[Span | None]] = {e.prefix: list(e.spans) for e in edits.kit.editions}
    for versions, pages in zip(edits.bodies, edits.pages, strict=True):
        for page in pages:
            start, end, size = page.span
            old = _read_bytes(out / page.path)
            if old is None or len(old) != size:
                return None
            html = (versions.get(page.prefix) or versions[""]).html.encode()  # as body_for
            data = old[:start] + html + old[end:]
            new = OutputFile(page.path, data)
            if page_yi(new) != page.yi:
                return None
            files.append(new)
            spans[page.prefix][page.document] = (start, start + len(html), len(data))
    editions = tuple(replace(e, spans=tuple(spans[e.prefix])) for e in edits.kit.editions)
    return files, replace(edits.kit, tree=edits.tree, editions=editions)


def index_edits(edits: BodyEdits) -> dict[str, list[tuple[int, str, str]]]:
    """Edition prefix → (document number, title, body text) of each edited search document."""
    out: dict[str, list[tuple[int, str, str]]] = {}
    for item, versions, pages in zip(edits.items, edits.bodies, edits.pages, strict=True):
        for page in pages:
            out.setdefault(page.prefix, []).append((page.document, item.title, versions[""].text))
    return out


def patch_index(
    root: Path,
    out: Path,
    prefix: str,
    docs: Sequence[tuple[int, str, str]],
    tokens: tuple[str, str],
) -> int:
    """Patch the search index of the edition under `prefix` in `out` with new document texts,
    and save its new state under the second of `tokens` (the first names the state it starts
    from). Writes only the index files that changed; returns how many changed."""
    state = _load(index_path(root, out, prefix), header=True)
    if (
        not isinstance(state, SearchState)
        or _index_token(index_path(root, out, prefix)) != tokens[0]
    ):
        raise RuntimeError(f"搜索索引状态 {index_path(root, out, prefix)} 不可用")
    changed: dict[str, bytes] = {}
    files = state.files
    for n, title, text in docs:
        state, update = edit_document(state, state.docs[n].ref, title, text)
        changed.update(update)
    # shards first, then the manifest that names them, then the documents
    order = sorted(changed, key=lambda r: (r.startswith("d/"), r == "manifest.js", r))
    written = replace_files(
        out,
        [OutputFile(f"{prefix}search/{r}", changed[r]) for r in order],
        [f"{prefix}search/{r}" for r in sorted(files - state.files)],
    )
    write_cache(index_path(root, out, prefix), lambda f: dump_index(tokens[1], state, f))
    return written


def body_span(page: OutputFile, html: str | None) -> Span | None:
    """Where the body `html` is in an item page, when it occurs there exactly once."""
    if not html or page.data is None:
        return None
    needle = html.encode()
    start = page.data.find(needle)
    if start < 0 or page.data.find(needle, start + 1) >= 0:
        return None
    return start, start + len(needle), len(page.data)


def _read_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def next_inputs(site_key: str, today: dt.date, tree: Sequence[tuple[str, int, int]]) -> str:
    """The stamp's input fingerprint for these inputs (as build.build computes it)."""
    return digest((site_key, today, list(tree)))


__all__ = ["BodyEditKit", "BodyEdits", "index_edits", "make_kit", "patch_index", "plan", "splice"]
