"""Watching the site sources for live preview: what changed, what it affects, and when to rebuild.

Three small parts, kept apart so each can be tested without a file system watcher:

* `Change` / `classify()` – pure: a batch of changed paths → a `Plan` saying what is affected
  (items added/edited/removed, templates, data, theme assets) and a one-line Chinese summary.
* `Debouncer` – collects changes from the watcher thread and hands them out in bursts, so an editor
  saving three times or `git checkout` touching hundreds of files causes one rebuild.
* `SourceWatcher` – the watchdog observer on content/, data/ and themes/ feeding a Debouncer.

Today every non-empty plan triggers a full `build()`; the plan is what an incremental build can use.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path, PurePosixPath

WATCHED = ("content", "data", "themes")
"""Top-level folders of the site root that live preview watches."""

ADDED, EDITED, REMOVED = "added", "edited", "removed"

_IGNORED_NAMES = frozenset({"4913", ".DS_Store", "Thumbs.db", "desktop.ini"})
_IGNORED_SUFFIXES = (".swp", ".swx", ".swo", ".tmp", ".part", ".crdownload", ".pyc", "~")
_IGNORED_DIRS = frozenset({"__pycache__", ".git", ".sitegen-cache", "node_modules"})


@dataclass(frozen=True, slots=True)
class Change:
    """One reported change of one path."""

    path: str
    """Path relative to the site root, "/" separated."""
    is_dir: bool = False
    """True when the watcher reported a folder (created, removed or moved as a whole)."""
    kind: str = "modified"
    """"created", "modified" or "deleted" (a move is reported as deleted + created)."""


@dataclass(frozen=True, slots=True)
class Plan:
    """What a batch of changes affects; `scope` says how much must be rebuilt."""

    added: tuple[str, ...] = ()
    """Item files (content/items/**/*.md) that are new."""
    edited: tuple[str, ...] = ()
    """Item files that existed before and still exist."""
    removed: tuple[str, ...] = ()
    """Item files that existed before and are gone."""
    attachments: tuple[str, ...] = ()
    """Other files under content/items (attachments beside items)."""
    templates: tuple[str, ...] = ()
    """Theme templates (themes/*/templates/**)."""
    assets: tuple[str, ...] = ()
    """Other theme files (CSS, JS, fonts, images)."""
    data: tuple[str, ...] = ()
    """Files under data/ (site configuration, sections, interface strings, 索引号 registry)."""
    other: tuple[str, ...] = ()
    """Anything else under content/ (site pages, notices)."""

    @property
    def items(self) -> tuple[str, ...]:
        """Every item file touched, added, edited or removed."""
        return (*self.added, *self.edited, *self.removed)

    @property
    def scope(self) -> str:
        """Scope: "none", "assets" (copy theme files only), "items" (item pages and lists) or "full"."""
        if self.templates or self.data or self.other:
            return "full"
        if self.items or self.attachments:
            return "items"
        if self.assets:
            return "assets"
        return "none"

    @property
    def paths(self) -> tuple[str, ...]:
        """Every path in the plan, in a stable order."""
        return (
            *self.items,
            *self.attachments,
            *self.templates,
            *self.assets,
            *self.data,
            *self.other,
        )

    def describe(self) -> str:
        """One terminal line in Chinese, e.g. "已更新 content/items/x.md → 重建 1 条目"."""
        parts = []
        for label, paths in (
            ("新增", self.added),
            ("已更新", self.edited),
            ("已删除", self.removed),
            ("附件", self.attachments),
            ("模板", self.templates),
            ("数据", self.data),
            ("主题资源", self.assets),
            ("其他内容", self.other),
        ):
            if paths:
                parts.append(f"{label} {_names(paths)}")
        what = "，".join(parts) or "没有需要处理的修改"
        return f"{what} → {self._effect()}"

    def _effect(self) -> str:
        scope = self.scope
        if scope == "full":
            why = "模板" if self.templates else "数据" if self.data else "内容"
            return f"{why}影响全部页面，全部重建"
        if scope == "items":
            n = len(self.items)
            text = f"重建 {n} 条目" if n else "更新附件"
            if self.added or self.removed:
                text += "及所在列表"
            return text
        if scope == "assets":
            return "只更新主题资源"
        return "不重建"


def _names(paths: Sequence[str]) -> str:
    shown = "、".join(paths[:3])
    return shown if len(paths) <= 3 else f"{shown} 等 {len(paths)} 个文件"


def is_ignored(path: str) -> bool:
    """True for editor backups, swap and temporary files, hidden files and tool folders."""
    parts = PurePosixPath(path).parts
    if not parts or parts[0] not in WATCHED:
        return True
    name = parts[-1]
    if name in _IGNORED_NAMES or name.endswith(_IGNORED_SUFFIXES):
        return True
    if name.startswith((".#", "#")) or (name.startswith(".") and len(parts) > 1):
        return True
    return any(p in _IGNORED_DIRS or p.startswith(".") for p in parts[1:-1])


def is_item_file(path: str) -> bool:
    """True for an item file: content/items/**/*.md."""
    return path.startswith("content/items/") and path.endswith(".md")


def classify(
    changes: Iterable[Change], known_items: frozenset[str] | set[str], exists: Callable[[str], bool]
) -> Plan:
    """Decide what a batch of changes affects.

    `known_items` are the item files that existed before the batch; `exists(path)` says whether a
    path exists now. Whether an item was added, edited or removed follows from these two facts, not
    from the order of the events (editors save through temporary files and renames); any other file
    first reported as created and gone again was temporary and is ignored. A folder change
    under content/items stands for every known item below it and every item file now in it: the
    caller expands it (see `expand_dirs`) before calling this function.
    """
    groups: dict[str, set[str]] = {f.name: set() for f in fields(Plan)}
    first_kind: dict[str, str] = {}
    for change in changes:
        if not change.is_dir:
            first_kind.setdefault(change.path, change.kind)
    for path, kind in first_kind.items():
        if is_ignored(path):
            continue
        if is_item_file(path):
            before, now = path in known_items, exists(path)
            if before and now:
                groups["edited"].add(path)
            elif before:
                groups["removed"].add(path)
            elif now:
                groups["added"].add(path)
        elif kind == "created" and not exists(path):
            continue  # a temporary file that came and went within the batch (sed -i, editors)
        elif path.startswith("content/items/"):
            groups["attachments"].add(path)
        elif path.startswith("content/"):
            groups["other"].add(path)
        elif path.startswith("themes/"):
            groups["templates" if "/templates/" in path else "assets"].add(path)
        elif path.startswith("data/"):
            groups["data"].add(path)
    return Plan(**{k: tuple(sorted(v)) for k, v in groups.items()})


def expand_dirs(changes: Iterable[Change], known_items: Iterable[str], root: Path) -> list[Change]:
    """Replace folder changes by the item files they may have touched (known before, or there now)."""
    out: list[Change] = []
    known = sorted(known_items)
    for change in changes:
        if not change.is_dir:
            out.append(change)
            continue
        if is_ignored(change.path):
            continue
        prefix = change.path.rstrip("/") + "/"
        out.extend(Change(p) for p in known if p.startswith(prefix))
        folder = root / change.path
        if folder.is_dir():
            out.extend(
                Change(p.relative_to(root).as_posix())
                for p in sorted(folder.rglob("*"))
                if p.is_file()
            )
        if not prefix.startswith("content/items/"):
            out.append(Change(change.path))  # a theme or data folder: still a change of that kind
    return out


def apply_plan(known_items: set[str], plan: Plan) -> None:
    """Update the set of existing item files after a batch."""
    known_items.update(plan.added)
    known_items.difference_update(plan.removed)


class Debouncer:
    """Collects changes and releases them as one batch once no change came for `quiet` seconds.

    A steady stream of changes is still released every `max_wait` seconds, so a long `git checkout`
    cannot postpone the rebuild forever. Thread-safe: `add` is called from the watcher thread,
    `next_batch` from the thread that rebuilds.
    """

    def __init__(
        self, quiet: float = 0.2, max_wait: float = 2.0, clock: Callable[[], float] = time.monotonic
    ):
        self.quiet = quiet
        self.max_wait = max_wait
        self._clock = clock
        self._cond = threading.Condition()
        self._pending: dict[Change, None] = {}
        self._first = 0.0
        self._last = 0.0

    def add(self, change: Change) -> None:
        """Record one change (duplicates are merged)."""
        with self._cond:
            now = self._clock()
            if not self._pending:
                self._first = now
            self._last = now
            self._pending[change] = None
            self._cond.notify_all()

    def pending(self) -> int:
        """Number of distinct changes waiting."""
        with self._cond:
            return len(self._pending)

    def next_batch(self, stop: threading.Event, poll: float = 0.2) -> list[Change] | None:
        """Block until a burst of changes is complete; None once `stop` is set."""
        with self._cond:
            while True:
                if stop.is_set():
                    return None
                if not self._pending:
                    self._cond.wait(poll)
                    continue
                now = self._clock()
                due = min(self._last + self.quiet, self._first + self.max_wait)
                if now >= due:
                    batch = list(self._pending)
                    self._pending.clear()
                    return batch
                self._cond.wait(min(poll, due - now))


class SourceWatcher:
    """A watchdog observer on content/, data/ and themes/ that feeds a Debouncer."""

    def __init__(self, root: Path, sink: Debouncer, ignore: Sequence[Path] = ()):
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        self.root = root.resolve()
        self.sink = sink
        self._ignore = tuple(p.resolve() for p in ignore)
        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event) -> None:
                watcher._event(event)

        self._observer = Observer()
        for name in WATCHED:
            folder = self.root / name
            if folder.is_dir():
                self._observer.schedule(_Handler(), str(folder), recursive=True)

    def _event(self, event) -> None:
        if event.event_type not in ("created", "modified", "deleted", "moved"):
            return
        if event.is_directory and event.event_type == "modified":
            return  # a folder's own timestamp: its files report their changes themselves
        found = [(event.src_path, event.event_type)]
        if event.event_type == "moved":
            found = [(event.src_path, "deleted"), (event.dest_path, "created")]
        for raw, kind in found:
            rel = self._relative(raw)
            if rel is not None:
                self.sink.add(Change(rel, bool(event.is_directory), kind))

    def _relative(self, raw: str | bytes) -> str | None:
        path = Path(raw.decode() if isinstance(raw, bytes) else raw)
        if any(path.is_relative_to(p) for p in self._ignore):
            return None
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def start(self) -> None:
        """Start watching (events are delivered on the observer's own thread)."""
        self._observer.start()

    def stop(self) -> None:
        """Stop watching and wait for the observer thread to end."""
        self._observer.stop()
        self._observer.join(timeout=5)
