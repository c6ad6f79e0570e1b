"""Search index benchmark: build time, memory, index size, bytes per first query, recall/precision.

    python bench/search_bench.py [--docs 10000] [--seed 1] [--workers N] [--keep DIR]

Documents are made of sentences from shared/corpus/gov-sentences.txt (500–3,000 characters each,
seeded), plus 1% Yi documents from nuosu-gov-pairs.jsonl and document numbers such as
和政办〔2024〕17号 sprinkled in. Queries run through the real search.js engine under Node, each as
the first query of a fresh page; "first query KB" is the gzip size of everything that query loads:
the three scripts, the manifest, its term shards and the documents of the first result page.
Recall and precision compare all results (every page) with sitegen.search.reference (brute force).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from sitegen.search import SearchDoc, build_search_index, normalize, parse_query  # noqa: E402
from sitegen.search.index import LAST_TIMINGS  # noqa: E402
from sitegen.search.node_runner import THEME_STATIC, run_engine, write_index  # noqa: E402
from sitegen.search.reference import part_occurs, plain_substring  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus")

DOMAINS = ["城乡规划", "重大建设项目", "公共资源交易", "财政预决算", "安全生产", "税收管理", "征地补偿",
           "社会救助", "养老服务", "户籍管理", "涉农补贴", "医疗卫生", "义务教育", "就业", "社会保险"]  # fmt: skip
STAGES = ["决策公开", "执行公开", "管理公开", "服务公开", "结果公开"]
QUERIES = [
    "的", "税", "发展", "低保", "改革开放", "人民群众", "经济发展", "高质量发展", "乡村振兴战略",
    "推进高质量发展", "全面建成小康社会", "〔2024〕17号", "和政办〔2023〕5号", "2024", "6.3%",
    "ꆈꌠ", "ꉙꏃ", "中国式现代化", "生态环境保护", "不存在的组合",
]  # fmt: skip
STATIC_SCRIPTS = ("vendor/lunr.min.js", "search/tokenizer.js", "search/search.js")


def make_docs(n: int, seed: int) -> list[SearchDoc]:
    """``n`` seeded documents of 500–3,000 characters."""
    rnd = random.Random(seed)
    lines = (CORPUS / "gov-sentences.txt").read_text(encoding="utf-8").split("\n")
    lines = [s for s in lines if s.strip()]
    pairs = [
        json.loads(s) for s in (CORPUS / "nuosu-gov-pairs.jsonl").read_text("utf-8").splitlines()
    ]
    docs = []
    for i in range(n):
        yi = rnd.random() < 0.01
        target = rnd.randint(500, 3000)
        body: list[str] = []
        size = 0
        while size < target:
            s = rnd.choice(pairs)["ii"] if yi else rnd.choice(lines)
            if rnd.random() < 0.02:
                s = f"根据和政办〔{rnd.randint(2019, 2025)}〕{rnd.randint(1, 40)}号文件，{s}"
            body.append(s)
            size += len(s)
        title = (rnd.choice(pairs)["ii"] if yi else rnd.choice(lines))[: rnd.randint(10, 30)]
        domain = rnd.randrange(len(DOMAINS))
        stage = rnd.randrange(len(STAGES))
        docs.append(
            SearchDoc(
                ref=f"d{domain}/item-{i}.html",
                title=title,
                body="\n".join(body),
                domain=DOMAINS[domain],
                domain_slug=f"d{domain}",
                stage=STAGES[stage],
                stage_slug=f"s{stage}",
                date=f"{rnd.randint(2019, 2025)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}",
                lang="ii" if yi else "zh",
            )
        )
    return docs


def brute_force(query: str, norm: list[tuple[str, str]]) -> set[int]:
    """Documents containing the query (reference.matches on pre-normalised texts)."""
    parts = [p.text for p in parse_query(query)]
    if not parts:
        return set()
    return {
        i
        for i, (t, b) in enumerate(norm)
        if all(part_occurs(p, t) or part_occurs(p, b) for p in parts)
    }


def gz(data: bytes) -> int:
    """gzip -6 size, as a static server would send it."""
    return len(gzip.compress(data, 6, mtime=0))


HARNESS = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>搜索</title></head>
<body><form id="search-form" action="index.html" method="get"><input id="search-q" name="q"></form>
<div id="search-status"></div><ol id="search-results"></ol>
<script src="../assets/vendor/lunr.min.js"></script>
<script src="../assets/search/tokenizer.js"></script>
<script src="../assets/search/search.js"></script></body></html>
"""


