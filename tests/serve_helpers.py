"""Helpers for the live-preview tests: a small fixture site and `sitegen serve` in a subprocess."""

from __future__ import annotations

import http.client
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from conftest import REPO, TODAY, copy_site

ITEMS = REPO / "content" / "items"

DOMAIN_ITEMS = {
    "anquan-shengchan": ["anquan-shengchan-1.md", "anquan-shengchan-2.md"],
    "fupin": ["fupin-1.md", "fupin-2.md", "fupin-3.md"],
    "jiuye": [],
}

ITEM_TEMPLATE = """---
title: {title}
domain: {domain}
stage: 结果
date: 2025-03-0{day}
department: 县人力资源和社会保障局
written: 2025-03-01
{extra}---

{body}
"""


def make_site(dest: Path) -> Path:
    root = copy_site(dest)
    for domain, names in DOMAIN_ITEMS.items():
        folder = root / "content/items" / domain
        folder.mkdir(parents=True, exist_ok=True)
        for name in names:
            shutil.copy2(ITEMS / domain / name, folder / name)
    draft = ITEM_TEMPLATE.format(
        title="草稿：就业补贴办法征求意见稿",
        domain="就业",
        day=2,
        extra="draft: true\n",
        body="草稿正文。",
    )
    (root / "content/items/jiuye/draft-buzhu.md").write_text(draft, encoding="utf-8")
    return root


def title_of(path: Path) -> str:
    m = re.search(r"^title: (.+)$", path.read_text(encoding="utf-8"), re.M)
    assert m
    return m.group(1)


def set_title(path: Path, title: str) -> None:
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"^title: .+$", f"title: {title}", text, count=1, flags=re.M), encoding="utf-8"
    )


def wait_until(check: Callable[[], object], timeout: float = 20.0, what: str = "") -> object:
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            last = check()
        except (OSError, http.client.HTTPException, ValueError):
            last = None
        if last:
            return last
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or check}")


class ServeProcess:
    """`sitegen serve` in a subprocess; collects its terminal output."""

    def __init__(self, root: Path, *args: str, port: int = 0):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sitegen.cli",
                "serve",
                "--root",
                str(root),
                "--port",
                str(port),
                "--today",
                TODAY,
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=env,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        m = wait_until(
            lambda: next(
                (re.search(r"http://127\.0\.0\.1:(\d+)/", x) for x in self.lines if "预览：" in x),
                None,
            ),
            15,
            "the address line",
        )
        self.port = int(m.group(1))
        self.base = f"http://127.0.0.1:{self.port}"

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as r:
                return r.status, r.read().decode("utf-8")
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode("utf-8", "replace")

    def state(self) -> dict:
        return json.loads(self.get("/__sitegen/errors")[1])

    def wait_build(self, after: int, ok: bool | None = True, timeout: float = 20.0) -> dict:
        """Wait for a finished build newer than `after` (with the given outcome) and no build pending."""

        def done() -> dict | None:
            s = self.state()
            return s if s["build"] > after and (ok is None or s["ok"] is ok) else None

        return wait_until(done, timeout, f"build > {after} ok={ok}")  # type: ignore[return-value]

    def stop(self, sig: int = signal.SIGINT, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
