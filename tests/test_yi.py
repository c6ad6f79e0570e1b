"""The Han/Yi bilingual site: Yi edition, language switch, Yi dates, Yi subset font, check reports.

Most tests read the session build of the sample county (data/site.yml: languages [zh, ii]); the
font and monolingual tests build small fixture sites in tmp_path.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from fontTools.ttLib import TTFont

from conftest import REPO, TODAY, copy_site
from sitegen.build import BuildOptions, BuildResult, build
from sitegen.cli import main
from sitegen.config import load_config
from sitegen.fonts import FONT_SOURCE, css_unicode_range, subset_woff2
from sitegen.i18n import Catalog, Message, compare_catalogs, format_date, load_catalog

YI_RE = re.compile("[\ua000-\ua4cf]")
INDEX_NO_RE = re.compile(r"[0-9A-Z]{9,18}/\d{4}-\d{5}")
CORPUS = Path("/work/shared/corpus/nuosu-gov-pairs.jsonl")


# ---------------------------------------------------------------- helpers


class PageFacts(HTMLParser):
    """What a reader (or a crawler) sees of one page: language, switch links, alternates, lists."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.html_lang = ""
        self.switches: list[tuple[str, str, str]] = []  # (href, hreflang, lang)
        self.alternates: list[tuple[str, str]] = []  # (hreflang, href)
        self.stylesheets: list[str] = []
        self.entry_links: list[str] = []
        self._in_entry_list = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.html_lang = a.get("lang", "")
        elif tag == "link" and a.get("rel") == "alternate" and "hreflang" in a:
            self.alternates.append((a["hreflang"], a["href"]))
        elif tag == "link" and a.get("rel") == "stylesheet":
            self.stylesheets.append(a["href"])
        elif tag == "a" and "lang-switch" in a.get("class", "").split():
            self.switches.append((a["href"], a.get("hreflang", ""), a.get("lang", "")))
        elif tag == "ul" and "entry-list" in a.get("class", "").split():
            self._in_entry_list += 1
        elif tag == "a" and self._in_entry_list:
            self.entry_links.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "ul" and self._in_entry_list:
            self._in_entry_list -= 1


def facts(out: Path, rel: str) -> PageFacts:
    parser = PageFacts()
    parser.feed((out / rel).read_text(encoding="utf-8"))
    return parser


def resolve(page: str, href: str) -> str:
    """Output path a relative link on `page` points to."""
    assert not href.startswith(("/", "http:", "https:", "//")), (
        f"{page}: link {href} is not relative"
    )
    return posixpath.normpath(posixpath.join(posixpath.dirname(page), href.split("#")[0]))


def html_pages(out: Path) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))


def html_lang(out: Path, rel: str) -> str:
    with (out / rel).open("rb") as f:
        match = re.search(rb'<html[^>]*\blang="([^"]*)"', f.read(512))
    return match.group(1).decode() if match else ""


def edition_rel(path: str) -> str:
    return path.removeprefix("ii/")


def index_no(out: Path, rel: str) -> str:
    text = (out / rel).read_text(encoding="utf-8")
    table = text[text.index('class="meta-table"') :]
    match = INDEX_NO_RE.search(table)
    assert match, f"{rel}: no 索引号 in the metadata table"
    return match.group(0)


def yi_chars(data: bytes) -> set[str]:
    return set(YI_RE.findall(data.decode("utf-8", errors="replace")))


def cmap_chars(woff2: bytes) -> set[str]:
    font = TTFont(io.BytesIO(woff2))
    return {chr(cp) for cp in font.getBestCmap()}


def font_faces(out: Path) -> list[tuple[str, str]]:
    """(woff2 file name, unicode-range) of every @font-face in assets/fonts/yi.css."""
    css = (out / "assets/fonts/yi.css").read_text(encoding="utf-8")
    return re.findall(r'url\("([^"]+)"\) format\("woff2"\);[^}]*unicode-range: ([^;]+);', css)


