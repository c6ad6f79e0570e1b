"""Diagnostics: every problem sitegen finds, with a place, a stable code, a Chinese message and a hint.

A stage never prints and never raises on bad content: it returns diagnostics. The build collects all
of them, prints them in source order, and stops when any is an error. Codes are stable so editors and
the disclosure office can look them up in docs/diagnostics.md.

Code ranges:
  E0xx  usage / configuration (data/*.yml, command line)
  E1xx  front-matter and file reading (encoding, YAML, fields, values)
  E2xx  content integrity (duplicates, links, attachments, paths)
  E3xx  privacy (unmasked personal numbers)
  E4xx  templates, translations, theme
  W...  warnings with the same numbering
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .records import fast_pickle


class Severity(enum.Enum):
    """How bad a diagnostic is: errors stop the build, warnings are reported only."""

    ERROR = "错误"
    WARNING = "警告"


@fast_pickle
@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found in one place."""

    path: str
    """File the problem is in, relative to the site root (posix separators), or "" for the site."""
    line: int
    """1-based line in that file (0 when the problem concerns the whole file)."""
    col: int
    """1-based column (0 when unknown)."""
    code: str
    """Stable code such as "E104"; the first letter repeats the severity."""
    message: str
    """What is wrong, in Chinese, naming the offending value."""
    hint: str = ""
    """How to fix it, in Chinese ("" when the message says it all)."""
    severity: Severity = Severity.ERROR
    """Error (stops the build) or warning."""

    def format(self) -> str:
        """`PATH:LINE:COL: 错误 [CODE] message` plus an indented hint line."""
        where = f"{self.path or '<站点>'}:{self.line}:{self.col}"
        text = f"{where}: {self.severity.value} [{self.code}] {self.message}"
        if self.hint:
            text += f"\n    提示：{self.hint}"
        return text

    @property
    def is_error(self) -> bool:
        """True when this diagnostic stops the build."""
        return self.severity is Severity.ERROR


def error(
    path: str | Path, line: int, col: int, code: str, message: str, hint: str = ""
) -> Diagnostic:
    """Shorthand for an error diagnostic."""
    return Diagnostic(_posix(path), line, col, code, message, hint, Severity.ERROR)


def warning(
    path: str | Path, line: int, col: int, code: str, message: str, hint: str = ""
) -> Diagnostic:
    """Shorthand for a warning diagnostic."""
    return Diagnostic(_posix(path), line, col, code, message, hint, Severity.WARNING)


def _posix(path: str | Path) -> str:
    return path.as_posix() if isinstance(path, Path) else path.replace("\\", "/")


def sort_key(d: Diagnostic) -> tuple[str, int, int, str]:
    """Source order: by file, then line, then column, then code."""
    return (d.path, d.line, d.col, d.code)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    """True when any diagnostic is an error."""
    return any(d.is_error for d in diagnostics)


def format_all(diagnostics: Iterable[Diagnostic]) -> str:
    """All diagnostics in source order, then a one-line summary in Chinese."""
    ds = sorted(diagnostics, key=sort_key)
    errors = sum(d.is_error for d in ds)
    lines = [d.format() for d in ds]
    lines.append(f"共 {errors} 个错误，{len(ds) - errors} 个警告。")
    return "\n".join(lines)


class BuildFailed(Exception):
    """Raised by build() when validation found errors; carries every diagnostic found."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics: tuple[Diagnostic, ...] = tuple(sorted(diagnostics, key=sort_key))
        super().__init__(format_all(self.diagnostics))


class UsageError(Exception):
    """A problem with how sitegen was called or configured; exit code 2."""

    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic
        super().__init__(diagnostic.format())
