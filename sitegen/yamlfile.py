"""YAML reading that keeps line numbers and turns PyYAML errors into Chinese diagnostics.

Dates are NOT resolved by YAML (a bad date like 2024-02-30 must become our own diagnostic, not a
PyYAML exception), so every scalar except booleans, integers, floats and null stays a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from .diagnostics import Diagnostic, error

_BASE = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


class _Loader(_BASE):  # type: ignore[misc, valid-type]
    """SafeLoader (libyaml-backed when available) without the timestamp resolver."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass(frozen=True, slots=True)
class Mapping:
    """A top-level YAML mapping with the source line of every key."""

    values: dict[str, Any]
    """Key → constructed Python value (dates stay strings)."""
    lines: dict[str, int]
    """Key → 1-based line of the key in the file."""
    cols: dict[str, int]
    """Key → 1-based column of the value in the file."""


_FULLWIDTH_KEY = re.compile(r"^(\s*)([^\s:：#\-][^:：]*?)\s*：")


def load_mapping(
    text: str, path: str, line_offset: int = 0
) -> tuple[Mapping | None, list[Diagnostic]]:
    """Parse `text` as a YAML mapping; lines in diagnostics are shifted by `line_offset`."""
    problems = _prescan(text, path, line_offset)
    if problems:
        return None, problems
    # libyaml recurses in C: deep nesting segfaults
    too_deep = None if _shallow(text) else _too_deep(text, path, line_offset)
    if too_deep is not None:
        return None, [too_deep]
    loader = _Loader(text)
    key_line = 1 + line_offset
    try:
        node = loader.get_single_node()
        if node is None:
            return Mapping({}, {}, {}), []
        unreadable = None if _plain(text) else _unreadable(node, path, line_offset)
        if unreadable is not None:
            return None, [unreadable]
        if not isinstance(node, yaml.MappingNode):
            line = node.start_mark.line + 1 + line_offset
            return None, [
                error(
                    path,
                    line,
                    node.start_mark.column + 1,
                    "E111",
                    "元数据（front-matter）不是“键: 值”的形式",
                    "每行写一个字段，例如 `title: 关于……的通知`，冒号用半角“:”且后面加空格",
                )
            ]
        values: dict[str, Any] = {}
        lines: dict[str, int] = {}
        cols: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1 + line_offset
            key = str(_construct(loader, key_node))
            line = key_line
            if key in values:
                return None, [
                    error(
                        path,
                        line,
                        key_node.start_mark.column + 1,
                        "E112",
                        f"字段“{key}”重复出现（第一次在第 {lines[key]} 行）",
                        "删除多余的一行",
                    )
                ]
            values[key] = _construct(loader, value_node)
            lines[key] = line
            cols[key] = value_node.start_mark.column + 1
        return Mapping(values, lines, cols), []
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, path, line_offset)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [error(path, 1 + line_offset, 1, "E110", f"YAML 格式错误：{exc}")]
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeError) as exc:
        # a value YAML accepts but Python cannot build: `!!int x`, a 5000-digit number, "\ud800"
        return None, [
            error(
                path,
                key_line,
                1,
                "E110",
                f"元数据（YAML）格式错误：这一行的值无法读取（{type(exc).__name__}: {str(exc)[:80]}）",
                "把值写成普通文字；含有特殊符号时用引号括起来，不要用“!!”标记",
            )
        ]
    finally:
        loader.dispose()


_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"


def _construct(loader: Any, node: yaml.Node) -> Any:
    """``loader.construct_object(node, deep=True)``, without PyYAML's per-value bookkeeping for the
    common values: a string, and a list of strings (libyaml has already resolved their tags). The
    constructor took ~7 µs per value, a quarter of reading a front-matter."""
    if node.tag == _STR and isinstance(node, yaml.ScalarNode):
        return node.value
    if (
        node.tag == _SEQ
        and isinstance(node, yaml.SequenceNode)
        and all(c.tag == _STR and isinstance(c, yaml.ScalarNode) for c in node.value)
    ):
        return [c.value for c in node.value]
    return loader.construct_object(node, deep=True)


MAX_DEPTH = 64
"""Deepest nesting of lists and mappings accepted in YAML (front-matter needs two or three)."""
MAX_NODES = 20_000
"""Most values a YAML document may expand to, aliases counted at every use ("billion laughs")."""
_BLOCK_INDICATOR_RE = re.compile(r"(?:^|(?<=\s))[-?:](?=\s|$)")
_FLOW_RE = re.compile(r"[\[\]{}]")


def _shallow(text: str) -> bool:
    """True when _too_deep cannot object: even counting every line as one more indentation level
    and every indicator and bracket in the text as one more nesting level stays within MAX_DEPTH
    (ordinary front-matter: ~15 lines, ~30 colons and dashes)."""
    indicators = sum(text.count(c) for c in "-?:[{")
    return text.count("\n") + 1 + indicators <= MAX_DEPTH


def _plain(text: str) -> bool:
    """True when _unreadable cannot object: no alias (`*`), no escape that could make a surrogate,
    no surrogate, and too short to hold MAX_NODES values (without aliases a value takes at least one
    character: `{a,b}` is five of them)."""
    return (
        "*" not in text
        and "\\" not in text
        and len(text) * 4 < MAX_NODES
        and _SURROGATE_RE.search(text) is None
    )


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _too_deep(text: str, path: str, line_offset: int) -> Diagnostic | None:
    """E116 when lists/mappings may nest deeper than MAX_DEPTH (an over-estimate, never under)."""
    indents: list[int] = []
    flow = 0
    for n, line in enumerate(text.split("\n"), start=1 + line_offset):
        body = line.lstrip(" ")
        if not body or body.startswith("#"):
            continue
        indent = len(line) - len(body)
        while indents and indents[-1] >= indent:
            indents.pop()
        indents.append(indent)
        deepest = flow
        for m in _FLOW_RE.finditer(body):
            flow = flow + 1 if m.group() in "[{" else max(flow - 1, 0)
            deepest = max(deepest, flow)
        if len(indents) + len(_BLOCK_INDICATOR_RE.findall(body)) + deepest > MAX_DEPTH:
            return error(
                path,
                n,
                1,
                "E116",
                f"元数据嵌套过深（超过 {MAX_DEPTH} 层列表或缩进）",
                "元数据每行写一个“键: 值”，列表写成 [甲, 乙]；检查是否误粘贴了大量括号或“- ”",
            )
    return None