ITEM = """---
title: {title}
domain: 社会救助
stage: 结果
date: {date}
department: 县民政局
index_no: 11513400MB0000102B/2024-{serial}
---

{body}
"""

TRANSLATION = """---
title: {title}
domain: 社会救助
stage: 结果
date: {date}
department: 县民政局
lang: ii
translation_of: 11513400MB0000102B/2024-{serial}
---

{body}
"""


def small_site(tmp: Path, languages: str = "[zh, ii]") -> Path:
    """A site with the repository's data and theme, two Chinese items, one of them translated."""
    root = copy_site(tmp / "site")
    site_yml = root / "data/site.yml"
    text = re.sub(
        r"(?m)^languages:.*$", f"languages: {languages}", site_yml.read_text(encoding="utf-8")
    )
    site_yml.write_text(text, encoding="utf-8")
    items = root / "content/items/shehui-jiuzhu"
    items.mkdir(parents=True)
    (items / "dibao.md").write_text(
        ITEM.format(
            title="关于调整城乡低保标准的通知",
            date="2024-06-05",
            serial="00901",
            body="城乡低保标准提高。",
        ),
        encoding="utf-8",
    )
    (items / "dibao.ii.md").write_text(
        TRANSLATION.format(
            title="ꐧꋦꈭꋏꇇꀨ", date="2024-06-05", serial="00901", body="ꐧꋦꈭꋏꇇꀨꑟꐨ。"
        ),
        encoding="utf-8",
    )
    (items / "jiuzhu.md").write_text(
        ITEM.format(
            title="社会救助工作进展",
            date="2024-03-01",
            serial="00902",
            body="社会救助工作进展顺利。",
        ),
        encoding="utf-8",
    )
    return root


def build_site(root: Path) -> tuple[Path, BuildResult]:
    out = root.parent / "output"
    result = build(
        BuildOptions(root=root, out=out, today=dt.date.fromisoformat(TODAY), update_registry=False)
    )
    return out, result


# ---------------------------------------------------------------- catalogs and names


def test_yi_catalog_has_exactly_the_chinese_keys() -> None:
    zh, problems_zh = load_catalog(REPO, "zh")
    ii, problems_ii = load_catalog(REPO, "ii")
    assert zh and ii and not problems_zh and not problems_ii
    assert set(ii.messages) == set(zh.messages), {
        "missing in ii.yml": sorted(set(zh.messages) - set(ii.messages)),
        "extra in ii.yml": sorted(set(ii.messages) - set(zh.messages)),
    }


def test_yi_catalog_marks_every_unsourced_entry_for_review() -> None:
    """Only the CLDR language name and the Chinese endonym are unmarked; Chinese stand-ins are marked."""
    from babel import Locale

    zh, _ = load_catalog(REPO, "zh")
    ii, _ = load_catalog(REPO, "ii")
    assert zh and ii
    assert ii.messages["lang_name_ii"].text == Locale("ii").get_display_name("ii") == "ꆈꌠꉙ"
    assert (
        ii.messages["lang_name_zh"].text == zh.messages["lang_name_zh"].text
    )  # shown with lang="zh-Hans"
    for key, message in ii.messages.items():
        if not YI_RE.search(message.text) and key != "lang_name_zh":
            assert message.needs_review, f"{key}: Chinese stand-in without review: true"


def test_unreviewed_yi_section_names_are_attested_in_the_corpus() -> None:
    """Every name_ii nobody has checked yet occurs in a Han–Yi pair whose Chinese has the domain name."""
    if not CORPUS.is_file():
        pytest.skip(f"{CORPUS} not available")
    pairs = [
        json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()
    ]
    config, _ = load_config(REPO)
    assert config is not None
    named = [s for s in config.sections if s.name_ii and not s.name_ii_reviewed]
    assert named, "the sample county has Yi names for some domains"
    for section in named:
        with_name = [p for p in pairs if section.name in p["zh"]]
        hits = [p for p in with_name if section.name_ii in p["ii"]]
        elsewhere = [p for p in pairs if section.name_ii in p["ii"] and section.name not in p["zh"]]
        assert len(hits) >= 5 and len(hits) >= 0.7 * len(with_name), (
            section.name,
            len(hits),
            len(with_name),
        )
        assert not elsewhere, (section.name, section.name_ii, elsewhere[:1])


