"""Tests for sitegen.encoding: decoding editor files saved on Windows and converting them to UTF-8."""

from __future__ import annotations

import dataclasses
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from sitegen.diagnostics import Severity
from sitegen.encoding import Conversion, DecodedText, convert_file_to_utf8, decode_bytes

HOSTILE = Path(__file__).parent / "fixtures" / "hostile"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "make_binary_fixtures", HOSTILE / "make_binary_fixtures.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GEN = _load_generator()
ITEM: str = GEN.ITEM


def fixture(name: str) -> bytes:
    return (HOSTILE / name).read_bytes()


def test_checked_in_fixtures_match_their_generator() -> None:
    # Catches git line-ending conversion or an editor "helpfully" re-saving a fixture.
    for name, data in GEN.fixture_bytes().items():
        assert fixture(name) == data, f"{name} differs: rerun make_binary_fixtures.py"


# ---- clean UTF-8 -----------------------------------------------------------------------------


def test_clean_utf8_decodes_without_diagnostics() -> None:
    decoded, diags = decode_bytes(ITEM.encode("utf-8"), "content/items/a.md")
    assert diags == []
    assert decoded == DecodedText(ITEM, "utf-8", had_bom=False, mixed_line_endings=False)


@pytest.mark.parametrize("ending", ["\r\n", "\r"])
def test_consistent_windows_or_old_mac_endings_are_normalised_silently(ending: str) -> None:
    decoded, diags = decode_bytes(ITEM.replace("\n", ending).encode(), "a.md")
    assert diags == []
    assert decoded is not None
    assert decoded.text == ITEM
    assert not decoded.mixed_line_endings


def test_empty_file() -> None:
    assert decode_bytes(b"", "a.md") == (DecodedText("", "utf-8", False, False), [])


# ---- UTF-8 BOM -------------------------------------------------------------------------------


def test_bom_fixture_decodes_with_w102() -> None:
    decoded, diags = decode_bytes(fixture("bom.md"), "content/items/bom.md")
    assert decoded == DecodedText(ITEM, "utf-8-sig", had_bom=True, mixed_line_endings=False)
    [d] = diags
    assert (d.code, d.severity, d.line, d.col) == ("W102", Severity.WARNING, 1, 1)
    assert d.message == "文件以 UTF-8 BOM 开头"
    assert d.hint == "运行 sitegen fix-encoding content/items/bom.md 去除"
    assert not d.is_error


def test_bom_followed_by_invalid_bytes_is_an_error_with_the_warning() -> None:
    decoded, diags = decode_bytes(b"\xef\xbb\xbfabc\n\xff", "a.md")
    assert decoded is None
    assert [(d.code, d.line, d.col) for d in diags] == [("W102", 1, 1), ("E101", 2, 1)]


# ---- GBK / GB18030 ---------------------------------------------------------------------------


def test_gbk_fixture_is_e101_naming_gbk_at_first_invalid_byte() -> None:
    decoded, diags = decode_bytes(fixture("gbk.md"), "content/items/gbk.md")
    assert decoded is None
    [d] = diags
    assert d.is_error and d.code == "E101"
    assert d.message == "文件不是 UTF-8 编码（检测为 GBK/GB18030）"
    assert d.hint == (
        "运行 sitegen fix-encoding content/items/gbk.md 转换为 UTF-8，或在编辑器中“另存为 UTF-8”"
    )
    assert (d.path, d.line, d.col) == ("content/items/gbk.md", 2, 8)  # "title: 测试": 测 is col 8


def test_gbk_error_column_counts_characters_not_bytes() -> None:
    data = "---\ntitle: 测试\n".encode() + "正文".encode("gbk")
    # Mixed file: the first line is valid UTF-8 Chinese, the invalid byte is on line 3, col 1.
    decoded, diags = decode_bytes(data, "a.md")
    assert decoded is None
    assert [(d.code, d.line, d.col) for d in diags] == [("E101", 3, 1)]
    data = "标题：".encode() + "测试".encode("gbk")
    [d] = decode_bytes(data, "a.md")[1]
    assert (d.line, d.col) == (1, 4)


