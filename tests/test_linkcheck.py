"""Crawl the built sample site over real HTTP under a sub-path: no internal link may be broken."""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request

import pytest

LINK_RE = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def served(sample_served: str) -> str:
    """The sample output under /xxgk/ (see conftest.sample_served)."""
    return sample_served


@pytest.mark.server
def test_no_broken_internal_link_under_a_sub_path(served: str) -> None:
    seen: set[str] = set()
    queue = [served + "index.html"]
    broken: list[tuple[str, str]] = []
    while queue:
        url = queue.pop()
        if url in seen:
            continue
        seen.add(url)
        try:
            with urllib.request.urlopen(urllib.parse.quote(url, safe=":/%?=&")) as response:
                body = response.read()
                kind = response.headers.get_content_type()
        except urllib.error.HTTPError as exc:
            broken.append((url, str(exc.code)))
            continue
        if kind != "text/html":
            continue
        for href in LINK_RE.findall(body.decode("utf-8")):
            href = href.replace("&amp;", "&")
            if href.startswith(("http:", "https:", "mailto:", "#", "javascript:", "data:")):
                assert not href.startswith(("javascript:", "data:")), (url, href)
                continue
            assert not href.startswith("/"), (
                f"absolute link {href} in {url} breaks under a sub-path"
            )
            target = urllib.parse.unquote(urllib.parse.urljoin(url, href).split("#")[0])
            assert target.startswith(served), (url, href)
            assert not target.endswith("/"), (
                f"link to a folder {href} in {url} does not open from disk"
            )
            queue.append(target)
    assert not broken, broken[:20]
    assert len([u for u in seen if u.endswith(".html")]) > 200


@pytest.mark.server
def test_404_page_works_for_a_missing_url_at_any_depth(served: str) -> None:
    """A web server answers every missing URL with 404.html (nginx `error_page 404 /xxgk/404.html`):
    its styles and links must resolve from there too (it carries <base href> from site_url)."""
    missing = served + "shehui-jiuzhu/jieguo/no-such-page.html"
    try:
        urllib.request.urlopen(missing)
        raise AssertionError("expected a 404")
    except urllib.error.HTTPError as exc:
        assert exc.code == 404
        page = exc.read().decode("utf-8")
    base = re.search(r'<base href="([^"]+)">', page)
    assert base, "404.html has no <base href>"
    start = urllib.parse.urljoin(missing, base.group(1))
    hrefs = [h for h in LINK_RE.findall(page) if not h.startswith(("http:", "https:", "#"))]
    assert any(h.endswith("site.css") for h in hrefs)
    for href in hrefs:
        target = urllib.parse.urljoin(start, href).split("#")[0]
        try:
            with urllib.request.urlopen(urllib.parse.quote(target, safe=":/%?=&")) as response:
                assert response.status == 200
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"{href} → {target}: {exc.code}") from exc
