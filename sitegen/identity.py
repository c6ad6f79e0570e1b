"""Identity of items: 索引号 (assigned when absent, never renumbered), URL slug, and cross-references.

索引号 numbers that sitegen assigns are remembered in data/index_numbers.yml (source path → number),
which the disclosure office commits with the content. A number, once in that file, is never given to
another item; a new item gets the next free serial for its organisation and year.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

from .config import SiteConfig
from .content import INDEX_NO_RE, SLUG_RE, Item
from .diagnostics import Diagnostic, error

REGISTRY = "data/index_numbers.yml"


@dataclass(frozen=True, slots=True)
class Identity:
    """Where an item lives and how it is referred to."""

    index_no: str
    """索引号, as written or as assigned."""
    slug: str
    """URL file name without extension."""
    translation_of: str
    """Source path of the item this one translates ("" = not a translation)."""
    related: tuple[str, ...]
    """Source paths of related items (resolved)."""


@dataclass(frozen=True, slots=True)
class Identities:
    """Identities of all loaded items, plus the registry entries added in this run."""

    by_source: dict[str, Identity]
    """Item source path → its identity."""
    assigned: dict[str, str]
    """Source path → 索引号 newly assigned in this run (to be added to the registry)."""
    registry: dict[str, str]
    """The complete registry after this run (source path → 索引号)."""


def read_registry(root: Path) -> tuple[dict[str, str], list[Diagnostic]]:
    """Read data/index_numbers.yml (missing file = empty registry)."""
    path = root / REGISTRY
    if not path.is_file():
        return {}, []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return {}, [
            error(REGISTRY, 1, 1, "E016", f"索引号登记文件无法读取：{exc}", "从版本库恢复这个文件")
        ]
    if not isinstance(data, dict):
        return {}, [error(REGISTRY, 1, 1, "E016", "索引号登记文件格式不对", "从版本库恢复这个文件")]
    return {str(k): str(v) for k, v in data.items()}, []


def registry_text(registry: dict[str, str]) -> str:
    """The registry file's text: sorted, one line per item, stable across runs."""
    head = (
        "# 自动分配的索引号登记（请随内容一起提交，不要手工修改或删除：索引号一经公开永不重排）\n"
    )
    return head + "".join(
        f"{yaml.safe_dump(k, allow_unicode=True).strip().removesuffix('...').strip()}: {v}\n"
        for k, v in sorted(registry.items())
    )


