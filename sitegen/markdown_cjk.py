"""CJK-aware markdown-it rules: emphasis next to CJK punctuation, and soft breaks between CJK text.

CommonMark decides whether `**` may open or close emphasis from the characters on either side
(left/right-flanking delimiter runs). Those rules assume words separated by spaces, so
`**通知：**请注意` stays literal: the closing `**` follows punctuation and precedes a letter.
The CommonMark CJK-friendly amendments (https://github.com/tats-u/markdown-cjk-friendly,
specification.md) fix this by letting a CJK character on either side of the run count as
whitespace/punctuation would. `_` is unchanged (a `_` inside a word never opens or closes).

Chinese and Yi are written without spaces, so a line break inside a paragraph between two
such characters must disappear instead of becoming a space.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_core import StateCore
from markdown_it.rules_inline import StateInline
from markdown_it.rules_inline.state_inline import Delimiter, Scanned
from markdown_it.token import Token

# Scripts written without spaces between words: Han, Yi, kana, Bopomofo, CJK punctuation and
# symbols, full-width forms. Hangul is CJK for emphasis but Korean separates words by spaces.
_NO_SPACE = (
    "\u2e80-\u2fdf"  # CJK radicals, Kangxi radicals
    "\u2ff0-\u303f"  # ideographic description, CJK symbols and punctuation (、。「」…)
    "\u3040-\u312f"  # hiragana, katakana, bopomofo
    "\u3190-\u31ff"  # kanbun, bopomofo ext., CJK strokes, katakana ext.
    "\u3200-\u4dbf"  # enclosed CJK, CJK compatibility, Han ext. A
    "\u4dc0-\u9fff"  # Yijing hexagrams, Han
    "\ua000-\ua4cf"  # Yi syllables and radicals
    "\uf900-\ufaff"  # Han compatibility ideographs
    "\ufe10-\ufe1f"  # vertical forms
    "\ufe30-\ufe6f"  # CJK compatibility forms, small form variants
    "\uff00-\uffef"  # half-width and full-width forms (，：；！？（）)
    "\U0001b000-\U0001b16f"  # kana supplement / extended
    "\U00020000-\U0003ffff"  # Han ext. B and later
)
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7ff"
_CJK_RE = re.compile(f"[{_NO_SPACE}{_HANGUL}]")
_NO_SPACE_RE = re.compile(f"[{_NO_SPACE}]")


def is_cjk(ch: str) -> bool:
    """True for a CJK character (Han, Yi, kana, hangul, CJK punctuation, full-width forms)."""
    return ch >= "\u1100" and _CJK_RE.match(ch) is not None


def joins_without_space(ch: str) -> bool:
    """True for a character of a script written without spaces (CJK except hangul)."""
    return ch >= "\u2e80" and _NO_SPACE_RE.match(ch) is not None


def _is_punct(ch: str) -> bool:
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


def scan_delims(state: StateInline, start: int, can_split_word: bool) -> Scanned:
    """`StateInline.scanDelims` with the CJK-friendly flanking rules for `*` and `~` runs."""
    src, end = state.src, state.posMax
    marker = src[start]
    pos = start
    while pos < end and src[pos] == marker:
        pos += 1
    count = pos - start

    # start/end of line count as whitespace
    last = src[start - 1] if start > 0 else " "
    nxt = src[pos] if pos < end else " "
    # a variation selector (U+FE00–FE0E) after a character: judge by that character
    if "\ufe00" <= last <= "\ufe0e" and start > 1 and not isWhiteSpace(ord(src[start - 2])):
        last = src[start - 2]

    last_ws, next_ws = isWhiteSpace(ord(last)), isWhiteSpace(ord(nxt))
    if last_ws or next_ws:
        return Scanned(not next_ws, not last_ws, count)

    last_punct, next_punct = _is_punct(last), _is_punct(nxt)
    if not can_split_word:  # `_`: same result as CommonMark
        return Scanned(last_punct, next_punct, count)

    # ideographic variation selectors (U+E0100–E01EF) only follow Han characters
    cjk = is_cjk(nxt) or is_cjk(last) or "\U000e0100" <= last <= "\U000e01ef"
    left_flanking = last_punct or cjk or not next_punct
    right_flanking = next_punct or cjk or not last_punct
    return Scanned(left_flanking, right_flanking, count)


def _push_delimiter(state: StateInline, content: str, length: int, scanned: Scanned) -> None:
    token = state.push("text", "", 0)
    token.content = content
    state.delimiters.append(
        Delimiter(
            marker=ord(content[0]),
            length=length,
            token=len(state.tokens) - 1,
            end=-1,
            open=scanned.can_open,
            close=scanned.can_close,
        )
    )


def emphasis(state: StateInline, silent: bool) -> bool:
    """The `emphasis` inline rule (`*`, `_`), using `scan_delims`."""
    marker = state.src[state.pos]
    if silent or marker not in "_*":
        return False
    scanned = scan_delims(state, state.pos, marker == "*")
    for _ in range(scanned.length):
        _push_delimiter(state, marker, scanned.length, scanned)
    state.pos += scanned.length
    return True


def strikethrough(state: StateInline, silent: bool) -> bool:
    """The `strikethrough` inline rule (`~~`), using `scan_delims`."""
    if silent or state.src[state.pos] != "~":
        return False
    scanned = scan_delims(state, state.pos, True)
    length = scanned.length
    if length < 2:
        return False
    if length % 2:
        state.push("text", "", 0).content = "~"
        length -= 1
    for _ in range(length // 2):
        _push_delimiter(state, "~~", 0, scanned)  # length 0: no "rule of 3"
    state.pos += scanned.length
    return True


def _edge_char(children: list[Token], i: int, step: int) -> str:
    """The text character next to children[i] going in direction `step`, skipping tag tokens."""
    i += step
    while 0 <= i < len(children):
        tok = children[i]
        if tok.type in ("text", "code_inline"):
            if tok.content:
                return tok.content[-1] if step < 0 else tok.content[0]
        elif tok.nesting == 0:  # softbreak, image, ...: not text
            return ""
        i += step
    return ""


def cjk_softbreak(state: StateCore) -> None:
    """Core rule: drop a soft line break between two characters of space-less scripts.

    The break becomes an empty text token whose markup "\n" still records the source line break.
    """
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children = block.children
        for i, tok in enumerate(children):
            if (
                tok.type == "softbreak"
                and joins_without_space(_edge_char(children, i, -1))
                and joins_without_space(_edge_char(children, i, 1))
            ):
                tok.type, tok.tag, tok.content, tok.markup = "text", "", "", "\n"


def cjk_plugin(md: MarkdownIt) -> None:
    """Install the CJK emphasis/strikethrough scanning and the soft-break rule on `md`."""
    md.inline.ruler.at("emphasis", emphasis)
    md.inline.ruler.at("strikethrough", strikethrough)
    md.core.ruler.push("cjk_softbreak", cjk_softbreak)
