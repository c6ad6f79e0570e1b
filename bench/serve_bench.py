#!/usr/bin/env python3
"""Live-preview latency: from saving one edited item to the rebuilt page being served.

    python bench/serve_bench.py [--items 10000] [--seed 1] [--repeat 2] [--work DIR]

Generates (or reuses) a site of N items with bench/gen_corpus.py (a tiny built-in generator is used
if that script is missing), starts `sitegen serve --watch` on a free port, then for each repeat:
changes one published item's title, saves it, and polls the item page over HTTP until the new title
is served. Beside it: the serve's first build and a cold `sitegen build` into an empty folder (a full
rebuild). Prints the numbers; asserts nothing. The edited item is restored at the end.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
TODAY = "2025-12-31"
FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)
TITLE = re.compile(r"^title: .*$", re.M)


def log(text: str) -> None:
    print(f"[serve-bench] {text}", file=sys.stderr, flush=True)


def env() -> dict[str, str]:
    e = dict(os.environ, PYTHONUNBUFFERED="1", SITEGEN_TODAY=TODAY)
    e["PYTHONPATH"] = str(REPO) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------


def corpus(items: int, seed: int, root: Path) -> Path:
    """A site root with `items` item files (reused when the manifest matches)."""
    manifest = root / ".bench-corpus.json"
    if manifest.is_file():
        have = json.loads(manifest.read_text(encoding="utf-8"))
        if have.get("items") == items and have.get("seed") == seed:
            log(f"corpus: reusing {root}")
            return root
    if root.exists():
        shutil.rmtree(root)
    gen = HERE / "gen_corpus.py"
    t0 = time.perf_counter()
    if gen.is_file():
        log(f"corpus: bench/gen_corpus.py --items {items} --seed {seed} …")
        subprocess.run(
            [
                sys.executable,
                str(gen),
                "--items",
                str(items),
                "--seed",
                str(seed),
                "--out",
                str(root),
                "-q",
            ],
            check=True,
        )
    else:
        log(
            f"corpus: bench/gen_corpus.py not found, using the built-in generator ({items} items) …"
        )
        tiny_corpus(items, seed, root)
    log(f"corpus: {time.perf_counter() - t0:.1f}s → {root}")
    return root


def snapshot_themes(root: Path) -> None:
    """A private copy of the working tree's themes/ (not gen_corpus's symlink): edits others make to
    the repository's themes while the benchmark runs must not trigger rebuilds in it."""
    themes = root / "themes"
    if themes.is_symlink() or themes.is_file():
        themes.unlink()
    elif themes.is_dir():
        shutil.rmtree(themes)
    shutil.copytree(REPO / "themes", themes, ignore=shutil.ignore_patterns("__pycache__"))


def tiny_corpus(items: int, seed: int, root: Path) -> None:
    """Minimal stand-in for gen_corpus.py: valid items spread over the 26 domains."""
    import random

    import yaml

    shutil.copytree(REPO / "data", root / "data")
    sections = yaml.safe_load((root / "data/sections.yml").read_text(encoding="utf-8"))["sections"]
    stages = ["决策", "执行", "管理", "服务", "结果"]
    rng = random.Random(seed)
    sentences = [
        line.strip()
        for line in (REPO / "content").rglob("*.md")
        for line in line.read_text(encoding="utf-8").split("\n")[20:]
        if len(line) > 30
    ][:400] or ["正文。"]
    for n in range(items):
        s = sections[n % len(sections)]
        folder = root / "content/items" / s["slug"]
        folder.mkdir(parents=True, exist_ok=True)
        body = "\n\n".join(rng.choice(sentences) for _ in range(4))
        (folder / f"{s['slug']}-{n:05d}.md").write_text(
            f"---\ntitle: {s['name']}信息公开第{n}号\ndomain: {s['slug']}\nstage: {stages[n % 5]}\n"
            f"date: 2025-{1 + n % 12:02d}-{1 + n % 28:02d}\ndepartment: 县人民政府办公室\n"
            f"written: 2025-{1 + n % 12:02d}-{1 + n % 28:02d}\n---\n\n{body}\n",
            encoding="utf-8",
        )
    (root / ".bench-corpus.json").write_text(
        json.dumps({"items": items, "seed": seed}), encoding="utf-8"
    )


