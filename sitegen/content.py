"""Reading content/: split front-matter with line numbers, validate every field, return frozen Items.

Nothing here decides what is published (that is gate.py) or where it goes (that is model.py).
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .diagnostics import Diagnostic, error, warning
from .encoding import decode_bytes
from .parallel import pmap
from .records import fast_pickle
from .yamlfile import Mapping as FrontMatter
from .yamlfile import load_mapping

DISCLOSURES = ("主动公开", "依申请公开", "不予公开")
VALIDITIES = ("有效", "失效", "废止")
DOC_TYPES = ("规章", "行政规范性文件", "政策解读", "其他")
LANGS = ("zh", "ii")
INDEX_NO_RE = re.compile(r"^[0-9A-Z]{9,18}/(\d{4})-(\d{5})$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
# Characters XML 1.0 forbids (Atom feeds, sitemap) and HTML treats as errors.
_NOT_XML_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffe\uffff]")


@fast_pickle
@dataclass(frozen=True, slots=True)
class Attachment:
    """A file published beside an item (附件)."""

    file: str
    """File name as written, relative to the item's folder."""
    title: str
    """Text of the download link (defaults to the file name)."""
    source: str
    """Path of the file relative to the site root (posix)."""
    size: int
    """Size in bytes."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class Validity:
    """有效性: whether a policy is still in force."""

    status: str
    """有效, 失效 or 废止."""
    date: dt.date | None
    """Date it stopped being in force (失效/废止), if given."""


@fast_pickle
@dataclass(frozen=True, slots=True)
class Item:
    """One disclosure item, exactly as its Markdown file says (validated, not yet placed in the site)."""

    source: str
    """Path of the .md file relative to the site root, posix separators."""
    title: str
    """信息名称."""
    domain: str
    """Slug of its domain (领域)."""
    stage: str
    """Slug of its stage (公开阶段)."""
    date: dt.date
    """发布日期 (publish date)."""
    department: str
    """发布机构 (issuing body)."""
    doc_no: str
    """文号 ("" if none)."""
    index_no: str
    """索引号 as written ("" = to be assigned)."""
    written: dt.date | None
    """成文日期 (date written / formed)."""
    summary: str
    """内容概述 ("" if none)."""
    keywords: tuple[str, ...]
    """关键词."""
    doc_type: str
    """规章 / 行政规范性文件 / 政策解读 / 其他 ("" = not given)."""
    attachments: tuple[Attachment, ...]
    """Files published with the item."""
    validity: Validity
    """有效性."""
    disclosure: str
    """公开属性: 主动公开, 依申请公开 or 不予公开."""
    draft: bool
    """True while the item is still being written."""
    related: tuple[str, ...]
    """Other items named by 索引号 or content path (e.g. a 解读 names its policy)."""
    privacy_exception: str
    """Reason why unmasked personal numbers are legally required here ("" = none)."""
    lang: str
    """Language of the item: "zh" or "ii"."""
    translation_of: str
    """For a translation: 索引号 or path of the item it translates ("" otherwise)."""
    slug: str
    """URL file name as written ("" = derive it)."""
    body: str
    """Markdown body."""
    body_line: int
    """Number of lines before the body in the file (to map body lines to file lines)."""
    lines: dict[str, int]
    """Front-matter key → line in the file, for later diagnostics."""


# Field name → Chinese alias editors may write instead.
FIELD_ALIASES = {
    "title": "标题",
    "domain": "领域",
    "stage": "公开阶段",
    "date": "发布日期",
    "department": "发布机构",
    "doc_no": "文号",
    "index_no": "索引号",
    "written": "成文日期",
    "summary": "内容概述",
    "keywords": "关键词",
    "doc_type": "文件类型",
    "attachments": "附件",
    "validity": "有效性",
    "disclosure": "公开属性",
    "draft": "草稿",
    "related": "相关",
    "privacy_exception": "隐私例外",
    "lang": "语言",
    "translation_of": "译自",
    "slug": "网址名",
}
ALIAS_TO_FIELD = {v: k for k, v in FIELD_ALIASES.items()} | {"阶段": "stage", "摘要": "summary"}
REQUIRED = ("title", "domain", "stage", "date", "department")


def iter_item_files(root: Path) -> list[Path]:
    """Every item file under content/items, sorted by path (deterministic order).

    Hidden files and folders (names starting with ".") are skipped; a folder named x.md is not an
    item. os.walk rather than Path.rglob: ten times faster on 10,000 files.
    """
    base = root / "content" / "items"
    if not base.is_dir():
        return []
    found: list[tuple[tuple[str, ...], str]] = []
    skip = len(str(base)) + 1
    for dirpath, dirnames, filenames in os.walk(base):
        dirnames[:] = [d for d in dirnames if not d.startswith(".")]
        for name in filenames:
            if name.endswith(".md") and not name.startswith("."):
                path = os.path.join(dirpath, name)
                found.append((tuple(path[skip:].split(os.sep)), path))
    found.sort()
    return [Path(path) for _, path in found]


def load_items(
    root: Path, config: SiteConfig, files: Iterable[Path] | None = None
) -> tuple[list[Item], list[Diagnostic]]:
    """Read and validate every item file; returns the good items and every problem."""
    paths = iter_item_files(root) if files is None else list(files)
    items: list[Item] = []
    problems: list[Diagnostic] = []
    for item, diags in pmap(lambda path: load_item(root, path, config), paths):
        problems.extend(diags)
        if item is not None:
            items.append(item)
    return items, problems


def split_front_matter(text: str, rel: str) -> tuple[str, str, int, list[Diagnostic]]:
    """Split `---` front-matter from the body: (yaml, body, lines before body, problems)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        hint = "文件第一行应为“---”，然后写元数据，再用一行“---”结束"
        if lines and re.match(r"^\s*(title|标题)\s*[:：]", lines[0]):
            hint = "是不是忘了在文件第一行写“---”？"
        elif lines and lines[0].strip() in ("+++", "——", "———", "－－－", "---" + "\u3000"):
            hint = "分隔线必须是三个半角减号“---”"
        return "", "", 0, [error(rel, 1, 1, "E120", "找不到元数据（front-matter）", hint)]
    for n in range(1, len(lines)):
        if lines[n].rstrip() == "---":
            return "\n".join(lines[1:n]), "\n".join(lines[n + 1 :]), n + 1, []
    return (
        "",
        "",
        0,
        [error(rel, 1, 1, "E121", "元数据没有结束", "在元数据后面加一行“---”，再写正文")],
    )


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A Markdown file under content/ read up to its parsed front-matter."""

    rel: str
    """Path relative to the site root, posix separators."""
    front: FrontMatter
    """The front-matter mapping with key lines."""
    body: str
    """Markdown body."""
    body_line: int
    """Number of lines before the body."""
    text: str
    """The whole file as decoded (BOM removed, line endings "\n"): what the privacy scan reads."""


def read_source(root: Path, path: Path) -> tuple[SourceFile | None, list[Diagnostic]]:
    """Read a content file: refuse links out of content/, decode, split and parse the front-matter."""
    rel = path.relative_to(root).as_posix()
    if path.is_symlink() and not _inside(path.resolve(), root / "content"):
        return None, [
            error(
                rel,
                0,
                0,
                "E220",
                "文件是指向 content/ 以外的符号链接",
                "把文件本身复制到 content/ 中",
            )
        ]
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, [
            error(
                rel,
                0,
                0,
                "E102",
                f"无法读取文件：{exc.strerror or exc}",
                "检查文件是否存在、是否有读取权限",
            )
        ]
    decoded, problems = decode_bytes(data, rel)
    if decoded is None:
        return None, problems
    fm, body, body_line, errs = split_front_matter(decoded.text, rel)
    if errs:
        return None, problems + errs
    mapping, errs = load_mapping(fm, rel, line_offset=1)
    if mapping is None:
        return None, problems + errs
    return SourceFile(rel, mapping, body, body_line, decoded.text), problems


def load_item(root: Path, path: Path, config: SiteConfig) -> tuple[Item | None, list[Diagnostic]]:
    """Read one item file; returns (Item or None, problems)."""
    item, problems, _ = load_item_text(root, path, config)
    return item, problems


def load_item_text(
    root: Path, path: Path, config: SiteConfig
) -> tuple[Item | None, list[Diagnostic], str]:
    """load_item, and the file's decoded text ("" when it could not be read): the build scans it
    for personal numbers without reading the file again."""
    source, problems = read_source(root, path)
    if source is None:
        return None, problems, ""
    rel, mapping, body, body_line = source.rel, source.front, source.body, source.body_line
    v = _Validator(rel, mapping.lines, config, root, path.parent)
    values = v.normalise_keys(mapping.values)
    item = v.item(values, body, body_line)
    ok = not any(d.is_error for d in v.problems)
    return (item if ok else None), problems + v.problems, source.text


def _exists(path: Path) -> bool:
    """Path.exists() that says False instead of raising (name too long, permission denied)."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _inside(path: Path, base: Path) -> bool:
    try:
        path.relative_to(base.resolve())
        return True
    except ValueError:
        return False


