"""Reports for `sitegen check`: a per-check summary, and checks of the language editions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .diagnostics import Diagnostic, warning
from .i18n import compare_catalogs, load_catalog
from .model import Site

CHECKS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("配置", ("0",)),
    ("文件编码", ("10",)),
    ("元数据", ("1",)),
    ("公开时限", ("16",)),
    ("公开栏目页面", ("17", "18")),
    ("索引号与网址", ("20",)),
    ("正文安全", ("21",)),
    ("附件与站内链接", ("22",)),
    ("个人信息", ("3",)),
    ("模板与界面文字", ("4",)),
)
"""The checks `sitegen check` reports on, in order, with the code numbers (after E/W) each owns."""


def check_of(code: str) -> str:
    """Name of the check a diagnostic code belongs to (the longest matching number prefix)."""
    number = code[1:]
    best = max(
        (
            (len(prefix), name)
            for name, prefixes in CHECKS
            for prefix in prefixes
            if number.startswith(prefix)
        ),
        default=(0, f"其他（{code[:2]}xx）"),
    )
    return best[1]


def check_summary(diagnostics: Iterable[Diagnostic]) -> str:
    """ "检查完成：N 个错误，M 个警告" and one line per check: 通过, or its errors and warnings."""
    ds = list(diagnostics)
    errors = sum(d.is_error for d in ds)
    per_error = Counter(check_of(d.code) for d in ds if d.is_error)
    per_warning = Counter(check_of(d.code) for d in ds if not d.is_error)
    names = [name for name, _ in CHECKS]
    names += sorted({*per_error, *per_warning} - set(names))
    lines = [f"检查完成：{errors} 个错误，{len(ds) - errors} 个警告。"]
    if any(d.is_error and d.code[1:3] == "00" for d in ds):  # E00x: no configuration, nothing ran
        names = [names[0]]
        lines.append("  （配置有误，其余检查没有运行）")
    for name in names:
        counts = [
            f"{n} 个{kind}"
            for kind, n in (("错误", per_error[name]), ("警告", per_warning[name]))
            if n
        ]
        lines.append(f"  {name}：{'，'.join(counts) if counts else '通过'}")
    return "\n".join(lines)


def edition_checks(root: Path, site: Site) -> list[Diagnostic]:
    """For every non-Chinese edition: missing/unreviewed interface strings and untranslated items."""
    problems: list[Diagnostic] = []
    if len(site.editions) < 2:
        return problems
    reference, _ = load_catalog(root, "zh")
    for edition in site.editions[1:]:
        catalog, found = load_catalog(root, edition.lang)
        problems += found
        if reference and catalog:
            problems += compare_catalogs(reference, catalog)
        language = LANGUAGE_NAMES.get(edition.lang, edition.lang)
        for entry in edition.entries:
            if not entry.translated:
                problems.append(
                    warning(
                        entry.item.source,
                        0,
                        0,
                        "W407",
                        f"条目没有{language}译文，{language}版显示中文原文",
                        f"新建 {entry.item.source.removesuffix('.md')}.{edition.lang}.md，写 lang: {edition.lang} 和 translation_of",
                    )
                )
        problems += _name_checks(root, site)
    return problems


LANGUAGE_NAMES = {"ii": "彝文"}
"""Chinese names of the edition languages, for messages."""
SLUG_LINE_RE = re.compile(r"\bslug:\s*[\"']?([a-z0-9][a-z0-9-]*)")


def _name_checks(root: Path, site: Site) -> list[Diagnostic]:
    """Domains and stages without a Yi name, or with one nobody has checked (data/sections.yml)."""
    path = "data/sections.yml"
    lines = _slug_lines(root / path)
    named = [("领域", s.slug, s.name, s.name_ii, s.name_ii_reviewed) for s in site.config.sections]
    named += [
        ("公开阶段", s.slug, s.full_name, s.name_ii, s.name_ii_reviewed) for s in site.config.stages
    ]
    problems = []
    for kind, slug, name, name_ii, reviewed in named:
        line = lines.get(slug, 0)
        if not name_ii:
            problems.append(
                warning(
                    path,
                    line,
                    0,
                    "W408",
                    f"{kind}“{name}”（{slug}）缺少彝文名称 name_ii，彝文版显示中文",
                    "请懂彝文的同事补上 name_ii 并审校",
                )
            )
        elif not reviewed:
            problems.append(
                warning(
                    path,
                    line,
                    0,
                    "W406",
                    f"{kind}“{name}”（{slug}）的彝文名称“{name_ii}”尚未审校",
                    "审校后写 name_ii_reviewed: true",
                )
            )
    return problems


def _slug_lines(path: Path) -> dict[str, int]:
    """slug → the 1-based line of data/sections.yml that defines it (first occurrence)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    out: dict[str, int] = {}
    for n, line in enumerate(text.splitlines(), start=1):
        match = SLUG_LINE_RE.search(line)
        if match:
            out.setdefault(match.group(1), n)
    return out
