"""The numpy fast paths of the search index: termcount.count_texts gives exactly
tokenizer.count_terms' counts, and the neighbour masks a character-by-character walk over the
runs gives; utf16.vocabulary gives exactly JavaScript's string order; patching one
document's postings equals inverting again."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.search import termcount
from sitegen.search.postings import Postings, invert, patch_document
from sitegen.search.termcount import count_texts
from sitegen.search.tokenizer import (
    _SPACE_RE,
    HAN,
    YI,
    char_class,
    count_terms,
    normalize,
    segments,
)
from sitegen.search.utf16 import utf16_key, vocabulary
from sitegen.search.vectors import INPUTS

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus")


Masks = list[dict[str, int]]


def by_text(texts: list[str]) -> tuple[list[dict[str, int]], list[int], Masks]:
    """count_texts' result as one {term: tf} per text, the token counts, and one {term: neighbour
    masks} per text (terms with masks 0 left out)."""
    counts = count_texts(texts)
    out: list[dict[str, int]] = [{} for _ in texts]
    masks: Masks = [{} for _ in texts]
    for term, doc, tf, around in zip(
        counts.term.tolist(),
        counts.doc.tolist(),
        counts.tf.tolist(),
        counts.around.tolist(),
        strict=True,
    ):
        assert counts.terms[term] not in out[doc], "a (term, text) pair occurs once"
        out[doc][counts.terms[term]] = tf
        if around:
            masks[doc][counts.terms[term]] = around
    return out, counts.lengths, masks


def neighbours(norm: str) -> dict[str, int]:
    """The reference neighbour masks of normalised text: for each pair of each HAN or YI run, the
    bit of the character after it (high byte) and before it (low byte) in the run, ORed."""
    out: dict[str, int] = {}
    for seg in segments(norm):
        if seg.cls not in (HAN, YI):
            continue
        run = seg.text
        for j in range(len(run) - 1):
            mask = 0
            if j + 2 < len(run):
                mask |= termcount.neighbour_bit(ord(run[j + 2])) << termcount.NEXT_SHIFT
            if j > 0:
                mask |= termcount.neighbour_bit(ord(run[j - 1]))
            if mask:
                out[run[j : j + 2]] = out.get(run[j : j + 2], 0) | mask
    return out


def expected(texts: list[str]) -> tuple[list[dict[str, int]], list[int], Masks]:
    """The reference: count_terms and neighbours text by text."""
    pairs = [count_terms(normalize(t)) for t in texts]
    masks = [neighbours(normalize(t)) for t in texts]
    return [dict(c) for c, _ in pairs], [n for _, n in pairs], masks


def test_neighbour_masks_of_a_phrase() -> None:
    """推进高质量: 进高 is preceded by 推 and followed by 质; a run's end has no neighbour."""
    (counts,), _, (masks,) = by_text(["推进高质量，进高"])
    assert counts["进高"] == 2
    assert masks["进高"] == (1 << (ord("质") & 7)) << 8 | 1 << (ord("推") & 7)
    assert masks["推进"] == (1 << (ord("高") & 7)) << 8  # nothing before it
    assert "量" not in masks and masks["质量"] == 1 << (ord("高") & 7)


def test_tokenizer_vectors_one_by_one_and_together() -> None:
    texts = [text for _, text in INPUTS]
    for text in texts:
        assert by_text([text]) == expected([text]), text
    assert by_text(texts) == expected(texts)


def test_hostile_fixtures() -> None:
    texts = [
        p.read_bytes().decode("utf-8", "surrogateescape")
        for p in sorted((REPO / "tests" / "fixtures" / "hostile").iterdir())
        if p.is_file()
    ]
    assert texts
    assert by_text(texts) == expected(texts)


def test_real_sentences_han_and_yi() -> None:
    lines = (CORPUS / "gov-sentences.txt").read_text(encoding="utf-8").splitlines()[:3000]
    pairs = (CORPUS / "nuosu-gov-pairs.jsonl").read_text(encoding="utf-8").splitlines()[:300]
    texts = ["\n".join(lines[i : i + 30]) for i in range(0, len(lines), 30)] + pairs
    got, lengths, masks = by_text(texts)
    assert (got, lengths, masks) == expected(texts)
    assert sum(lengths) > 100_000


def test_no_texts() -> None:
    counts = count_texts([])
    assert (counts.terms, counts.lengths, len(counts.tf)) == ([], [], 0)


