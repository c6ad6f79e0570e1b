"""Yi web font: the theme's OFL Yi font, subset to the Yi characters the built pages publish.

Most phones and PCs in China have no Yi (Nuosu) font, so a page in Yi must bring its own. This stage
runs on the rendered pages, so the subset holds exactly the Yi characters (U+A000–U+A4CF) that the
site publishes: titles, bodies, interface strings, section names, dates. A new Yi character in the
content therefore changes the subset (and its file name) on the next build.

The font is split into two faces of the one CSS family "Sitegen Yi" with disjoint unicode-range, so
a browser downloads a face only when the page shows one of its characters:
  - the shared face: Yi characters that also occur on pages that are not in Yi (on a bilingual site,
    the language switch "ꆈꌠꉙ" on every Chinese page): tiny, so Chinese readers fetch < 1 KB;
  - the main face: every other Yi character, fetched only by pages in Yi.
Every page that contains Yi gets `<link rel="stylesheet" href="…/assets/fonts/yi.css">` in its head;
pages without Yi are left unchanged. A site without Yi gets no font files at all. The output is
deterministic: the same characters give the same bytes and the same file names.
"""

from __future__ import annotations

import functools
import hashlib
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .output import OutputFile
from .records import fast_pickle
from .render import relative

YI_FIRST, YI_LAST = 0xA000, 0xA4CF
"""Yi Syllables (U+A000–U+A48F) and Yi Radicals (U+A490–U+A4CF)."""
YI_RE = re.compile("[\ua000-\ua4cf]")
FONT_SOURCE = "fonts/NotoSansYi-Regular.ttf"
"""The OFL Yi font, relative to the theme folder (outside static/: never copied as is)."""
LICENCE_SOURCE = "fonts/OFL.txt"
"""Its licence, copied next to the subset (OFL §2: every copy carries the licence)."""
CSS_PATH = "assets/fonts/yi.css"
"""The stylesheet that pages with Yi link to; fixed, so pages do not change when the subset does."""
FAMILY = "Sitegen Yi"
"""CSS family name used by site.css for :lang(ii)."""
KEPT_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)
"""Name-table records kept in the subset: names, version, copyright (0), licence (13) and its URL (14)."""
_HTML_LANG_RE = re.compile(rb"<html[^>]*?\blang=\"([^\"]*)\"", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FontFace:
    """One subset face of the "Sitegen Yi" family."""

    path: str
    """Output path, "assets/fonts/yi-<first 8 hex digits of its SHA-256>.woff2"."""
    characters: frozenset[str]
    """The Yi characters the face holds."""
    unicode_range: str
    """CSS unicode-range of the face, e.g. "U+A188, U+A259, U+A320"."""
    data: bytes
    """The WOFF2 file."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class YiUse:
    """The Yi characters one page shows."""

    characters: frozenset[str]
    """Yi characters (U+A000–U+A4CF) on the page; empty when it has none."""
    in_yi: bool
    """The page is in Yi (<html lang="ii">); its characters go into the main face."""


NO_YI = YiUse(frozenset(), False)


def finish_page(page: OutputFile, theme_dir: Path) -> tuple[OutputFile, YiUse]:
    """A freshly rendered page, linked to the Yi font if it shows Yi, and the Yi it shows.

    Runs in the render workers page by page (and for the preview's quick page): whether a page
    links the stylesheet depends only on the page itself and on the theme having the font
    (CSS_PATH is fixed, whatever the subset). Pages kept from the previous output are not read
    again: the build cache holds the Yi they show.
    """
    chars = _yi_characters(page)
    if not chars:
        return page, NO_YI
    use = YiUse(frozenset(chars), _is_yi_page(page))
    if (theme_dir / FONT_SOURCE).is_file():
        page = _link(page, CSS_PATH)
    return page, use


def page_yi(page: OutputFile) -> YiUse:
    """The Yi a finished page shows (what finish_page returned for it)."""
    chars = _yi_characters(page)
    return YiUse(frozenset(chars), _is_yi_page(page)) if chars else NO_YI


def yi_font_files(uses: Iterable[YiUse], theme_dir: Path) -> list[OutputFile]:
    """The subset faces, their stylesheet and the licence for the Yi the pages show (none when no
    page shows Yi or the theme has no font)."""
    source = theme_dir / FONT_SOURCE
    shared: set[str] = set()
    used: set[str] = set()
    for use in uses:
        used |= use.characters
        if not use.in_yi:
            shared |= use.characters
    if not used or not source.is_file():
        return []
    faces = tuple(
        _face(source, frozenset(chars), unicode_range)
        for chars, unicode_range in (
            (shared, css_unicode_range(ord(c) for c in shared)),
            (used - shared, css_unicode_range(_complement(shared))),
        )
        if chars
    )
    files = [
        *(OutputFile(face.path, face.data) for face in faces),
        OutputFile(CSS_PATH, font_css(faces, source).encode("utf-8")),
    ]
    licence = theme_dir / LICENCE_SOURCE
    if licence.is_file():
        files.append(OutputFile("assets/fonts/OFL.txt", source=licence))
    return files


def font_css(faces: Sequence[FontFace], source: Path) -> str:
    """The @font-face rules of the subset faces, with the font's copyright and licence in a comment."""
    name = _font_names(source)
    lines = [
        f"/* {name[1]} {name[5]}. {name[0]} SIL Open Font License 1.1 (OFL.txt in this folder).",
        f"   Subset by sitegen to the {sum(len(f.characters) for f in faces)} Yi characters this site uses. */",
    ]
    for face in faces:
        href = face.path.rsplit("/", 1)[-1]
        lines.append(
            f'@font-face {{ font-family: "{FAMILY}"; src: url("{href}") format("woff2"); '
            f"font-display: swap; unicode-range: {face.unicode_range}; }}"
        )
    return "\n".join(lines) + "\n"


def css_unicode_range(codepoints: Iterable[int]) -> str:
    """Code points as a compact CSS unicode-range: "U+A000-A187, U+A189"."""
    runs: list[list[int]] = []
    for cp in sorted(set(codepoints)):
        if runs and cp == runs[-1][1] + 1:
            runs[-1][1] = cp
        else:
            runs.append([cp, cp])
    return ", ".join(f"U+{a:X}" if a == b else f"U+{a:X}-{b:X}" for a, b in runs)


def subset_woff2(source: Path, characters: frozenset[str]) -> bytes:
    """The font at `source` reduced to `characters`, as WOFF2 (same input, same bytes)."""
    stat = source.stat()
    return _subset_cached(str(source), stat.st_mtime_ns, stat.st_size, characters)


@functools.lru_cache(maxsize=8)
def _subset_cached(source: str, mtime_ns: int, size: int, characters: frozenset[str]) -> bytes:
    del mtime_ns, size  # cache key only: a changed font file is subset again
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = "woff2"
    options.name_IDs = list(KEPT_NAME_IDS)
    options.recalc_timestamp = False
    font = TTFont(source, recalcTimestamp=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in characters))
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def _face(source: Path, characters: frozenset[str], unicode_range: str) -> FontFace:
    data = subset_woff2(source, characters)
    return FontFace(
        f"assets/fonts/yi-{hashlib.sha256(data).hexdigest()[:8]}.woff2",
        characters,
        unicode_range,
        data,
    )


def _complement(chars: set[str]) -> Iterable[int]:
    taken = {ord(c) for c in chars}
    return (cp for cp in range(YI_FIRST, YI_LAST + 1) if cp not in taken)


def _yi_characters(page: OutputFile) -> set[str]:
    if not page.path.endswith(".html"):
        return set()
    data = page.data
    assert data is not None
    if b"\xea" not in data:
        return set()  # every Yi character is encoded in UTF-8 as EA 80..93 xx
    return set(YI_RE.findall(data.decode("utf-8", errors="replace")))


def _is_yi_page(page: OutputFile) -> bool:
    assert page.data is not None
    match = _HTML_LANG_RE.search(page.data, 0, 2048)
    lang = match.group(1).decode("ascii", errors="replace").lower() if match else ""
    return lang == "ii" or lang.startswith("ii-")


def _link(page: OutputFile, css_path: str) -> OutputFile:
    assert page.data is not None
    tag = f'<link rel="stylesheet" href="{relative(page.path, css_path)}">\n'.encode()
    head_end = page.data.find(b"</head>")
    if head_end < 0:
        return page
    return OutputFile(page.path, page.data[:head_end] + tag + page.data[head_end:])


@functools.lru_cache(maxsize=4)
def _font_names(source: Path) -> dict[int, str]:
    from fontTools.ttLib import TTFont

    table = TTFont(source, lazy=True)["name"]
    return {i: (table.getDebugName(i) or "") for i in (0, 1, 5)}
