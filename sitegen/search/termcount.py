"""Counting the index terms of many texts at once: tokenizer.count_terms, vectorised with numpy.

A block of texts is normalised, joined with newlines (a space: no pair or joint crosses it) and
turned into an array of code points, each with its class (tokenizer spec step 2). HAN and YI
characters and the pairs of neighbouring ones, which are nearly all terms of Chinese and Yi text,
become integers and are counted by sorting; only WORD runs and the joints next to them (spec step
3) are cut out as strings. The counts are exactly count_terms' (tests/test_search_termcount.py checks
it on the tokenizer vectors, the hostile fixtures and generated text); this is about
2.5 times faster (a block of 512 items: 0.54 s → 0.21 s), which matters at 10,000 items.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from .tokenizer import _SEGMENT_RE, _SPACE_RE, HAN, SEPARATOR, WORD, YI, char_class, normalize

DOC_BITS = 16
"""Bits of a combined (term, document) key that hold the document (at most 65,536 per call)."""

_PAIR_FLAG = 1 << 42
"""Added to the key of a pair of code points ``c0 << 21 | c1`` (single characters are ``c``)."""

_STRING_BASE = 1 << 43
"""Keys of WORD runs and joints start here, numbered in first-seen order."""


@dataclass(frozen=True, slots=True)
class Counts:
    """Term frequencies of a sequence of texts."""

    terms: list[str]
    """Every distinct term, in no particular order."""
    term: np.ndarray
    """Per (term, text) occurrence: index into ``terms``; sorted by term, then ``doc``."""
    doc: np.ndarray
    """Per occurrence: the text's position in the input."""
    tf: np.ndarray
    """Per occurrence: how often the term occurs in that text."""
    around: np.ndarray
    """Per occurrence: the term's neighbour masks in that text (``neighbour_masks``); 0 for a
    term that is not a HAN or YI pair."""
    lengths: list[int]
    """Token count of each text (count_terms' second value)."""


@cache
def _bmp_tables() -> tuple[np.ndarray, np.ndarray]:
    """Class of every BMP code point, and whether it is a space (tokenizer._SPACES)."""
    # the classes are classes of single characters: scanning all of them in code point order
    # gives runs whose class is each of their characters' (char_class per character: 10x slower)
    every = "".join(map(chr, range(0x10000)))
    classes = np.full(0x10000, SEPARATOR, np.uint8)
    for m in _SEGMENT_RE.finditer(every):
        classes[m.start() : m.end()] = m.lastindex or SEPARATOR
    spaces = np.zeros(0x10000, bool)
    for m in _SPACE_RE.finditer(every):
        spaces[m.start() : m.end()] = True
    return classes, spaces


def prepare() -> None:
    """Compute the class tables now (before forking workers, so that they inherit them)."""
    _bmp_tables()


