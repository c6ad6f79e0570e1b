"""Site configuration: data/site.yml, data/sections.yml and data/holidays.yml → a frozen SiteConfig."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, error
from .yamlfile import load_mapping

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
RESERVED_SLUGS = frozenset(
    {"stage", "search", "pages", "assets", "ii", "coverage", "stats", "feeds"}
)
"""Top-level output folders that sitegen itself uses: no domain may take them."""


@dataclass(frozen=True, slots=True)
class Section:
    """One of the 26 disclosure domains (领域)."""

    slug: str
    """Stable ASCII folder name, e.g. "shehui-jiuzhu"."""
    name: str
    """Chinese name shown to readers and written by editors, e.g. "社会救助"."""
    aliases: tuple[str, ...] = ()
    """Older or alternative names that editors may still write (扶贫 → 乡村振兴)."""
    name_ii: str = ""
    """Nuosu Yi name for the Yi edition ("" = not translated)."""
    name_ii_reviewed: bool = False
    """True when a Yi speaker has checked name_ii."""


@dataclass(frozen=True, slots=True)
class Stage:
    """One of the five disclosure stages (五公开)."""

    slug: str
    """Stable ASCII folder name, e.g. "jieguo"."""
    name: str
    """Short Chinese name, e.g. "结果"; shown as "结果公开"."""
    name_ii: str = ""
    """Nuosu Yi name ("" = not translated)."""
    name_ii_reviewed: bool = False
    """True when a Yi speaker has checked name_ii."""

    @property
    def full_name(self) -> str:
        """The name as printed on pages: "结果公开"."""
        return f"{self.name}公开"


@dataclass(frozen=True, slots=True)
class Footer:
    """Footer fields required by 国办发〔2017〕47号."""

    sponsor: str = ""
    """主办单位."""
    operator: str = ""
    """承办单位."""
    contact: str = ""
    """联系方式 (phone, address)."""
    site_code: str = ""
    """网站标识码 (10 characters)."""
    icp: str = ""
    """ICP备案编号."""
    icp_url: str = ""
    """Link for the ICP number (the MIIT registry)."""
    police: str = ""
    """公安机关备案号."""
    police_url: str = ""
    """Link for the police registration number."""
    party_logo: str = ""
    """党政机关网站标识 image path, relative to the site root ("" = none)."""
    party_logo_url: str = ""
    """Where the 党政机关网站标识 image links to."""
    report_error_url: str = ""
    """我为政府网站找错 link."""


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """Everything configured in data/: read once, never changed by later stages."""

    root: Path
    """Site root (the folder holding content/, data/, themes/)."""
    title: str
    """Site title shown in the header and <title>."""
    county: str
    """County name."""
    site_url: str
    """Absolute URL of the published site, ending in "/" ("" = unknown: no feeds)."""
    org_code: str
    """Default organisation code for 索引号."""
    departments: dict[str, str]
    """发布机构 → organisation code for 索引号 (read-only by convention)."""
    sections: tuple[Section, ...]
    """The domains in display order."""
    stages: tuple[Stage, ...]
    """The five stages in display order."""
    languages: tuple[str, ...] = ("zh",)
    """Editions to build; the first is the default (root of output/)."""
    page_size: int = 20
    """Items per list page."""
    latest_count: int = 10
    """Items in the home page's latest list."""
    footer: Footer = field(default_factory=Footer)
    """Footer fields."""
    holidays: frozenset[dt.date] = frozenset()
    """Public holidays (not working days) for the timeliness check."""
    workdays: frozenset[dt.date] = frozenset()
    """Weekend days that are working days (调休)."""
    theme: str = "default"
    """Theme folder name under themes/."""

    def section(self, key: str) -> Section | None:
        """The section named by slug, name or alias, or None."""
        for s in self.sections:
            if key == s.slug or key == s.name or key in s.aliases:
                return s
        return None

    def stage(self, key: str) -> Stage | None:
        """The stage named by slug or name, with or without 公开."""
        key = key.strip()
        if key.endswith("公开"):
            key = key[:-2]
        for s in self.stages:
            if key in (s.slug, s.name):
                return s
        return None


