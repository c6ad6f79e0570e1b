"""The timeliness check (《条例》: public within 20 working days of being formed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.checks import working_days_between
from sitegen.config import load_config

CONFIG, _ = load_config(Path(__file__).resolve().parent.parent)
assert CONFIG is not None


def day_by_day(start: dt.date, end: dt.date, holidays: frozenset, workdays: frozenset) -> int:
    """Walk the calendar: weekdays that are not holidays, plus declared working days (调休)."""
    count, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        if (day.weekday() < 5 and day not in holidays) or day in workdays:
            count += 1
    return count


@settings(max_examples=400, deadline=None)
@given(
    st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 31)),
    st.integers(-10, 900),
    st.frozensets(st.dates(dt.date(2019, 1, 1), dt.date(2029, 12, 31)), max_size=40),
    st.frozensets(st.dates(dt.date(2019, 1, 1), dt.date(2029, 12, 31)), max_size=20),
)
def test_working_days_match_a_day_by_day_count(
    start: dt.date, span: int, holidays: frozenset[dt.date], workdays: frozenset[dt.date]
) -> None:
    """Counting by whole weeks gives what walking the calendar gives, holidays and 调休 included."""
    end = start + dt.timedelta(days=span)
    config = replace(CONFIG, holidays=holidays, workdays=workdays)
    assert working_days_between(start, end, config) == day_by_day(start, end, holidays, workdays)


def test_the_sample_sites_calendar() -> None:
    """With data/holidays.yml: the 2024 National Day week (Oct 1–7 off, Sep 29 and Oct 12 worked)."""
    assert CONFIG is not None
    start, end = dt.date(2024, 9, 27), dt.date(2024, 10, 14)
    expected = day_by_day(start, end, CONFIG.holidays, CONFIG.workdays)
    assert working_days_between(start, end, CONFIG) == expected
    if dt.date(2024, 10, 1) in CONFIG.holidays:
        # Sep 29 (Sun, worked), Sep 30, Oct 8–11, Oct 12 (Sat, worked), Oct 14
        assert expected == 8