def _unreadable(root: yaml.Node, path: str, line_offset: int) -> Diagnostic | None:
    """E117 for documents that expand too much through aliases, or hold invalid characters."""
    sizes: dict[int, int] = {}

    def size(node: yaml.Node) -> int:  # recursion depth is bounded by _too_deep
        known = sizes.get(id(node))
        if known is not None:
            if known < 0:
                raise _Unreadable(node, "别名（*）指向了它自己所在的列表或映射")
            return known
        if isinstance(node, yaml.ScalarNode):
            if any("\ud800" <= c <= "\udfff" for c in node.value):
                raise _Unreadable(node, "值含有无效的 Unicode 字符（代理项 \\ud800–\\udfff）")
            sizes[id(node)] = 1
            return 1
        sizes[id(node)] = -1
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, yaml.MappingNode)
            else node.value
        )
        total = 1
        for child in children:
            total += size(child)
            if total > MAX_NODES:
                raise _Unreadable(node, f"元数据展开后超过 {MAX_NODES} 个值（别名“*”用得过多）")
        sizes[id(node)] = total
        return total

    try:
        size(root)
    except _Unreadable as exc:
        mark = exc.node.start_mark
        return error(
            path,
            mark.line + 1 + line_offset,
            mark.column + 1,
            "E117",
            f"元数据无法读取：{exc.reason}",
            "不要在元数据中使用锚点“&”和别名“*”；值以“*”或“&”开头时用引号括起来",
        )
    return None


class _Unreadable(Exception):
    def __init__(self, node: yaml.Node, reason: str):
        super().__init__(reason)
        self.node = node
        self.reason = reason


def _prescan(text: str, path: str, line_offset: int) -> list[Diagnostic]:
    """Mistakes PyYAML reports badly: tabs, full-width colons, full-width spaces as indentation."""
    problems = []
    for n, line in enumerate(text.split("\n"), start=1 + line_offset):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") or (
            line.startswith(" ") and "\t" in line[: len(line) - len(stripped) + 1]
        ):
            problems.append(
                error(
                    path,
                    n,
                    1,
                    "E113",
                    "元数据的缩进用了制表符（Tab）",
                    "YAML 只能用空格缩进：把 Tab 换成两个空格",
                )
            )
        elif line.startswith("\u3000"):
            problems.append(
                error(
                    path,
                    n,
                    1,
                    "E114",
                    "元数据的行首有全角空格",
                    "删除行首的全角空格“　”，缩进只能用半角空格",
                )
            )
        else:
            m = _FULLWIDTH_KEY.match(line)
            if m and ":" not in line[: m.end()] and not line.lstrip().startswith("#"):
                problems.append(
                    error(
                        path,
                        n,
                        m.end(),
                        "E115",
                        f"“{m.group(2)}”后面用了全角冒号“：”",
                        f"改成半角冒号加空格：`{m.group(2)}: …`",
                    )
                )
    return problems


# PyYAML problem text → (Chinese description, hint).
_YAML_PROBLEMS = (
    (
        "found character '\\t'",
        "这一行含有制表符（Tab）",
        "YAML 只能用空格缩进：把 Tab 换成两个空格",
    ),
    (
        "mapping values are not allowed",
        "值里出现了未加引号的“: ”",
        '值里含有“: ”时请用引号把整个值括起来，例如 title: "通知: 关于……"',
    ),
    (
        "could not find expected ':'",
        "这一行缺少冒号“:”",
        "检查这一行是否漏写了冒号，或者上一行的引号没有配对",
    ),
    ("found unexpected end of stream", "引号没有配对", "检查这一行的引号是否成对出现"),
    ("did not find expected key", "缩进不一致", "检查缩进是否一致，列表项请以“- ”开头"),
    ("found undefined alias", "值以“*”开头", "值以“*”开头时请用引号括起来"),
    (
        "did not find expected ',' or ']'",
        "方括号列表没有正确结束",
        "列表写成 [甲, 乙]，逗号用半角“,”",
    ),
    (
        "did not find expected ',' or '}'",
        "花括号没有正确结束",
        "写成 {status: 废止, date: 2025-01-01}",
    ),
    (
        "found a tab character",
        "这一行含有制表符（Tab）",
        "YAML 只能用空格缩进：把 Tab 换成两个空格",
    ),
)


def _yaml_error(exc: yaml.MarkedYAMLError, path: str, line_offset: int) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    if isinstance(exc, yaml.scanner.ScannerError) and exc.context_mark is not None:
        mark = exc.context_mark  # where the quote or key began: the line the editor must fix
    line = (mark.line + 1 if mark else 1) + line_offset
    col = mark.column + 1 if mark else 1
    problem = exc.problem or str(exc)
    described, hint = next(
        ((m, h) for needle, m, h in _YAML_PROBLEMS if needle in problem),
        ("写法有误", "检查这一行的写法：键和值之间用“: ”分隔，值里有特殊符号时加引号"),
    )
    return error(path, line, col, "E110", f"元数据（YAML）格式错误：{described}（{problem}）", hint)