SITE_KEYS = {
    "title",
    "county",
    "site_url",
    "org_code",
    "departments",
    "languages",
    "page_size",
    "latest_count",
    "footer",
    "theme",
}
SUPPORTED_LANGUAGES = ("zh", "ii")


def load_config(root: Path) -> tuple[SiteConfig | None, list[Diagnostic]]:
    """Read data/*.yml under `root`; returns the config or every problem found."""
    problems: list[Diagnostic] = []
    site = _read(root, "data/site.yml", problems)
    secs = _read(root, "data/sections.yml", problems)
    holidays_map = _read(root, "data/holidays.yml", problems, required=False)
    if site is None or secs is None:
        return None, problems

    path = "data/site.yml"
    for key in site.values:
        if key not in SITE_KEYS:
            problems.append(_unknown(path, site.lines[key], key, SITE_KEYS))

    def need_str(key: str, default: str | None = None) -> str:
        value = site.values.get(key, default)
        if value is None or not isinstance(value, str):
            problems.append(
                error(
                    path,
                    site.lines.get(key, 1),
                    1,
                    "E002",
                    f"缺少或无效的配置项“{key}”",
                    f"在 {path} 中写上 {key}: …",
                )
            )
            return ""
        return value

    title = need_str("title")
    county = need_str("county", "")
    site_url = need_str("site_url", "")
    if site_url and not re.match(r"^https?://", site_url):
        problems.append(
            error(
                path, site.lines["site_url"], 1, "E003", "site_url 必须以 http:// 或 https:// 开头"
            )
        )
    if site_url and not site_url.endswith("/"):
        site_url += "/"
    org_code = need_str("org_code")
    departments = site.values.get("departments") or {}
    if not isinstance(departments, dict):
        problems.append(
            error(
                path,
                site.lines["departments"],
                1,
                "E002",
                "departments 应为“发布机构: 机构代码”的列表",
            )
        )
        departments = {}
    languages = tuple(site.values.get("languages") or ("zh",))
    if (
        not languages
        or languages[0] != "zh"
        or any(lang not in SUPPORTED_LANGUAGES for lang in languages)
    ):
        problems.append(
            error(
                path,
                site.lines.get("languages", 1),
                1,
                "E004",
                f"不支持的语言设置 {list(languages)}",
                "可选 [zh] 或 [zh, ii]，中文必须在第一位",
            )
        )
    page_size = site.values.get("page_size", 20)
    latest = site.values.get("latest_count", 10)
    for key, value in (("page_size", page_size), ("latest_count", latest)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            problems.append(error(path, site.lines.get(key, 1), 1, "E002", f"{key} 应为正整数"))
    footer_values = site.values.get("footer") or {}
    footer_fields = set(Footer.__dataclass_fields__)
    footer = Footer()
    if isinstance(footer_values, dict):
        bad = [k for k in footer_values if k not in footer_fields]
        for k in bad:
            problems.append(
                _unknown(
                    path,
                    site.lines.get("footer", 1),
                    f"footer.{k}",
                    {f"footer.{f}" for f in footer_fields},
                )
            )
        footer = Footer(**{k: str(v or "") for k, v in footer_values.items() if k in footer_fields})

    sections = _sections(
        secs.values.get("sections"), "data/sections.yml", secs.lines.get("sections", 1), problems
    )
    stages = _stages(
        secs.values.get("stages"), "data/sections.yml", secs.lines.get("stages", 1), problems
    )
    holidays, workdays = _holidays(holidays_map.values if holidays_map else {}, problems)
    theme = str(site.values.get("theme", "default"))
    if not (root / "themes" / theme / "templates").is_dir():
        problems.append(
            error(
                path,
                site.lines.get("theme", 1),
                1,
                "E005",
                f"找不到主题 themes/{theme}/templates",
                "检查 theme 配置项",
            )
        )

    if any(p.is_error for p in problems):
        return None, problems
    return (
        SiteConfig(
            root=root,
            title=title,
            county=county,
            site_url=site_url,
            org_code=org_code,
            departments={str(k): str(v) for k, v in departments.items()},
            sections=sections,
            stages=stages,
            languages=languages,
            page_size=page_size,
            latest_count=latest,
            footer=footer,
            holidays=holidays,
            workdays=workdays,
            theme=theme,
        ),
        problems,
    )


def _read(root: Path, rel: str, problems: list[Diagnostic], required: bool = True):
    path = root / rel
    if not path.is_file():
        if required:
            problems.append(
                error(
                    rel,
                    0,
                    0,
                    "E001",
                    f"找不到配置文件 {rel}",
                    "在站点根目录下运行 sitegen，或用 --root 指定站点目录",
                )
            )
        return None
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        problems.append(
            error(rel, 0, 0, "E101", f"{rel} 不是 UTF-8 编码", f"运行 sitegen fix-encoding {rel}")
        )
        return None
    mapping, errs = load_mapping(text, rel)
    problems.extend(errs)
    return mapping


def _unknown(path: str, line: int, key: str, known: set[str]) -> Diagnostic:
    close = difflib.get_close_matches(key, sorted(known), n=1)
    hint = f"是不是想写“{close[0]}”？" if close else f"可用的配置项：{'、'.join(sorted(known))}"
    return error(path, line, 1, "E006", f"未知的配置项“{key}”", hint)


def _sections(raw: Any, path: str, line: int, problems: list[Diagnostic]) -> tuple[Section, ...]:
    if not isinstance(raw, list) or not raw:
        problems.append(error(path, line, 1, "E007", "sections 应为领域列表（slug 与 name）"))
        return ()
    out: list[Section] = []
    seen: dict[str, str] = {}
    for n, entry in enumerate(raw, start=1):
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("slug"), str)
            or not isinstance(entry.get("name"), str)
        ):
            problems.append(error(path, line, 1, "E007", f"第 {n} 个领域缺少 slug 或 name"))
            continue
        slug = entry["slug"]
        if not SLUG_RE.match(slug):
            problems.append(
                error(path, line, 1, "E008", f"领域 slug “{slug}” 只能含小写字母、数字和连字符")
            )
        elif slug in RESERVED_SLUGS:
            problems.append(
                error(
                    path,
                    line,
                    1,
                    "E012",
                    f"领域 slug “{slug}” 是保留名称",
                    f"不能使用：{'、'.join(sorted(RESERVED_SLUGS))}",
                )
            )
        names = [slug, entry["name"], *map(str, entry.get("aliases") or [])]
        for name in names:
            if name in seen and seen[name] != slug:
                problems.append(error(path, line, 1, "E009", f"领域名称或 slug “{name}” 重复"))
            seen[name] = slug
        out.append(
            Section(
                slug=slug,
                name=entry["name"],
                aliases=tuple(map(str, entry.get("aliases") or [])),
                name_ii=str(entry.get("name_ii") or ""),
                name_ii_reviewed=bool(entry.get("name_ii_reviewed", False)),
            )
        )
    return tuple(out)


