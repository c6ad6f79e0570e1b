"""Search in real Chromium: served under a sub-path over HTTP and opened from disk (file://).

Until the site integration lands, the test writes its own minimal search page (the markup the
templates must provide, see sitegen/search/__init__.py) beside an index built from real sentences.
"""

from __future__ import annotations

import html
import shutil
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_search_index import corpus

from conftest import serve_directory
from sitegen.search import SearchDoc, build_search_index
from sitegen.search.node_runner import THEME_STATIC, write_index
from sitegen.search.reference import matches

pytestmark = pytest.mark.browser

XSS_TITLE = "<img src=x onerror=alert(1)>低保公示"
# Each decoy holds every three-character piece of NOWHERE, but never NOWHERE itself: more
# candidates than one page checks (search.js PAGE_BUDGET, 30), none of them a result, and none
# that the neighbour masks of a pair can rule out (each pair has the neighbours the phrase needs).
NOWHERE = "低保金额"
DECOYS = [("低保对象审核通知", "低保金发放情况。保金额核定。")] * 40
# These hold both pairs of SCATTERED, never next to each other with the neighbours it needs: 进高
# is followed by 标, 高质 preceded by 动. The masks rule them all out without loading them.
SCATTERED = "进高质"
MASKED = [("农田建设通知", "要推进高标准农田建设，推动高质量发展。")] * 40
EXTRA = [(XSS_TITLE, "城乡低保对象公示，请群众监督。<script>alert(2)</script>"), *DECOYS, *MASKED]

QUERIES = [
    "发展", "经济发展", "改革开放", "高质量发展", "的", "国", "人民群众", "〔2024〕5号",
    "2024 5号", "inform", "𠙶字", "低保", "啊啊啊", "ꆈꌠ", "不存在的词语组合",
]  # fmt: skip

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>搜索</title></head>
<body>
<form id="search-form" role="search" action="index.html" method="get" data-index="./" data-root="../">
  <label for="search-q">搜索</label>
  <input id="search-q" name="q" type="search">
  <button type="submit">搜索</button>
