"""The 政府信息公开 column around the domain pages: content pages, coverage matrix, statistics.

`build_portal` is pure (site model + pages → a frozen Portal); `portal_files` renders its pages in
every edition through the theme: pages/index.html (the column's landing page), pages/<slug>.html,
coverage/index.html and stats/index.html.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from .charts import BarChart, bar_chart
from .model import Entry, Site
from .output import OutputFile
from .pages import Page, PageBody
from .render import Renderer
from .stats import (
    AnnualRow,
    Count,
    Coverage,
    SiteStats,
    annual_figures,
    compute_stats,
    coverage,
    published_originals,
)

PORTAL_INDEX = "pages/index.html"
COVERAGE_PAGE = "coverage/index.html"
STATS_PAGE = "stats/index.html"


@dataclass(frozen=True, slots=True)
class Charts:
    """The statistics page's charts."""

    by_domain: BarChart
    """Items per domain (bars link to the domain pages)."""
    by_stage: BarChart
    """Items per stage (bars link to the stage lists)."""
    by_department: BarChart
    """Items per 发布机构."""
    by_year: BarChart
    """Items per publish year."""


@dataclass(frozen=True, slots=True)
class Portal:
    """Everything the column's own pages show."""

    pages: tuple[Page, ...]
    """Published content pages: guide, rules, reports (newest year first)."""
    bodies: Mapping[str, PageBody]
    """Page source → rendered body."""
    stats: SiteStats
    """Statistics over all published items."""
    charts: Mapping[str, Charts]
    """Charts of `stats` per edition language (domain and stage names in that language)."""
    coverage: Coverage
    """Domain × stage matrix."""
    report_tables: Mapping[str, tuple[AnnualRow, ...]]
    """Report page source → its computed table 2 rows."""
    as_of: dt.date
    """The build's date: figures count what is published on this day."""
    late: Mapping[str, tuple[Entry, ...]]
    """Edition language → its entries of the items published late (`stats.timeliness.late`),
    newest first."""

    @property
    def guide(self) -> Page | None:
        """The 政府信息公开指南 (the first one)."""
        return next((p for p in self.pages if p.kind == "guide"), None)

    @property
    def rules(self) -> tuple[Page, ...]:
        """The 政府信息公开制度 pages."""
        return tuple(p for p in self.pages if p.kind == "rules")

    @property
    def reports(self) -> tuple[Page, ...]:
        """The annual reports, newest year first."""
        return tuple(p for p in self.pages if p.kind == "report")

    def nav_path(self, part: str) -> str:
        """Edition-relative link of a nav entry: "guide", "rules", "domains", "reports"."""
        if part == "guide" and self.guide is not None:
            return self.guide.path
        if part == "rules" and len(self.rules) == 1:
            return self.rules[0].path
        return f"{PORTAL_INDEX}#{part}"

    @property
    def paths(self) -> tuple[str, ...]:
        """Edition-relative paths of every page the portal renders (for the sitemap)."""
        return (PORTAL_INDEX, *(p.path for p in self.pages), COVERAGE_PAGE, STATS_PAGE)


def build_portal(
    site: Site, pages: Sequence[Page], bodies: Mapping[str, PageBody], as_of: dt.date
) -> Portal:
    """Compute the column's figures from the published site model."""
    stats = compute_stats(site)
    config = site.config
    by_year = bar_chart([Count(str(y), str(y), stats.year_count(y)) for y in stats.years])
    by_department = bar_chart(stats.by_department)
    charts = {}
    for edition in site.editions:
        names = {
            s.slug: s.name_ii if edition.lang == "ii" and s.name_ii else s.name
            for s in config.sections
        }
        stage_names = {
            s.slug: s.name_ii if edition.lang == "ii" and s.name_ii else s.full_name
            for s in config.stages
        }
        charts[edition.lang] = Charts(
            by_domain=bar_chart(
                [Count(c.key, names[c.key], c.n) for c in stats.by_domain],
                [f"{c.key}/index.html" for c in stats.by_domain],
            ),
            by_stage=bar_chart(
                [Count(c.key, stage_names[c.key], c.n) for c in stats.by_stage],
                [f"stage/{c.key}/index.html" for c in stats.by_stage],
            ),
            by_department=by_department,
            by_year=by_year,
        )
    items = published_originals(site)
    tables = {
        p.source: annual_figures(items, p.year)
        for p in pages
        if p.kind == "report" and p.year is not None
    }
    late_sources = frozenset(stats.timeliness.late)
    late = {
        edition.lang: tuple(e for e in edition.entries if e.item.source in late_sources)
        for edition in site.editions
    }
    return Portal(tuple(pages), dict(bodies), stats, charts, coverage(site), tables, as_of, late)


def portal_files(renderer: Renderer, portal: Portal) -> Iterator[OutputFile]:
    """The column's pages in every edition."""
    for edition in renderer.site.editions:
        yield renderer.page(
            "portal_index.html", edition.path(PORTAL_INDEX), edition, page=None, portal=portal
        )
        for page in portal.pages:
            body = portal.bodies[page.source]
            yield renderer.page(
                "page.html",
                edition.path(page.path),
                edition,
                page=page,
                portal=portal,
                body_before=Markup(body.before),
                body_after=Markup(body.after),
                has_marker=body.has_marker,
                report_rows=portal.report_tables.get(page.source, ()),
            )
        yield renderer.page(
            "coverage.html", edition.path(COVERAGE_PAGE), edition, page=None, portal=portal
        )
        yield renderer.page(
            "stats.html", edition.path(STATS_PAGE), edition, page=None, portal=portal
        )
