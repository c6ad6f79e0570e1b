"""Checks over loaded items that need more than one field: privacy, timeliness.

They run on every loaded item, published or not, so an editor learns of a problem before the item
goes public. They read items and return diagnostics; they change nothing.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_right
from collections.abc import Sequence
from pathlib import Path

from .config import SiteConfig
from .content import Item
from .diagnostics import Diagnostic, error, warning
from .identity import Identities
from .pages import Page
from .parallel import pmap
from .privacy import find_personal_numbers, line_col

KIND_NAMES = {"id_card": "身份证号", "mobile": "手机号码", "bank_card": "银行卡号"}
TEXT_ATTACHMENTS = (".csv", ".txt", ".md")
TIMELINESS_DAYS = 20


def check_items(items: Sequence[Item], config: SiteConfig, ids: Identities) -> list[Diagnostic]:
    """Privacy and timeliness diagnostics for every item."""
    del ids
    found = pmap(
        lambda item: check_privacy(item, config.root) + check_timeliness(item, config), items
    )
    return [d for diags in found for d in diags]


def check_privacy(item: Item, root: Path, text: str | None = None) -> list[Diagnostic]:
    """Unmasked ID, mobile and bank card numbers in the file, attachment names and text attachments.

    `text` is the item file as content.load_item_text decoded it (read here when not given: the
    same text for a file that loaded)."""
    if text is None:
        text = _read(root / item.source)
    # (file reported, text searched, line to report when the text is not the file itself)
    texts: list[tuple[str, str, int]] = [(item.source, text, 0)]
    for att in item.attachments:
        texts.append((item.source, att.file, item.lines.get("attachments", 1)))
        if att.file.lower().endswith(TEXT_ATTACHMENTS):
            texts.append((att.source, _read(root / att.source), 0))
    problems = []
    for path, text, fixed_line in texts:
        problems += _privacy_findings(path, text, fixed_line, item.privacy_exception)
    return problems


def check_page_privacy(pages: Sequence[Page], root: Path) -> list[Diagnostic]:
    """The same privacy check for the column's content pages (guide, rules, annual reports).

    Pages have no privacy_exception: a 指南 or 年报 never needs a full personal number.
    """
    problems = []
    for page in pages:
        problems += _privacy_findings(
            page.source, _read(root / page.source), 0, "", can_except=False
        )
    return problems


def _read(path: Path) -> str:
    """A file's text for the privacy scan (already validated: it exists and is a file)."""
    try:
        return path.read_text(encoding="utf-8", errors="replace").removeprefix("\ufeff")
    except OSError:
        return ""


def _privacy_findings(
    path: str, text: str, fixed_line: int, exception: str, *, can_except: bool = True
) -> list[Diagnostic]:
    problems = []
    also = "；确需公开请写 privacy_exception: 依据……" if can_except else ""
    for finding in find_personal_numbers(text):
        line, col = (fixed_line, 1) if fixed_line else line_col(text, finding.start)
        name = KIND_NAMES.get(finding.kind, finding.kind)
        if exception:
            problems.append(
                warning(
                    path,
                    line,
                    col,
                    "W301",
                    f"未遮盖的{name}按例外公开：{exception}",
                    "已记入构建报告；请确认确有法定依据",
                )
            )
        else:
            problems.append(
                error(
                    path,
                    line,
                    col,
                    "E301",
                    f"发现未遮盖的{name} {finding.text}",
                    f"改为 {finding.masked}（可运行 sitegen mask {path}）{also}",
                )
            )
    return problems


def working_days_between(start: dt.date, end: dt.date, config: SiteConfig) -> int:
    """Working days after `start` up to and including `end`: Monday to Friday unless a holiday,
    and the weekend days that are declared working days (调休).

    Counted by whole weeks, then corrected by the listed days in the range (an item written years
    before it is published would otherwise cost a loop over every day).
    """
    span = (end - start).days
    if span <= 0:
        return 0
    weeks, rest = divmod(span, 7)
    first = start.weekday() + 1  # weekday of the first day counted, modulo 7
    days = weeks * 5 + sum((first + i) % 7 < 5 for i in range(rest))
    days_off, extra_days = _calendar(config.holidays, config.workdays)
    days -= bisect_right(days_off, end) - bisect_right(days_off, start)
    days += bisect_right(extra_days, end) - bisect_right(extra_days, start)
    return days


@functools.lru_cache(maxsize=8)
def _calendar(
    holidays: frozenset[dt.date], workdays: frozenset[dt.date]
) -> tuple[list[dt.date], list[dt.date]]:
    """Sorted: the holidays on a weekday (not also declared working days), and the weekend days
    declared working days."""
    days_off = sorted(d for d in holidays if d.weekday() < 5 and d not in workdays)
    return days_off, sorted(d for d in workdays if d.weekday() >= 5)


def check_timeliness(item: Item, config: SiteConfig) -> list[Diagnostic]:
    """A warning when an item went public more than 20 working days after it was formed."""
    if item.written is None or item.date == dt.date.min:
        return []
    late = working_days_between(item.written, item.date, config)
    if late <= TIMELINESS_DAYS:
        return []
    return [
        warning(
            item.source,
            item.lines.get("date", 1),
            1,
            "W160",
            f"发布日期比成文日期晚 {late} 个工作日，超过《条例》规定的 {TIMELINESS_DAYS} 个工作日",
            "今后请在信息形成或变更之日起 20 个工作日内公开",
        )
    ]


def template_error(message: str) -> Diagnostic:
    """A template problem as a diagnostic naming the page that needed it."""
    return error("themes", 0, 0, "E410", message, "检查主题模板和 data/i18n/ 中的界面文字")
