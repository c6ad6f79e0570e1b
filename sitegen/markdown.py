"""Render an item's Markdown body: safe HTML, plain text for search, its links, and diagnostics.

One module-level parser (CommonMark + tables + strikethrough, raw HTML off) serves every call;
each call gets a fresh env, so rendering is safe across threads and processes. Raw HTML in the
source is escaped and shown as text; links with script-capable schemes are never emitted.
Problems the renderer hides (raw HTML, unsafe links) are found by a second parse with HTML on
and every link accepted, run only when the source contains something that could need it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.common.normalize_url import normalizeLink
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

from .diagnostics import Diagnostic, error, warning
from .markdown_cjk import cjk_plugin
from .records import fast_pickle


@fast_pickle
@dataclass(frozen=True, slots=True)
class LinkRef:
    """One link or image written in the body."""

    target: str
    """The href/src as written (entities and escapes resolved, not percent-encoded)."""
    text: str
    """Plain link text, or the image's alt text."""
    line: int
    """1-based line in the source file (body line + line_offset)."""
    is_image: bool
    """True for an image `![alt](src)`, False for a link or autolink."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class RenderedMarkdown:
    """The result of rendering one Markdown body."""

    html: str
    """Safe HTML of the body (headings start at h2; raw HTML escaped)."""
    text: str
    """Plain text for the search index and snippets: no markup, one block per line."""
    links: tuple[LinkRef, ...]
    """Every link and image in source order (unsafe ones excluded)."""
    problems: tuple[Diagnostic, ...]
    """Diagnostics found while rendering, with path, line and column."""


_UNSAFE_SCHEME_RE = re.compile(r"(?:javascript|vbscript|data|file):", re.IGNORECASE)
# browsers trim controls/spaces and drop tabs/newlines inside URLs: ignore them all
_BLANKS_RE = re.compile(r"[\x00-\x20\x7f]+")
_SCHEME_RE = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
# Raw HTML (not an autolink), or a link that may use an unsafe scheme (maybe written with entities).
# Two patterns, the second searched in the lower-cased text: one pattern with IGNORECASE cannot skip
# ahead to a likely first character, and cost ~0.1 ms per body.
_AUDIT_TRIGGER_RE = re.compile(r"<(?![A-Za-z][A-Za-z0-9+.-]{1,31}:[^\s<>]*>)[A-Za-z/!?]|&#")
_AUDIT_SCHEME_RE = re.compile(r"(?:script|data|file)\s*[:&\\]")
# browsers also take an attribute right after "/" or a closing quote: <svg/onload=…>, <a b="x"onclick=…>
_DANGEROUS_HTML_RE = re.compile(
    r"<\s*/?\s*(?:script|iframe|object|embed|style)\b|<[^>]*[\s/\"']on\w+\s*=", re.IGNORECASE
)


_LINK_HINT = "只能链接 http(s) 网址或站内文件"
_IMAGE_HINT = "图片请放在条目文件旁边，用相对路径引用"
_HTML_HINT = "请用 Markdown 语法书写格式，如 **加粗**、[链接文字](地址)、表格"
_DANGER_HINT = "正文不能包含脚本、内嵌框架、样式或事件属性（on…=）；请删除这段 HTML"
_ALT_HINT = "请在 ![ ] 的方括号里写明图片内容，方便使用读屏软件的群众"


def unsafe_scheme(url: str) -> str | None:
    """The dangerous scheme `url` uses ("javascript:", "data:", ...), or None when it is safe."""
    match = _UNSAFE_SCHEME_RE.match(_BLANKS_RE.sub("", url))
    return match.group(0).lower() if match else None


def _is_relative(target: str) -> bool:
    return bool(target) and target[0] not in "#/" and not _SCHEME_RE.match(target)


class _Markdown(MarkdownIt):
    """Keeps link targets as written (render_markdown normalizes them) and refuses unsafe ones."""

    def normalizeLink(self, url: str) -> str:
        return url

    def validateLink(self, url: str) -> bool:
        return unsafe_scheme(url) is None


class _Audit(_Markdown):
    """Accepts every link, so unsafe ones show up as tokens to report."""

    def validateLink(self, url: str) -> bool:
        return True


def _shift_headings(state: StateCore) -> None:
    """Core rule: the page's h1 is the item title, so the body's top heading level renders as h2.

    Editors write `#` or `##` for the first level of their outline; either becomes h2, and deeper
    levels keep their distance from it (capped at h6), so headings never skip below the h1.
    """
    headings = [t for t in state.tokens if t.type in ("heading_open", "heading_close")]
    if not headings:
        return
    shift = 2 - min(int(t.tag[1]) for t in headings)
    for token in headings:
        token.tag = f"h{min(int(token.tag[1]) + shift, 6)}"


def _table_open(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return '<div class="table-wrap">\n' + self.renderToken(tokens, idx, options, env)


def _table_close(
    self: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    return self.renderToken(tokens, idx, options, env) + "</div>\n"


_md = (
    _Markdown("commonmark", {"html": False})
    .enable(["table", "strikethrough"])
    .disable(["html_block", "html_inline"])  # no-ops with html off, tried on every line (~4%)
    .use(cjk_plugin)
)
_md.core.ruler.push("shift_headings", _shift_headings)
_md.add_render_rule("table_open", _table_open)
_md.add_render_rule("table_close", _table_close)
_audit_md = _Audit("commonmark", {"html": True}).enable("table")
for _parser in (_md, _audit_md):  # compile the rule chains now, not racily on a first call
    _parser.parse("*warm* [up](x)\n\n| a |\n|---|\n| b |")


def _plain(tokens: list[Token] | None) -> str:
    """Text of inline tokens without markup (images give their alt text)."""
    parts: list[str] = []
    for token in tokens or ():
        if token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif token.type == "image":
            parts.append(_plain(token.children))
    return "".join(parts)


class _Walk:
    """One pass over the rendered token stream: links, plain text, per-call problems."""

    def __init__(
        self, source: str, path: str, line_offset: int, rewrite: Callable[[str], str | None] | None
    ) -> None:
        self.source, self.path, self.line_offset, self.rewrite = source, path, line_offset, rewrite
        self.links: list[LinkRef] = []
        self.problems: list[Diagnostic] = []
        self._lines: list[str] | None = None

    def col(self, line: int, needle: str) -> int:
        """Best-effort 1-based column of `needle` on file line `line` (1 when not found)."""
        if self._lines is None:
            self._lines = self.source.splitlines()
        i = line - self.line_offset - 1
        if needle and 0 <= i < len(self._lines):
            return self._lines[i].find(needle) + 1 or 1
        return 1

    def first_line(self, token: Token) -> int:
        """File line where a block token starts."""
        return self.line_offset + (token.map[0] if token.map else 0) + 1

    def blocks(self, tokens: list[Token]) -> str:
        """Rewrite links in place and return the plain text, one block (table row) a line."""
        lines: list[str] = []
        row: list[str] | None = None
        for token in tokens:
            if token.type == "inline":
                text = self.inline(token).strip()
                if row is not None:
                    row.append(text)
                else:
                    lines.append(text)
            elif token.type == "tr_open":
                row = []
            elif token.type == "tr_close" and row is not None:
                lines.append(" ".join(cell for cell in row if cell))
                row = None
            elif token.type in ("fence", "code_block"):
                lines.append(token.content.rstrip("\n"))
        return "\n".join(line for line in lines if line)

    def inline(self, block: Token) -> str:
        """Rewrite and collect the links of one inline block; return its plain text."""
        line = self.first_line(block)
        parts: list[str] = []
        link: tuple[int, int, str, int] | None = None  # (line, links index, target, parts index)
        for token in block.children or ():
            kind = token.type
            if kind in ("text", "code_inline"):
                parts.append(token.content)
                if token.markup == "\n":  # a soft break removed between CJK characters
                    line += 1
            elif kind in ("softbreak", "hardbreak"):
                parts.append(" ")
                line += 1
            elif kind == "link_open":
                link = (line, len(self.links), self.target(token, "href"), len(parts))
            elif kind == "link_close" and link is not None:
                at, index, target, start = link
                text = "".join(parts[start:]).strip()
                self.links.insert(index, LinkRef(target, text, at, False))
                link = None
            elif kind == "image":
                alt = _plain(token.children).strip()
                parts.append(alt)
                target = self.target(token, "src")
                self.links.append(LinkRef(target, alt, line, True))
                if not alt:
                    self.problems.append(
                        warning(
                            self.path,
                            line,
                            self.col(line, "!["),
                            "W213",
                            f"图片缺少替代文字（alt）：{target}",
                            _ALT_HINT,
                        )
                    )
        return "".join(parts)

    def target(self, token: Token, attr: str) -> str:
        """Set the output URL of a link/image token; return the target as written."""
        target = str(token.attrs.get(attr, ""))
        href = target
        if self.rewrite is not None and _is_relative(target):
            rewritten = self.rewrite(target)
            if rewritten is not None:
                href = rewritten
        href = normalizeLink(href)
        token.attrSet(attr, "" if unsafe_scheme(href) else href)
        return target

    def audit(self) -> None:
        """Report raw HTML and unsafe links, which the real render silently neutralises."""
        # one raw-HTML diagnostic per block: the first dangerous tag, else the first tag
        html_in: dict[int, tuple[bool, int, str]] = {}  # block -> (dangerous, line, snippet)

        def check_html(block: int, html: str, line: int) -> None:
            dangerous = bool(_DANGEROUS_HTML_RE.search(html))
            if block not in html_in or (dangerous and not html_in[block][0]):
                html_in[block] = (dangerous, line, html.strip().split("\n", 1)[0][:60])

        def check_url(url: str, line: int, is_image: bool) -> None:
            scheme = unsafe_scheme(url)
            if scheme is not None:
                what, hint = ("图片", _IMAGE_HINT) if is_image else ("链接", _LINK_HINT)
                message = f"{what}地址使用了不安全的协议 {scheme}"
                self.problems.append(
                    error(self.path, line, self.col(line, url), "E210", message, hint)
                )

        for block_no, block in enumerate(_audit_md.parse(self.source, {})):
            if block.type == "html_block":
                check_html(block_no, block.content, self.first_line(block))
            elif block.type == "inline":
                line = self.first_line(block)
                # tag-like text markdown-it does not take for HTML (<img src=x onerror=f('a')>):
                # escaped, so harmless, but the editor meant markup: report it like raw HTML
                text = "".join(
                    t.content if t.type == "text" else "\n" if t.type.endswith("break") else " "
                    for t in block.children or ()
                )
                found = _DANGEROUS_HTML_RE.search(text)
                if found:
                    at = line + text.count("\n", 0, found.start())
                    end = text.find(">", found.start()) + 1 or len(text)
                    check_html(block_no, text[found.start() : end], at)
                for token in block.children or ():
                    if token.type in ("softbreak", "hardbreak"):
                        line += 1
                    elif token.type == "html_inline":
                        check_html(block_no, token.content, line)
                        line += token.content.count("\n")
                    elif token.type == "link_open":
                        check_url(str(token.attrs.get("href", "")), line, False)
                    elif token.type == "image":
                        check_url(str(token.attrs.get("src", "")), line, True)

        for dangerous, line, snippet in html_in.values():
            col = self.col(line, snippet)
            if dangerous:
                message = f"危险的 HTML：{snippet}"
                self.problems.append(error(self.path, line, col, "E212", message, _DANGER_HINT))
            else:
                message = f"原始 HTML 不会被执行，将按文字显示：{snippet}"
                self.problems.append(warning(self.path, line, col, "W211", message, _HTML_HINT))


def render_markdown(
    source: str,
    *,
    path: str = "",
    line_offset: int = 0,
    rewrite_link: Callable[[str], str | None] | None = None,
) -> RenderedMarkdown:
    """Render a Markdown body (the file after its front matter) to safe HTML and plain text.

    `line_offset` is the number of file lines before the body, so reported lines point into the
    file. `rewrite_link(target)` is called for every relative link/image target (no scheme, not
    starting with `#` or `/`) and returns the href to use, or None to keep the target.
    """
    env: EnvType = {}
    tokens = _md.parse(source, env)
    walk = _Walk(source, path, line_offset, rewrite_link)
    text = walk.blocks(tokens)
    html = _md.renderer.render(tokens, _md.options, env)
    if _AUDIT_TRIGGER_RE.search(source) or _AUDIT_SCHEME_RE.search(source.lower()):
        walk.audit()
    problems = sorted(walk.problems, key=lambda d: (d.line, d.col, d.code))
    return RenderedMarkdown(html, text, tuple(walk.links), tuple(problems))
