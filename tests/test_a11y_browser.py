"""Accessibility and elderly mode (GB/T 37668, WCAG 2.1 AA, 适老化) in real Chromium.

axe-core (tests/vendor/axe.min.js, MPL-2.0, test-only) runs on the home, a domain, a stage, an item,
the search, the coverage, the statistics and a report page, in normal and elderly mode: no violation of
impact serious or critical may remain. The same pages must not scroll sideways at 360 px. Then what a
reader does by hand: A+/A− and 长者模式 persist across pages, the site works without JavaScript at
normal size, everything is reachable by keyboard with a visible focus, and items print without nav.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import serve_directory

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ITEM = "shehui-jiuzhu/dibao-biaozhun-2024.html"
PAGES = {
    "home": "index.html",
    "domain": "shehui-jiuzhu/index.html",
    "domain-stage": "shehui-jiuzhu/juece/index.html",
    "stage": "stage/jieguo/index.html",
    "item": ITEM,
    "search": "search/index.html",
    "coverage": "coverage/index.html",
    "stats": "stats/index.html",
    "report": "pages/nianbao-2024.html",
}
ELDERLY_INIT = "try { localStorage.setItem('sitegen-elderly', '1'); } catch (e) {}"


@pytest.fixture(scope="module")
def site_url(sample_output: Path) -> Iterator[str]:
    """The sample output served over HTTP from 127.0.0.1 (localStorage needs a real origin)."""
    with serve_directory(sample_output) as url:
        yield url


def _context(browser, *, elderly: bool = False, width: int = 1280, js: bool = True):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, java_script_enabled=js, service_workers="block"
    )
    foreign: list[str] = []
    context.foreign_requests = foreign  # type: ignore[attr-defined]

    def guard(route) -> None:
        if route.request.url.startswith("http://127.0.0.1"):
            route.continue_()
        else:  # the site must never load anything from another host
            foreign.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    if elderly:
        context.add_init_script(ELDERLY_INIT)
    return context


@pytest.fixture(scope="module", params=["normal", "elderly"])
def mode_page(request, browser):
    """One page per display mode, reused by every test of that mode."""
    context = _context(browser, elderly=request.param == "elderly")
    page = context.new_page()
    yield request.param, page
    assert context.foreign_requests == []  # type: ignore[attr-defined]
    context.close()


def run_axe(page, rules: list[str] | None = None) -> list[dict]:
    """axe-core's violations on the current page (all default rules, or only `rules`)."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async (rules) => {
            const options = rules ? {runOnly: {type: "rule", values: rules}} : {};
            const r = await axe.run(document, {...options, resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + (n.failureSummary || "").split("\\n").slice(0, 3).join(" "))}));
        }""",
        rules,
    )


@pytest.mark.parametrize("name", list(PAGES))
def test_axe_and_no_sideways_scroll(mode_page, site_url: str, name: str) -> None:
    mode, page = mode_page
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(site_url + PAGES[name])
    assert page.evaluate("document.documentElement.classList.contains('elderly')") == (
        mode == "elderly"
    )
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert not serious, "\n".join(
        f"{v['id']} ({v['impact']}): {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in serious
    )
    if mode == "elderly":  # high contrast: text meets the enhanced 7:1 ratio (WCAG 1.4.6)
        enhanced = run_axe(page, ["color-contrast-enhanced"])
        assert not enhanced, [v["nodes"] for v in enhanced]
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"{name} ({mode}) scrolls sideways at 360 px: scrollWidth {width}"
    serious = [v for v in run_axe(page) if v["impact"] in ("serious", "critical")]
    assert not serious, "at 360 px:\n" + "\n".join(
        f"{v['id']}: {v['help']} {v['nodes']}" for v in serious
    )


def _font_px(page, selector: str = "main p") -> float:
    return page.evaluate(
        f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)"
    )


def test_text_size_and_elderly_mode_persist_across_pages(browser, site_url: str) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(site_url + "index.html")
    normal = _font_px(page, "body")
    assert normal == 16
    page.click("button[data-pref=larger]")
    larger = _font_px(page, "body")
    assert larger > normal
    page.goto(site_url + ITEM)  # another page: the size is remembered
    assert _font_px(page, "body") == larger
    page.click("button[data-pref=smaller]")
    page.click("button[data-pref=smaller]")
    smaller = _font_px(page, "body")
    assert smaller < normal
    page.goto(site_url + "coverage/index.html")
    assert _font_px(page, "body") == smaller
    page.click("button[data-pref=larger]")  # back to normal
    assert _font_px(page, "body") == normal
    button = page.locator("button[data-pref=elderly]")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    assert button.get_attribute("aria-pressed") == "true"
    elderly_px = _font_px(page, "main p")
    assert elderly_px >= 24, "elderly mode body text is at least 18 pt (24 px)"
    page.goto(site_url + "stats/index.html")
    assert page.evaluate("document.documentElement.classList.contains('elderly')")
    assert page.locator("button[data-pref=elderly]").get_attribute("aria-pressed") == "true"
    assert _font_px(page, "main p") >= 24
    line_height = page.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('main p')).lineHeight)"
    )
    assert line_height / _font_px(page, "main p") >= 1.3
    page.locator("button[data-pref=elderly]").click()
    page.goto(site_url + "index.html")
    assert not page.evaluate("document.documentElement.classList.contains('elderly')")
    assert _font_px(page, "body") == normal
    assert context.foreign_requests == []  # type: ignore[attr-defined]
    context.close()


def test_works_without_javascript_at_normal_size(browser, site_url: str) -> None:
    context = _context(browser, js=False)
    page = context.new_page()
    page.goto(site_url + ITEM)
    assert _font_px(page, "body") == 16
    assert not page.locator(".prefs").is_visible(), (
        "buttons that need the script are hidden without it"
    )
    assert page.locator("h1").is_visible() and page.locator("table.meta-table").is_visible()
    page.click(".nav-portal summary")  # the column menu opens without JavaScript (<details>)
    page.click("text=覆盖情况")  # plain links keep working
    assert page.url.endswith("coverage/index.html")
    assert page.locator("table.coverage-table").is_visible()
    assert (
        page.evaluate(
            "document.querySelectorAll('dialog, [role=dialog], [role=alertdialog]').length"
        )
        == 0
    )
    context.close()


def _focus_info(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e); const r = e.getBoundingClientRect();
            return {tag: e.tagName, text: (e.innerText || e.getAttribute('aria-label') || '').slice(0, 30), cls: e.className,
                    outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2, shadow: s.boxShadow !== 'none',
                    w: r.width, h: r.height, top: r.top, left: r.left, vw: innerWidth}; }"""
    )


