"""Run a per-item function over both cores: forked workers, results back in input order.

Workers are forked from the building process, so they inherit everything already in memory (the
config, the site model, the Jinja environment): only item indices go to a worker and only results
come back. Falls back to a plain loop for small inputs, one core, platforms without fork, and when
other threads are running (`sitegen serve`): a thread holding a lock at the moment of the fork
would leave that lock held forever in the worker.
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import os
import signal
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

T = TypeVar("T")
R = TypeVar("R")
P = ParamSpec("P")

MIN_ITEMS = 400
"""Below this many items the fork and transfer overhead outweighs the gain."""

_job: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def workers() -> int:
    """How many processes to use: SITEGEN_JOBS, else the number of usable cores."""
    env = os.environ.get("SITEGEN_JOBS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def pmap(
    fn: Callable[[T], R],
    items: Sequence[T],
    meanwhile: Callable[[], object] | None = None,
    min_items: int = MIN_ITEMS,
) -> list[R]:
    """[fn(x) for x in items], computed by forked workers when that pays off (at least
    `min_items` items: fewer, bigger jobs may ask for workers sooner).

    `meanwhile` (if given) is called once in this process while the workers compute (after the
    loop when there are none); the workers never see what it does.
    """
    n = workers()
    if (
        n <= 1
        or len(items) < min_items
        or "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1
    ):
        results = [fn(x) for x in items]
        if meanwhile is not None:
            meanwhile()
        return results
    global _job
    _job = (fn, items)
    frozen = gc.get_freeze_count() > 0  # by keep(): stays so
    gc.freeze()  # the workers' collector never visits (and so never copies) what they inherit
    try:
        size = -(-len(items) // (n * 4))
        ranges = [(start, min(start + size, len(items))) for start in range(0, len(items), size)]
        with (
            multiprocessing.get_context("fork").Pool(n, initializer=worker_signals) as pool,
            _collector_paused(),  # here, not in the workers
        ):
            pending = pool.map_async(_run, ranges, chunksize=1)
            if meanwhile is not None:
                meanwhile()
            chunks = pending.get()
    finally:
        _job = None
        if not frozen:
            gc.unfreeze()
    return [r for chunk in chunks for r in chunk]


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic collection in this process meanwhile: it takes in results (records, without
    reference cycles), and collections went over them again and again as they piled up."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def keep() -> None:
    """Take every object alive now out of the cyclic collector's reach until the build ends
    (`keeping`): a stage's results are kept whole to the end, and at 50,000 items the collector
    spent ~3 s going over them again and again."""
    gc.freeze()


def keeping(fn: Callable[P, R]) -> Callable[P, R]:
    """Decorator: what `keep` set aside during a call is handed back to the collector after it."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        finally:
            gc.unfreeze()

    return wrapper


def worker_signals() -> None:
    """In a worker: default SIGTERM (the pool stops its workers with it), Ctrl-C left to the parent.

    A forked worker inherits the parent's Python signal handlers; one that only sets a flag (as
    `sitegen serve` installs) would keep the worker alive and the pool waiting for it forever.
    """
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run(span: tuple[int, int]) -> list[Any]:
    assert _job is not None
    fn, items = _job
    return [fn(items[i]) for i in range(*span)]