def pick_item(root: Path) -> tuple[Path, str, str]:
    """A published Chinese item: (file, URL path, title)."""
    import yaml

    for path in sorted((root / "content/items").rglob("*.md")):
        if path.name.endswith(".ii.md"):
            continue
        m = FRONT.match(path.read_text(encoding="utf-8"))
        if not m:
            continue
        fm = yaml.safe_load(m.group(1)) or {}
        if (
            fm.get("draft")
            or fm.get("disclosure", "主动公开") != "主动公开"
            or str(fm.get("date")) > TODAY
        ):
            continue
        slug = fm.get("slug") or path.stem
        return path, f"/{path.parent.name}/{slug}.html", str(fm["title"])
    raise SystemExit("no published item found")


# ---------------------------------------------------------------------------------------------
# Server
# ---------------------------------------------------------------------------------------------


class Server:
    """`sitegen serve --watch` in a subprocess; every terminal line is kept with its arrival time."""

    def __init__(self, root: Path):
        cmd = [sys.executable, "-m", "sitegen.cli", "serve", "--watch", "--root", str(root)]
        self.proc = subprocess.Popen(
            [*cmd, "--port", "0", "--today", TODAY],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            env=env(),
        )
        self.lines: list[tuple[float, str]] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.base = ""
        while not self.base:
            if self.proc.poll() is not None:
                raise SystemExit("sitegen serve exited:\n" + self.tail())
            for _, line in list(self.lines):
                m = re.search(r"(http://127\.0\.0\.1:\d+)/", line)
                if m:
                    self.base = m.group(1)
            time.sleep(0.05)

    def _read(self) -> None:
        assert self.proc.stdout
        for line in self.proc.stdout:
            self.lines.append((time.perf_counter(), line.rstrip("\n")))

    def tail(self, n: int = 30) -> str:
        return "\n".join(line for _, line in self.lines[-n:])

    def get(self, path: str) -> tuple[int, bytes]:
        try:
            with urllib.request.urlopen(self.base + path, timeout=30) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def state(self) -> dict:
        return json.loads(self.get("/__sitegen/errors")[1])

    def ready(self) -> bool:
        """True once the first build is served (the server answers only after it)."""
        try:
            return self.state()["build"] >= 1
        except OSError:  # refused before the port is known, or the build outlasted the timeout
            return False

    def served(self, url: str, wanted: bytes, build: int) -> bool:
        """True once `url` serves `wanted`; exits if a build after `build` failed meanwhile."""
        if wanted in self.get(url)[1]:
            return True
        state = self.state()
        if state["build"] > build and state["ok"] is False:
            texts = "\n".join(d["text"] for d in state["diagnostics"])
            raise SystemExit(f"the rebuild failed, nothing to measure:\n{texts}\n{self.tail()}")
        return False

    def first_line_after(self, since: float, needle: str) -> tuple[float, str] | None:
        """(arrival time, line) of the first terminal line after `since` that contains `needle`."""
        return next(((t, x) for t, x in list(self.lines) if t >= since and needle in x), None)

    def stop(self) -> None:
        """SIGTERM; a second one interrupts a build still running; kill as a last resort."""
        for sig, wait in ((signal.SIGTERM, 5), (signal.SIGTERM, 60)):
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
            try:
                self.proc.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue
        self.proc.kill()
        self.proc.wait()


def wait_for(check: Callable[[], object], timeout: float, poll: float = 0.01) -> float:
    """Seconds until check() is true (polling), or raise after `timeout`."""
    t0 = time.perf_counter()
    while not check():
        if time.perf_counter() - t0 > timeout:
            raise SystemExit(f"timed out after {timeout:.0f}s")
        time.sleep(poll)
    return time.perf_counter() - t0


def search_doc_url(root: Path, url: str) -> str:
    """URL of the search document file (search/d/N.js) of the item page at `url`."""
    ref = json.dumps(url.lstrip("/"), ensure_ascii=False).encode()
    for path in (root / ".sitegen-cache" / "preview" / "search" / "d").glob("*.js"):
        if b'"u":' + ref in path.read_bytes():
            return f"/search/d/{path.name}"
    raise SystemExit(f"no search document for {url}")


def printed_seconds(line: str) -> str:
    m = re.search(r"用时 ([\d.]+) 秒", line)
    return m.group(1) if m else "?"


