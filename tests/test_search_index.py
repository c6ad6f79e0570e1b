"""The search index writer and search.js's query engine, checked against lunr.py and brute force."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from lunr.builder import Builder
from lunr.query import QueryPresence

from sitegen.search import SearchDoc, build_search_index, parse_query, postings, tokenize
from sitegen.search.index import index_files
from sitegen.search.node_runner import node_available, run_engine, write_index
from sitegen.search.reference import matches

pytestmark = pytest.mark.skipif(not node_available(), reason="node is not installed")

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
if not CORPUS.exists():
    CORPUS = Path("/work/shared/corpus")

DOMAINS = [("社会救助", "shehui-jiuzhu"), ("义务教育", "yiwu-jiaoyu"), ("就业", "jiuye")]
STAGES = [("结果公开", "jieguo"), ("决策公开", "juece")]

SPECIAL = [
    ("关于印发和政办〔2024〕5号文件的通知", "根据和政办〔2024〕5号，调整最低生活保障标准。"),
    ("和政办〔2024〕15号", "另见和政办(2024)5号与和政办〔2023〕5号，均已废止。"),
    ("ＣＯＶＩＤ－１９防控", "全年经济增长６．３％，covid-19 疫情防控平稳。"),
    ("Straße und Maße", "Information INFORMATIONAL inform 2024年6月5日 20240605"),
    ("生僻字𠙶的说明", "𠙶𠙶字在古籍中出现，𠙶字单用。"),
    ("空格\u3000分隔", "低保\u3000标准与低保标准不同；啊啊啊与啊啊。"),
    ("分散的二字词", "保障房建设，路障标识清楚，标准化管理。"),
]
"""(title, body) of documents exercising document numbers, folding, astral Han and phrases."""


def sentences() -> list[str]:
    """The Chinese government sentences, one per line."""
    lines = (CORPUS / "gov-sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line for line in lines if line.strip()]


def yi_pairs() -> list[dict[str, str]]:
    """The Han/Yi sentence pairs."""
    text = (CORPUS / "nuosu-gov-pairs.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def corpus(
    n: int = 70, seed: int = 7, extra: list[tuple[str, str]] | None = None
) -> list[SearchDoc]:
    """Han documents of a few sentences, 15 Yi documents, SPECIAL, then ``extra``."""
    rnd = random.Random(seed)
    lines = sentences()
    texts: list[tuple[str, str, str]] = []
    for _ in range(n):
        body = "".join(rnd.choice(lines) for _ in range(rnd.randint(2, 8)))
        texts.append((rnd.choice(lines)[:24], body, "zh"))
    for pair in rnd.sample(yi_pairs(), 15):
        texts.append((pair["ii"][:12], pair["ii"], "ii"))
    texts.extend((t, b, "zh") for t, b in SPECIAL + (extra or []))
    docs = []
    for i, (title, body, lang) in enumerate(texts):
        domain, domain_slug = DOMAINS[i % len(DOMAINS)]
        stage, stage_slug = STAGES[i % len(STAGES)]
        docs.append(
            SearchDoc(
                ref=f"{domain_slug}/item-{i}.html",
                title=title,
                body=body,
                domain=domain,
                domain_slug=domain_slug,
                stage=stage,
                stage_slug=stage_slug,
                date=f"{2021 + i % 4}-0{1 + i % 9}-1{i % 10}",
                lang=lang,
            )
        )
    return docs


QUERIES = [
    "发展", "经济发展", "改革开放", "人民", "的", "国", "高质量发展", "全面建设社会主义现代化国家",
    "〔2024〕5号", "和政办〔2024〕5号", "2024 5号", "2024", "inform", "information", "6.3%",
    "covid", "straße", "𠙶", "𠙶字", "低保标准", "低保 标准", "啊啊啊", "啊啊", "ꆈꌠ", "ꉙ",
    "中国", "不存在的词语组合", "，", "", "保障标准",
]  # fmt: skip


@pytest.fixture(scope="module")
def docs() -> list[SearchDoc]:
    return corpus()


@pytest.fixture(scope="module")
def index_dir(docs: list[SearchDoc], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("search")
    write_index(build_search_index(docs), folder)
    return folder


@pytest.fixture(scope="module")
def answers(index_dir: Path) -> dict[str, dict]:
    found = run_engine(index_dir, [{"query": q} for q in QUERIES])
    return {a["query"]: a for a in found}


def lunr_py_index(docs: list[SearchDoc]):
    """lunr.py's own index of the same token lists: no pipeline, title boost 10, body 1."""
    builder = Builder()
    builder.ref("id")
    builder.field("title", 10)
    builder.field("body", 1)
    for i, d in enumerate(docs):
        builder.add({"id": str(i), "title": tokenize(d.title), "body": tokenize(d.body)})
    return builder.build()


