"""Tests for sitegen.markdown: fixtures (markdown-it-py test_port style), API, diagnostics, safety."""

from __future__ import annotations

import dataclasses
import re
from concurrent.futures import ThreadPoolExecutor
from html.parser import HTMLParser
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from sitegen.diagnostics import Severity
from sitegen.markdown import LinkRef, RenderedMarkdown, render_markdown, unsafe_scheme
from sitegen.markdown_cjk import cjk_plugin, is_cjk, joins_without_space

FIXTURES = Path(__file__).parent / "fixtures" / "markdown"


def read_fixtures(path: Path) -> list[tuple[int, str, str, str]]:
    """(line, title, input, expected) for each `title / . / input / . / expected / .` case."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases: list[tuple[int, str, str, str]] = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title, start = lines[i], i + 1
        assert lines[i + 1] == ".", f"{path.name}:{i + 2}: expected '.' after the title"
        parts: list[list[str]] = [[], []]
        i += 2
        for part in parts:
            while lines[i] != ".":
                part.append(lines[i])
                i += 1
            i += 1
        cases.append((start, title, "\n".join(parts[0]) + "\n", "\n".join(parts[1])))
    return cases


CASES = [
    pytest.param(source, expected, id=f"{path.stem}:{line}:{title}")
    for path in sorted(FIXTURES.glob("*.txt"))
    for line, title, source, expected in read_fixtures(path)
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_fixture(source: str, expected: str) -> None:
    assert render_markdown(source).html.rstrip("\n") == expected


def test_fixture_count() -> None:
    assert len(CASES) >= 80


# --- API ---------------------------------------------------------------------------------------


def test_result_types_are_frozen_slotted_dataclasses() -> None:
    result = render_markdown("[a](b.pdf)")
    assert isinstance(result, RenderedMarkdown)
    assert isinstance(result.links, tuple) and isinstance(result.problems, tuple)
    for obj in (result, result.links[0]):
        assert not hasattr(obj, "__dict__")
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.text = "x"  # type: ignore[misc]


def test_links_with_lines_text_and_kind() -> None:
    source = (
        "第一段[附件](附件.xlsx)\n"  # line 1
        "第二行\n"
        "第三行[下一条](../b/item.md)\n"  # line 3 (soft breaks removed, still counted)
        "\n"
        "- 列表 ![县城全景](img/全景.jpg)\n"  # line 5
        "\n"
        "| 名称 | 链接 |\n"
        "|---|---|\n"
        "| 网站 | <https://www.gov.cn> |\n"  # line 9
        "\n"
        "[![二维码](qr.png)](https://example.gov.cn/a)\n"  # line 11
    )
    result = render_markdown(source, line_offset=10)
    assert result.links == (
        LinkRef("附件.xlsx", "附件", 11, False),
        LinkRef("../b/item.md", "下一条", 13, False),
        LinkRef("img/全景.jpg", "县城全景", 15, True),
        LinkRef("https://www.gov.cn", "https://www.gov.cn", 19, False),
        LinkRef("https://example.gov.cn/a", "二维码", 21, False),
        LinkRef("qr.png", "二维码", 21, True),
    )


def test_link_target_is_as_written_with_entities_and_escapes_resolved() -> None:
    result = render_markdown("[a](a&amp;b\\(1\\).pdf) [b](<有 空格.pdf>)")
    assert [link.target for link in result.links] == ["a&b(1).pdf", "有 空格.pdf"]
    assert 'href="a&amp;b(1).pdf"' in result.html
    assert 'href="%E6%9C%89%20%E7%A9%BA%E6%A0%BC.pdf"' in result.html


def test_rewrite_link_only_for_relative_targets() -> None:
    seen: list[str] = []

    def rewrite(target: str) -> str | None:
        seen.append(target)
        if target == "empty.pdf":
            return ""
        return None if target == "keep.pdf" else "社会救助/dibao/" + target

    source = (
        "[a](附件.xlsx) [b](keep.pdf) [c](https://x.cn/a) [d](#top) [e](/abs.html) "
        "[f](mailto:a@b.cn) [g](//cdn.cn/x) ![h](图.png) [i](../other/item.md) [j](empty.pdf)"
    )
    html = render_markdown(source, rewrite_link=rewrite).html
    assert seen == ["附件.xlsx", "keep.pdf", "图.png", "../other/item.md", "empty.pdf"]
    assert 'href="%E7%A4%BE%E4%BC%9A%E6%95%91%E5%8A%A9/dibao/%E9%99%84%E4%BB%B6.xlsx"' in html
    assert 'href="keep.pdf"' in html and '<a href="">j</a>' in html
    assert 'src="%E7%A4%BE%E4%BC%9A%E6%95%91%E5%8A%A9/dibao/%E5%9B%BE.png"' in html
    assert 'href="https://x.cn/a"' in html and 'href="#top"' in html


def test_rewrite_link_cannot_smuggle_an_unsafe_url() -> None:
    html = render_markdown("[a](x.md)", rewrite_link=lambda _: "javascript:alert(1)").html
    assert "javascript" not in html


def test_plain_text() -> None:
    source = (
        "# 关于**调整**标准的通知\n\n"
        "现将有关事项\n通知如下：&lt;见附件&gt; &amp; `代码` [链接文字](a.pdf)。\n\n"
        "Latin\nwords  \nhard\n\n"
        "![图片说明](a.png)\n\n"
        "| 乡镇 | 户数 |\n|---|---|\n| 城关镇 | 120 |\n\n"
        "```\nfenced code\n```\n\n"
        "<b>原始</b>\n"
    )
    assert render_markdown(source).text == (
        "关于调整标准的通知\n"
        "现将有关事项通知如下：<见附件> & 代码 链接文字。\n"
        "Latin words hard\n"
        "图片说明\n"
        "乡镇 户数\n"
        "城关镇 120\n"
        "fenced code\n"
        "<b>原始</b>"
    )


def test_empty_source() -> None:
    assert render_markdown("") == RenderedMarkdown("", "", (), ())


# --- diagnostics -------------------------------------------------------------------------------


def codes(source: str, **kwargs: int) -> list[tuple[str, int, int]]:
    result = render_markdown(source, path="content/items/a.md", **kwargs)
    assert all(d.path == "content/items/a.md" for d in result.problems)
    return [(d.code, d.line, d.col) for d in result.problems]


@pytest.mark.parametrize(
    ("source", "scheme"),
    [
        ("[点击](javascript:alert(1))", "javascript:"),
        ("[点击](JavaScript:alert(1))", "javascript:"),
        ("[点击](&#106;avascript:alert(1))", "javascript:"),
        ("[点击](javascript&colon;alert(1))", "javascript:"),
        ("[点击](javascript\\:alert(1))", "javascript:"),
        ("[点击](vbscript:msgbox)", "vbscript:"),
        ("[文件](file:///C:/a.txt)", "file:"),
        ("[x](data:text/html,hi)", "data:"),
        ("![图](data:image/png;base64,iVBORw0KGgo=)", "data:"),
        ("<javascript:alert(1)>", "javascript:"),
    ],
)
def test_unsafe_link_is_error_e210(source: str, scheme: str) -> None:
    result = render_markdown("正文\n\n" + source, path="a.md", line_offset=5)
    [problem] = result.problems
    assert (problem.code, problem.line, problem.severity) == ("E210", 8, Severity.ERROR)
    assert problem.message.endswith(f"使用了不安全的协议 {scheme}")
    assert problem.hint
    assert "<a " not in result.html and "<img" not in result.html
    assert result.links == ()


def test_e210_column_and_reference_use() -> None:
    assert codes("一二 [点击](javascript:void(0))") == [("E210", 1, 9)]
    assert codes("第一行\n\n[点击][x]\n\n[x]: javascript:alert(1)\n") == [("E210", 3, 1)]


def test_raw_html_is_warning_w211() -> None:
    result = render_markdown(
        "第一段<span>文字</span>\n\n<div>\n块\n</div>\n", path="a.md", line_offset=2
    )
    assert [(d.code, d.line, d.col, d.severity) for d in result.problems] == [
        ("W211", 3, 4, Severity.WARNING),
        ("W211", 5, 1, Severity.WARNING),
    ]
    assert result.problems[0].message == "原始 HTML 不会被执行，将按文字显示：<span>"
    assert result.problems[0].hint.startswith("请用 Markdown 语法")


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        "<SCRIPT src=x></SCRIPT>",
        '<iframe src="https://x.cn"></iframe>',
        '<object data="x.swf"></object>',
        '<embed src="x.swf">',
        "<style>body{display:none}</style>",
        "<img src=x onerror=alert(1)>",
        '<a href="#" onClick = "x()">点</a>',
        "<div\nonmouseover='x()'>悬停</div>",
    ],
)
def test_dangerous_html_is_error_e212(html: str) -> None:
    for source in (html, f"文字 {html} 文字"):
        result = render_markdown(source, path="a.md")
        assert [d.code for d in result.problems] == ["E212"], source
        assert result.problems[0].is_error
        assert result.problems[0].message.startswith("危险的 HTML")


def test_one_html_diagnostic_per_block_worst_wins() -> None:
    source = "<b>粗</b> <i>斜</i>\n文字 <img src=x onerror=y> <br>\n\n<u>下划线</u>"
    assert codes(source) == [("E212", 2, 4), ("W211", 4, 1)]


def test_html_in_code_is_not_reported() -> None:
    source = (
        "`<script>` 和 `[a](javascript:x)`\n\n```html\n<iframe></iframe>\n```\n\n    <b>x</b>\n"
    )
    assert codes(source) == []


def test_autolinks_and_entities_are_not_html() -> None:
    assert codes("<https://www.gov.cn> <xxgk@example.gov.cn> &lt;b&gt; a < b > c") == []


def test_image_without_alt_is_warning_w213() -> None:
    result = render_markdown("正文\n\n图片 ![](a.png) 和 ![ ](b.png)\n", path="a.md", line_offset=4)
    assert [(d.code, d.line, d.col, d.is_error) for d in result.problems] == [
        ("W213", 7, 4, False),
        ("W213", 7, 4, False),
    ]
    assert "a.png" in result.problems[0].message and "替代文字" in result.problems[0].message
    assert codes("![全景](a.png)") == []


def test_diagnostics_in_source_order() -> None:
    source = "![](a.png)\n\n<b>x</b>\n\n[a](javascript:x)\n"
    assert [c for c, _, _ in codes(source)] == ["W213", "W211", "E210"]


# --- CJK helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ch", ["中", "。", "，", "：", "“", "ꆈ", "꒐", "あ", "カ", "한", "１", "𠀀"]
)
def test_is_cjk(ch: str) -> None:
    expected = ch != "“"  # curly quotes are East Asian Width "ambiguous": not CJK
    assert is_cjk(ch) is expected


def test_joins_without_space() -> None:
    assert joins_without_space("中") and joins_without_space("，") and joins_without_space("ꆈ")
    assert not joins_without_space("한") and not joins_without_space("a")
    assert not joins_without_space("")


def _emphasis_only(cjk: bool) -> MarkdownIt:
    md = MarkdownIt("commonmark").enable("strikethrough")
    return md.use(cjk_plugin) if cjk else md


_STOCK, _CJK = _emphasis_only(False), _emphasis_only(True)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet="*_~ ab1.,\"'()!-\n\\`$é—“”", max_size=30))
def test_non_cjk_emphasis_is_commonmark(source: str) -> None:
    assert _CJK.render(source) == _STOCK.render(source)


# --- safety ------------------------------------------------------------------------------------

_FRAGMENTS = [
    "<script>",
    "</script>",
    "<SCRIPT>",
    "<img src=x onerror=alert(1)>",
    '<a href="javascript:alert(1)">',
    "<iframe src=x>",
    "<style>",
    "<svg onload=alert(1)>",
    " onclick=",
    "onmouseover=",
    "javascript:",
    "JaVaScRiPt:",
    "vbscript:",
    "data:text/html,",
    "data:image/png;base64,AA",
    "file:///",
    "&#106;",
    "&colon;",
    "&#x3A;",
    "&lt;",
    "[x](",
    "](",
    "![",
    "]",
    "(",
    ")",
    "<",
    ">",
    '"',
    "'",
    "`",
    "*",
    "\n",
    "\n\n",
    "\t",
    " ",
    "|",
    "\n|---|\n",
    "[r]: ",
    "[r]",
    "中文",
    "\\",
    "alert(1)",
]
_UNSAFE_TAGS = {"script", "iframe", "object", "embed", "style", "svg", "math", "base", "form"}


class _LiveMarkup(HTMLParser):
    """Collects what a browser would treat as markup: tags, attributes, URLs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _UNSAFE_TAGS:
            self.bad.append(tag)
        for name, value in attrs:
            if name.startswith("on"):
                self.bad.append(name)
            if name in ("href", "src") and unsafe_scheme(value or ""):
                self.bad.append(f"{name}={value}")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(_FRAGMENTS) | st.text(max_size=3), max_size=40).map("".join))
