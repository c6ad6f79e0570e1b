"""The search tokenizer: Python and JavaScript reproduce the shared vectors exactly."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sitegen.search import tokenizer as tok
from sitegen.search.node_runner import THEME_STATIC, node_available
from sitegen.search.vectors import FIXTURE, build, vector

TOKENIZER_JS = THEME_STATIC / "search" / "tokenizer.js"
VECTORS = json.loads(FIXTURE.read_text(encoding="utf-8"))

needs_node = pytest.mark.skipif(not node_available(), reason="node is not installed")


def _node(script: str, payload: object) -> object:
    """Run a Node script with tokenizer.js as ``T`` and ``input`` parsed from stdin."""
    code = (
        f"const T = require({json.dumps(str(TOKENIZER_JS))});"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        f"{script}"
    )
    proc = subprocess.run(
        ["node", "-e", code], input=json.dumps(payload), capture_output=True, text=True, check=True
    )
    return json.loads(proc.stdout)


def test_fixture_is_current() -> None:
    """The checked-in vectors are what the Python tokenizer produces (regenerate if not)."""
    assert build() == VECTORS, "run: python -m sitegen.search.vectors"


def test_fixture_covers_required_cases() -> None:
    """The vectors include every case the two implementations must agree on."""
    texts = "".join(v["text"] for v in VECTORS["vectors"])
    for needle in ("〔2024〕5号", "\u3000", "𠙶", "ꆈ", "２", "，", "Straße"):
        assert needle in texts
    assert any(v["text"] == "" for v in VECTORS["vectors"])


@pytest.mark.parametrize("case", VECTORS["vectors"], ids=lambda v: v["name"])
def test_python_reproduces_vector(case: dict) -> None:
    """tokenizer.py gives exactly the stored outputs."""
    assert vector(case["name"], case["text"]) == case


@needs_node
def test_javascript_reproduces_vectors() -> None:
    """tokenizer.js, run by Node, gives exactly the stored outputs for every vector."""
    got = _node(
        "process.stdout.write(JSON.stringify(input.map(v => ({"
        "name: v.name, text: v.text, normalized: T.normalize(v.text), tokens: T.tokenize(v.text),"
        "query: T.parseQuery(v.text).map(p => ({text: p.text, exact: p.exact,"
        "terms: p.terms.map(t => [t.term, t.prefix])}))}))))",
        VECTORS["vectors"],
    )
    assert got == VECTORS["vectors"]


@needs_node
def test_javascript_tables_match_python() -> None:
    """Case-folding exceptions and the spec version in tokenizer.js are Python's."""
    got = _node("process.stdout.write(JSON.stringify({fold: T.FOLD, spec: T.SPEC_VERSION}))", None)
    assert got["spec"] == tok.SPEC_VERSION == VECTORS["spec"]
    assert {int(k): v for k, v in got["fold"].items()} == tok.fold_exceptions()


def test_javascript_ranges_match_python() -> None:
    """HAN, YI and ignored ranges are spelled the same in tokenizer.js."""
    js = TOKENIZER_JS.read_text(encoding="utf-8")
    for name, ranges in (
        ("HAN_RANGES", tok.HAN_RANGES),
        ("YI_RANGES", tok.YI_RANGES),
        ("IGNORED_RANGES", tok.IGNORED_RANGES),
    ):
        block = js.split(f"var {name} = [", 1)[1].split("];", 1)[0]
        pairs = [
            p for p in block.replace("[", " ").replace("]", " ").replace(",", " ").split() if p
        ]
        assert [int(p, 16) for p in pairs] == [x for r in ranges for x in r], name


# Characters drawn from the classes that matter, plus any character Python's Unicode database
# knows (characters assigned after it may legitimately differ in a newer browser).
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from("低保标准号文件〔〕，。 　2024ＡＢab-ꆈꌠꉙ𠙶字"),
        st.characters(blacklist_categories=("Cs", "Cn")),
    ),
    max_size=40,
)


@given(_TEXT)
@settings(max_examples=300, deadline=None)
def test_every_han_yi_character_is_a_token(text: str) -> None:
    """Each HAN/YI character of the normalised text is a unigram token, so 1-char queries work."""
    tokens = tok.tokenize(text)
    norm = tok.normalize(text)
    singles = [c for c in norm if tok.char_class(c) in (tok.HAN, tok.YI)]
    assert [t for t in tokens if len(t) == 1 and tok.char_class(t) in (tok.HAN, tok.YI)] == singles


@given(_TEXT)
@settings(max_examples=300, deadline=None)
def test_count_terms_agrees_with_tokenize(text: str) -> None:
    """The fast counting path used by the index writer equals counting tokenize()'s output."""
    counts, length = tok.count_terms(tok.normalize(text))
    tokens = tok.tokenize(text)
    assert length == len(tokens)
    assert dict(counts) == {t: tokens.count(t) for t in set(tokens)}


@given(_TEXT)
@settings(max_examples=300, deadline=None)
def test_query_terms_are_tokens_of_the_part(text: str) -> None:
    """Every non-prefix term of a part is a token of the part's own text (so recall holds)."""
    for part in tok.parse_query(text):
        tokens = set(tok.tokenize(part.text))
        for term in part.terms:
            if term.prefix:
                assert any(t.startswith(term.term) for t in tokens)
            else:
                assert term.term in tokens


@needs_node
@given(st.lists(_TEXT, min_size=1, max_size=30))
@settings(max_examples=10, deadline=None)
def test_javascript_agrees_on_random_text(texts: list[str]) -> None:
    """Both implementations agree on arbitrary text, not only on the fixture."""
    got = _node(
        "process.stdout.write(JSON.stringify(input.map(t => [T.normalize(t), T.tokenize(t),"
        "T.parseQuery(t).map(p => [p.text, p.exact, p.terms.map(x => [x.term, x.prefix])])])))",
        texts,
    )
    want = [
        [
            tok.normalize(t),
            tok.tokenize(t),
            [[p.text, p.exact, [[x.term, x.prefix] for x in p.terms]] for p in tok.parse_query(t)],
        ]
        for t in texts
    ]
    assert got == want


def test_fixture_path() -> None:
    """The fixture lives where the brief says."""
    assert Path(__file__).parent / "fixtures" / "tokenizer" / "vectors.json" == FIXTURE
