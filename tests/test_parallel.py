"""Forked workers: results in order, and no fork while `sitegen serve`'s threads run."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from sitegen import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")

REPO = Path(__file__).resolve().parents[1]


def _fresh_process(code: str) -> str:
    """What `code` prints, run by a new Python with two workers allowed."""
    env = {**os.environ, "SITEGEN_JOBS": "2", "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def _pid_of(_: int) -> int:
    return os.getpid()


def test_results_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    items = list(range(parallel.MIN_ITEMS * 2))
    assert parallel.pmap(lambda x: x * x, items) == [x * x for x in items]


def test_workers_are_used_when_no_other_thread_runs() -> None:
    """In a fresh process (this one may hold other tests' threads) the work goes to workers."""
    code = (
        "import os; from sitegen import parallel; "
        "pids = set(parallel.pmap(lambda _: os.getpid(), range(parallel.MIN_ITEMS))); "
        "print(len(pids - {os.getpid()}), os.getpid() in pids)"
    )
    workers, here = _fresh_process(code).split()
    assert int(workers) >= 1 and here == "False"


def test_no_fork_while_other_threads_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """Under serve (HTTP and watcher threads) the work stays in this process."""
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        pids = set(parallel.pmap(_pid_of, range(parallel.MIN_ITEMS)))
    finally:
        stop.set()
        thread.join()
    assert pids == {os.getpid()}


def test_kept_objects_stay_out_of_the_collector_until_the_build_ends() -> None:
    """Workers (forked, in a fresh process) leave what a build set aside with keep() set aside,
    the collector runs again in this process once they are done, and everything is handed back
    to it when the decorated build returns, so a long-running `sitegen serve` can free it."""
    code = (
        "import gc, os; from sitegen import parallel\n"
        "@parallel.keeping\n"
        "def build():\n"
        "    parallel.keep()\n"
        "    kept = gc.get_freeze_count()\n"
        "    pids = set(parallel.pmap(lambda _: os.getpid(), range(parallel.MIN_ITEMS)))\n"
        "    assert os.getpid() not in pids, 'no workers'\n"
        "    return kept, gc.get_freeze_count() >= kept, gc.isenabled()\n"
        "kept, still, collecting = build()\n"
        "print(kept > 0, still, collecting, gc.get_freeze_count())\n"
    )
    assert _fresh_process(code).split() == ["True", "True", "True", "0"]
