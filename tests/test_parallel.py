"""Forked workers: results in order, and no fork while `sitegen serve`'s threads run."""

from __future__ import annotations

import os
import threading

import pytest

from sitegen import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")


def _pid_of(_: int) -> int:
    return os.getpid()


def test_results_come_back_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    items = list(range(parallel.MIN_ITEMS * 2))
    assert parallel.pmap(lambda x: x * x, items) == [x * x for x in items]


def test_workers_are_used_when_no_other_thread_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SITEGEN_JOBS", "2")
    pids = set(parallel.pmap(_pid_of, range(parallel.MIN_ITEMS)))
    assert os.getpid() not in pids


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