def time_in_chromium(search_dir: Path) -> dict[str, tuple[int, int]]:
    """Per query: ms from the query's start and from navigation start to the first results."""
    import functools
    import shutil
    import threading
    import urllib.parse
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from playwright.sync_api import sync_playwright

    edition = search_dir.parent
    (search_dir / "index.html").write_text(HARNESS, encoding="utf-8")
    for rel in STATIC_SCRIPTS:
        (edition / "assets" / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(THEME_STATIC / rel, edition / "assets" / rel)

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(edition.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/{edition.name}/search/index.html"
    out: dict[str, tuple[int, int]] = {}
    args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    args += ["--disable-component-update", "--no-first-run"]
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
            for q in QUERIES:
                context = browser.new_context()
                page = context.new_page()
                page.goto(base + "?" + urllib.parse.urlencode({"q": q}))
                page.wait_for_selector('[data-state="done"]', timeout=30000)
                ms = page.get_attribute("[data-ms]", "data-ms")
                nav = page.get_attribute("[data-ms]", "data-since-navigation-ms")
                out[q] = (int(ms or 0), int(nav or 0))
                context.close()
            browser.close()
    finally:
        server.shutdown()
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--docs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--keep", type=Path, default=None, help="write the index here and keep it")
    ap.add_argument(
        "--chromium", action="store_true", help="also time each query in headless Chromium"
    )
    args = ap.parse_args()

    docs = make_docs(args.docs, args.seed)
    chars = sum(len(d.title) + len(d.body) for d in docs)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    files = build_search_index(docs, workers=args.workers)
    build_s = time.perf_counter() - started
    rss_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rss_children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss

    sizes = {name: gz(content) for name, content in files.items()}
    raw_total = sum(len(c) for c in files.values())
    shard_sizes = sorted(v for k, v in sizes.items() if k.startswith("t/"))
    static_gz = sum(gz((THEME_STATIC / rel).read_bytes()) for rel in STATIC_SCRIPTS)
    print(f"documents            {len(docs):,} ({chars / 1e6:.1f} M characters)")
    phases = ", ".join(f"{k} {v:.2f} s" for k, v in LAST_TIMINGS.items())
    print(f"build                {build_s:.2f} s ({phases}; {os.getloadavg()[0]:.1f} load average)")
    print(
        f"peak RSS             {rss_self / 1024:.0f} MB this process (was {rss_before / 1024:.0f} MB "
        f"before the build), {rss_children / 1024:.0f} MB largest worker"
    )
    print(
        f"index files          {len(files):,}: {raw_total / 1e6:.1f} MB, {sum(sizes.values()) / 1e6:.1f} MB gzip"
    )
    print(f"  manifest           {sizes['manifest.js'] / 1024:.1f} KB gzip")
    print(
        f"  term shards        {len(shard_sizes):,}, median {shard_sizes[len(shard_sizes) // 2] / 1024:.1f} KB, "
        f"max {shard_sizes[-1] / 1024:.1f} KB gzip"
    )
    print(f"  scripts            {static_gz / 1024:.1f} KB gzip (lunr.js, tokenizer.js, search.js)")

    norm = [(normalize(d.title), normalize(d.body)) for d in docs]
    chromium: dict[str, tuple[int, int]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp) / "xxgk" / "search"
        write_index(files, folder)
        answers = run_engine(folder, [{"query": q, "fresh": True} for q in QUERIES])
        if args.chromium:
            chromium = time_in_chromium(folder)

    print()
    print(
        f"{'query':<16}{'first KB':>9}{'files':>6}{'ms':>7}{'cands':>7}{'found':>7}"
        f"{'truth':>7}{'recall':>8}{'prec':>6}{'substr':>7}{'chromium ms':>13}"
    )
    worst = 0.0
    all_ok = True
    for q, a in zip(QUERIES, answers, strict=True):
        first = static_gz + sum(sizes[f + ".js"] for f in a["first_page_files"])
        worst = max(worst, first)
        truth = brute_force(q, norm)
        found = {r["id"] for r in a["results"]}
        recall = len(found & truth) / len(truth) if truth else 1.0
        precision = len(found & truth) / len(found) if found else 1.0
        substring = sum(1 for d in docs if plain_substring(q, d.title, d.body))
        all_ok &= found == truth
        print(
            f"{q:<16}{first / 1024:>9.1f}{len(a['first_page_files']):>6}{a['first_page_ms']:>7.0f}"
            f"{len(a['lunr']):>7}{len(found):>7}{len(truth):>7}{recall:>8.3f}{precision:>6.3f}{substring:>7}"
            f"{'/'.join(map(str, chromium.get(q, ()))):>13}"
        )
    print()
    print(f"worst first query    {worst / 1024:.1f} KB gzip; recall and precision 1.0: {all_ok}")
    print("(ms = engine time to the first page under Node; substr = plain substring count;")
    print(" chromium ms = query start / navigation start to the first page shown, cold cache)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
