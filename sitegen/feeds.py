"""Machine-readable outputs: sitemap.xml and Atom feeds from the site model.

Atom feeds (RFC 4287) need absolute links, so they are written only when data/site.yml has a
site_url: <edition>/atom.xml for the whole site and <edition>/<domain>/atom.xml per domain, each
with the newest FEED_SIZE published items. Without site_url they are skipped with warning W030.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator, Sequence

from .config import Section
from .diagnostics import Diagnostic, warning
from .model import Edition, Entry, Site
from .output import OutputFile


def _xml_text(text: str) -> str:
    """`text` escaped for XML character data, as xml.sax.saxutils.escape does (importing that
    module pulls in urllib.request and http.client: 30 ms of every command's start)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


FEED_SIZE = 20
"""Items per Atom feed (newest first)."""
ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
CHINA_TZ = dt.timezone(dt.timedelta(hours=8))


def feed_files(site: Site, extra_paths: Sequence[str] = ()) -> Iterator[OutputFile]:
    """sitemap.xml listing every page of every edition (relative URLs when no site_url is set),
    then the Atom feeds when site_url is set. `extra_paths` are edition-relative paths of further
    pages (the 政府信息公开 column's own pages)."""
    base = site.config.site_url
    urls: list[tuple[str, str]] = []
    for edition in site.editions:
        urls.append((edition.path("index.html"), ""))
        urls += [(lst.path, "") for lst in edition.lists]
        urls += [(e.path, e.item.date.isoformat()) for e in edition.entries]
        urls += [(edition.path(p), "") for p in extra_paths]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for path, lastmod in urls:
        lines.append(
            f"<url><loc>{_xml_text(base + path)}</loc>"
            + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "")
            + "</url>"
        )
    lines.append("</urlset>\n")
    yield OutputFile("sitemap.xml", "\n".join(lines).encode("utf-8"))
    if base:
        yield from atom_files(site)


def feed_warnings(site: Site) -> list[Diagnostic]:
    """W030 when site_url is empty (no absolute links, so no Atom feeds)."""
    if site.config.site_url:
        return []
    return [
        warning(
            "data/site.yml",
            0,
            0,
            "W030",
            "没有设置 site_url，未生成 Atom 订阅（atom.xml）",
            "在 data/site.yml 中写上网站的正式地址，例如 site_url: https://www.example.gov.cn/xxgk/",
        )
    ]


def atom_files(site: Site) -> Iterator[OutputFile]:
    """atom.xml of every edition and of every domain in it."""
    for edition in site.editions:
        yield OutputFile(edition.path("atom.xml"), atom_feed(site, edition, None))
        for section in site.config.sections:
            yield OutputFile(
                edition.path(f"{section.slug}/atom.xml"), atom_feed(site, edition, section)
            )


def atom_feed(site: Site, edition: Edition, section: Section | None) -> bytes:
    """One Atom feed: the newest FEED_SIZE entries of the edition, or of one domain in it."""
    config = site.config
    base = config.site_url
    entries = edition.entries if section is None else edition.by_domain[section.slug]
    newest = entries[:FEED_SIZE]
    folder = "" if section is None else f"{section.slug}/"
    title = (
        config.title
        if section is None
        else f"{config.title} · {_section_name(section, edition.lang)}"
    )
    # An empty feed still needs <updated>: the newest date of the whole edition (stable per build).
    updated = (
        newest[0].item.date
        if newest
        else edition.entries[0].item.date
        if edition.entries
        else dt.date(2000, 1, 1)
    )
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: _lang_tag(edition.lang)})
    ET.SubElement(feed, "id").text = base + edition.path(folder + "atom.xml")
    ET.SubElement(feed, "title").text = title
    ET.SubElement(feed, "updated").text = _timestamp(updated)
    ET.SubElement(
        feed,
        "link",
        {
            "rel": "self",
            "type": "application/atom+xml",
            "href": base + edition.path(folder + "atom.xml"),
        },
    )
    ET.SubElement(
        feed,
        "link",
        {
            "rel": "alternate",
            "type": "text/html",
            "href": base + edition.path(folder + "index.html"),
        },
    )
    author = ET.SubElement(feed, "author")
    ET.SubElement(author, "name").text = config.footer.sponsor or config.title
    ET.SubElement(feed, "generator").text = "sitegen"
    for entry in newest:
        feed.append(_atom_entry(site, edition, entry))
    ET.indent(feed)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


def _atom_entry(site: Site, edition: Edition, entry: Entry) -> ET.Element:
    config = site.config
    item = entry.item
    url = config.site_url + entry.path
    el = ET.Element("entry")
    ET.SubElement(el, "id").text = url
    title = ET.SubElement(el, "title")
    title.text = entry.text.title
    if entry.lang != edition.lang:
        title.set(XML_LANG, _lang_tag(entry.lang))
    ET.SubElement(el, "link", {"rel": "alternate", "type": "text/html", "href": url})
    ET.SubElement(el, "published").text = _timestamp(item.date)
    ET.SubElement(el, "updated").text = _timestamp(item.date)
    author = ET.SubElement(el, "author")
    ET.SubElement(author, "name").text = item.department
    section = config.section(item.domain)
    stage = config.stage(item.stage)
    if section is not None:
        ET.SubElement(
            el, "category", {"term": section.slug, "label": _section_name(section, edition.lang)}
        )
    if stage is not None:
        ET.SubElement(
            el,
            "category",
            {
                "term": stage.slug,
                "label": stage.name_ii
                if edition.lang == "ii" and stage.name_ii
                else stage.full_name,
            },
        )
    if item.summary:
        summary = ET.SubElement(el, "summary")
        summary.text = item.summary
        if edition.lang != "zh":
            summary.set(XML_LANG, "zh-Hans")
    return el


def _section_name(section: Section, lang: str) -> str:
    return section.name_ii if lang == "ii" and section.name_ii else section.name


def _lang_tag(lang: str) -> str:
    return "zh-Hans" if lang == "zh" else lang


def _timestamp(day: dt.date) -> str:
    """Midnight China time of a publish date, in RFC 3339 form."""
    return dt.datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ).isoformat()
