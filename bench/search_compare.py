#!/usr/bin/env python3
"""sitegen's search index next to Pagefind's, on the same built site, measured in Chromium.

    python bench/search_compare.py --items 10000 [--seed 1] [--work bench/work] [--corpus DIR]
        [--repeat 3]

1. Generates (or reuses) a Chinese-only corpus in WORK/search-compare-<N>/ and builds it cold with
   sitegen, without --quiet so that the per-stage times are printed; "index build s" for sitegen is
   its search stage. Peak memory is that of the whole build (one process tree).
2. Runs Pagefind (extended binary, language forced to zh) on the same output, indexing the item
   pages only and, in them, the same text sitegen indexes: the <h1> title and the body.
3. Serves the output over HTTP (gzip when the client accepts it; TCP_NODELAY, as production
   servers do) and opens every query of bench/search_bench.py as the first query of a fresh
   Chromium context: sitegen's real search page (search/index.html?q=…) and a small harness page
   calling pagefind.search(q) and loading the data of the first 10 results, --repeat times per
   query and engine, alternating engines (a query's times are the median of its runs). Figures:
   gzip bytes of every response until the first results are shown, milliseconds from navigation
   start to them, and recall and precision of all results against the brute-force reference
   (sitegen.search.reference) over the indexed item texts.
4. Prints a Markdown table and writes the figures to bench/results/search_compare.json.

Nothing is asserted: the numbers are for reading. See bench/README.md.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import mimetypes
import os
import platform
import re
import shutil
import statistics
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path[:0] = [str(HERE), str(REPO)]

import gen_corpus  # noqa: E402
import run as harness  # noqa: E402  (corpus cache, process measurement)
from search_bench import QUERIES  # noqa: E402

from sitegen.search import normalize, parse_query  # noqa: E402
from sitegen.search.reference import part_occurs  # noqa: E402

MB = 1_000_000
PAGEFIND_DIR = "pagefind_cmp"
HARNESS_PAGE = "pagefind_cmp_harness.html"
FIRST_PAGE = 10  # results whose data both engines load before showing them
BROWSER_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# Pagefind reads only the item pages, and in them what sitegen indexes: the <h1> and the body.
PAGEFIND_GLOB = "*/*-[0-9]*.html"
PAGEFIND_ROOT = "article.item"
PAGEFIND_EXCLUDE = "table.meta-table, section.attachments, section.related, p.notice"
SITEGEN_SCRIPTS = ("/assets/vendor/", "/assets/search/")  # lunr, tokenizer.js, search.js
PAGEFIND_INDEX_SUFFIXES = (".pf_meta", ".pf_index", ".pf_fragment", ".pf_filter")
COMPRESSIBLE = ("text/", "application/javascript", "application/json", "image/svg+xml")

Json = dict[str, Any]


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------
# Building both indexes
# --------------------------------------------------------------------------------------
def prepare_corpus(items: int, seed: int, folder: Path, corpus: Path) -> Path:
    """The generated site root (cached by bench/run.py's rules), made Chinese-only."""
    root, _ = harness.corpus_for(items, seed, folder, corpus)
    harness.set_languages(root, "zh")
    return root


def build_sitegen(root: Path, out: Path, logs: Path) -> Json:
    """Cold build; wall, CPU and memory of the whole build, and its stage times."""
    for stale in (out, root / ".sitegen-cache"):  # moved away, not deleted: see run.set_aside
        if stale.exists():
            harness.set_aside(stale)
    cmd = [sys.executable, "-m", "sitegen.cli", "build", "--root", str(root), "--out", str(out)]
    cmd += ["--today", harness.TODAY]
    m = harness.measure(
        cmd, cwd=REPO, env=harness.sitegen_env(), logfile=logs / "sitegen.log", sample=True
    )
    if m["rc"] != 0:
        raise SystemExit(f"sitegen build failed (exit {m['rc']}):\n{harness.tail(m['log'])}")
    text = Path(m["log"]).read_text(encoding="utf-8", errors="replace")
    line = next((ln for ln in text.splitlines() if ln.startswith("用时")), "")
    m["stages_s"] = {k: float(v) for k, v in re.findall(r"(\w+) (\d+(?:\.\d+)?)s", line)}
    if "search" not in m["stages_s"]:
        raise SystemExit(f"no search time in sitegen's output ({m['log']}): {line!r}")
    m["index_s"] = m["stages_s"]["search"]
    return m


def pagefind_command() -> list[str]:
    """The extended Pagefind binary itself (so Python's start-up is not timed), else the module."""
    try:
        import pagefind_bin_extended

        return [str(pagefind_bin_extended.get_executable())]
    except (ImportError, FileNotFoundError):
        return [sys.executable, "-m", "pagefind"]


def build_pagefind(out: Path, logs: Path) -> Json:
    bundle = out / PAGEFIND_DIR
    shutil.rmtree(bundle, ignore_errors=True)
    cmd = [*pagefind_command(), "--site", str(out), "--output-subdir", PAGEFIND_DIR]
    cmd += ["--glob", PAGEFIND_GLOB, "--root-selector", PAGEFIND_ROOT]
    cmd += ["--exclude-selectors", PAGEFIND_EXCLUDE, "--force-language", "zh"]
    m = harness.measure(cmd, cwd=REPO, env=None, logfile=logs / "pagefind.log", sample=True)
    if m["rc"] != 0:
        raise SystemExit(f"pagefind failed (exit {m['rc']}):\n{harness.tail(m['log'])}")
    text = Path(m["log"]).read_text(encoding="utf-8", errors="replace")
    if "Extended" not in text:
        log("warning: this Pagefind is not the extended build; Chinese is not segmented")
    m["index_s"] = m["wall_s"]
    m["version"] = next(iter(re.findall(r"Running Pagefind (v\S+ ?\S*)", text)), None)
    for what in ("pages", "words"):
        found = re.search(rf"Indexed (\d+) {what}", text)
        m[f"indexed_{what}"] = int(found.group(1)) if found else None
    return m


# --------------------------------------------------------------------------------------
# Index sizes and the texts both engines index
# --------------------------------------------------------------------------------------
def served_size(path: Path) -> int:
    """Bytes the server below sends for a file: gzip -6 of text types, other files as they are."""
    data = path.read_bytes()
    return len(gzip.compress(data, 6, mtime=0)) if compressible(path.name) else len(data)


def compressible(name: str) -> bool:
    kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return kind.startswith(COMPRESSIBLE)


def size_of(files: Iterable[Path]) -> Json:
    files = list(files)
    return {
        "files": len(files),
        "bytes": sum(f.stat().st_size for f in files),
        "served_bytes": sum(served_size(f) for f in files),
    }


def sitegen_index_files(out: Path) -> list[Path]:
    """Everything in search/ but the search page: manifest.js, term shards t/, documents d/."""
    search = out / "search"
    return [p for p in search.rglob("*") if p.is_file() and p != search / "index.html"]


def pagefind_index_files(out: Path) -> list[Path]:
    bundle = out / PAGEFIND_DIR
    return [bundle / "pagefind-entry.json"] + [
        p for p in bundle.rglob("*") if p.suffix in PAGEFIND_INDEX_SUFFIXES
    ]


def index_texts(out: Path) -> dict[str, tuple[str, str]]:
    """URL path (from the site root) -> (title, body) of every item in sitegen's index."""
    texts = {}
    for path in (out / "search" / "d").glob("*.js"):
        raw = path.read_text(encoding="utf-8")
        doc = json.loads(raw[raw.index(",") + 1 : raw.rindex(")")])  # SitegenSearch.add("d/N",{…})
        texts["/" + doc["u"]] = (doc["t"], doc["b"])
    return texts


def pagefind_urls(out: Path) -> dict[str, str]:
    """Pagefind result id (its fragment's name) -> page URL."""
    urls = {}
    for path in (out / PAGEFIND_DIR / "fragment").glob("*.pf_fragment"):
        data = gzip.decompress(path.read_bytes())
        urls[path.stem] = json.loads(data.removeprefix(b"pagefind_dcd"))["url"]
    return urls


def reference_results(queries: list[str], texts: dict[str, tuple[str, str]]) -> dict[str, set]:
    """The URLs each query must find: reference.matches() on texts normalised once."""
    norm = [(url, normalize(t), normalize(b)) for url, (t, b) in texts.items()]
    truth = {}
    for q in queries:
        parts = [p.text for p in parse_query(q)]
        truth[q] = {
            url
            for url, t, b in norm
            if parts and all(part_occurs(p, t) or part_occurs(p, b) for p in parts)
        }
    return truth


# --------------------------------------------------------------------------------------
# A static server that gzips like a production one and records what it sent
# --------------------------------------------------------------------------------------
class RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Path) -> None:
        super().__init__(("127.0.0.1", 0), functools.partial(Handler, directory=str(site)))
        self.lock = threading.Lock()
        self.sent: list[Json] = []
        self.cache: dict[Path, bytes] = {}  # gzip of each text file, made once

    def payload(self, path: Path, gzip_ok: bool) -> tuple[bytes, bool]:
        if not (gzip_ok and compressible(path.name)):
            return path.read_bytes(), False
        with self.lock:
            cached = self.cache.get(path)
        if cached is None:
            cached = gzip.compress(path.read_bytes(), 6, mtime=0)
            with self.lock:
                self.cache[path] = cached
        return cached, True

    def record(self, path: str, status: int, sent: int, raw: int) -> None:
        with self.lock:
            self.sent.append({"path": path, "status": status, "sent": sent, "raw": raw})

    def take(self) -> list[Json]:
        """The responses recorded since the last call."""
        with self.lock:
            sent, self.sent = self.sent, []
        return sent


