"""The live-preview HTTP server: serves the preview folder by path and the /__sitegen/ endpoints.

Every request opens its file by path, so after a rebuild (`output.update_site` renaming changed files
over the old ones, or `output.write_site` swapping in a new tree) the next request sees the new site
and a request in flight finishes reading the old file. Nothing is cached.

Endpoints besides the site itself:
  /__sitegen/livereload.js   the client script (package file sitegen/serve_assets/livereload.js)
  /__sitegen/events          server-sent events: the build state after every rebuild
  /__sitegen/errors          the same state as JSON (diagnostics of the last failed build)
  /__sitegen/versions?p=URL  per-file versions, so a page reloads only when it (or its CSS/JS) changed

A page's version is its file's inode, mtime and size: a rebuild leaves unchanged files alone (or
hard-links them into the new tree), so an unchanged page keeps its version without being read or
hashed.
The version of the served bytes is written into the page at the placeholder of the injected tag.
"""

from __future__ import annotations

import json
import mimetypes
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from .diagnostics import Diagnostic

PREFIX = "/__sitegen/"
VERSION_PLACEHOLDER = "@@SITEGEN_PAGE_VERSION@@"
MISSING = "missing"
LIVERELOAD_TAG = f'<script src="{PREFIX}livereload.js" data-sitegen-version="{VERSION_PLACEHOLDER}" defer></script>'
"""Added to every page's <head> in watch mode (BuildOptions.extra_head); never in `sitegen build`."""

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".csv": "text/csv; charset=utf-8",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
}


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The build state that clients see."""

    build: int
    """Number of finished build attempts (0 = the first build is still running)."""
    ok: bool | None
    """True after a good build, False after a failed one, None before the first build ended."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Errors and warnings of the last build attempt."""
    message: str = ""
    """One line in Chinese for the overlay and the terminal."""

    def as_json(self) -> dict[str, object]:
        """JSON-ready form (what /__sitegen/errors returns and the event stream sends)."""
        return {
            "build": self.build,
            "ok": self.ok,
            "message": self.message,
            "diagnostics": [
                {
                    "path": d.path,
                    "line": d.line,
                    "col": d.col,
                    "code": d.code,
                    "severity": d.severity.value,
                    "error": d.is_error,
                    "message": d.message,
                    "hint": d.hint,
                    "text": d.format(),
                }
                for d in self.diagnostics
            ],
        }


@dataclass(slots=True)
class PreviewState:
    """The latest build state, shared between the rebuilding thread and request threads."""

    current: Snapshot = Snapshot(0, None)
    """State after the latest build attempt."""
    closed: bool = False
    """Set at shutdown: event streams end."""
    _cond: threading.Condition = field(default_factory=threading.Condition)

    def publish(
        self, ok: bool, diagnostics: Sequence[Diagnostic] = (), message: str = ""
    ) -> Snapshot:
        """Record the result of one build attempt and wake every event stream."""
        with self._cond:
            self.current = Snapshot(self.current.build + 1, ok, tuple(diagnostics), message)
            self._cond.notify_all()
            return self.current

    def wait_newer(self, build: int, timeout: float) -> Snapshot | None:
        """The state once it is newer than `build`, or None after `timeout` seconds / at shutdown."""
        with self._cond:
            self._cond.wait_for(lambda: self.closed or self.current.build > build, timeout)
            return None if self.closed or self.current.build <= build else self.current

    def close(self) -> None:
        """End every event stream."""
        with self._cond:
            self.closed = True
            self._cond.notify_all()


def resolve(out: Path, url_path: str) -> tuple[str, Path | str | None]:
    """Map a URL path to ("file", path), ("redirect", location) or ("missing", None).

    Hidden names, "..", backslashes and NUL are refused; a folder serves its index.html.
    """
    raw = unquote(url_path)
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if any(p == ".." or p.startswith(".") or "\\" in p or "\0" in p for p in parts):
        return "missing", None
    target = out.joinpath(*parts)
    try:
        if target.is_dir():
            if not raw.endswith("/"):
                return "redirect", url_path + "/"
            target = target / "index.html"
        if target.is_file() and target.resolve().is_relative_to(out.resolve()):
            return "file", target
    except (OSError, ValueError):
        pass
    return "missing", None


def stat_version(st: os.stat_result) -> str:
    """A file version from its stat: changes whenever the build wrote new bytes for it."""
    return f"{st.st_ino:x}-{st.st_mtime_ns:x}-{st.st_size:x}"


def version_of(out: Path, url_path: str) -> str:
    """Current version of what `url_path` serves ("missing" when it would be a 404)."""
    kind, target = resolve(out, url_path)
    if kind != "file":
        return MISSING
    assert isinstance(target, Path)
    try:
        return stat_version(target.stat())
    except OSError:
        return MISSING


def client_script() -> bytes:
    """The live-reload client (a package file)."""
    return resources.files("sitegen").joinpath("serve_assets/livereload.js").read_bytes()


