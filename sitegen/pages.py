"""Content pages of the 政府信息公开 column: guide (指南), rules (制度) and annual reports (年报).

They live in content/pages/*.md with their own small front-matter (title, kind, date, year for
reports, optional slug/department/draft), are validated like items (every problem is a diagnostic
with a stable code) and render to pages/<slug>.html in every edition. An annual report may place
the computed table of 规章 / 行政规范性文件 figures with a paragraph holding only REPORT_TABLE_MARKER.

Codes: E170 unknown field, E171 missing field, E172 bad kind, E173 bad year, E175 bad slug,
E176 duplicate output path, E177 two reports for one year, E180 bad relative link,
W174 report published before its year ended, W178 report without the table marker,
W179 marker outside a report, W181 no guide, W182 more than one guide. Dates reuse E140/E141.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .content import read_source
from .diagnostics import Diagnostic, error, warning
from .markdown import render_markdown

PAGES_DIR = "content/pages"
KINDS = ("guide", "rules", "report")
KIND_ALIASES = {"指南": "guide", "制度": "rules", "年报": "report"}
KIND_ORDER = {k: n for n, k in enumerate(KINDS)}
FIELDS = {
    "title": "标题",
    "kind": "类型",
    "date": "发布日期",
    "year": "年度",
    "slug": "网址名",
    "department": "发布机构",
    "draft": "草稿",
}
ALIAS_TO_FIELD = {v: k for k, v in FIELDS.items()}
REPORT_TABLE_MARKER = "[[主动公开情况统计表]]"
_MARKER_HTML = f"<p>{REPORT_TABLE_MARKER}</p>\n"
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
RESERVED = frozenset({"index"})


@dataclass(frozen=True, slots=True)
class Page:
    """One content page of the 政府信息公开 column, validated."""

    source: str
    """Path of the .md file relative to the site root (posix)."""
    slug: str
    """Output file name without extension: the page is pages/<slug>.html."""
    title: str
    """Title (the page's h1)."""
    kind: str
    """"guide" (指南), "rules" (制度) or "report" (年报)."""
    date: dt.date
    """Publish date."""
    year: int | None
    """Reporting year of an annual report (None for other kinds)."""
    department: str
    """发布机构 ("" = not shown)."""
    draft: bool
    """True while still being written (never published by a real build)."""
    body: str
    """Markdown body."""
    body_line: int
    """Lines before the body in the file."""

    @property
    def path(self) -> str:
        """Edition-relative output path, e.g. "pages/nianbao-2024.html"."""
        return f"pages/{self.slug}.html"


@dataclass(frozen=True, slots=True)
class PageBody:
    """A page body rendered to HTML, split where the report table goes."""

    before: str
    """HTML before the table marker (the whole body when there is no marker)."""
    after: str
    """HTML after the table marker ("" when there is none)."""
    has_marker: bool
    """True when the body placed the table itself."""
    text: str
    """Plain text of the body (marker removed)."""


def iter_page_files(root: Path) -> list[Path]:
    """Every content/pages/*.md file, sorted (deterministic order)."""
    base = root / PAGES_DIR
    if not base.is_dir():
        return []
    return sorted(
        p
        for p in base.glob("*.md")
        if not p.name.startswith(".") and (p.is_symlink() or p.is_file())
    )


def load_pages(root: Path) -> tuple[tuple[Page, ...], list[Diagnostic]]:
    """Read and validate every page file; returns the good pages (column order) and every problem."""
    pages: list[Page] = []
    problems: list[Diagnostic] = []
    for path in iter_page_files(root):
        page, found = load_page(root, path)
        problems += found
        if page is not None:
            pages.append(page)
    problems += _check_set(pages)
    return order_pages(pages), problems


def order_pages(pages: Sequence[Page]) -> tuple[Page, ...]:
    """Guide first, then rules (oldest first), then reports (newest year first)."""
    return tuple(
        sorted(
            pages,
            key=lambda p: (KIND_ORDER[p.kind], -(p.year or 0), p.date, p.source),
        )
    )


def publishable(pages: Sequence[Page], today: dt.date, *, drafts: bool = False) -> tuple[Page, ...]:
    """Pages whose date has come and that are not drafts (drafts only in preview)."""
    return tuple(p for p in pages if p.date <= today and (drafts or not p.draft))


def load_page(root: Path, path: Path) -> tuple[Page | None, list[Diagnostic]]:
    """Read one page file; returns (Page or None, problems)."""
    source, problems = read_source(root, path)
    if source is None:
        return None, problems
    rel, mapping, body, body_line = source.rel, source.front, source.body, source.body_line
    found: list[Diagnostic] = []
    lines = dict(mapping.lines)
    values: dict[str, Any] = {}
    for key, value in mapping.values.items():
        name = ALIAS_TO_FIELD.get(key, key)
        if name not in FIELDS:
            known = sorted([*FIELDS, *ALIAS_TO_FIELD])
            close = difflib.get_close_matches(key, known, n=1, cutoff=0.5)
            hint = f"是不是想写“{close[0]}”？" if close else f"可用字段：{'、'.join(FIELDS)}"
            found.append(error(rel, lines.get(key, 1), 1, "E170", f"未知字段“{key}”", hint))
            continue
        values[name] = value
        lines[name] = lines.get(key, 1)

    def line(key: str) -> int:
        return lines.get(key, 1)

    def text(key: str, required: bool = False) -> str:
        value = values.get(key)
        if value is None or value == "" or isinstance(value, (list, dict)):
            if required:
                found.append(
                    error(
                        rel,
                        line(key),
                        1,
                        "E171",
                        f"缺少必填字段“{key}”（{FIELDS[key]}）",
                        f"在元数据中加一行 {key}: …",
                    )
                )
            return ""
        return str(value).strip()

    title = text("title", required=True)
    kind_raw = text("kind", required=True)
    kind = KIND_ALIASES.get(kind_raw, kind_raw)
    if kind_raw and kind not in KINDS:
        found.append(
            error(
                rel,
                line("kind"),
                1,
                "E172",
                f"页面类型“{kind_raw}”无效",
                "可选：guide（指南）、rules（制度）、report（年报）",
            )
        )
    date = _date(text("date", required=True), rel, line("date"), found)
    year: int | None = None
    if kind == "report":
        raw = values.get("year")
        if raw is None or raw == "":
            found.append(
                error(
                    rel,
                    1,
                    1,
                    "E171",
                    "年报缺少必填字段“year”（年度）",
                    "写上报告的年度，例如 year: 2024",
                )
            )
        elif isinstance(raw, bool) or not re.fullmatch(r"\d{4}", str(raw).strip()):
            found.append(
                error(
                    rel, line("year"), 1, "E173", f"年度“{raw}”无效", "写四位年份，例如 year: 2024"
                )
            )
        else:
            year = int(str(raw).strip())
            if date and date < dt.date(year + 1, 1, 1):
                found.append(
                    warning(
                        rel,
                        line("date"),
                        1,
                        "W174",
                        f"{year}年度报告的发布日期 {date} 早于该年度结束",
                        "年度报告一般在次年1月31日前发布；检查 year 和 date",
                    )
                )
    elif values.get("year") not in (None, ""):
        found.append(
            error(
                rel,
                line("year"),
                1,
                "E173",
                "只有年报（kind: report）才写年度 year",
                "删除 year 这一行",
            )
        )
    slug = text("slug") or PurePosixPath(rel).name.removesuffix(".md").lower()
    if not SLUG_RE.match(slug) or slug in RESERVED:
        found.append(
            error(
                rel,
                line("slug"),
                1,
                "E175",
                f"网址名“{slug}”不可用",
                "用小写字母、数字和连字符写 slug，例如 slug: nianbao-2024（不能用 index）",
            )
        )
    draft = values.get("draft", False)
    if not isinstance(draft, bool):
        draft = str(draft).strip() in ("是", "true", "True")
    if any(d.is_error for d in found) or date is None:
        return None, problems + found
    page = Page(
        source=rel,
        slug=slug,
        title=title,
        kind=kind,
        date=date,
        year=year,
        department=text("department"),
        draft=bool(draft),
        body=body,
        body_line=body_line,
    )
    return page, problems + found


def _date(raw: str, rel: str, line: int, found: list[Diagnostic]) -> dt.date | None:
    if not raw:
        return None
    m = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw)
    if not m:
        found.append(
            error(
                rel, line, 1, "E140", f"日期“{raw}”格式不对", "日期写成 YYYY-MM-DD，例如 2025-01-20"
            )
        )
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        found.append(error(rel, line, 1, "E141", f"日期“{raw}”不存在", "检查月份和日期"))
        return None


