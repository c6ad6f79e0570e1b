"""Read text files saved by Windows editors: UTF-8 BOM, GBK/GB18030, UTF-16, mixed line endings.

Content must be UTF-8. decode_bytes() accepts UTF-8 (with a W102 warning for a BOM, W103 for mixed
line endings) and reports everything else as E101 without guessing further: a GBK file is
recognised and named so the editor knows to run `sitegen fix-encoding`, which calls
convert_file_to_utf8() and writes the bytes it returns through sitegen.output (this module never
writes files). Full-width characters are not this module's business.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from sitegen.diagnostics import Diagnostic, error, warning

__all__ = ["Conversion", "DecodedText", "convert_file_to_utf8", "decode_bytes"]

_UTF8_BOM = b"\xef\xbb\xbf"
# UTF-32 first: its little-endian BOM starts with the UTF-16 one.
_WIDE_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
    (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"),
    (b"\xff\xfe", "utf-16", "UTF-16"),
    (b"\xfe\xff", "utf-16", "UTF-16"),
)
_ENDING_RE = re.compile(r"\r\n|\r|\n")
_SAVE_AS_UTF8 = "在编辑器中“另存为 UTF-8”"
_CHINESE_SHARE = 0.9
"""Share of CJK/ASCII characters (whitespace ignored) above which GB18030 output counts as Chinese."""


@dataclass(frozen=True, slots=True)
class DecodedText:
    """A file's bytes decoded as UTF-8, ready for front-matter parsing."""

    text: str
    """Decoded text, BOM removed, line endings normalised to "\\n"."""
    encoding: str
    """Encoding it was decoded with: "utf-8", or "utf-8-sig" when it began with a BOM."""
    had_bom: bool
    """True when the file began with a UTF-8 byte order mark."""
    mixed_line_endings: bool
    """True when the file mixed CRLF, LF and/or lone CR line endings."""


def decode_bytes(data: bytes, path: str) -> tuple[DecodedText | None, list[Diagnostic]]:
    """Decode a content file; None (with an E101 error) when it is not UTF-8 text.

    Warnings: W102 for a UTF-8 BOM, W103 for mixed line endings (at the first line whose ending
    differs from the file's most common one).
    """
    diagnostics: list[Diagnostic] = []
    for bom, _codec, name in _WIDE_BOMS:
        if data.startswith(bom):
            diagnostics.append(
                error(
                    path,
                    0,
                    0,
                    "E101",
                    f"文件不是 UTF-8 编码（检测为带 BOM 的 {name}）",
                    f"运行 sitegen fix-encoding {path} 转换为 UTF-8，或{_SAVE_AS_UTF8}",
                )
            )
            return None, diagnostics
    nul = data.find(b"\x00")
    if nul >= 0:
        diagnostics.append(
            error(
                path,
                0,
                0,
                "E101",
                f"文件含有 NUL 字节（第 {nul + 1} 个字节），不是文本文件"
                + ("（可能是不带 BOM 的 UTF-16）" if _looks_like_bomless_utf16(data) else ""),
                f"如果这是文本，请{_SAVE_AS_UTF8}；二进制文件应作为附件（attachments）引用",
            )
        )
        return None, diagnostics
    had_bom = data.startswith(_UTF8_BOM)
    body = data[len(_UTF8_BOM) :] if had_bom else data
    if had_bom:
        diagnostics.append(
            warning(
                path,
                1,
                1,
                "W102",
                "文件以 UTF-8 BOM 开头",
                f"运行 sitegen fix-encoding {path} 去除",
            )
        )
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        diagnostics.append(_not_utf8(body, exc.start, path))
        return None, diagnostics
    mixed_at = _first_inconsistent_ending(raw)
    if mixed_at is not None:
        line, col = mixed_at
        diagnostics.append(
            warning(
                path,
                line,
                col,
                "W103",
                f"文件混用 CRLF 与 LF 换行符（第 {line} 行的换行符与其余行不一致）",
                "在编辑器中统一换行符（建议 LF）后保存",
            )
        )
    text = raw.replace("\r\n", "\n").replace("\r", "\n") if "\r" in raw else raw
    decoded = DecodedText(
        text=text,
        encoding="utf-8-sig" if had_bom else "utf-8",
        had_bom=had_bom,
        mixed_line_endings=mixed_at is not None,
    )
    return decoded, diagnostics


@dataclass(frozen=True, slots=True)
class Conversion:
    """A file's content converted to UTF-8 without BOM (not yet written anywhere)."""

    encoding: str
    """Encoding the file was in: "utf-8-sig", "gbk", "gb18030", "utf-16" or "utf-32"."""
    data: bytes
    """The same text as UTF-8 without BOM, line endings unchanged."""


