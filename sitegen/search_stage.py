"""Search stage: one prebuilt index per edition, from the model and the rendered bodies."""

from __future__ import annotations

from collections.abc import Mapping

from .markdown import RenderedMarkdown
from .model import Site
from .output import OutputFile
from .search import SearchDoc
from .search.index import SearchState, index_files
from .search.postings import Postings


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


def search_files(
    site: Site, bodies: Mapping[str, RenderedMarkdown], reuse: Mapping[str, Postings] | None = None
) -> tuple[list[OutputFile], dict[str, Postings], dict[str, SearchState]]:
    """Index files of every edition, under <edition>/search/, the counted blocks of documents, and
    each edition's index state by edition prefix (what a quick update starts from).

    Blocks in ``reuse`` (from the previous build) are not counted again (search/postings.py).
    """
    files: list[OutputFile] = []
    blocks: dict[str, Postings] = {}
    states: dict[str, SearchState] = {}
    for edition in site.editions:
        index, counted, state = index_files(search_docs(site, bodies, edition.lang), reuse=reuse)
        blocks.update(counted)
        states[edition.prefix] = state
        files += [
            OutputFile(f"{edition.prefix}search/{rel}", data) for rel, data in sorted(index.items())
        ]
    return files, blocks, states