def test_gb18030_only_text_such_as_yi_is_detected() -> None:
    data = "---\ntitle: ꆈꌠꉙ 凉山\n---\n".encode("gb18030")
    decoded, diags = decode_bytes(data, "ii.md")
    assert decoded is None
    [d] = diags
    assert "GBK/GB18030" in d.message


def test_windows_path_is_reported_with_posix_separators() -> None:
    [d] = decode_bytes(fixture("gbk.md"), "content\\items\\gbk.md")[1]
    assert d.path == "content/items/gbk.md"


# ---- other encodings and binary files --------------------------------------------------------


def test_utf16_fixture_is_e101_naming_utf16() -> None:
    decoded, diags = decode_bytes(fixture("utf16.md"), "content/items/utf16.md")
    assert decoded is None
    [d] = diags
    assert d.is_error and d.code == "E101"
    assert "UTF-16" in d.message
    assert "fix-encoding content/items/utf16.md" in d.hint


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"\xfe\xff" + ITEM.encode("utf-16-be"), "UTF-16"),
        (b"\xff\xfe\x00\x00" + ITEM.encode("utf-32-le"), "UTF-32"),
        (b"\x00\x00\xfe\xff" + ITEM.encode("utf-32-be"), "UTF-32"),
    ],
)
def test_other_wide_encodings(data: bytes, name: str) -> None:
    decoded, [d] = decode_bytes(data, "a.md")
    assert decoded is None
    assert d.code == "E101" and name in d.message


def test_binary_file_with_nul_bytes() -> None:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00"
    decoded, [d] = decode_bytes(png, "content/items/x.md")
    assert decoded is None
    assert d.code == "E101" and "NUL" in d.message
    assert "GBK" not in d.message and "UTF-16" not in d.message


def test_bomless_utf16_is_hinted_at() -> None:
    decoded, [d] = decode_bytes(ITEM.encode("utf-16-le"), "a.md")
    assert decoded is None
    assert "NUL" in d.message and "UTF-16" in d.message


def test_undecodable_non_chinese_bytes_get_a_different_message() -> None:
    data = "abc\ncafé au lait\n".encode("latin-1")
    decoded, [d] = decode_bytes(data, "a.md")
    assert decoded is None
    assert d.code == "E101"
    assert "GBK/GB18030）" not in d.message
    assert "0xE9" in d.message
    assert (d.line, d.col) == (2, 4)


def test_truncated_utf8_at_end_of_file() -> None:
    data = "标题".encode()[:-1]
    decoded, [d] = decode_bytes(data, "a.md")
    assert decoded is None
    assert (d.code, d.line, d.col) == ("E101", 1, 2)


# ---- line endings ----------------------------------------------------------------------------


def test_mixed_fixture_warns_w103_at_first_inconsistent_line() -> None:
    decoded, diags = decode_bytes(fixture("crlf-mixed.md"), "content/items/crlf-mixed.md")
    assert decoded == DecodedText(ITEM, "utf-8", had_bom=False, mixed_line_endings=True)
    [d] = diags
    assert (d.code, d.severity) == ("W103", Severity.WARNING)
    assert (d.line, d.col) == (5, len("date: 2024-06-05") + 1)
    assert "CRLF" in d.message and "LF" in d.message


def test_mixed_endings_are_judged_against_the_majority() -> None:
    # Mostly LF, one CRLF on line 3 and a lone CR on line 5.
    data = b"a\nb\nc\r\nd\ne\rf\ng\n"
    decoded, [d] = decode_bytes(data, "a.md")
    assert decoded is not None
    assert decoded.text == "a\nb\nc\nd\ne\nf\ng\n"
    assert (d.code, d.line, d.col) == ("W103", 3, 2)


def test_bom_and_mixed_endings_give_both_warnings() -> None:
    decoded, diags = decode_bytes(b"\xef\xbb\xbfa\r\nb\r\nc\n", "a.md")
    assert decoded is not None and decoded.had_bom and decoded.mixed_line_endings
    assert [(d.code, d.line) for d in diags] == [("W102", 1), ("W103", 3)]