def lunr_py_results(index, query: str) -> dict[str, float]:
    """lunr.py's results for the query's terms, every term required, prefixes as wildcards."""
    terms = list(dict.fromkeys(t for p in parse_query(query) for t in p.terms))
    if not terms:
        return {}

    def clauses(q) -> None:
        for t in terms:
            q.term(
                t.term + ("*" if t.prefix else ""),
                use_pipeline=False,
                presence=QueryPresence.REQUIRED,
            )

    return {r["ref"]: r["score"] for r in index.query(callback=clauses)}


def test_scores_equal_lunr_py(docs: list[SearchDoc], answers: dict[str, dict]) -> None:
    """search.js on our shards returns lunr.py's result set and scores (to 1e-9) for every query."""
    index = lunr_py_index(docs)
    for query in QUERIES:
        want = lunr_py_results(index, query)
        got = {r["ref"]: r["score"] for r in answers[query]["lunr"]}
        assert set(got) == set(want), query
        for ref, score in want.items():
            assert got[ref] == pytest.approx(score, abs=1e-9, rel=0), (query, ref)


def test_direct_scoring_is_lunr_js(index_dir: Path, answers: dict[str, dict]) -> None:
    """The fast scorer gives bit-identical results to lunr.js's own Index.query on the shards."""
    via_lunr = run_engine(index_dir, [{"query": q, "engine": "lunr"} for q in QUERIES])
    for a in via_lunr:
        direct = answers[a["query"]]
        assert sorted((r["ref"], r["score"]) for r in a["lunr"]) == sorted(
            (r["ref"], r["score"]) for r in direct["lunr"]
        ), a["query"]


def test_results_equal_brute_force(docs: list[SearchDoc], answers: dict[str, dict]) -> None:
    """Shown results are exactly the documents containing the query (recall and precision 1)."""
    for query in QUERIES:
        want = {i for i, d in enumerate(docs) if matches(query, d.title, d.body)}
        got = [r["id"] for r in answers[query]["results"]]
        assert len(got) == len(set(got)), query
        assert set(got) == want, query
        assert answers[query]["count"] == len(want), query


def test_first_page_results_are_shown_one_by_one_in_rank_order(answers: dict[str, dict]) -> None:
    """The search page shows each result as soon as it is checked: exactly the page's results, in
    its order, each once (so the first one appears before the slowest candidate is checked)."""
    for query in QUERIES:
        answer = answers[query]
        assert answer["first_page_shown"] == answer["first_page"], query
        assert answer["first_page"] == [
            r["id"] for r in answer["results"][: len(answer["first_page"])]
        ]


def test_phrase_check_rejects_scattered_bigrams(
    docs: list[SearchDoc], answers: dict[str, dict]
) -> None:
    """Documents with every bigram of a phrase but not the phrase are candidates, never results."""
    rejected = 0
    for query in QUERIES:
        candidates = {int(r["ref"]) for r in answers[query]["lunr"]}
        results = {r["id"] for r in answers[query]["results"]}
        assert results <= candidates
        rejected += len(candidates - results)
    assert rejected > 0, "the corpus should exercise the phrase check"


SCATTERED = [
    ("推进高标准农田建设", "要推进高标准农田建设，推动高质量发展。"),
    ("推进高质量发展", "全县推进高质量发展。"),
]
"""A document with both pairs of 进高质 but not the phrase (进高 is followed by 标, 高质 preceded
by 动, whose mask bits differ from 质's and 进's), and one with it."""


def test_adjacency_masks_rule_out_candidates_without_loading_them(tmp_path: Path) -> None:
    """A phrase whose pairs all occur in a document, never together, is ruled out by the
    neighbour masks of its rarest pair: the page loads that pair's adjacency file and no text."""
    answers = []
    for extra in (SCATTERED[:1], SCATTERED):
        docs = corpus(n=20, extra=extra)
        folder = tmp_path / str(len(extra))
        write_index(build_search_index(docs), folder)
        answers += run_engine(folder, [{"query": "进高质", "fresh": True}])
    nowhere, found = answers
    scattered = len(docs) - 2
    assert {int(r["ref"]) for r in nowhere["lunr"]} == {scattered}, "a candidate by its pairs"
    assert (nowhere["results"], nowhere["count"]) == ([], 0)
    assert [f for f in nowhere["all_files"] if f.startswith("d/")] == []
    assert len([f for f in nowhere["all_files"] if f.startswith("a/")]) == 1
    assert {int(r["ref"]) for r in found["lunr"]} == {scattered, scattered + 1}
    assert [r["id"] for r in found["results"]] == [scattered + 1]
    assert f"d/{scattered}" not in found["all_files"]


