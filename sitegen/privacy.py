"""Find unmasked personal numbers (身份证号, 手机号, 银行卡号) in text and suggest masked forms.

Disclosed recipient lists (低保, 救助, 补贴 …) must not carry full ID, mobile or bank card numbers
(see shared/domain.md, "Personal information"). This module only finds and masks; turning findings
into E3xx diagnostics (and honouring `privacy_exception`) is the validator's job.

How it works, for speed on ~20 MB of text per build: one compiled regex finds runs of at least 11
digits (single spaces or dashes allowed between digit groups, an X allowed at the end); only those
runs are split into groups and verified. A run is checked as a whole first and then as consecutive
groups (at most five), so two numbers separated by one space are both found.

Rules (all must hold):
- 身份证号: 17 digits + digit/X, groups 18 / 6-8-4 / 6-4-4-4 / 4-4-4-4-2, a known province code
  (first two digits), a valid birth date YYYYMMDD with year 1900–2099, ISO 7064 MOD 11-2 check digit.
- 手机号: 1[3-9] + 9 digits, groups 11 or 3-4-4, optionally after 86 / +86.
- 银行卡号: 16–19 digits in one group or in groups of four (the last group 1–4 digits), Luhn valid,
  first digit 3/4/5/6/9 or a 2221–2720 Mastercard prefix, not an ID number, and not an 18-digit
  统一社会信用代码 with a valid GB 32100 check character.
- Never inside a longer token: a digit group touching an ASCII letter, a decimal point next to a
  digit (money such as 12345678.90元), or followed by `/YYYY-` (the org code of an 索引号 such as
  113708280043326001/2024-02411) is never part of a finding.
- Inside a URL only ID numbers are reported: CMS article ids of 11–19 digits are common in links.

Full-width digits (０-９) are recognised too; masked forms keep the characters as written and
replace masked digits with `*`, so a masked text has exactly the same length as the original.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

__all__ = ["Finding", "find_personal_numbers", "line_col", "mask_text"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One unmasked personal number in a text."""

    kind: str
    """What it is: "id_card", "mobile" or "bank_card"."""
    start: int
    """Offset of the first character in the text (a leading "+86" prefix included)."""
    end: int
    """Offset just past the last character."""
    text: str
    """The number as written, separators and prefix included (text[start:end])."""
    masked: str
    """Suggested replacement of the same length: masked digits become `*`, the rest is kept."""


_DIGIT = "0-9０-９"
_X = "XxＸｘ"
# At least 11 digits, single space/dash allowed between digits, optional trailing X.
# "a digit not after a digit", written so that the pattern starts with a character class: the
# regex engine then skips ahead to the next digit instead of trying every position (3x faster)
_RUN_RE = re.compile(rf"[{_DIGIT}](?<![{_DIGIT}][{_DIGIT}])(?:[ \-]?[{_DIGIT}]){{10,}}+[{_X}]?")
_GROUP_RE = re.compile(rf"[{_DIGIT}]+[{_X}]?")
_INDEX_NO_TAIL_RE = re.compile(r"/[0-9０-９]{4}-")
_URL_STOP = "<>\"'()[]{}（）【】「」《》，。；！？、"
"""Characters that end a URL in running text, besides whitespace."""
_URL_RE = re.compile(rf"(?:https?|ftp)://[^\s{re.escape(_URL_STOP)}]+", re.IGNORECASE)
_URL_REACH = 2000
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
_TO_ASCII = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_DIGIT_CHARS = frozenset("0123456789０１２３４５６７８９")

_MAX_GROUPS = 5
_ID_SHAPES = frozenset({(18,), (6, 8, 4), (6, 4, 4, 4), (4, 4, 4, 4, 2)})
_MOBILE_SHAPES = frozenset({(11,), (3, 4, 4)})
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
# First two digits of mainland ID numbers: provinces, plus 71/81/82/83 (台港澳 residence permits).
_ID_PROVINCES = frozenset(
    {*range(11, 16), *range(21, 24), *range(31, 38), *range(41, 47), *range(50, 55)}
    | {*range(61, 66), 71, 81, 82, 83}
)
_LUHN_DOUBLED = {str(v): (2 * v - 9 if v > 4 else 2 * v) for v in range(10)}
_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def find_personal_numbers(text: str) -> list[Finding]:
    """Every unmasked ID card, mobile and bank card number in `text`, in order of position."""
    findings: list[Finding] = []
    n = len(text)
    for run in _RUN_RE.finditer(text):
        start, end = run.span()
        # A group touching a letter, a decimal point or an 索引号 tail belongs to a longer token.
        first_ok = last_ok = True
        if start:
            before = text[start - 1]
            first_ok = not (
                (before.isascii() and before.isalnum())
                or (before == "." and start > 1 and text[start - 2] in _DIGIT_CHARS)
            )
        if end < n:
            after = text[end]
            last_ok = not (
                (after.isascii() and after.isalnum())
                or (after == "." and end + 1 < n and text[end + 1] in _DIGIT_CHARS)
                or (after == "/" and _INDEX_NO_TAIL_RE.match(text, end) is not None)
            )
        run_text = run.group()
        if " " in run_text or "-" in run_text:
            groups = [g.span() for g in _GROUP_RE.finditer(text, start, end)]
        else:
            groups = [(start, end)]
        if not first_ok:
            groups = groups[1:]
        if not last_ok:
            groups = groups[:-1]
        if not groups:
            continue
        plus = first_ok and start > 0 and text[start - 1] == "+"
        _scan_groups(text, groups, plus, findings)
    return findings


