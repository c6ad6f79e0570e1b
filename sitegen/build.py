"""build(): the whole pipeline, stage by stage. Read this file first.

config → content (load, identify, check privacy, gate, render bodies) → site model → pages, search,
feeds, assets → write. Each stage returns new values; nothing is written until every check passed.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from . import assets, body_edit, checks, feeds, fonts, incremental, meta_edit, parallel
from .bodies import Links, body_for
from .cache import (
    CACHE_DIR,
    BodyEntry,
    BuildCache,
    LoadEntry,
    Stamp,
    cache_path,
    code_key,
    data_path,
    digest,
    dump_cache,
    dump_data,
    dump_journal,
    dump_stamp,
    journal_path,
    read_cache,
    read_journal,
    read_stamp,
    stamp_path,
    tree_state,
)
from .config import SiteConfig, load_config
from .content import Item
from .diagnostics import BuildFailed, Diagnostic, has_errors
from .gate import GateResult, gate
from .i18n import load_translators
from .identity import REGISTRY, Identities, assign, read_registry, registry_text
from .markdown import RenderedMarkdown
from .model import Site, build_site
from .output import (
    MARKER,
    CacheWriter,
    OutputFile,
    Staging,
    WriteReport,
    check_output_dir,
    clean_stale,
    clean_stale_cache_files,
    discard_files,
    replace_files,
    update_site,
    write_cache,
    write_site,
    write_text_file,
)
from .pages import load_pages, publishable, render_page_bodies
from .parallel import pmap
from .portal import Portal, build_portal, portal_files
from .quick import QuickKit
from .render import Renderer, TemplateProblem
from .search.index import SearchState


@dataclass(frozen=True, slots=True)
class BuildOptions:
    """How to build."""

    root: Path
    """Site root (holds content/, data/, themes/)."""
    out: Path | None
    """Output folder; None = check only, write nothing."""
    today: dt.date
    """The date the gate compares publish dates with."""
    drafts: bool = False
    """Include draft items (live preview only; never for a published build)."""
    extra_head: str = ""
    """HTML added to every page's <head> (live-reload script in serve mode only)."""
    update_registry: bool = True
    """Record newly assigned 索引号 in data/index_numbers.yml."""
    search: bool = True
    """Bring the search index up to date; False keeps the previous index files as they are (the
    live preview's first pass, which serves the edited pages before the index is rebuilt)."""


@dataclass(slots=True)
class Timings:
    """Seconds spent per stage, in pipeline order."""

    stages: dict[str, float] = field(default_factory=dict)
    """Stage name → seconds."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the enclosed block as stage `name`."""
        start = time.perf_counter()
        try:
            yield
        finally:
            self.stages[name] = self.stages.get(name, 0.0) + time.perf_counter() - start

    def format(self) -> str:
        """One line: "config 0.01s · content 0.20s · …"."""
        return " · ".join(f"{k} {v:.2f}s" for k, v in self.stages.items())


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    site: Site | None
    """The site model that was rendered (None when nothing had changed)."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings (errors stop the build before a result exists)."""
    withheld: GateResult | None
    """What the gate published and held back (None when nothing had changed)."""
    written: WriteReport | None
    """What was written (None for a check-only run or when nothing had changed)."""
    timings: Timings
    """Per-stage times."""
    cache: BuildCache
    """Results to reuse in the next build."""
    portal: Portal | None = None
    """The 政府信息公开 column: content pages, statistics, coverage (None when nothing had changed)."""
    unchanged: bool = False
    """True when no input had changed since the previous build into the same output: nothing done."""
    quick: QuickKit | None = None
    """What `sitegen serve` needs to re-render one edited item's page at once (quick.py)."""
    bodies: Mapping[str, RenderedMarkdown] | None = None
    """The rendered bodies of the published items (None when nothing had changed)."""
    inputs: str = ""
    """Fingerprint of the input files this build saw."""
    search: Mapping[str, SearchState] = field(default_factory=dict)
    """Edition prefix → the search index this build wrote (empty when it kept the previous one)."""
    edited: tuple[str, ...] = ()
    """Sources of the changed items a body-only or front-matter rebuild put in place of the old
    (body_edit.py, meta_edit.py)."""


