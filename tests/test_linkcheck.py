"""Crawl the built sample site over real HTTP under a sub-path: no internal link may be broken."""

from __future__ import annotations

import functools
import http.server
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import free_port

LINK_RE = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.fixture(scope="module")
def served(sample_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample output served at http://127.0.0.1:PORT/xxgk/ (a sub-path, as on a county portal)."""
    docroot = tmp_path_factory.mktemp("docroot")
    (docroot / "xxgk").symlink_to(sample_output, target_is_directory=True)
    handler = functools.partial(QuietHandler, directory=str(docroot))
    port = free_port()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}/xxgk/"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


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
