"""Front-matter rebuilds: when the only change since the last build is what a few published items
say about themselves (title, issuing body, 文号, summary …), not where they are placed, re-render
just the pages that show them.

The companion of body_edit.py, which plans the rebuild (same conditions: every changed file is a
published item, its diagnostics and the site's other inputs are unchanged) and finds that some
items' front-matter changed. Their pages cannot be spliced; here:

1. The last full build's published items (without their bodies) and 索引号 come back from the
   model kit it left (`ModelKit`), the items edited since (the body-edit kit's `restated`, and
   those edited now) take their places, and the site model is built again.
   An edit that moves an item (quick.PLACING_FIELDS: domain, stage, dates, slug …) gives up: the
   normal build runs.
2. The pages that show an edited item (incremental.shown_entries: its own pages, its neighbours,
   related items, lists, the home page), the 政府信息公开 column's pages (their figures count
   issuing bodies) and the feeds are rendered again. A page re-rendered for a neighbour takes its
   body from the page as the last build wrote it (body_edit's spans).

build.py (`_body_edits`) then writes what changed, patches the search index as for a body edit,
and records the pages in the cache journal. The output is byte-identical to a full build's.
"""

from __future__ import annotations

import copyreg
import gc
import pickle
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, BinaryIO

from .body_edit import BodyEditKit, BodyEdits, EditionPages, body_span
from .cache import CACHE_DIR, FORMAT, UNREADABLE, cache_path, shape_digest
from .content import Item
from .feeds import feed_files
from .fonts import NO_YI, finish_page
from .i18n import load_translators
from .identity import Identities
from .incremental import shown_entries
from .markdown import RenderedMarkdown
from .model import Entry, build_site
from .output import OutputFile
from .pages import Page, PageBody
from .parallel import keep
from .portal import build_portal, portal_files
from .quick import PLACING_FIELDS
from .records import fast_pickle
from .render import Renderer, TemplateProblem, page_jobs


@fast_pickle
@dataclass(frozen=True, slots=True)
class ModelKit:
    """What the last build leaves to build its site model again without reading the content."""

    token: str
    """Pairs it with the body-edit kit that names it (BodyEditKit.model_token)."""
    items: tuple[Item, ...]
    """The published items in the order the model was built from (written and read without their
    bodies: `dump_model`)."""
    ids: Identities
    """索引号 and slugs of every item."""
    pages: tuple[Page, ...]
    """The 政府信息公开 column's published pages."""
    page_bodies: Mapping[str, PageBody]
    """Their rendered bodies."""


def model_path(root: Path, out: Path) -> Path:
    """Where the model kit of `out` lives (next to the build cache)."""
    return cache_path(root, out).with_suffix(".model")


def make_model(
    token: str,
    published: tuple[Item, ...] | list[Item],
    ids: Identities,
    pages: tuple[Page, ...],
    page_bodies: Mapping[str, PageBody],
) -> ModelKit:
    """The model kit of a build."""
    return ModelKit(token, tuple(published), ids, pages, dict(page_bodies))


def dump_model(model: ModelKit, file: BinaryIO) -> None:
    """Serialise a model kit (for output.CacheWriter), its items without their bodies."""
    pickler = pickle.Pickler(file, protocol=5)
    pickler.dispatch_table = copyreg.dispatch_table | {Item: _reduce_bodiless}  # type: ignore[attr-defined]
    pickler.dump((FORMAT, model))


_BODY = [f.name for f in fields(Item)].index("body")


def _reduce_bodiless(item: Item) -> tuple[Callable[[tuple[Any, ...]], Item], tuple[Any, ...]]:
    """How `dump_model` pickles an item: its fields but the body (fast_pickle's state)."""
    state = item.__getstate__()  # type: ignore[attr-defined]
    return _bodiless, (state[:_BODY] + state[_BODY + 1 :],)


def _bodiless(values: tuple[Any, ...]) -> Item:
    """An item from `_reduce_bodiless`'s fields, with an empty body."""
    item = object.__new__(Item)
    item.__setstate__((*values[:_BODY], "", *values[_BODY:]))  # type: ignore[attr-defined]
    return item


def load_model(root: Path, out: Path, token: str) -> ModelKit | None:
    """The model kit of `out` named `token`, or None."""
    gc.disable()  # loading creates many objects and frees none
    try:
        with model_path(root, out).open("rb") as f:
            fmt, model = pickle.load(f)
    except UNREADABLE:
        return None
    finally:
        gc.enable()
    if fmt != FORMAT or not isinstance(model, ModelKit) or model.token != token:
        return None
    return model