@parallel.keeping
def build(options: BuildOptions, cache: BuildCache | None = None) -> BuildResult:
    """Run every stage; raise BuildFailed with all diagnostics if any error was found.

    `cache` holds the previous build's results (a caller that builds repeatedly may pass the last
    result's cache); by default it is read from <root>/.sitegen-cache/, and only what changed since
    is redone.
    """
    timings = Timings()
    problems: list[Diagnostic] = []
    root = options.root.resolve()
    out = options.out.resolve() if options.out is not None else None
    if out is not None:
        check_output_dir(out, root)

    with timings.stage("cache"):
        site_key = _site_key(options)
        tree = tree_state(root, INPUT_FOLDERS)
        inputs = digest((site_key, options.today, tree))
        stamp = (
            read_stamp(root, out)
            if cache is None
            else Stamp(cache.inputs, cache.output, cache.diagnostics)
        )
        if (
            out is not None
            and stamp is not None
            and (stamp.inputs, stamp.output) == (inputs, str(out))
            and (out / MARKER).is_file()
        ):
            kept = (
                cache
                if cache is not None
                else BuildCache(site_key, inputs, str(out), diagnostics=stamp.diagnostics)
            )
            return BuildResult(None, stamp.diagnostics, None, None, timings, kept, unchanged=True)

    if out is not None and cache is None and _plain(options):
        with timings.stage("edit"):
            edits = body_edit.plan(root, out, stamp, site_key, options.today, tree)
            edited = _body_edits(edits, root, out, stamp, timings) if edits and stamp else None
        if edited is not None:
            return edited

    with timings.stage("cache"):
        if out is not None and cache is None:
            clean_stale_cache_files(root / CACHE_DIR)
        previous = cache if cache is not None else read_cache(root, out)
        if previous.site_key != site_key:
            previous = BuildCache()

    with timings.stage("config"):
        config = _need(*load_config(root), problems)
        translators = _need(*load_translators(root, config.languages), problems)

    with timings.stage("load"):
        items, found, loads = incremental.load_items(root, config, previous)
        problems += found
        registry, found = read_registry(root)
        problems += found
        ids, found = assign(items, config, registry)
        problems += found
        column_pages, found = load_pages(root)
        problems += found
    parallel.keep()  # the items live until the end

    with timings.stage("check"):
        problems += checks.check_page_privacy(column_pages, root)
        gated = gate(items, _translations(ids), options.today, drafts=options.drafts)
        links = Links.for_site(gated.published, ids, config)
        rendered, found, body_cache = incremental.render_bodies(
            gated.published, ids, links, loads, previous
        )
        problems += found
        shown_pages = publishable(column_pages, options.today, drafts=options.drafts)
        page_bodies, found = render_page_bodies(shown_pages)
        problems += found
    if has_errors(problems):
        raise BuildFailed(problems)
    parallel.keep()  # and their bodies

    with timings.stage("model"):
        site = build_site(config, gated.published, ids)
        portal = build_portal(site, shown_pages, page_bodies, options.today)
    parallel.keep()

    # The bulky part of the next cache is known now: a child process writes it meanwhile.
    token = os.urandom(8).hex()  # pairs the cache files of this build
    index_saver: list[CacheWriter] = []  # the search index state, once known
    saving = out is not None and cache is None
    with (
        _saving(
            data_path(root, out) if saving else None,
            lambda f: dump_data(token, loads, body_cache, f),
        ) as data_saver,
        _saving(  # for front-matter rebuilds (meta_edit.py)
            meta_edit.model_path(root, out) if saving else None,
            lambda f: meta_edit.dump_model(
                meta_edit.make_model(token, gated.published, ids, shown_pages, page_bodies), f
            ),
        ) as model_saver,
        _cancelled_on_failure(index_saver),
        _staging(out, _in_place(previous, out)) as staging,
    ):
        with timings.stage("search"):  # counted over both cores here, encoded during the render
            search_work = incremental.count_search(
                site, rendered, previous, out, options.search, staging.put if staging else None
            )

        with timings.stage("render"):
            theme = _theme(root, config)
            renderer = Renderer(
                site,
                theme,
                translators,
                rendered,
                extra_head=options.extra_head,
                template_globals={"portal": portal},
                compiled=root / CACHE_DIR if out is not None else None,
            )
            renderer.compile_all()  # once, before the workers fork

            body_html = {  # item page → its body (to find it in the page: body_edit.py)
                entry.path: body_for(rendered, entry.text.source, edition.prefix).html
                for edition in site.editions
                for entry in edition.entries
            }

            def finish(page: OutputFile) -> tuple[OutputFile, fonts.YiUse, body_edit.Span | None]:
                """Link the Yi font, find the body, and write the page at once into a fresh
                output folder."""
                page, yi = fonts.finish_page(page, theme)
                span = body_edit.body_span(page, body_html.get(page.path))
                return (staging.put(page) if staging is not None else page), yi, span

            @functools.cache  # run by this process while the workers render, result kept
            def encode_index() -> incremental.SearchFiles:
                """Merge and encode the search index (written at once into a fresh folder)."""
                files, print_, blocks, states = incremental.finish_search(search_work)
                if staging is not None:
                    files = [staging.put(f) for f in files]
                if data_saver is not None:  # for body-only rebuilds (body_edit.py)
                    index_saver.extend(
                        CacheWriter(
                            body_edit.index_path(root, out, prefix),
                            lambda f, state=state: body_edit.dump_index(token, state, f),
                        )
                        for prefix, state in states.items()
                    )
                return files, print_, blocks, states

            try:
                done, kept, page_prints = incremental.render_pages(
                    renderer, site_key, loads, previous, out, finish, meanwhile=encode_index
                )
                done += map(finish, portal_files(renderer, portal))
            except TemplateProblem as exc:
                raise BuildFailed([*problems, checks.template_error(str(exc))]) from exc

        with timings.stage("fonts"):
            yi_uses = {page.path: yi for page, yi, _ in done if yi.characters}
            yi_uses |= {
                page.path: previous.yi[page.path] for page in kept if page.path in previous.yi
            }
            spans = {page.path: span for page, _, span in done if span is not None}
            spans |= {
                page.path: previous.spans[page.path] for page in kept if page.path in previous.spans
            }
            font_files = fonts.yi_font_files(yi_uses.values(), theme)
            pages = [page for page, _, _ in done] + kept
            del done, kept

        index_files, search_print, search_blocks, search_states = encode_index()
        del encode_index  # (and its cached result)

        with timings.stage("feeds"):
            feed_files = list(feeds.feed_files(site, extra_paths=portal.paths))
            problems += feeds.feed_warnings(site)

        written = None
        next_cache = BuildCache(
            site_key,
            inputs if options.search else "",  # "" never matches: the next build updates the index
            str(out),
            loads,
            body_cache,
            page_prints,
            search_print,
            search_blocks,
            tuple(problems),
            yi_uses,
            spans,
            token if search_states else previous.index_token,
        )
        if out is not None:
            with timings.stage("write"):
                files = [
                    *pages,
                    *font_files,
                    *index_files,
                    *feed_files,
                    *assets.asset_files(site, theme),
                ]
                del pages, font_files, index_files, feed_files  # held by `files` until written
                # A cache kept on disk must describe out/ exactly: drop it before out/ changes,
                # write it again when done (a killed build leaves no cache: the next is full).
                discard_files(*_cache_files(root, out))
                if staging is not None:
                    written = staging.commit(files)  # the pages are in it already
                else:
                    written = update_site(out, files)  # a small change: file by file, in place
                    if written is None:
                        written = write_site(out, files)  # a fresh folder swapped in whole
                if options.update_registry and ids.assigned:
                    write_text_file(root / REGISTRY, registry_text(ids.registry))
                del files  # the written bytes are not needed any more (peak memory)
            if data_saver is not None:  # a caller holding the cache in memory (serve) keeps it
                with timings.stage("save"):
                    data_saver.finish()
                    if model_saver is not None:
                        model_saver.finish()
                    for saver in index_saver:
                        saver.finish()
                    write_cache(cache_path(root, out), lambda f: dump_cache(next_cache, token, f))
                    kit = body_edit.make_kit(
                        site,
                        links,
                        loads,
                        _item_diagnostics(loads, body_cache),
                        spans,
                        yi_uses,
                        (
                            inputs,
                            token,
                            site_key,
                            options.today,
                            tuple(tree),
                            next_cache.index_token,
                            token,
                        ),
                    )
                    write_cache(body_edit.kit_path(root, out), lambda f: body_edit.dump_kit(kit, f))
                    # the stamp last: it alone says "nothing changed" next time
                    write_cache(stamp_path(root, out), lambda f: dump_stamp(next_cache, f))

    quick = QuickKit(root, config, renderer, links, ids, options.today, options.drafts, theme)
    return BuildResult(
        site,
        tuple(problems),
        gated,
        written,
        timings,
        next_cache,
        portal,
        quick=quick,
        bodies=rendered,
        inputs=inputs,
        search=search_states,
    )


