"""`sitegen serve`: build into a preview folder, serve it over HTTP, and (with --watch) rebuild on change.

The preview goes to <root>/.sitegen-cache/preview, never to output/. With --watch the pages get the
live-reload script (BuildOptions.extra_head), every burst of source changes is classified (see
watch.py), printed, and followed by an incremental build (`Preview.rebuild_fn`, build.build) that
reuses the previous build's cache, kept in memory. A rebuild runs in two passes: the pages first
(served and reloaded at once), then the search index (build.update_search, from the first pass's
model). A failed rebuild keeps the last good site served and shows its diagnostics in the terminal
and as an overlay in open pages.
"""

from __future__ import annotations

import datetime as dt
import errno
import signal
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from .build import BuildOptions, BuildResult, build, update_search
from .cache import BuildCache, cache_path, data_path, stamp_path
from .content import iter_item_files
from .diagnostics import BuildFailed, Diagnostic, UsageError, error, format_all
from .output import check_output_dir, discard_files, replace_files
from .quick import QuickKit, quick_edit, quick_search
from .search.index import SearchState
from .serve_http import LIVERELOAD_TAG, PreviewServer, PreviewState
from .watch import Debouncer, Plan, SourceWatcher, apply_plan, classify, expand_dirs

PREVIEW_DIR = Path(".sitegen-cache") / "preview"
"""Default preview folder, relative to the site root."""

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2


class PortProblem(Exception):
    """The server could not listen; the message (Chinese) says why and what to do."""


def serve(
    root: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    watch: bool = False,
    drafts: bool = False,
    today: dt.date | None = None,
    out: Path | None = None,
) -> int:
    """Run the preview server until Ctrl-C / SIGTERM; returns the exit code (0, 1 or 2)."""
    root = root.resolve()
    out = (out or root / PREVIEW_DIR).resolve()
    check_output_dir(out, root)
    options = BuildOptions(
        root=root,
        out=out,
        today=today or dt.date.today(),
        drafts=drafts,
        extra_head=LIVERELOAD_TAG if watch else "",
        update_registry=False,  # a preview never changes the site's sources
    )
    state = PreviewState()
    try:
        server = bind(host, port, out, state, inject=watch)
    except PortProblem as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    preview = Preview(options, server, state)
    return preview.run(watch)


def bind(host: str, port: int, out: Path, state: PreviewState, inject: bool) -> PreviewServer:
    """Listen on host:port, or raise PortProblem with a Chinese message and a suggestion."""
    server_class = PreviewServer
    if ":" in host:
        server_class = type("PreviewServer6", (PreviewServer,), {"address_family": socket.AF_INET6})
    try:
        return server_class((host, port), out, state, inject)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            free = free_port_near(host, port)
            hint = f"请用 --port {free}" if free else "请用 --port 换一个端口"
            raise PortProblem(f"端口 {port} 已被占用，{hint}，或先关闭占用它的程序。") from None
        if exc.errno == errno.EACCES:
            raise PortProblem(
                f"没有权限使用端口 {port}（1024 以下的端口需要管理员权限），请用 --port 8000。"
            ) from None
        raise PortProblem(
            f"无法在 {host}:{port} 上启动预览服务器：{exc}。请检查 --host（本机预览用 127.0.0.1）。"
        ) from None


