"""Regenerate content/ (the sample county 云岭县) from the real sentences in ../shared/corpus/.

The output is committed; run this only to change the sample deliberately:
    python scripts/make_sample_content.py [--corpus ../shared/corpus]
Deterministic: the same corpus gives byte-identical files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

DEPTS = {
    "chengxiang-guihua": "县自然资源局",
    "zhongda-jianshe": "县发展和改革局",
    "gonggong-ziyuan-jiaoyi": "县公共资源交易中心",
    "caizheng-yujuesuan": "县财政局",
    "anquan-shengchan": "县应急管理局",
    "shuishou-guanli": "县税务局",
    "zhengdi-buchang": "县自然资源局",
    "fangwu-zhengshou": "县住房和城乡建设局",
    "nongcun-weifang": "县住房和城乡建设局",
    "huanjing-baohu": "县生态环境局",
    "gonggong-wenhua": "县文化广播电视和旅游局",
    "gonggong-falv": "县司法局",
    "fupin": "县乡村振兴局",
    "jiuzai": "县应急管理局",
    "shipin-yaopin": "县市场监督管理局",
    "chengshi-zhifa": "县综合行政执法局",
    "jiuye": "县人力资源和社会保障局",
    "shehui-baoxian": "县人力资源和社会保障局",
    "shehui-jiuzhu": "县民政局",
    "yanglao-fuwu": "县民政局",
    "huji-guanli": "县公安局",
    "shenong-butie": "县农业农村局",
    "yiliao-weisheng": "县卫生健康局",
    "yiwu-jiaoyu": "县教育局",
    "shizheng-fuwu": "县住房和城乡建设局",
    "baozhang-zhufang": "县住房和城乡建设局",
}
TOPIC = {
    "chengxiang-guihua": "国土空间总体规划",
    "zhongda-jianshe": "重点项目建设",
    "gonggong-ziyuan-jiaoyi": "政府采购项目",
    "caizheng-yujuesuan": "部门预算",
    "anquan-shengchan": "安全生产专项整治",
    "shuishou-guanli": "减税降费政策",
    "zhengdi-buchang": "征地补偿安置",
    "fangwu-zhengshou": "国有土地上房屋征收",
    "nongcun-weifang": "农村危房改造",
    "huanjing-baohu": "生态环境保护",
    "gonggong-wenhua": "公共文化服务",
    "gonggong-falv": "公共法律服务",
    "fupin": "巩固拓展脱贫攻坚成果",
    "jiuzai": "自然灾害救助",
    "shipin-yaopin": "食品安全监督抽检",
    "chengshi-zhifa": "城市综合执法",
    "jiuye": "就业创业补贴",
    "shehui-baoxian": "城乡居民养老保险",
    "shehui-jiuzhu": "城乡居民最低生活保障",
    "yanglao-fuwu": "居家养老服务",
    "huji-guanli": "户籍业务办理",
    "shenong-butie": "耕地地力保护补贴",
    "yiliao-weisheng": "基本公共卫生服务",
    "yiwu-jiaoyu": "义务教育招生",
    "shizheng-fuwu": "城市供水供气",
    "baozhang-zhufang": "公共租赁住房",
}
# (stage, title pattern, doc_type)
PATTERNS = [
    ("决策", "关于{topic}实施方案（征求意见稿）公开征求意见的公告", ""),
    ("执行", "{year}年{topic}工作进展情况", ""),
    ("管理", "{topic}“双随机、一公开”抽查结果", ""),
    ("服务", "{topic}办事指南", ""),
    ("结果", "{year}年{topic}工作完成情况", ""),
]
STAGE_SLUG = {
    "决策": "juece",
    "执行": "zhixing",
    "管理": "guanli",
    "服务": "fuwu",
    "结果": "jieguo",
}


def load_sentences(corpus: Path) -> list[str]:
    return [
        s.strip()
        for s in (corpus / "gov-sentences.txt").read_text(encoding="utf-8").splitlines()
        if 12 <= len(s.strip()) <= 120
    ]


def body(rng: random.Random, sentences: list[str], paragraphs: int) -> str:
    out = []
    for _ in range(paragraphs):
        out.append("".join(rng.choice(sentences) for _ in range(rng.randint(2, 4))))
    return "\n\n".join(out)


def yi_title(text: str) -> str:
    """A title from the first Yi sentence: up to its first comma when the sentence is long."""
    text = text.rstrip("。")
    for mark in ("，", ","):
        if len(text) > 40 and mark in text[:40]:
            return text[: text.index(mark)]
    return text


def front(values: dict) -> str:
    values = {
        k: dt.date.fromisoformat(v) if k in ("date", "written") else v for k, v in values.items()
    }
    return (
        "---\n" + yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=1000) + "---\n"
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--corpus", type=Path, default=ROOT.parent / "shared" / "corpus")
    ap.add_argument("--out", type=Path, default=ROOT / "content")
    args = ap.parse_args()
    rng = random.Random(20240605)
    sentences = load_sentences(args.corpus)
    pairs = [
        json.loads(line)
        for line in (args.corpus / "nuosu-gov-pairs.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    items_dir = args.out / "items"
    if items_dir.exists():
        shutil.rmtree(items_dir)
    sections = yaml.safe_load((ROOT / "data" / "sections.yml").read_text(encoding="utf-8"))[
        "sections"
    ]
    serial: dict[tuple[str, int], int] = {}
    site = yaml.safe_load((ROOT / "data" / "site.yml").read_text(encoding="utf-8"))
    codes = site["departments"]

    def index_no(dept: str, year: int) -> str:
        org = codes.get(dept, site["org_code"])
        serial[(org, year)] = serial.get((org, year), 0) + 1
        return f"{org}/{year}-{serial[(org, year)]:05d}"

    written_files: list[Path] = []

    def write(path: Path, values: dict, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(front(values) + "\n" + text.strip() + "\n", encoding="utf-8")
        written_files.append(path)

    for n, sec in enumerate(sections):
        slug, name = sec["slug"], sec["name"]
        dept, topic = DEPTS[slug], TOPIC[slug]
        # Four items per domain, stages rotating so every domain and every stage is used.
        for k in range(4):
            stage, pattern, _ = PATTERNS[(n + k) % 5]
            year = 2022 + (n + k) % 4
            month, day = 1 + (n * 3 + k * 5) % 12, 1 + (n * 7 + k * 11) % 28
            date = f"{year}-{month:02d}-{day:02d}"
            wday = max(1, day - rng.randint(1, 12))
            values = {
                "title": pattern.format(topic=topic, year=year),
                "domain": name,
                "stage": stage,
                "date": date,
                "department": dept,
            }
            if k % 2 == 0:
                values["doc_no"] = f"云{dept[1:3]}发〔{year}〕{rng.randint(1, 60)}号"
            values["index_no"] = index_no(dept, year)
            values["written"] = f"{year}-{month:02d}-{wday:02d}"
            values["keywords"] = [topic, name]
            text = body(rng, sentences, rng.randint(3, 6))
            if k == 1:
                text = f"## 一、基本情况\n\n{text}\n\n## 二、下一步工作\n\n" + body(
                    rng, sentences, 2
                )
            write(items_dir / slug / f"{slug}-{k + 1}.md", values, text)

    # A normative document with its interpretation (政策解读), linked both ways by `related`.
    policy = items_dir / "shehui-jiuzhu" / "dibao-biaozhun-2024.md"
    policy_no = index_no("县民政局", 2024)
    write(
        policy,
        {
            "title": "云岭县人民政府办公室关于调整城乡居民最低生活保障标准的通知",
            "domain": "社会救助",
            "stage": "决策",
            "date": "2024-06-05",
            "department": "县人民政府办公室",
            "doc_no": "云府办发〔2024〕5号",
            "index_no": policy_no,
            "written": "2024-05-28",
            "doc_type": "行政规范性文件",
            "summary": "自2024年7月1日起调整城乡低保标准。",
            "keywords": ["低保", "社会救助"],
            "attachments": [{"file": "低保标准调整表.csv", "title": "城乡低保标准调整表"}],
        },
        "**通知：**各乡（镇）人民政府、县级有关部门：\n\n"
        + body(rng, sentences, 3)
        + "\n\n| 类别 | 原标准（元/月） | 新标准（元/月） |\n|---|---|---|\n| 城市低保 | 720 | 760 |\n| 农村低保 | 520 | 560 |\n\n"
        + "详见附件：[城乡低保标准调整表](低保标准调整表.csv)。",
    )
    (policy.parent / "低保标准调整表.csv").write_text(
        "类别,原标准,新标准\n城市低保,720,760\n农村低保,520,560\n", encoding="utf-8"
    )
    write(
        items_dir / "shehui-jiuzhu" / "dibao-biaozhun-2024-jiedu.md",
        {
            "title": "《关于调整城乡居民最低生活保障标准的通知》政策解读",
            "domain": "社会救助",
            "stage": "决策",
            "date": "2024-06-05",
            "department": "县民政局",
            "index_no": index_no("县民政局", 2024),
            "written": "2024-05-30",
            "doc_type": "政策解读",
            "related": [policy_no],
        },
        "## 一、出台背景\n\n"
        + body(rng, sentences, 2)
        + "\n\n## 二、主要内容\n\n"
        + body(rng, sentences, 2)
        + "\n\n原文见：[关于调整城乡居民最低生活保障标准的通知](dibao-biaozhun-2024.md)。",
    )
    # A repealed regulation that stays visible with a notice.
    write(
        items_dir / "baozhang-zhufang" / "gongzu-guanli-banfa-2019.md",
        {
            "title": "云岭县公共租赁住房管理办法",
            "domain": "保障性住房",
            "stage": "管理",
            "date": "2019-03-12",
            "department": "县人民政府办公室",
            "doc_no": "云府发〔2019〕3号",
            "index_no": index_no("县人民政府办公室", 2019),
            "written": "2019-03-01",
            "doc_type": "规章",
            "validity": {"status": "废止", "date": "2024-01-01"},
        },
        body(rng, sentences, 4),
    )
    write(
        items_dir / "shizheng-fuwu" / "gongshui-jiage-2023.md",
        {
            "title": "关于城区供水价格调整的通知",
            "domain": "市政服务",
            "stage": "结果",
            "date": "2023-02-20",
            "department": "县发展和改革局",
            "doc_no": "云发改发〔2023〕8号",
            "index_no": index_no("县发展和改革局", 2023),
            "written": "2023-02-10",
            "doc_type": "行政规范性文件",
            "validity": "失效",
        },
        body(rng, sentences, 3),
    )
    # On-application item: must never appear anywhere in output/.
    write(
        items_dir / "zhengdi-buchang" / "yishenqing-zhengdi-2024.md",
        {
            "title": "某村征地补偿个人明细（依申请公开）",
            "domain": "征地补偿",
            "stage": "结果",
            "date": "2024-03-01",
            "department": "县自然资源局",
            "index_no": index_no("县自然资源局", 2024),
            "disclosure": "依申请公开",
        },
        "SAMPLE-WITHHELD-MARKER 本条目仅依申请公开，不在网站发布。",
    )
    # Items whose Chinese body comes from the real Han↔Yi pairs, each with its Yi translation.
    chosen = [p for p in pairs if 20 <= len(p["zh"]) <= 90][:36]
    yi_domains = [
        "shehui-jiuzhu",
        "yanglao-fuwu",
        "jiuye",
        "yiliao-weisheng",
        "yiwu-jiaoyu",
        "fupin",
        "shenong-butie",
        "huanjing-baohu",
        "anquan-shengchan",
        "jiuzai",
        "shehui-baoxian",
        "gonggong-wenhua",
    ]
    names = {s["slug"]: s["name"] for s in sections}
    for k, slug in enumerate(yi_domains):
        group = chosen[k * 3 : k * 3 + 3]
        year = 2024 + k % 2
        date = f"{year}-{1 + k:02d}-{10 + k:02d}"
        stage = ["决策", "执行", "服务", "结果"][k % 4]
        number = index_no(DEPTS[slug], year)
        zh_title = f"{TOPIC[slug]}政策要点（汉彝双语）"
        src = items_dir / slug / f"shuangyu-{k + 1}.md"
        write(
            src,
            {
                "title": zh_title,
                "domain": names[slug],
                "stage": stage,
                "date": date,
                "department": DEPTS[slug],
                "index_no": number,
                "keywords": [TOPIC[slug], "双语"],
            },
            "\n\n".join(p["zh"] for p in group),
        )
        write(
            items_dir / slug / f"shuangyu-{k + 1}.ii.md",
            {
                "title": yi_title(group[0]["ii"]),
                "domain": names[slug],
                "stage": stage,
                "date": date,
                "department": DEPTS[slug],
                "lang": "ii",
                "translation_of": number,
            },
            "\n\n".join(p["ii"] for p in group),
        )
    print(f"wrote {len(written_files)} files under {args.out}")


if __name__ == "__main__":
    main()