@example("![<img src=x onerror=alert(1)>]()")  # the text "onerror=" inside alt="…" is harmless
def test_no_live_dangerous_markup(source: str) -> None:
    result = render_markdown(source, rewrite_link=lambda t: None)
    html = result.html
    parser = _LiveMarkup()
    parser.feed(html)
    parser.close()
    assert parser.bad == []
    assert "<script" not in html.lower() and "<iframe" not in html.lower()
    tags_outside_values = re.sub(r'"[^"]*"', '""', html)  # the renderer always quotes with "
    assert not re.search(r"<[^>]*\son\w+\s*=", tags_outside_values, re.IGNORECASE)
    assert not re.search(r"(?:href|src)=\"\s*(?:javascript|vbscript|data|file):", html, re.I)
    assert all(unsafe_scheme(link.target) is None for link in result.links)


# --- concurrency -------------------------------------------------------------------------------


def test_thread_safe() -> None:
    docs = [
        f"# 第{i}条\n\n**通知：**请注意\n第{i}行\n\n[附件{i}](附件{i}.xlsx) <b>{i}</b>\n"
        for i in range(200)
    ]

    def render(doc: str) -> RenderedMarkdown:
        return render_markdown(doc, path=doc[:6], rewrite_link=lambda t: "out/" + t)

    serial = [render(doc) for doc in docs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(render, docs)) == serial
