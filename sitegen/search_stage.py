"""Search stage: one prebuilt index per edition, from the model and the rendered bodies."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from .markdown import RenderedMarkdown
from .model import Site
from .output import OutputFile

try:  # TEMPORARY until sitegen/search lands
    from .search import SearchDoc, build_search_index
except ImportError:  # pragma: no cover
    SearchDoc = None  # type: ignore
    build_search_index = None  # type: ignore


def search_docs(site: Site, bodies: Mapping[str, RenderedMarkdown], lang: str) -> list[SearchDoc]:
    """The documents of one edition, newest first (the index's document order)."""
    edition = next(e for e in site.editions if e.lang == lang)
    sections = {s.slug: s for s in site.config.sections}
    stages = {s.slug: s for s in site.config.stages}
    docs = []
    for entry in edition.entries:
        docs.append(
            SearchDoc(
                ref=entry.path[len(edition.prefix) :],
                title=entry.text.title,
                body=bodies[entry.text.source].text,
                domain=sections[entry.item.domain].name,
                domain_slug=entry.item.domain,
                stage=stages[entry.item.stage].full_name,
                stage_slug=entry.item.stage,
                date=entry.item.date.isoformat(),
                lang=entry.lang,
            )
        )
    return docs


def search_files(site: Site, bodies: Mapping[str, RenderedMarkdown]) -> Iterator[OutputFile]:
    """Index files of every edition, under <edition>/search/."""
    if build_search_index is None:
        return
    for edition in site.editions:
        files = build_search_index(search_docs(site, bodies, edition.lang))
        for rel, data in sorted(files.items()):
            yield OutputFile(f"{edition.prefix}search/{rel}", data)