def _content_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return _TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _placeholder_page(state: Snapshot) -> bytes:
    """What a page request gets before any good build exists."""
    text = (
        "正在生成预览，完成后本页会自动刷新……"
        if state.ok is None
        else "生成失败，请按错误提示修改文件，修复后本页会自动刷新。"
    )
    return (
        '<!doctype html><html lang="zh-Hans"><head><meta charset="utf-8"><title>sitegen 预览</title>'
        f"{LIVERELOAD_TAG}</head><body><p>{text}</p></body></html>"
    ).encode()


class PreviewServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows the preview folder and the shared state."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(
        self, address: tuple[str, int], out: Path, state: PreviewState, inject: bool = True
    ):
        self.out = out
        self.state = state
        self.inject = inject
        super().__init__(address, PreviewHandler)


class PreviewHandler(BaseHTTPRequestHandler):
    """Serves files from the preview folder by path, plus the /__sitegen/ endpoints."""

    server: PreviewServer
    protocol_version = "HTTP/1.1"
    server_version = "sitegen-preview"
    timeout = 60
    keepalive_seconds = 15.0

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the terminal shows rebuilds, not every request."""

    def do_HEAD(self) -> None:
        """Like GET without the body."""
        self._get(head=True)

    def do_GET(self) -> None:
        """Serve a site file or an endpoint."""
        self._get(head=False)

    def _get(self, head: bool) -> None:
        url = urlsplit(self.path)
        if url.path.startswith(PREFIX):
            self._endpoint(url.path[len(PREFIX) :], url.query, head)
            return
        out = self.server.out
        kind, target = resolve(out, url.path)
        if kind == "redirect":
            location = str(target) + (f"?{url.query}" if url.query else "")
            self._send(301, b"", "text/plain; charset=utf-8", head, {"Location": location})
            return
        if kind == "file":
            assert isinstance(target, Path)
            try:
                self._send_file(target, 200, head)
                return
            except FileNotFoundError:
                pass  # swapped away between resolve() and open(): a 404 now
        self._not_found(url.path, head)

    def _not_found(self, url_path: str, head: bool) -> None:
        out = self.server.out
        first = url_path.lstrip("/").split("/", 1)[0]
        for folder in (first, ""):
            page = out / folder / "404.html" if folder else out / "404.html"
            if folder and (folder.startswith(".") or not (out / folder).is_dir()):
                continue
            try:
                self._send_file(
                    page, 404, head, base="/" + (f"{folder}/" if folder else ""), version=MISSING
                )
                return
            except (FileNotFoundError, NotADirectoryError):
                continue
        if not (out / "index.html").is_file() and self.server.inject:
            self._send(
                503,
                self._inject(_placeholder_page(self.server.state.current), MISSING),
                _TYPES[".html"],
                head,
            )
            return
        self._send(404, "404 找不到这个页面".encode(), "text/plain; charset=utf-8", head)

    def _send_file(
        self, path: Path, status: int, head: bool, base: str = "", version: str = ""
    ) -> None:
        with path.open("rb") as f:
            st = os.fstat(f.fileno())
            ctype = _content_type(path)
            if ctype.startswith("text/html"):
                data = f.read()
                if base:
                    data = data.replace(b"<head>", f'<head><base href="{base}">'.encode(), 1)
                if self.server.inject:
                    data = self._inject(data, version or stat_version(st))
                self._send(status, data, ctype, head)
                return
            self._headers(status, ctype, st.st_size)
            if not head:
                shutil.copyfileobj(f, self.wfile, 256 * 1024)

    @staticmethod
    def _inject(data: bytes, version: str) -> bytes:
        return data.replace(VERSION_PLACEHOLDER.encode(), version.encode(), 1)

    def _headers(
        self, status: int, ctype: str, length: int, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        self.send_header("Cache-Control", "no-store")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()

    def _send(
        self, status: int, data: bytes, ctype: str, head: bool, extra: dict[str, str] | None = None
    ) -> None:
        self._headers(status, ctype, len(data), extra)
        if not head:
            self.wfile.write(data)

    def _json(self, value: object, head: bool) -> None:
        self._send(200, json.dumps(value, ensure_ascii=False).encode(), _TYPES[".json"], head)

    def _endpoint(self, name: str, query: str, head: bool) -> None:
        if name == "livereload.js":
            self._send(200, client_script(), _TYPES[".js"], head)
        elif name == "errors":
            self._json(self.server.state.current.as_json(), head)
        elif name == "versions":
            paths = parse_qs(query).get("p", [])[:200]
            self._json({p: version_of(self.server.out, urlsplit(p).path) for p in paths}, head)
        elif name == "events" and not head:
            self._events()
        else:
            self._send(404, b"unknown endpoint", "text/plain; charset=utf-8", head)

    def _events(self) -> None:
        """Server-sent events: the current state at once, then every new state; comments keep alive."""
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        state = self.server.state
        snap: Snapshot | None = state.current
        seen = -1
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while not state.closed:
                if snap is not None:
                    seen = snap.build
                    data = json.dumps(snap.as_json(), ensure_ascii=False)
                    self.wfile.write(f"event: state\ndata: {data}\n\n".encode())
                else:
                    self.wfile.write(b": keep-alive\n\n")
                snap = state.wait_newer(seen, self.keepalive_seconds)
        except (BrokenPipeError, ConnectionResetError, TimeoutError, OSError):
            return
