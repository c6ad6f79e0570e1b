"""Quick preview of one edited item: its own page, re-rendered at once, before the rebuild.

Like Hugo's fast render mode. When an editor saves one item, `sitegen serve` renders that item's
page from the previous build's site model with the new text and serves it, then patches its
document into the search index; the incremental build that follows redoes everything the edit
touches (lists, neighbours, feeds, search) and writes the same bytes for this page and index.
Only a plain edit qualifies: the item was published and still is, and what places it in the site
(domain, stage, dates, language, slug, 索引号, translation, related items, attachments) is
unchanged; anything else waits for the build. Nothing here writes files.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

from .bodies import Links
from .config import SiteConfig
from .content import load_item
from .diagnostics import has_errors
from .fonts import finish_page
from .gate import gate
from .identity import Identities
from .output import OutputFile
from .render import Renderer, render_item
from .search.index import SearchState, edit_document

PLACING_FIELDS = (
    "domain",
    "stage",
    "date",
    "written",
    "lang",
    "slug",
    "index_no",
    "translation_of",
    "related",
    "attachments",
    "draft",
    "disclosure",
)
"""Item fields that decide where the item appears; an edit of any of them needs the full build."""


@dataclass(frozen=True, slots=True)
class QuickKit:
    """What a successful build leaves for quick previews of its items."""

    root: Path
    """Site root."""
    config: SiteConfig
    """The site configuration the build used."""
    renderer: Renderer
    """The build's renderer (its site model, templates and rendered bodies)."""
    links: Links
    """How the build resolved links between items."""
    ids: Identities
    """索引号 and slugs of every item."""
    today: dt.date
    """The build's publishing date."""
    drafts: bool
    """Whether drafts were shown."""
    theme: Path
    """The theme folder (with its Yi font, pages showing Yi link the font's stylesheet)."""


@dataclass(frozen=True, slots=True)
class QuickEdit:
    """An edited item's new page, and its new text as the search index sees it."""

    page: OutputFile
    """The item page."""
    ref: str
    """The page's path relative to the edition root (its search document's ref)."""
    title: str
    """The new title."""
    body: str
    """The new body as plain text."""


def quick_edit(kit: QuickKit, rel: str) -> QuickEdit | None:
    """The page and search text of the item at `rel` (relative to the root) as saved, or None.

    None means "wait for the build": the item is new, broken, moved in the site, not published,
    or a translation.
    """
    edition = kit.renderer.site.default
    old = next((e for e in edition.entries if e.item.source == rel), None)
    identity = kit.ids.by_source.get(rel)
    if old is None or identity is None or old.translated or identity.translation_of:
        return None
    item, problems = load_item(kit.root, kit.root / rel, kit.config)
    if item is None or has_errors(problems):
        return None
    if any(getattr(item, f) != getattr(old.item, f) for f in PLACING_FIELDS):
        return None
    if not gate([item], {}, kit.today, drafts=kit.drafts).published:
        return None
    versions, link_problems, _ = kit.links.render(item, identity.slug)
    if has_errors([*versions[""].problems, *link_problems]):
        return None
    renderer = kit.renderer.with_bodies({prefix + rel: body for prefix, body in versions.items()})
    page = render_item(renderer, edition, replace(old, item=item, text=item))
    ref = old.path[len(edition.prefix) :]
    page, _ = finish_page(page, kit.theme)
    return QuickEdit(page, ref, item.title, versions[""].text)


def quick_search(state: SearchState, edit: QuickEdit) -> tuple[SearchState, list[OutputFile]]:
    """The default edition's search index with the edited item's document updated, and the index
    files that may have changed (search.index.edit_document: the same bytes a build writes)."""
    new_state, files = edit_document(state, edit.ref, edit.title, edit.body)
    # shards first, then the manifest that names them, then the document: once the document
    # shows the new text, the whole index does
    order = sorted(files, key=lambda rel: (rel.startswith("d/"), rel == "manifest.js", rel))
    return new_state, [OutputFile(f"search/{rel}", files[rel]) for rel in order]
