"""Incremental versions of the per-item stages: reuse what the previous build computed (cache.py).

Each function does exactly what the plain stage does (content.load_item, checks.check_item,
bodies.Links.render, render.page_jobs) for what changed, reuses the previous result for the rest,
and returns the entries for the next cache. A test checks that an incremental build writes the same
bytes as a full one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from . import checks, search_stage
from .bodies import Links
from .cache import BodyEntry, BuildCache, LoadEntry, digest, file_key, shape_digest
from .config import SiteConfig
from .content import Item, iter_item_files, load_item_text
from .diagnostics import Diagnostic
from .identity import Identities
from .markdown import RenderedMarkdown
from .model import Entry, ListPage, Site
from .output import OutputFile, relative_files
from .parallel import pmap
from .render import PageJob, Renderer, page_jobs
from .search.index import Counted, SearchState
from .search.postings import Postings

R = TypeVar("R")
SearchFiles = tuple[list[OutputFile], str, dict[str, Postings], dict[str, SearchState]]
"""The search stage's result: index files, fingerprint of the documents, counted blocks, states."""


def load_items(
    root: Path, config: SiteConfig, previous: BuildCache
) -> tuple[list[Item], list[Diagnostic], dict[str, LoadEntry]]:
    """content.load_items, reusing unchanged files' results (and their check diagnostics)."""
    skip = len(str(root / "content" / "items")) + 1  # string slicing: 10,000 relative_to() cost
    paths = {
        "content/items/" + str(path)[skip:].replace(os.sep, "/"): path
        for path in iter_item_files(root)
    }
    entries: dict[str, LoadEntry] = {}
    todo: list[tuple[str, Path]] = []
    for rel, path in paths.items():
        old = previous.loads.get(rel)
        if old is not None:
            item = old.result[0]
            extra = [os.path.join(root, a.source) for a in item.attachments] if item else []
            key = file_key(path, extra)
            if key == old.key:
                entries[rel] = old
                continue
        todo.append((rel, path))
    fresh = pmap(lambda job: load_and_check(root, job[1], config), todo)
    for (rel, _), entry in zip(todo, fresh, strict=True):
        entries[rel] = entry
    items: list[Item] = []
    problems: list[Diagnostic] = []
    for rel in paths:  # file order, as the plain loader
        entry = entries[rel]
        item, diags = entry.result
        problems.extend(diags)
        if item is not None:
            items.append(item)
            problems.extend(entry.checks)
    return items, problems, entries


def load_and_check(root: Path, path: Path, config: SiteConfig) -> LoadEntry:
    """Load one item file and run the per-item checks on it (also body_edit.plan's way to load an
    edited item)."""
    item, diags, text = load_item_text(root, path, config)
    extra = [root / a.source for a in item.attachments] if item is not None else []
    found: tuple[Diagnostic, ...] = ()
    if item is not None:
        found = tuple(
            checks.check_privacy(item, root, text) + checks.check_timeliness(item, config)
        )
    shape = shape_digest(item) if item is not None else ""
    item_digest = digest((shape, item.body)) if item is not None else digest(None)
    return LoadEntry(file_key(path, extra), (item, diags), found, item_digest, shape)


def render_bodies(
    published: Sequence[Item],
    ids: Identities,
    links: Links,
    entries: Mapping[str, LoadEntry],
    previous: BuildCache,
) -> tuple[dict[str, RenderedMarkdown], list[Diagnostic], dict[str, BodyEntry]]:
    """bodies.render_bodies, reusing bodies whose item and link targets are unchanged."""
    result: dict[str, BodyEntry] = {}
    todo: list[Item] = []
    for item in published:
        old = previous.bodies.get(item.source)
        item_digest = entries[item.source].digest
        if (
            old is not None
            and old.item_digest == item_digest
            and links.still_resolves(item, ids.by_source[item.source].slug, old.links)
        ):
            result[item.source] = old
        else:
            todo.append(item)
    fresh = pmap(lambda item: links.render(item, ids.by_source[item.source].slug), todo)
    for item, (versions, problems, resolutions) in zip(todo, fresh, strict=True):
        result[item.source] = BodyEntry(
            entries[item.source].digest, resolutions, (versions, tuple(problems))
        )
    rendered_map: dict[str, RenderedMarkdown] = {}
    problems: list[Diagnostic] = []
    for item in published:
        versions, link_problems = result[item.source].result
        rendered_map.update(
            {prefix + item.source: rendered for prefix, rendered in versions.items()}
        )
        problems += [*versions[""].problems, *link_problems]
    return rendered_map, problems, result


def render_pages(
    renderer: Renderer,
    site_key: str,
    entries: Mapping[str, LoadEntry],
    previous: BuildCache,
    out: Path | None,
    finish: Callable[[OutputFile], R],
    meanwhile: Callable[[], object] | None = None,
) -> tuple[list[R], list[OutputFile], dict[str, str]]:
    """Every page of `render.page_jobs`, skipping those whose fingerprint is unchanged.

    Returns `finish(page)` for each rendered page (computed by the worker that rendered it), the
    pages kept from `out` as they are, and every page's fingerprint. `meanwhile` runs in this
    process while the workers render.
    """

    def fingerprint(job: PageJob) -> str:
        return digest((site_key, page_inputs(job, renderer.site, entries)))

    if not previous.pages:  # nothing to keep: the workers fingerprint the pages they render
        jobs = list(page_jobs(renderer.site))
        done = pmap(lambda job: (finish(job.render(renderer)), fingerprint(job)), jobs, meanwhile)
        fingerprints = {job.path: fp for job, (_, fp) in zip(jobs, done, strict=True)}
        return [result for result, _ in done], [], fingerprints
    fingerprints: dict[str, str] = {}
    keep: list[OutputFile] = []
    todo: list[PageJob] = []
    folder = os.path.join(out, "") if out is not None else None
    for job in page_jobs(renderer.site):
        fp = fingerprint(job)
        fingerprints[job.path] = fp
        old_file = folder + job.path if folder is not None else ""
        if previous.pages.get(job.path) == fp and old_file and os.path.isfile(old_file):
            keep.append(OutputFile(job.path, source=old_file))
        else:
            todo.append(job)
    return pmap(lambda job: finish(job.render(renderer)), todo, meanwhile), keep, fingerprints