def test_keyboard_only_use(browser, site_url: str) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(site_url + ITEM)
    page.keyboard.press("Tab")
    first = _focus_info(page)
    assert first["cls"] == "skip-link" and first["left"] >= 0 and first["w"] > 0, first
    assert first["outline"] or first["shadow"]
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    # every stop in the tab order is visible and shows its focus
    page.goto(site_url + "pages/nianbao-2024.html")
    seen = 0
    for _ in range(200):
        page.keyboard.press("Tab")
        info = _focus_info(page)
        if info["tag"] == "BODY":
            break
        seen += 1
        assert info["w"] > 0 and info["h"] > 0, info
        assert info["outline"] or info["shadow"], f"no visible focus on {info}"
    # skip link, header tools, search, nav (menus closed: their summaries), breadcrumbs, the report
    # table region, footer
    assert seen > 20
    # controls work from the keyboard: the domain menu and the text size buttons
    page.goto(site_url + "index.html")
    page.focus(".nav-domains summary")
    page.keyboard.press("Enter")
    assert page.evaluate("document.querySelector('.nav-domains').open")
    page.focus("button[data-pref=larger]")
    page.keyboard.press("Enter")
    assert _font_px(page, "body") > 16
    page.evaluate("localStorage.clear()")
    context.close()


def test_item_prints_with_metadata_and_without_navigation(browser, site_url: str) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(site_url + ITEM)
    page.emulate_media(media="print")
    for hidden in (
        ".site-nav",
        ".header-search",
        ".prefs",
        ".breadcrumbs",
        ".prev-next",
        ".site-footer",
        ".skip-link",
    ):
        assert not page.locator(hidden).first.is_visible(), hidden
    for shown in ("h1", "table.meta-table", ".body"):
        assert page.locator(shown).first.is_visible(), shown
    assert "索引号" in page.inner_text("table.meta-table")
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 1000
    context.close()
