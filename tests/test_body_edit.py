"""Body-only rebuilds (body_edit.py): an edit of item bodies alone is spliced into the pages and the
search index, and the output is byte for byte what a full build writes; anything else goes through
the normal build, and a later normal build is not misled by what a body-only rebuild did."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_site
from golden_site import tree
from sitegen import body_edit
from sitegen.build import BuildOptions, BuildResult, build
from sitegen.diagnostics import BuildFailed

TODAY = dt.date(2025, 12, 31)
ITEM = "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
"""A Chinese item without a Yi translation: the Yi edition shows its Chinese body too."""
YI_ITEM = "content/items/yiliao-weisheng/shuangyu-4.ii.md"
"""A Yi translation: its body shows on the Yi edition's page of its original."""


def _build(root: Path, out: Path) -> BuildResult:
    return build(BuildOptions(root=root, out=out, today=TODAY))


def _full(root: Path, tmp_path: Path, name: str = "full") -> dict[str, bytes]:
    """The output of a fresh build of a copy of `root` (no cache)."""
    copy = tmp_path / name
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".sitegen-cache"))
    _build(copy, tmp_path / f"{name}-out")
    return tree(tmp_path / f"{name}-out")


def _append(root: Path, rel: str, text: str) -> str:
    """Append a paragraph to an item's body; returns the file's previous text."""
    path = root / rel
    before = path.read_text(encoding="utf-8")
    path.write_text(before + f"\n{text}\n", encoding="utf-8")
    return before


@pytest.fixture
def site(tmp_path: Path) -> tuple[Path, Path]:
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    _build(root, out)
    return root, out


def test_a_body_edit_is_spliced_in_and_equals_a_full_build(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = site
    _append(root, ITEM, "正文补充：办理时限缩短为五个工作日。")
    result = _build(root, out)
    assert result.edited == (ITEM,), "a body-only edit takes the short way"
    page = (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(encoding="utf-8")
    assert "办理时限缩短为五个工作日" in page
    assert "办理时限缩短为五个工作日" in (out / "ii/shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(
        encoding="utf-8"
    ), "the Yi edition shows the Chinese body of an untranslated item"
    assert any("办理时限缩短" in p.read_text(encoding="utf-8") for p in out.glob("search/d/*.js"))
    assert tree(out) == _full(root, tmp_path)

    # a second edit of the same item, then one of a Yi translation: still a full build's bytes
    _append(root, ITEM, "再次补充：咨询电话 0834-1234567。")
    assert _build(root, out).edited == (ITEM,)
    yi_page = root / YI_ITEM
    yi_text = yi_page.read_text(encoding="utf-8")
    first_paragraph = yi_text.split("---\n", 2)[2].strip().split("\n\n")[0]
    _append(root, YI_ITEM, first_paragraph)  # Yi characters the page already shows
    assert _build(root, out).edited == (YI_ITEM,)
    assert tree(out) == _full(root, tmp_path, "full2")
    assert _build(root, out).unchanged, "the stamp describes the output again"


def test_a_normal_build_after_body_edits_renders_their_pages_again(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    """The build cache still holds the fingerprints of the pages before the body-only rebuild:
    reverting the body (so the fingerprint matches again) together with another change must not
    keep the edited page."""
    root, out = site
    original = _append(root, ITEM, "稍后会被撤销的补充。")
    assert _build(root, out).edited == (ITEM,)
    (root / ITEM).write_text(original, encoding="utf-8")
    other = root / "content/items/jiuye/jiuye-1.md"
    text = other.read_text(encoding="utf-8")
    title = next(line for line in text.splitlines() if line.startswith("title: "))
    other.write_text(text.replace(title, "title: 就业条目的新标题"), encoding="utf-8")
    result = _build(root, out)
    assert result.edited == () and result.site is not None, "a title change needs the full build"
    assert "稍后会被撤销" not in (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(
        encoding="utf-8"
    )
    assert tree(out) == _full(root, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        "title",  # front-matter
        "new warning",  # a body edit that brings a diagnostic (a link to an unpublished item)
        "new Yi",  # Yi characters the page did not show: the font subset changes
        "new file",
    ],
)
def test_what_is_more_than_a_body_edit_takes_the_normal_build(
    site: tuple[Path, Path], tmp_path: Path, change: str
) -> None:
    root, out = site
    item = root / ITEM
    text = item.read_text(encoding="utf-8")
    if change == "title":
        title = next(line for line in text.splitlines() if line.startswith("title: "))
        item.write_text(text.replace(title, "title: 新的标题") + "\n补充。\n", encoding="utf-8")
    elif change == "new warning":
        draft = root / "content/items/jiuye/jiuye-draft.md"
        draft.write_text(
            (root / "content/items/jiuye/jiuye-1.md")
            .read_text(encoding="utf-8")
            .replace("---\n", "---\ndraft: true\n", 1)
            .replace("index_no: ", "# index_no: "),
            encoding="utf-8",
        )
        _build(root, out)
        _append(root, ITEM, "见[草稿](../jiuye/jiuye-draft.md)。")
    elif change == "new Yi":
        _append(root, ITEM, "彝文名称：ꑭꆈ")
    else:
        copy = text.replace("index_no: ", "# index_no: ")
        item.with_name("shehui-jiuzhu-new.md").write_text(copy, encoding="utf-8")
        _append(root, ITEM, "补充。")
    result = _build(root, out)
    assert result.edited == () and result.site is not None
    if change == "new warning":
        assert "W225" in {d.code for d in result.diagnostics}
    assert tree(out) == _full(root, tmp_path)


def test_a_body_edit_with_an_error_fails_with_the_error(site: tuple[Path, Path]) -> None:
    root, out = site
    before = tree(out)
    _append(root, ITEM, "联系人手机 13812345678。")
    with pytest.raises(BuildFailed) as failed:
        _build(root, out)
    assert [(d.code, d.path) for d in failed.value.diagnostics] == [("E301", ITEM)]
    assert tree(out) == before, "nothing is written"


def test_a_body_edit_killed_half_way_leaves_the_next_build_correct(
    site: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root, out = site
    original = _append(root, ITEM, "中途被终止的补充。")

    def dies(*args: object) -> int:
        raise KeyboardInterrupt

    monkeypatch.setenv("SITEGEN_JOBS", "1")  # the interrupt reaches this process, as Ctrl-C does
    monkeypatch.setattr(body_edit, "patch_index", dies)
    with pytest.raises(KeyboardInterrupt):
        _build(root, out)
    monkeypatch.undo()
    (root / ITEM).write_text(original, encoding="utf-8")  # the editor reverts
    result = _build(root, out)
    assert not result.unchanged
    assert tree(out) == _full(root, tmp_path)


def test_the_cli_reports_a_body_only_rebuild(site: tuple[Path, Path]) -> None:
    root, out = site
    _append(root, ITEM, "命令行里的正文修改。")
    args = ["build", "--root", root, "--out", out, "--today", TODAY.isoformat()]
    done = subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"只有 1 条信息的正文有变化（{ITEM}）" in done.stdout
    assert "命令行里的正文修改" in (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(
        encoding="utf-8"
    )