def test_babel_formats_yi_dates() -> None:
    assert format_date(dt.date(2024, 6, 5), "ii") == "2024ꈎ6ꆪ5ꑍ"
    assert format_date(dt.date(2024, 6, 5), "zh") == "2024-06-05"


def test_catalog_comparison_names_file_key_and_line() -> None:
    zh = Catalog(
        "zh",
        "data/i18n/zh.yml",
        {
            k: Message(v, False, n)
            for n, (k, v) in enumerate(
                {"home": "首页", "search": "搜索", "latest": "最新公开"}.items(), 2
            )
        },
    )
    ii = Catalog(
        "ii",
        "data/i18n/ii.yml",
        {
            "home": Message("首页", True, 3),
            "search": Message("ꌠꉙ", True, 4),
            "extra": Message("x", False, 5),
        },
    )
    found = {(d.code, d.path, d.line, d.message) for d in compare_catalogs(zh, ii)}
    assert ("W404", "data/i18n/ii.yml", 0, "缺少界面文字“latest”，将显示中文") in found
    assert ("W404", "data/i18n/ii.yml", 3, "界面文字“home”尚未翻译，暂用中文") in found
    assert ("W406", "data/i18n/ii.yml", 4, "界面文字“search”尚未经母语者审校") in found
    assert any(code == "W405" and line == 5 for code, _, line, _ in found)


# ---------------------------------------------------------------- the bilingual sample site


def test_yi_edition_has_every_page(sample_output: Path) -> None:
    out = sample_output
    config, _ = load_config(REPO)
    assert config is not None and config.languages == ("zh", "ii")
    zh_pages = [p for p in html_pages(out) if not p.startswith("ii/")]
    ii_pages = {p for p in html_pages(out) if p.startswith("ii/")}
    for rel in ("index.html", "search/index.html", "404.html"):
        assert "ii/" + rel in ii_pages
    for section in config.sections:
        assert f"ii/{section.slug}/index.html" in ii_pages
    for stage in config.stages:
        assert f"ii/stage/{stage.slug}/index.html" in ii_pages
    assert len(config.sections) == 26
    for rel in zh_pages:
        assert html_lang(out, rel) == "zh-Hans", rel
    for rel in ii_pages:
        assert html_lang(out, rel) == "ii", rel
    # every Chinese item has its page in the Yi edition (translated or shown in Chinese)
    items = [
        p
        for p in zh_pages
        if p.count("/") == 1
        and not p.endswith("index.html")
        and not p.startswith(("pages/", "stage/"))
    ]
    assert items and all("ii/" + p in ii_pages for p in items)


def test_language_switch_lands_on_the_same_page_and_back(sample_output: Path) -> None:
    """Crawl both editions: each switch and hreflang alternate reaches the same item or list, and back."""
    out = sample_output
    pages = html_pages(out)
    seen = {rel: facts(out, rel) for rel in pages}
    without = [rel for rel, page in seen.items() if not page.switches and not page.alternates]
    assert not without, f"pages without a language switch: {without[:10]}"
    for rel, page in seen.items():
        assert len(page.switches) == 1 and len(page.alternates) == 1, rel
        (href, hreflang, lang), (alt_lang, alt_href) = page.switches[0], page.alternates[0]
        target = resolve(rel, href)
        assert resolve(rel, alt_href) == target and alt_lang == hreflang == lang, rel
        assert (out / target).is_file(), f"{rel}: language switch to missing {target}"
        other = seen[target]
        assert other.html_lang == hreflang, (
            f"{rel} → {target}: hreflang {hreflang}, page lang {other.html_lang}"
        )
        assert edition_rel(target) == edition_rel(rel) and target != rel
        assert [resolve(target, h) for h, _, _ in other.switches] == [rel], (
            f"{target} does not switch back to {rel}"
        )
        if 'class="meta-table"' in (out / rel).read_text(encoding="utf-8"):
            assert index_no(out, rel) == index_no(out, target), rel
        assert [edition_rel(resolve(rel, h)) for h in page.entry_links] == [
            edition_rel(resolve(target, h)) for h in other.entry_links
        ], f"{rel} and {target} list different items"


