"""Running a function over tasks in worker processes that share read-only data.

Forked workers inherit the shared data instead of unpickling it; when forking is unsafe (other
threads running, e.g. under ``sitegen serve``) or unavailable, spawned workers get it pickled.
Results come back in task order, so output never depends on the number of workers.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ..parallel import worker_signals

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None
"""(function, shared data), set just before forking."""


def cpu_count() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _forked(task: Any) -> Any:
    assert _SHARED is not None
    gc.disable()
    fn, shared = _SHARED
    return fn(shared, task)


def _spawned(args: tuple[Callable[[Any, Any], Any], Any, Any]) -> Any:
    gc.disable()
    fn, shared, task = args
    return fn(shared, task)


def run(
    fn: Callable[[S, T], R],
    shared: S,
    tasks: Sequence[T],
    workers: int,
    meanwhile: Callable[[], None] | None = None,
) -> list[R]:
    """``[fn(shared, t) for t in tasks]``, computed by up to ``workers`` processes.

    ``fn`` must be a module-level function (spawned workers import it by name). ``meanwhile`` is
    called in this process while the workers run (or first, when there are no workers).
    """
    global _SHARED
    if workers <= 1 or len(tasks) <= 1:
        if meanwhile is not None:
            meanwhile()
        return [fn(shared, t) for t in tasks]
    processes = min(workers, len(tasks))
    if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
        _SHARED = (fn, shared)
        try:
            with multiprocessing.get_context("fork").Pool(
                processes, initializer=worker_signals
            ) as pool:
                pending = pool.map_async(_forked, tasks, chunksize=1)
                _SHARED = None  # the workers have their copy; do not keep it alive here
                if meanwhile is not None:
                    meanwhile()
                return pending.get()
        finally:
            _SHARED = None
    with multiprocessing.get_context("spawn").Pool(processes) as pool:
        pending = pool.map_async(_spawned, [(fn, shared, t) for t in tasks], chunksize=1)
        if meanwhile is not None:
            meanwhile()
        return pending.get()