def _stages(raw: Any, path: str, line: int, problems: list[Diagnostic]) -> tuple[Stage, ...]:
    if not isinstance(raw, list) or len(raw) != 5:
        problems.append(
            error(
                path, line, 1, "E010", "stages 应列出五个公开阶段（决策、执行、管理、服务、结果）"
            )
        )
        return ()
    out = []
    for entry in raw:
        if not isinstance(entry, dict) or not SLUG_RE.match(str(entry.get("slug", ""))):
            problems.append(error(path, line, 1, "E010", "公开阶段缺少 slug 或 name"))
            continue
        out.append(
            Stage(
                slug=entry["slug"],
                name=str(entry["name"]),
                name_ii=str(entry.get("name_ii") or ""),
                name_ii_reviewed=bool(entry.get("name_ii_reviewed", False)),
            )
        )
    return tuple(out)


def _holidays(
    values: dict[str, Any], problems: list[Diagnostic]
) -> tuple[frozenset[dt.date], frozenset[dt.date]]:
    def dates(key: str) -> frozenset[dt.date]:
        out = set()
        for v in values.get(key) or []:
            try:
                out.add(dt.date.fromisoformat(str(v)))
            except ValueError:
                problems.append(
                    error(
                        "data/holidays.yml",
                        1,
                        1,
                        "E011",
                        f"节假日日期“{v}”无效",
                        "日期写成 YYYY-MM-DD",
                    )
                )
        return frozenset(out)

    return dates("holidays"), dates("workdays")