def _check_set(pages: Sequence[Page]) -> list[Diagnostic]:
    """Problems between pages: duplicate paths, two reports for a year, guide missing or doubled."""
    problems: list[Diagnostic] = []
    by_path: dict[str, str] = {}
    by_year: dict[int, str] = {}
    for page in sorted(pages, key=lambda p: p.source):
        if page.path in by_path:
            problems.append(
                error(
                    page.source,
                    1,
                    1,
                    "E176",
                    f"输出路径 {page.path} 与 {by_path[page.path]} 冲突",
                    "给其中一个页面写不同的 slug",
                )
            )
        by_path.setdefault(page.path, page.source)
        if page.year is not None:
            if page.year in by_year:
                problems.append(
                    error(
                        page.source,
                        1,
                        1,
                        "E177",
                        f"{page.year}年度报告与 {by_year[page.year]} 重复",
                        "每个年度只能有一份年报；检查 year",
                    )
                )
            by_year.setdefault(page.year, page.source)
    guides = [p for p in pages if p.kind == "guide"]
    if not guides:
        problems.append(
            warning(
                PAGES_DIR,
                0,
                0,
                "W181",
                "没有政府信息公开指南页面",
                "新建 content/pages/zhinan.md，写 kind: guide（《条例》第十二条要求编制并公布指南）",
            )
        )
    for extra in sorted(guides, key=lambda p: p.source)[1:]:
        problems.append(
            warning(
                extra.source,
                1,
                1,
                "W182",
                "有多个政府信息公开指南页面，导航只链接第一个",
                "把多余的指南改为 kind: rules 或删除",
            )
        )
    return problems


