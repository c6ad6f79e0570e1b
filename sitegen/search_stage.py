"""Search stage: one prebuilt index per edition, from the model and the rendered bodies."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from .markdown import RenderedMarkdown
from .model import Site
from .output import OutputFile
from .search import SearchDoc
from .search.index import Counted, SearchState, count_index, finish_index
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
    docs = [search_docs(site, bodies, edition.lang) for edition in site.editions]
    return finish_editions(count_editions(site, docs, reuse))


def count_editions(
    site: Site,
    docs: Sequence[Sequence[SearchDoc]],
    reuse: Mapping[str, Postings] | None = None,
    put: Callable[[OutputFile], OutputFile] | None = None,
) -> list[tuple[str, Counted, list[OutputFile]]]:
    """search_files' first half, over both cores: each edition's prefix, counted documents, and
    its document files as ``put`` returned them (``docs``: every edition's search_docs, in
    edition order; with ``put``, the document files are handed to it as they are encoded)."""
    counted = []
    for edition, edition_docs in zip(site.editions, docs, strict=True):
        handed: list[OutputFile] = []
        folder = f"{edition.prefix}search/"
        hand = (
            (
                lambda rel, data, folder=folder, handed=handed: handed.append(
                    put(OutputFile(folder + rel, data))
                )
            )
            if put is not None
            else None
        )
        counted.append((edition.prefix, count_index(edition_docs, reuse=reuse, put=hand), handed))
    return counted


def finish_editions(
    counted: list[tuple[str, Counted, list[OutputFile]]],
) -> tuple[list[OutputFile], dict[str, Postings], dict[str, SearchState]]:
    """search_files' second half, in this process: merge and encode each edition's index."""
    files: list[OutputFile] = []
    blocks: dict[str, Postings] = {}
    states: dict[str, SearchState] = {}
    for prefix, edition_counted, handed in counted:
        index, by_key, state = finish_index(edition_counted)
        blocks.update(by_key)
        states[prefix] = state
        files += [OutputFile(f"{prefix}search/{rel}", data) for rel, data in sorted(index.items())]
        files += handed
    return files, blocks, states
