"""Body rendering: each published item's Markdown → safe HTML and plain text, links resolved.

Relative links in a body may name a declared attachment (`附件1.xlsx`) or another item's file
(`../jiuzhu/dibao.md`); both become links to the output pages. Anything else relative is an error,
so no published page carries a broken internal link.

Bodies are keyed by item source and linked for the page in the default (Chinese) edition. Links to
other items hold in every edition (each edition mirrors the same folders), but attachments exist once,
under the default edition's folders: a body that links an attachment is therefore also rendered for
each further edition, keyed "<edition prefix><source>" (e.g. "ii/content/items/…/x.md"); see body_for.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Mapping, Sequence
from pathlib import Path

from .config import SiteConfig
from .content import Item
from .diagnostics import Diagnostic, error, warning
from .identity import Identities
from .markdown import RenderedMarkdown, render_markdown


def render_bodies(
    root: Path, published: Sequence[Item], ids: Identities, config: SiteConfig
) -> tuple[dict[str, RenderedMarkdown], list[Diagnostic]]:
    """Render every published item's body; returns source → rendered, and problems."""
    del root  # bodies depend only on the items, their identities and the editions
    prefixes = [f"{lang}/" for lang in config.languages[1:]]
    item_dir = {i.source: i for i in published}
    page_of = {
        i.source: f"{i.domain}/{ids.by_source[i.source].slug}.html" for i in published
    }
    unpublished = set(ids.by_source) - set(item_dir)
    out: dict[str, RenderedMarkdown] = {}
    problems: list[Diagnostic] = []
    for item in published:
        folder = posixpath.dirname(item.source)
        page = page_of[item.source]
        attachments = {a.file: a for a in item.attachments}
        slug = ids.by_source[item.source].slug
        link_problems: list[Diagnostic] = []
        linked_files: list[str] = []

        def rewrite(target: str, item=item, folder=folder, page=page, attachments=attachments, slug=slug, link_problems=link_problems, prefix="", linked_files=linked_files) -> str | None:
            path, _, anchor = target.partition("#")
            path = path.split("?", 1)[0]
            if path in attachments:
                linked_files.append(path)
                # from the page's folder <prefix><domain>/ to the shared folder <domain>/<slug>/
                href = f"{'../' * prefix.count('/')}../{item.domain}/{slug}/{path}" if prefix else f"{slug}/{path}"
                return href + (f"#{anchor}" if anchor else "")
            resolved = posixpath.normpath(posixpath.join(folder, path))
            if resolved in page_of:
                href = posixpath.relpath(page_of[resolved], posixpath.dirname(page))
                return href + (f"#{anchor}" if anchor else "")
            if resolved in unpublished:
                link_problems.append(
                    warning(item.source, _line_of(item, target), 1, "W225", f"链接的条目 {resolved} 尚未公开，链接已去掉", "等对方条目公开后再链接")
                )
                return ""
            link_problems.append(
                error(item.source, _line_of(item, target), 1, "E224", f"链接目标“{target}”不存在或未列为附件", "站内文件请写进 attachments 并只写文件名；站外网址请写完整的 https://…")
            )
            return ""

        rendered = render_markdown(item.body, path=item.source, line_offset=item.body_line, rewrite_link=rewrite)
        out[item.source] = rendered
        problems += rendered.problems
        problems += link_problems
        for prefix in prefixes if linked_files else ():
            quiet: list[Diagnostic] = []  # same body, same problems: reported once above
            out[prefix + item.source] = render_markdown(
                item.body, path=item.source, line_offset=item.body_line, rewrite_link=functools.partial(rewrite, prefix=prefix, link_problems=quiet)
            )
    return out, problems


def body_for(bodies: Mapping[str, RenderedMarkdown], source: str, prefix: str) -> RenderedMarkdown:
    """The body of `source` as linked for a page of the edition under `prefix` ("" = default)."""
    return bodies.get(prefix + source) or bodies[source]


def _line_of(item: Item, target: str) -> int:
    """File line of the first body line that mentions `target` (links are reported where written)."""
    for n, line in enumerate(item.body.split("\n"), start=item.body_line + 1):
        if target in line:
            return n
    return item.body_line + 1