def test_chinese_only_items_are_marked_on_yi_pages(sample_output: Path) -> None:
    out = sample_output
    translated = (out / "ii/shehui-jiuzhu/shuangyu-1.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", translated, re.S)
    assert h1 and h1.group(1).startswith("ꃛꊸꊜꄻꏲꂠ") and "lang=" not in h1.group(1)
    assert '<div class="body">' in translated and "ꇩꏤꑭꊂꀀꊿ" in translated

    chinese = (out / "ii/shehui-jiuzhu/dibao-biaozhun-2024.html").read_text(encoding="utf-8")
    h1 = re.search(r"<h1>(.*?)</h1>", chinese, re.S)
    assert h1 and h1.group(1).startswith('<span lang="zh-Hans">')
    assert '<div class="body" lang="zh-Hans">' in chinese
    home = (out / "ii/index.html").read_text(encoding="utf-8")
    latest = home[home.index('class="entry-list"') :]
    latest = latest[: latest.index("</ul>")]
    for title in re.findall(r'\.html">(.*?)</a>', latest):
        assert YI_RE.search(title) or title.startswith('<span lang="zh-Hans">'), title


def test_attachment_links_in_chinese_bodies_work_on_yi_pages(sample_output: Path) -> None:
    """Attachments exist once (under the Chinese folders); a Chinese body shown in ii/ must still reach them."""
    import urllib.parse

    for rel in (
        "shehui-jiuzhu/dibao-biaozhun-2024.html",
        "ii/shehui-jiuzhu/dibao-biaozhun-2024.html",
    ):
        text = (sample_output / rel).read_text(encoding="utf-8")
        body = text[text.index('<div class="body"') : text.index('<section class="attachments"')]
        hrefs = [urllib.parse.unquote(h) for h in re.findall(r'href="([^"]+\.csv)"', body)]
        assert hrefs, f"{rel}: the body links its attachment"
        for href in hrefs:
            assert resolve(rel, href) == "shehui-jiuzhu/dibao-biaozhun-2024/低保标准调整表.csv"
            assert (sample_output / resolve(rel, href)).is_file()


def test_yi_item_page_shows_babel_date(sample_output: Path) -> None:
    text = (sample_output / "ii/shehui-jiuzhu/shuangyu-1.html").read_text(encoding="utf-8")
    assert '<time datetime="2024-01-10">2024ꈎ1ꆪ10ꑍ</time>' in text
    assert '<time datetime="2024-01-10">2024-01-10</time>' in (
        sample_output / "shehui-jiuzhu/shuangyu-1.html"
    ).read_text(encoding="utf-8")


def test_yi_search_index_holds_yi_text(sample_output: Path) -> None:
    folder = sample_output / "ii/search"
    data = b"".join(
        p.read_bytes() for p in folder.rglob("*") if p.is_file() and p.name != "index.html"
    )
    if not data:
        pytest.skip("sitegen/search is not integrated yet: no search index was written")
    assert "ꃛꊸꊜꄻꏲꂠ".encode() in data or "ꃛꊸ".encode() in data


# ---------------------------------------------------------------- the subset font


def test_shipped_yi_font_is_ofl_and_small() -> None:
    font = REPO / "themes/default" / FONT_SOURCE
    assert font.is_file() and font.stat().st_size < 400_000
    assert not (REPO / "themes/default/static/fonts").exists(), (
        "the raw font must not be copied to the output"
    )
    assert "SIL OPEN FONT LICENSE Version 1.1" in (font.parent / "OFL.txt").read_text(
        encoding="utf-8"
    )
    names = TTFont(font)["name"]
    assert "Open Font License" in (names.getDebugName(13) or "")


