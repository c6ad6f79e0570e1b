"""The site model: published items placed into editions, sections, stage lists and pages with paths.

Pure: takes the config, the gated items and their identities; returns frozen values. Paths are
relative to the output root and use "/"; links between pages are made relative at render time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .config import Section, SiteConfig, Stage
from .content import Attachment, Item
from .identity import Identities


@dataclass(frozen=True, slots=True)
class Entry:
    """A published item as one edition shows it."""

    item: Item
    """The original (Chinese) item: source of all metadata."""
    text: Item
    """The item whose title and body are shown: a translation in the Yi edition, else `item`."""
    index_no: str
    """索引号."""
    path: str
    """Output path of the item page, e.g. "shehui-jiuzhu/dibao-2024.html" or "ii/…"."""
    files_dir: str
    """Output folder for its attachments, shared by all editions, e.g. "shehui-jiuzhu/dibao-2024"."""
    lang: str
    """Language of the shown text: "zh" or "ii"."""

    @property
    def translated(self) -> bool:
        """True when the text shown is a translation of the original."""
        return self.text is not self.item

    def attachment_path(self, attachment: Attachment) -> str:
        """Output path of one of its attachments."""
        return f"{self.files_dir}/{attachment.file}"


@dataclass(frozen=True, slots=True)
class Links:
    """Navigation around one item page."""

    newer: Entry | None
    """上一篇: the next newer item in the same domain."""
    older: Entry | None
    """下一篇: the next older item in the same domain."""
    related: tuple[Entry, ...]
    """Items this one names in `related` plus items that name this one (both ways)."""


@dataclass(frozen=True, slots=True)
class ListPage:
    """One page of a paginated item list."""

    path: str
    """Output path, e.g. "shehui-jiuzhu/jieguo/page-2.html"."""
    kind: str
    """"domain", "domain-stage" or "stage"."""
    section: Section | None
    """The domain listed (None for a cross-domain stage list)."""
    stage: Stage | None
    """The stage filter (None for a whole domain)."""
    entries: tuple[Entry, ...]
    """Entries on this page, newest first."""
    number: int
    """1-based page number."""
    page_paths: tuple[str, ...]
    """Paths of all pages of this list, in order."""
    total: int
    """Number of entries in the whole list."""

    @property
    def pager(self) -> tuple[tuple[int, str], ...]:
        """The page links to show, in order: the first and the last page and PAGER_REACH pages
        on each side of this one; (0, "") marks a gap. A list of 700 pages keeps a pager of at
        most 9 entries (readable on a phone, and no quadratic cost as lists grow)."""
        count = len(self.page_paths)
        low, high = max(1, self.number - PAGER_REACH), min(count, self.number + PAGER_REACH)
        shown = sorted({1, count, *range(low, high + 1)})
        out: list[tuple[int, str]] = []
        last = 0
        for n in shown:
            if n == last + 2:  # a gap of one page: show that page instead
                out.append((last + 1, self.page_paths[last]))
            elif n > last + 2:
                out.append((0, ""))
            out.append((n, self.page_paths[n - 1]))
            last = n
        return tuple(out)


PAGER_REACH = 2
"""Page links shown on each side of the current page in a list's pager."""


@dataclass(frozen=True, slots=True)
class Edition:
    """All pages of one language edition."""

    lang: str
    """"zh" or "ii"."""
    prefix: str
    """Output folder of the edition: "" for Chinese, "ii/" for Yi."""
    entries: tuple[Entry, ...]
    """Every published entry, newest first."""
    by_domain: dict[str, tuple[Entry, ...]]
    """Domain slug → its entries, newest first (every domain present, possibly empty)."""
    by_stage: dict[str, tuple[Entry, ...]]
    """Stage slug → its entries, newest first (every stage present)."""
    lists: tuple[ListPage, ...]
    """Every list page of the edition."""
    links: dict[str, Links]
    """Item source → newer/older/related navigation."""

    def path(self, rel: str) -> str:
        """An edition-relative path as an output path."""
        return self.prefix + rel


@dataclass(frozen=True, slots=True)
class Site:
    """The whole site: configuration and editions. Read-only for every later stage."""

    config: SiteConfig
    """Site configuration."""
    editions: tuple[Edition, ...]
    """Language editions, default first."""
    items: tuple[Item, ...]
    """Every published item, translations included, in source order."""

    @property
    def default(self) -> Edition:
        """The Chinese edition."""
        return self.editions[0]