def update_search(options: BuildOptions, pages: BuildResult) -> BuildResult:
    """Bring the search index of a build made with ``search=False`` up to date (the live preview's
    second pass), from that build's site model and bodies: no other stage runs again.

    Only the index files that changed are written, in place. For a caller that keeps the cache in
    memory (serve): the returned result's cache describes the output, and no cache is saved.
    """
    timings = Timings()
    site, bodies, out = pages.site, pages.bodies, options.out
    if site is None or bodies is None or out is None:  # nothing was built: nothing to update
        return pages
    out = out.resolve()
    with timings.stage("search"):
        index_files, search_print, search_blocks, search_states = incremental.search_files(
            site, bodies, pages.cache, out
        )
    with timings.stage("write"):
        folders = [f"{edition.prefix}search" for edition in site.editions]
        search_pages = [
            OutputFile(f"{f}/index.html", source=out / f / "index.html") for f in folders
        ]
        written = update_site(out, [*index_files, *search_pages], within=folders, unlimited=True)
    cache = replace(
        pages.cache, inputs=pages.inputs, search=search_print, search_blocks=search_blocks
    )
    return replace(pages, written=written, timings=timings, cache=cache, search=search_states)


def _item_diagnostics(
    loads: Mapping[str, LoadEntry], bodies: Mapping[str, BodyEntry]
) -> dict[str, tuple[Diagnostic, ...]]:
    """Each published item's own diagnostics, as body_edit.plan finds them again."""
    out = {}
    for source, body in bodies.items():
        load = loads[source]
        versions, link_problems = body.result
        found = (*load.result[1], *load.checks, *versions[""].problems, *link_problems)
        if found:
            out[source] = found
    return out


