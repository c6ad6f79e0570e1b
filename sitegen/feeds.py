"""Machine-readable outputs: sitemap.xml (and Atom feeds) from the site model."""

from __future__ import annotations

from collections.abc import Iterator
from xml.sax.saxutils import escape

from .diagnostics import Diagnostic
from .model import Site
from .output import OutputFile


def feed_files(site: Site) -> Iterator[OutputFile]:
    """sitemap.xml listing every page of every edition (relative URLs when no site_url is set)."""
    base = site.config.site_url
    urls: list[tuple[str, str]] = []
    for edition in site.editions:
        urls.append((edition.path("index.html"), ""))
        urls += [(lst.path, "") for lst in edition.lists]
        urls += [(e.path, e.item.date.isoformat()) for e in edition.entries]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, lastmod in urls:
        lines.append(f"<url><loc>{escape(base + path)}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + "</url>")
    lines.append("</urlset>\n")
    yield OutputFile("sitemap.xml", "\n".join(lines).encode("utf-8"))


def feed_warnings(site: Site) -> list[Diagnostic]:
    """Warnings about machine-readable outputs (none yet)."""
    del site
    return []
