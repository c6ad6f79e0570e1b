"""build(): the whole pipeline, stage by stage. Read this file first.

config → content (load, identify, check privacy, gate, render bodies) → site model → pages, search,
feeds, assets → write. Each stage returns new values; nothing is written until every check passed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from . import assets, bodies, checks, feeds, fonts, search_stage
from .config import SiteConfig, load_config
from .content import Item, load_items
from .diagnostics import BuildFailed, Diagnostic, has_errors
from .gate import GateResult, gate
from .i18n import Translator, load_catalog
from .identity import REGISTRY, Identities, assign, read_registry, registry_text
from .model import Site, build_site
from .output import (
    OutputFile,
    WriteReport,
    check_output_dir,
    clean_stale,
    write_site,
    write_text_file,
)
from .pages import load_pages, publishable, render_page_bodies
from .portal import Portal, build_portal, portal_files
from .render import Renderer, TemplateProblem, render_pages


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

    site: Site
    """The site model that was rendered."""
    diagnostics: tuple[Diagnostic, ...]
    """Warnings (errors stop the build before a result exists)."""
    withheld: GateResult
    """What the gate published and held back."""
    written: WriteReport | None
    """What was written (None for a check-only run)."""
    timings: Timings
    """Per-stage times."""
    portal: Portal | None = None
    """The 政府信息公开 column: content pages, statistics, coverage."""


def build(options: BuildOptions) -> BuildResult:
    """Run every stage; raise BuildFailed with all diagnostics if any error was found."""
    timings = Timings()
    problems: list[Diagnostic] = []
    root = options.root
    if options.out is not None:
        check_output_dir(options.out, root)

    with timings.stage("config"):
        config = _need(*load_config(root), problems)
        translators = _translators(root, config, problems)

    with timings.stage("load"):
        items, found = load_items(root, config)
        problems += found
        registry, found = read_registry(root)
        problems += found
        ids, found = assign(items, config, registry)
        problems += found
        column_pages, found = load_pages(root)
        problems += found

    with timings.stage("check"):
        problems += checks.check_items(items, config, ids)
        problems += checks.check_page_privacy(column_pages, root)
        gated = gate(items, _translations(ids), options.today, drafts=options.drafts)
        rendered, found = bodies.render_bodies(root, gated.published, ids, config)
        problems += found
        shown_pages = publishable(column_pages, options.today, drafts=options.drafts)
        page_bodies, found = render_page_bodies(shown_pages)
        problems += found
    if has_errors(problems):
        raise BuildFailed(problems)

    with timings.stage("model"):
        site = build_site(config, gated.published, ids)
        portal = build_portal(site, shown_pages, page_bodies, options.today)

    with timings.stage("render"):
        renderer = Renderer(
            site, _theme(root, config), translators, rendered, extra_head=options.extra_head, template_globals={"portal": portal}
        )
        try:
            pages = [*render_pages(renderer), *portal_files(renderer, portal)]
        except TemplateProblem as exc:
            raise BuildFailed([*problems, checks.template_error(str(exc))]) from exc

    with timings.stage("fonts"):
        pages, font_files = fonts.yi_font(pages, _theme(root, config))

    with timings.stage("search"):
        index_files = list(search_stage.search_files(site, rendered))

    with timings.stage("feeds"):
        feed_files = list(feeds.feed_files(site, extra_paths=portal.paths))
        problems += feeds.feed_warnings(site)

    written = None
    if options.out is not None:
        with timings.stage("write"):
            clean_stale(options.out)
            files = [*pages, *font_files, *index_files, *feed_files, *assets.asset_files(site, _theme(root, config))]
            written = write_site(options.out, files)
            if options.update_registry and ids.assigned:
                write_text_file(root / REGISTRY, registry_text(ids.registry))

    return BuildResult(site, tuple(problems), gated, written, timings, portal)


def _need(value, found: list[Diagnostic], problems: list[Diagnostic]):
    problems += found
    if value is None:
        raise BuildFailed(problems)
    return value


def _theme(root: Path, config: SiteConfig) -> Path:
    return root / "themes" / config.theme


def _translators(root: Path, config: SiteConfig, problems: list[Diagnostic]) -> dict[str, Translator]:
    reference = _need(*load_catalog(root, "zh"), problems)
    out = {"zh": Translator(reference, reference)}
    for lang in config.languages[1:]:
        catalog, found = load_catalog(root, lang)
        problems += found
        out[lang] = Translator(catalog or reference, reference)
    return out


def _translations(ids: Identities) -> dict[str, str]:
    return {source: ident.translation_of for source, ident in ids.by_source.items() if ident.translation_of}


__all__ = ["BuildOptions", "BuildResult", "Item", "OutputFile", "build"]
