"""Shared fixtures: the sample site built once per test session, free ports, a browser launcher."""

from __future__ import annotations

import functools
import shutil
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from sitegen.build import BuildOptions, BuildResult, build

REPO = Path(__file__).resolve().parents[1]
TODAY = "2025-12-31"


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    """The repository's sample site (content/, data/, themes/) built once into a temp output folder."""
    import datetime as dt

    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "data", "themes"):
        shutil.copytree(REPO / name, root / name, symlinks=True)
    out = root / "output"
    result = build(BuildOptions(root=root, out=out, today=dt.date.fromisoformat(TODAY)))
    return out, result


@pytest.fixture(scope="session")
def sample_output(sample_build: tuple[Path, BuildResult]) -> Path:
    """Output folder of the sample site build."""
    return sample_build[0]


def copy_site(dest: Path, *, content: bool = False) -> Path:
    """A fresh site root in `dest` with the repository's data/ and themes/ (and content/ if asked)."""
    names = ("data", "themes", "content") if content else ("data", "themes")
    for name in names:
        shutil.copytree(REPO / name, dest / name, symlinks=True)
    (dest / "content" / "items").mkdir(parents=True, exist_ok=True)
    return dest


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class QuietHandler(SimpleHTTPRequestHandler):
    """Static files without request logging; a missing file gets `not_found` (the site's 404.html)
    with status 404, as a web server configured with `error_page 404` does."""

    not_found: Path | None = None

    def log_message(self, format: str, *args: object) -> None:
        pass

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        if code != 404 or self.not_found is None or not self.not_found.is_file():
            super().send_error(code, message, explain)
            return
        body = self.not_found.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_directory(directory: Path, not_found: Path | None = None) -> Iterator[str]:
    """`directory` served over HTTP on 127.0.0.1 (a free port); yields its base URL."""
    handler = type("Handler", (QuietHandler,), {"not_found": not_found})
    server = ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def sample_served(sample_output: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The sample output served at http://127.0.0.1:PORT/xxgk/ (a sub-path, as on a county portal),
    missing URLs answered with its 404.html."""
    docroot = tmp_path_factory.mktemp("docroot")
    (docroot / "xxgk").symlink_to(sample_output, target_is_directory=True)
    with serve_directory(docroot, not_found=sample_output / "404.html") as base:
        yield base + "xxgk/"


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    if not Path("/usr/bin/chromium").exists():
        pytest.fail(
            "Debian chromium is missing: apt-get install -y chromium (scripts/test.sh does this)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        yield b
        b.close()