def render_page_bodies(pages: Sequence[Page]) -> tuple[dict[str, PageBody], list[Diagnostic]]:
    """Render every page body; relative links may only name other page files (xxx.md)."""
    by_file = {PurePosixPath(p.source).name: p for p in pages}
    out: dict[str, PageBody] = {}
    problems: list[Diagnostic] = []
    for page in pages:
        link_problems: list[Diagnostic] = []

        def rewrite(
            target: str, page: Page = page, link_problems: list[Diagnostic] = link_problems
        ) -> str | None:
            path, _, anchor = target.partition("#")
            other = by_file.get(path.split("?", 1)[0])
            if other is not None:
                return f"{other.slug}.html" + (f"#{anchor}" if anchor else "")
            link_problems.append(
                error(
                    page.source,
                    _line_of(page, target),
                    1,
                    "E180",
                    f"链接目标“{target}”不是 content/pages/ 中的页面",
                    "页面之间用文件名链接（如 zhinan.md）；站外网址写完整的 https://…",
                )
            )
            return ""

        rendered = render_markdown(
            page.body, path=page.source, line_offset=page.body_line, rewrite_link=rewrite
        )
        problems += rendered.problems
        problems += link_problems
        html = rendered.html
        has_marker = _MARKER_HTML in html
        before, _, after = html.partition(_MARKER_HTML)
        if page.kind == "report" and not has_marker:
            problems.append(
                warning(
                    page.source,
                    page.body_line + 1,
                    1,
                    "W178",
                    f"年报正文中没有 {REPORT_TABLE_MARKER}，主动公开情况统计表放在正文之后",
                    f"在“二、主动公开政府信息情况”下单独一行写 {REPORT_TABLE_MARKER}",
                )
            )
        if page.kind != "report" and has_marker:
            problems.append(
                warning(
                    page.source,
                    page.body_line + 1,
                    1,
                    "W179",
                    f"{REPORT_TABLE_MARKER} 只能用在年报中，这里按文字显示",
                    "删除这一行",
                )
            )
            before, after, has_marker = html, "", False
        text = rendered.text.replace(REPORT_TABLE_MARKER, "").strip()
        out[page.source] = PageBody(before, after, has_marker, text)
    return out, problems


def _line_of(page: Page, target: str) -> int:
    for n, line in enumerate(page.body.split("\n"), start=page.body_line + 1):
        if target in line:
            return n
    return page.body_line + 1