def test_decoded_text_is_frozen() -> None:
    decoded = DecodedText("", "utf-8", False, False)
    with pytest.raises(dataclasses.FrozenInstanceError):
        decoded.text = "x"  # type: ignore[misc]


# ---- convert_file_to_utf8 --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "encoding"), [("gbk.md", "gbk"), ("bom.md", "utf-8-sig"), ("utf16.md", "utf-16")]
)
def test_convert_fixture_to_clean_utf8(tmp_path: Path, name: str, encoding: str) -> None:
    target = tmp_path / name
    target.write_bytes(fixture(name))
    assert convert_file_to_utf8(target) == Conversion(encoding, ITEM.encode("utf-8"))
    assert target.read_bytes() == fixture(name)  # it only reads: sitegen.fixes does the writing
    assert [p.name for p in tmp_path.iterdir()] == [name]
    target.write_bytes(ITEM.encode("utf-8"))
    assert decode_bytes(target.read_bytes(), name) == (DecodedText(ITEM, "utf-8", False, False), [])
    assert convert_file_to_utf8(target) is None  # converted: nothing to do


def test_convert_keeps_line_endings(tmp_path: Path) -> None:
    target = tmp_path / "a.md"
    original = ITEM.replace("\n", "\r\n")
    target.write_bytes(original.encode("gbk"))
    assert convert_file_to_utf8(target) == Conversion("gbk", original.encode("utf-8"))
    mixed = tmp_path / "crlf-mixed.md"
    mixed.write_bytes(fixture("crlf-mixed.md"))
    assert convert_file_to_utf8(mixed) is None
    assert mixed.read_bytes() == fixture("crlf-mixed.md")


def test_convert_gb18030_only_text(tmp_path: Path) -> None:
    target = tmp_path / "ii.md"
    text = "title: ꆈꌠꉙ\n"
    target.write_bytes(text.encode("gb18030"))
    assert convert_file_to_utf8(target) == Conversion("gb18030", text.encode("utf-8"))


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "café au lait".encode("latin-1"),
        b"\xef\xbb\xbfabc\xff",
    ],
)
def test_convert_refuses_what_it_cannot_read(tmp_path: Path, data: bytes) -> None:
    target = tmp_path / "x.md"
    target.write_bytes(data)
    with pytest.raises(ValueError, match="未转换"):
        convert_file_to_utf8(target)
    assert target.read_bytes() == data


# ---- properties ------------------------------------------------------------------------------


@settings(max_examples=500)
@given(st.binary(max_size=300))
def test_decode_bytes_never_raises(data: bytes) -> None:
    decoded, diags = decode_bytes(data, "a.md")
    if decoded is None:
        assert any(d.code == "E101" and d.is_error for d in diags)
    else:
        assert "\r" not in decoded.text
        assert not any(d.is_error for d in diags)


@given(st.text(max_size=200).filter(lambda t: "\x00" not in t and not t.startswith("\ufeff")))
def test_any_utf8_text_round_trips(text: str) -> None:
    decoded, diags = decode_bytes(text.encode("utf-8"), "a.md")
    assert decoded is not None
    assert decoded.text == text.replace("\r\n", "\n").replace("\r", "\n")
    assert all(d.code == "W103" for d in diags)


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


_HAN = st.text(alphabet=st.sampled_from(list("关于调整城乡居民最低生活保障标准的通知，。、：“”")))


@given(_HAN.filter(bool), st.text(alphabet="abc: -\n", max_size=20))
def test_any_chinese_text_saved_as_gbk_is_recognised(han: str, ascii_part: str) -> None:
    data = (ascii_part + han).encode("gbk")
    assume(not _is_utf8(data))  # short GBK text can be valid UTF-8 by accident ("准" = D7 BC)
    decoded, [d] = decode_bytes(data, "a.md")
    assert decoded is None
    assert d.message == "文件不是 UTF-8 编码（检测为 GBK/GB18030）"