def _body_edits(
    edits: body_edit.BodyEdits, root: Path, out: Path, stamp: Stamp, timings: Timings
) -> BuildResult | None:
    """Carry out a body-only or front-matter rebuild (body_edit.py, meta_edit.py); None when it
    cannot be done after all (the normal build follows)."""
    kit = edits.kit
    tokens = (kit.index_token, os.urandom(8).hex())
    # the journal first: a build killed from here on renders the index again (and these pages)
    journal = read_journal(root, out, kit.cache_token)
    write_cache(journal_path(root, out), lambda f: dump_journal(kit.cache_token, journal, f))
    discard_files(stamp_path(root, out), body_edit.kit_path(root, out))
    done = []
    patched = pmap(  # the search index patched by a worker while this process makes the pages
        lambda job: body_edit.patch_index(root, out, job[0], job[1], tokens),
        list(body_edit.index_edits(edits).items()),
        meanwhile=lambda: done.append(
            meta_edit.rerender(edits, root, out) if edits.reshaped else body_edit.splice(edits, out)
        ),
        min_items=1,
    )
    if done[0] is None:
        return None
    pages, kit = done[0]
    inputs = body_edit.next_inputs(kit.site_key, kit.today, kit.tree)
    kit = replace(kit, inputs=inputs, index_token=tokens[1])
    journal |= {page.path for page in pages}
    write_cache(journal_path(root, out), lambda f: dump_journal(kit.cache_token, journal, f))
    written = replace_files(out, pages) + sum(patched)
    write_cache(body_edit.kit_path(root, out), lambda f: body_edit.dump_kit(kit, f))
    cache = BuildCache(kit.site_key, inputs, str(out), diagnostics=stamp.diagnostics)
    write_cache(stamp_path(root, out), lambda f: dump_stamp(cache, f))  # the stamp last
    report = WriteReport(len(pages), sum(len(f.data or b"") for f in pages), written)
    sources = tuple(item.source for item in edits.items)
    return BuildResult(None, stamp.diagnostics, None, report, timings, cache, edited=sources)