ALPHABET = st.sampled_from(
    list("a1Z9_-.,/ \n\t\u3000\u00a0\u200b〔〕（）、，。号中文保障ꆈꌠꉙ𠙶ßİǅ①ｶ\ud800é\u0301")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(ALPHABET, max_size=14), max_size=5))
def test_random_texts(texts: list[str]) -> None:
    assert by_text(texts) == expected(texts)


TERM_CHARS = st.sampled_from(
    list("a1Z9_-〔〕中文保障ꆈꌠ𠙶\U00010000\uffff\ue000\ud7ff\x00é\ud800\udc00")
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sets(st.text(TERM_CHARS, min_size=1, max_size=4), max_size=30), max_size=4))
def test_vocabulary_is_javascript_string_order(term_sets: list[set[str]]) -> None:
    """utf16.vocabulary: the distinct terms in UTF-16 code unit order, and each list's ranks."""
    lists = [sorted(s) for s in term_sets]
    terms, ranks = vocabulary(lists)
    assert terms == sorted({t for terms in lists for t in terms}, key=utf16_key)
    for original, rank in zip(lists, ranks, strict=True):
        assert [terms[r] for r in rank.tolist()] == original


PATCH_TEXT = st.text(
    st.sampled_from(list("中文保障民生低保标准〔〕2024年5号ꆈꌠ𠙶abc ，。")), max_size=30
)


def _lists(p: Postings) -> dict[str, list[list[tuple[int, int]]]]:
    """Term -> its postings in each field, each with its neighbour masks."""
    ends = np.cumsum(p.counts.ravel()).tolist()
    pairs = list(zip(p.values.tolist(), p.around.tolist(), strict=True))
    flat = [pairs[a:b] for a, b in zip([0, *ends], ends, strict=False)]
    n = p.counts.shape[1] if len(p.counts) else 0
    return {t: flat[i * n : (i + 1) * n] for i, t in enumerate(p.terms)}


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(PATCH_TEXT, PATCH_TEXT), min_size=1, max_size=8),
    st.integers(min_value=0),
    st.tuples(PATCH_TEXT, PATCH_TEXT),
)
def test_patching_one_document_equals_inverting_again(
    docs: list[tuple[str, str]], which: int, new: tuple[str, str]
) -> None:
    """postings.patch_document (the preview's quick index update) is exact."""
    fields = [[title for title, _ in docs], [body for _, body in docs]]
    before, _ = invert(fields, workers=1)
    doc = which % len(docs)
    got, touched = patch_document(before, doc, list(new))
    old_terms = {t for field in fields for t in invert([[field[doc]]], workers=1)[0].terms}
    fields[0][doc], fields[1][doc] = new
    want, _ = invert(fields, workers=1)
    new_terms = {t for field in fields for t in invert([[field[doc]]], workers=1)[0].terms}
    assert touched == {
        t for t in old_terms | new_terms if _lists(before).get(t) != _lists(want).get(t)
    }, "exactly the terms whose postings (or their neighbour masks) changed"
    assert got.terms == want.terms
    assert got.counts.tolist() == want.counts.tolist()
    assert got.values.tolist() == want.values.tolist() and got.values.dtype == want.values.dtype
    assert got.around.tolist() == want.around.tolist() and got.around.dtype == want.around.dtype
    assert got.lengths == want.lengths


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=8))
def test_postings_survive_the_build_cache(texts: list[str]) -> None:
    """Postings pickle as one joined string of terms (the cache's fast form) and come back equal,
    also for no terms, astral characters, NUL and lone surrogates."""
    postings, blocks = invert([texts, texts[::-1]], workers=1)
    for original in [postings, *blocks.values()]:
        back = pickle.loads(pickle.dumps(original, protocol=5))
        assert back.terms == original.terms
        assert back.lengths == original.lengths
        assert back.counts.dtype == original.counts.dtype
        assert back.counts.shape == original.counts.shape
        assert (back.counts == original.counts).all()
        assert back.values.dtype == original.values.dtype
        assert (back.values == original.values).all()
        assert back.around.dtype == original.around.dtype
        assert (back.around == original.around).all()


def test_class_tables_equal_char_class_of_every_bmp_character() -> None:
    """The class table built from runs gives each BMP character the class tokenizer.char_class
    gives it alone, and marks exactly the characters the tokenizer treats as spaces."""
    classes, spaces = termcount._bmp_tables()
    for cp in range(0x10000):
        ch = chr(cp)
        assert classes[cp] == char_class(ch), hex(cp)
        assert bool(spaces[cp]) == (_SPACE_RE.fullmatch(ch) is not None), hex(cp)