def test_subset_holds_exactly_the_published_yi_characters(sample_output: Path) -> None:
    out = sample_output
    faces = font_faces(out)
    assert 1 <= len(faces) <= 2
    used: set[str] = set()
    on_chinese_pages: set[str] = set()
    for rel in html_pages(out):
        data = (out / rel).read_bytes()
        chars = yi_chars(data)
        used |= chars
        if not rel.startswith("ii/"):
            on_chinese_pages |= chars
        linked = any(resolve(rel, h) == "assets/fonts/yi.css" for h in facts(out, rel).stylesheets)
        assert linked == bool(chars), f"{rel}: Yi characters {bool(chars)}, links yi.css {linked}"
    in_fonts = [cmap_chars((out / "assets/fonts" / name).read_bytes()) for name, _ in faces]
    assert set().union(*in_fonts) == used
    # the shared face (first) is what Chinese pages need: the language switch ꆈꌠꉙ
    assert in_fonts[0] == on_chinese_pages == set("ꆈꌠꉙ")
    assert faces[0][1] == css_unicode_range(ord(c) for c in "ꆈꌠꉙ")
    assert not in_fonts[0] & in_fonts[1]
    assert (out / "assets/fonts/OFL.txt").is_file()
    fonts_dir = sorted(p.name for p in (out / "assets/fonts").iterdir())
    assert fonts_dir == sorted(["OFL.txt", "yi.css", *(name for name, _ in faces)])
    for name, _ in faces:
        data = (out / "assets/fonts" / name).read_bytes()
        assert data[:4] == b"wOF2" and len(data) < 60_000
        names = TTFont(io.BytesIO(data))["name"]
        assert "Open Font License" in (names.getDebugName(13) or ""), (
            "licence field kept in the subset"
        )


def test_subset_is_deterministic() -> None:
    source = REPO / "themes/default" / FONT_SOURCE
    chars = frozenset("ꐧꋦꈭꋏꇇꀨꆈꌠꉙ")
    first = subset_woff2(source, chars)
    from sitegen import fonts

    fonts._subset_cached.cache_clear()
    assert subset_woff2(source, chars) == first
    assert cmap_chars(first) == set(chars)


def test_new_yi_item_changes_the_subset(tmp_path: Path) -> None:
    root = small_site(tmp_path)
    out, _ = build_site(root)
    before = {name: (out / "assets/fonts" / name).read_bytes() for name, _ in font_faces(out)}
    main_before = cmap_chars(list(before.values())[-1])
    assert "ꀀ" not in main_before

    out_again, _ = build_site(root)
    assert {
        name: (out_again / "assets/fonts" / name).read_bytes() for name, _ in font_faces(out_again)
    } == before

    (root / "content/items/shehui-jiuzhu/jiuzhu.ii.md").write_text(
        TRANSLATION.format(title="ꀀꐧꋦ", date="2024-03-01", serial="00902", body="ꀀꐧꋦꈭꋏ。"),
        encoding="utf-8",
    )
    out, _ = build_site(root)
    after = {name: (out / "assets/fonts" / name).read_bytes() for name, _ in font_faces(out)}
    assert list(after) != list(before), "the main face's file name follows its content"
    assert "ꀀ" in cmap_chars(list(after.values())[-1])
    for name in set(before) - set(after):
        assert not (out / "assets/fonts" / name).exists(), "the old subset is gone"


