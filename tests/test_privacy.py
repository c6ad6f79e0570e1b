"""Tests for sitegen.privacy: finding and masking unmasked ID, mobile and bank card numbers.

Every ID and card number here is synthetic: built from a made-up prefix with the check digit
computed by the helpers below (independently of the module's own code).
"""

from __future__ import annotations

import dataclasses
import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import copy_site
from sitegen.checks import check_privacy
from sitegen.config import load_config
from sitegen.content import load_item_text
from sitegen.privacy import Finding, find_personal_numbers, line_col, mask_text

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_number(first17: str) -> str:
    """Complete 17 digits with the ISO 7064 MOD 11-2 check character (GB 11643)."""
    assert len(first17) == 17 and first17.isdigit()
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return first17 + "10X98765432"[total % 11]


def wrong_check(id18: str) -> str:
    """The same number with a check character that does not fit."""
    wrong = "0" if id18[-1] != "0" else "1"
    return id18[:-1] + wrong


def luhn_ok(number: str) -> bool:
    """True when `number` passes the Luhn check."""
    total = 0
    for i, ch in enumerate(reversed(number)):
        v = int(ch) * (2 if i % 2 else 1)
        total += v - 9 if v > 9 else v
    return total % 10 == 0


def luhn_number(prefix: str) -> str:
    """Complete `prefix` with the Luhn check digit."""
    for d in "0123456789":
        if luhn_ok(prefix + d):
            return prefix + d
    raise AssertionError("unreachable")


ID_A = id_number("11010519491231002")  # 110105 19491231 002 + check
ID_X = "11010519491231002X"  # check character happens to be X
ID_B = id_number("51343019800101123")
ID_LEAP = id_number("51342420000229004")  # 29 Feb 2000 exists
CARD_19 = luhn_number("622202123456789012")
CARD_16 = luhn_number("621700123456789")
MOBILE = "13812345678"


def kinds(text: str) -> list[tuple[str, str]]:
    """(kind, text) of every finding, for compact assertions."""
    return [(f.kind, f.text) for f in find_personal_numbers(text)]


def test_helpers_compute_known_check_characters() -> None:
    assert id_number("11010519491231002")[:-1] + "X" == ID_X
    assert ID_A == ID_X
    assert ID_B == "513430198001011238"
    assert luhn_ok("4111111111111111")
    assert luhn_ok(CARD_19) and luhn_ok(CARD_16)
    assert len(CARD_19) == 19 and len(CARD_16) == 16


# ---- ID card numbers -------------------------------------------------------------------------


def test_id_in_chinese_text_with_offsets_and_mask() -> None:
    text = f"申请人王某某，身份证号{ID_B}，住址某乡。"
    [f] = find_personal_numbers(text)
    assert f.kind == "id_card"
    assert text[f.start : f.end] == f.text == ID_B
    assert f.masked == "513430********1238"


@pytest.mark.parametrize("number", [ID_X, ID_X.lower(), ID_LEAP])
def test_id_with_x_and_leap_day(number: str) -> None:
    [f] = find_personal_numbers(f"证件号码：{number}。")
    assert f.kind == "id_card"
    assert f.masked == number[:6] + "*" * 8 + number[-4:]


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("110105 19491231 002X", "110105 ******** 002X"),
        ("110105-19491231-002X", "110105-********-002X"),
        ("110105-1949-1231-002X", "110105-****-****-002X"),
        ("110105 1949 1231 002X", "110105 **** **** 002X"),
        ("1101 0519 4912 3100 2X", "1101 05** **** **00 2X"),
    ],
)
def test_id_written_in_groups_masks_digits_and_keeps_separators(written: str, masked: str) -> None:
    [f] = find_personal_numbers(f"身份证：{written}；")
    assert (f.kind, f.text, f.masked) == ("id_card", written, masked)


def test_id_with_wrong_check_digit_is_not_an_id() -> None:
    bad = wrong_check(ID_B)
    assert not luhn_ok(bad) or bad[0] not in "34569"  # so it cannot pass as a card either
    assert kinds(f"身份证号{bad}") == []
    assert all(kind != "id_card" for kind, _ in kinds(wrong_check(ID_A)))


@pytest.mark.parametrize(
    "first17",
    [
        "11010518991231002",  # year 1899
        "11010521000101002",  # year 2100
        "11010519490230002",  # 30 February
        "11010519491301002",  # month 13
        "11010519490100002",  # day 0
        "51342420010229004",  # 29 February 2001
        "99010519491231002",  # no such province
        "00010519491231002",  # no such province
    ],
)
def test_id_with_impossible_birth_date_or_province_is_not_an_id(first17: str) -> None:
    number = id_number(first17)
    assert all(kind != "id_card" for kind, _ in kinds(f"身份证号{number}"))


