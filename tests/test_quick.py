"""The preview's quick page for one edited item is exactly the page the full build then writes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from conftest import copy_site
from sitegen.build import BuildOptions, build
from sitegen.quick import quick_edit, quick_search

TODAY = dt.date(2025, 12, 31)
ITEM = "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
PAGE = "shehui-jiuzhu/shehui-jiuzhu-2.html"


@pytest.fixture()
def site(tmp_path: Path):
    root = copy_site(tmp_path / "site", content=True)
    options = BuildOptions(root=root, out=tmp_path / "out", today=TODAY, extra_head="<!-- x -->")
    return root, options, build(options)


def _edit(root: Path, pattern: str, replacement: str) -> None:
    item = root / ITEM
    text = item.read_text(encoding="utf-8")
    changed = re.sub(pattern, replacement, text, count=1, flags=re.M)
    assert changed != text
    item.write_text(changed, encoding="utf-8")


def test_quick_page_equals_the_rebuilt_page(site) -> None:
    root, options, first = site
    _edit(root, r"^title: .*$", "title: 快速预览的新标题")
    _edit(root, r"\Z", "\n\n新增的一段正文，见[另一条目](../jiuye/jiuye-1.md)。\n")
    edit = quick_edit(first.quick, ITEM)
    assert edit is not None and edit.page.path == PAGE
    page = edit.page.data
    assert page is not None
    assert "快速预览的新标题".encode() in page and "新增的一段正文".encode() in page
    again = build(options, first.cache)
    assert (options.out / PAGE).read_bytes() == page
    assert again.written is not None and again.written.written > 1  # lists changed too


def test_quick_search_update_equals_the_rebuilt_index(site) -> None:
    root, options, first = site
    _edit(root, r"^title: .*$", "title: 快速搜索的新标题")
    _edit(root, r"\Z", "\n\n只在快速更新里出现的正文。\n")
    edit = quick_edit(first.quick, ITEM)
    assert edit is not None
    state, files = quick_search(first.search[""], edit)
    written = {f.path: f.data for f in files}
    assert any("只在快速更新里出现的正文" in (data or b"").decode() for data in written.values())
    assert 0 < sum(p.startswith("search/t/") for p in written) < len(state.shards) / 2
    build(options, first.cache)
    index = options.out / "search"
    for path, data in written.items():
        assert (options.out / path).read_bytes() == data, path
    on_disk = {p.relative_to(index).as_posix() for p in index.rglob("*.js")}
    assert on_disk == state.files, "the new state lists exactly the rebuilt index's files"
    assert [d.ref for d in state.docs] == [d.ref for d in first.search[""].docs]


@pytest.mark.parametrize(
    ("pattern", "replacement"),
    [
        (r"^domain: .*$", "domain: 就业"),  # moves to another section
        (r"^date: .*$", "date: 2025-12-01"),  # moves in every list
        (r"^title: .*$", "title: [未闭合"),  # broken front matter
        (r"^date: .*$", "date: 2026-06-01"),  # no longer published on TODAY
    ],
)
def test_edits_that_move_or_break_the_item_wait_for_the_build(
    site, pattern: str, replacement: str
) -> None:
    root, _, first = site
    _edit(root, pattern, replacement)
    assert quick_edit(first.quick, ITEM) is None


def test_unknown_or_new_items_wait_for_the_build(site) -> None:
    root, _, first = site
    (root / "content/items/jiuye/new-item.md").write_text(
        (root / ITEM).read_text(encoding="utf-8"), encoding="utf-8"
    )
    assert quick_edit(first.quick, "content/items/jiuye/new-item.md") is None
