"""Body-only and front-matter rebuilds (body_edit.py, meta_edit.py): an edit of item bodies alone is
spliced into the pages and the search index, an edit of what an item says about itself re-renders
the pages that show it, and the output is byte for byte what a full build writes; anything else
goes through the normal build, and a later normal build is not misled by what these rebuilds did."""

from __future__ import annotations

import datetime as dt
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import copy_site
from golden_site import tree
from sitegen import body_edit, meta_edit
from sitegen.build import BuildOptions, BuildResult, build
from sitegen.diagnostics import BuildFailed

TODAY = dt.date(2025, 12, 31)
ITEM = "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
"""A Chinese item without a Yi translation: the Yi edition shows its Chinese body too."""
YI_ITEM = "content/items/yiliao-weisheng/shuangyu-4.ii.md"
"""A Yi translation: its body shows on the Yi edition's page of its original."""
BILINGUAL = "content/items/yiliao-weisheng/shuangyu-4.md"
"""The Chinese original of YI_ITEM: the Yi edition's page shows its metadata with YI_ITEM's text."""


def _build(root: Path, out: Path) -> BuildResult:
    return build(BuildOptions(root=root, out=out, today=TODAY))


def _full(root: Path, tmp_path: Path, name: str = "full") -> dict[str, bytes]:
    """The output of a fresh build of a copy of `root` (no cache)."""
    copy = tmp_path / name
    shutil.copytree(root, copy, ignore=shutil.ignore_patterns(".sitegen-cache"))
    _build(copy, tmp_path / f"{name}-out")
    return tree(tmp_path / f"{name}-out")


def _set(root: Path, rel: str, field: str, value: str) -> str:
    """Set a front-matter field (written on one line) of an item; returns the file's previous
    text."""
    path = root / rel
    before = path.read_text(encoding="utf-8")
    line = next(line for line in before.splitlines() if line.startswith(f"{field}: "))
    path.write_text(before.replace(line, f"{field}: {value}", 1), encoding="utf-8")
    return before


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
    _set(root, "content/items/jiuye/jiuye-1.md", "stage", "决策")
    result = _build(root, out)
    assert result.edited == () and result.site is not None, "a new stage needs the full build"
    assert "稍后会被撤销" not in (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(
        encoding="utf-8"
    )
    assert tree(out) == _full(root, tmp_path)


@pytest.mark.parametrize(
    "change",
    [
        "stage",  # front-matter that moves the item to other lists
        "new warning",  # a body edit that brings a diagnostic (a link to an unpublished item)
        "new Yi",  # Yi characters the page did not show: the font subset changes
        "new Yi title",  # the same through the front-matter: lists would show them too
        "new file",
    ],
)
def test_what_is_more_than_a_body_edit_takes_the_normal_build(
    site: tuple[Path, Path], tmp_path: Path, change: str
) -> None:
    root, out = site
    item = root / ITEM
    text = item.read_text(encoding="utf-8")
    if change == "stage":
        _set(root, ITEM, "stage", "执行")
        _append(root, ITEM, "补充。")
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
    elif change == "new Yi title":
        _set(root, ITEM, "title", "最低生活保障（ꑭꆈ）")
    else:
        copy = text.replace("index_no: ", "# index_no: ")
        item.with_name("shehui-jiuzhu-new.md").write_text(copy, encoding="utf-8")
        _append(root, ITEM, "补充。")
    result = _build(root, out)
    assert result.edited == () and result.site is not None
    if change == "new warning":
        assert "W225" in {d.code for d in result.diagnostics}
    assert tree(out) == _full(root, tmp_path)


def test_a_front_matter_edit_renders_the_pages_that_show_the_item_again(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = site
    _set(root, ITEM, "title", "2025年城乡居民最低生活保障工作完成情况（更正）")
    _set(root, ITEM, "department", "县乡村振兴局")
    _append(root, ITEM, "更正说明：发布机构有误。")
    result = _build(root, out)
    assert result.edited == (ITEM,) and result.site is None, "a front-matter edit takes a short way"
    for page in ("shehui-jiuzhu/shehui-jiuzhu-2.html", "shehui-jiuzhu/index.html", "index.html"):
        text = (out / page).read_text(encoding="utf-8")
        assert "完成情况（更正）" in text, f"{page} shows the new title"
    item_page = (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(encoding="utf-8")
    assert "县乡村振兴局" in item_page and "发布机构有误" in item_page
    assert any(
        "完成情况（更正）" in p.read_text(encoding="utf-8") for p in out.glob("search/d/*.js")
    )
    assert tree(out) == _full(root, tmp_path)

    # the Chinese original of a translated item: its Yi edition page shows the translation's body
    _set(root, BILINGUAL, "department", "县卫生健康委员会")
    assert _build(root, out).edited == (BILINGUAL,)
    assert "县卫生健康委员会" in (out / "ii/yiliao-weisheng/shuangyu-4.html").read_text(
        encoding="utf-8"
    )
    assert tree(out) == _full(root, tmp_path, "full2")
    assert _build(root, out).unchanged, "the stamp describes the output again"


def test_a_body_edit_and_a_title_edit_together(site: tuple[Path, Path], tmp_path: Path) -> None:
    """Two items in one rebuild, one edited below the front-matter and one above it."""
    root, out = site
    _append(root, ITEM, "同时修改的正文。")
    _set(root, "content/items/jiuye/jiuye-1.md", "title", "同时修改的标题")
    result = _build(root, out)
    assert set(result.edited) == {ITEM, "content/items/jiuye/jiuye-1.md"}
    assert result.site is None, "the short way"
    assert tree(out) == _full(root, tmp_path)


def test_a_normal_build_after_a_front_matter_edit_renders_its_pages_again(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = site
    original = _set(root, ITEM, "title", "稍后会被撤销的标题")
    assert _build(root, out).edited == (ITEM,)
    (root / ITEM).write_text(original, encoding="utf-8")
    _set(root, "content/items/jiuye/jiuye-1.md", "stage", "决策")
    result = _build(root, out)
    assert result.edited == () and result.site is not None
    assert not any("稍后会被撤销" in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    assert tree(out) == _full(root, tmp_path)


def test_a_front_matter_edit_without_the_model_kit_takes_the_normal_build(
    site: tuple[Path, Path], tmp_path: Path
) -> None:
    root, out = site
    meta_edit.model_path(root, out).unlink()
    _set(root, ITEM, "title", "没有模型时的新标题")
    result = _build(root, out)
    assert result.edited == () and result.site is not None
    assert tree(out) == _full(root, tmp_path)


@pytest.mark.parametrize("which", ["kit", "model"])
def test_kits_from_another_version_of_sitegen_are_ignored(
    site: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, which: str
) -> None:
    """A kit whose record has other fields (written by another version of sitegen) is not used."""
    root, out = site
    kind = body_edit.BodyEditKit if which == "kit" else meta_edit.ModelKit
    path = body_edit.kit_path(root, out) if which == "kit" else meta_edit.model_path(root, out)
    with path.open("rb") as f:
        fmt, kit = pickle.load(f)
    fewer = (None,) * (len(kind.__dataclass_fields__) - 1)
    with monkeypatch.context() as m:
        m.setattr(kind, "__getstate__", lambda self: fewer)
        path.write_bytes(pickle.dumps((fmt, kit), protocol=5))
    _set(root, ITEM, "title", "升级后的新标题")
    result = _build(root, out)
    assert result.edited == () and result.site is not None, "the normal build"
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
    assert f"只有 1 条信息有变化（{ITEM}）" in done.stdout
    assert "命令行里的正文修改" in (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(
        encoding="utf-8"
    )
