"""Shared tokenizer test vectors: ``python -m sitegen.search.vectors`` rewrites the fixture.

tests/test_search_tokenizer.py checks that tokenizer.py and tokenizer.js both reproduce every
vector exactly (normalised text, index tokens, query parts and terms).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .tokenizer import SPEC_VERSION, normalize, parse_query, tokenize

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "tokenizer" / "vectors.json"
"""Where the vectors live."""

INPUTS: tuple[tuple[str, str], ...] = (
    ("empty", ""),
    ("spaces only", " \t\u3000\n"),
    ("punctuation only", "，。、；：？！“”（）《》〔〕【】…—"),
    ("han sentence", "关于调整2024年城乡居民最低生活保障标准的通知"),
    ("han single characters", "低，保。标"),
    ("document number", "和政办〔2024〕5号"),
    ("document number full-width digits", "和政办〔２０２４〕５号"),
    ("document number other brackets", "豫政办[2020]5号、川府发（2019）12号"),
    ("full-width latin and digits", "ＡＢＣ１２３ｘｙｚ"),
    ("ideographic space U+3000", "低保\u3000标准"),
    ("no-break and thin spaces", "低保\u00a0标准\u2009补贴"),
    ("astral han 𠙶", "𠙶𠙶字𠙶"),
    ("astral han in query", "从𠙶来"),
    ("yi syllables", "ꆈꌠꉙꏃꌋ"),
    ("yi with han and punctuation", "ꆈꌠ（彝族）ꉙ，ꃅꄿ。"),
    ("yi iteration mark and radical", "ꀕꀀ꒐"),
    ("mixed latin digits han", "COVID-19疫情防控第3条6.3%"),
    ("case folding", "Straße ΣΑΣ İstanbul ǅ ﬁ"),
    ("cherokee folds to upper case", "ꭰꭱ Ꭰ"),
    ("combining marks", "e\u0301cole Cafe\u0301 a\u0308"),
    ("invisible characters", "低\u200b保\u00ad标\ufeff准\u2060啊\ufe0f"),
    ("compatibility ideographs and radicals", "豈更⼀⽇⺠"),
    ("circled and roman numerals", "①②Ⅻ㈱㍻"),
    ("hangzhou numerals and ling", "〇〡〢々"),
    ("half-width katakana", "ｶﾀｶﾅ"),
    ("emoji and symbols", "✅低保😀标准©®™"),
    ("index number", "113708280043326001/2024-02411"),
    ("email and url", "xxgk@gov.cn https://www.example.gov.cn/a_b"),
    ("underscore and hyphen", "snake_case kebab-case"),
    ("repeated characters", "啊啊啊 aaa"),
    ("query with several parts", "  低保 标准　2024年 "),
    ("query trailing punctuation", "“最低生活保障”。"),
    ("joints across one separator only", "2024-06-05 12..3 a–b x〔〕y 5\u3000号 第3条"),
    ("joint with astral han and yi", "𠙶1ꆈ2"),
    ("query terms a joint implies", "第3 长6 6.3% 6.35 5号 a–b 3 号"),
)
"""(name, text) pairs; every text is both tokenized and parsed as a query."""


def vector(name: str, text: str) -> dict[str, object]:
    """The expected outputs for one input."""
    return {
        "name": name,
        "text": text,
        "normalized": normalize(text),
        "tokens": tokenize(text),
        "query": [
            {
                "text": part.text,
                "exact": part.exact,
                "terms": [[t.term, t.prefix] for t in part.terms],
            }
            for part in parse_query(text)
        ],
    }


def build() -> dict[str, object]:
    """The whole fixture."""
    return {"spec": SPEC_VERSION, "vectors": [vector(n, t) for n, t in INPUTS]}


def main() -> int:
    """Rewrite the fixture file."""
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(build(), ensure_ascii=False, indent=1) + "\n"
    FIXTURE.write_text(text, encoding="utf-8")
    print(f"wrote {len(INPUTS)} vectors to {FIXTURE}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
