"""The search tokenizer: one specification, implemented here and in the theme's tokenizer.js.

Both implementations must reproduce tests/fixtures/tokenizer/vectors.json exactly; change them
together, bump SPEC_VERSION, and regenerate the vectors (``python -m sitegen.search.vectors``).

Specification (version 2):

1. Normalisation: NFKC, then full Unicode case folding (Python ``str.casefold``), then deletion of
   invisible characters (soft hyphen, zero-width and bidi controls, word joiners, BOM, variation
   selectors). NFKC turns full-width letters and digits into ASCII and U+3000 into a space.
2. Every code point of normalised text has one class: HAN (CJK ideographs of every plane, CJK and
   Kangxi radicals, 々 〇 and the Hangzhou numerals), YI (U+A000–U+A4CF, syllables and radicals),
   WORD (any other letter or digit: general category L or N), or SEPARATOR (everything else:
   spaces, punctuation, symbols, marks, brackets such as 〔〕).
3. Index tokens, counted in code points (𠙶 is one character): a HAN or YI run gives every
   character alone and every overlapping pair (c0, c0c1, c1, c1c2, …, cn); a WORD run is one token.
   HAN and YI are different runs, so no pair mixes them. Where a WORD run meets another run
   directly or across exactly one separator that is not a space, a joint token is added between
   them: the last character of the first run, the separator, the first character of the second
   (〔2024〕5号 gives 2024, 4〕5, 5, 5号, 号), so that numbers are found next to each other.
4. Queries: the normalised query is split on whitespace into parts, and separators at either end of
   a part are dropped. A part's terms are the pairs of its HAN/YI runs of two or more characters,
   each one-character HAN/YI run alone, each WORD run whole, the part's last one as a prefix
   ("inform" finds "information", "2024" finds "20240605"), and the joints between its runs.
   Every term must be present. A term a joint of the part already implies is left out (version
   2): a one-character HAN/YI run next to a joint (the joint holds that character, and every
   HAN/YI character is indexed alone), and a last WORD run of one character after a joint (the
   joint holds its first character). 6.3% needs 6 and 6.3, not every term starting with 3.
5. What a result must contain (checked against the document text, see reference.py): every part
   occurs in the normalised title or body, and a part that starts with a WORD character starts at
   a word start. Separators inside a part must match exactly: 〔2024〕5号 finds 〔2024〕5号, not
   (2024)5号 nor 〔2024〕15号; "2024 5号" (two parts) finds it in any bracket style.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

SPEC_VERSION = 2
"""Bumped whenever normalisation or tokens change; the index manifest records it."""

HAN_RANGES: tuple[tuple[int, int], ...] = (
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals
    (0x3005, 0x3005),  # 々
    (0x3007, 0x3007),  # 〇
    (0x3021, 0x3029),  # Hangzhou numerals
    (0x3038, 0x303B),
    (0x3400, 0x4DBF),  # extension A
    (0x4E00, 0x9FFF),  # unified ideographs
    (0xF900, 0xFAFF),  # compatibility ideographs
    (0x20000, 0x3FFFF),  # planes 2 and 3: extensions B–I, compatibility supplement
)
"""Code point ranges of the HAN class (tokenizer.js has the same list)."""

YI_RANGES: tuple[tuple[int, int], ...] = ((0xA000, 0xA4CF),)
"""Code point ranges of the YI class."""

IGNORED_RANGES: tuple[tuple[int, int], ...] = (
    (0x00AD, 0x00AD),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x2064),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xE0100, 0xE01EF),
)
"""Invisible code points deleted by normalisation."""


def _char_class(ranges: tuple[tuple[int, int], ...]) -> str:
    """The inside of a regex character class matching the code point ranges."""
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


_HAN = _char_class(HAN_RANGES)
_YI = _char_class(YI_RANGES)
_IGNORED_RE = re.compile(f"[{_char_class(IGNORED_RANGES)}]+")
# [^\W_] is exactly general category L or N; HAN and YI are matched first or excluded.
_WORD = f"[^\\W_{_HAN}{_YI}]"
_SEGMENT_RE = re.compile(f"([{_HAN}]+)|([{_YI}]+)|({_WORD}+)")
_RUN_RE = re.compile(f"[{_HAN}]+|[{_YI}]+")
_WORD_RE = re.compile(f"{_WORD}+")
# Python's str.isspace set, spelled out so that tokenizer.js can use the very same class.
_SPACES = "\t\n\v\f\r \x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_SPACE_RE = re.compile(f"[{_SPACES}]+")
# One separator character that is not a space (spaces split queries, so never join terms).
_SEP1 = f"(?:(?![{_SPACES}{_HAN}{_YI}])[\\W_])"
_HY = f"[{_HAN}{_YI}]"


@functools.cache
def _pair_re() -> re.Pattern[str]:
    """Every overlapping HAN or YI pair, and every joint (spec step 3), found by one lookahead scan
    (compiled on first use: 17 ms, and only count_terms, the reference, needs it)."""
    return re.compile(
        f"(?=([{_HAN}]{{2}}|[{_YI}]{{2}}|{_WORD}{_SEP1}(?:{_HY}|{_WORD})|{_WORD}{_HY}|{_HY}{_SEP1}?{_WORD}))"
    )


SEPARATOR, HAN, YI, WORD = 0, 1, 2, 3
"""Character classes; HAN, YI and WORD are also the group numbers of _SEGMENT_RE."""


def normalize(text: str) -> str:
    """Spec step 1: NFKC, case folding, invisible characters deleted."""
    # NFC(NFKD(s)) == NFKC(s) by definition, and CPython computes it ten times faster.
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFKD", text)).casefold()
    if _IGNORED_RE.search(folded):
        folded = _IGNORED_RE.sub("", folded)
    return folded


def fold_exceptions() -> dict[int, str]:
    """Code points whose case folding differs from their lowercase mapping (tokenizer.js FOLD)."""
    out: dict[int, str] = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        if ch.casefold() != ch.lower():
            out[cp] = ch.casefold()
    return out


def char_class(ch: str) -> int:
    """The class of one code point of normalised text (spec step 2)."""
    m = _SEGMENT_RE.fullmatch(ch)
    return SEPARATOR if m is None else m.lastindex or SEPARATOR


@dataclass(frozen=True, slots=True)
class Segment:
    """A maximal run of one class in normalised text."""

    cls: int
    """HAN, YI or WORD."""
    start: int
    """Offset of the run's first code point in the normalised text."""
    text: str
    """The run itself."""


