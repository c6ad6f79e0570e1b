"""Incremental rebuilds write exactly what a full build writes; an unchanged site is not rebuilt."""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from conftest import copy_site
from golden_site import tree
from sitegen import build as build_module
from sitegen import output
from sitegen.build import BuildOptions, build, update_search
from sitegen.cache import cache_path

TODAY = dt.date(2025, 12, 31)


def _build(root: Path, out: Path):
    return build(BuildOptions(root=root, out=out, today=TODAY))


def _restage(item: Path, stage: str, more: str = "") -> None:
    """Move an item to another stage (and append `more` to its body): the normal build's work,
    not a short rebuild of an edited item (body_edit.py, meta_edit.py)."""
    text = item.read_text(encoding="utf-8")
    old_stage = next(line for line in text.splitlines() if line.startswith("stage: "))
    item.write_text(text.replace(old_stage, f"stage: {stage}") + more, encoding="utf-8")


def test_incremental_rebuild_equals_full_build(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    first = _build(root, out)
    assert first.written is not None and not first.unchanged

    item = root / "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
    text = item.read_text(encoding="utf-8")
    old_title = next(line for line in text.splitlines() if line.startswith("title: "))
    item.write_text(text.replace(old_title, "title: 增量构建测试标题"), encoding="utf-8")
    (root / "content/items/jiuye/jiuye-1.md").unlink()
    folder = out.stat().st_ino
    pages_before = {p: p.read_bytes() for p in out.rglob("*.html")}

    second = _build(root, out)
    assert second.written is not None
    assert 0 < second.written.written < first.written.written / 2, "only what changed is rewritten"
    # (the search documents after the deleted one are renumbered, hence the index files)
    changed_pages = [
        p for p, data in pages_before.items() if p.is_file() and p.read_bytes() != data
    ]
    assert 0 < len(changed_pages) < len(pages_before) / 4
    assert out.stat().st_ino == folder, "a small change is applied in place, not by a folder swap"
    assert not [p for p in out.rglob("*") if ".tmp-" in p.name]

    full_root = tmp_path / "full"
    shutil.copytree(root, full_root, ignore=shutil.ignore_patterns(".sitegen-cache"))
    full = _build(full_root, tmp_path / "full-out")
    assert full.written is not None
    assert tree(out) == tree(tmp_path / "full-out")
    assert "增量构建测试标题" in (out / "shehui-jiuzhu/index.html").read_text(encoding="utf-8")
    assert not (out / "jiuye/jiuye-1.html").exists()


def test_pages_first_then_the_search_index_equals_a_full_build(tmp_path: Path) -> None:
    """The live preview's two passes: pages (search=False), then update_search from that model."""
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    first = _build(root, out)
    item = root / "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
    item.write_text(item.read_text(encoding="utf-8") + "\n两遍更新的说明。\n", encoding="utf-8")
    (root / "content/items/jiuye/jiuye-1.md").unlink()
    options = BuildOptions(root=root, out=out, today=TODAY)
    pages = build(replace(options, search=False), first.cache)
    index = out / "search"
    assert not any("两遍更新" in p.read_text(encoding="utf-8") for p in index.rglob("*.js"))
    done = update_search(options, pages)
    assert done.written is not None and 0 < done.written.written < done.written.files
    assert any("两遍更新" in p.read_text(encoding="utf-8") for p in (index / "d").glob("*.js"))

    full_root = tmp_path / "full"
    shutil.copytree(root, full_root, ignore=shutil.ignore_patterns(".sitegen-cache"))
    _build(full_root, tmp_path / "full-out")
    assert tree(out) == tree(tmp_path / "full-out")
    assert build(options, done.cache).unchanged, "the cache now describes the whole output"


def test_a_big_change_swaps_in_a_fresh_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Beyond IN_PLACE_LIMIT changed files the output is rebuilt aside and swapped in whole."""
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    _build(root, out)
    folder = out.stat().st_ino
    item = root / "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
    _restage(item, "执行", "\n补充说明。\n")
    monkeypatch.setattr(output, "IN_PLACE_LIMIT", 1)
    again = _build(root, out)
    assert again.written is not None and again.written.written > 1
    assert out.stat().st_ino != folder
    assert "补充说明" in (out / "shehui-jiuzhu/shehui-jiuzhu-2.html").read_text(encoding="utf-8")


def test_a_build_that_dies_while_updating_in_place_leaves_no_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """out/ may then hold some new files: the next build must not trust the old cache."""
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    _build(root, out)
    item = root / "content/items/shehui-jiuzhu/shehui-jiuzhu-2.md"
    original = item.read_text(encoding="utf-8")
    _restage(item, "执行", "\n中途被终止的修改。\n")
    real = build_module.update_site

    def dies_half_way(folder: Path, files):
        page = next(f for f in files if f.path == "shehui-jiuzhu/shehui-jiuzhu-2.html")
        output.replace_files(folder, [page])  # one new page is out, then the build dies
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "update_site", dies_half_way)
    with pytest.raises(KeyboardInterrupt):
        _build(root, out)
    assert not cache_path(root, out).exists()
    monkeypatch.setattr(build_module, "update_site", real)
    item.write_text(original, encoding="utf-8")  # the editor reverts: the old page must return
    _build(root, out)
    full = tmp_path / "full"
    shutil.copytree(root, full, ignore=shutil.ignore_patterns(".sitegen-cache"))
    _build(full, tmp_path / "full-out")
    assert tree(out) == tree(tmp_path / "full-out")


def test_unchanged_site_is_not_rebuilt_and_a_deleted_cache_is_harmless(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    _build(root, out)
    before = tree(out)
    again = _build(root, out)
    assert again.unchanged and again.written is None
    assert tree(out) == before

    shutil.rmtree(cache_path(root, out).parent)  # the documented "safe to delete" folder
    rebuilt = _build(root, out)
    assert not rebuilt.unchanged
    assert tree(out) == before


def test_a_template_change_rebuilds_every_page(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site", content=True)
    out = tmp_path / "out"
    _build(root, out)
    base = root / "themes/default/templates/base.html"
    base.write_text(
        base.read_text(encoding="utf-8").replace("<main ", '<main data-test="1" '), encoding="utf-8"
    )
    _build(root, out)
    pages = [p for p in out.rglob("*.html")]
    assert pages and all('data-test="1"' in p.read_text(encoding="utf-8") for p in pages)


def test_two_output_folders_never_share_cached_pages(tmp_path: Path) -> None:
    """`sitegen build` and the serve preview write different folders from one site: each is right."""
    root = copy_site(tmp_path / "site", content=True)
    a, b = tmp_path / "a", tmp_path / "b"
    _build(root, a)
    _build(root, b)
    item = root / "content/items/jiuye/jiuye-2.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace("title: ", "title: 改过的", 1), encoding="utf-8"
    )
    _build(root, b)
    _build(root, a)
    full_root = tmp_path / "full"
    shutil.copytree(root, full_root, ignore=shutil.ignore_patterns(".sitegen-cache"))
    _build(full_root, tmp_path / "full-out")
    assert tree(a) == tree(tmp_path / "full-out") == tree(b)


def test_a_later_build_date_publishes_due_items_without_rendering_everything(
    tmp_path: Path,
) -> None:
    root = copy_site(tmp_path / "site", content=True)
    source = root / "content/items/jiuye/jiuye-1.md"
    due = root / "content/items/jiuye/due-later.md"
    text = source.read_text(encoding="utf-8")
    date_line = next(line for line in text.splitlines() if line.startswith("date: "))
    kept = [
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(("index_no: ", "written: ", "doc_no: "))
    ]
    fresh = (
        "".join(kept)
        .replace(date_line, "date: 2026-01-05")
        .replace("title: ", "title: 到期发布", 1)
    )
    due.write_text(fresh, encoding="utf-8")
    out = tmp_path / "out"
    first = build(BuildOptions(root=root, out=out, today=TODAY))
    assert not (out / "jiuye/due-later.html").exists()
    pages_before = {p: d for p, d in tree(out).items() if p.endswith(".html")}
    later = dt.date(2026, 1, 10)
    second = build(BuildOptions(root=root, out=out, today=later))
    kept = [p for p, fp in first.cache.pages.items() if second.cache.pages.get(p) == fp]
    assert len(kept) > 3 * len(first.cache.pages) / 4, "the build date alone invalidates no page"
    assert (out / "jiuye/due-later.html").is_file()
    pages_after = tree(out)
    changed = [p for p, d in pages_before.items() if pages_after.get(p) != d]
    assert "index.html" in changed and "jiuye/index.html" in changed
    assert len(changed) < len(pages_before) / 4, (
        "a new build date re-renders only what shows the item"
    )
    full_root = tmp_path / "full"
    shutil.copytree(root, full_root, ignore=shutil.ignore_patterns(".sitegen-cache"))
    build(BuildOptions(root=full_root, out=tmp_path / "full-out", today=later))
    assert tree(out) == tree(tmp_path / "full-out")


def test_a_new_title_changes_only_the_pages_that_show_the_item(tmp_path: Path) -> None:
    """incremental.shown_entries names every page a front-matter rebuild renders again
    (meta_edit.py): rendered with a new title of an item, no other page changes, and every page
    that shows the item's text does (the Yi edition shows a translated item's Yi title); the page
    fingerprints change for the same pages."""
    from sitegen.incremental import page_inputs, shown_entries
    from sitegen.model import build_site
    from sitegen.render import Renderer, page_jobs

    first = _build(copy_site(tmp_path / "site", content=True), None)
    assert first.site is not None and first.withheld is not None and first.quick is not None
    site, published, ids = first.site, first.withheld.published, first.quick.ids
    renderer = first.quick.renderer
    digests = {source: _Digest(source) for source in ids.by_source}
    for source in ("content/items/shehui-jiuzhu/shehui-jiuzhu-2.md", *_some_sources(site)):
        retitled = [replace(i, title="另一个标题") if i.source == source else i for i in published]
        other = build_site(site.config, retitled, ids)
        again = Renderer(
            other,
            first.quick.theme,
            renderer.translators,
            renderer.bodies,
            template_globals={"portal": first.portal},
        )
        jobs = list(zip(page_jobs(site), page_jobs(other), strict=True))
        changed = {a.path for a, b in jobs if a.render(renderer).data != b.render(again).data}
        showing, with_title = set(), set()
        for job, _ in jobs:
            shown = [e for e in shown_entries(job, site) if e is not None]
            if any(source in (e.item.source, e.text.source) for e in shown):
                showing.add(job.path)
            if any(e.text.source == source for e in shown):
                with_title.add(job.path)
        assert with_title <= changed <= showing, source
        assert len(with_title) >= 3, "its page, a list page at least, and a neighbour"
        own = {
            e.path for edition in site.editions for e in edition.entries if e.item.source == source
        }
        seen = {
            a.path
            for a, b in jobs
            if page_inputs(a, site, digests) != page_inputs(b, other, digests)
        }
        assert with_title - own <= seen <= showing - own, "own pages: seen through the file digest"


class _Digest:
    """Stands in for a cache.LoadEntry: page_inputs reads only its digest."""

    def __init__(self, source: str) -> None:
        self.digest = source


def _some_sources(site) -> list[str]:
    """A few items from different places in the default edition (oldest, newest, translated)."""
    entries = site.default.entries
    translated = [e.item.source for e in site.editions[-1].entries if e.translated]
    return [entries[0].item.source, entries[-1].item.source, *translated[:1]]
