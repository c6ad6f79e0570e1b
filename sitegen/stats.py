"""Statistics of the published site: counts, timeliness, annual-report figures, coverage matrix.

Everything here is a pure function of the gated site model (only 主动公开 items whose date has come;
each Chinese original counted once, translations never). `sitegen stats` prints the same figures the
statistics page shows and can write them as CSV.

Annual report table 2 (国办公开办函〔2021〕30号, 第二十条第（一）项), for doc_type 规章 and
行政规范性文件 and a year Y:
  本年制发件数  items published (date) in Y;
  本年废止件数  items whose validity is 废止 or 失效 with a date in Y;
  现行有效件数  items published by 31 December Y that were still in force then: validity 有效, or
                废止/失效 with a date after 31 December Y.
A 废止/失效 item without a date cannot be placed in time: it is counted in neither of the last two
columns, and `undated` says how many there were so the office can add the dates.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys
import unicodedata
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .checks import TIMELINESS_DAYS, working_days_between
from .config import Section, SiteConfig, Stage
from .content import Item
from .model import Site

REPORT_DOC_TYPES = ("规章", "行政规范性文件")


@dataclass(frozen=True, slots=True)
class Count:
    """One bar of a statistic: a key, how it is shown, and how many items."""

    key: str
    """Stable key: a domain or stage slug, a department name, or "YYYY-MM"."""
    label: str
    """Text shown to readers (Chinese name, department, month)."""
    n: int
    """Number of items."""


@dataclass(frozen=True, slots=True)
class Timeliness:
    """How many items went public within 20 working days of being written (《条例》第二十六条)."""

    checked: int
    """Items that have a 成文日期 (only these can be judged)."""
    on_time: int
    """Items published within TIMELINESS_DAYS working days of their 成文日期."""
    late: tuple[str, ...]
    """Source paths of the items published later than that."""
    unknown: int
    """Items without a 成文日期."""

    @property
    def share(self) -> float | None:
        """on_time / checked, or None when no item could be judged."""
        return self.on_time / self.checked if self.checked else None


@dataclass(frozen=True, slots=True)
class AnnualRow:
    """Table 2 figures for one document type in one year."""

    year: int
    """The reporting year."""
    doc_type: str
    """规章 or 行政规范性文件."""
    issued: int
    """本年制发件数."""
    repealed: int
    """本年废止件数."""
    in_force: int
    """现行有效件数 (at 31 December of the year)."""
    undated: int
    """废止/失效 items of this type without a date (not counted above)."""


@dataclass(frozen=True, slots=True)
class SiteStats:
    """All statistics of one run (all years, or one year)."""

    year: int | None
    """Publish year the counts are limited to (None = every year)."""
    total: int
    """Published items counted."""
    by_domain: tuple[Count, ...]
    """Items per domain, in configured order, zeros included."""
    by_stage: tuple[Count, ...]
    """Items per stage, in configured order, zeros included."""
    by_department: tuple[Count, ...]
    """Items per 发布机构, most first (then by name)."""
    by_month: tuple[Count, ...]
    """Items per publish month "YYYY-MM", oldest first (months without items left out)."""
    timeliness: Timeliness
    """On-time share."""
    annual: tuple[AnnualRow, ...]
    """Table 2 rows: per year (oldest first), 规章 then 行政规范性文件."""

    @property
    def years(self) -> tuple[int, ...]:
        """Years present in by_month, oldest first."""
        return tuple(sorted({int(c.key[:4]) for c in self.by_month}))

    def month_count(self, year: int, month: int) -> int:
        """Items published in that month."""
        key = f"{year:04d}-{month:02d}"
        return next((c.n for c in self.by_month if c.key == key), 0)

    def year_count(self, year: int) -> int:
        """Items published in that year."""
        return sum(c.n for c in self.by_month if c.key.startswith(f"{year:04d}-"))


@dataclass(frozen=True, slots=True)
class CoverageCell:
    """One domain × stage cell of the coverage matrix."""

    stage: Stage
    """The stage (column)."""
    count: int
    """Published items of the domain in that stage."""
    path: str
    """Edition-relative path of the domain-stage list, e.g. "shehui-jiuzhu/jieguo/index.html"."""


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One domain of the coverage matrix."""

    section: Section
    """The domain (row)."""
    cells: tuple[CoverageCell, ...]
    """One cell per stage, in configured order."""
    total: int
    """Items of the domain."""
    latest: dt.date | None
    """Publish date of its newest item (None = no item)."""


