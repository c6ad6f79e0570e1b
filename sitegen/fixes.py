"""Source-side fixes an editor runs by hand: `sitegen mask FILE…` and `sitegen fix-encoding FILE…`.

Both rewrite content files in place, through sitegen.output (the only module that writes files),
atomically and keeping each file's permission bits; a symlink is written through to its target.

- mask: replaces unmasked 身份证号 / 手机号 / 银行卡号 by their masked forms (sitegen.privacy).
  It prints a unified diff first and asks "确认修改？[y/N]" unless --yes is given. When stdin is not
  a terminal and --yes is missing, it prints the diff, changes nothing and exits 1. Masking keeps
  the text's length, so line endings, a BOM and every other byte of the file stay as they were.
- fix-encoding: converts GBK/GB18030, UTF-16/32 (with BOM) and UTF-8-with-BOM files to UTF-8
  without BOM (sitegen.encoding.convert_file_to_utf8), line endings unchanged.

Exit codes follow the CLI: 0 done (or nothing to do), 1 something was left unfixed, 2 a named file
does not exist.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .checks import KIND_NAMES
from .diagnostics import Diagnostic, error
from .encoding import convert_file_to_utf8, decode_bytes
from .output import write_bytes_file, write_text_file
from .privacy import Finding, line_col, mask_text

ENCODING_NAMES = {
    "utf-8-sig": "UTF-8（带 BOM）",
    "gbk": "GBK",
    "gb18030": "GB18030",
    "utf-16": "UTF-16",
    "utf-32": "UTF-32",
}
YES = frozenset({"y", "yes", "是", "是的", "确认"})


@dataclass(frozen=True, slots=True)
class MaskPlan:
    """What `sitegen mask` would change in one file."""

    path: Path
    """The file as named on the command line."""
    original: bytes
    """Its bytes when read (checked again just before writing)."""
    text: str
    """Its text, exactly as stored (BOM and line endings included)."""
    masked: str
    """The same text with every personal number masked (same length)."""
    findings: tuple[Finding, ...]
    """The numbers masked, by position."""


def mask_files(paths: Sequence[Path], assume_yes: bool) -> int:
    """`sitegen mask`: show the masking as a diff, ask, then rewrite the files; the exit code."""
    out, err = sys.stdout, sys.stderr
    status = 0
    plans: list[MaskPlan] = []
    for path in dict.fromkeys(paths):  # a file named twice is masked once
        plan, problem, code = _plan_mask(path)
        if problem is not None:
            print(problem.format(), file=err)
            status = max(status, code)
        elif plan is not None:
            plans.append(plan)
    if not plans:
        if status == 0:
            print("没有发现未遮盖的身份证号、手机号码或银行卡号，未改动任何文件。", file=out)
        return status
    for plan in plans:
        _print_plan(plan, out)
    total = sum(len(p.findings) for p in plans)
    print(f"共 {len(plans)} 个文件、{total} 处需要遮盖。", file=out)
    if not assume_yes:
        if not _interactive(sys.stdin):
            print(
                "未改动任何文件：标准输入不是终端，无法确认。核对上面的修改后，加 --yes 重新运行。",
                file=err,
            )
            return max(status, 1)
        if not _confirm("确认修改？[y/N] ", sys.stdin, out):
            print("已取消，未改动任何文件。", file=err)
            return max(status, 1)
    for plan in plans:
        if plan.path.read_bytes() != plan.original:
            print(
                error(
                    plan.path,
                    0,
                    0,
                    "E302",
                    "文件在确认期间被修改过，未改写",
                    "重新运行 sitegen mask",
                ).format(),
                file=err,
            )
            status = max(status, 1)
            continue
        write_text_file(plan.path.resolve(), plan.masked)
        print(f"已改写 {plan.path}：遮盖 {len(plan.findings)} 处。", file=out)
    return status


def fix_encoding(paths: Sequence[Path]) -> int:
    """`sitegen fix-encoding`: convert every named file to UTF-8 without BOM; the exit code."""
    out, err = sys.stdout, sys.stderr
    status = 0
    for path in paths:
        if not path.is_file():
            print(_missing(path).format(), file=err)
            status = max(status, 2)
            continue
        try:
            conversion = convert_file_to_utf8(path)
        except ValueError as exc:
            print(
                error(
                    path,
                    0,
                    0,
                    "E101",
                    f"无法转换编码：{exc}",
                    "用编辑器打开，确认内容正常后“另存为 UTF-8”",
                ).format(),
                file=err,
            )
            status = max(status, 1)
            continue
        if conversion is None:
            print(f"{path}：已是 UTF-8（无 BOM），未改动。", file=out)
            continue
        write_bytes_file(path.resolve(), conversion.data)
        name = ENCODING_NAMES.get(conversion.encoding, conversion.encoding)
        print(f"{path}：已从 {name} 转换为 UTF-8（无 BOM）。", file=out)
    return status


def _plan_mask(path: Path) -> tuple[MaskPlan | None, Diagnostic | None, int]:
    """(plan or None when nothing to mask, problem, exit code for the problem)."""
    if not path.is_file():
        return None, _missing(path), 2
    data = path.read_bytes()
    decoded, problems = decode_bytes(data, path.as_posix())
    if decoded is None:
        return None, next(d for d in problems if d.is_error), 1
    text = data.decode("utf-8")  # accepted by decode_bytes: UTF-8, maybe with a BOM
    masked, findings = mask_text(text)
    if not findings:
        return None, None, 0
    return MaskPlan(path, data, text, masked, tuple(findings)), None, 0


def _print_plan(plan: MaskPlan, out: TextIO) -> None:
    """The findings, then a unified diff of the file (line endings not shown)."""
    shown = plan.text.removeprefix("\ufeff")
    offset = len(plan.text) - len(shown)
    for f in plan.findings:
        line, col = line_col(shown, max(f.start - offset, 0))
        name = KIND_NAMES.get(f.kind, f.kind)
        print(f"{plan.path}:{line}:{col}: {name} {f.text} → {f.masked}", file=out)
    before = [text.rstrip("\r") for text in shown.split("\n")]
    after = [text.rstrip("\r") for text in plan.masked.removeprefix("\ufeff").split("\n")]
    file = plan.path.as_posix()
    for diff_line in difflib.unified_diff(before, after, f"a/{file}", f"b/{file}", lineterm=""):
        print(diff_line, file=out)


def _interactive(stream: TextIO | None) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False


def _confirm(prompt: str, stream: TextIO, out: TextIO) -> bool:
    print(prompt, end="", file=out, flush=True)
    answer = stream.readline()
    return answer.strip().lower() in YES


def _missing(path: Path) -> Diagnostic:
    return error(path, 0, 0, "E021", f"找不到文件 {path}", "检查文件名；可以一次写多个文件")
