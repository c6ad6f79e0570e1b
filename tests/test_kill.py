"""A build killed with SIGKILL while writing leaves the previous site complete and servable.

The site is built once small (the "previous output"), then grows to ~1,500 items so the next
build writes for long enough to be caught: the test polls for the temporary folder
`.output.tmp-*` that write_site() fills next to output/, kills the build there, and checks that
output/ is byte for byte what it was, that a web server still serves it, and that the next
build succeeds and removes the stale temporary folder.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from sitegen.config import load_config

REPO = Path(__file__).resolve().parents[1]
TODAY = "2025-12-31"
ITEMS = 1500

pytestmark = pytest.mark.slow


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}


def _build_cmd(root: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "sitegen.cli",
        "build",
        "--root",
        str(root),
        "--out",
        str(root / "output"),
        "--today",
        TODAY,
        "-q",
    ]


def _snapshot(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def _write_items(root: Path, count: int, start: int = 0) -> None:
    config, problems = load_config(root)
    assert config is not None, problems
    sections = config.sections
    stages = [s.name for s in config.stages]
    for n in range(start, start + count):
        section = sections[n % len(sections)]
        folder = root / "content" / "items" / section.slug
        folder.mkdir(parents=True, exist_ok=True)
        day = 1 + n % 28
        (folder / f"item-{n:05d}.md").write_text(
            "---\n"
            f"title: 关于{section.name}第{n}号事项的公告\n"
            f"domain: {section.name}\n"
            f"stage: {stages[n % len(stages)]}\n"
            f"date: 2024-{1 + n % 12:02d}-{day:02d}\n"
            "department: 县人民政府办公室\n"
            f"summary: 第{n}号事项的内容概述\n"
            "---\n"
            f"根据有关规定，现将{section.name}第{n}号事项公告如下。\n\n"
            "一、办理时限：自受理之日起二十个工作日内办结。\n\n"
            "二、联系电话：0834-1234567。\n",
            encoding="utf-8",
        )


def _serve_get(folder: Path, path: str) -> tuple[int, bytes]:
    """Start python's http.server on 127.0.0.1 over `folder`, GET `path`, stop the server."""
    from conftest import free_port

    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{port}/{path}", timeout=5
                ) as response:
                    return response.status, response.read()
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_sigkill_during_write_keeps_previous_output(tmp_path: Path) -> None:
    root = tmp_path / "site"
    for name in ("data", "themes"):
        shutil.copytree(REPO / name, root / name)
    _write_items(root, 30)
    first = subprocess.run(
        _build_cmd(root), env=_env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert first.returncode == 0, first.stderr
    out = root / "output"
    before = _snapshot(out)
    assert "index.html" in before and ".sitegen-output" in before

    _write_items(root, ITEMS, start=30)
    proc = subprocess.Popen(
        _build_cmd(root), env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    tmp_dirs: list[Path] = []
    try:
        deadline = time.monotonic() + 300
        while not tmp_dirs and proc.poll() is None and time.monotonic() < deadline:
            tmp_dirs = list(root.glob(".output.tmp-*"))
            time.sleep(0.002)
        assert tmp_dirs, "the build finished before it could be killed: make the site bigger"
        time.sleep(0.05)  # let it write a little more: kill it in the middle, not at the start
        proc.kill()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=30)
    assert proc.returncode == -9

    # The killed build left its half-written folder; output/ is exactly the previous site.
    (stale,) = tmp_dirs
    assert stale.is_dir()
    assert not (stale / ".sitegen-output").exists(), "killed before the swap"
    assert _snapshot(out) == before
    status, page = _serve_get(out, "index.html")
    assert status == 200 and page == before["index.html"]

    # The next build succeeds, publishes everything and removes the stale folder.
    again = subprocess.run(
        _build_cmd(root), env=_env(), capture_output=True, text=True, timeout=300, check=False
    )
    assert again.returncode == 0, again.stderr
    assert not stale.exists()
    assert not list(root.glob(".output.*"))
    after = _snapshot(out)
    items = [
        p
        for p in after
        if p.rsplit("/", 1)[-1].startswith("item-")
        and p.endswith(".html")
        and not p.startswith("ii/")
    ]
    assert len(items) == 30 + ITEMS
    status, _ = _serve_get(out, items[-1])
    assert status == 200
