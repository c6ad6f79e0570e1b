"""The pager of a long list stays short: first, last, and two pages either side of this one."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.model import ListPage

PATHS = tuple(f"stage/jieguo/page-{n}.html" for n in range(1, 726))


def _pager(number: int, count: int) -> list[int]:
    page = ListPage(PATHS[0], "stage", None, None, (), number, PATHS[:count], count * 20)
    return [n for n, _ in page.pager]


@pytest.mark.parametrize(
    ("number", "count", "shown"),
    [
        (1, 1, [1]),
        (3, 5, [1, 2, 3, 4, 5]),
        (1, 725, [1, 2, 3, 0, 725]),
        (100, 725, [1, 0, 98, 99, 100, 101, 102, 0, 725]),
        (4, 725, [1, 2, 3, 4, 5, 6, 0, 725]),  # no gap of a single page: 2 is shown
        (725, 725, [1, 0, 723, 724, 725]),
    ],
)
def test_pager_shows_a_window(number: int, count: int, shown: list[int]) -> None:
    assert _pager(number, count) == shown


@given(st.integers(1, 725).flatmap(lambda c: st.tuples(st.integers(1, c), st.just(c))))
def test_every_pager_links_its_neighbours_and_stays_short(case: tuple[int, int]) -> None:
    number, count = case
    page = ListPage(PATHS[0], "stage", None, None, (), number, PATHS[:count], count * 20)
    shown = [n for n, _ in page.pager if n]
    assert shown == sorted(set(shown)) and shown[0] == 1 and shown[-1] == count
    assert {number - 1, number, number + 1} & set(range(1, count + 1)) <= set(shown)
    assert len(page.pager) <= 9
    assert all(path == PATHS[n - 1] for n, path in page.pager if n)
