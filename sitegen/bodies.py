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

import posixpath
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from .config import SiteConfig
from .content import Item
from .diagnostics import Diagnostic, error, warning
from .identity import Identities
from .markdown import RenderedMarkdown, render_markdown
from .parallel import pmap
from .records import fast_pickle


def render_bodies(
    root: Path, published: Sequence[Item], ids: Identities, config: SiteConfig
) -> tuple[dict[str, RenderedMarkdown], list[Diagnostic]]:
    """Render every published item's body; returns source → rendered, and problems."""
    del root
    links = Links.for_site(published, ids, config)
    results = pmap(lambda item: links.render(item, ids.by_source[item.source].slug), published)
    out: dict[str, RenderedMarkdown] = {}
    problems: list[Diagnostic] = []
    for item, (versions, link_problems, _) in zip(published, results, strict=True):
        out.update({prefix + item.source: rendered for prefix, rendered in versions.items()})
        problems += [*versions[""].problems, *link_problems]
    return out, problems


@fast_pickle
@dataclass(frozen=True, slots=True)
class Links:
    """Resolves relative links in bodies against the published pages."""

    page_of: dict[str, str]
    """Item source → output path of its page."""
    unpublished: frozenset[str]
    """Sources of items that exist but are not published."""
    prefixes: tuple[str, ...]
    """Output folders of the further editions ("ii/"), whose pages link attachments differently."""

    @classmethod
    def for_site(cls, published: Sequence[Item], ids: Identities, config: SiteConfig) -> Links:
        """The link resolver for the published items of a site."""
        page_of = {i.source: f"{i.domain}/{ids.by_source[i.source].slug}.html" for i in published}
        prefixes = tuple(f"{lang}/" for lang in config.languages[1:])
        return cls(page_of, frozenset(ids.by_source) - frozenset(page_of), prefixes)

    def resolve(
        self, item: Item, slug: str, target: str, prefix: str = ""
    ) -> tuple[str, Diagnostic | None]:
        """Where a relative link in `item`'s body goes ("" = nowhere) and the problem, if any.

        `prefix` is the edition folder of the page the body appears on ("" or "ii/").
        """
        path, _, anchor = target.partition("#")
        path = path.split("?", 1)[0]
        suffix = f"#{anchor}" if anchor else ""
        if path in {a.file for a in item.attachments}:
            if prefix:  # from <prefix><domain>/ up to the shared <domain>/<slug>/ folder
                return f"{'../' * prefix.count('/')}../{item.domain}/{slug}/{path}{suffix}", None
            return f"{slug}/{path}{suffix}", None
        folder = posixpath.dirname(item.source)
        resolved = posixpath.normpath(posixpath.join(folder, path))
        if resolved in self.page_of:
            page_dir = posixpath.dirname(self.page_of[item.source])
            return posixpath.relpath(self.page_of[resolved], page_dir) + suffix, None
        line = _line_of(item, target)
        if resolved in self.unpublished:
            return "", warning(
                item.source,
                line,
                1,
                "W225",
                f"链接的条目 {resolved} 尚未公开，链接已去掉",
                "等对方条目公开后再链接",
            )
        return "", error(
            item.source,
            line,
            1,
            "E224",
            f"链接目标“{target}”不存在或未列为附件",
            "站内文件请写进 attachments 并只写文件名；站外网址请写完整的 https://…",
        )

    def render(
        self, item: Item, slug: str
    ) -> tuple[dict[str, RenderedMarkdown], list[Diagnostic], tuple[tuple[str, str], ...]]:
        """One body (edition prefix → rendering), the problems with its links, and how each resolved.

        The "" rendering is always there; others only when the body links an attachment.
        """
        problems: list[Diagnostic] = []
        resolutions: list[tuple[str, str]] = []
        linked_files = False

        def rewrite(target: str) -> str | None:
            nonlocal linked_files
            href, problem = self.resolve(item, slug, target)
            resolutions.append((target, href))
            linked_files = linked_files or href.startswith(f"{slug}/")
            if problem is not None:
                problems.append(problem)
            return href

        versions = {
            "": render_markdown(
                item.body, path=item.source, line_offset=item.body_line, rewrite_link=rewrite
            )
        }
        for prefix in self.prefixes if linked_files else ():
            versions[prefix] = render_markdown(
                item.body,
                path=item.source,
                line_offset=item.body_line,
                rewrite_link=lambda target, prefix=prefix: self.resolve(item, slug, target, prefix)[
                    0
                ],
            )
        return versions, problems, tuple(resolutions)

    def still_resolves(
        self, item: Item, slug: str, resolutions: tuple[tuple[str, str], ...]
    ) -> bool:
        """True when every link recorded at the last render still goes to the same place."""
        return all(self.resolve(item, slug, target)[0] == href for target, href in resolutions)


def body_for(bodies: Mapping[str, RenderedMarkdown], source: str, prefix: str) -> RenderedMarkdown:
    """The body of `source` as linked for a page of the edition under `prefix` ("" = default)."""
    return bodies.get(prefix + source) or bodies[source]


def _line_of(item: Item, target: str) -> int:
    """File line of the first body line that mentions `target` (links are reported where written)."""
    for n, line in enumerate(item.body.split("\n"), start=item.body_line + 1):
        if target in line:
            return n
    return item.body_line + 1