def test_document_numbers(docs: list[SearchDoc], answers: dict[str, dict]) -> None:
    """〔2024〕5号 finds that number only; "2024 5号" finds it in any bracket style."""
    refs = {q: {docs[r["id"]].title for r in answers[q]["results"]} for q in QUERIES}
    assert refs["〔2024〕5号"] == {"关于印发和政办〔2024〕5号文件的通知"}
    assert "和政办〔2024〕15号" in refs["2024 5号"]  # its body has 和政办(2024)5号
    assert refs["和政办〔2024〕5号"] == {"关于印发和政办〔2024〕5号文件的通知"}


def test_results_are_ranked_and_carry_links(
    docs: list[SearchDoc], answers: dict[str, dict]
) -> None:
    """Results come best first and name the item's relative URL."""
    for query in QUERIES:
        results = answers[query]["results"]
        scores = [r["score"] for r in results]
        assert scores == sorted(scores, reverse=True)
        for r in results:
            assert r["ref"] == docs[r["id"]].ref


def test_filters(index_dir: Path, docs: list[SearchDoc]) -> None:
    """Domain, stage and year filters keep exactly the matching documents."""
    requests = [
        {"query": "发展", "filters": {"domain": "jiuye"}},
        {"query": "发展", "filters": {"stage": "juece", "year": "2023"}},
    ]
    first, second = run_engine(index_dir, requests)
    hits = {i for i, d in enumerate(docs) if matches("发展", d.title, d.body)}
    assert {r["id"] for r in first["results"]} == {
        i for i in hits if docs[i].domain_slug == "jiuye"
    }
    assert {r["id"] for r in second["results"]} == {
        i for i in hits if docs[i].stage_slug == "juece" and docs[i].date.startswith("2023")
    }


def test_random_substring_queries(index_dir: Path, docs: list[SearchDoc]) -> None:
    """Random 1–8 character substrings of the documents: recall and precision 1."""
    rnd = random.Random(11)
    queries = []
    while len(queries) < 80:
        d = rnd.choice(docs)
        text = d.body if rnd.random() < 0.8 else d.title
        length = rnd.randint(1, 8)
        start = rnd.randrange(max(1, len(text) - length))
        queries.append(text[start : start + length])
    for q, answer in zip(
        queries, run_engine(index_dir, [{"query": q} for q in queries]), strict=True
    ):
        want = {i for i, d in enumerate(docs) if matches(q, d.title, d.body)}
        assert {r["id"] for r in answer["results"]} == want, q


def test_output_is_deterministic(docs: list[SearchDoc]) -> None:
    """Same documents, same order: byte-identical files, whatever the number of worker processes."""
    one = build_search_index(docs, workers=1)
    assert build_search_index(docs, workers=1) == one
    assert build_search_index(docs, workers=2) == one