def test_chinese_only_site_has_no_yi_edition_and_no_yi_font(tmp_path: Path) -> None:
    root = copy_site(tmp_path / "site", content=True)
    site_yml = root / "data/site.yml"
    site_yml.write_text(
        re.sub(r"(?m)^languages:.*$", "languages: [zh]", site_yml.read_text(encoding="utf-8")),
        encoding="utf-8",
    )
    out, result = build_site(root)
    assert [e.lang for e in result.site.editions] == ["zh"]
    assert not (out / "ii").exists()
    files = [p for p in out.rglob("*") if p.is_file()]
    assert not [
        p for p in files if p.suffix in {".woff2", ".woff", ".ttf", ".otf"} or p.name == "yi.css"
    ]
    assert not (out / "assets/fonts").exists()
    for path in files:
        if path.suffix in {".html", ".xml", ".json", ".js", ".css", ".txt"}:
            assert not yi_chars(path.read_bytes()), f"{path.relative_to(out)} contains Yi"
        if path.suffix == ".html":
            page = facts(out, path.relative_to(out).as_posix())
            assert page.html_lang == "zh-Hans" and not page.switches and not page.alternates
            assert not [h for h in page.stylesheets if "fonts/" in h]


def test_chinese_page_quoting_yi_gets_the_font_alone(tmp_path: Path) -> None:
    """Monolingual site: only the page that shows Yi links the font, and the subset is that page's Yi."""
    root = small_site(tmp_path, "[zh]")
    (root / "content/items/shehui-jiuzhu/dibao.ii.md").unlink()
    item = root / "content/items/shehui-jiuzhu/jiuzhu.md"
    item.write_text(
        item.read_text(encoding="utf-8").replace(
            "社会救助工作进展顺利。", "彝文标语：ꐧꋦꈭꋏꇇꀨ。"
        ),
        encoding="utf-8",
    )
    out, _ = build_site(root)
    assert not (out / "ii").exists()
    faces = font_faces(out)
    assert len(faces) == 1
    assert cmap_chars((out / "assets/fonts" / faces[0][0]).read_bytes()) == set("ꐧꋦꈭꋏꇇꀨ")
    linked = sorted(
        rel
        for rel in html_pages(out)
        if any(resolve(rel, h) == "assets/fonts/yi.css" for h in facts(out, rel).stylesheets)
    )
    assert linked == ["shehui-jiuzhu/jiuzhu.html"]


# ---------------------------------------------------------------- sitegen check


def test_check_lists_unreviewed_strings_and_untranslated_items(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = small_site(tmp_path)
    assert main(["check", "--root", str(root), "--today", TODAY]) == 0
    err = capsys.readouterr().err
    lines = (root / "data/i18n/ii.yml").read_text(encoding="utf-8").splitlines()
    home_line = next(n for n, line in enumerate(lines, 1) if line.startswith("home:"))
    assert f"data/i18n/ii.yml:{home_line}:1: 警告 [W404] 界面文字“home”尚未翻译，暂用中文" in err
    assert (
        "content/items/shehui-jiuzhu/jiuzhu.md:0:0: 警告 [W407] 条目没有彝文译文，彝文版显示中文原文"
        in err
    )
    assert (
        "content/items/shehui-jiuzhu/dibao.md:0:0: 警告 [W407]" not in err
    )  # it has a translation
    sections = (root / "data/sections.yml").read_text(encoding="utf-8").splitlines()

    def line_of(slug: str) -> int:
        return next(n for n, line in enumerate(sections, 1) if f"slug: {slug}," in line)

    assert (
        f"data/sections.yml:{line_of('jiuye')}:0: 警告 [W408] 领域“就业”（jiuye）缺少彝文名称 name_ii"
        in err
    )
    assert (
        f"data/sections.yml:{line_of('shehui-jiuzhu')}:0: 警告 [W406] 领域“社会救助”（shehui-jiuzhu）的彝文名称“ꐧꋦꈭꋏꇇꀨ”尚未审校"
        in err
    )
    assert (
        f"data/sections.yml:{line_of('juece')}:0: 警告 [W408] 公开阶段“决策公开”（juece）缺少彝文名称"
        in err
    )


def test_yi_catalog_entries_are_valid_yaml_with_text() -> None:
    raw = yaml.safe_load((REPO / "data/i18n/ii.yml").read_text(encoding="utf-8"))
    for key, value in raw.items():
        assert isinstance(value, str) or (
            isinstance(value, dict) and isinstance(value.get("text"), str)
        ), key