def test_id_inside_longer_digit_run_is_not_found() -> None:
    for text in (f"编号{ID_B}7", f"编号9{ID_B}", f"编号ABC{ID_B}", f"编号{ID_B}Z"):
        assert ("id_card", ID_B) not in kinds(text), text


# ---- mobile numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "masked"),
    [
        ("13812345678", "138****5678"),
        ("19912345678", "199****5678"),
        ("138 1234 5678", "138 **** 5678"),
        ("138-1234-5678", "138-****-5678"),
        ("+8613812345678", "+86138****5678"),
        ("+86 13812345678", "+86 138****5678"),
        ("+86 138 1234 5678", "+86 138 **** 5678"),
        ("86-138-1234-5678", "86-138-****-5678"),
        ("8613812345678", "86138****5678"),
        ("１３８１２３４５６７８", "１３８****５６７８"),  # full-width digits
    ],
)
def test_mobile_forms(written: str, masked: str) -> None:
    text = f"联系电话：{written}。"
    [f] = find_personal_numbers(text)
    assert (f.kind, f.text, f.masked) == ("mobile", written, masked)
    assert text[f.start : f.end] == written


@pytest.mark.parametrize(
    "text",
    [
        "12345678901",  # 12… is no mobile prefix
        "1381234567",  # 10 digits
        "138123456789",  # 12 digits: part of a longer run
        "913812345678",
        "ABC13812345678",  # inside an alphanumeric code
        "13812345678abc",
        "138 1234 567",
        "1381 234 5678",  # not a 3-4-4 grouping
    ],
)
def test_not_a_mobile(text: str) -> None:
    assert kinds(text) == []


def test_several_numbers_separated_by_one_character_are_all_found() -> None:
    for sep in (" ", "-", "、", ",", "/"):
        text = f"{MOBILE}{sep}13912345678"
        assert kinds(text) == [("mobile", MOBILE), ("mobile", "13912345678")], sep
    text = f"张三 {ID_B} {MOBILE} {CARD_19}"
    assert kinds(text) == [("id_card", ID_B), ("mobile", MOBILE), ("bank_card", CARD_19)]


def test_short_group_touching_a_letter_does_not_hide_the_next_number() -> None:
    assert kinds(f"A1 {MOBILE}") == [("mobile", MOBILE)]
    assert kinds(f"{MOBILE} 1B") == [("mobile", MOBILE)]


# ---- bank cards ------------------------------------------------------------------------------


def test_bank_cards_plain_and_grouped() -> None:
    [f] = find_personal_numbers(f"卡号{CARD_19}")
    assert (f.kind, f.masked) == ("bank_card", "*" * 15 + CARD_19[-4:])
    [f] = find_personal_numbers(f"卡号：{CARD_16}")
    assert f.masked == "*" * 12 + CARD_16[-4:]
    grouped = " ".join(CARD_19[i : i + 4] for i in range(0, 19, 4))
    [f] = find_personal_numbers(f"社保卡 {grouped} 已发放")
    assert (f.kind, f.text) == ("bank_card", grouped)
    assert f.masked == "**** **** **** ***" + CARD_19[15] + " " + CARD_19[16:]
    assert f.masked.replace(" ", "")[-4:] == CARD_19[-4:]
    dashed = "-".join(CARD_16[i : i + 4] for i in range(0, 16, 4))
    assert kinds(dashed) == [("bank_card", dashed)]


def test_bank_card_rejections() -> None:
    bad = CARD_19[:-1] + str((int(CARD_19[-1]) + 1) % 10)
    assert kinds(bad) == []  # Luhn fails
    assert kinds(luhn_number("6222021234567890123")) == []  # 20 digits
    assert kinds(luhn_number("062220212345678901")) == []  # no issuer starts with 0
    assert kinds(luhn_number("12345678901234567")) == []  # nor with 1 (timestamps, serials)
    assert kinds(luhn_number("202406051230451")) == []  # 20240605123045… time stamp
    for text in (f"9{CARD_16}", f"{CARD_16}0", f"SN{CARD_16}"):  # inside a longer token
        assert all(found != CARD_16 for _, found in kinds(text)), text
    assert kinds("6222 0212 3456 789 0128") == []  # not grouped in fours


def test_luhn_valid_id_number_is_reported_as_id() -> None:
    for seq in range(100, 400):
        number = id_number(f"51343019800101{seq}")
        if luhn_ok(number):
            break
    else:  # pragma: no cover
        raise AssertionError("no Luhn-valid test ID found")
    assert kinds(number) == [("id_card", number)]