def test_blocks_merge_to_the_same_index(
    docs: list[SearchDoc], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Counting the documents in many small blocks gives the very bytes of counting them at once."""
    whole = build_search_index(docs, workers=1)
    monkeypatch.setattr(postings, "BLOCK_DOCS", 7)
    assert len(postings.block_bounds(len(docs))) > 3
    assert build_search_index(docs, workers=1) == whole
    assert build_search_index(docs, workers=2) == whole


def test_reused_blocks_give_the_same_index(
    docs: list[SearchDoc], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An incremental index (unchanged blocks reused) equals a fresh one, after edits and additions."""
    monkeypatch.setattr(postings, "BLOCK_DOCS", 5)
    _, blocks, _ = index_files(docs[1:])
    edited = list(docs)
    edited[len(docs) // 2] = replace(edited[len(docs) // 2], body="低保标准调整为每月八百元。")
    counted: list[tuple[int, int]] = []
    real = postings._block_worker
    monkeypatch.setattr(postings, "_block_worker", lambda f, b: counted.append(b) or real(f, b))
    files, _, _ = index_files(edited, workers=1, reuse=blocks)
    # the new first document and the edited one: two blocks of ten counted again
    assert len(counted) == 2 < len(postings.block_bounds(len(docs)))
    assert files == build_search_index(edited, workers=1)


def test_layout(docs: list[SearchDoc]) -> None:
    """A manifest, term shards, and one file per document, all registering themselves."""
    files = build_search_index(docs)
    assert "manifest.js" in files
    assert {f"d/{i}.js" for i in range(len(docs))} <= set(files)
    assert any(name.startswith("t/") for name in files)
    beside = [name for name in files if name.startswith("a/")]
    assert beside and all(f"t/{name[2:]}" in files for name in beside)
    for name, content in files.items():
        assert content.startswith(f'SitegenSearch.add("{name[:-3]}",'.encode()), name


def test_empty_index() -> None:
    """No documents still gives a loadable manifest."""
    files = build_search_index([])
    assert set(files) == {"manifest.js"}


def test_py_round_matches_python(index_dir: Path) -> None:
    """search.js's pyRound3 equals Python's round(x, 3), ties to even included."""
    import subprocess

    from sitegen.search.node_runner import THEME_STATIC

    rnd = random.Random(5)
    values = [k / 16 for k in range(0, 400)] + [rnd.uniform(0, 50) for _ in range(3000)]
    values += [k / 1000 + 0.0005 for k in range(500)]
    script = (
        f"const s = require({json.dumps(str(THEME_STATIC / 'search' / 'search.js'))});"
        "const xs = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
        "process.stdout.write(JSON.stringify(xs.map(s.pyRound3)));"
    )
    proc = subprocess.run(
        ["node", "-e", script], input=json.dumps(values), capture_output=True, text=True, check=True
    )
    assert json.loads(proc.stdout) == [round(v, 3) for v in values]


def _node_json(script: str, payload: object) -> Any:
    """Run a Node script with search.js as ``s`` and ``payload`` as ``input``; its JSON output."""
    import subprocess

    from sitegen.search.node_runner import THEME_STATIC

    prelude = (
        f"const s = require({json.dumps(str(THEME_STATIC / 'search' / 'search.js'))});"
        "const input = JSON.parse(require('fs').readFileSync(0, 'utf8'));"
    )
    proc = subprocess.run(
        ["node", "-e", prelude + script],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(proc.stdout)


@pytest.mark.parametrize("n_docs", [100, 70_000])
def test_shard_decoding(n_docs: int) -> None:
    """search.js decodes 4-byte and 8-byte (over 65,536 documents) postings, carries included."""
    from sitegen.search.shards import _encode, posting_width

    rnd = random.Random(n_docs)
    dtype = postings.posting_dtype(n_docs)
    counts = [3, 0, 5, 2]  # two terms, two fields each
    lists = [sorted(rnd.sample(range(n_docs), k)) for k in counts]
    tfs = [[rnd.randint(1, postings.MAX_TF) for _ in docs] for docs in lists]
    values = np.array(
        [
            d << postings.TF_BITS | tf
            for docs, ts in zip(lists, tfs, strict=True)
            for d, tf in zip(docs, ts, strict=True)
        ],
        dtype=dtype,
    )
    raw = _encode("t/0", ["保障", "标准"], [1.5, 2.5], counts, values).decode()
    payload = json.loads(raw[raw.index(",") + 1 : raw.rindex(")")])
    decoded = _node_json(
        "const d = s.decodeShard(input.raw, 2, input.width, 7);"
        "process.stdout.write(JSON.stringify({docs: Array.from(d.docs), tfs: Array.from(d.tfs),"
        " starts: Array.from(d.starts), first: d.first}));",
        {"raw": payload, "width": posting_width(n_docs)},
    )
    assert decoded["docs"] == [d for docs in lists for d in docs]
    assert decoded["tfs"] == [tf for ts in tfs for tf in ts]
    assert decoded["starts"] == [0, 3, 3, 8, 10]
    assert decoded["first"] == 7


def test_long_field_lengths(tmp_path: Path) -> None:
    """A body too long for a one-unit manifest column is scored with its true length (lunr.py's)."""
    from sitegen.search.index import LONG_LENGTH

    docs = corpus(n=12, seed=2)
    text = "".join(sentences())
    size = LONG_LENGTH // 2
    while len(tokenize(text[:size])) < LONG_LENGTH + 100:
        size += 2000
    long_body = text[:size]
    docs.append(replace(docs[0], ref="jiuye/long.html", title="长文", body=long_body))
    files = build_search_index(docs)
    raw = files["manifest.js"].decode()
    manifest = json.loads(raw[raw.index(",") + 1 : raw.rindex(")")])
    assert manifest["long_lengths"][1] == {str(len(docs) - 1): len(tokenize(long_body))}
    write_index(files, tmp_path)
    queries = ["发展", "的", "人民"]
    index = lunr_py_index(docs)
    for answer in run_engine(tmp_path, [{"query": q} for q in queries]):
        want = lunr_py_results(index, answer["query"])
        got = {r["ref"]: r["score"] for r in answer["lunr"]}
        assert str(len(docs) - 1) in got
        assert set(got) == set(want)
        for ref, score in want.items():
            assert got[ref] == pytest.approx(score, abs=1e-9, rel=0), (answer["query"], ref)


def test_manifest_columns() -> None:
    """Domain, stage, language and year columns hold one code unit per document."""
    from sitegen.search.index import COLUMN_BASE

    docs = corpus(n=20, seed=4)
    raw = build_search_index(docs)["manifest.js"].decode()
    m = json.loads(raw[raw.index(",") + 1 : raw.rindex(")")])
    for i, d in enumerate(docs):
        assert m["domains"][ord(m["doc_domain"][i]) - COLUMN_BASE] == [d.domain_slug, d.domain]
        assert m["stages"][ord(m["doc_stage"][i]) - COLUMN_BASE] == [d.stage_slug, d.stage]
        assert m["langs"][ord(m["doc_lang"][i]) - COLUMN_BASE] == [d.lang]
        assert m["years"][ord(m["doc_year"][i]) - COLUMN_BASE] == int(d.date[:4])
        lengths = [ord(m["lengths"][f][i]) - COLUMN_BASE for f in range(2)]
        assert lengths == [len(tokenize(d.title)), len(tokenize(d.body))]


def test_shard_names_are_computed_alike_in_python_and_javascript() -> None:
    """search.js finds a shard file by hashing its first term exactly as shards.py named it."""
    from sitegen.search.shards import fnv1a

    terms = ["保障", "a", "2024", "𠙶字", "ꆈꌠ", "4〕5", "\ufeff", "", "straße"]
    names = _node_json("process.stdout.write(JSON.stringify(input.map(s.fnv1a)));", terms)
    assert names == [f"{fnv1a(t):08x}" for t in terms]


def test_an_edit_rewrites_few_shards(docs: list[SearchDoc]) -> None:
    """Shard boundaries depend on nearby terms only: an edited document changes a few shard files
    (what a deploy copies), not every one after its first new term."""
    before = build_search_index(docs)
    edited = list(docs)
    edited[3] = replace(docs[3], title=docs[3].title + "更正", body=docs[3].body + "新增说明。")
    after = build_search_index(edited)
    shards = [p for p in after if p.startswith("t/")]
    changed = [p for p in shards if before.get(p) != after[p]]
    assert len(shards) > 20 and 0 < len(changed) <= len(shards) // 4


def _plan_term_by_term(p: postings.Postings, n_docs: int) -> list[int]:
    """shards.plan's rule applied one term at a time (how it was first written)."""
    from sitegen.search import shards

    sizes = p.counts.sum(axis=1) * shards.posting_width(n_docs) + 24
    bounds, size = [0], 0
    for index, (term, term_size) in enumerate(zip(p.terms, sizes.tolist(), strict=True)):
        term_size += 3 * len(term)
        if index and (
            (size >= shards.MIN_BYTES and shards.fnv1a(term) % shards.CUT_EVERY == 0)
            or size + term_size > shards.MAX_BYTES
        ):
            bounds.append(index)
            size = 0
        size += term_size
    if p.terms:
        bounds.append(len(p.terms))
    return bounds


@pytest.mark.parametrize("seed", range(6))
def test_shard_plan_follows_the_term_by_term_rule(seed: int) -> None:
    """shards.plan (binary searches over the running size) cuts exactly where the rule applied term
    by term cuts, with terms big enough to stand alone, astral and Yi terms among them."""
    from sitegen.search import shards

    rnd = random.Random(seed)
    alphabet = ["保", "障", "𠙶", "ꆈ", "a", "7", "〕", "号"]
    terms = sorted(
        {"".join(rnd.choices(alphabet, k=rnd.randint(1, 9))) for _ in range(3000)},
        key=lambda t: t.encode("utf-16-be", "surrogatepass"),
    )
    big = rnd.choice([2, 50, 3000])  # some terms with postings past MAX_BYTES
    counts = np.array(
        [[rnd.randint(0, 3), rnd.choice([1, 5, 40, 400, big * 1000])] for _ in terms], np.int64
    )
    p = postings.Postings(
        terms, counts, np.zeros(0, np.uint32), np.zeros(0, np.uint16), [[0] * 70_000, [0] * 70_000]
    )
    assert shards.plan(p, 70_000) == _plan_term_by_term(p, 70_000)
    assert [int(h) for h in shards.fnv1a_all(terms)] == [shards.fnv1a(t) for t in terms]