def full_build(root: Path) -> tuple[float, int]:
    """Wall seconds and exit code of a cold `sitegen build` into an empty folder."""
    out = Path(tempfile.mkdtemp(prefix="serve-bench-out-"))
    cmd = [sys.executable, "-m", "sitegen.cli", "build", "--root", str(root), "--quiet"]
    try:
        t0 = time.perf_counter()
        r = subprocess.run(
            [*cmd, "--out", str(out / "site"), "--today", TODAY], env=env(), capture_output=True
        )
        return time.perf_counter() - t0, r.returncode
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=2, help="edits to time")
    ap.add_argument(
        "--work", type=Path, default=None, help="site folder (default bench/work/serve-N-sSEED)"
    )
    ap.add_argument("--timeout", type=float, default=1800, help="seconds to wait for one build")
    ap.add_argument(
        "--log", action="store_true", help="print the server's terminal output at the end"
    )
    args = ap.parse_args(argv)
    # Restore the edited item and stop the server also when stopped with kill or Ctrl-C (a
    # background job starts with SIGINT ignored).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    signal.signal(signal.SIGINT, signal.default_int_handler)

    work = args.work or HERE / "work" / f"serve-{args.items}-s{args.seed}"
    root = corpus(args.items, args.seed, work.resolve())
    shutil.rmtree(root / ".sitegen-cache", ignore_errors=True)
    snapshot_themes(root)
    item, url, title = pick_item(root)
    original = item.read_bytes()
    rows: list[tuple[str, str, str, str]] = []  # name, wall, change seen after, build (printed)

    log("starting sitegen serve --watch (first build) …")
    t0 = time.perf_counter()
    server = Server(root)
    try:
        wait_for(lambda: server.ready(), args.timeout, 0.2)
        if server.state()["ok"] is not True:
            raise SystemExit("first build failed:\n" + server.tail())
        first = time.perf_counter() - t0
        done = server.first_line_after(t0, "生成完成")
        rows.append(
            (
                "serve: process start → first build served",
                f"{first:.2f}",
                "",
                printed_seconds(done[1]) if done else "?",
            )
        )
        status, page = server.get(url)
        if status != 200 or html.escape(title).encode() not in page:
            raise SystemExit(f"{url} does not show {title!r} (HTTP {status})")
        doc_url = search_doc_url(root, url)
        for r in range(1, args.repeat + 1):
            new = f"{title}（基准测试修改{r}）"
            quoted = json.dumps(new, ensure_ascii=False)  # valid YAML whatever the title holds
            text = TITLE.sub(lambda _m, q=quoted: f"title: {q}", original.decode("utf-8"), count=1)
            log(f"edit {r}/{args.repeat}: {item.relative_to(root)} …")
            before = server.state()["build"]
            item.write_text(text, encoding="utf-8")
            saved = time.perf_counter()
            wanted = html.escape(new).encode()
            latency = wait_for(lambda w=wanted, b=before: server.served(url, w, b), args.timeout)
            in_index = json.dumps(new, ensure_ascii=False)[1:-1].encode()
            indexed = wait_for(  # polled less often: requests compete with the build for the GIL
                lambda w=in_index: w in server.get(doc_url)[1], args.timeout, poll=0.05
            )
            indexed += latency
            wait_for(lambda s=saved: server.first_line_after(s, "搜索索引已更新"), 60, 0.05)
            seen = server.first_line_after(saved, "→ ")
            pages = server.first_line_after(saved, "页面已更新")
            search = server.first_line_after(saved, "搜索索引已更新")
            rows.append(
                (
                    f"serve: save edited item → page served (#{r})",
                    f"{latency:.2f}",
                    f"{seen[0] - saved:.2f}" if seen else "?",
                    printed_seconds(pages[1]) if pages else "?",
                )
            )
            rows.append(
                (
                    f"serve: save edited item → search index has it (#{r})",
                    f"{indexed:.2f}",
                    "",
                    printed_seconds(search[1]) if search else "?",
                )
            )
            time.sleep(0.5)
    finally:
        item.write_bytes(original)
        server.stop()
    if args.log:
        print(server.tail(10**6))

    log("cold sitegen build (full rebuild) …")
    full, code = full_build(root)
    rows.append(
        (
            "sitegen build: full rebuild into an empty folder",
            f"{full:.2f}",
            "",
            "" if code == 0 else f"exit {code}",
        )
    )

    print(
        f"\nsitegen serve, {args.items} items (seed {args.seed}), edited {item.relative_to(root)}"
    )
    print(f"{'measurement':<50} {'wall s':>8} {'seen s':>7} {'build s':>8}")
    for name, wall, seen_s, build_s in rows:
        print(f"{name:<50} {wall:>8} {seen_s:>7} {build_s:>8}")
    print(
        "wall: until the new title is served over HTTP (page polled every 10 ms, index every 50 ms)"
    )
    print("seen: until serve printed the classified change (watcher + 0.2 s debounce)")
    print("build: the time serve printed for that pass (pages first, then the search index)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
