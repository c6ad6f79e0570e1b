"""Live preview (`sitegen serve`): change classification, debouncing, and the real server over HTTP.

The server tests start `python -m sitegen.cli serve --watch` on a small fixture site in tmp_path, edit
files on disk and check over real HTTP what an editor would see in the browser.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from serve_helpers import ITEM_TEMPLATE, ServeProcess, make_site, set_title, title_of, wait_until

from conftest import TODAY, free_port
from sitegen.build import BuildOptions, build
from sitegen.serve import PortProblem, bind
from sitegen.serve_http import LIVERELOAD_TAG, MISSING, PreviewState, resolve, version_of
from sitegen.watch import Change, Debouncer, apply_plan, classify, expand_dirs, is_ignored

# --------------------------------------------------------------------------------------------------
# Classification (pure)
# --------------------------------------------------------------------------------------------------

X = "content/items/fupin/x.md"
Y = "content/items/fupin/y.md"


def plan_for(changes: list[Change], known: set[str], now: set[str]):
    return classify(changes, known, lambda p: p in now)


def test_one_edited_item_is_reported_as_one_item_to_rebuild() -> None:
    plan = plan_for([Change(X), Change(X)], known={X, Y}, now={X, Y})
    assert plan.edited == (X,) and not plan.added and not plan.removed
    assert plan.scope == "items"
    assert plan.describe() == f"已更新 {X} → 重建 1 条目"


def test_added_and_removed_items_follow_from_existence_not_event_order() -> None:
    # An editor's "save as" renames a temp file onto the new name: reported as deleted+created.
    changes = [Change(Y, kind="deleted"), Change(Y, kind="created"), Change(X, kind="modified")]
    plan = plan_for(changes, known={X}, now={Y})
    assert plan.added == (Y,)
    assert plan.removed == (X,)
    assert "及所在列表" in plan.describe()


def test_item_created_and_deleted_within_one_burst_changes_nothing() -> None:
    plan = plan_for([Change(X, kind="created"), Change(X, kind="deleted")], known=set(), now=set())
    assert plan.scope == "none"


def test_temporary_and_backup_files_are_ignored() -> None:
    temp = [
        "content/items/fupin/.x.md.swp",
        "content/items/fupin/x.md~",
        "content/items/fupin/.#x.md",
        "content/items/fupin/4913",
        "themes/default/templates/.item.html.swx",
        "content/items/.git/index",
        "output/index.html",
    ]
    assert all(is_ignored(p) for p in temp)
    assert not is_ignored("content/items/fupin/低保名单.xlsx")
    plan = plan_for([Change(p) for p in temp], known=set(), now=set(temp))
    assert plan.scope == "none"


def test_sed_style_temp_file_that_vanished_is_not_an_attachment_change() -> None:
    tmp = "content/items/fupin/sedAb12Cd"
    changes = [
        Change(tmp, kind="created"),
        Change(tmp),
        Change(tmp, kind="deleted"),
        Change(X, kind="created"),
    ]
    plan = plan_for(changes, known={X}, now={X})
    assert plan.attachments == ()
    assert plan.edited == (X,)


@pytest.mark.parametrize(
    ("path", "group", "scope"),
    [
        ("themes/default/templates/item.html", "templates", "full"),
        ("themes/default/static/site.css", "assets", "assets"),
        ("data/site.yml", "data", "full"),
        ("data/i18n/zh.yml", "data", "full"),
        ("content/items/shehui-jiuzhu/低保标准调整表.csv", "attachments", "items"),
        ("content/NOTICE.md", "other", "full"),
    ],
)
def test_each_kind_of_source_file_has_its_class(path: str, group: str, scope: str) -> None:
    plan = plan_for([Change(path)], known=set(), now={path})
    assert getattr(plan, group) == (path,)
    assert plan.scope == scope


def test_a_template_change_outranks_item_changes() -> None:
    t = "themes/default/templates/list.html"
    plan = plan_for([Change(X), Change(t)], known={X}, now={X, t})
    assert plan.scope == "full"
    assert "全部重建" in plan.describe()


def test_many_changes_are_summarised_in_one_line() -> None:
    paths = [f"content/items/fupin/n{i:03}.md" for i in range(150)]
    plan = plan_for([Change(p, kind="created") for p in paths], known=set(), now=set(paths))
    line = plan.describe()
    assert "\n" not in line and "等 150 个文件" in line and "重建 150 条目" in line


def test_removed_folder_expands_to_the_items_that_were_in_it(tmp_path: Path) -> None:
    known = {"content/items/fupin/a.md", "content/items/fupin/b.md", "content/items/jiuye/c.md"}
    changes = expand_dirs(
        [Change("content/items/fupin", is_dir=True, kind="deleted")], known, tmp_path
    )
    plan = classify(changes, known, lambda p: False)
    assert plan.removed == ("content/items/fupin/a.md", "content/items/fupin/b.md")
    apply_plan(known, plan)
    assert known == {"content/items/jiuye/c.md"}


def test_folder_moved_in_expands_to_the_items_now_in_it(tmp_path: Path) -> None:
    folder = tmp_path / "content/items/jiuye"
    folder.mkdir(parents=True)
    (folder / "n1.md").write_text("x", encoding="utf-8")
    (folder / "附件.pdf").write_bytes(b"%PDF")
    changes = expand_dirs(
        [Change("content/items/jiuye", is_dir=True, kind="created")], set(), tmp_path
    )
    plan = classify(changes, set(), lambda p: (tmp_path / p).exists())
    assert plan.added == ("content/items/jiuye/n1.md",)
    assert plan.attachments == ("content/items/jiuye/附件.pdf",)


# --------------------------------------------------------------------------------------------------
# Debouncer
# --------------------------------------------------------------------------------------------------


def _feed(deb: Debouncer, n: int, gap: float) -> threading.Thread:
    def run() -> None:
        for i in range(n):
            deb.add(Change(f"content/items/fupin/n{i}.md"))
            time.sleep(gap)

    t = threading.Thread(target=run)
    t.start()
    return t


def test_debouncer_coalesces_a_burst_into_one_batch() -> None:
    deb = Debouncer(quiet=0.3, max_wait=10)
    stop = threading.Event()
    feeder = _feed(deb, 100, 0.003)
    batch = deb.next_batch(stop)
    feeder.join()
    assert batch is not None and len(batch) == 100
    assert deb.pending() == 0


def test_debouncer_releases_a_steady_stream_every_max_wait() -> None:
    deb = Debouncer(quiet=0.3, max_wait=0.4)
    stop = threading.Event()
    batches: list[list[Change]] = []

    def consume() -> None:
        while (b := deb.next_batch(stop)) is not None:
            batches.append(b)

    consumer = threading.Thread(target=consume)
    consumer.start()
    _feed(deb, 60, 0.02).join()  # 1.2 s of changes, never quiet for 0.3 s
    wait_until(lambda: deb.pending() == 0 and sum(len(b) for b in batches) == 60, 5)
    stop.set()
    consumer.join(5)
    assert 2 <= len(batches) <= 5


def test_debouncer_merges_duplicate_changes_and_stops() -> None:
    deb = Debouncer(quiet=0.05)
    for _ in range(5):
        deb.add(Change(X))
    assert deb.next_batch(threading.Event()) == [Change(X)]
    stop = threading.Event()
    threading.Timer(0.2, stop.set).start()
    assert deb.next_batch(stop) is None


# --------------------------------------------------------------------------------------------------
# Path mapping and versions (pure file system)
# --------------------------------------------------------------------------------------------------


def test_resolve_serves_files_and_refuses_escapes(tmp_path: Path) -> None:
    out = tmp_path / "preview"
    (out / "fupin").mkdir(parents=True)
    (out / "fupin/index.html").write_text("list", encoding="utf-8")
    (out / ".sitegen-output").write_text("marker", encoding="utf-8")
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    assert resolve(out, "/fupin/") == ("file", out / "fupin/index.html")
    assert resolve(out, "/fupin") == ("redirect", "/fupin/")
    for bad in (
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/fupin/..%2f..%2fsecret.txt",
        "/.sitegen-output",
        "/nope.html",
    ):
        assert resolve(out, bad) == ("missing", None), bad


def test_version_changes_only_when_the_file_is_rewritten(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.html").write_text("a", encoding="utf-8")
    v1 = version_of(out, "/a.html")
    assert v1 == version_of(out, "/a.html") != MISSING
    (out / "a.html").unlink()
    assert version_of(out, "/a.html") == MISSING
    (out / "a.html").write_text("b", encoding="utf-8")
    assert version_of(out, "/a.html") not in (v1, MISSING)


def test_busy_port_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        with pytest.raises(PortProblem) as exc:
            bind("127.0.0.1", port, tmp_path, PreviewState(), inject=True)
    text = str(exc.value)
    assert f"端口 {port} 已被占用" in text
    suggested = int(re.search(r"--port (\d+)", text).group(1))
    assert suggested != port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", suggested))  # the suggestion is really free


# --------------------------------------------------------------------------------------------------
# Fixture site and the real server
# --------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServeProcess, Path]]:
    root = make_site(tmp_path_factory.mktemp("live"))
    server = ServeProcess(root, "--watch")
    try:
        server.wait_build(0)
        yield server, root
    finally:
        server.stop()


@pytest.mark.server
def test_preview_is_served_from_the_cache_folder_and_never_touches_output(live) -> None:
    server, root = live
    status, html = server.get("/index.html")
    assert status == 200 and "云岭县人民政府信息公开" in html
    assert (root / ".sitegen-cache/preview/index.html").is_file()
    assert not (root / "output").exists()
    assert LIVERELOAD_TAG.split(" data-")[0] in html  # watch mode injects the client
    status, js = server.get("/__sitegen/livereload.js")
    assert status == 200 and "EventSource" in js


@pytest.mark.server
def test_drafts_are_hidden_without_the_drafts_flag(live) -> None:
    server, _ = live
    assert server.get("/jiuye/draft-buzhu.html")[0] == 404
    assert "草稿：就业补贴办法征求意见稿" not in server.get("/jiuye/index.html")[1]


@pytest.mark.server
def test_edited_title_appears_and_is_reported(live) -> None:
    server, root = live
    item = root / "content/items/anquan-shengchan/anquan-shengchan-1.md"
    set_title(item, "安全生产检查结果（已更正）")
    wait_until(
        lambda: (
            "<h1>安全生产检查结果（已更正）</h1>"
            in server.get("/anquan-shengchan/anquan-shengchan-1.html")[1]
        ),
        what="new title",
    )
    wait_until(
        lambda: "安全生产检查结果（已更正）" in server.get("/anquan-shengchan/index.html")[1],
        what="new title in the domain list",
    )
    wait_until(
        lambda: (
            "已更新 content/items/anquan-shengchan/anquan-shengchan-1.md → 重建 1 条目"
            in server.output
        ),
        5,
    )
    # the edited item's own page first (quick preview), then the other pages, then the index
    wait_until(lambda: "已先更新该条目页面" in server.output, 5)
    docs = root / ".sitegen-cache/preview/search/d"
    doc = next(
        p.name
        for p in docs.glob("*.js")
        if '"anquan-shengchan/anquan-shengchan-1.html"' in p.read_text()
    )
    wait_until(
        lambda: "安全生产检查结果（已更正）" in server.get(f"/search/d/{doc}")[1],
        what="search index updated",
    )
    # the terminal lines are printed once the files are written: the quick index update (the
    # edited document patched in), then the search pass of the rebuild
    wait_until(lambda: "搜索索引已更新" in server.output, 5, what="search index reported")
    assert "已先更新搜索索引" in server.output


@pytest.mark.server
def test_only_changed_pages_get_a_new_version(live) -> None:
    server, root = live
    item, other = "/fupin/fupin-1.html", "/anquan-shengchan/anquan-shengchan-2.html"

    def versions() -> dict:
        return json.loads(
            server.get(f"/__sitegen/versions?p={item}&p={other}&p=/assets/site.css")[1]
        )

    before, build = versions(), server.state()["build"]
    # The served page carries the version of the very bytes served.
    assert f'data-sitegen-version="{before[item]}"' in server.get(item)[1]
    set_title(root / "content/items/fupin/fupin-1.md", "扶贫项目资金公告（修订）")
    server.wait_build(build)
    wait_until(lambda: "扶贫项目资金公告（修订）" in server.get(item)[1])
    after = versions()
    assert after[item] != before[item]
    assert after[other] == before[other]
    assert after["/assets/site.css"] == before["/assets/site.css"]


@pytest.mark.server
def test_new_item_appears_in_its_domain_list(live) -> None:
    server, root = live
    assert "共 0 条" in server.get("/jiuye/index.html")[1]
    text = ITEM_TEMPLATE.format(
        title="2025年就业见习岗位募集公告",
        domain="就业",
        day=5,
        extra="slug: jianxi-2025\n",
        body="见习岗位名单。",
    )
    (root / "content/items/jiuye/jianxi-2025.md").write_text(text, encoding="utf-8")
    wait_until(lambda: server.get("/jiuye/jianxi-2025.html")[0] == 200, what="new item page")
    listing = server.get("/jiuye/index.html")[1]
    assert "2025年就业见习岗位募集公告" in listing and "共 1 条" in listing
    assert "jianxi-2025.html" in listing
    assert not (root / "data/index_numbers.yml").exists()  # preview never writes into the sources


@pytest.mark.server
def test_deleted_item_disappears_from_page_and_lists(live) -> None:
    server, root = live
    item = root / "content/items/fupin/fupin-2.md"
    title = title_of(item)
    assert server.get("/fupin/fupin-2.html")[0] == 200
    assert title in server.get("/fupin/index.html")[1]
    item.unlink()
    wait_until(lambda: server.get("/fupin/fupin-2.html")[0] == 404, what="404")
    page = server.get("/fupin/fupin-2.html")[1]
    assert "页面不存在" in page  # the site's own 404 page
    assert title not in server.get("/fupin/index.html")[1]
    assert title not in server.get("/index.html")[1]


@pytest.mark.server
def test_broken_front_matter_keeps_the_old_page_and_reports_file_and_line(live) -> None:
    server, root = live
    item = root / "content/items/fupin/fupin-3.md"
    good = item.read_text(encoding="utf-8")
    title = title_of(item)
    lines = good.split("\n")
    date_line = next(n for n, line in enumerate(lines, 1) if line.startswith("date:"))
    build = server.state()["build"]
    item.write_text(
        re.sub(r"^date: .+$", "date: 2024-02-30", good, count=1, flags=re.M), encoding="utf-8"
    )
    state = server.wait_build(build, ok=False)
    d = state["diagnostics"][0]
    assert d["path"] == "content/items/fupin/fupin-3.md" and d["line"] == date_line and d["error"]
    assert f"content/items/fupin/fupin-3.md:{date_line}:" in d["text"]
    assert state["message"].startswith("生成失败")
    # The last good site is still served, with the client that shows the overlay.
    status, page = server.get("/fupin/fupin-3.html")
    assert status == 200 and f"<h1>{title}</h1>" in page and "/__sitegen/livereload.js" in page
    wait_until(
        lambda: (
            f"content/items/fupin/fupin-3.md:{date_line}:" in server.output
            and "错误 [" in server.output
        ),
        5,
    )
    # Fixing the file clears the error and shows the fix.
    item.write_text(good.replace(title, title + "（第二版）"), encoding="utf-8")
    state = server.wait_build(state["build"], ok=True)
    assert [d for d in state["diagnostics"] if d["error"]] == []
    wait_until(lambda: f"{title}（第二版）" in server.get("/fupin/fupin-3.html")[1])


@pytest.mark.server
def test_path_escapes_are_refused_over_http(live) -> None:
    server, _ = live
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    for raw in ("/../data/site.yml", "/%2e%2e/%2e%2e/etc/passwd", "/.sitegen-output"):
        conn.request("GET", raw)
        resp = conn.getresponse()
        body = resp.read()
        assert resp.status == 404, raw
        assert b"site_url" not in body and b"root:" not in body
    conn.close()


@pytest.mark.server
def test_two_hundred_changes_within_a_second_end_in_one_correct_site(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    server = ServeProcess(root, "--watch")
    try:
        first = server.wait_build(0)["build"]
        folder = root / "content/items/jiuye"
        start = time.monotonic()
        for i in range(100):  # 100 new items ...
            text = ITEM_TEMPLATE.format(
                title=f"批量公告第{i:03}号",
                domain="就业",
                day=3,
                extra=f"slug: batch-{i:03}\n",
                body="正文。",
            )
            (folder / f"batch-{i:03}.md").write_text(text, encoding="utf-8")
        for i in range(100):  # ... each saved a second time, like an editor's tool does
            path = folder / f"batch-{i:03}.md"
            path.write_text(
                path.read_text(encoding="utf-8").replace("正文。", "正文（定稿）。"),
                encoding="utf-8",
            )
        assert time.monotonic() - start < 1.0
        wait_until(
            lambda: "共 100 条" in server.get("/jiuye/index.html")[1] or None,
            30,
            "all 100 items listed",
        )
        time.sleep(1.0)  # any rebuild still queued would show up in the build count now
        state = server.state()
        assert state["ok"] is True
        assert state["build"] - first <= 3, f"{state['build'] - first} rebuilds for one burst"
        for i in (0, 42, 99):
            status, page = server.get(f"/jiuye/batch-{i:03}.html")
            assert status == 200 and f"批量公告第{i:03}号" in page and "正文（定稿）。" in page
        assert server.proc.poll() is None
        assert "新增 content/items/jiuye/batch-000.md" in server.output
    finally:
        server.stop()


@pytest.mark.server
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_drafts_flag_then_clean_shutdown_with_an_open_event_stream(
    tmp_path: Path, sig: int
) -> None:
    root = make_site(tmp_path)
    server = ServeProcess(root, "--watch", "--drafts")
    server.wait_build(0)
    status, page = server.get("/jiuye/draft-buzhu.html")
    assert status == 200 and "草稿预览：本条目尚未公开" in page
    stream = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    stream.sendall(b"GET /__sitegen/events HTTP/1.1\r\nHost: x\r\n\r\n")
    received = b""
    while b"event: state" not in received:
        chunk = stream.recv(4096)
        assert chunk, "event stream closed early"
        received += chunk
    t0 = time.monotonic()
    code = server.stop(sig)
    stream.close()
    assert code == 0
    assert time.monotonic() - t0 < 5
    assert "预览服务器已停止" in server.output


@pytest.mark.server
def test_busy_port_exits_2_with_a_chinese_message(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        r = subprocess.run(
            [
                sys.executable,
                "-m",
                "sitegen.cli",
                "serve",
                "--root",
                str(root),
                "--port",
                str(port),
            ],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert r.returncode == 2
    assert f"端口 {port} 已被占用" in r.stderr and "--port" in r.stderr
    assert not (root / ".sitegen-cache/preview").exists()


@pytest.mark.server
def test_first_build_failure_is_served_as_an_error_page_until_fixed(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    item = root / "content/items/fupin/fupin-1.md"
    good = item.read_text(encoding="utf-8")
    item.write_text(good.replace("---\n", "", 1), encoding="utf-8")  # no front-matter start
    server = ServeProcess(root, "--watch", port=free_port())
    try:
        state = server.wait_build(0, ok=False)
        assert state["diagnostics"][0]["path"] == "content/items/fupin/fupin-1.md"
        status, page = server.get("/index.html")
        assert status == 503 and "/__sitegen/livereload.js" in page
        item.write_text(good, encoding="utf-8")
        server.wait_build(state["build"], ok=True)
        assert server.get("/index.html")[0] == 200
    finally:
        server.stop()


def test_serve_without_watch_exits_1_when_the_site_does_not_build(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "content/items/fupin/fupin-1.md").write_text("title: 无分隔线\n", encoding="utf-8")
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "sitegen.cli",
            "serve",
            "--root",
            str(root),
            "--port",
            "0",
            "--today",
            TODAY,
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 1
    assert "content/items/fupin/fupin-1.md:1:1: 错误 [E120]" in r.stderr


def test_published_build_has_no_live_reload_and_no_drafts(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    out = tmp_path / "output"
    build(BuildOptions(root=root, out=out, today=dt.date.fromisoformat(TODAY)))
    pages = list(out.rglob("*.html"))
    assert pages
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert "__sitegen" not in html and "SITEGEN_PAGE_VERSION" not in html, page
        assert "草稿：就业补贴办法征求意见稿" not in html
    assert not (out / "jiuye/draft-buzhu.html").exists()


@pytest.mark.server
def test_restarting_on_an_unchanged_site_keeps_serving_it(tmp_path: Path) -> None:
    """The second `serve` finds nothing changed since the first one's build: no rebuild, no error."""
    root = make_site(tmp_path)
    for _ in range(2):
        server = ServeProcess(root, "--watch", port=free_port())
        try:
            server.wait_build(0, ok=True)
            assert server.get("/index.html")[0] == 200
        finally:
            server.stop()
    assert "内容没有变化" in server.output
    assert "E090" not in server.output