def free_port_near(host: str, port: int, tries: int = 20) -> int | None:
    """The first port after `port` that can be bound on `host`, if any."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    for candidate in range(port + 1, min(port + 1 + tries, 65536)):
        with socket.socket(family, socket.SOCK_STREAM) as s:
            try:
                s.bind((host, candidate))
            except OSError:
                continue
            return candidate
    return None


def _say(text: str) -> None:
    print(text, flush=True)


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass(slots=True)
class Preview:
    """One `sitegen serve` run: the server thread, the watcher and the rebuild loop."""

    options: BuildOptions
    """How every (re)build is made."""
    server: PreviewServer
    """The bound HTTP server (not yet serving)."""
    state: PreviewState
    """Build state shared with the request threads."""
    rebuild_fn: Callable[[BuildOptions, BuildCache | None], BuildResult] = build
    """The one function that (re)builds the site, given the previous build's cache."""
    cache: BuildCache | None = None
    """The last successful build's cache (None before the first build: it reads the disk cache)."""
    quick: QuickKit | None = None
    """What the last successful build left for quick previews of an edited item (quick.py)."""
    search_state: dict[str, SearchState] = field(default_factory=dict)
    """Edition prefix → the search index now in the preview folder (for quick updates)."""
    stop: threading.Event = field(default_factory=threading.Event)
    """Set by Ctrl-C / SIGTERM (or a test) to end the run."""
    last_warnings: tuple[Diagnostic, ...] = ()
    """Warnings already printed (printed again only when they change)."""

    @property
    def url(self) -> str:
        """Address of the preview."""
        host, port = self.server.server_address[:2]
        shown = (
            "127.0.0.1" if host in ("0.0.0.0", "") else f"[{host}]" if ":" in str(host) else host
        )
        return f"http://{shown}:{port}/"

    def run(self, watch: bool) -> int:
        """Serve until stopped; returns the exit code."""
        restore = self._install_signals()
        thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
        )
        watcher: SourceWatcher | None = None
        try:
            self._banner(watch)
            # The first build runs before any other thread exists, so it may fork workers over both
            # cores (parallel.py); requests made meanwhile wait in the listen queue.
            ok = self.rebuild(None)
            known: set[str] = set()
            debouncer = Debouncer()
            if watch:
                root = self.options.root
                known = {p.relative_to(root).as_posix() for p in iter_item_files(root)}
                assert self.options.out is not None
                watcher = SourceWatcher(root, debouncer, ignore=[self.options.out])
                watcher.start()
                if ok:  # a file saved during the first build, before the watcher, is built now
                    self._catch_up()
            thread.start()  # answered from here on, with every later change watched
            if not watch:
                if not ok:
                    return EXIT_CONTENT
                while not self.stop.wait(0.5):
                    pass
                return EXIT_OK
            self._loop(debouncer, known)
            return EXIT_OK
        except KeyboardInterrupt:  # a second Ctrl-C during a long build
            return EXIT_OK
        finally:
            if watcher is not None:
                watcher.stop()
            self.state.close()
            if thread.is_alive():
                self.server.shutdown()
            self.server.server_close()
            thread.join(timeout=5)
            restore()
            _say("预览服务器已停止。")

    def _loop(self, debouncer: Debouncer, known: set[str]) -> None:
        root = self.options.root
        while True:
            batch = debouncer.next_batch(self.stop)
            if batch is None:
                return
            changes = expand_dirs(batch, known, root)
            plan = classify(changes, known, lambda p: (root / p).is_file())
            apply_plan(known, plan)
            if plan.scope == "none":
                continue
            _say(plan.describe())
            self.quick_preview(plan)
            self.rebuild(plan)

    def _catch_up(self) -> None:
        """Rebuild if a source changed since the first build started (quiet when nothing did)."""
        self._build(self.options, "", quiet_if_unchanged=True)

    def quick_preview(self, plan: Plan) -> None:
        """Serve the page of a single edited item at once, before the rebuild (quick.py), then
        patch its document into the search index."""
        if self.quick is None or self.options.out is None or plan.scope != "items":
            return
        if not self.state.current.ok:  # an error is shown: only a rebuild may clear it
            return
        if len(plan.edited) != 1 or plan.added or plan.removed or plan.attachments:
            return
        start = time.perf_counter()
        try:
            edit = quick_edit(self.quick, plan.edited[0])
        except Exception:  # the rebuild that follows reports whatever is wrong
            return
        if edit is None:
            return
        out = self.options.out
        root = self.options.root
        discard_files(cache_path(root, out), data_path(root, out), stamp_path(root, out))
        if replace_files(out, [edit.page]):
            self.state.publish(True, self.last_warnings)
            _say(
                f"已先更新该条目页面（用时 {time.perf_counter() - start:.2f} 秒），其余页面随后更新"
            )
        state = self.search_state.get("")
        if state is None:
            return
        start = time.perf_counter()
        try:
            self.search_state[""], files = quick_search(state, edit)
        except Exception:  # e.g. an item the index does not have yet: the rebuild adds it
            self.search_state.clear()  # no quick update until a build has written the index
            return
        gone = state.files - self.search_state[""].files  # shards that left the index
        written = replace_files(out, files)
        discard_files(*(out / "search" / rel for rel in sorted(gone)))
        if written or gone:
            _say(f"已先更新搜索索引（用时 {time.perf_counter() - start:.2f} 秒）")

    def rebuild(self, plan: Plan | None) -> bool:
        """Build once (`plan` = what changed, None for the first build); publish the outcome.

        After the first build, the pages are rebuilt and published first and the search index
        right after, so an edited page is served without waiting for the index.
        """
        del plan  # the build itself finds what changed, from the cache
        if self.cache is None:
            return self._build(self.options, "")
        pages: list[BuildResult] = []
        if not self._build(replace(self.options, search=False), "页面", kept=pages):
            return False
        if not pages or pages[0].site is None:  # nothing changed: the index is up to date
            return True
        return self._run(lambda: update_search(self.options, pages[0]), "搜索索引")

    def _build(
        self,
        options: BuildOptions,
        part: str,
        quiet_if_unchanged: bool = False,
        kept: list[BuildResult] | None = None,
    ) -> bool:
        return self._run(
            lambda: self.rebuild_fn(options, self.cache), part, quiet_if_unchanged, kept
        )

    def _run(
        self,
        step: Callable[[], BuildResult],
        part: str,
        quiet_if_unchanged: bool = False,
        kept: list[BuildResult] | None = None,
    ) -> bool:
        """Run one build step; publish and print its outcome (`kept` receives its result)."""
        start = time.perf_counter()
        try:
            result = step()
        except BuildFailed as exc:
            return self._failed(exc.diagnostics)
        except UsageError as exc:
            return self._failed((exc.diagnostic,))
        except Exception as exc:  # a bug must not take the preview down: report it and keep serving
            traceback.print_exc()
            diag = error(
                "",
                0,
                0,
                "E090",
                f"预览重建时发生内部错误：{type(exc).__name__}: {exc}",
                "请把终端里的错误信息报告给维护者",
            )
            return self._failed((diag,))
        if not (result.unchanged and self.cache is None):  # else the disk cache is still good
            self.cache = result.cache
        if result.quick is not None:
            self.quick = result.quick
        if kept is not None:
            kept.append(result)
        if result.search:  # this build wrote a new index
            self.search_state = dict(result.search)
        seconds = time.perf_counter() - start
        written = result.written
        if result.site is None:  # nothing changed since the last build into this preview folder
            if quiet_if_unchanged:
                return True
            _say(f"内容没有变化，预览保持不变（用时 {seconds:.2f} 秒）")
        else:
            changed = (
                f"，{written.written} 个文件有变化（共 {written.files} 个）" if written else ""
            )
            done = f"{part}已更新" if part else "生成完成"
            _say(
                f"{done}：{len(result.site.default.entries)} 条公开信息，"
                f"用时 {seconds:.2f} 秒{changed}"
            )
        if result.diagnostics and result.diagnostics != self.last_warnings:
            _warn(format_all(result.diagnostics))
        self.last_warnings = result.diagnostics
        self.state.publish(True, result.diagnostics)
        return True

    def _failed(self, diagnostics: tuple[Diagnostic, ...]) -> bool:
        _warn(format_all(diagnostics))
        kept = (
            "仍在预览上一次成功生成的网站"
            if (self.options.out and (self.options.out / "index.html").is_file())
            else "还没有可预览的网站"
        )
        message = f"生成失败：{kept}。修复上面的问题并保存后会自动重建。"
        _warn(message)
        self.state.publish(False, diagnostics, message)
        return False

    def _banner(self, watch: bool) -> None:
        _say(f"sitegen 预览：{self.url}（按 Ctrl+C 停止）")
        _say(f"预览文件写在 {self.options.out}（不是 output/；正式发布请用 sitegen build）")
        host = str(self.server.server_address[0])
        if host not in ("127.0.0.1", "::1", "localhost"):
            _say(f"注意：--host {host} 让其他电脑也能访问这个预览（包括尚未发布的内容）。")
        if self.options.drafts:
            _say("草稿也会显示（页面上有草稿标记）；sitegen build 从不发布草稿。")
        if watch:
            _say("正在监视 content/、data/、themes/ 的修改，保存后自动重建并刷新打开的页面。")

    def _install_signals(self) -> Callable[[], None]:
        if threading.current_thread() is not threading.main_thread():
            return lambda: None

        def handler(signum: int, frame: object) -> None:
            if self.stop.is_set():
                raise KeyboardInterrupt
            _say("\n正在停止预览服务器……")
            self.stop.set()

        previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

        def restore() -> None:
            for sig, old in previous.items():
                signal.signal(sig, old)

        return restore