def placed_alike(old: Item, new: Item) -> bool:
    """Whether `new` sits where `old` did in every list, feed and edition."""
    return all(getattr(old, name) == getattr(new, name) for name in PLACING_FIELDS)


def rerender(
    edits: BodyEdits, root: Path, out: Path
) -> tuple[list[OutputFile], BodyEditKit] | None:
    """The pages, column pages and feeds the edited items show in, rendered again, and the kit
    for the next rebuild; None when an item moved, a page is not as the kit describes it, or a
    page would show other Yi characters."""
    kit = edits.kit
    model = load_model(root, out, kit.model_token)
    if model is None:
        return None
    keep()  # the model lives until the end
    edited = {item.source: _slim(item) for item in edits.items}
    restated = {**kit.restated, **edited}
    old = {s: kit.restated.get(s, i) for i in model.items if (s := i.source) in edited}
    if old.keys() != edited.keys() or not all(placed_alike(old[s], edited[s]) for s in edited):
        return None
    config = edits.config
    site = build_site(config, [restated.get(i.source, i) for i in model.items], model.ids)
    portal = build_portal(site, model.pages, model.page_bodies, kit.today)
    translators, _ = load_translators(root, config.languages)  # (its warnings are the stamp's)
    if translators is None:
        return None

    jobs = [
        job
        for job in page_jobs(site)
        if any(e is not None and _shows(e, edited) for e in shown_entries(job, site))
    ]
    where = {path: (e, n) for e in kit.editions for n, path in enumerate(e.paths)}
    bodies = _bodies(edits, [job.path for job in jobs if job.path in where], where, out)
    if bodies is None:
        return None
    theme = root / "themes" / config.theme
    renderer = Renderer(
        site,
        theme,
        translators,
        bodies,
        template_globals={"portal": portal},
        compiled=root / CACHE_DIR,
    )
    try:
        pages = [job.render(renderer) for job in jobs] + list(portal_files(renderer, portal))
    except TemplateProblem:
        return None  # the normal build reports it

    files: list[OutputFile] = []
    spans = {e.prefix: list(e.spans) for e in kit.editions}
    for page in pages:
        page, yi = finish_page(page, theme)
        if yi != kit.yi.get(page.path, NO_YI):
            return None  # the Yi font subset would change
        if page.path in where:
            edition, n = where[page.path]
            html = bodies[edition.prefix + edition.sources[n]].html
            spans[edition.prefix][n] = body_span(page, html)
        files.append(page)
    files += feed_files(site, extra_paths=portal.paths)
    shapes = dict(kit.shapes) | {s: shape_digest(item) for s, item in edited.items()}
    editions = tuple(replace(e, spans=tuple(spans[e.prefix])) for e in kit.editions)
    kit = replace(kit, tree=edits.tree, editions=editions, shapes=shapes, restated=restated)
    return files, kit


def _shows(entry: Entry, edited: Mapping[str, Item]) -> bool:
    return entry.item.source in edited or entry.text.source in edited


def _bodies(
    edits: BodyEdits,
    paths: list[str],
    where: Mapping[str, tuple[EditionPages, int]],
    out: Path,
) -> dict[str, RenderedMarkdown] | None:
    """The body of every item page in `paths`, keyed as render.render_item looks it up (edition
    prefix + source of the text shown): an edited item's new body, any other's as its page shows
    it now (None when it cannot be found there)."""
    bodies: dict[str, RenderedMarkdown] = {}
    for item, versions, pages in zip(edits.items, edits.bodies, edits.pages, strict=True):
        for page in pages:
            bodies[page.prefix + item.source] = versions.get(page.prefix) or versions[""]
    for path in paths:
        edition, n = where[path]
        key, span = edition.prefix + edition.sources[n], edition.spans[n]
        if key in bodies:
            continue
        if span is None:
            return None
        start, end, size = span
        try:
            data = (out / path).read_bytes()
        except OSError:
            return None
        if len(data) != size:
            return None
        bodies[key] = RenderedMarkdown(data[start:end].decode(), "", (), ())
    return bodies


def _slim(item: Item) -> Item:
    return replace(item, body="") if item.body else item


__all__ = ["ModelKit", "dump_model", "make_model", "model_path", "placed_alike", "rerender"]
