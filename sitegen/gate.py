"""The disclosure gate: the one place that decides which items are published.

Every later stage (model, pages, search, feeds, sitemap, attachments) sees only what passes here, so a
gated item cannot leak through any of them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .content import Item


@dataclass(frozen=True, slots=True)
class Withheld:
    """An item the gate kept out of the site, and why (for the build report)."""

    source: str
    """Path of the item file."""
    reason: str
    """Why it is not published, in Chinese."""


@dataclass(frozen=True, slots=True)
class GateResult:
    """What the gate let through and what it held back."""

    published: tuple[Item, ...]
    """Items that appear in the site, in input order."""
    withheld: tuple[Withheld, ...]
    """Items kept out, with reasons."""


def gate(
    items: Sequence[Item], translations: Mapping[str, str], today: dt.date, *, drafts: bool = False
) -> GateResult:
    """Keep only 主动公开 items whose publish date has arrived; drafts only when `drafts` (preview).

    `translations` maps a translation's source to its original's source: a translation is published
    only together with its original.
    """
    reasons = {item.source: _reason(item, today, drafts) for item in items}
    for source, original in translations.items():
        if not reasons.get(source) and reasons.get(original, "原文不存在"):
            reasons[source] = "所译的中文条目未公开"
    published = tuple(item for item in items if not reasons[item.source])
    withheld = tuple(
        Withheld(item.source, reasons[item.source]) for item in items if reasons[item.source]
    )
    return GateResult(published, withheld)


def _reason(item: Item, today: dt.date, drafts: bool) -> str:
    if item.disclosure != "主动公开":
        return f"公开属性为{item.disclosure}，不在网站发布"
    if item.draft and not drafts:
        return "草稿（draft: true）"
    if item.date > today:
        return f"发布日期 {item.date} 尚未到"
    return ""
