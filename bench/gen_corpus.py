#!/usr/bin/env python3
"""Deterministic benchmark corpus for sitegen: a complete site root of N disclosure items.

    python bench/gen_corpus.py --items 50000 --seed 1 --out /tmp/site50k

writes
    OUT/content/items/<domain-slug>/<domain-slug>-<serial>.md        (Chinese items)
    OUT/content/items/<domain-slug>/<domain-slug>-<serial>.ii.md     (Yi translations, ~3 % of files)
    OUT/content/items/<domain-slug>/<domain-slug>-<serial>-<k>.pdf|xlsx  (dummy attachments, ~5 %)
    OUT/data/                       (copied from <repo>/data; sections.yml written if absent)
    OUT/content/pages/              (copied from <repo>/content/pages when it exists: guide, rules …)
    OUT/themes                      (symlink to <repo>/themes; --themes copy|none to change)
    OUT/.bench-corpus.json          (what was generated, for bench/run.py's cache check)

N counts .md files: a Chinese item with its Yi translation takes two of the N.
Bodies are assembled from real sentences in <repo>/../shared/corpus (see its NOTICE.md:
gov-sentences.txt for Chinese, nuosu-gov-pairs.jsonl for Han/Yi pairs); front-matter follows
docs/contracts.md. Same arguments + same corpus + same data/ => byte-identical output.

Standard library only, except PyYAML for reading data/sections.yml and data/site.yml (a sitegen
dependency; without it the built-in list of the 26 domains is used).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import io
import json
import random
import re
import shutil
import sys
import time
import zipfile
from collections import defaultdict
from pathlib import Path

GENERATOR_VERSION = 1
REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
PAGES_DIR = REPO / "content" / "pages"

# --------------------------------------------------------------------------------------
# Built-in domain list (domain.md order), used when data/sections.yml is absent.
# --------------------------------------------------------------------------------------
BUILTIN_DOMAINS: list[tuple[str, str]] = [
    ("chengxiang-guihua", "城乡规划"),
    ("zhongda-jianshe", "重大建设项目"),
    ("gonggong-ziyuan-jiaoyi", "公共资源交易"),
    ("caizheng-yujuesuan", "财政预决算"),
    ("anquan-shengchan", "安全生产"),
    ("shuishou-guanli", "税收管理"),
    ("zhengdi-buchang", "征地补偿"),
    ("fangwu-zhengshou", "国有土地上房屋征收与补偿"),
    ("nongcun-weifang", "农村危房改造"),
    ("huanjing-baohu", "环境保护"),
    ("gonggong-wenhua", "公共文化服务"),
    ("gonggong-falv", "公共法律服务"),
    ("fupin", "扶贫"),
    ("jiuzai", "救灾"),
    ("shipin-yaopin", "食品药品监管"),
    ("chengshi-zhifa", "城市综合执法"),
    ("jiuye", "就业"),
    ("shehui-baoxian", "社会保险"),
    ("shehui-jiuzhu", "社会救助"),
    ("yanglao-fuwu", "养老服务"),
    ("huji-guanli", "户籍管理"),
    ("shenong-butie", "涉农补贴"),
    ("yiliao-weisheng", "医疗卫生"),
    ("yiwu-jiaoyu", "义务教育"),
    ("shizheng-fuwu", "市政服务"),
    ("baozhang-zhufang", "保障性住房"),
]

# Keywords per domain name: used to pick domain-flavoured sentences and the `keywords` field.
# Renamed domains (乡村振兴, 生态环境, 自然资源 …) are covered too; unknown names use themselves.
DOMAIN_KEYWORDS: dict[str, list[str]] = {
    "城乡规划": ["规划", "城镇化", "城乡", "国土空间"],
    "自然资源": ["国土空间", "土地", "规划", "矿产"],
    "重大建设项目": ["重大项目", "基础设施", "建设项目", "工程", "投资"],
    "公共资源交易": ["招标", "交易", "采购", "公共资源"],
    "财政预决算": ["预算", "财政", "赤字", "支出", "决算"],
    "安全生产": ["安全生产", "事故", "隐患", "应急"],
    "税收管理": ["税收", "减税", "降费", "税费"],
    "征地补偿": ["征地", "耕地", "补偿", "土地"],
    "国有土地上房屋征收与补偿": ["征收", "棚户区", "房屋", "安置"],
    "农村危房改造": ["危房", "农村", "改造", "住房"],
    "环境保护": ["环境", "污染", "生态", "排放"],
    "生态环境": ["生态", "环境", "污染", "排放"],
    "公共文化服务": ["文化", "图书馆", "文艺", "体育"],
    "公共法律服务": ["法律", "法治", "司法", "依法"],
    "扶贫": ["扶贫", "脱贫", "贫困", "乡村振兴"],
    "乡村振兴": ["乡村振兴", "脱贫", "农村", "农民"],
    "救灾": ["救灾", "灾害", "防汛", "抗旱", "地震"],
    "食品药品监管": ["食品", "药品", "监管", "质量"],
    "城市综合执法": ["执法", "城市管理", "违法", "整治"],
    "就业": ["就业", "创业", "岗位", "失业"],
    "社会保险": ["社会保险", "养老保险", "医疗保险", "参保"],
    "社会救助": ["救助", "低保", "困难群众", "特困"],
    "养老服务": ["养老", "老年人", "老龄"],
    "户籍管理": ["户籍", "户口", "落户", "人口"],
    "涉农补贴": ["补贴", "农民", "粮食", "农业"],
    "医疗卫生": ["医疗", "卫生", "医院", "疾病", "健康"],
    "义务教育": ["教育", "学校", "学生", "教师"],
    "市政服务": ["供水", "供气", "市政", "公共交通"],
    "保障性住房": ["保障性住房", "保障房", "租赁住房", "住房"],
}

# Relative volume per domain (county sites publish far more budget/trading/assistance notices).
DOMAIN_WEIGHT: dict[str, float] = {
    "财政预决算": 3.0,
    "公共资源交易": 3.0,
    "社会救助": 2.0,
    "涉农补贴": 2.0,
    "重大建设项目": 1.5,
    "扶贫": 1.5,
    "乡村振兴": 1.5,
    "就业": 1.5,
    "医疗卫生": 1.3,
    "义务教育": 1.3,
    "安全生产": 1.2,
    "税收管理": 0.5,
    "户籍管理": 0.6,
    "国有土地上房屋征收与补偿": 0.6,
    "市政服务": 0.7,
}

STAGES = ["决策", "执行", "管理", "服务", "结果"]
STAGE_WEIGHTS = [10, 25, 20, 15, 30]

# (name, document-number prefix, primary domains). 文号 = county initial + prefix, e.g. 云民发〔2024〕3号.
COUNTY_ABBR = "某"
DEPARTMENTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("县人民政府办公室", "政办发", ()),
    ("县人民政府", "府发", ()),
    ("县发展和改革局", "发改", ("重大建设项目",)),
    ("县财政局", "财发", ("财政预决算",)),
    ("县自然资源局", "自然资发", ("城乡规划", "征地补偿", "自然资源")),
    (
        "县住房和城乡建设局",
        "住建发",
        ("国有土地上房屋征收与补偿", "农村危房改造", "保障性住房", "市政服务"),
    ),
    ("县生态环境局", "环发", ("环境保护", "生态环境")),
    ("县应急管理局", "应急发", ("安全生产", "救灾")),
    ("县税务局", "税发", ("税收管理",)),
    ("县公共资源交易中心", "公资发", ("公共资源交易",)),
    ("县文化广播电视和旅游局", "文旅发", ("公共文化服务",)),
    ("县司法局", "司发", ("公共法律服务",)),
    ("县乡村振兴局", "乡振发", ("扶贫", "乡村振兴")),
    ("县市场监督管理局", "市监发", ("食品药品监管",)),
    ("县综合行政执法局", "综执发", ("城市综合执法",)),
    ("县人力资源和社会保障局", "人社发", ("就业", "社会保险")),
    ("县民政局", "民发", ("社会救助", "养老服务")),
    ("县公安局", "公发", ("户籍管理",)),
    ("县农业农村局", "农发", ("涉农补贴",)),
    ("县卫生健康局", "卫健发", ("医疗卫生",)),
    ("县教育局", "教发", ("义务教育",)),
]

TOWNS = [
    "城关镇",
    "新桥镇",
    "河西乡",
    "石门乡",
    "白云镇",
    "龙泉镇",
    "红岩乡",
    "柳树乡",
    "东山镇",
    "南坪乡",
    "高峰乡",
    "清水镇",
    "马鞍乡",
    "青龙镇",
    "金沙乡",
    "大桥镇",
]

HEADINGS = {
    "决策": ["总体要求", "工作目标", "主要任务", "实施步骤", "保障措施", "征求意见方式"],
    "执行": ["工作进展", "主要措施", "资金使用情况", "存在问题", "下一步工作", "工作要求"],
    "管理": ["检查依据", "检查对象", "检查结果", "整改要求", "权责事项", "监督方式"],
    "服务": ["适用范围", "申请条件", "所需材料", "办理流程", "办理时限", "咨询方式"],
    "结果": ["基本情况", "主要成效", "评估结论", "存在问题", "下一步打算", "公示期限"],
}
CN_NUM = "一二三四五六七八九十"

TITLE_FORMS = {
    "决策": [
        "关于{f}的实施方案",
        "关于{f}的决定",
        "关于{f}的实施意见（征求意见稿）",
        "关于公开征求《{f}实施办法》意见的公告",
        "关于印发{f}工作方案的通知",
    ],
    "执行": [
        "关于{f}的通知",
        "关于做好{f}工作的通知",
        "{y}年{d}工作推进情况",
        "关于{f}工作进展情况的报告",
        "关于下达{y}年{d}资金的通知",
    ],
    "管理": [
        "关于{f}的通报",
        "{y}年{d}领域“双随机、一公开”抽查结果",
        "{dept}{d}权责清单",
        "关于{f}专项检查情况的通报",
        "关于{f}的管理办法",
    ],
    "服务": [
        "{d}办事指南",
        "关于{f}的服务指南",
        "{d}公共服务事项清单",
        "关于{f}的公告",
        "{y}年{d}服务事项目录",
    ],
    "结果": [
        "关于{f}的结果公示",
        "{y}年{d}工作总结",
        "关于{f}情况的公告",
        "{y}年{d}资金分配结果公示",
        "关于{f}的评估报告",
    ],
}
INTERPRETATION_FORMS = ["《{t}》政策解读", "一图读懂《{t}》", "关于《{t}》的解读"]

ATTACH_TITLES = {
    "pdf": ["实施细则", "申请表", "对象名单", "项目清单"],
    "xlsx": ["资金分配表", "花名册", "项目汇总表", "统计表"],
}

RECENT_SHARE = 0.6
BODY_MIN, BODY_MAX = 500, 3000
DATED_WORDS = ("毛主席", "四人帮", "帝国主义", "右派", "人民公社", "一九", "苏联", "修正主义")
FRAG_SPLIT = re.compile(r"[，；：、。！？,;:]")
FRAG_BAD_START = (
    "一是",
    "二是",
    "三是",
    "四是",
    "五是",
    "第一",
    "第二",
    "同时",
    "但是",
    "其中",
    "这",
    "我们",
    "今年",
    "去年",
    "过去",
    "现在",
    "因此",
    "所以",
    "并且",
    "而且",
    "要",
    "必须",
    "就是",
    "特别是",
    "也",
    "还",
    "都",
    "使",
    "在",
    "对",
    "为",
    "把",
    "和",
    "与",
    "及",
    "并",
    "不",
    "（",
    "(",
    "”",
    "》",
    "）",
)
YAML_PLAIN_OK = re.compile(
    r"^[\u3400-\u9fff\uf900-\ufaff\ua000-\ua4cf0-9A-Za-z"
    r"（）《》〔〕“”‘’，、。；：！？—…·％\-+.()/]+$"
)
YAML_RESERVED = {"true", "false", "yes", "no", "on", "off", "null", "~", "y", "n"}


# --------------------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------------------
def load_sections(data_dir: Path) -> tuple[list[tuple[str, str]], str]:
    path = data_dir / "sections.yml"
    if not path.is_file():
        return list(BUILTIN_DOMAINS), "built-in (no data/sections.yml)"
    try:
        import yaml
    except ImportError:
        return list(BUILTIN_DOMAINS), "built-in (PyYAML missing)"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))

    def entries(node):
        if isinstance(node, list):
            out = [
                (str(e["slug"]), str(e["name"]))
                for e in node
                if isinstance(e, dict) and "slug" in e and "name" in e
            ]
            if out:
                return out
        if isinstance(node, dict):
            for key in ("sections", "domains"):
                if key in node:
                    found = entries(node[key])
                    if found:
                        return found
        return []

    found = entries(doc)
    if not found:
        return list(BUILTIN_DOMAINS), f"built-in ({path} has no slug/name entries)"
    return found, "data/sections.yml"


def load_site(data_dir: Path) -> dict:
    path = data_dir / "site.yml"
    if not path.is_file():
        return {}
    try:
        import yaml
    except ImportError:
        return {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    return doc if isinstance(doc, dict) else {}


def corpus_digest(corpus_dir: Path) -> str:
    h = hashlib.sha256()
    for name in ("gov-sentences.txt", "nuosu-gov-pairs.jsonl"):
        h.update((Path(corpus_dir) / name).read_bytes())
    return h.hexdigest()


def tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    if path.is_dir():
        for p in sorted(path.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(path).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return h.hexdigest()


class Corpus:
    def __init__(self, corpus_dir: Path):
        sent_path = corpus_dir / "gov-sentences.txt"
        pair_path = corpus_dir / "nuosu-gov-pairs.jsonl"
        for p in (sent_path, pair_path):
            if not p.is_file():
                raise SystemExit(f"gen_corpus: corpus file not found: {p} (use --corpus DIR)")
        every = [s for s in sent_path.read_text(encoding="utf-8").splitlines() if s]
        # The file runs newest report first (2025 back to 1955): keep roughly 1997 onwards, so
        # bodies read like current administrative prose.
        self.sentences = [
            s
            for s in every[: int(len(every) * RECENT_SHARE)]
            if not any(w in s for w in DATED_WORDS)
        ]
        self.pairs = [
            json.loads(line)
            for line in pair_path.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        self.digest = corpus_digest(corpus_dir)
        # medium sentences for list items
        self.short = [s for s in self.sentences if 12 <= len(s) <= 60]
        # clause fragments for titles
        frags = set()
        for s in self.sentences:
            for part in FRAG_SPLIT.split(s):
                part = part.strip()
                if not 6 <= len(part) <= 18 or part.startswith(FRAG_BAD_START):
                    continue
                if any(ch.isdigit() or ch in "%“”\"'()（）《》" for ch in part):
                    continue
                frags.add(part)
        self.fragments = sorted(frags)
        # pairs usable as a title (short zh, no digits)
        self.title_pairs = [
            i
            for i, p in enumerate(self.pairs)
            if 6 <= len(p["zh"]) <= 30 and not any(c.isdigit() for c in p["zh"])
        ]

    def by_keywords(self, keywords: list[str]) -> tuple[list[str], list[str]]:
        sents = [s for s in self.sentences if any(k in s for k in keywords)]
        frags = [f for f in self.fragments if any(k in f for k in keywords)]
        return sents, frags


# --------------------------------------------------------------------------------------
# Front-matter helpers
# --------------------------------------------------------------------------------------
def yaml_str(value: str) -> str:
    """A YAML scalar: plain when unambiguous, else JSON-style double-quoted."""
    if (
        YAML_PLAIN_OK.match(value)
        and value.lower() not in YAML_RESERVED
        and value[0] not in "-+.0123456789"
    ):
        return value
    return json.dumps(value, ensure_ascii=False)


def credit_code(rng: random.Random) -> str:
    """An 18-character 统一社会信用代码 (GB 32100) with a valid check character."""
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    body = (
        "11"
        + "513431"
        + "MB"
        + "".join(rng.choice("0123456789") for _ in range(6))
        + rng.choice("0123456789X")
    )
    total = sum(alphabet.index(c) * w for c, w in zip(body, weights, strict=True))
    return body + alphabet[(31 - total % 31) % 31]


def cn_date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# --------------------------------------------------------------------------------------
# Dummy attachments (tiny but well-formed, and different per item)
# --------------------------------------------------------------------------------------
def dummy_pdf(tag: str) -> bytes:
    text = f"sitegen benchmark attachment {tag}"
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    for off in offsets:
        out += b"%010d 00000 n \n" % off
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


def dummy_xlsx(tag: str, rows: list[tuple[str, int]]) -> bytes:
    def esc(s: str) -> str:
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    sheet_rows = [
        '<row r="1"><c r="A1" t="inlineStr"><is><t>乡镇</t></is></c>'
        '<c r="B1" t="inlineStr"><is><t>金额（万元）</t></is></c></row>'
    ]
    for i, (town, amount) in enumerate(rows, 2):
        sheet_rows.append(
            f'<row r="{i}"><c r="A{i}" t="inlineStr"><is><t>{esc(town)}</t></is></c>'
            f'<c r="B{i}"><v>{amount}</v></c></row>'
        )
    n = len(rows) + 2
    sheet_rows.append(
        f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>{esc(tag)}</t></is></c></row>'
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    rel_ns = "http://schemas.openxmlformats.org/package/2006/relationships"
    doc_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    files = {
        "[Content_Types].xml": head
        + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>",
        "_rels/.rels": head + f'<Relationships xmlns="{rel_ns}">'
        f'<Relationship Id="rId1" Type="{doc_rel}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": head
        + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{doc_rel}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": head + f'<Relationships xmlns="{rel_ns}">'
        f'<Relationship Id="rId1" Type="{doc_rel}/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>",
        "xl/worksheets/sheet1.xml": head
        + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + "".join(sheet_rows)
        + "</sheetData></worksheet>",
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, text in files.items():
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # fixed: deterministic
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, text.encode("utf-8"))
    return buf.getvalue()


# --------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------
class Gen:
    def __init__(
        self, corpus: Corpus, domains: list[tuple[str, str]], seed: int, org_codes: dict[str, str]
    ):
        self.c = corpus
        self.domains = domains
        rng = random.Random(f"sitegen-bench-orgs:{seed}")
        self.depts = []
        for name, prefix, prim in DEPARTMENTS:
            code = credit_code(rng)  # always drawn, so codes from site.yml don't shift the others
            self.depts.append((name, prefix, prim, org_codes.get(name, code)))
        self.dept_for_domain: dict[str, list[int]] = {}
        for slug, name in domains:
            prim = [i for i, d in enumerate(self.depts) if name in d[2]]
            self.dept_for_domain[slug] = prim or [0]
        self.domain_sents: dict[str, list[str]] = {}
        self.domain_frags: dict[str, list[str]] = {}
        self.domain_kw: dict[str, list[str]] = {}
        for slug, name in domains:
            kws = DOMAIN_KEYWORDS.get(name, [name])
            sents, frags = corpus.by_keywords(kws)
            self.domain_kw[slug] = kws
            self.domain_sents[slug] = sents or corpus.sentences
            self.domain_frags[slug] = frags if len(frags) >= 20 else corpus.fragments
        self.domain_weights = [DOMAIN_WEIGHT.get(name, 1.0) for _, name in domains]

    # -- body -------------------------------------------------------------------------
    def sentence(self, rng: random.Random, slug: str) -> str:
        pool = self.domain_sents[slug] if rng.random() < 0.35 else self.c.sentences
        return pool[rng.randrange(len(pool))]

    def table(self, rng: random.Random, year: int) -> str:
        kind = rng.randrange(3)
        towns = rng.sample(TOWNS, rng.randint(3, 6))
        if kind == 0:
            lines = ["| 序号 | 乡镇 | 户数 | 金额（万元） |", "| --- | --- | ---: | ---: |"]
            for i, t in enumerate(towns, 1):
                lines.append(
                    f"| {i} | {t} | {rng.randint(5, 400)} | {rng.randint(10, 9000) / 10:.1f} |"
                )
        elif kind == 1:
            lines = ["| 项目名称 | 实施地点 | 计划完成时间 |", "| --- | --- | --- |"]
            for t in towns:
                frag = self.c.fragments[rng.randrange(len(self.c.fragments))]
                lines.append(f"| {frag[:12]}项目 | {t} | {year}年{rng.randint(1, 12)}月 |")
        else:
            lines = ["| 指标 | 上年 | 本年 | 增幅 |", "| --- | ---: | ---: | ---: |"]
            for label in rng.sample(
                [
                    "一般公共预算收入",
                    "一般公共预算支出",
                    "民生支出",
                    "转移支付",
                    "专项资金",
                    "政府性基金收入",
                    "债务还本付息",
                ],
                len(towns),
            ):
                a = rng.randint(1000, 90000)
                b = int(a * rng.uniform(0.85, 1.25))
                lines.append(f"| {label} | {a} | {b} | {(b - a) * 100 / a:.1f}% |")
        return "\n".join(lines)

    def body(self, rng: random.Random, slug: str, stage: str, dept: str, written: dt.date) -> str:
        """Markdown body of 500-3,000 characters (counted exactly, markup and newlines included)."""
        limit = BODY_MAX - 32  # room for the signature block
        target = min(limit, max(BODY_MIN, int(rng.triangular(BODY_MIN, BODY_MAX, 900))))
        blocks: list[str] = []
        size = -2  # "\n\n".join: every block after the first costs len + 2

        def add(block: str) -> bool:
            nonlocal size
            if size + 2 + len(block) > limit:
                return False
            blocks.append(block)
            size += 2 + len(block)
            return True

        headed = rng.random() < 0.45
        want_list = rng.random() < 0.22
        want_table = rng.random() < 0.10
        heads = rng.sample(HEADINGS[stage], rng.randint(2, 4)) if headed else []
        sections = max(1, len(heads))
        per_section = target / sections
        add(self.sentence(rng, slug))
        for si in range(sections):
            if heads:
                add(f"## {CN_NUM[si]}、{heads[si]}")
            goal = min(target, per_section * (si + 1))
            placed_extra = False
            while size < goal:
                para = ""
                for _ in range(rng.randint(2, 5)):
                    sent = self.sentence(rng, slug)
                    if size + 2 + len(para) + len(sent) > limit:
                        break
                    para += sent
                if not para or not add(para):
                    break
                if not placed_extra and size < goal:
                    if want_list and rng.random() < 0.5:
                        items = [
                            self.c.short[rng.randrange(len(self.c.short))]
                            for _ in range(rng.randint(3, 5))
                        ]
                        ordered = rng.random() < 0.5
                        lines = [
                            (f"{i}. " if ordered else "- ") + it for i, it in enumerate(items, 1)
                        ]
                        placed_extra = add("\n".join(lines))
                        want_list = False
                    elif want_table and rng.random() < 0.5:
                        placed_extra = add(self.table(rng, written.year))
                        want_table = False
        while size < BODY_MIN:  # pad to the minimum (sentences are at most 200 characters)
            add(self.sentence(rng, slug))
        if rng.random() < 0.6:
            blocks.append(f"{dept}  \n{cn_date(written)}")
        return "\n\n".join(blocks) + "\n"

    def title(
        self, rng: random.Random, slug: str, name: str, stage: str, dept: str, year: int
    ) -> str:
        form = rng.choice(TITLE_FORMS[stage])
        frags = self.domain_frags[slug] if rng.random() < 0.7 else self.c.fragments
        f = frags[rng.randrange(len(frags))]
        t = form.format(f=f, y=year, d=name, dept=dept)
        if len(t) > 40:
            over = len(t) - 40
            t = form.format(f=f[: max(4, len(f) - over)], y=year, d=name, dept=dept)
        return t[:40]

    def yi_bodies(self, rng: random.Random) -> tuple[str, str, str, str]:
        """(zh title, ii title, zh body, ii body) from consecutive Han/Yi pairs, paragraphs aligned."""
        tp = self.c.pairs[self.c.title_pairs[rng.randrange(len(self.c.title_pairs))]]
        zh_title = tp["zh"].rstrip("。；！？")
        ii_title = tp["ii"].rstrip("。；！？")
        target = rng.randint(500, 1600)
        npairs = len(self.c.pairs)
        j = rng.randrange(npairs)
        zh_paras, ii_paras, size = [], [], 0
        while size < target:
            zp, ip = [], []
            for _ in range(rng.randint(1, 4)):
                p = self.c.pairs[j % npairs]
                j += 1
                zp.append(p["zh"])
                ip.append(p["ii"])
                size += len(p["zh"])
            zh_paras.append("".join(zp))
            ii_paras.append("".join(ip))
        return zh_title[:40], ii_title, "\n\n".join(zh_paras) + "\n", "\n\n".join(ii_paras) + "\n"


def place_themes(out: Path, mode: str, themes_dir: Path = REPO / "themes") -> None:
    """sitegen reads <root>/themes/<theme>/: link (default, follows the working tree) or copy."""
    dest = out / "themes"
    if dest.is_symlink() or dest.is_file():
        dest.unlink()
    elif dest.exists():
        shutil.rmtree(dest)
    if mode == "none" or not themes_dir.is_dir():
        return
    if mode == "copy":
        shutil.copytree(themes_dir, dest, ignore=shutil.ignore_patterns("__pycache__"))
    else:
        dest.symlink_to(themes_dir.resolve(), target_is_directory=True)


def generate(
    n_items: int, seed: int, out: Path, corpus_dir: Path, data_dir: Path, themes: str = "link"
) -> dict:
    t0 = time.perf_counter()
    corpus = Corpus(corpus_dir)
    domains, sections_src = load_sections(data_dir)
    site = load_site(data_dir)
    abbr = str(site.get("county") or COUNTY_ABBR)[:1]
    codes = site.get("departments") if isinstance(site.get("departments"), dict) else {}
    codes = {str(k): str(v) for k, v in codes.items() if isinstance(v, str) and len(v) == 18}
    g = Gen(corpus, domains, seed, codes)
    rng = random.Random(seed)
    start, end = dt.date(2021, 1, 1), dt.date(2025, 12, 31)

    # ---- phase 1: item metadata ------------------------------------------------------
    recs: list[dict] = []
    per_domain: dict[str, int] = defaultdict(int)
    last_policy: dict[str, int] = {}
    while len(recs) < n_items:
        slug, name = rng.choices(domains, weights=g.domain_weights)[0]
        stage = rng.choices(STAGES, weights=STAGE_WEIGHTS)[0]
        prim = g.dept_for_domain[slug]
        di = rng.choice(prim) if rng.random() < 0.75 else rng.randrange(len(g.depts))
        date = start + dt.timedelta(days=rng.randrange((end - start).days + 1))
        yi = rng.random() < 0.03 and len(recs) + 2 <= n_items
        per_domain[slug] += 1
        stem = f"{slug}-{per_domain[slug]:05d}"
        rec = {
            "i": len(recs),
            "slug": slug,
            "name": name,
            "stage": stage,
            "dept": di,
            "date": date,
            "stem": stem,
            "lang": "zh",
            "yi": yi,
            "rseed": rng.getrandbits(64),
        }
        r = rng.random()
        if r < 0.002:
            rec["doc_type"] = "规章"
        elif r < 0.102:
            rec["doc_type"] = "行政规范性文件"
        elif r < 0.13 and slug in last_policy:
            # an interpretation is published with (and links to) its policy document
            pol = recs[last_policy[slug]]
            rec["doc_type"] = "政策解读"
            rec["related"] = pol["i"]
            rec["date"] = pol["date"]
            rec["stage"] = pol["stage"]
        elif r < 0.16:
            rec["doc_type"] = "其他"
        if not yi:
            x = rng.random()
            if x < 0.01:
                rec["disclosure"] = "依申请公开"
            elif x < 0.015:
                rec["draft"] = True
            elif x < 0.2:
                rec["disclosure"] = "主动公开"
        published = rec.get("disclosure", "主动公开") == "主动公开" and not rec.get("draft")
        if rec.get("doc_type") in ("规章", "行政规范性文件") and not yi and published:
            last_policy[slug] = len(recs)
        recs.append(rec)
        if yi:
            recs.append(
                {
                    "i": len(recs),
                    "slug": slug,
                    "name": name,
                    "stage": rec["stage"],
                    "dept": di,
                    "date": rec["date"],
                    "stem": stem + ".ii",
                    "lang": "ii",
                    "yi": True,
                    "zh_rec": rec["i"],
                    "rseed": rec["rseed"],
                }
            )

    # ---- phase 2: 索引号 per organisation per year in date order; 文号 likewise -----------
    order = sorted(range(len(recs)), key=lambda k: (recs[k]["dept"], recs[k]["date"], recs[k]["i"]))
    serial: dict[tuple[int, int], int] = defaultdict(int)
    docno: dict[tuple[int, int], int] = defaultdict(int)
    for k in order:
        rec = recs[k]
        key = (rec["dept"], rec["date"].year)
        serial[key] += 1
        rec["index_no"] = f"{g.depts[rec['dept']][3]}/{rec['date'].year}-{serial[key]:05d}"
        if (
            rec["lang"] == "zh"
            and rec.get("doc_type") != "政策解读"
            and (
                rec.get("doc_type") in ("规章", "行政规范性文件")
                or random.Random(rec["rseed"] ^ 0x5EED).random() < 0.58
            )
        ):
            docno[key] += 1
            rec["doc_no"] = f"{abbr}{g.depts[rec['dept']][1]}〔{rec['date'].year}〕{docno[key]}号"

    # ---- phase 3: render and write ---------------------------------------------------
    content = out / "content"
    for sub in (content, out / "data"):
        if sub.exists():
            shutil.rmtree(sub)
    items_dir = content / "items"
    for slug, _ in domains:
        (items_dir / slug).mkdir(parents=True, exist_ok=True)
    stats: dict[str, int] = defaultdict(int)
    yi_cache: dict[int, tuple[str, str]] = {}
    titles: dict[int, str] = {}
    for rec in recs:
        r = random.Random(rec["rseed"])
        slug, name, stage = rec["slug"], rec["name"], rec["stage"]
        dname = g.depts[rec["dept"]][0]
        date = rec["date"]
        # 0-40 days, mostly within the 20-working-day limit (~10 % late: sitegen warns, W160)
        written = date - dt.timedelta(days=int(r.triangular(0, 40.999, 3)))
        folder = items_dir / slug
        if rec["lang"] == "ii":
            title, body = yi_cache.pop(rec["zh_rec"])
            written = recs[rec["zh_rec"]]["written"]
        elif rec["yi"]:
            zh_title, ii_title, zh_body, ii_body = g.yi_bodies(r)
            yi_cache[rec["i"]] = (ii_title, ii_body)
            title, body = zh_title, zh_body
        elif rec.get("doc_type") == "政策解读":
            pol_title = titles[rec["related"]]
            title = r.choice(INTERPRETATION_FORMS).format(t=pol_title)
            if len(title) > 40:
                title = f"《{pol_title[:32]}》政策解读"
            body = g.body(r, slug, stage, dname, written)
        else:
            title = g.title(r, slug, name, stage, dname, date.year)
            body = g.body(r, slug, stage, dname, written)
        titles[rec["i"]] = title
        rec["written"] = written

        fm = [
            f"title: {yaml_str(title)}",
            f"domain: {slug if r.random() < 0.1 else name}",
            f"stage: {stage + '公开' if r.random() < 0.2 else stage}",
            f"date: {date.isoformat()}",
            f"department: {dname}",
        ]
        if "doc_no" in rec:
            fm.append(f"doc_no: {rec['doc_no']}")
        fm.append(f"index_no: {rec['index_no']}")
        fm.append(f"written: {written.isoformat()}")
        if rec["lang"] == "zh" and r.random() < 0.4:
            summary = FRAG_SPLIT.split(body.split("\n", 1)[0])[0][:60]
            if len(summary) >= 6:
                fm.append(f"summary: {yaml_str(summary)}")
        if rec["lang"] == "zh":
            kws = r.sample(g.domain_kw[slug], min(len(g.domain_kw[slug]), r.randint(1, 3)))
            fm.append(f"keywords: [{', '.join(kws)}]")
        dtyp = rec.get("doc_type") if rec["lang"] == "zh" else None
        if dtyp:
            fm.append(f"doc_type: {dtyp}")
            stats[f"doc_type:{dtyp}"] += 1
            if dtyp in ("规章", "行政规范性文件"):
                v = r.random()
                room = (end - date).days
                if v < 0.06 and room > 30:
                    rep = date + dt.timedelta(days=r.randint(30, min(room, 1200)))
                    fm.append("validity: {status: 废止, date: " + rep.isoformat() + "}")
                    stats["validity:废止"] += 1
                elif v < 0.14:
                    fm.append("validity: 失效")
                    stats["validity:失效"] += 1
                else:
                    fm.append("validity: 有效")
        if "related" in rec:
            fm.append(f"related: [{recs[rec['related']]['index_no']}]")
        if rec["lang"] == "zh" and r.random() < 0.05:
            ext = "xlsx" if r.random() < 0.4 else "pdf"
            fm.append("attachments:")
            for k in range(1, (1 if r.random() < 0.8 else 2) + 1):
                fname = f"{rec['stem']}-{k}.{ext}"
                atitle = f"附件{k}：{date.year}年{name}{r.choice(ATTACH_TITLES[ext])}"
                fm.append(f"  - file: {fname}")
                fm.append(f"    title: {yaml_str(atitle)}")
                tag = f"{rec['index_no']}#{k}"
                if ext == "pdf":
                    data = dummy_pdf(tag)
                else:
                    data = dummy_xlsx(tag, [(t, r.randint(1, 5000)) for t in r.sample(TOWNS, 4)])
                (folder / fname).write_bytes(data)
                stats["attachments"] += 1
        if "disclosure" in rec:
            fm.append(f"disclosure: {rec['disclosure']}")
            stats[f"disclosure:{rec['disclosure']}"] += 1
        if rec.get("draft"):
            fm.append("draft: true")
            stats["draft"] += 1
        if rec["lang"] == "ii":
            fm.append("lang: ii")
            fm.append(f"translation_of: items/{slug}/{recs[rec['zh_rec']]['stem']}.md")
            stats["yi"] += 1
        text = "---\n" + "\n".join(fm) + "\n---\n" + body
        (folder / f"{rec['stem']}.md").write_text(text, encoding="utf-8", newline="\n")
        stats["md_files"] += 1
        stats["body_chars"] += len(body)

    # ---- data/ ------------------------------------------------------------------------
    if data_dir.is_dir():
        shutil.copytree(data_dir, out / "data", ignore=shutil.ignore_patterns("__pycache__"))
    else:
        (out / "data").mkdir(parents=True)
    place_themes(out, themes)
    if PAGES_DIR.is_dir():  # the sample county's 指南/制度/年报 pages, so the portal is complete
        shutil.copytree(PAGES_DIR, content / "pages", ignore=shutil.ignore_patterns("__pycache__"))
    if not (out / "data" / "sections.yml").exists():
        lines = [
            "# written by bench/gen_corpus.py: the repository had no data/sections.yml",
            "sections:",
        ]
        lines += [f"  - {{slug: {slug}, name: {name}}}" for slug, name in domains]
        (out / "data" / "sections.yml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    manifest = {
        "generator_version": GENERATOR_VERSION,
        "generator_sha256": hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
        "corpus_sha256": corpus.digest,
        "data_sha256": tree_digest(data_dir),
        "pages_sha256": tree_digest(PAGES_DIR),
        "sections": sections_src,
        "items": n_items,
        "seed": seed,
        "stats": dict(sorted(stats.items())),
    }
    (out / ".bench-corpus.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    manifest["seconds"] = time.perf_counter() - t0
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--items", type=int, required=True, help="number of .md files to write")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument(
        "--out",
        type=Path,
        required=True,
        help="site root to write (its content/ and data/ are replaced)",
    )
    ap.add_argument(
        "--corpus",
        type=Path,
        default=DEFAULT_CORPUS,
        help=f"folder with gov-sentences.txt and nuosu-gov-pairs.jsonl (default {DEFAULT_CORPUS})",
    )
    ap.add_argument(
        "--data",
        type=Path,
        default=REPO / "data",
        help="data/ folder to copy into the site root (default: the repository's)",
    )
    ap.add_argument(
        "--themes",
        choices=["link", "copy", "none"],
        default="link",
        help="how OUT/themes is made from <repo>/themes (default: a symlink)",
    )
    ap.add_argument("-q", "--quiet", action="store_true")
    args = ap.parse_args(argv)
    if args.items < 1:
        ap.error("--items must be positive")
    args.out.mkdir(parents=True, exist_ok=True)
    m = generate(args.items, args.seed, args.out, args.corpus, args.data, args.themes)
    if not args.quiet:
        s = m["stats"]
        print(
            f"gen_corpus: {s['md_files']} .md files ({s.get('yi', 0)} Yi), "
            f"{s.get('attachments', 0)} attachments, {s['body_chars'] / max(1, s['md_files']):.0f} "
            f"body chars/file, domains from {m['sections']}, {m['seconds']:.1f}s -> {args.out}",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