def segments(norm: str) -> list[Segment]:
    """The HAN, YI and WORD runs of normalised text, in order."""
    return [Segment(m.lastindex or 0, m.start(), m.group()) for m in _SEGMENT_RE.finditer(norm)]


def run_tokens(cls: int, run: str) -> list[str]:
    """Index tokens of one run, in order (spec step 3)."""
    if cls == WORD:
        return [run]
    out = [run[0]]
    for i in range(1, len(run)):
        out.append(run[i - 1 : i + 1])
        out.append(run[i])
    return out


def joint(before: Segment, sep: str, after: Segment) -> str | None:
    """The joint token of two consecutive runs (spec step 3), or None when they have none."""
    if len(sep) > 1 or (sep and _SPACE_RE.match(sep)):
        return None
    if before.cls != WORD and after.cls != WORD:
        return None
    return before.text[-1] + sep + after.text[0]


def tokenize(text: str) -> list[str]:
    """The index tokens of a text, in text order (spec steps 1–3)."""
    norm = normalize(text)
    tokens: list[str] = []
    previous: Segment | None = None
    for seg in segments(norm):
        if previous is not None:
            glue = joint(previous, norm[previous.start + len(previous.text) : seg.start], seg)
            if glue is not None:
                tokens.append(glue)
        tokens.extend(run_tokens(seg.cls, seg.text))
        previous = seg
    return tokens


def count_terms(norm: str) -> tuple[Counter[str], int]:
    """Term frequencies and token count of normalised text; the fast path of ``tokenize``."""
    counts: Counter[str] = Counter(_pair_re().findall(norm))
    pairs = counts.total()
    runs = "".join(_RUN_RE.findall(norm))
    counts.update(runs)
    words = _WORD_RE.findall(norm)
    counts.update(words)
    return counts, pairs + len(runs) + len(words)


@dataclass(frozen=True, slots=True)
class QueryTerm:
    """One term a result must contain."""

    term: str
    """An index term, or a prefix of one when ``prefix`` is true."""
    prefix: bool
    """True for the last WORD of a part: any term starting with ``term`` matches."""


@dataclass(frozen=True, slots=True)
class QueryPart:
    """One whitespace-separated part of a query."""

    text: str
    """Normalised text from the first to the last HAN/YI/WORD character of the part."""
    terms: tuple[QueryTerm, ...]
    """Its terms (spec step 4), in order, without repeats."""
    exact: bool
    """True when the terms alone decide a match (one WORD, or one HAN/YI run of 1–2 characters);
    otherwise candidates are checked against the document text."""


def parse_query(query: str) -> list[QueryPart]:
    """Query parts (spec step 4); parts without a HAN, YI or WORD character are dropped."""
    parts: list[QueryPart] = []
    for raw in _SPACE_RE.split(normalize(query)):
        segs = segments(raw)
        if not segs:
            continue
        glues: list[str | None] = [None]  # glues[i]: the joint between segs[i - 1] and segs[i]
        glues += [
            joint(before, raw[before.start + len(before.text) : seg.start], seg)
            for before, seg in itertools.pairwise(segs)
        ]
        glues.append(None)
        terms: list[QueryTerm] = []
        for i, seg in enumerate(segs):
            glue, glued = glues[i], glues[i] is not None or glues[i + 1] is not None
            if glue is not None:
                terms.append(QueryTerm(glue, False))
            last = i == len(segs) - 1
            if seg.cls == WORD:
                if not (last and len(seg.text) == 1 and glue is not None):
                    terms.append(QueryTerm(seg.text, last))
            elif len(seg.text) == 1:
                if not glued:
                    terms.append(QueryTerm(seg.text, False))
            else:
                terms.extend(
                    QueryTerm(seg.text[j : j + 2], False) for j in range(len(seg.text) - 1)
                )
        text = raw[segs[0].start : segs[-1].start + len(segs[-1].text)]
        exact = len(segs) == 1 and (segs[0].cls == WORD or len(segs[0].text) <= 2)
        parts.append(QueryPart(text, tuple(dict.fromkeys(terms)), exact))
    return parts