class _Validator:
    """Checks one file's front-matter values, collecting every problem."""

    def __init__(
        self, rel: str, lines: dict[str, int], config: SiteConfig, root: Path, folder: Path
    ):
        self.rel = rel
        self.lines = dict(lines)
        self.config = config
        self.root = root
        self.folder = folder
        self.problems: list[Diagnostic] = []

    def line(self, key: str) -> int:
        return self.lines.get(key, 1)

    def fail(self, key: str, code: str, message: str, hint: str = "") -> None:
        self.problems.append(error(self.rel, self.line(key), 1, code, message, hint))

    def normalise_keys(self, raw: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        known = set(FIELD_ALIASES) | set(ALIAS_TO_FIELD)
        for key, value in raw.items():
            name = ALIAS_TO_FIELD.get(key, key)
            if name not in FIELD_ALIASES:
                close = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.5)
                hint = (
                    f"是不是想写“{ALIAS_TO_FIELD.get(close[0], close[0])}”？"
                    if close
                    else "可用字段见 docs/content.md"
                )
                self.fail(key, "E130", f"未知字段“{key}”", hint)
                continue
            if name in values:
                self.fail(
                    key, "E112", f"字段“{key}”与“{FIELD_ALIASES[name]}/{name}”重复", "只保留一个"
                )
                continue
            values[name] = value
            self.lines[name] = self.lines[key]
        return values

    def text(self, values: dict[str, Any], key: str, required: bool = False) -> str:
        value = values.get(key)
        if value is None or value == "":
            if required:
                self.problems.append(
                    error(
                        self.rel,
                        1,
                        1,
                        "E131",
                        f"缺少必填字段“{key}”（{FIELD_ALIASES[key]}）",
                        f"在元数据中加一行 {key}: …",
                    )
                )
            return ""
        if not isinstance(value, (str, int, float)):  # lists, mappings, !!binary, !!set
            self.fail(key, "E132", f"字段“{key}”应为一行文字", "去掉多余的缩进或“- ”")
            return ""
        return self.clean(key, str(value).strip())

    def clean(self, key: str, text: str) -> str:
        """`text`, or "" with E134 when it holds characters no page or feed may carry."""
        bad = _NOT_XML_RE.search(text)
        if bad is None:
            return text
        self.fail(
            key,
            "E134",
            f"字段“{key}”含有控制字符 U+{ord(bad.group()):04X}",
            "删除这个看不见的字符（常见于从其他系统复制来的文字，或引号里写了 \\x.. 转义）",
        )
        return ""

    def date(self, values: dict[str, Any], key: str, required: bool = False) -> dt.date | None:
        raw = self.text(values, key, required)
        if not raw:
            return None
        m = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", raw)
        if not m:
            self.fail(key, "E140", f"日期“{raw}”格式不对", "日期写成 YYYY-MM-DD，例如 2024-06-05")
            return None
        try:
            value = dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            self.fail(key, "E141", f"日期“{raw}”不存在", "检查月份和日期，例如 2 月没有 30 日")
            return None
        if value.isoformat() != raw:
            self.problems.append(
                warning(
                    self.rel,
                    self.line(key),
                    1,
                    "W142",
                    f"日期“{raw}”不是标准写法",
                    f"建议写成 {value.isoformat()}",
                )
            )
        return value

    def choice(
        self, values: dict[str, Any], key: str, allowed: tuple[str, ...], default: str
    ) -> str:
        raw = self.text(values, key) or default
        if raw not in allowed:
            close = difflib.get_close_matches(raw, allowed, n=1, cutoff=0.3)
            self.fail(
                key,
                "E150",
                f"{FIELD_ALIASES[key]}“{raw}”无效",
                f"可选：{'、'.join(allowed)}" + (f"，是不是“{close[0]}”？" if close else ""),
            )
            return default
        return raw

    def strings(self, values: dict[str, Any], key: str) -> tuple[str, ...]:
        value = values.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return tuple(
                self.clean(key, s.strip()) for s in re.split(r"[,，、;；]", value) if s.strip()
            )
        if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
            return tuple(self.clean(key, str(v).strip()) for v in value)
        self.fail(key, "E133", f"字段“{key}”应为列表", f"写成 {key}: [甲, 乙]")
        return ()

    def item(self, values: dict[str, Any], body: str, body_line: int) -> Item:
        cfg = self.config
        title = self.text(values, "title", required=True)
        domain_raw = self.text(values, "domain", required=True)
        section = cfg.section(domain_raw) if domain_raw else None
        if domain_raw and section is None:
            names = [s.name for s in cfg.sections]
            close = difflib.get_close_matches(domain_raw, names, n=1, cutoff=0.3)
            self.fail(
                "domain",
                "E151",
                f"未知领域“{domain_raw}”",
                f"是不是“{close[0]}”？" if close else "领域名称见 data/sections.yml，例如 社会救助",
            )
        stage_raw = self.text(values, "stage", required=True)
        stage = cfg.stage(stage_raw) if stage_raw else None
        if stage_raw and stage is None:
            self.fail(
                "stage",
                "E152",
                f"未知公开阶段“{stage_raw}”",
                "可选：决策、执行、管理、服务、结果（可带“公开”二字）",
            )
        date = self.date(values, "date", required=True)
        written = self.date(values, "written")
        if date and written and written > date:
            self.fail(
                "written", "E143", f"成文日期 {written} 晚于发布日期 {date}", "检查两个日期是否写反"
            )
        index_no = self.text(values, "index_no")
        if index_no and not INDEX_NO_RE.match(index_no):
            self.fail(
                "index_no",
                "E153",
                f"索引号“{index_no}”格式不对",
                "格式为 机构代码/年份-5位流水号，例如 000014349/2017-00110；也可以删掉这一行，由系统自动编号",
            )
        slug = self.text(values, "slug")
        if slug and not SLUG_RE.match(slug):
            self.fail(
                "slug", "E154", f"网址名“{slug}”只能含小写字母、数字、连字符", "例如 dibao-2024"
            )
        draft = values.get("draft", False)
        if not isinstance(draft, bool):
            draft = str(draft).strip() in ("是", "true", "True")
        return Item(
            source=self.rel,
            title=title,
            domain=section.slug if section else "",
            stage=stage.slug if stage else "",
            date=date or dt.date.min,
            department=self.text(values, "department", required=True),
            doc_no=self.text(values, "doc_no"),
            index_no=index_no,
            written=written,
            summary=self.text(values, "summary"),
            keywords=self.strings(values, "keywords"),
            doc_type=self.choice(values, "doc_type", DOC_TYPES, "其他")
            if values.get("doc_type")
            else "",
            attachments=self.attachments(values),
            validity=self.validity(values),
            disclosure=self.choice(values, "disclosure", DISCLOSURES, "主动公开"),
            draft=bool(draft),
            related=self.strings(values, "related"),
            privacy_exception=self.text(values, "privacy_exception"),
            lang=self.choice(values, "lang", LANGS, "zh"),
            translation_of=self.text(values, "translation_of"),
            slug=slug,
            body=body,
            body_line=body_line,
            lines=self.lines,
        )

    def validity(self, values: dict[str, Any]) -> Validity:
        raw = values.get("validity")
        if raw is None:
            return Validity("有效", None)
        if isinstance(raw, dict):
            status = str(raw.get("status", "")).strip()
            sub = {"validity": raw.get("date")} if raw.get("date") else {}
            when = self.date(sub, "validity") if sub else None
        else:
            status, when = str(raw).strip(), None
        if status not in VALIDITIES:
            self.fail(
                "validity",
                "E155",
                f"有效性“{status}”无效",
                "可选：有效、失效、废止；失效或废止可写成 {status: 废止, date: 2025-01-01}",
            )
            return Validity("有效", None)
        return Validity(status, when)

    def attachments(self, values: dict[str, Any]) -> tuple[Attachment, ...]:
        raw = values.get("attachments")
        if raw is None:
            return ()
        if not isinstance(raw, list):
            raw = [raw]
        out = []
        seen: set[str] = set()
        for entry in raw:
            if isinstance(entry, dict):
                name, title = str(entry.get("file", "")), str(entry.get("title", "") or "")
            else:
                name, title = str(entry), ""
            name = name.strip()
            target = self.folder / name
            key = posixpath.normpath(name)
            problem = None
            if not name:
                problem = ("E221", "附件缺少文件名", "写成 - file: 文件名.pdf")
            elif any(ord(c) < 0x20 or ord(c) == 0x7F for c in name):
                problem = (
                    "E221",
                    f"附件文件名“{name!r}”含有控制字符",
                    "只写磁盘上的文件名，例如 - file: 名单.pdf",
                )
            elif (
                name.startswith(("/", "\\"))
                or re.match(r"^[A-Za-z]:", name)
                or ".." in Path(name).parts
                or ".." in name.split("\\")
            ):
                problem = (
                    "E222",
                    f"附件路径“{name}”指向条目目录以外",
                    "把附件放在 .md 文件旁边，只写文件名",
                )
            elif key in seen:
                problem = ("E226", f"附件“{name}”重复列出", "删除重复的一项")
            elif name.lower().endswith(".md"):
                problem = (
                    "E227",
                    f"附件“{name}”是条目文件（.md）",
                    "条目之间请用 related 或正文链接关联；要提供原文下载请另存为 PDF 等格式",
                )
            elif not _exists(target):
                problem = (
                    "E223",
                    f"找不到附件“{name}”",
                    "检查文件名（包括扩展名）是否与磁盘上的文件一致",
                )
            elif target.is_symlink() or not _inside(target.resolve(), self.root / "content"):
                problem = (
                    "E220",
                    f"附件“{name}”是指向 content/ 以外的链接",
                    "把文件本身复制到 content/ 中",
                )
            elif not target.is_file():
                problem = ("E221", f"附件“{name}”不是文件", "")
            if problem:
                self.fail("attachments", *problem)
                continue
            seen.add(key)
            out.append(
                Attachment(
                    file=name,
                    title=self.clean("attachments", title.strip()) or name,
                    source=target.relative_to(self.root).as_posix(),
                    size=target.stat().st_size,
                )
            )
        return tuple(out)
