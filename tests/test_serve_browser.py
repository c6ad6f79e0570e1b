"""Live preview in a real browser: open pages reload by themselves, only when they changed, and a
failed rebuild shows its diagnostics in an overlay (as text, never as HTML) until the file is fixed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import ServeProcess, make_site, set_title

pytestmark = [pytest.mark.browser, pytest.mark.server]

OVERLAY = "#sitegen-error-overlay"


@pytest.fixture()
def live(tmp_path: Path) -> Iterator[tuple[ServeProcess, Path]]:
    root = make_site(tmp_path)
    server = ServeProcess(root, "--watch")
    try:
        server.wait_build(0)
        yield server, root
    finally:
        server.stop()


def _mark(page) -> None:
    """Leave a value in the page's JavaScript world: a reload (and only a reload) removes it."""
    page.evaluate("window.__notReloaded = true")


def _reloaded(page) -> bool:
    return page.evaluate("window.__notReloaded !== true")


def _connected(page) -> None:
    """Wait until the client has its first state (and the baseline versions of CSS/JS)."""
    page.wait_for_function("window.__sitegenPreview && window.__sitegenPreview.ok === true")
    page.wait_for_timeout(300)


def test_open_page_reloads_itself_after_an_edit_and_other_pages_do_not(browser, live) -> None:
    server, root = live
    context = browser.new_context()
    try:
        edited = context.new_page()
        other = context.new_page()
        edited.goto(server.base + "/fupin/fupin-1.html")
        other.goto(server.base + "/anquan-shengchan/anquan-shengchan-2.html")
        for page in (edited, other):
            _connected(page)
            _mark(page)
        build = server.state()["build"]

        set_title(root / "content/items/fupin/fupin-1.md", "扶贫资金使用情况公告（浏览器自动刷新）")

        edited.wait_for_function(
            "document.querySelector('h1') && document.querySelector('h1').textContent.includes('浏览器自动刷新')",
            timeout=20000,
        )
        assert _reloaded(edited)
        server.wait_build(build)
        other.wait_for_timeout(1000)  # it got the same event; it must have decided not to reload
        assert not _reloaded(other)
        assert other.evaluate("window.__sitegenPreview.build") > build
    finally:
        context.close()


def test_stylesheet_change_reloads_open_pages(browser, live) -> None:
    server, root = live
    page = browser.new_page()
    try:
        page.goto(server.base + "/index.html")
        _connected(page)
        _mark(page)
        css = root / "themes/default/static/site.css"
        css.write_text(
            css.read_text(encoding="utf-8") + "\nbody { outline: 3px solid rgb(1, 2, 3); }\n",
            encoding="utf-8",
        )
        page.wait_for_function(
            "getComputedStyle(document.body).outlineColor === 'rgb(1, 2, 3)'", timeout=20000
        )
        assert _reloaded(page)
    finally:
        page.close()


def test_failed_rebuild_shows_an_overlay_as_text_then_clears_after_the_fix(browser, live) -> None:
    server, root = live
    item = root / "content/items/fupin/fupin-3.md"
    good = item.read_text(encoding="utf-8")
    title = re.search(r"^title: (.+)$", good, re.M).group(1)  # type: ignore[union-attr]
    page = browser.new_page()
    try:
        page.goto(server.base + "/fupin/fupin-3.html")
        _connected(page)
        _mark(page)
        domain_line = next(
            n for n, line in enumerate(good.split("\n"), 1) if line.startswith("domain:")
        )
        hostile = "<img src=x onerror=window.__pwned=1><b>扶贫</b>"
        item.write_text(
            re.sub(r"^domain: .+$", f"domain: '{hostile}'", good, count=1, flags=re.M),
            encoding="utf-8",
        )

        overlay = page.locator(OVERLAY)
        overlay.wait_for(state="visible", timeout=20000)
        text = overlay.inner_text()
        assert f"content/items/fupin/fupin-3.md:{domain_line}:" in text
        assert "[E" in text and "生成失败" in text
        assert hostile in text  # shown literally ...
        assert overlay.locator("img, b").count() == 0  # ... never parsed as HTML
        assert page.evaluate("window.__pwned") is None
        assert page.locator("h1").inner_text() == title  # the last good page stays
        assert not _reloaded(page)

        item.write_text(good.replace(title, title + "（已修正）"), encoding="utf-8")
        page.wait_for_function(
            "document.querySelector('h1').textContent.includes('（已修正）')", timeout=20000
        )
        assert page.locator(OVERLAY).count() == 0
    finally:
        page.close()


def test_error_overlay_appears_on_pages_opened_while_the_build_is_broken(browser, live) -> None:
    server, root = live
    item = root / "content/items/fupin/fupin-2.md"
    good = item.read_text(encoding="utf-8")
    build = server.state()["build"]
    item.write_text(good.replace("---\n", "", 1), encoding="utf-8")
    server.wait_build(build, ok=False)
    page = browser.new_page()
    try:
        page.goto(server.base + "/index.html")
        page.locator(OVERLAY).wait_for(state="visible", timeout=10000)
        assert "content/items/fupin/fupin-2.md:1:1" in page.locator(OVERLAY).inner_text()
        page.get_by_role("button", name="关闭").click()
        assert page.locator(OVERLAY).count() == 0
    finally:
        page.close()
