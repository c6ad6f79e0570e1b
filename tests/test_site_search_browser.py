"""Search on the built sample site, in real Chromium, through the real search page of both editions."""

from __future__ import annotations

import pytest
from test_search_browser import search

from sitegen.build import BuildResult
from sitegen.markdown import render_markdown
from sitegen.search.reference import matches

pytestmark = pytest.mark.browser

ZH_QUERIES = [
    "低保",
    "社会救助",
    "云府办发〔2024〕5号",
    "高质量发展",
    "养老服务",
    "的",
    "2024",
    "不存在的词语组合",
]
YI_QUERY = "ꃛꊸꊜꄻ"


@pytest.fixture(scope="module")
def served(sample_served: str) -> str:
    """The sample output under /xxgk/ (see conftest.sample_served)."""
    return sample_served


def _expected(result: BuildResult, prefix: str, query: str) -> set[str]:
    """Brute force: item pages of the edition whose title or body text contains the query."""
    assert result.site is not None
    edition = next(e for e in result.site.editions if e.prefix == prefix)
    return {
        e.path[len(prefix) :]
        for e in edition.entries
        if matches(query, e.text.title, render_markdown(e.text.body).text)
    }


@pytest.fixture
def page(browser):
    context = browser.new_context()
    p = context.new_page()
    yield p
    context.close()


@pytest.mark.parametrize("prefix", ["", "ii/"])
def test_sample_site_search_equals_brute_force(
    page, served: str, sample_build, prefix: str
) -> None:
    _, result = sample_build
    base = served + prefix
    for query in [*ZH_QUERIES, YI_QUERY]:
        hrefs, _ = search(page, base, query)
        got = [h[len(base) :] for h in hrefs]
        assert len(got) == len(set(got)), query
        assert set(got) == _expected(result, prefix, query), (prefix, query)


def test_yi_query_finds_the_yi_item_and_a_click_opens_it(page, served: str, sample_build) -> None:
    hrefs, _ = search(page, served + "ii/", YI_QUERY)
    assert served + "ii/shehui-jiuzhu/shuangyu-1.html" in hrefs
    page.click('#search-results a[href$="shuangyu-1.html"]')
    page.wait_for_load_state()
    assert page.url.endswith("ii/shehui-jiuzhu/shuangyu-1.html")
    assert YI_QUERY in (page.text_content("h1") or "")


def test_every_shown_result_contains_the_query(page, served: str) -> None:
    hrefs, _ = search(page, served, "低保")
    assert hrefs
    snippets = page.eval_on_selector_all(
        "#search-results > li", "els => els.map(e => e.textContent)"
    )
    assert all("低保" in s for s in snippets)
    marks = page.eval_on_selector_all("#search-results mark", "els => els.map(e => e.textContent)")
    assert marks and all(m == "低保" for m in marks)