def sort_newest_first(entries: Sequence[Entry]) -> tuple[Entry, ...]:
    """Newest first; ties broken by 索引号 then source path so the order is stable."""
    return tuple(
        sorted(entries, key=lambda e: (-e.item.date.toordinal(), _neg(e.index_no), e.item.source))
    )


def _neg(text: str) -> tuple[int, ...]:
    return tuple(-ord(c) for c in text)


def build_site(config: SiteConfig, published: Sequence[Item], ids: Identities) -> Site:
    """Place published items into every configured edition."""
    originals = [i for i in published if i.lang == "zh"]
    translations = {
        (ids.by_source[i.source].translation_of, i.lang): i for i in published if i.lang != "zh"
    }
    editions = tuple(
        _edition(config, lang, "" if n == 0 else f"{lang}/", originals, translations, ids)
        for n, lang in enumerate(config.languages)
    )
    return Site(config, editions, tuple(published))


def _edition(
    config: SiteConfig,
    lang: str,
    prefix: str,
    originals: Sequence[Item],
    translations: dict[tuple[str, str], Item],
    ids: Identities,
) -> Edition:
    entries = []
    for item in originals:
        ident = ids.by_source[item.source]
        text = translations.get((item.source, lang), item)
        base = f"{item.domain}/{ident.slug}"
        entries.append(Entry(item, text, ident.index_no, f"{prefix}{base}.html", base, text.lang))
    ordered = sort_newest_first(entries)
    # one pass, in order (a scan of every entry per domain and per stage grew with both)
    grouped: dict[tuple[str, str], list[Entry]] = {
        (d.slug, t.slug): [] for d in config.sections for t in config.stages
    }
    domain_lists: dict[str, list[Entry]] = {d.slug: [] for d in config.sections}
    stage_lists: dict[str, list[Entry]] = {t.slug: [] for t in config.stages}
    for e in ordered:
        grouped[e.item.domain, e.item.stage].append(e)
        domain_lists[e.item.domain].append(e)
        stage_lists[e.item.stage].append(e)
    by_domain = {slug: tuple(found) for slug, found in domain_lists.items()}
    by_stage = {slug: tuple(found) for slug, found in stage_lists.items()}

    lists: list[ListPage] = []
    for section in config.sections:
        lists += _paginate(
            f"{prefix}{section.slug}/",
            "domain",
            section,
            None,
            by_domain[section.slug],
            config.page_size,
        )
        for stage in config.stages:
            subset = tuple(grouped[section.slug, stage.slug])
            lists += _paginate(
                f"{prefix}{section.slug}/{stage.slug}/",
                "domain-stage",
                section,
                stage,
                subset,
                config.page_size,
            )
    for stage in config.stages:
        lists += _paginate(
            f"{prefix}stage/{stage.slug}/",
            "stage",
            None,
            stage,
            by_stage[stage.slug],
            config.page_size,
        )

    by_source = {e.item.source: e for e in ordered}
    back: dict[str, list[str]] = {}
    for e in ordered:
        for target in ids.by_source[e.item.source].related:
            back.setdefault(target, []).append(e.item.source)
    links: dict[str, Links] = {}
    for domain_entries in by_domain.values():
        for n, e in enumerate(domain_entries):
            names = [*ids.by_source[e.item.source].related, *back.get(e.item.source, [])]
            related = tuple(
                by_source[s] for s in dict.fromkeys(names) if s in by_source and s != e.item.source
            )
            links[e.item.source] = Links(
                newer=domain_entries[n - 1] if n > 0 else None,
                older=domain_entries[n + 1] if n + 1 < len(domain_entries) else None,
                related=related,
            )
    return Edition(lang, prefix, ordered, by_domain, by_stage, tuple(lists), links)


def _paginate(
    folder: str,
    kind: str,
    section: Section | None,
    stage: Stage | None,
    entries: tuple[Entry, ...],
    size: int,
) -> list[ListPage]:
    count = max(1, -(-len(entries) // size))
    paths = tuple(
        folder + ("index.html" if n == 1 else f"page-{n}.html") for n in range(1, count + 1)
    )
    return [
        ListPage(
            paths[n - 1],
            kind,
            section,
            stage,
            entries[(n - 1) * size : n * size],
            n,
            paths,
            len(entries),
        )
        for n in range(1, count + 1)
    ]