</form>
<div id="search-status" role="status" aria-live="polite"></div>
<ol id="search-results"></ol>
<script src="../assets/vendor/lunr.min.js"></script>
<script src="../assets/search/tokenizer.js"></script>
<script src="../assets/search/search.js"></script>
</body></html>
"""


@pytest.fixture(scope="module")
def docs() -> list[SearchDoc]:
    return corpus(n=60, seed=3, extra=EXTRA)


@pytest.fixture(scope="module")
def site(docs: list[SearchDoc], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """<root>/xxgk/: item pages, assets, and search/ with the index and the search page."""
    root = tmp_path_factory.mktemp("site")
    edition = root / "xxgk"
    write_index(build_search_index(docs), edition / "search")
    (edition / "search" / "index.html").write_text(PAGE, encoding="utf-8")
    for rel in ("vendor/lunr.min.js", "search/tokenizer.js", "search/search.js"):
        target = edition / "assets" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(THEME_STATIC / rel, target)
    for doc in docs:
        page = edition / doc.ref
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(f"<!doctype html><title>{html.escape(doc.title)}</title>", encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def http_base(site: Path) -> Iterator[str]:
    with serve_directory(site) as base:
        yield base + "xxgk/"


@pytest.fixture
def page(browser):
    context = browser.new_context()
    p = context.new_page()
    dialogs: list[str] = []
    p.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    p.dialogs = dialogs
    yield p
    context.close()


def search(page, base: str, query: str, **filters: str) -> tuple[list[str], float]:
    """Open the search page for a query, load every page of results; (hrefs, ms to first page)."""
    params = urllib.parse.urlencode({"q": query, **filters})
    started = time.perf_counter()
    page.goto(f"{base}search/index.html?{params}")
    page.wait_for_selector('[data-state="done"], [data-state="idle"]', timeout=15000)
    elapsed = (time.perf_counter() - started) * 1000
    while page.is_visible("#search-more"):
        pages = page.get_attribute("[data-pages]", "data-pages")
        page.click("#search-more")
        page.wait_for_function(
            f"document.querySelector('[data-pages]').getAttribute('data-pages') !== '{pages}'"
        )
    hrefs = page.eval_on_selector_all("#search-results > li a", "els => els.map(e => e.href)")
    return hrefs, elapsed


def _ids(hrefs: list[str], base: str, docs: list[SearchDoc]) -> list[int]:
    by_url = {base + d.ref: i for i, d in enumerate(docs)}
    return [by_url[h] for h in hrefs]


@pytest.mark.parametrize("mode", ["http", "file"])
def test_results_equal_brute_force(page, mode: str, http_base: str, site: Path, docs) -> None:
    """Every query shows exactly the documents containing it, under a sub-path and from disk."""
    base = http_base if mode == "http" else (site / "xxgk").as_uri() + "/"
    for query in QUERIES:
        hrefs, _ = search(page, base, query)
        want = {i for i, d in enumerate(docs) if matches(query, d.title, d.body)}
        got = _ids(hrefs, base, docs)
        assert len(got) == len(set(got)), query
        assert set(got) == want, (mode, query)
        status = page.text_content("#search-status") or ""
        assert (str(len(want)) in status) if want else ("没有" in status), (query, status)
    assert page.dialogs == []


def test_result_link_and_metadata(page, http_base: str, docs) -> None:
    """A result links to its item page and shows domain, stage, date and a highlighted snippet."""
    hrefs, elapsed = search(page, http_base, "〔2024〕5号")
    target = next(i for i, d in enumerate(docs) if "〔2024〕5号文件" in d.title)
    assert hrefs == [http_base + docs[target].ref]
    item = page.locator("#search-results > li").first
    assert item.locator(".search-result-domain").text_content() == docs[target].domain
    assert item.locator(".search-result-stage").text_content() == docs[target].stage
    assert item.locator("time").get_attribute("datetime") == docs[target].date
    # the part is highlighted as matched: brackets at its ends are not part of it (spec step 4)
    assert item.locator(".search-result-snippet mark").first.text_content() == "2024〕5号"
    assert elapsed < 5000
    item.locator("a").click()
    page.wait_for_load_state()
    assert page.url == http_base + docs[target].ref


def test_yi_result_has_lang(page, http_base: str, docs) -> None:
    """Yi results are marked lang="ii" so the Yi font applies."""
    yi = next(d for d in docs if d.lang == "ii")
    hrefs, _ = search(page, http_base, yi.body[:4])
    assert http_base + yi.ref in hrefs
    assert page.locator("#search-results > li[lang=ii]").count() >= 1


def test_text_is_inserted_as_text(page, http_base: str) -> None:
    """A title holding markup shows literally; nothing from the index becomes HTML."""
    hrefs, _ = search(page, http_base, "低保公示")
    assert len(hrefs) == 1
    assert page.locator("#search-results a").first.text_content() == XSS_TITLE
    assert page.locator("#search-results img, #search-results script").count() == 0
    page.wait_for_timeout(200)
    assert page.dialogs == []


def test_filters(page, http_base: str, docs) -> None:
    """Domain, stage and year selects appear, start from the URL and narrow the results."""
    hrefs, _ = search(page, http_base, "发展", domain="jiuye", year="2023")
    want = {
        i
        for i, d in enumerate(docs)
        if matches("发展", d.title, d.body) and d.domain_slug == "jiuye" and d.date[:4] == "2023"
    }
    assert set(_ids(hrefs, http_base, docs)) == want
    assert page.input_value("#search-domain") == "jiuye"
    page.select_option("#search-domain", "")
    page.wait_for_selector('[data-state="done"]')
    page.wait_for_function("document.querySelectorAll('#search-results > li').length > 0")
    assert page.locator("#search-stage option").count() == 3


def test_phrase_ruled_out_by_neighbour_masks_says_no_results_at_once(
    page, http_base: str, docs
) -> None:
    """Forty candidates hold every pair of the phrase, none the phrase: the page loads the
    adjacency file of one pair and no item text, and says at once that nothing was found."""
    assert not any(matches(SCATTERED, d.title, d.body) for d in docs)
    pieces = [SCATTERED[i : i + 2] for i in range(len(SCATTERED) - 1)]
    assert sum(all(p in d.title or p in d.body for p in pieces) for d in docs) >= 40
    requested: list[str] = []
    page.on("request", lambda r: requested.append(urllib.parse.urlparse(r.url).path))
    page.goto(f"{http_base}search/index.html?{urllib.parse.urlencode({'q': SCATTERED})}")
    page.wait_for_selector('[data-state="done"]')
    assert page.text_content("#search-status") == "没有找到相关结果"
    assert not page.locator("#search-more").is_visible()
    assert [r for r in requested if "/search/d/" in r] == []
    assert len([r for r in requested if "/search/a/" in r]) == 1


def test_phrase_found_nowhere_says_so_and_keeps_looking(page, http_base: str, docs) -> None:
    """When the first page's checks find nothing but candidates remain, the status says that no
    item holding the whole query was found yet (not "about n results" above an empty list), and
    the button "继续查找" checks the rest until "没有找到相关结果"."""
    assert not any(matches(NOWHERE, d.title, d.body) for d in docs)
    pieces = [NOWHERE[i : i + 2] for i in range(len(NOWHERE) - 1)]
    candidates = sum(all(p in d.title or p in d.body for p in pieces) for d in docs)
    assert candidates > 30
    page.goto(f"{http_base}search/index.html?{urllib.parse.urlencode({'q': NOWHERE})}")
    page.wait_for_selector('[data-state="done"]')
    assert page.locator("#search-results > li").count() == 0
    status = page.text_content("#search-status")
    assert status == f"暂未找到完整包含检索词的结果，还有约 {candidates - 30} 条待核对"
    more = page.locator("#search-more")
    assert more.is_visible() and more.text_content() == "继续查找"
    more.click()
    page.wait_for_selector('[data-pages="2"][data-state="done"]')
    assert page.text_content("#search-status") == "没有找到相关结果"
    assert not more.is_visible()
    assert page.locator("#search-results > li").count() == 0