@dataclass(frozen=True, slots=True)
class Coverage:
    """The 26 domains × 5 stages matrix inspectors check."""

    stages: tuple[Stage, ...]
    """Columns, in configured order."""
    rows: tuple[CoverageRow, ...]
    """Rows, in configured domain order."""
    stage_totals: tuple[int, ...]
    """Items per stage (column sums)."""
    total: int
    """All items."""
    empty: int
    """Cells without any item."""


def published_originals(site: Site) -> tuple[Item, ...]:
    """The items the statistics count: published Chinese originals, newest first."""
    return tuple(e.item for e in site.default.entries)


def compute_stats(site: Site, year: int | None = None) -> SiteStats:
    """Statistics of the published site, limited to items published in `year` when given."""
    config = site.config
    items = [i for i in published_originals(site) if year is None or i.date.year == year]
    domains = Counter(i.domain for i in items)
    stages = Counter(i.stage for i in items)
    departments = Counter(i.department for i in items)
    months = Counter(f"{i.date.year:04d}-{i.date.month:02d}" for i in items)
    if year is not None:
        report_years: Sequence[int] = (year,)
    else:
        typed = [i for i in published_originals(site) if i.doc_type in REPORT_DOC_TYPES]
        first = min((i.date.year for i in typed), default=None)
        last = max((i.date.year for i in published_originals(site)), default=None)
        report_years = range(first, last + 1) if first is not None and last is not None else ()
    all_items = published_originals(site)
    return SiteStats(
        year=year,
        total=len(items),
        by_domain=tuple(Count(s.slug, s.name, domains[s.slug]) for s in config.sections),
        by_stage=tuple(Count(s.slug, s.full_name, stages[s.slug]) for s in config.stages),
        by_department=tuple(
            Count(d, d, n) for d, n in sorted(departments.items(), key=lambda kv: (-kv[1], kv[0]))
        ),
        by_month=tuple(Count(m, m, months[m]) for m in sorted(months)),
        timeliness=timeliness(items, config),
        annual=tuple(row for y in report_years for row in annual_figures(all_items, y)),
    )


def timeliness(items: Sequence[Item], config: SiteConfig) -> Timeliness:
    """On-time publication (within TIMELINESS_DAYS working days of 成文日期) of `items`."""
    checked = on_time = 0
    late: list[str] = []
    for item in items:
        if item.written is None:
            continue
        checked += 1
        if working_days_between(item.written, item.date, config) <= TIMELINESS_DAYS:
            on_time += 1
        else:
            late.append(item.source)
    return Timeliness(checked, on_time, tuple(sorted(late)), len(items) - checked)


def annual_figures(items: Sequence[Item], year: int) -> tuple[AnnualRow, ...]:
    """Table 2 rows (规章, 行政规范性文件) for `year` from published items (see module docstring)."""
    year_end = dt.date(year, 12, 31)
    rows = []
    for doc_type in REPORT_DOC_TYPES:
        typed = [i for i in items if i.doc_type == doc_type]
        issued = sum(1 for i in typed if i.date.year == year)
        repealed = in_force = undated = 0
        for i in typed:
            status, when = i.validity.status, i.validity.date
            if status != "有效" and when is not None and when.year == year:
                repealed += 1
            if status != "有效" and when is None:
                undated += 1
            if i.date <= year_end and (status == "有效" or (when is not None and when > year_end)):
                in_force += 1
        rows.append(AnnualRow(year, doc_type, issued, repealed, in_force, undated))
    return tuple(rows)


def coverage(site: Site) -> Coverage:
    """Items per domain and stage, with each domain's newest date (from the Chinese edition)."""
    edition = site.default
    config = site.config
    list_paths = {lst.path for lst in edition.lists}
    rows = []
    for section in config.sections:
        entries = edition.by_domain[section.slug]
        cells = []
        for stage in config.stages:
            path = f"{section.slug}/{stage.slug}/index.html"
            assert edition.prefix + path in list_paths, (
                path
            )  # the model makes every domain-stage list
            cells.append(
                CoverageCell(stage, sum(1 for e in entries if e.item.stage == stage.slug), path)
            )
        latest = max((e.item.date for e in entries), default=None)
        rows.append(CoverageRow(section, tuple(cells), len(entries), latest))
    stage_totals = tuple(sum(r.cells[n].count for r in rows) for n in range(len(config.stages)))
    return Coverage(
        stages=config.stages,
        rows=tuple(rows),
        stage_totals=stage_totals,
        total=sum(r.total for r in rows),
        empty=sum(1 for r in rows for c in r.cells if c.count == 0),
    )


# --- command line -------------------------------------------------------------------------------