def mask_text(text: str) -> tuple[str, list[Finding]]:
    """`text` with every finding replaced by its masked form, and those findings (by position).

    Masking keeps the length, so offsets stay valid in both texts. Masking can, rarely, expose a
    new number (the kept last digits joining the next group), so this repeats until nothing is
    found; findings of later rounds are included and may overlap the kept digits of an earlier one.
    """
    found: list[Finding] = []
    current = text
    while True:
        round_findings = find_personal_numbers(current)
        if not round_findings:
            break
        parts: list[str] = []
        pos = 0
        for f in round_findings:
            parts.append(current[pos : f.start])
            parts.append(f.masked)
            pos = f.end
        parts.append(current[pos:])
        current = "".join(parts)
        found.extend(round_findings)
    found.sort(key=lambda f: (f.start, f.end))
    return current, found


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (in characters) of `offset` in `text`; lines end at "\\n"."""
    if not 0 <= offset <= len(text):
        raise ValueError(f"offset {offset} outside text of length {len(text)}")
    line = text.count("\n", 0, offset) + 1
    col = offset - (text.rfind("\n", 0, offset) + 1) + 1
    return line, col


def _scan_groups(
    text: str,
    groups: list[tuple[int, int]],
    plus: bool,
    out: list[Finding],
) -> None:
    """Find numbers in consecutive digit groups of one run, longest span first, left to right."""
    i = 0
    count = len(groups)
    while i < count:
        for j in range(min(count, i + _MAX_GROUPS), i, -1):
            finding = _classify(text, groups[i:j], plus and i == 0)
            if finding is not None and (
                finding.kind == "id_card" or not _in_url(text, finding.start)
            ):
                out.append(finding)
                i = j
                break
        else:
            i += 1


def _classify(text: str, span: list[tuple[int, int]], plus: bool) -> Finding | None:
    """The finding formed by exactly these digit groups, or None."""
    shape = tuple(e - s for s, e in span)
    total = sum(shape)
    if total < 11 or total > 19:
        return None
    digits = "".join(text[s:e] for s, e in span).translate(_TO_ASCII)
    if "X" in digits or "x" in digits:
        if total == 18 and digits[-1] in "Xx" and shape in _ID_SHAPES and _id_ok(digits):
            return _finding(text, span, "id_card", range(6, 14), 0)
        return None
    if total == 18 and shape in _ID_SHAPES and _id_ok(digits):
        return _finding(text, span, "id_card", range(6, 14), 0)
    if 16 <= total <= 19 and _card_shape(shape) and _card_ok(digits):
        return _finding(text, span, "bank_card", range(total - 4), 0)
    mobile_shape, mobile = shape, digits
    prefix = 0
    if len(shape) > 1 and shape[0] == 2 and digits[:2] == "86":
        mobile_shape, mobile, prefix = shape[1:], digits[2:], 2
    elif shape == (13,) and digits[:2] == "86":
        mobile_shape, mobile, prefix = (11,), digits[2:], 2
    if mobile_shape in _MOBILE_SHAPES and _MOBILE_RE.fullmatch(mobile):
        keep_plus = 1 if prefix and plus else 0
        return _finding(text, span, "mobile", range(prefix + 3, prefix + 7), keep_plus)
    return None


def _finding(
    text: str, span: list[tuple[int, int]], kind: str, masked_digits: range, plus: int
) -> Finding:
    """Build a finding; `masked_digits` index the digits of the span, `plus` includes a "+"."""
    start = span[0][0] - plus
    end = span[-1][1]
    positions = [p for s, e in span for p in range(s, e)]
    chars = list(text[start:end])
    for k in masked_digits:
        chars[positions[k] - start] = "*"
    return Finding(kind, start, end, text[start:end], "".join(chars))


def _in_url(text: str, pos: int) -> bool:
    """True when `pos` lies inside an http(s)/ftp URL (looked for at most _URL_REACH back)."""
    if text.rfind("://", max(0, pos - _URL_REACH), pos) < 0:
        return False
    token = pos
    lowest = max(0, pos - _URL_REACH)
    while token > lowest and not (text[token - 1].isspace() or text[token - 1] in _URL_STOP):
        token -= 1
    m = _URL_RE.search(text, token, pos + 1)
    return m is not None and m.end() == pos + 1


def _card_shape(shape: tuple[int, ...]) -> bool:
    """One group, or groups of four with a last group of one to four digits."""
    return len(shape) == 1 or (all(g == 4 for g in shape[:-1]) and 1 <= shape[-1] <= 4)


def _id_ok(d: str) -> bool:
    """18 ASCII chars: province, birth date and MOD 11-2 check character of an ID number."""
    if int(d[:2]) not in _ID_PROVINCES:
        return False
    year, month, day = int(d[6:10]), int(d[10:12]), int(d[12:14])
    if not 1900 <= year <= 2099:
        return False
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    total = sum(int(c) * w for c, w in zip(d[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == d[17].upper()


def _card_ok(d: str) -> bool:
    """Plausible issuer prefix, Luhn valid, and not an all-digit 统一社会信用代码."""
    if d[0] not in "34569" and not (d[0] == "2" and len(d) == 16 and 2221 <= int(d[:4]) <= 2720):
        return False
    total = sum(map(int, d[-1::-2])) + sum(map(_LUHN_DOUBLED.__getitem__, d[-2::-2]))
    if total % 10:
        return False
    return not (len(d) == 18 and _uscc_ok(d))


def _uscc_ok(d: str) -> bool:
    """All-digit 18-char 统一社会信用代码 with a valid GB 32100-2015 check character."""
    total = sum(int(c) * w for c, w in zip(d[:17], _USCC_WEIGHTS, strict=True))
    return _USCC_CHARS[(31 - total % 31) % 31] == d[17]
