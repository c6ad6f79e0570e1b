"""The sample site builds completely; failures leave the previous site alone; builds are reproducible."""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO, TODAY, copy_site

NAV_RE = re.compile(r'<nav class="site-nav".*?</nav>', re.S)


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *args], capture_output=True, text=True, cwd=cwd
    )


def front_matter(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_sample_site_has_every_required_page(sample_output: Path) -> None:
    sections = yaml.safe_load((REPO / "data/sections.yml").read_text(encoding="utf-8"))
    assert (sample_output / "index.html").is_file()
    assert (sample_output / "404.html").is_file()
    assert (sample_output / "sitemap.xml").is_file()
    assert len(sections["sections"]) == 26
    for s in sections["sections"]:
        assert (sample_output / s["slug"] / "index.html").is_file(), s["slug"]
        for st in sections["stages"]:
            assert (sample_output / s["slug"] / st["slug"] / "index.html").is_file()
    for st in sections["stages"]:
        assert (sample_output / "stage" / st["slug"] / "index.html").is_file()


def test_every_published_item_has_a_page_and_withheld_ones_appear_nowhere(
    sample_output: Path,
) -> None:
    published, withheld = [], []
    for md in sorted((REPO / "content/items").rglob("*.md")):
        fm = front_matter(md)
        if fm.get("lang", "zh") != "zh":
            continue
        (
            published
            if fm.get("disclosure", "主动公开") == "主动公开" and not fm.get("draft")
            else withheld
        ).append(fm)
    assert withheld, "the sample must contain a 依申请公开 item"
    pages = {p.read_text(encoding="utf-8") for p in sample_output.rglob("*.html")}
    all_html = "\n".join(pages)
    for fm in published:
        assert f"<h1>{fm['title']}</h1>" in all_html, fm["title"]
    everything = b"".join(p.read_bytes() for p in sample_output.rglob("*") if p.is_file())
    for fm in withheld:
        assert fm["title"].encode() not in everything
        assert fm["index_no"].encode() not in everything
    assert b"SAMPLE-WITHHELD-MARKER" not in everything


def test_every_page_has_the_same_navigation(sample_output: Path) -> None:
    """Same 26 domains + 5 stages on every page: compare the nav with links resolved to site paths."""
    import posixpath

    def resolved_nav(page: Path) -> list[tuple[str, str]]:
        html = page.read_text(encoding="utf-8")
        nav = NAV_RE.search(html)
        assert nav, page
        folder = posixpath.dirname(page.relative_to(sample_output).as_posix())
        links = re.findall(r'<a href="([^"]+)">([^<]+)</a>', nav.group(0))
        return [(posixpath.normpath(posixpath.join(folder, href)), text) for href, text in links]

    pages = sorted(
        p
        for p in sample_output.rglob("*.html")
        if not p.relative_to(sample_output).as_posix().startswith("ii/")
    )
    reference = resolved_nav(sample_output / "index.html")
    assert (
        len(
            [
                1
                for path, _ in reference
                if path.count("/") == 1
                and path.endswith("/index.html")
                and not path.startswith(("stage", "search"))
            ]
        )
        >= 26
    )
    for page in pages:
        assert resolved_nav(page) == reference, page


def test_item_page_shows_the_standard_metadata_table(sample_output: Path) -> None:
    html = (sample_output / "shehui-jiuzhu/dibao-biaozhun-2024.html").read_text(encoding="utf-8")
    for label in (
        "索引号",
        "发布机构",
        "成文日期",
        "发布日期",
        "文号",
        "领域",
        "公开阶段",
        "有效性",
    ):
        assert f'<th scope="row">{label}</th>' in html
    assert "云府办发〔2024〕5号" in html
    assert "<strong>通知：</strong>各乡" in html  # CJK emphasis rule
    # the policy and its interpretation link both ways
    assert 'href="dibao-biaozhun-2024-jiedu.html"' in html
    jiedu = (sample_output / "shehui-jiuzhu/dibao-biaozhun-2024-jiedu.html").read_text(
        encoding="utf-8"
    )
    assert 'href="dibao-biaozhun-2024.html"' in jiedu
    # attachment copied beside the item and linked relatively
    assert (sample_output / "shehui-jiuzhu/dibao-biaozhun-2024/低保标准调整表.csv").is_file()
    assert 'href="dibao-biaozhun-2024/低保标准调整表.csv"' in html


def test_repealed_policy_stays_visible_with_a_notice(sample_output: Path) -> None:
    html = (sample_output / "baozhang-zhufang/gongzu-guanli-banfa-2019.html").read_text(
        encoding="utf-8"
    )
    assert "本文件已废止" in html


def _site_with(tmp_path: Path, name: str, text: str) -> Path:
    root = copy_site(tmp_path / "site")
    good = REPO / "content/items/shehui-jiuzhu/shehui-jiuzhu-1.md"
    (root / "content/items/good.md").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    (root / "content/items" / name).write_text(text, encoding="utf-8")
    return root


GOOD_HEAD = (
    "---\ntitle: 测试条目\ndomain: 社会救助\nstage: 结果\ndate: 2024-06-05\ndepartment: 县民政局\n"
)


def _snapshot(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in folder.rglob("*")
        if p.is_file()
    }


def test_bad_files_give_located_diagnostics_and_leave_output_untouched(tmp_path: Path) -> None:
    cases = {
        "broken-yaml.md": (
            GOOD_HEAD.replace("stage: 结果", 'stage: "结果') + "---\n正文\n",
            4,
            "E110",
        ),
        "unknown-domain.md": (GOOD_HEAD.replace("社会救助", "社会求助") + "---\n正文\n", 3, "E151"),
        "unknown-key.md": (GOOD_HEAD + "titel: 多余\n---\n正文\n", 7, "E130"),
        "bad-date.md": (GOOD_HEAD.replace("2024-06-05", "2024-02-30") + "---\n正文\n", 5, "E141"),
    }
    root = copy_site(tmp_path / "site")
    good = REPO / "content/items/shehui-jiuzhu/shehui-jiuzhu-1.md"
    (root / "content/items/good.md").write_text(good.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    first = run_cli("build", "--root", str(root), "--out", str(out), "--today", TODAY)
    assert first.returncode == 0, first.stderr
    before = _snapshot(out)
    for name, (text, line, code) in cases.items():
        bad = root / "content/items" / name
        bad.write_text(text, encoding="utf-8")
        result = run_cli("build", "--root", str(root), "--out", str(out), "--today", TODAY)
        assert result.returncode == 1, (name, result.stderr)
        assert f"content/items/{name}:{line}:" in result.stderr, (name, result.stderr)
        assert f"[{code}]" in result.stderr, (name, result.stderr)
        assert _snapshot(out) == before, name
        bad.unlink()


def test_all_problems_are_listed_before_stopping(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site")
    (root / "content/items/a.md").write_text(
        GOOD_HEAD.replace("社会救助", "无此领域") + "---\n正文\n", encoding="utf-8"
    )
    (root / "content/items/b.md").write_text(
        GOOD_HEAD.replace("2024-06-05", "2024/13/01") + "---\n正文\n", encoding="utf-8"
    )
    (root / "content/items/c.md").write_text("title: 忘了分隔线\n", encoding="utf-8")
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 1
    assert "content/items/a.md:3:1: 错误 [E151]" in result.stderr
    assert "content/items/b.md:5:1: 错误 [E141]" in result.stderr
    assert "content/items/c.md:1:1: 错误 [E120]" in result.stderr
    assert "忘了在文件第一行写“---”" in result.stderr
    assert not (tmp_path / "out").exists()


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    result = run_cli("build", "--root", str(tmp_path))
    assert result.returncode == 2
    assert "data/site.yml" in result.stderr


def test_two_builds_are_byte_identical(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site", content=True)
    a, b = tmp_path / "a", tmp_path / "b"
    assert run_cli("build", "--root", str(root), "--out", str(a), "--today", TODAY).returncode == 0
    assert run_cli("build", "--root", str(root), "--out", str(b), "--today", TODAY).returncode == 0
    assert _snapshot(a) == _snapshot(b)


def test_the_command_prints_everything_before_it_exits(tmp_path: Path) -> None:
    """`python -m sitegen` (the `sitegen` command) ends the process without tearing the interpreter
    down (cli.run): what it printed into a pipe still arrives whole, with the exit status, for a
    build that succeeds and one that fails."""
    site = copy_site(tmp_path / "site", content=True)
    # output to a pipe is block-buffered, as on a server (unless PYTHONUNBUFFERED says otherwise)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    ok = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--root", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
        env=env,
    )
    assert ok.returncode == 0, ok.stderr
    assert "已生成" in ok.stdout and ok.stdout.rstrip().splitlines()[-1].startswith("用时")
    assert (site / "output" / "index.html").is_file()

    item = next((site / "content" / "items").rglob("*.md"))
    item.write_text("---\ntitle: [未闭合\n---\n正文\n", encoding="utf-8")
    failed = subprocess.run(
        [sys.executable, "-m", "sitegen", "build", "--root", str(site), "--today", TODAY],
        capture_output=True,
        text=True,
        env=env,
    )
    assert failed.returncode == 1
    assert "E110" in failed.stderr
    assert failed.stderr.rstrip().splitlines()[-1].startswith("生成失败")


def test_a_build_failing_late_leaves_no_temporary_cache_file(tmp_path: Path) -> None:
    """A problem found while the pages render, after the search index was encoded and its cache
    file started, stops the build, and no half-written cache file stays behind (at 50,000 items
    that file is ~280 MB)."""
    root = copy_site(tmp_path / "site", content=True)
    catalog = root / "data/i18n/zh.yml"
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(re.sub(r"(?m)^search_msg_pending:.*\n", "", text), encoding="utf-8")
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 1
    assert "[E410]" in result.stderr and "search_msg_pending" in result.stderr
    assert [p.name for p in (root / ".sitegen-cache").iterdir() if ".tmp-" in p.name] == []


def test_temporary_cache_files_of_killed_builds_are_removed(tmp_path: Path) -> None:
    """A build killed while writing its cache leaves `.…tmp-<pid>` files; the next build removes
    those whose process is gone, and leaves a running build's alone."""
    root = copy_site(tmp_path / "site", content=True)
    cache = root / ".sitegen-cache"
    cache.mkdir()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead = cache / f".build-0123456789ab.data.tmp-{int(gone.stdout)}"
    alive = cache / f".build-0123456789ab.data.tmp-{os.getpid()}"
    for f in (dead, alive):
        f.write_bytes(b"half a cache")
    result = run_cli("build", "--root", str(root), "--out", str(tmp_path / "out"), "--today", TODAY)
    assert result.returncode == 0, result.stderr
    assert not dead.exists()
    assert alive.exists()


def test_a_cache_writer_failing_in_this_process_leaves_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where the cache is written in the building process (threads running, as under `serve`, or
    no fork), a failure while writing leaves no temporary file either."""
    from sitegen import output

    monkeypatch.setattr(output.threading, "active_count", lambda: 2)

    def dump(f) -> None:
        f.write(b"half a cache")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        output.CacheWriter(tmp_path / "build.data", dump)
    assert list(tmp_path.iterdir()) == []
