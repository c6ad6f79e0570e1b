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


def load_mapping(text: str, path: str, line_offset: int = 0) -> tuple[Mapping | None, list[Diagnostic]]:
    """Parse `text` as a YAML mapping; lines in diagnostics are shifted by `line_offset`."""
    problems = _prescan(text, path, line_offset)
    if problems:
        return None, problems
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Mapping({}, {}, {}), []
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
            key = str(loader.construct_object(key_node, deep=True))
            line = key_node.start_mark.line + 1 + line_offset
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
            values[key] = loader.construct_object(value_node, deep=True)
            lines[key] = line
            cols[key] = value_node.start_mark.column + 1
        return Mapping(values, lines, cols), []
    except yaml.MarkedYAMLError as exc:
        return None, [_yaml_error(exc, path, line_offset)]
    except yaml.YAMLError as exc:  # pragma: no cover - unmarked errors are rare
        return None, [error(path, 1 + line_offset, 1, "E110", f"YAML 格式错误：{exc}")]
    finally:
        loader.dispose()


def _prescan(text: str, path: str, line_offset: int) -> list[Diagnostic]:
    """Mistakes PyYAML reports badly: tabs, full-width colons, full-width spaces as indentation."""
    problems = []
    for n, line in enumerate(text.split("\n"), start=1 + line_offset):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t") or (line.startswith(" ") and "\t" in line[: len(line) - len(stripped) + 1]):
            problems.append(
                error(path, n, 1, "E113", "元数据的缩进用了制表符（Tab）", "YAML 只能用空格缩进：把 Tab 换成两个空格")
            )
        elif line.startswith("\u3000"):
            problems.append(
                error(path, n, 1, "E114", "元数据的行首有全角空格", "删除行首的全角空格“　”，缩进只能用半角空格")
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
    ("found character '\\t'", "这一行含有制表符（Tab）", "YAML 只能用空格缩进：把 Tab 换成两个空格"),
    ("mapping values are not allowed", "值里出现了未加引号的“: ”", "值里含有“: ”时请用引号把整个值括起来，例如 title: \"通知: 关于……\""),
    ("could not find expected ':'", "这一行缺少冒号“:”", "检查这一行是否漏写了冒号，或者上一行的引号没有配对"),
    ("found unexpected end of stream", "引号没有配对", "检查这一行的引号是否成对出现"),
    ("did not find expected key", "缩进不一致", "检查缩进是否一致，列表项请以“- ”开头"),
    ("found undefined alias", "值以“*”开头", "值以“*”开头时请用引号括起来"),
    ("did not find expected ',' or ']'", "方括号列表没有正确结束", "列表写成 [甲, 乙]，逗号用半角“,”"),
    ("did not find expected ',' or '}'", "花括号没有正确结束", "写成 {status: 废止, date: 2025-01-01}"),
    ("found a tab character", "这一行含有制表符（Tab）", "YAML 只能用空格缩进：把 Tab 换成两个空格"),
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
