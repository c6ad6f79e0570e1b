"""Rendering: the site model → HTML pages, through the theme's Jinja2 templates.

Templates see frozen model values and a few helpers (`url`, `t`, `date`); they cannot change the
model. Undefined variables and missing interface strings fail the page that needed them. The
navigation block is identical on every page: it is rendered once per folder depth and edition.
"""

from __future__ import annotations

import contextlib
import copy
import pickle
import re
import types
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
import jinja2.ext
import jinja2.nodes
import jinja2.parser
import jinja2.runtime
from markupsafe import Markup, escape

from .bodies import body_for
from .config import Section, SiteConfig, Stage
from .i18n import MissingMessage, Translator, format_date
from .markdown import RenderedMarkdown
from .model import Edition, Entry, ListPage, Site
from .output import OutputFile, write_cache


class TemplateProblem(Exception):
    """A template failed (missing template, undefined variable or interface string) for one page."""


@dataclass(frozen=True, slots=True)
class PageContext:
    """What every template gets besides its own page value."""

    site: Site
    """The whole site (read-only)."""
    config: SiteConfig
    """Shortcut to site.config."""
    edition: Edition
    """The edition this page belongs to."""
    path: str
    """Output path of the page being rendered."""


class _Context(jinja2.runtime.Context):
    """Jinja's template context, with a short way through calls to plain helpers.

    Templates call helpers (`t`, `url`, `date`, `entry_title` …) ~50 times per page, and
    Context.call looked at each callee twice for a "pass the context" mark: a third of all render
    time. A plain function, method or translator without the mark is now called straight away;
    anything else (macros, marked functions, classes) takes Jinja's own way.
    """

    def call(__self, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # Jinja's parameter names
        """Call `__obj` as Jinja would."""
        if type(__obj) in _PLAIN_CALLABLES and not hasattr(__obj, "jinja_pass_arg"):
            kwargs.pop("_loop_vars", None)
            kwargs.pop("_block_vars", None)
            try:
                return __obj(*args, **kwargs)
            except StopIteration:  # as Jinja: a helper's StopIteration must not end a loop
                return __self.environment.undefined(
                    "value was undefined because a callable raised a StopIteration exception"
                )
        return super().call(__obj, *args, **kwargs)


_PLAIN_CALLABLES = frozenset(
    {types.FunctionType, types.MethodType, types.BuiltinFunctionType, Translator}
)
"""Callee types that never take a context unless marked (a translator's __call__ is unmarked)."""


_URL_UNSAFE_RE = re.compile(r'[\x00-\x20\x7f"#%<>?\\^`{|}]')


def url_path(path: str) -> str:
    """A file path as a link: characters with a meaning in URLs (# ? % space …) percent-encoded.

    Chinese stays as written (browsers encode it), so a download link to 附件#1 (2024).xlsx works.
    """
    return _URL_UNSAFE_RE.sub(
        lambda m: "".join(f"%{b:02X}" for b in m.group().encode("utf-8")), path
    )


def relative(from_page: str, to_path: str) -> str:
    """Relative link from the page at `from_page` to the output path `to_path` (both from the root).

    Both are clean "/"-separated paths of files, so this is a prefix comparison (posixpath.relpath
    consults the working directory and is ~20x slower; this runs ~50 times per page).
    """
    here = from_page.split("/")[:-1]
    there = to_path.split("/")
    common = 0
    limit = min(len(here), len(there) - 1)
    while common < limit and here[common] == there[common]:
        common += 1
    return "../" * (len(here) - common) + "/".join(there[common:])


class FragmentCache(jinja2.ext.Extension):
    """`{% cache "name" %}…{% endcache %}`: the enclosed part of a template is rendered once per
    edition and folder, and the same HTML is used on every other page of that folder.

    For the parts of the page frame that depend on nothing but the edition's language and the
    page's folder (links are relative to the folder): the header's tools and search form, the
    footer. Page values must stay outside the block. This spares ~30 helper calls per page.
    """

    tags = {"cache"}  # noqa: RUF012 - the type jinja2.ext.Extension declares

    def __init__(self, environment: jinja2.Environment) -> None:
        super().__init__(environment)
        self.fragments: dict[tuple[str, str, str], str] = {}

    def parse(self, parser: jinja2.parser.Parser) -> jinja2.nodes.Node:
        lineno = next(parser.stream).lineno
        name = parser.parse_expression()
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        key = [name, jinja2.nodes.Name("lang", "load"), jinja2.nodes.Name("path", "load")]
        call = self.call_method("_fragment", key)
        return jinja2.nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, name: str, lang: str, path: str, caller: Callable[[], str]) -> str:
        key = (name, lang, path.rpartition("/")[0])
        html = self.fragments.get(key)
        if html is None:
            html = self.fragments[key] = caller()
        return html


