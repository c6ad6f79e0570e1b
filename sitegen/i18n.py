"""Interface text catalogs (data/i18n/<lang>.yml) and date formatting per language.

Chinese is the reference catalog: a key missing there is a theme bug and fails the page that needs it.
Another language falls back to Chinese for a missing key and reports a warning. Entries written as
`key: {text: …, review: true}` have not been checked by a speaker of the language; `sitegen check`
lists them (W406), and lists an unchecked entry whose text is still the Chinese one as untranslated
(W404, like a missing key).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from .diagnostics import Diagnostic, error, warning


@dataclass(frozen=True, slots=True)
class Message:
    """One interface string."""

    text: str
    """The text."""
    needs_review: bool
    """True when no speaker has checked it."""
    line: int
    """Line in the catalog file."""


@dataclass(frozen=True, slots=True)
class Catalog:
    """Interface strings of one language."""

    lang: str
    """Language code: "zh" or "ii"."""
    path: str
    """Catalog file relative to the site root."""
    messages: dict[str, Message]
    """Key → message."""


class MissingMessage(KeyError):
    """A template asked for a key the reference catalog does not have."""


def load_catalog(root: Path, lang: str) -> tuple[Catalog | None, list[Diagnostic]]:
    """Read data/i18n/<lang>.yml."""
    rel = f"data/i18n/{lang}.yml"
    path = root / rel
    if not path.is_file():
        return None, [
            error(
                rel, 0, 0, "E401", f"找不到界面文字文件 {rel}", "从 sitegen 自带的示例站点复制一份"
            )
        ]
    try:
        loader = yaml.SafeLoader(path.read_text(encoding="utf-8"))
        node = loader.get_single_node()
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return None, [error(rel, 1, 1, "E402", f"界面文字文件无法读取：{exc}")]
    if not isinstance(node, yaml.MappingNode):
        return None, [error(rel, 1, 1, "E402", "界面文字文件应为“键: 文字”的列表")]
    messages: dict[str, Message] = {}
    problems: list[Diagnostic] = []
    for key_node, value_node in node.value:
        key = str(key_node.value)
        line = key_node.start_mark.line + 1
        value = loader.construct_object(value_node, deep=True)
        if isinstance(value, dict) and isinstance(value.get("text"), str):
            messages[key] = Message(value["text"], bool(value.get("review")), line)
        elif isinstance(value, str):
            messages[key] = Message(value, False, line)
        else:
            problems.append(
                error(
                    rel,
                    line,
                    1,
                    "E403",
                    f"界面文字“{key}”的值无效",
                    "写成 key: 文字，或 key: {text: 文字, review: true}",
                )
            )
    return Catalog(lang, rel, messages), problems


@dataclass(frozen=True, slots=True)
class Translator:
    """Looks up interface strings for one edition, falling back to Chinese."""

    catalog: Catalog
    """The edition's catalog."""
    reference: Catalog
    """The Chinese catalog."""

    def __call__(self, key: str, **params: object) -> str:
        """The text for `key`, with {name} placeholders filled from `params`."""
        message = self.catalog.messages.get(key) or self.reference.messages.get(key)
        if message is None:
            raise MissingMessage(f"界面文字缺少键“{key}”（{self.reference.path}）")
        return message.text.format(**params) if params else message.text

    def is_fallback(self, key: str) -> bool:
        """True when `key` is shown in Chinese because this catalog lacks it."""
        return key not in self.catalog.messages


def load_translators(
    root: Path, languages: Sequence[str]
) -> tuple[dict[str, Translator] | None, list[Diagnostic]]:
    """A translator per edition language (the first is Chinese, the reference); None when the
    Chinese catalog cannot be read."""
    reference, problems = load_catalog(root, "zh")
    if reference is None:
        return None, problems
    out = {"zh": Translator(reference, reference)}
    for lang in languages[1:]:
        catalog, found = load_catalog(root, lang)
        problems += found
        out[lang] = Translator(catalog or reference, reference)
    return out, problems


def compare_catalogs(reference: Catalog, other: Catalog) -> list[Diagnostic]:
    """Keys missing from or extra in `other`, and its entries that still need review."""
    problems = []
    for key in reference.messages:
        if key not in other.messages:
            problems.append(
                warning(
                    other.path,
                    0,
                    0,
                    "W404",
                    f"缺少界面文字“{key}”，将显示中文",
                    f"在 {other.path} 中补上 {key}",
                )
            )
    for key, message in other.messages.items():
        if key not in reference.messages:
            problems.append(
                warning(
                    other.path,
                    message.line,
                    1,
                    "W405",
                    f"多余的界面文字“{key}”（中文目录中没有）",
                    "删除或在中文目录中补上",
                )
            )
        elif (
            message.needs_review
            and other.lang != reference.lang
            and message.text == reference.messages[key].text
        ):
            problems.append(
                warning(
                    other.path,
                    message.line,
                    1,
                    "W404",
                    f"界面文字“{key}”尚未翻译，暂用中文",
                    f"请懂彝文的同事在 {other.path} 中翻译后删除 review: true",
                )
            )
        elif message.needs_review and other.lang != reference.lang:
            problems.append(
                warning(
                    other.path,
                    message.line,
                    1,
                    "W406",
                    f"界面文字“{key}”尚未经母语者审校",
                    "请懂彝文的同事审校后删除 review: true",
                )
            )
    return problems


def format_date(value: dt.date | None, lang: str) -> str:
    """ISO date for Chinese (the disclosure standard); CLDR medium date for other languages."""
    if value is None:
        return ""
    if lang == "zh":
        return value.isoformat()
    from babel.dates import format_skeleton

    return format_skeleton("yMMMd", value, locale=lang)
