"""Reports for `sitegen check`: a per-check summary, and checks of the language editions."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from .diagnostics import Diagnostic, warning
from .i18n import compare_catalogs, load_catalog
from .model import Site

CHECK_NAMES = {
    "E0": "配置",
    "E1": "元数据",
    "W1": "元数据",
    "E2": "内容完整性",
    "W2": "内容完整性",
    "E3": "个人信息",
    "W3": "个人信息（例外）",
    "E4": "模板与界面文字",
    "W4": "界面文字与翻译",
}


def check_summary(diagnostics: Iterable[Diagnostic]) -> str:
    """"检查完成：N 个错误，M 个警告" plus a count per check."""
    ds = list(diagnostics)
    errors = sum(d.is_error for d in ds)
    per = Counter(CHECK_NAMES.get(d.code[:2], d.code[:2]) for d in ds)
    lines = [f"检查完成：{errors} 个错误，{len(ds) - errors} 个警告。"]
    lines += [f"  {name}：{n}" for name, n in sorted(per.items())]
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
        for entry in edition.entries:
            if not entry.translated:
                problems.append(
                    warning(entry.item.source, 0, 0, "W407", f"条目没有{edition.lang}译文，{edition.lang}版显示中文原文", f"新建 {entry.item.source.removesuffix('.md')}.{edition.lang}.md，写 lang: {edition.lang} 和 translation_of")
                )
        for section in site.config.sections:
            if not section.name_ii:
                problems.append(warning("data/sections.yml", 0, 0, "W408", f"领域“{section.name}”缺少彝文名称 name_ii", "请懂彝文的同事补上并审校"))
            elif not section.name_ii_reviewed:
                problems.append(warning("data/sections.yml", 0, 0, "W406", f"领域“{section.name}”的彝文名称尚未审校", "审校后写 name_ii_reviewed: true"))
    return problems