# ---- masked numbers and common government text -----------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "110105********0023",
        "110105********002X",
        "51****19800101****",
        "138****5678",
        "138 **** 5678",
        "***************0128",
        "**** **** **** ***0 128",
        "1101 05** **** **** 2X",
    ],
)
def test_already_masked_numbers_are_not_found(text: str) -> None:
    assert kinds(f"身份证号{text}，") == []


# A digits-only 统一社会信用代码 shaped like a real 机关 code (11 + region 510119 + org code 580312344
# + GB 32100 check 1). Read as an ID: province 11, birth 1958-03-12 plausible, but the ID check
# character would be 8, so only the checksum keeps it from being an ID number.
ORG_CODE_DIGITS = "115101195803123441"


def test_realistic_digit_only_org_code_fails_id_checksum() -> None:
    assert ORG_CODE_DIGITS.isdigit()
    assert id_number(ORG_CODE_DIGITS[:17])[-1] != ORG_CODE_DIGITS[-1]
    assert kinds(f"统一社会信用代码：{ORG_CODE_DIGITS}") == []
    assert kinds(f"索引号：{ORG_CODE_DIGITS}/2024-02411") == []


@pytest.mark.parametrize(
    "text",
    [
        "和政办〔2024〕5号",
        "川府发〔2023〕12号",
        "索引号：113708280043326001/2024-02411",
        "索引号：11513430MB1234567X/2024-00012",
        "索引号：115134300000000001/2024-00012",
        "统一社会信用代码：91513400MA62123456",
        "发布日期：2024-06-05 成文日期：2024年6月1日 20240605",
        "2024-06-05 10:30:00",
        "金额12345678.90元，合计1,234,567,890.12元",
        "补助资金 123456789012.50 元",
        "0.1381234567890 倍",
        "联系电话：0834-1234567，传真：0834-12345678，(0834)1234567",
        "0834 1234567、028-86123456、400-123-4567、12345、12345678",
        "010-12345678-8001",
        "邮编615000，项目代码2024-513400-48-01-123456",
        "ISBN 978-7-5117-1234-5",
    ],
)
def test_no_false_positives_on_government_text(text: str) -> None:
    assert kinds(text) == []


def test_index_number_tail_suppresses_even_an_id_shaped_org_part() -> None:
    # 索引号 = org code + "/" + year-serial; the part before "/" is never a personal number.
    assert kinds(f"索引号：{ID_B}/2024-00012") == []
    # … but an ID followed by a slash and something else is still found.
    assert kinds(f"{ID_B}/{MOBILE}") == [("id_card", ID_B), ("mobile", MOBILE)]


def test_urls_report_only_id_numbers() -> None:
    text = (
        f"详见 https://www.example.gov.cn/art/2024/6/5/{MOBILE}.html 与 "
        f"[链接](https://x.example.cn/content?id={CARD_19}&sfz={ID_B})"
    )
    assert kinds(text) == [("id_card", ID_B)]
    assert kinds(f"网址之后 {MOBILE}") == [("mobile", MOBILE)]


# ---- mask_text and line_col ------------------------------------------------------------------


def test_mask_text_replaces_every_finding_and_keeps_length() -> None:
    text = f"# 名单\n\n| 姓名 | 身份证号 | 电话 |\n|---|---|---|\n| 张三 | {ID_B} | {MOBILE} |\n"
    masked, findings = mask_text(text)
    assert [f.kind for f in findings] == ["id_card", "mobile"]
    assert masked == text.replace(ID_B, "513430********1238").replace(MOBILE, "138****5678")
    assert len(masked) == len(text)
    assert find_personal_numbers(masked) == []
    assert mask_text(masked) == (masked, [])


def test_mask_text_repeats_when_masking_exposes_a_new_number() -> None:
    # The kept "5678" of the mobile joins the next groups into a 4-4-4-4-3 card number.
    card = luhn_number("567862220212345612")
    text = f"{MOBILE} {card[4:8]} {card[8:12]} {card[12:16]} {card[16:]}"
    assert [f.kind for f in find_personal_numbers(text)] == ["mobile"]
    masked, findings = mask_text(text)
    assert [f.kind for f in findings] == ["mobile", "bank_card"]
    assert find_personal_numbers(masked) == []


def test_line_col() -> None:
    text = "第一行\n第二行 13812345678\n"
    [f] = find_personal_numbers(text)
    assert line_col(text, f.start) == (2, 5)
    assert line_col(text, 0) == (1, 1)
    assert line_col(text, 3) == (1, 4)
    assert line_col(text, 4) == (2, 1)
    assert line_col(text, len(text)) == (3, 1)
    assert line_col("", 0) == (1, 1)
    with pytest.raises(ValueError):
        line_col(text, len(text) + 1)
    with pytest.raises(ValueError):
        line_col(text, -1)