def format_stats(stats: SiteStats, config: SiteConfig, today: dt.date) -> str:
    """The figures as aligned Chinese text for the terminal."""
    scope = f"{stats.year}年发布的" if stats.year is not None else "全部"
    out = [
        f"{config.title} · 统计（截至 {today.isoformat()}，{scope}已公开信息 {stats.total} 条）",
        "",
    ]

    def block(title: str, counts: Sequence[Count]) -> None:
        out.append(f"{title}：")
        width = max((_width(c.label) for c in counts), default=0)
        for c in counts:
            out.append(f"  {_pad(c.label, width)}  {c.n:>5}")
        if not counts:
            out.append("  （无）")
        out.append("")

    block("按领域", stats.by_domain)
    block("按公开阶段", stats.by_stage)
    block("按发布机构", stats.by_department)
    block("按月份", stats.by_month)
    t = stats.timeliness
    share = f"{t.share * 100:.1f}%" if t.share is not None else "—"
    out.append(f"公开及时性（成文后 {TIMELINESS_DAYS} 个工作日内发布）：")
    out.append(
        f"  有成文日期 {t.checked} 条，按时 {t.on_time} 条，超时 {len(t.late)} 条，按时率 {share}；无成文日期 {t.unknown} 条"
    )
    for source in t.late:
        out.append(f"  超时：{source}")
    out.append("")
    out.append("年报表二 主动公开政府信息情况（第二十条第（一）项）：")
    if stats.annual:
        header = ["年度", "信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]
        widths = [max(_width(h), 6) for h in header]
        widths[1] = max(widths[1], _width("行政规范性文件"))
        out.append("  " + "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)))
        for r in stats.annual:
            cells = [str(r.year), r.doc_type, str(r.issued), str(r.repealed), str(r.in_force)]
            out.append("  " + "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)))
        undated = sum(r.undated for r in stats.annual if r.year == stats.annual[-1].year)
        if undated:
            out.append(
                f"  注：另有 {undated} 件已废止或失效的文件没有写明日期，未计入本年废止和现行有效件数。"
            )
    else:
        out.append("  （没有规章或行政规范性文件）")
    return "\n".join(line.rstrip() for line in out) + "\n"


def stats_csv(stats: SiteStats) -> bytes:
    """The figures as CSV (分类,名称,数值), UTF-8 with BOM so spreadsheet programs read the Chinese."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(["分类", "名称", "数值"])
    w.writerow(["合计", f"{stats.year}年" if stats.year is not None else "全部", stats.total])
    for title, counts in (
        ("领域", stats.by_domain),
        ("公开阶段", stats.by_stage),
        ("发布机构", stats.by_department),
        ("月份", stats.by_month),
    ):
        for c in counts:
            w.writerow([title, c.label, c.n])
    t = stats.timeliness
    w.writerow(["公开及时性", "有成文日期", t.checked])
    w.writerow(["公开及时性", "按时", t.on_time])
    w.writerow(["公开及时性", "超时", len(t.late)])
    w.writerow(["公开及时性", "按时率", f"{t.share * 100:.1f}%" if t.share is not None else ""])
    for r in stats.annual:
        for name, value in (
            ("本年制发件数", r.issued),
            ("本年废止件数", r.repealed),
            ("现行有效件数", r.in_force),
        ):
            w.writerow(["年报表二", f"{r.year}/{r.doc_type}/{name}", value])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def load_site_model(root: Path, today: dt.date) -> Site:
    """config → load → identity → gate → model, as a build does it; raises BuildFailed on errors."""
    from .config import load_config
    from .content import load_items
    from .diagnostics import BuildFailed, has_errors
    from .gate import gate
    from .identity import assign, read_registry
    from .model import build_site

    config, problems = load_config(root)
    if config is None:
        raise BuildFailed(problems)
    items, found = load_items(root, config)
    problems += found
    registry, found = read_registry(root)
    problems += found
    ids, found = assign(items, config, registry)
    problems += found
    if has_errors(problems):
        raise BuildFailed(problems)
    translations = {s: i.translation_of for s, i in ids.by_source.items() if i.translation_of}
    gated = gate(items, translations, today)
    return build_site(config, gated.published, ids)


def run_stats(root: Path, *, year: int | None, csv_path: Path | None, today: dt.date) -> int:
    """`sitegen stats`: print the figures (and write CSV); returns the exit code."""
    from .output import write_bytes_file

    site = load_site_model(root, today)
    stats = compute_stats(site, year=year)
    sys.stdout.write(format_stats(stats, site.config, today))
    if csv_path is not None:
        write_bytes_file(csv_path, stats_csv(stats))
        print(f"已写出 {csv_path}")
    return 0


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))