class Handler(SimpleHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # TCP_NODELAY, as production servers set it on keep-alive connections (nginx's tcp_nodelay):
    # without it the body, written after the headers, waits for the client's delayed ACK of them
    # (about 40 ms on Linux) on most responses of a reused connection.
    disable_nagle_algorithm = True
    server: RecordingServer

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        url_path = urllib.parse.urlsplit(self.path).path
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            self.send_error(404)
            self.server.record(url_path, 404, 0, 0)
            return
        body, encoded = self.server.payload(path, "gzip" in self.headers.get("Accept-Encoding", ""))
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        if encoded:
            self.send_header("Content-Encoding", "gzip")
        self.end_headers()
        self.wfile.write(body)
        self.server.record(url_path, 200, len(body), path.stat().st_size)


# --------------------------------------------------------------------------------------
# Chromium
# --------------------------------------------------------------------------------------
HARNESS = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>Pagefind</title></head>
<body><div id="app"><ol id="results"></ol></div>
<script type="module">
const app = document.getElementById("app");
const list = document.getElementById("results");
const query = new URLSearchParams(location.search).get("q") || "";
try {
  const pagefind = await import("/%(dir)s/pagefind.js");
  const started = performance.now();
  const search = await pagefind.search(query);
  const pending = search.results.slice(0, %(n)d).map((r) => r.data());
  const stamp = (name) => {
    app.dataset[name] = String(Math.round(performance.now() - started));
    app.dataset["sinceNavigation" + name[0].toUpperCase() + name.slice(1)] = String(Math.round(performance.now()));
  };
  for (const next of pending) {  // each result shown as soon as it and those above it are in
    const data = await next;
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title;
    const excerpt = document.createElement("p");
    excerpt.innerHTML = data.excerpt;
    item.append(link, excerpt);
    list.append(item);
    if (!app.dataset.msFirst) stamp("msFirst");
  }
  if (!app.dataset.msFirst) stamp("msFirst");  // no result: the end of the (empty) page
  stamp("ms");
  window.pagefindIds = search.results.map((r) => r.id);
  app.dataset.state = "done";
} catch (error) {
  app.dataset.error = String(error && error.stack || error);
  app.dataset.state = "error";
}
</script></body></html>
"""

SITEGEN_ALL = """async (query) => {
  const search = await SitegenSearch.engine.search(query, {});
  const results = await search.next(1e9);
  return results.map((r) => r.doc.u);
}"""

FINISHED = '[data-state="done"], [data-state="idle"], [data-state="error"]'


@dataclass(frozen=True)
class Engine:
    """How to open one engine's page for a query, what each file it loads is, and all its results."""

    name: str
    page: str  # the search page, relative to the site root; ?q=… is appended
    app: str  # selector of the element that gets data-state, data-ms, …
    kind: Callable[[str], str]  # URL path -> "index", "script" (the engine's code) or "page"
    all_results: Callable[[Any, str], list[str]]  # (playwright page, query) -> URL paths


def sitegen_kind(path: str) -> str:
    if path.startswith("/search/") and path.endswith(".js"):
        return "index"
    return "script" if path.startswith(SITEGEN_SCRIPTS) and path.endswith(".js") else "page"


def pagefind_kind(path: str) -> str:
    if path.endswith(PAGEFIND_INDEX_SUFFIXES) or path.endswith("/pagefind-entry.json"):
        return "index"
    return "script" if path.startswith(f"/{PAGEFIND_DIR}/") else "page"


def engines(out: Path) -> list[Engine]:
    ids = pagefind_urls(out)

    def sitegen_all(page: Any, query: str) -> list[str]:
        return ["/" + u for u in page.evaluate(SITEGEN_ALL, query)]

    def pagefind_all(page: Any, query: str) -> list[str]:
        return [ids[i] for i in page.evaluate("() => window.pagefindIds || []")]

    return [
        Engine("sitegen", "search/index.html", "#search-app", sitegen_kind, sitegen_all),
        Engine("pagefind", HARNESS_PAGE, "#app", pagefind_kind, pagefind_all),
    ]


def first_query(
    browser: Any, base: str, server: RecordingServer, eng: Engine, q: str, collect: bool = True
) -> Json:
    """Open the engine's page for q in a fresh context: what the first results cost; all results."""
    context = browser.new_context()
    try:
        page = context.new_page()
        server.take()
        started = time.perf_counter()
        page.goto(f"{base}{eng.page}?{urllib.parse.urlencode({'q': q})}", wait_until="commit")
        page.wait_for_selector(FINISHED, state="attached", timeout=120_000)
        wall_ms = (time.perf_counter() - started) * 1000
        responses = server.take()
        state = page.get_attribute(eng.app, "data-state")
        ms = page.get_attribute(eng.app, "data-ms")
        ms_first = page.get_attribute(eng.app, "data-ms-first")
        nav_first = page.get_attribute(eng.app, "data-since-navigation-ms-first")
        nav = page.get_attribute(eng.app, "data-since-navigation-ms")
        shown = page.locator(f"{eng.app} ol > li").count()
        error = page.get_attribute(eng.app, "data-error") if state == "error" else None
        found = eng.all_results(page, q) if collect and state == "done" else []
    finally:
        context.close()
    ok = [r for r in responses if r["status"] == 200]
    return {
        "state": state,
        "error": error,
        "ms_query": int(ms) if ms else None,
        "ms_first": int(ms_first) if ms_first else None,
        "ms_navigation_first": int(nav_first) if nav_first else None,
        "ms_navigation": int(nav) if nav else None,
        "ms_wall": round(wall_ms),
        "shown": shown,
        "bytes_total": sum(r["sent"] for r in ok),
        "bytes_script": sum(r["sent"] for r in ok if eng.kind(r["path"]) == "script"),
        "bytes_index": sum(r["sent"] for r in ok if eng.kind(r["path"]) == "index"),
        "requests": len(responses),
        "not_found": [r["path"] for r in responses if r["status"] != 200],
        "responses": [[r["path"], r["sent"]] for r in ok],
        "found": sorted(set(found)),
        "duplicates": len(found) - len(set(found)),
    }


MS_KEYS = ("ms_query", "ms_first", "ms_navigation_first", "ms_navigation", "ms_wall")


def combine(runs: list[Json]) -> Json:
    """One figure per query from repeated cold runs: the first run's bytes and results, the median
    of each time (every run's ms_first kept in ``ms_first_runs``)."""
    out = dict(runs[0])
    for key in MS_KEYS:
        values = [r[key] for r in runs if r[key] is not None]
        out[key] = round(statistics.median(values)) if values else None
    out["ms_first_runs"] = [r["ms_first"] for r in runs]
    return out


def browse(out: Path, queries: list[str], repeat: int = 1) -> dict[str, dict[str, Json]]:
    from playwright.sync_api import sync_playwright

    (out / HARNESS_PAGE).write_text(HARNESS % {"dir": PAGEFIND_DIR, "n": FIRST_PAGE}, "utf-8")
    server = RecordingServer(out)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    per_engine: dict[str, dict[str, Json]] = {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=BROWSER_ARGS)
            engs = engines(out)
            for eng in engs:  # warm-up (not counted): browser start, server gzip cache of scripts
                first_query(browser, base, server, eng, queries[0], collect=False)
            for n, q in enumerate(queries, 1):
                started = time.perf_counter()
                runs: dict[str, list[Json]] = {eng.name: [] for eng in engs}
                for r in range(repeat):
                    for eng in engs:  # alternate engines, so that load on the machine hits both
                        runs[eng.name].append(first_query(browser, base, server, eng, q, r == 0))
                for eng in engs:
                    per_engine.setdefault(eng.name, {})[q] = combine(runs[eng.name])
                log(f"  query {n}/{len(queries)} {q}: {time.perf_counter() - started:.1f}s")
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return per_engine


# --------------------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------------------
def score(runs: dict[str, Json], truth: dict[str, set]) -> None:
    """Add recall and precision to each query's run (None where undefined)."""
    for q, r in runs.items():
        found, want = set(r["found"]), truth[q]
        hit = len(found & want)
        r["truth"] = len(want)
        r["recall"] = hit / len(want) if want else None
        r["precision"] = hit / len(found) if found else None
        r["exact"] = found == want


def summary(build: Json, index: Json, runs: dict[str, Json]) -> Json:
    def spread(key: str) -> tuple[float, float] | None:
        values = [r[key] for r in runs.values() if r[key] is not None]
        return (statistics.median(values), max(values)) if values else None

    def mean_min(key: str) -> tuple[float, float] | None:
        values = [r[key] for r in runs.values() if r[key] is not None]
        return (statistics.fmean(values), min(values)) if values else None

    return {
        "index_s": build["index_s"],
        "build_wall_s": build["wall_s"],
        "build_cpu_s": build["cpu_s"],
        "peak_bytes": build.get("tree_peak") or build["max_rss"],
        "max_rss": build["max_rss"],
        "index": index,
        "first_kb_total": spread("bytes_total"),
        "first_kb_script": spread("bytes_script"),
        "first_kb_index": spread("bytes_index"),
        "ms_navigation": spread("ms_navigation"),
        "ms_query": spread("ms_query"),
        "ms_first": spread("ms_first"),
        "ms_navigation_first": spread("ms_navigation_first"),
        "recall": mean_min("recall"),
        "precision": mean_min("precision"),
        "exact_queries": sum(r["exact"] for r in runs.values()),
        "failed_queries": [q for q, r in runs.items() if r["state"] != "done"],
    }


def table(s: dict[str, Json], queries: int) -> str:
    def med_max(pair: tuple[float, float] | None, scale: float = 1, digits: int = 0) -> str:
        return (
            "–"
            if pair is None
            else f"{pair[0] / scale:,.{digits}f} ({pair[1] / scale:,.{digits}f})"
        )

    def mean_min(pair: tuple[float, float] | None) -> str:
        return "–" if pair is None else f"{pair[0]:.3f} (min {pair[1]:.3f})"

    rows: list[tuple[str, Callable[[Json], str]]] = [
        ("index build s", lambda e: f"{e['index_s']:.2f}"),
        ("whole run s (wall / CPU)", lambda e: f"{e['build_wall_s']:.1f} / {e['build_cpu_s']:.1f}"),
        ("peak MB", lambda e: f"{e['peak_bytes'] / MB:,.0f}"),
        ("index size MB (files)", lambda e: f"{e['index']['bytes'] / MB:.1f} ({e['index']['files']:,})"),
        ("index size MB as served (gzip)", lambda e: f"{e['index']['served_bytes'] / MB:.1f}"),
        ("first query KB gzip, page+scripts+index (median, max)", lambda e: med_max(e["first_kb_total"], 1000, 1)),
        ("first query KB gzip, engine scripts (median, max)", lambda e: med_max(e["first_kb_script"], 1000, 1)),
        ("first query KB gzip, index only (median, max)", lambda e: med_max(e["first_kb_index"], 1000, 1)),
        ("ms to first result from navigation (median, max)", lambda e: med_max(e["ms_navigation_first"])),
        ("ms to first result from query start (median, max)", lambda e: med_max(e["ms_first"])),
        ("ms to a full first page (10) from query start (median, max)", lambda e: med_max(e["ms_query"])),
        ("recall (mean, min)", lambda e: mean_min(e["recall"])),
        ("precision (mean, min)", lambda e: mean_min(e["precision"])),
        (f"queries with exactly the reference results (of {queries})", lambda e: str(e["exact_queries"])),
    ]  # fmt: skip
    names = list(s)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---:|" * len(names)]
    lines += [f"| {label} | " + " | ".join(fn(s[n]) for n in names) + " |" for label, fn in rows]
    return "\n".join(lines)


def per_query_table(per_engine: dict[str, dict[str, Json]], queries: list[str]) -> str:
    names = list(per_engine)
    head = "| query | reference | " + " | ".join(
        f"{n} found | {n} recall | {n} prec. | {n} KB | {n} ms first / page" for n in names
    )
    lines = [head + " |", "|---|---:|" + "---:|" * 5 * len(names)]
    for q in queries:
        cells = [f"`{q}`", str(per_engine[names[0]][q]["truth"])]
        for n in names:
            r = per_engine[n][q]
            cells += [
                str(len(r["found"])) if r["state"] == "done" else r["state"],
                "–" if r["recall"] is None else f"{r['recall']:.3f}",
                "–" if r["precision"] is None else f"{r['precision']:.3f}",
                f"{r['bytes_total'] / 1000:.1f}",
                "–" if r["ms_first"] is None else f"{r['ms_first']} / {r['ms_query']}",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, default=10000, help="generated .md files (default 10000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--work", type=Path, default=HERE / "work")
    ap.add_argument("--json", type=Path, default=HERE / "results" / "search_compare.json")
    ap.add_argument(
        "--corpus",
        type=Path,
        default=gen_corpus.DEFAULT_CORPUS,
        help="folder with gov-sentences.txt and nuosu-gov-pairs.jsonl (default ../shared/corpus)",
    )
    ap.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="cold runs of each query per engine; times are their median (default 3)",
    )
    args = ap.parse_args(argv)

    folder = args.work.resolve() / f"search-compare-{args.items}"
    out, logs = folder / "out", folder / "logs"
    load_start = os.getloadavg()
    root = prepare_corpus(args.items, args.seed, folder, args.corpus)
    log("sitegen: cold build …")
    builds = {"sitegen": build_sitegen(root, out, logs)}
    log(f"pagefind: indexing {out} …")
    builds["pagefind"] = build_pagefind(out, logs)
    indexes = {
        "sitegen": size_of(sitegen_index_files(out)),
        "pagefind": size_of(pagefind_index_files(out)),
    }
    texts = index_texts(out)
    if builds["pagefind"]["indexed_pages"] != len(texts):
        log(
            f"warning: Pagefind indexed {builds['pagefind']['indexed_pages']} pages, sitegen {len(texts)}"
        )
    truth = reference_results(QUERIES, texts)
    log(f"chromium: {len(QUERIES)} queries × {len(builds)} engines, each in a fresh context …")
    per_engine = browse(out, QUERIES, args.repeat)
    for runs in per_engine.values():
        score(runs, truth)
    summaries = {n: summary(builds[n], indexes[n], per_engine[n]) for n in per_engine}
    load_end = os.getloadavg()

    pf = builds["pagefind"]
    print(
        f"\n## sitegen search vs Pagefind {pf['version'] or ''}: {len(texts):,} items "
        f"({args.items:,} generated, seed {args.seed}), git {harness.git_rev()}\n"
    )
    print(table(summaries, len(QUERIES)))
    print()
    print(per_query_table(per_engine, QUERIES))
    print()
    print(
        f"sitegen: index build = its search stage; whole run and peak = the whole build "
        f"(stages: {', '.join(f'{k} {v:.2f}s' for k, v in builds['sitegen']['stages_s'].items())}).\n"
        f"pagefind: {pf['indexed_pages']} pages, {pf['indexed_words']} words; index build = the "
        "whole Pagefind run. Peak = summed PSS of the process tree, sampled (else max RSS).\n"
        "KB = gzip bytes of the response bodies from navigation start until the first results "
        f'were shown (first {FIRST_PAGE} results with their data). "page" is sitegen\'s real '
        "search page (HTML, CSS, site scripts) but only a minimal harness page for Pagefind.\n"
        "ms = Chromium's performance.now(), cold cache, localhost (no network latency); each "
        f"query's time is the median of {args.repeat} cold runs (--repeat).\n"
        f"recall: mean over the {sum(bool(t) for t in truth.values())} queries with reference "
        "hits; precision: mean over the queries the engine returned anything for.\n"
        f"load average at start/end: {load_start[0]:.1f} / {load_end[0]:.1f} "
        f"({os.cpu_count()} CPUs)"
    )
    for name, runs in per_engine.items():
        for q, r in runs.items():
            if r["state"] != "done" or r["duplicates"] or r["not_found"]:
                print(
                    f"note: {name} `{q}`: state {r['state']}, {r['duplicates']} duplicate results, "
                    f"404s {r['not_found']} {r['error'] or ''}"
                )

    payload = {
        "meta": {
            "started": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "git": harness.git_rev(),
            "python": platform.python_version(),
            "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs",
            "loadavg_start": load_start,
            "loadavg_end": load_end,
            "items_generated": args.items,
            "items_indexed": len(texts),
            "seed": args.seed,
            "root": str(root),
            "out": str(out),
            "pagefind": {
                "version": pf["version"],
                "glob": PAGEFIND_GLOB,
                "root_selector": PAGEFIND_ROOT,
                "exclude_selectors": PAGEFIND_EXCLUDE,
            },
        },
        "builds": builds,
        "summary": summaries,
        "queries": {
            n: {q: r | {"found": len(r["found"])} for q, r in runs.items()}
            for n, runs in per_engine.items()
        },
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, ensure_ascii=False, indent=1) + "\n", "utf-8")
    print(f"\nJSON: {args.json}")
    harness.empty_trash()
    return 0


if __name__ == "__main__":
    sys.exit(main())
