"""Shared fixtures: the sample site built once per test session, free ports, a browser launcher."""

from __future__ import annotations

import shutil
import socket
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
