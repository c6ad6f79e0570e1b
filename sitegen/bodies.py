"""Body rendering: each published item's Markdown → safe HTML and plain text, links resolved.

Relative links in a body may name a declared attachment (`附件1.xlsx`) or another item's file
(`../jiuzhu/dibao.md`); both become links to the output pages. Anything else relative is an error,
so no published page carries a broken internal link.
"""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .content import Item
from .diagnostics import Diagnostic, error, warning
from .identity import Identities
from .markdown import RenderedMarkdown, render_markdown
from .parallel import pmap


def render_bodies(
    root: Path, published: Sequence[Item], ids: Identities, config: SiteConfig
) -> tuple[dict[str, RenderedMarkdown], list[Diagnostic]]:
    """Render every published item's body; returns source → rendered, and problems."""
    del root, config  # bodies depend only on the items and their identities
    page_of = {i.source: f"{i.domain}/{ids.by_source[i.source].slug}.html" for i in published}
    unpublished = frozenset(ids.by_source) - frozenset(page_of)
    links = Links(page_of, unpublished)
    results = pmap(lambda item: links.render(item, ids.by_source[item.source].slug), published)
    out = {item.source: rendered for item, (rendered, _, _) in zip(published, results, strict=True)}
    problems = [d for rendered, link_problems, _ in results for d in (*rendered.problems, *link_problems)]
    return out, problems


@dataclass(frozen=True, slots=True)
class Links:
    """Resolves relative links in bodies against the published pages."""

    page_of: dict[str, str]
    """Item source → output path of its page."""
    unpublished: frozenset[str]
    """Sources of items that exist but are not published."""

    def resolve(self, item: Item, slug: str, target: str) -> tuple[str, Diagnostic | None]:
        """Where a relative link in `item`'s body goes ("" = nowhere) and the problem, if any."""
        path, _, anchor = target.partition("#")
        path = path.split("?", 1)[0]
        suffix = f"#{anchor}" if anchor else ""
        if path in {a.file for a in item.attachments}:
            return f"{slug}/{path}{suffix}", None
        folder = posixpath.dirname(item.source)
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved in self.page_of:
            page_dir = posixpath.dirname(self.page_of[item.source])
            return posixpath.relpath(self.page_of[resolved], page_dir) + suffix, None
        line = _line_of(item, target)
        if resolved in self.unpublished:
            return "", warning(item.source, line, 1, "W225", f"链接的条目 {resolved} 尚未公开，链接已去掉", "等对方条目公开后再链接")
        return "", error(
            item.source,
            line,
            1,
            "E224",
            f"链接目标“{target}”不存在或未列为附件",
            "站内文件请写进 attachments 并只写文件名；站外网址请写完整的 https://…",
        )

    def render(self, item: Item, slug: str) -> tuple[RenderedMarkdown, list[Diagnostic], tuple[tuple[str, str], ...]]:
        """One body, the problems with its links, and how each link resolved."""
        problems: list[Diagnostic] = []
        resolutions: list[tuple[str, str]] = []

        def rewrite(target: str) -> str | None:
            href, problem = self.resolve(item, slug, target)
            resolutions.append((target, href))
            if problem is not None:
                problems.append(problem)
            return href

        rendered = render_markdown(item.body, path=item.source, line_offset=item.body_line, rewrite_link=rewrite)
        return rendered, problems, tuple(resolutions)

    def still_resolves(self, item: Item, slug: str, resolutions: tuple[tuple[str, str], ...]) -> bool:
        """True when every link recorded at the last render still goes to the same place."""
        return all(self.resolve(item, slug, target)[0] == href for target, href in resolutions)


def _line_of(item: Item, target: str) -> int:
    """File line of the first body line that mentions `target` (links are reported where written)."""
    for n, line in enumerate(item.body.split("\n"), start=item.body_line + 1):
        if target in line:
            return n
    return item.body_line + 1