def test_finding_is_frozen() -> None:
    f = Finding("mobile", 0, 11, MOBILE, "138****5678")
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 1  # type: ignore[misc]


# ---- properties ------------------------------------------------------------------------------

# Pieces that reach every branch: digits, separators, prefixes, URL and 索引号 shapes, real numbers.
_PIECES = [*"0123456789０１２３ Xx-+./*:〔〕号年元\nA中", "://", "86", "138", "/2024-", "http://"]
_HOSTILE = st.lists(
    st.sampled_from([*_PIECES, ID_B, ID_X, CARD_16, CARD_19, MOBILE, "1234"]), max_size=60
).map("".join)


@settings(max_examples=300)
@given(st.one_of(st.text(max_size=200), _HOSTILE))
def test_find_and_mask_never_raise_and_mask_leaves_nothing(text: str) -> None:
    findings = find_personal_numbers(text)
    for f in findings:
        assert 0 <= f.start < f.end <= len(text)
        assert text[f.start : f.end] == f.text
        assert len(f.masked) == len(f.text)
        assert f.kind in {"id_card", "mobile", "bank_card"}
    masked, all_findings = mask_text(text)
    assert len(masked) == len(text)
    assert find_personal_numbers(masked) == []
    assert len(all_findings) >= len(findings)
    outside = [i for i in range(len(text)) if not any(f.start <= i < f.end for f in all_findings)]
    assert all(masked[i] == text[i] for i in outside)


_CJK = st.text(alphabet=st.sampled_from(list("低保对象名单身份证号联系电话，。：")), max_size=8)


@settings(max_examples=200)
@given(
    before=_CJK,
    after=_CJK,
    region=st.sampled_from(["110105", "513401", "513424", "370828", "820000"]),
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31)),
    seq=st.integers(0, 999),
)
def test_any_valid_id_in_chinese_context_is_found(
    before: str, after: str, region: str, birth: datetime.date, seq: int
) -> None:
    number = id_number(f"{region}{birth:%Y%m%d}{seq:03d}")
    text = before + number + after
    assert kinds(text) == [("id_card", number)]
    masked, _ = mask_text(text)
    assert masked == before + number[:6] + "********" + number[-4:] + after


@given(before=_CJK, after=_CJK, second=st.integers(3, 9), rest=st.integers(0, 999_999_999))
def test_any_mobile_in_chinese_context_is_found(
    before: str, after: str, second: int, rest: int
) -> None:
    number = f"1{second}{rest:09d}"
    assert kinds(before + number + after) == [("mobile", number)]


def test_no_false_positives_on_a_large_realistic_text() -> None:
    """2 MB of typical disclosure prose (文号, 索引号, landlines, amounts, URLs): nothing found.

    Throughput is measured in bench/, never asserted here.
    """
    para = (
        "关于印发《和政县2024年城乡居民最低生活保障工作实施方案》的通知 和政办〔2024〕5号 "
        "索引号：113708280043326001/2024-02411 发布日期：2024-06-05 联系电话：0834-1234567。"
        "各乡镇人民政府，县级各部门：经县人民政府同意，现将方案印发给你们，请认真贯彻执行。"
        "全年发放资金12345678.90元，惠及3456户7890人，详见 https://www.example.gov.cn/art/2024/6/5/"
        "art_1234_5678901.html。\n"
    )
    text = para * (2_000_000 // len(para.encode()))
    assert find_personal_numbers(text) == []


def test_the_build_scans_the_text_it_loaded_with_the_file_s_lines_and_columns(
    tmp_path: Path,
) -> None:
    """The build hands the privacy scan the text content.load_item_text decoded (BOM removed, line
    endings "\\n") instead of reading the file again: the same findings, at the same places, as a
    scan that reads the file itself, for a file with a BOM and mixed line endings."""
    root = copy_site(tmp_path / "site", content=True)
    path = root / "content/items/jiuye/jiuye-1.md"
    lines = path.read_text(encoding="utf-8").split("\n")
    lines.insert(len(lines) - 1, f"联系人身份证号 {ID_A}。")
    data = "\ufeff" + "\r\n".join(lines[:5]) + "\r\n" + "\r".join(lines[5:8]) + "\n"
    path.write_bytes((data + "\n".join(lines[8:])).encode("utf-8"))
    config, _ = load_config(root)
    assert config is not None
    item, _, text = load_item_text(root, path, config)
    assert item is not None
    found = check_privacy(item, root, text)
    assert found == check_privacy(item, root)
    assert [(d.code, d.line) for d in found] == [("E301", len(lines) - 1)]
    assert text.split("\n")[found[0].line - 1][found[0].col - 1 :].startswith(ID_A[:6])
