"""Hostile input through the real command line: every case is a small site built by `sitegen build`.

Each case copies data/ and themes/ of the repository into a fresh site, puts one or two files of
tests/fixtures/hostile/ (see its README.md) under content/items/shehui-jiuzhu/, runs
`python -m sitegen.cli build` in a subprocess and checks what an editor and a reader would see:
the exit code, a diagnostic naming the right file, line and code on stderr, and an output folder
that carries no gated marker, no script, no event handler, no javascript: URL and no unmasked
personal number. A failed build must leave nothing behind: no output, no temporary folder, no
索引号 registry, and a previous output byte for byte as it was.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

from sitegen.markdown import render_markdown
from sitegen.privacy import find_personal_numbers

REPO = Path(__file__).resolve().parents[1]
HOSTILE = Path(__file__).parent / "fixtures" / "hostile"
TODAY = "2025-12-31"
FOLDER = "content/items/shehui-jiuzhu"

DIAGNOSTIC_RE = re.compile(
    r"^(?P<path>.*?):(?P<line>\d+):(?P<col>\d+): (?P<severity>错误|警告) \[(?P<code>[EW]\d{3})\] "
    r"(?P<message>.*)\n(?:    提示：(?P<hint>.*))?",
    re.MULTILINE,
)
THEME_SCRIPT_RE = re.compile(
    r'<script src="(?:\.\./)*assets/(?:[\w-]+/)*[\w.-]+\.js"(?: defer)?>', re.I
)
GATE_MARKER = "gatemark"


@dataclass(frozen=True)
class Diag:
    """One diagnostic as printed on stderr."""

    path: str
    line: int
    col: int
    severity: str
    code: str
    message: str
    hint: str


def diagnostics(stderr: str) -> list[Diag]:
    """Every `PATH:LINE:COL: 错误 [CODE] message` block printed on stderr."""
    return [
        Diag(
            m["path"],
            int(m["line"]),
            int(m["col"]),
            m["severity"],
            m["code"],
            m["message"],
            m["hint"] or "",
        )
        for m in DIAGNOSTIC_RE.finditer(stderr)
    ]


def sitegen(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess."""
    env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONIOENCODING": "utf-8"}
    env.pop("SITEGEN_TODAY", None)
    return subprocess.run(
        [sys.executable, "-m", "sitegen.cli", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        input=stdin if stdin is not None else "",
        timeout=120,
        check=False,
    )


def make_site(root: Path, fixtures: tuple[str, ...] = ()) -> Path:
    """A site with the repository's data/ and themes/ and the named fixtures as items."""
    root.mkdir(parents=True, exist_ok=True)
    for name in ("data", "themes"):
        shutil.copytree(REPO / name, root / name, symlinks=True)
    folder = root / FOLDER
    folder.mkdir(parents=True)
    for name in fixtures:
        shutil.copyfile(HOSTILE / name, folder / name)
    return root


def build(root: Path, out: Path | None = None) -> subprocess.CompletedProcess[str]:
    return sitegen("build", "--root", root, "--out", out or root / "output", "--today", TODAY)


def output_files(out: Path) -> dict[str, bytes]:
    """Relative path → bytes of every file in an output folder."""
    return {
        p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()
    }


def snapshot(out: Path) -> dict[str, tuple[bytes, int, int]]:
    """Relative path → (bytes, mtime, inode) of every file: identical means untouched."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in sorted(out.rglob("*"))
        if p.is_file()
    }


def leaks(out: Path, *, numbers_allowed: bool = False) -> list[str]:
    """Everything in the output that must never be there, as readable complaints."""
    found = []
    for rel, data in output_files(out).items():
        text = data.decode("utf-8", errors="replace")
        low = text.lower()
        if GATE_MARKER in low or GATE_MARKER in rel.lower():
            found.append(f"{rel}: gated marker")
        if not rel.startswith("assets/"):  # assets/ are the theme's own files, copied as they are
            scripts = re.findall(r"<script\b[^>]*>", text, re.I)
            found += [f"{rel}: {tag}" for tag in scripts if not THEME_SCRIPT_RE.fullmatch(tag)]
            found += [f"{rel}: {bad}" for bad in ("onerror=", "javascript:") if bad in low]
        if not numbers_allowed:
            found += [f"{rel}: unmasked {f.kind} {f.text}" for f in find_personal_numbers(text)]
    return found


@dataclass(frozen=True)
class Case:
    """One hostile input and what the build must do with it."""

    name: str
    fixtures: tuple[str, ...]
    exit: int
    expect: tuple[tuple[str, int, str], ...]
    """(file name, line, code) diagnostics that must be on stderr."""
    setup: Callable[[Path], None] | None = None
    check: Callable[[Path, subprocess.CompletedProcess[str], list[Diag]], None] | None = None
    numbers_allowed: bool = False
    pages: tuple[str, ...] = ()
    """Fixtures to put into content/pages/ (the column's guide, rules, reports)."""
    group: str = ""
    """Cases of one group are built together in one site (only cases that build cleanly)."""

    @property
    def site(self) -> str:
        return self.group or self.name


def _symlink_item(root: Path) -> None:
    outside = root / "outside"
    outside.mkdir()
    shutil.copyfile(HOSTILE / "gated-buyu.md", outside / "secret.md")
    (root / FOLDER / "link.md").symlink_to(Path("../../../outside/secret.md"))


def _symlink_attachment(root: Path) -> None:
    secret = root / "secret-outside.txt"
    secret.write_text("GATEMARK-SYMLINK 513434198506120021\n", encoding="utf-8")
    (root / FOLDER / "secret.txt").symlink_to(secret)


def _symlink_page(root: Path) -> None:
    outside = root / "outside"
    outside.mkdir()
    (outside / "secret.md").write_text(
        "---\ntitle: GATEMARK 内部\nkind: rules\ndate: 2024-01-10\n---\n内部。\n", encoding="utf-8"
    )
    (root / "content" / "pages").mkdir()
    (root / "content" / "pages" / "link.md").symlink_to(outside / "secret.md")


def _gated_attachment(root: Path) -> None:
    (root / FOLDER / "gatemark-ysq-list.txt").write_text("GATEMARK-YSQ 名单\n", encoding="utf-8")


def _page(root: Path, slug: str) -> str:
    return (root / "output" / "shehui-jiuzhu" / f"{slug}.html").read_text(encoding="utf-8")


def _check_bom(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    assert "<h1>测试</h1>" in _page(root, "bom")  # the BOM is not part of the title


def _check_masked(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    page = _page(root, "masked")
    assert "513434********0021" in page and "139****5678" in page and "***************0122" in page


def _check_exception(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    (w301,) = [d for d in ds if d.code == "W301"]
    assert w301.severity == "警告"
    assert "失信被执行人名单信息的若干规定》第六条" in w301.message
    assert "513434198506120021" in _page(root, "privacy-exception")  # published as an exception
    # and accounted for in the build report on stdout, with the reason
    assert "按例外公开未遮盖的个人信息 1 处：" in proc.stdout
    assert (
        f"{FOLDER}/privacy-exception.md:9:17：未遮盖的身份证号按例外公开：依据《最高人民法院"
        in proc.stdout
    )


def _check_gated(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    # the build report names every withheld item and why
    for name, reason in [
        ("gated-yishenqing.md", "依申请公开"),
        ("gated-buyu.md", "不予公开"),
        ("gated-draft.md", "草稿"),
        ("gated-future.md", "尚未到"),
    ]:
        assert re.search(rf"{FOLDER}/{name}：.*{reason}", proc.stdout), name
    page = _page(root, "links-to-gated")
    assert "补偿明细" in page and 'href="gatemark' not in page
    files = output_files(root / "output")
    assert "sitemap.xml" in files
    assert b"links-to-gated.html" in files["sitemap.xml"]
    assert not any("gatemark" in rel for rel in files)


def _check_aliases(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    page = _page(root, "chinese-aliases")
    assert "关于ALIASMARK农村低保标准的公告" in page
    assert "云民发〔2024〕8号" in page and "结果公开" in page


def _check_escaped(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    page = _page(root, "escaped-fields")
    assert "&lt;script&gt;alert(&#39;XSS-TITLE&#39;)&lt;/script&gt;关于低保的通知" in page
    assert "&lt;b&gt;云民发&lt;/b&gt;" in page and "<b>云民发" not in page
    assert "<img src=x alt=XSS-SUMMARY>" not in page and "XSS-SUMMARY" in page


def _check_unknown_key(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
    (e130,) = [d for d in ds if d.code == "E130"]
    assert "summery" in e130.message and e130.hint == "是不是想写“summary”？"


def _check_unknown_domain(
    root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]
) -> None:
    (e151,) = [d for d in ds if d.code == "E151"]
    assert "社会求助" in e151.message and "社会救助" in e151.hint


def _names_other(
    other: str, code: str
) -> Callable[[Path, subprocess.CompletedProcess[str], list[Diag]], None]:
    def check(root: Path, proc: subprocess.CompletedProcess[str], ds: list[Diag]) -> None:
        (d,) = [d for d in ds if d.code == code]
        assert f"{FOLDER}/{other}" in d.message

    return check


CASES = [
    Case("gbk", ("gbk.md",), 1, (("gbk.md", 2, "E101"),)),
    Case("utf16", ("utf16.md",), 1, (("utf16.md", 0, "E101"),)),
    Case("bom", ("bom.md",), 0, (("bom.md", 1, "W102"),), check=_check_bom, group="clean"),
    Case("crlf-mixed", ("crlf-mixed.md",), 0, (("crlf-mixed.md", 5, "W103"),), group="clean"),
    Case("broken-yaml", ("broken-yaml.md",), 1, (("broken-yaml.md", 2, "E110"),)),
    Case("tab-indent", ("tab-indent.md",), 1, (("tab-indent.md", 8, "E113"),)),
    Case(
        "unknown-domain",
        ("unknown-domain.md",),
        1,
        (("unknown-domain.md", 3, "E151"),),
        check=_check_unknown_domain,
    ),
    Case("unknown-stage", ("unknown-stage.md",), 1, (("unknown-stage.md", 4, "E152"),)),
    Case("bad-date", ("bad-date.md",), 1, (("bad-date.md", 5, "E140"),)),
    Case("impossible-date", ("impossible-date.md",), 1, (("impossible-date.md", 5, "E141"),)),
    Case("missing-title", ("missing-title.md",), 1, (("missing-title.md", 1, "E131"),)),
    Case(
        "dup-index",
        ("dup-index-a.md", "dup-index-b.md"),
        1,
        (("dup-index-b.md", 7, "E201"),),
        check=_names_other("dup-index-a.md", "E201"),
    ),
    Case("fullwidth-colon", ("fullwidth-colon.md",), 1, (("fullwidth-colon.md", 2, "E115"),)),
    Case("script", ("script.md",), 1, (("script.md", 10, "E212"),)),
    Case("onerror", ("onerror.md",), 1, (("onerror.md", 8, "E212"),)),
    Case("javascript-link", ("javascript-link.md",), 1, (("javascript-link.md", 8, "E210"),)),
    Case(
        "traversal-attachment",
        ("traversal-attachment.md",),
        1,
        (("traversal-attachment.md", 7, "E222"),),
    ),
    Case("symlink-item", (), 1, (("link.md", 0, "E220"),), setup=_symlink_item),
    Case(
        "symlink-attachment",
        ("symlink-attachment.md",),
        1,
        (("symlink-attachment.md", 7, "E220"),),
        setup=_symlink_attachment,
    ),
    Case("id-number", ("id-number.md",), 1, (("id-number.md", 10, "E301"),)),
    Case("mobile", ("mobile.md",), 1, (("mobile.md", 8, "E301"),)),
    Case("bank-card", ("bank-card.md",), 1, (("bank-card.md", 8, "E301"),)),
    Case(
        "page-mobile",
        (),
        1,
        (("content/pages/page-mobile.md", 6, "E301"),),
        pages=("page-mobile.md",),
    ),
    Case("symlink-page", (), 1, (("content/pages/link.md", 0, "E220"),), setup=_symlink_page),
    Case("masked", ("masked.md",), 0, (), check=_check_masked, group="clean"),
    Case(
        "privacy-exception",
        ("privacy-exception.md",),
        0,
        (("privacy-exception.md", 9, "W301"),),
        check=_check_exception,
        numbers_allowed=True,
    ),
    Case(
        "gated",
        (
            "gated-yishenqing.md",
            "gated-buyu.md",
            "gated-draft.md",
            "gated-future.md",
            "links-to-gated.md",
        ),
        0,
        (("links-to-gated.md", 9, "W225"),),
        setup=_gated_attachment,
        check=_check_gated,
        pages=("page-draft.md", "page-future.md"),
        group="clean",
    ),
    Case(
        "unknown-key",
        ("unknown-key.md",),
        1,
        (("unknown-key.md", 7, "E130"),),
        check=_check_unknown_key,
    ),
    Case("chinese-aliases", ("chinese-aliases.md",), 0, (), check=_check_aliases, group="clean"),
    Case(
        "slug-collision",
        ("slug-a.md", "slug-b.md"),
        1,
        (("slug-b.md", 7, "E205"),),
        check=_names_other("slug-a.md", "E205"),
    ),
    Case("reserved-slug", ("reserved-slug.md",), 1, (("reserved-slug.md", 7, "E206"),)),
    Case("late", ("late.md",), 0, (("late.md", 5, "W160"),), group="clean"),
    Case("escaped-fields", ("escaped-fields.md",), 0, (), check=_check_escaped, group="clean"),
]


@dataclass(frozen=True)
class Run:
    root: Path
    proc: subprocess.CompletedProcess[str]


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every case's site built once, two builds at a time (the machine has two cores)."""
    sites: dict[str, list[Case]] = {}
    for case in CASES:
        sites.setdefault(case.site, []).append(case)

    def run(name: str) -> tuple[str, Run]:
        cases = sites[name]
        root = make_site(tmp_path_factory.mktemp(name), tuple(f for c in cases for f in c.fixtures))
        for case in cases:
            for page in case.pages:
                (root / "content" / "pages").mkdir(exist_ok=True)
                shutil.copyfile(HOSTILE / page, root / "content" / "pages" / page)
            if case.setup is not None:
                case.setup(root)
        return name, Run(root, build(root))

    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(pool.map(run, sites))


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_case(case: Case, runs: dict[str, Run]) -> None:
    root, proc = runs[case.site].root, runs[case.site].proc
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == case.exit, proc.stdout + proc.stderr
    ds = diagnostics(proc.stderr)
    got = {(d.path, d.line, d.code) for d in ds}
    for name, line, code in case.expect:
        path = name if "/" in name else f"{FOLDER}/{name}"
        assert (path, line, code) in got, proc.stderr
        (d,) = [d for d in ds if d.path == path and d.code == code][:1]
        assert d.severity == ("错误" if code.startswith("E") else "警告")
        assert d.message and re.search(r"[\u4e00-\u9fff]", d.message)  # said in Chinese
    out = root / "output"
    if case.exit == 0:
        assert not [d for d in ds if d.severity == "错误"], proc.stderr
        assert (out / "index.html").is_file() and (out / ".sitegen-output").is_file()
        assert leaks(out, numbers_allowed=case.numbers_allowed) == []
    else:
        assert "生成失败" in proc.stderr
        assert not out.exists(), "a failed build must write nothing"
        assert not list(root.glob(".output.*")), "no temporary folder left behind"
        assert not (root / "data" / "index_numbers.yml").exists(), "no 索引号 registered"
    if case.check is not None:
        case.check(root, proc, ds)


def test_diagnostic_columns(runs: dict[str, Run]) -> None:
    """Where the column is meaningful, it points at the offending character."""
    cols = {
        (d.path.rsplit("/", 1)[-1], d.code): d.col
        for r in runs.values()
        for d in diagnostics(r.proc.stderr)
    }
    assert cols[("gbk.md", "E101")] == 8  # first GBK character: 测 in "title: 测试"
    assert cols[("id-number.md", "E301")] == 10
    assert cols[("mobile.md", "E301")] == 17
    assert cols[("javascript-link.md", "E210")] == 9
    assert cols[("fullwidth-colon.md", "E115")] == 3
    assert cols[("page-mobile.md", "E301")] == 25


def test_all_fixtures_are_used_and_listed() -> None:
    """Every fixture file belongs to a case and to the README's table."""
    used = {name for case in CASES for name in (*case.fixtures, *case.pages)} | {"gated-buyu.md"}
    fixtures = {p.name for p in HOSTILE.glob("*.md") if p.name != "README.md"}
    assert fixtures == used
    readme = (HOSTILE / "README.md").read_text(encoding="utf-8")
    for name in fixtures:
        assert f"`{name}`" in readme, name


# ---- the output folder ------------------------------------------------------------------------


def test_output_set_to_content_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", ("masked.md",))
    before = output_files(root / "content")
    proc = build(root, root / "content")
    assert proc.returncode == 2
    (d,) = diagnostics(proc.stderr)
    assert d.code == "E020" and "content" in d.message
    assert output_files(root / "content") == before
    for inside in ("content/items/out", "data/out", "themes/default/static/out"):
        proc = build(root, root / inside)
        assert proc.returncode == 2 and "E020" in proc.stderr, inside
        assert not (root / inside).exists()


def test_output_dir_not_made_by_sitegen_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", ("masked.md",))
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "年度报告.docx").write_bytes(b"PK\x03\x04 precious")
    proc = build(root, foreign)
    assert proc.returncode == 2
    (d,) = diagnostics(proc.stderr)
    assert d.code == "E020" and ".sitegen-output" in d.message
    assert output_files(foreign) == {"年度报告.docx": b"PK\x03\x04 precious"}


def test_failed_build_leaves_previous_output_untouched(tmp_path: Path) -> None:
    root = make_site(tmp_path / "site", ("masked.md", "chinese-aliases.md"))
    first = build(root)
    assert first.returncode == 0, first.stderr
    out = root / "output"
    before = snapshot(out)
    registry = (root / "data" / "index_numbers.yml").read_bytes()
    assert "masked.md" in before or "shehui-jiuzhu/masked.html" in before
    # One hostile file of each kind that stops a build at a different stage.
    for name in ("script.md", "id-number.md", "gbk.md", "dup-index-a.md", "dup-index-b.md"):
        shutil.copyfile(HOSTILE / name, root / FOLDER / name)
    failed = build(root)
    assert failed.returncode == 1
    assert {"E212", "E301", "E101"} <= {d.code for d in diagnostics(failed.stderr)}
    assert "output/ 未改动" in failed.stderr
    assert snapshot(out) == before
    assert (root / "data" / "index_numbers.yml").read_bytes() == registry
    # nothing but the build cache from the first, good build (outside output/, safe to delete)
    assert sorted(p.name for p in root.iterdir()) == [
        ".sitegen-cache",
        "content",
        "data",
        "output",
        "themes",
    ]

    # A failure after every content check passed (a broken theme template) changes nothing either.
    for name in ("script.md", "id-number.md", "gbk.md", "dup-index-a.md", "dup-index-b.md"):
        (root / FOLDER / name).unlink()
    template = root / "themes" / "default" / "templates" / "item.html"
    template.write_text(template.read_text(encoding="utf-8") + "{% if %}", encoding="utf-8")
    failed = build(root)
    assert failed.returncode == 1, failed.stderr
    assert "[E410] 模板 item.html 第" in failed.stderr and "语法错误" in failed.stderr
    assert "Traceback" not in failed.stderr
    assert snapshot(out) == before
    # nothing but the build cache from the first, good build (outside output/, safe to delete)
    assert sorted(p.name for p in root.iterdir()) == [
        ".sitegen-cache",
        "content",
        "data",
        "output",
        "themes",
    ]


# ---- markdown that hides markup from the HTML parser ------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        "见下图 <img src=x onerror=alert('x')> 所示。",  # not HTML for markdown-it (quote in value)
        "a <svg/onload=alert(1)> b",  # browsers split attributes at "/"
        '<a href="x"onclick="y()">点</a>',  # and right after a closing quote
        "第一行 <img src=x\nonerror=alert('x')> 第二行",
    ],
)
def test_tag_like_text_with_handlers_is_e212(body: str) -> None:
    result = render_markdown(body, path="a.md")
    assert [d.code for d in result.problems] == ["E212"]
    assert result.problems[0].line == 1


def test_event_words_in_plain_text_are_fine() -> None:
    assert (
        render_markdown("a < b，onclick 是事件名，`<img onerror=x>` 是代码", path="a.md").problems
        == ()
    )


# ---- attachment names with URL syntax in them -------------------------------------------------


def test_attachment_names_with_url_characters_download(tmp_path: Path) -> None:
    """附件#1 (2024%).pdf must download, not break the link at # or %; and quotes stay text."""
    from conftest import free_port

    root = make_site(tmp_path / "site")
    folder = root / FOLDER
    names = {"附件#1 (2024%).pdf": b"one", "a?b.pdf": b"two", '"><img src=x>.pdf': b"three"}
    for name, data in names.items():
        (folder / name).write_bytes(data)
    listed = "".join(f"  - file: '{name.replace(chr(39), chr(39) * 2)}'\n" for name in names)
    (folder / "att.md").write_text(
        "---\ntitle: 附件名称测试\ndomain: 社会救助\nstage: 结果\ndate: 2024-06-05\n"
        f"department: 县民政局\nattachments:\n{listed}---\n正文。\n",
        encoding="utf-8",
    )
    proc = build(root)
    assert proc.returncode == 0, proc.stderr
    html = (root / "output" / "shehui-jiuzhu" / "att.html").read_text(encoding="utf-8")
    hrefs = re.findall(r'<a href="(att/[^"]*)" download', html)
    assert hrefs == [
        "att/附件%231%20(2024%25).pdf",
        "att/a%3Fb.pdf",
        "att/%22%3E%3Cimg%20src=x%3E.pdf",
    ]
    assert "<img src=x>" not in html
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
            str(root / "output"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/"
        for _ in range(200):  # wait until the server listens
            try:
                urllib.request.urlopen(base + "index.html", timeout=5).close()
                break
            except urllib.error.HTTPError:
                raise
            except urllib.error.URLError:
                time.sleep(0.05)
        for href, data in zip(hrefs, names.values(), strict=True):
            url = (
                base + "shehui-jiuzhu/" + urllib.parse.quote(href, safe="/%")
            )  # as a browser sends it
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.read() == data
    finally:
        server.terminate()
        server.wait(timeout=10)