def _classes(cps: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Class and is-space of every code point."""
    bmp, bmp_spaces = _bmp_tables()
    low = np.minimum(cps, 0xFFFF)
    cls = bmp[low]
    spaces = bmp_spaces[low]
    astral = np.flatnonzero(cps > 0xFFFF)
    if len(astral):  # rare: look them up one by one (none of them is a space)
        values = np.unique(cps[astral])
        table = np.array([char_class(chr(int(c))) for c in values], np.uint8)
        cls[astral] = table[np.searchsorted(values, cps[astral])]
        spaces[astral] = False
    return cls, spaces


def count_texts(texts: Sequence[str]) -> Counts:
    """Term frequencies of every text, equal to ``count_terms(normalize(text))`` for each."""
    n = len(texts)
    if n > 1 << DOC_BITS:
        raise ValueError(f"at most {1 << DOC_BITS} texts per call")
    norms = [normalize(t) for t in texts]
    joined = "\n".join(norms) + "\n"
    cps = np.frombuffer(joined.encode("utf-32-le", "surrogatepass"), dtype="<u4").astype(np.int64)
    cls, spaces = _classes(cps)
    # where each text starts in ``joined`` (a str's length counts code points)
    starts = np.zeros(n + 1, np.int64)
    starts[1:] = np.cumsum(np.fromiter(map(len, norms), np.int64, n) + 1)

    han_yi = (cls == HAN) | (cls == YI)
    single_at = np.flatnonzero(han_yi)
    pair_at = np.flatnonzero(han_yi[:-1] & (cls[:-1] == cls[1:]))
    keys = [cps[single_at], _PAIR_FLAG | cps[pair_at] << 21 | cps[pair_at + 1]]
    positions = [single_at, pair_at]

    strings, string_at = _word_terms(joined, cps, cls, spaces, han_yi)
    numbering: dict[str, int] = {}
    string_keys = [numbering.setdefault(s, len(numbering)) for s in strings]
    keys.append(_STRING_BASE + np.array(string_keys, np.int64))
    positions.append(np.array(string_at, np.int64))

    docs = [np.searchsorted(starts, at, side="right") - 1 for at in positions]
    doc = np.concatenate(docs)
    lengths = np.bincount(doc, minlength=n)[:n].tolist() if n else []
    # singles < pairs < strings as keys: grouped one kind at a time, they come out sorted
    singles = np.unique(keys[0] << DOC_BITS | docs[0], return_counts=True)
    pairs = _group_or(keys[1] << DOC_BITS | docs[1], neighbour_masks(cps, cls, pair_at))
    strings = np.unique(keys[2] << DOC_BITS | docs[2], return_counts=True)
    combined = np.concatenate([singles[0], pairs[0], strings[0]])
    tf = np.concatenate([singles[1], pairs[1], strings[1]])
    around = np.zeros(len(combined), np.uint16)
    around[len(singles[0]) : len(singles[0]) + len(pairs[0])] = pairs[2]
    term_keys, term = _runs(combined >> DOC_BITS)
    terms = _term_texts(term_keys, list(numbering))
    return Counts(terms, term, combined & ((1 << DOC_BITS) - 1), tf, around, lengths)


NEXT_SHIFT = 8
"""A neighbour mask holds the next character's bit above this shift, the previous one's below."""


def neighbour_bit(code_point: int) -> int:
    """The bit of a neighbouring character in a neighbour mask's byte (search.js ``neighbourBit``)."""
    return 1 << (code_point & 7)


def neighbour_masks(cps: np.ndarray, cls: np.ndarray, pair_at: np.ndarray) -> np.ndarray:
    """Per pair at ``pair_at``: ``neighbour_bit`` of the character after it << NEXT_SHIFT | that of
    the character before it, each only when that character continues the pair's run (0 if not).

    ORed over a text's occurrences of the pair, they tell without the text that a phrase cannot
    occur in it: a text holding 推进高质 has 进高 with 推's bit before it and 质's after it.
    """
    run = cls[pair_at]
    after = pair_at + 2  # inside the array: the joined texts end with a newline
    follows = np.where(cls[after] == run, np.left_shift(1, cps[after] & 7), 0)
    before = np.maximum(pair_at - 1, 0)
    precedes = np.where((pair_at > 0) & (cls[before] == run), np.left_shift(1, cps[before] & 7), 0)
    return (follows << NEXT_SHIFT | precedes).astype(np.uint16)


def pair_flags(terms: Sequence[str]) -> np.ndarray:
    """Whether each term is a HAN or YI pair: two characters, both HAN or both YI (bool array)."""
    flags = np.zeros(len(terms), bool)
    two = [i for i, term in enumerate(terms) if len(term) == 2]
    if two:
        joined = "".join(terms[i] for i in two).encode("utf-32-le", "surrogatepass")
        cls, _ = _classes(np.frombuffer(joined, "<u4").astype(np.int64))
        first, second = cls[0::2], cls[1::2]
        flags[two] = ((first == HAN) | (first == YI)) & (first == second)
    return flags


def _group_or(keys: np.ndarray, masks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct keys (sorted), how often each occurs, and the OR of the masks of each."""
    if not len(keys):
        return keys, np.zeros(0, np.int64), np.zeros(0, np.uint16)
    order = np.argsort(keys)
    ordered = keys[order]
    first = np.ones(len(ordered), bool)
    np.not_equal(ordered[1:], ordered[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    counts = np.diff(np.append(starts, len(ordered)))
    return ordered[starts], counts, np.bitwise_or.reduceat(masks[order], starts)


def _word_terms(
    joined: str, cps: np.ndarray, cls: np.ndarray, spaces: np.ndarray, han_yi: np.ndarray
) -> tuple[list[str], list[int]]:
    """WORD runs and the joints around them (spec step 3), with their positions."""
    word = cls == WORD
    if not word.any():
        return [], []
    edges = np.diff(word.astype(np.int8), prepend=np.int8(0), append=np.int8(0))
    run_starts = np.flatnonzero(edges == 1)
    run_ends = np.flatnonzero(edges == -1)
    size = len(cps)
    # a one-character separator that is not a space
    sep1 = (cls == SEPARATOR) & ~spaces
    strings: list[str] = []
    at: list[int] = []
    for s, e in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
        # before the run: HAN/YI directly, or HAN/YI and one separator
        if s >= 1 and han_yi[s - 1]:
            strings.append(joined[s - 1 : s + 1])
            at.append(s - 1)
        elif s >= 2 and sep1[s - 1] and han_yi[s - 2]:
            strings.append(joined[s - 2 : s + 1])
            at.append(s - 2)
        strings.append(joined[s:e])
        at.append(s)
        # after the run: HAN/YI directly, or one separator and any run
        if e < size and han_yi[e]:
            strings.append(joined[e - 1 : e + 1])
            at.append(e - 1)
        elif e + 1 < size and sep1[e] and cls[e + 1] != SEPARATOR:
            strings.append(joined[e - 1 : e + 2])
            at.append(e - 1)
    return strings, at


def _runs(sorted_keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """np.unique(sorted_keys, return_inverse=True) for keys already sorted, without sorting."""
    starts = np.ones(len(sorted_keys), bool)
    np.not_equal(sorted_keys[1:], sorted_keys[:-1], out=starts[1:])
    return sorted_keys[starts], np.cumsum(starts) - 1


def _term_texts(keys: np.ndarray, by_number: list[str]) -> list[str]:
    """The terms sorted ``keys`` stand for: single characters, then pairs, then strings. The
    characters are decoded from one array of code points at a time (chr() per key is 4x slower)."""
    pairs_from, strings_from = np.searchsorted(keys, [_PAIR_FLAG, _STRING_BASE]).tolist()
    singles = _decode(keys[:pairs_from])
    pair_keys = keys[pairs_from:strings_from]
    pairs = _decode(np.stack([(pair_keys >> 21) & 0x1FFFFF, pair_keys & 0x1FFFFF], axis=1))
    strings = [by_number[k - _STRING_BASE] for k in keys[strings_from:].tolist()]
    return [*singles, *(pairs[i : i + 2] for i in range(0, len(pairs), 2)), *strings]


def _decode(code_points: np.ndarray) -> str:
    """The string of an array of code points (lone surrogates kept, as the input had them)."""
    return code_points.astype("<u4").tobytes().decode("utf-32-le", "surrogatepass")