def _plain(options: BuildOptions) -> bool:
    """Whether a build has the CLI's options (the only builds that do body-only rebuilds)."""
    return (
        not options.drafts and not options.extra_head and options.update_registry and options.search
    )


def _cache_files(root: Path, out: Path) -> tuple[Path, ...]:
    """The cache files that describe `out` and go before it changes (the search index state is
    kept: its token says which output it describes)."""
    return (
        cache_path(root, out),
        data_path(root, out),
        stamp_path(root, out),
        journal_path(root, out),
        body_edit.kit_path(root, out),
        meta_edit.model_path(root, out),
    )


INPUT_FOLDERS = ("content", "data", "themes")
"""Folders whose files are the build's inputs (equal sizes and mtimes everywhere: nothing to do)."""
SITE_WIDE_FOLDERS = ("data", "themes", "content/pages")
"""Inputs every page depends on (the column pages appear in the navigation); the 索引号 registry is
left out: it is derived from the items, which the page fingerprints cover."""


def _site_key(options: BuildOptions) -> str:
    """Fingerprint of everything every page depends on: sitegen itself, data/, themes/, options.

    The build date is not part of it: it only moves items through the gate, and the page
    fingerprints already see what the gate let through (a daily build must not re-render all).
    """
    root = options.root.resolve()
    files = [
        (rel, (root / rel).read_bytes())
        for rel, _, _ in tree_state(root, SITE_WIDE_FOLDERS)
        if rel != REGISTRY
    ]
    return digest((code_key(), files, options.drafts, options.extra_head))


def _in_place(previous: BuildCache, out: Path | None) -> bool:
    """Whether the output folder is updated file by file (a previous build's pages are there)."""
    return (
        out is not None
        and previous.output == str(out)
        and bool(previous.pages)
        and (out / MARKER).is_file()
    )


@contextmanager
def _saving(path: Path | None, dump: Callable[[BinaryIO], object]) -> Iterator[CacheWriter | None]:
    """A child process writing a cache file at `path` (None: no cache is saved), cancelled if the
    build fails; the caller calls finish() once the output is in place."""
    if path is None:
        yield None
        return
    saver = CacheWriter(path, dump)
    with _cancelled_on_failure([saver]):
        yield saver


@contextmanager
def _cancelled_on_failure(savers: list[CacheWriter]) -> Iterator[None]:
    """The cache writers in `savers`, including those put there meanwhile (the search index
    states, started once the index is encoded), are cancelled if the build fails."""
    try:
        yield
    except BaseException:
        for saver in savers:
            saver.cancel()
        raise


@contextmanager
def _staging(out: Path | None, in_place: bool) -> Iterator[Staging | None]:
    """A fresh output folder that the pages are written into as they are rendered (None when the
    output is updated in place or not written); removed again if the build fails."""
    if out is None:
        yield None
        return
    clean_stale(out)  # folders left by a killed build (this one's staging folder is made next)
    if in_place:
        yield None
        return
    staging = Staging(out)
    try:
        yield staging
    except BaseException:
        staging.abandon()
        raise


def _need(value, found: list[Diagnostic], problems: list[Diagnostic]):
    problems += found
    if value is None:
        raise BuildFailed(problems)
    return value


def _theme(root: Path, config: SiteConfig) -> Path:
    return root / "themes" / config.theme


def _translations(ids: Identities) -> dict[str, str]:
    return {
        source: ident.translation_of
        for source, ident in ids.by_source.items()
        if ident.translation_of
    }


__all__ = ["BuildOptions", "BuildResult", "Item", "OutputFile", "build", "update_search"]