def convert_file_to_utf8(path: Path) -> Conversion | None:
    """Read a GBK/GB18030, UTF-8-BOM or UTF-16/32-BOM file and return it as UTF-8 without BOM.

    Only reads `path`: the caller writes Conversion.data (sitegen.output.write_bytes_file). Line
    endings are kept as they are. Returns None when the file already is clean UTF-8. Raises
    ValueError (message in Chinese) when the file is not text in any of these encodings.
    """
    data = path.read_bytes()
    encoding: str | None = None
    text = ""
    for bom, codec, _name in _WIDE_BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}：无法按 {codec} 解码（第 {exc.start} 字节）") from exc
            encoding = codec
            break
    if encoding is None:
        if b"\x00" in data:
            raise ValueError(f"{path}：含有 NUL 字节，不是文本文件，未转换")
        if data.startswith(_UTF8_BOM):
            try:
                text = data[len(_UTF8_BOM) :].decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ValueError(f"{path}：BOM 之后不是有效的 UTF-8，未转换") from exc
            encoding = "utf-8-sig"
        else:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                encoding = _gb_encoding(data)
                if encoding is None:
                    raise ValueError(
                        f"{path}：既不是 UTF-8 也不像 GBK/GB18030 中文文本，未转换"
                    ) from None
                text = data.decode("gb18030")
            else:
                return None
    return Conversion(encoding, text.encode("utf-8"))


def _not_utf8(body: bytes, bad: int, path: str) -> Diagnostic:
    """E101 for bytes that are not UTF-8, at the first invalid byte; names GBK when it fits."""
    line_start = body.rfind(b"\n", 0, bad) + 1
    line = body.count(b"\n", 0, bad) + 1
    col = len(body[line_start:bad].decode("utf-8", errors="replace")) + 1
    gb = _gb_encoding(body)
    if gb is not None:
        return error(
            path,
            line,
            col,
            "E101",
            "文件不是 UTF-8 编码（检测为 GBK/GB18030）",
            f"运行 sitegen fix-encoding {path} 转换为 UTF-8，或{_SAVE_AS_UTF8}",
        )
    return error(
        path,
        line,
        col,
        "E101",
        f"文件不是有效的 UTF-8 文本（无效字节 0x{body[bad]:02X}），也无法识别为 GBK/GB18030",
        f"请用正确的编码打开并{_SAVE_AS_UTF8}；如果这不是文本文件，请作为附件引用",
    )


def _gb_encoding(data: bytes) -> str | None:
    """ "gbk" or "gb18030" when `data` decodes so and reads as Chinese text, else None."""
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        return None
    if not _looks_chinese(text):
        return None
    try:
        data.decode("gbk")
    except UnicodeDecodeError:
        return "gb18030"
    return "gbk"


def _looks_chinese(text: str) -> bool:
    """Most non-space characters are ASCII, CJK (ideographs, Chinese punctuation) or Yi."""
    total = good = cjk = 0
    for ch in text:
        if ch.isspace():
            continue
        total += 1
        o = ord(ch)
        if o < 0x80:
            good += 1
        elif (
            0x4E00 <= o <= 0x9FFF
            or 0x3400 <= o <= 0x4DBF
            or 0x3000 <= o <= 0x303F
            or 0xFF01 <= o <= 0xFF5E
            or 0x2010 <= o <= 0x2027  # – — ‘ ’ “ ” …
            or o in (0x00B7, 0x00D7, 0x00F7, 0x2030, 0x203B)  # · × ÷ ‰ ※
            or 0x2160 <= o <= 0x217F  # Ⅰ Ⅱ …
            or 0x2460 <= o <= 0x249B  # ① ⑴ ⒈ …
            or 0x25A0 <= o <= 0x25FF  # ■ □ ▲ ○ …
            or 0xA000 <= o <= 0xA4CF  # Yi syllables and radicals (ii edition)
        ):
            good += 1
            cjk += 1
    return cjk > 0 and good >= _CHINESE_SHARE * total


def _looks_like_bomless_utf16(data: bytes) -> bool:
    """NUL bytes mostly on one parity, as ASCII-heavy UTF-16 without BOM has."""
    sample = data[:4096]
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    return max(even, odd) >= len(sample) // 4 and min(even, odd) * 4 <= max(even, odd)


def _first_inconsistent_ending(raw: str) -> tuple[int, int] | None:
    """Line and column of the first line ending that differs from the most common style."""
    if "\r" not in raw:
        return None
    crlf = raw.count("\r\n")
    counts = {"\r\n": crlf, "\n": raw.count("\n") - crlf, "\r": raw.count("\r") - crlf}
    if sum(1 for c in counts.values() if c) < 2:
        return None
    majority = max(counts, key=lambda k: counts[k])  # ties: CRLF, then LF (dict order)
    line = 1
    line_start = 0
    for m in _ENDING_RE.finditer(raw):
        if m.group() != majority:
            return line, m.start() - line_start + 1
        line += 1
        line_start = m.end()
    return None  # pragma: no cover - the counts guarantee a mismatch