_COMPILED: dict[str, bytes] = {}
"""Compiled templates by Jinja's key, kept for the life of the process (a preview rebuilds often)."""


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the life of the process, and in `folder` between runs when
    one is given (the build cache's: a rebuild from the command line compiles nothing again).

    Jinja keys each entry by template name and checks a checksum of its source, so an edited
    template is compiled again; the folder's name holds Jinja's version.
    """

    def __init__(self, folder: Path | None) -> None:
        self._folder = folder / f"templates-{jinja2.__version__}" if folder else None

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = _COMPILED.get(bucket.key)
        if code is None and self._folder is not None:
            try:
                code = (self._folder / bucket.key).read_bytes()
            except OSError:
                return
        if code is not None:
            try:
                bucket.bytecode_from_string(code)
            except (ValueError, EOFError, TypeError, pickle.UnpicklingError):  # damaged
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = _COMPILED[bucket.key] = bucket.bytecode_to_string()
        if self._folder is not None:
            with contextlib.suppress(OSError):  # read-only: compiled again next time
                write_cache(self._folder / bucket.key, lambda f: f.write(code))


class Renderer:
    """Holds the Jinja environment and per-edition helpers; renders one page at a time."""

    def __init__(
        self,
        site: Site,
        theme_dir: Path,
        translators: Mapping[str, Translator],
        bodies: Mapping[str, RenderedMarkdown],
        extra_head: str = "",
        extra_body: str = "",
        template_globals: Mapping[str, Any] | None = None,
        compiled: Path | None = None,
    ):
        """`template_globals` are visible to every template, the navigation included; `compiled`
        is a folder that keeps compiled templates between runs (CompiledTemplates)."""
        self.site = site
        self.translators = translators
        self.bodies = bodies
        self.extra_head = Markup(extra_head)
        self.extra_body = Markup(extra_body)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(theme_dir / "templates"),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=CompiledTemplates(compiled),
            extensions=[FragmentCache],
            auto_reload=False,  # one environment per build: no stat() of the templates per page
        )
        self.env.context_class = _Context
        self.env.globals.update({"portal": None, **(template_globals or {})})
        self.env.filters["url_path"] = url_path
        self._nav: dict[tuple[str, str], Markup] = {}
        self._names = {e.lang: _Names(e.lang) for e in site.editions}

    def compile_all(self) -> None:
        """Compile every template of the theme now, so that forked workers share them instead of
        each compiling its own. A template that does not compile is left for the page that uses
        it to report (TemplateProblem names that page)."""
        for name in self.env.list_templates():
            with contextlib.suppress(jinja2.TemplateError):
                self.env.get_template(name)

    def with_bodies(self, overlay: Mapping[str, RenderedMarkdown]) -> Renderer:
        """A renderer like this one whose bodies are `overlay` over this one's (quick previews)."""
        other = copy.copy(self)
        other.bodies = ChainMap(dict(overlay), self.bodies)
        return other

    def page(self, template: str, path: str, edition: Edition, **values: Any) -> OutputFile:
        """Render `template` for the page at output path `path`."""
        t = self.translators[edition.lang]

        def url(target: str, *, edition_relative: bool = True) -> str:
            return relative(path, (edition.prefix if edition_relative else "") + target)

        context = {
            "ctx": PageContext(self.site, self.site.config, edition, path),
            "site": self.site,
            "config": self.site.config,
            "edition": edition,
            "lang": edition.lang,
            "html_lang": "zh-Hans" if edition.lang == "zh" else edition.lang,
            "path": path,
            "url": url,
            "root_url": lambda target: relative(path, target),
            "t": t,
            "date": lambda d: format_date(d, edition.lang),
            "counterparts": self._counterparts(path, edition),
            "section_name": self._names[edition.lang].section,
            "stage_name": self._names[edition.lang].stage,
            "entry_title": self._names[edition.lang].entry_title,
            "nav": self._nav_for(path, edition),
            "extra_head": self.extra_head,
            "extra_body": self.extra_body,
            "base_href": "",
            **values,
        }
        try:
            html = self.env.get_template(template).render(context)
        except jinja2.TemplateNotFound as exc:
            raise TemplateProblem(f"渲染 {path} 时找不到模板 {exc.name}") from exc
        except MissingMessage as exc:
            raise TemplateProblem(f"渲染 {path} 时出错：{exc.args[0]}") from exc
        except jinja2.UndefinedError as exc:
            raise TemplateProblem(
                f"渲染 {path} 时模板 {template} 用到了未定义的变量：{exc.message}"
            ) from exc
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateProblem(
                f"模板 {exc.name or template} 第 {exc.lineno} 行有语法错误：{exc.message}"
            ) from exc
        except jinja2.TemplateError as exc:
            raise TemplateProblem(f"渲染 {path} 时模板 {template} 出错：{exc}") from exc
        return OutputFile(path, html.encode("utf-8"))

    def _nav_for(self, path: str, edition: Edition) -> Markup:
        folder = path.rpartition("/")[0]
        key = (edition.lang, folder)
        if key not in self._nav:
            try:
                nav = self.env.get_template("nav.html").render(
                    config=self.site.config,
                    edition=edition,
                    url=lambda target: relative(path, edition.prefix + target),
                    t=self.translators[edition.lang],
                    lang=edition.lang,
                )
            except jinja2.TemplateNotFound as exc:
                raise TemplateProblem(f"渲染 {path} 的导航时找不到模板 {exc.name}") from exc
            except MissingMessage as exc:
                raise TemplateProblem(f"渲染 {path} 的导航时出错：{exc.args[0]}") from exc
            except jinja2.UndefinedError as exc:
                raise TemplateProblem(
                    f"渲染 {path} 时模板 nav.html 用到了未定义的变量：{exc.message}"
                ) from exc
            except jinja2.TemplateSyntaxError as exc:
                raise TemplateProblem(
                    f"模板 {exc.name or 'nav.html'} 第 {exc.lineno} 行有语法错误：{exc.message}"
                ) from exc
            except jinja2.TemplateError as exc:
                raise TemplateProblem(f"渲染 {path} 的导航时出错：{exc}") from exc
            self._nav[key] = Markup(nav)
        return self._nav[key]

    def _counterparts(self, path: str, edition: Edition) -> tuple[tuple[str, str, str], ...]:
        """(lang, hreflang, relative link) of this page in every other edition."""
        if len(self.site.editions) == 1:
            return ()
        rel = path[len(edition.prefix) :]
        return tuple(
            (e.lang, "zh-Hans" if e.lang == "zh" else e.lang, relative(path, e.prefix + rel))
            for e in self.site.editions
            if e is not edition
        )


@dataclass(frozen=True, slots=True)
class _Names:
    """Display names in one edition's language (plain functions: much cheaper than Jinja macros)."""

    lang: str
    """Edition language."""

    def section(self, s: Section) -> str:
        """A domain's name, in Yi where the Yi edition has one."""
        return s.name_ii if self.lang == "ii" and s.name_ii else s.name

    def stage(self, s: Stage) -> str:
        """A stage's name ("结果公开"), in Yi where the Yi edition has one."""
        return s.name_ii if self.lang == "ii" and s.name_ii else s.full_name

    def entry_title(self, e: Entry) -> Markup:
        """An entry's title; marked lang="zh-Hans" when a Yi page shows an untranslated title."""
        if self.lang != "zh" and e.lang != self.lang:
            return Markup(f'<span lang="zh-Hans">{escape(e.text.title)}</span>')
        return escape(e.text.title)


@dataclass(frozen=True, slots=True)
class PageJob:
    """One page to render: what it shows, without rendering it yet."""

    path: str
    """Output path of the page."""
    kind: str
    """"home", "list", "item", "search" or "404"."""
    edition: Edition
    """The edition it belongs to."""
    value: ListPage | Entry | None
    """The list page or entry it shows (None for home, search, 404)."""

    def render(self, renderer: Renderer) -> OutputFile:
        """Render the page."""
        if self.kind == "list":
            assert isinstance(self.value, ListPage)
            return render_list(renderer, self.edition, self.value)
        if self.kind == "item":
            assert isinstance(self.value, Entry)
            return render_item(renderer, self.edition, self.value)
        if self.kind == "404":
            return renderer.page(
                "404.html",
                self.path,
                self.edition,
                page=None,
                base_href=not_found_base(renderer.site, self.edition),
            )
        return renderer.page(f"{self.kind}.html", self.path, self.edition, page=None)


def not_found_base(site: Site, edition: Edition) -> str:
    """<base href> for the 404 page, which a web server returns for any missing URL at any depth:
    the configured site path ("/xxgk/" from site_url) plus the edition folder; "" = no site_url."""
    if not site.config.site_url:
        return ""
    return urlsplit(site.config.site_url).path.rstrip("/") + "/" + edition.prefix


def page_jobs(site: Site) -> Iterator[PageJob]:
    """Every HTML page of every edition, in output order."""
    for edition in site.editions:
        yield PageJob(edition.path("index.html"), "home", edition, None)
        for lst in edition.lists:
            yield PageJob(lst.path, "list", edition, lst)
        for entry in edition.entries:
            yield PageJob(entry.path, "item", edition, entry)
        yield PageJob(edition.path("search/index.html"), "search", edition, None)
        yield PageJob(edition.path("404.html"), "404", edition, None)


def render_list(renderer: Renderer, edition: Edition, lst: ListPage) -> OutputFile:
    """One page of a domain, domain-stage or stage list."""
    return renderer.page("list.html", lst.path, edition, page=lst)


def render_item(renderer: Renderer, edition: Edition, entry: Entry) -> OutputFile:
    """One item page with its metadata table and body."""
    body = body_for(renderer.bodies, entry.text.source, edition.prefix)
    return renderer.page(
        "item.html",
        entry.path,
        edition,
        page=entry,
        body=Markup(body.html),
        links=edition.links[entry.item.source],
    )