def assign(
    items: Sequence[Item], config: SiteConfig, registry: dict[str, str]
) -> tuple[Identities, list[Diagnostic]]:
    """Give every item its 索引号 and slug; check uniqueness; resolve related/translation_of."""
    problems: list[Diagnostic] = []
    numbers: dict[str, str] = {}
    owner: dict[str, str] = {}
    used_serials: dict[tuple[str, int], set[int]] = {}

    def claim(number: str, source: str, line: int) -> None:
        m = INDEX_NO_RE.match(number)
        if number in owner and owner[number] != source:
            problems.append(
                error(
                    source,
                    line,
                    1,
                    "E201",
                    f"索引号 {number} 与 {owner[number]} 重复",
                    "索引号不能重复：删掉这一行让系统自动编号，或改用新的流水号",
                )
            )
            return
        owner[number] = source
        numbers[source] = number
        if m:
            used_serials.setdefault((number.split("/")[0], int(m[1])), set()).add(int(m[2]))

    for item in items:
        if item.index_no:
            claim(item.index_no, item.source, item.lines.get("index_no", 1))
    # Registry numbers stay reserved even for items that were deleted: never reused.
    for _source, number in sorted(registry.items()):
        m = INDEX_NO_RE.match(number)
        if m:
            used_serials.setdefault((number.split("/")[0], int(m[1])), set()).add(int(m[2]))
    assigned: dict[str, str] = {}
    for item in sorted(items, key=lambda i: (i.date, i.source)):
        if item.index_no or item.lang != "zh":
            continue
        number = registry.get(item.source, "")
        if not number:
            org = config.departments.get(item.department, config.org_code)
            serials = used_serials.setdefault((org, item.date.year), set())
            serial = max(serials, default=0) + 1
            serials.add(serial)
            number = f"{org}/{item.date.year}-{serial:05d}"
            assigned[item.source] = number
        claim(number, item.source, 1)

    by_number = {n: s for s, n in numbers.items()}
    sources = {i.source for i in items}

    def resolve(ref: str, item: Item) -> str | None:
        if ref in by_number:
            return by_number[ref]
        for cand in (
            ref,
            "content/" + ref,
            "content/items/" + ref,
            str(PurePosixPath(item.source).parent / ref),
        ):
            norm = _normpath(cand)
            if norm in sources:
                return norm
        return None

    slugs: dict[tuple[str, str, str], str] = {}
    by_source: dict[str, Identity] = {}
    for item in items:
        slug = item.slug or _default_slug(item, numbers.get(item.source, ""))
        translation_of = ""
        if item.lang != "zh":
            if not item.translation_of:
                problems.append(
                    error(
                        item.source,
                        1,
                        1,
                        "E202",
                        "译文缺少 translation_of（译自哪一篇中文条目）",
                        "写上中文条目的索引号或文件路径",
                    )
                )
            else:
                target = resolve(item.translation_of, item)
                if target is None:
                    problems.append(
                        error(
                            item.source,
                            item.lines.get("translation_of", 1),
                            1,
                            "E203",
                            f"找不到被翻译的条目“{item.translation_of}”",
                            "写中文条目的索引号，或相对 content/ 的路径",
                        )
                    )
                else:
                    translation_of = target
        related = []
        for ref in item.related:
            target = resolve(ref, item)
            if target is None:
                problems.append(
                    error(
                        item.source,
                        item.lines.get("related", 1),
                        1,
                        "E204",
                        f"找不到相关条目“{ref}”",
                        "写对方的索引号，或相对 content/ 的路径",
                    )
                )
            else:
                related.append(target)
        by_source[item.source] = Identity(
            numbers.get(item.source, ""), slug, translation_of, tuple(related)
        )

    # Slug collisions per language edition and domain (translations share their original's slug).
    for item in items:
        ident = by_source[item.source]
        if ident.translation_of and ident.translation_of in by_source:
            ident = Identity(
                ident.index_no,
                by_source[ident.translation_of].slug,
                ident.translation_of,
                ident.related,
            )
            by_source[item.source] = ident
        key = (item.lang, item.domain, ident.slug)
        if not ident.translation_of and _reserved_slug(ident.slug, config, bool(item.attachments)):
            problems.append(
                error(
                    item.source,
                    item.lines.get("slug", 1),
                    1,
                    "E206",
                    f"输出路径 {item.domain}/{ident.slug}.html 与领域的列表页冲突（“{ident.slug}”是保留名称）",
                    "写一个不同的 slug（如 dibao-2024），或改文件名；不能用 index、page-数字，有附件时也不能用公开阶段的名称（如 jieguo）",
                )
            )
        elif key in slugs:
            problems.append(
                error(
                    item.source,
                    item.lines.get("slug", 1),
                    1,
                    "E205",
                    f"输出路径 {item.domain}/{ident.slug}.html 与 {slugs[key]} 冲突",
                    "给其中一个条目写不同的 slug，或改文件名",
                )
            )
        else:
            slugs[key] = item.source

    return Identities(by_source, assigned, {**registry, **assigned}), problems


def _reserved_slug(slug: str, config: SiteConfig, attachments: bool) -> bool:
    """True for names a domain folder uses itself: its list pages, and (for an item whose
    attachments go to the folder <slug>/) its stage sub-folders."""
    if slug == "index" or re.fullmatch(r"page-\d+", slug):
        return True
    return attachments and slug in {s.slug for s in config.stages}


def _default_slug(item: Item, index_no: str) -> str:
    stem = PurePosixPath(item.source).name.removesuffix(".md")
    if item.lang != "zh":
        stem = stem.removesuffix("." + item.lang)
    stem = stem.lower()
    if SLUG_RE.match(stem):
        return stem
    if index_no:  # non-ASCII file name: the 索引号 is unique, so use it
        return re.sub(r"[^a-z0-9]+", "-", index_no.lower())
    return re.sub(r"[^a-z0-9]+", "-", stem).strip("-") or "item"


def _normpath(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)