def shown_entries(job: PageJob, site: Site) -> tuple[Entry | None, ...]:
    """The entries whose title, date and place a page shows (for an item page: the item itself,
    then its newer and older neighbours and its related items). page_inputs covers exactly these,
    and a front-matter edit (meta_edit.py) re-renders the pages that show an edited item."""
    edition = job.edition
    if isinstance(job.value, Entry):
        links = edition.links[job.value.item.source]
        return (job.value, links.newer, links.older, *links.related)
    if isinstance(job.value, ListPage):
        return job.value.entries
    if job.kind == "home":
        return edition.entries[: site.config.latest_count]
    return ()


def page_inputs(job: PageJob, site: Site, entries: Mapping[str, LoadEntry]) -> object:
    """Everything a page shows besides the site-wide inputs (config, theme, catalogs, code)."""

    def brief(e: Entry | None) -> object:
        if e is None:
            return None
        item = e.item
        return (
            e.path,
            e.text.title,
            e.lang,
            item.date,
            item.validity,
            item.domain,
            item.stage,
            item.doc_type,
        )

    shown = tuple(map(brief, shown_entries(job, site)))
    if isinstance(job.value, Entry):
        e = job.value
        state = (e.path, e.index_no, entries[e.item.source].digest, entries[e.text.source].digest)
        return ("item", state, shown[1:])
    if isinstance(job.value, ListPage):
        lst = job.value
        return ("list", lst.path, lst.number, len(lst.page_paths), lst.pager, lst.total, shown)
    if job.kind == "home":
        edition = job.edition
        return (
            "home",
            shown,
            tuple(len(v) for v in edition.by_domain.values()),
            tuple(len(v) for v in edition.by_stage.values()),
        )
    return (job.kind, job.path)


@dataclass(frozen=True, slots=True)
class SearchWork:
    """The search stage half done: the index files kept as they are, or documents counted."""

    fingerprint: str
    """Fingerprint of every edition's search documents."""
    kept: list[OutputFile] | None
    """The previous index files, kept (None: the index is being rebuilt from ``counted``)."""
    blocks: dict[str, Postings]
    """The counted blocks of documents to cache (the previous ones when kept)."""
    counted: list[tuple[str, Counted, list[OutputFile]]]
    """Per edition: prefix, counted documents, document files already handed over (empty when
    kept)."""


def search_files(
    site: Site,
    rendered: Mapping[str, RenderedMarkdown],
    previous: BuildCache,
    out: Path | None,
    update: bool = True,
) -> SearchFiles:
    """search_stage.search_files, reusing the previous build's counted blocks of documents, or
    its index files as they are when no search document changed (or when ``update`` is false and
    `out` has an index: the next build with ``update`` brings it up to date). Also returns the
    fingerprint of the documents, and the new index states (none when the files were kept)."""
    return finish_search(count_search(site, rendered, previous, out, update))


def count_search(
    site: Site,
    rendered: Mapping[str, RenderedMarkdown],
    previous: BuildCache,
    out: Path | None,
    update: bool = True,
    put: Callable[[OutputFile], OutputFile] | None = None,
) -> SearchWork:
    """search_files' first half: decide what to keep, count what changed (over both cores);
    ``put`` takes the document files as they are encoded (search_stage.count_editions)."""
    folders = [out / e.prefix / "search" for e in site.editions] if out is not None else []
    have_index = bool(folders) and all((f / "manifest.js").is_file() for f in folders)
    if not update and have_index:
        return SearchWork(
            previous.search, _index_files_in(out, folders), previous.search_blocks, []
        )
    docs = [search_stage.search_docs(site, rendered, e.lang) for e in site.editions]
    fp = digest(docs)
    if fp == previous.search and have_index:
        return SearchWork(fp, _index_files_in(out, folders), previous.search_blocks, [])
    counted = search_stage.count_editions(site, docs, previous.search_blocks, put)
    blocks = {k: b for _, c, _ in counted for k, b in c.by_key.items()}
    return SearchWork(fp, None, blocks, counted)


def finish_search(
    work: SearchWork,
) -> SearchFiles:
    """search_files' second half, in this process: merge and encode what was counted."""
    if work.kept is not None:
        return work.kept, work.fingerprint, work.blocks, {}
    files, blocks, states = search_stage.finish_editions(work.counted)
    return files, work.fingerprint, blocks, states


def _index_files_in(out: Path | None, folders: list[Path]) -> list[OutputFile]:
    """The index files already in the output folders, to be kept as they are."""
    assert out is not None
    files = []
    for folder in folders:
        prefix = folder.relative_to(out).as_posix() + "/"
        base = os.path.join(folder, "")
        for rel in sorted(relative_files(folder)):
            if rel != "index.html":
                files.append(OutputFile(prefix + rel, source=base + rel))
    return files
