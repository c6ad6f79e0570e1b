"""Bar charts for the statistics page, as plain values the theme draws as inline SVG at build time.

Pure: counts in, geometry out (bar lengths as percentages of the chart width). The theme's
charts.html lays each bar out in `em` rows, so the chart grows with the reader's text size and
needs no script and no library.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .stats import Count

MAX_BAR = 82.0
"""Longest bar, in percent of the chart width (the rest holds the number)."""


@dataclass(frozen=True, slots=True)
class Bar:
    """One labelled bar."""

    label: str
    """Text above the bar."""
    value: int
    """The number written after the bar."""
    percent: float
    """Bar length in percent of the chart width (0 for a zero value)."""
    href: str
    """Edition-relative page the bar stands for ("" = none)."""


@dataclass(frozen=True, slots=True)
class BarChart:
    """A horizontal bar chart."""

    bars: tuple[Bar, ...]
    """Bars, top to bottom."""
    max_value: int
    """The largest value (the longest bar)."""

    @property
    def rows(self) -> int:
        """Number of bars."""
        return len(self.bars)


def bar_chart(counts: Sequence[Count], hrefs: Sequence[str] = ()) -> BarChart:
    """A chart with one bar per count; `hrefs` (same order) names the page of each bar."""
    top = max((c.n for c in counts), default=0)
    bars = tuple(
        Bar(
            label=c.label,
            value=c.n,
            percent=round(MAX_BAR * c.n / top, 2) if top else 0.0,
            href=hrefs[n] if n < len(hrefs) else "",
        )
        for n, c in enumerate(counts)
    )
    return BarChart(bars, top)
