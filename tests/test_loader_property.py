"""Property: whatever an item file holds, loading and rendering it gives items or diagnostics.

Random front-matter (known and unknown keys, Chinese aliases, weird YAML: anchors, tags, flow and
block collections, huge numbers, unicode, control characters) and random Markdown go through the
real stages: content.load_item on a file, identity.assign, checks.check_items, gate, and
bodies.render_bodies (and markdown.render_markdown). None of them may raise.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from sitegen import bodies, checks, yamlfile
from sitegen.config import SiteConfig, load_config
from sitegen.content import ALIAS_TO_FIELD, FIELD_ALIASES, load_item
from sitegen.diagnostics import Diagnostic
from sitegen.gate import gate
from sitegen.identity import assign
from sitegen.markdown import render_markdown

REPO = Path(__file__).resolve().parents[1]
TODAY = dt.date(2025, 12, 31)
CODE_RE = re.compile(r"^[EW]\d{3}$")


@pytest.fixture(scope="module")
def site() -> Iterator[tuple[Path, SiteConfig]]:
    root = Path(tempfile.mkdtemp(prefix="sitegen-prop-"))
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "themes", root / "themes")
    folder = root / "content" / "items" / "shehui-jiuzhu"
    folder.mkdir(parents=True)
    (folder / "名单.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "a.txt").write_text("附件", encoding="utf-8")
    (folder / "sub").mkdir()
    config, problems = load_config(root)
    assert config is not None, problems
    yield root, config
    shutil.rmtree(root, ignore_errors=True)


# ---- strategies -------------------------------------------------------------------------------

KEYS = sorted(FIELD_ALIASES) + sorted(ALIAS_TO_FIELD)
VALUES = [
    "关于调整2024年城乡居民最低生活保障标准的通知",
    "社会救助",
    "shehui-jiuzhu",
    "结果",
    "结果公开",
    "2024-06-05",
    "2024-02-30",
    "2024年6月5日",
    "0000-01-01",
    "9999-12-31",
    "县民政局",
    "11513400MB0000102B/2024-00001",
    "11513400MB0000102B/2024-00001 ",
    "依申请公开",
    "废止",
    "名单.pdf",
    "a.txt",
    "sub",
    "../../etc/passwd",
    "/etc/passwd",
    "C:\\x",
    "x.md",
    "index",
    "jieguo",
    "dibao-2024",
    "ii",
    "513434198506120021",
    "139****5678",
    "<script>alert(1)</script>",
    "javascript:alert(1)",
    "\x00",
    "\u202e",
    "\ufeff",
    "a" * 300,
]
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**60)
    | st.floats()
    | st.text(max_size=15)
    | st.sampled_from(VALUES)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["status", "date", "file", "title"]) | st.text(max_size=4),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
front_dicts = st.dictionaries(
    st.sampled_from(KEYS) | st.text(min_size=1, max_size=8), values, max_size=10
)

RAW_LINES = [
    "title: *alias",
    "a: &anchor [1, 2]",
    "b: *anchor",
    "title: &x [*x]",
    "title: !!binary aGk=",
    "title: !!int x",
    "title: !!float 1e9999",
    "title: !!timestamp 2024-02-30",
    "title: !!set {a, b}",
    "title: !!python/object:os.system x",
    "title: !custom x",
    "? [a, b]",
    ": c",
    "{a: 1}: 2",
    'title: "unterminated',
    "title: 'it''s'",
    'title: "\\x01\\ud800"',
    'title: "\\x07"',
    "\t- tab",
    "标题：全角冒号",
    "\u3000title: 全角空格",
    "- - - nested",
    "[[[[",
    "}}}",
    "title: |",
    "  literal",
    " bad indent",
    "title: >-",
    "%YAML 1.1",
    "--- ",
    "...",
    "# comment",
    "date: 2024-06-05",
    "domain: 社会救助",
    "stage: 结果",
    "department: 县民政局",
    "attachments:",
    "  - file: 名单.pdf",
    "  - file: 名单.pdf",
    "  - ../x",
    "validity: {status: 废止, date: 2024-13-01}",
    "title: " + "9" * 5000,
    "title: " + "[" * 200 + "]" * 200,
]
VALID = {
    "title": "关于调整标准的通知",
    "domain": "社会救助",
    "stage": "结果",
    "date": "2024-06-05",
    "department": "县民政局",
}
raw_front = st.lists(st.sampled_from(RAW_LINES) | st.text(max_size=20), max_size=12).map("\n".join)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    kind = min(draw(st.integers(0, 5)), 3)
    if kind == 1:
        return draw(raw_front)
    data = draw(front_dicts)
    if kind == 3:  # a valid item with a few random changes: exercises identity and bodies
        data = {**VALID, **draw(st.dictionaries(st.sampled_from(KEYS), values, max_size=2))}
    try:
        text = yaml.safe_dump(
            data,
            allow_unicode=True,
            default_flow_style=draw(st.booleans()),
            width=draw(st.sampled_from([20, 80, 10**6])),
        )
    except (yaml.YAMLError, ValueError):
        text = ""
    if kind == 2:
        text += draw(raw_front)
    return text


MD_FRAGMENTS = [
    "# 标题\n",
    "[附件](名单.pdf)",
    "[x](a.txt#p)",
    "[x](x.md)",
    "[x](../other/x.md)",
    "[x](javascript:alert(1))",
    "[x](<java\tscript:alert(1)>)",
    "![](名单.pdf)",
    "![图](data:image/png;base64,AA)",
    "<script>alert(1)</script>",
    "<img src=x onerror=alert('x')>",
    "<svg/onload=alert(1)>",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "```\ncode\n```\n",
    "**通知：**请注意",
    "[r]: https://www.gov.cn\n",
    "[r]",
    "513434198506120021",
    "13912345678",
    "\x00",
    "\r\n",
    "\n\n",
    "---\n",
    "&#106;avascript:",
    "\\",
    "`",
]
markdown_bodies = st.lists(st.sampled_from(MD_FRAGMENTS) | st.text(max_size=10), max_size=20).map(
    "".join
)


@st.composite
def item_files(draw: st.DrawFn) -> bytes:
    fm = draw(front_matter())
    body = draw(markdown_bodies)
    closed = draw(st.integers(0, 9)) < 9  # hypothesis favours small numbers: 0 is the common case
    text = f"---\n{fm}\n---\n{body}" if closed else f"---\n{fm}\n{body}"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8", errors="surrogatepass")
    if draw(st.integers(0, 9)) == 9:
        data = b"\xef\xbb\xbf" + data
    return data


# ---- the property -----------------------------------------------------------------------------


def _valid(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> None:
    for d in diagnostics:
        assert isinstance(d, Diagnostic)
        assert isinstance(d.path, str) and isinstance(d.line, int) and d.line >= 0 and d.col >= 0
        assert CODE_RE.match(d.code), d
        assert d.code[0] == ("E" if d.is_error else "W")
        assert d.message and isinstance(d.message, str)
        d.format().encode("utf-8")  # printable


def run_pipeline(root: Path, config: SiteConfig, data: bytes) -> None:
    path = root / "content" / "items" / "shehui-jiuzhu" / "x.md"
    path.write_bytes(data)
    item, problems = load_item(root, path, config)
    _valid(problems)
    event("loaded" if item is not None else "rejected")
    if item is None:
        assert any(d.is_error for d in problems), problems
        return
    assert not any(d.is_error for d in problems)
    assert item.source == "content/items/shehui-jiuzhu/x.md"
    assert isinstance(item.title, str) and item.title
    for attachment in item.attachments:
        assert (root / attachment.source).resolve().is_relative_to((root / "content").resolve())
    ids, found = assign([item], config, {})
    _valid(found)
    _valid(checks.check_items([item], config, ids))
    for drafts in (False, True):
        gated = gate([item], {}, TODAY, drafts=drafts)
        rendered, found = bodies.render_bodies(root, gated.published, ids, config)
        _valid(found)
        for body in rendered.values():
            assert "<script" not in body.html.lower()
    _valid(render_markdown(item.body, path=item.source, line_offset=item.body_line).problems)


@settings(
    max_examples=int(os.environ.get("SITEGEN_PROPERTY_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(item_files())
@example(b"---\ntitle: " + b"9" * 5000 + b"\n---\n")
@example(b"---\ntitle:\n" + b"- " * 100_000 + b"x\n---\n")
@example(b"---\ntitle: " + b"{a: " * 100_000 + b"\n---\n")
@example(b'---\ntitle: "\\x01"\ndomain: \xe7\xa4\xbe\xe4\xbc\x9a\xe6\x95\x91\xe5\x8a\xa9\n---\n')
@example(b"---\ntitle: !!int x\n---\n")
@example(b"---\ntitle: !!binary aGk=\n---\n")
@example(b"---\nattachments:\n  - file: " + b"a" * 300 + b".pdf\n---\n")
@example(b"---\nattachments: ['a\\x00b']\n---\n")
def test_loader_never_raises(site: tuple[Path, SiteConfig], data: bytes) -> None:
    root, config = site
    run_pipeline(root, config, data)


def test_billion_laughs_is_a_diagnostic(site: tuple[Path, SiteConfig]) -> None:
    root, config = site
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[n]
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    fm = "\n".join(levels) + "\nattachments: *i\nvalidity: *i\ndraft: *i\n*i : x"
    path = root / "content" / "items" / "shehui-jiuzhu" / "x.md"
    path.write_text(f"---\n{fm}\n---\n", encoding="utf-8")
    item, problems = load_item(root, path, config)
    assert item is None
    assert [d.code for d in problems] == ["E117"]
    assert problems[0].line == 6  # e: the first anchor whose expansion passes the limit


@pytest.mark.parametrize(
    ("front", "code", "line"),
    [
        ("title:\n" + "- " * 100_000 + "x", "E116", 3),
        ("title: " + "[" * 100_000, "E116", 2),
        ("title: " + "9" * 5000, "E110", 2),
        ("title: ok\ndepartment: !!timestamp 2024-02-30", "E110", 3),
        ("title: &x [*x]", "E117", 2),
        (
            'title: "a\\x01b"\ndomain: 社会救助\nstage: 结果\ndate: 2024-06-05\ndepartment: 县民政局',
            "E134",
            2,
        ),
        (
            "title: !!binary aGk=\ndomain: 社会救助\nstage: 结果\ndate: 2024-06-05\ndepartment: 县民政局",
            "E132",
            2,
        ),
    ],
)
def test_hostile_yaml_values(
    site: tuple[Path, SiteConfig], front: str, code: str, line: int
) -> None:
    root, config = site
    path = root / "content" / "items" / "shehui-jiuzhu" / "x.md"
    path.write_text(f"---\n{front}\n---\n正文\n", encoding="utf-8")
    item, problems = load_item(root, path, config)
    assert item is None
    assert (code, line) in [(d.code, d.line) for d in problems], problems


def test_hostile_attachment_names(site: tuple[Path, SiteConfig]) -> None:
    root, config = site
    head = "title: t\ndomain: 社会救助\nstage: 结果\ndate: 2024-06-05\ndepartment: 县民政局\n"
    cases: dict[str, Any] = {
        '["a\\x00b"]': "E221",
        f"[{'a' * 300}.pdf]": "E223",
        "[名单.pdf, ./名单.pdf]": "E226",
        "[x.md]": "E227",
        "[sub]": "E221",
    }
    path = root / "content" / "items" / "shehui-jiuzhu" / "x.md"
    for value, code in cases.items():
        path.write_text(f"---\n{head}attachments: {value}\n---\n", encoding="utf-8")
        item, problems = load_item(root, path, config)
        assert item is None, value
        assert [d.code for d in problems] == [code], (value, problems)
        assert problems[0].line == 7


def test_folder_named_like_an_item_is_skipped(site: tuple[Path, SiteConfig]) -> None:
    from sitegen.content import iter_item_files

    root, _ = site
    odd = root / "content" / "items" / "shehui-jiuzhu" / "folder.md"
    odd.mkdir(exist_ok=True)
    try:
        assert odd not in iter_item_files(root)
    finally:
        odd.rmdir()


@pytest.mark.parametrize(
    ("slug", "attachment", "reserved"),
    [
        ("index", False, True),
        ("page-2", False, True),
        ("jieguo", True, True),
        ("jieguo", False, False),
        ("page-two", False, False),
    ],
)
def test_slugs_the_domain_folder_needs(
    site: tuple[Path, SiteConfig], slug: str, attachment: bool, reserved: bool
) -> None:
    """E206: an item may not take the name of its domain's list pages, nor, with attachments, of
    a stage folder (its attachments would land in the stage's list folder)."""
    root, config = site
    path = root / "content" / "items" / "shehui-jiuzhu" / "x.md"
    extra = "attachments: [名单.pdf]\n" if attachment else ""
    path.write_text(
        f"---\ntitle: t\ndomain: 社会救助\nstage: 结果\ndate: 2024-06-05\ndepartment: 县民政局\nslug: {slug}\n{extra}---\n",
        encoding="utf-8",
    )
    item, problems = load_item(root, path, config)
    assert item is not None, problems
    _, found = assign([item], config, {})
    assert [(d.code, d.line) for d in found] == ([("E206", 7)] if reserved else [])


_SCALARS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["yes", "no", "~", "null", "12", "0x1F", "1e3", ".inf", "2024-01-02", "'q'"]),
)


@given(
    st.dictionaries(
        st.text(alphabet="abc_xyz", min_size=1, max_size=6),
        st.one_of(
            _SCALARS,
            st.lists(_SCALARS, max_size=4),
            st.dictionaries(st.text(max_size=3), _SCALARS, max_size=2),
        ),
        max_size=6,
    ),
    st.sampled_from([None, "'", '"', "|"]),
)
def test_mapping_values_equal_pyyaml_construction(values: dict, style: str | None) -> None:
    """yamlfile reads strings and lists of strings itself (yamlfile._construct): every value it
    returns equals what PyYAML's own constructor (timestamps off) builds from the same text."""
    text = yaml.safe_dump(values, allow_unicode=True, default_style=style, sort_keys=False)
    mapping, problems = yamlfile.load_mapping(text, "x.md")
    loader = yamlfile._Loader(text)
    try:
        expected = loader.get_single_data() or {}
    finally:
        loader.dispose()
    assert problems == []
    assert mapping is not None
    assert mapping.values == {str(k): v for k, v in expected.items()}
