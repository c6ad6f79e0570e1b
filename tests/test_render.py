"""Relative links between output paths, and the page-frame fragments cached per folder."""

from __future__ import annotations

import posixpath
from pathlib import Path

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen import render as render_module
from sitegen.render import CompiledTemplates, FragmentCache, relative

segment = st.sampled_from(["a", "b", "ii", "stage", "shehui-jiuzhu", "x.html", "index.html"])
path = st.lists(segment, min_size=1, max_size=4).map("/".join)


@given(path, path)
def test_relative_matches_posixpath(src: str, dst: str) -> None:
    """Following the link from the folder of `src` lands exactly on `dst`."""
    link = relative(src, dst)
    assert not link.startswith("/")
    assert posixpath.normpath(posixpath.join(posixpath.dirname(src), link)) == posixpath.normpath(
        dst
    )


def test_examples() -> None:
    assert relative("index.html", "shehui-jiuzhu/index.html") == "shehui-jiuzhu/index.html"
    assert relative("shehui-jiuzhu/x.html", "index.html") == "../index.html"
    assert relative("ii/a/b/page-2.html", "ii/a/index.html") == "../index.html"
    assert relative("a/x.html", "a/y.html") == "y.html"
    assert relative("ii/a/x.html", "assets/site.css") == "../../assets/site.css"


def _cache_env() -> tuple[jinja2.Environment, list[str]]:
    calls: list[str] = []
    env = jinja2.Environment(
        loader=jinja2.DictLoader(
            {
                "page.html": '{% cache "frame" %}[{{ link(path) }}|{{ lang }}]{% endcache %}'
                "{{ path }}",
                "nolang.html": '{% cache "frame" %}x{% endcache %}',
            }
        ),
        undefined=jinja2.StrictUndefined,
        extensions=[FragmentCache],
    )

    def link(path: str) -> str:
        calls.append(path)
        return relative(path, "search/index.html")

    env.globals["link"] = link
    return env, calls


def test_fragment_cache_is_per_folder_and_language() -> None:
    """A cached part of the page frame is rendered once per folder and edition, and each page still
    gets links that work from its own folder."""
    env, calls = _cache_env()
    page = env.get_template("page.html")
    assert page.render(lang="zh", path="a/x.html") == "[../search/index.html|zh]a/x.html"
    assert page.render(lang="zh", path="a/y.html") == "[../search/index.html|zh]a/y.html"
    assert page.render(lang="zh", path="a/b/z.html") == "[../../search/index.html|zh]a/b/z.html"
    assert page.render(lang="ii", path="a/x.html") == "[../search/index.html|ii]a/x.html"
    assert page.render(lang="zh", path="index.html") == "[search/index.html|zh]index.html"
    assert calls == ["a/x.html", "a/b/z.html", "a/x.html", "index.html"]  # a/y.html reused a/x's


def test_fragment_cache_needs_lang_and_path() -> None:
    """A template that uses the tag where no page is being rendered fails instead of sharing one
    fragment between all editions."""
    env, _ = _cache_env()
    with pytest.raises(jinja2.UndefinedError):
        env.get_template("nolang.html").render(path="x.html")


def test_compiled_templates_are_kept_in_the_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build from the command line compiles a template once: the next process loads the compiled
    code from the cache folder, and an edited template is compiled again."""
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "t.html").write_text("{{ a }} 一", encoding="utf-8")
    compiled = tmp_path / "cache"

    def render(expect_compile: bool) -> str:
        render_module._COMPILED.clear()  # as in a new process
        compiles: list[str] = []
        real = jinja2.Environment.compile

        def compile_(self: jinja2.Environment, source: str, *args: object, **kw: object) -> object:
            compiles.append(source)
            return real(self, source, *args, **kw)

        monkeypatch.setattr(jinja2.Environment, "compile", compile_)
        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(templates),
            bytecode_cache=CompiledTemplates(compiled),
        )
        html = env.get_template("t.html").render(a="x")
        assert bool(compiles) == expect_compile
        return html

    assert render(expect_compile=True) == "x 一"
    assert list(compiled.glob("templates-*/*")), "the compiled code is in the cache folder"
    assert render(expect_compile=False) == "x 一"
    (templates / "t.html").write_text("{{ a }} 二", encoding="utf-8")
    assert render(expect_compile=True) == "x 二"
    for kept in compiled.glob("templates-*/*"):
        kept.write_bytes(kept.read_bytes()[:20])  # damaged: compiled again, not an error
    assert render(expect_compile=True) == "x 二"


def test_template_calls_behave_as_in_jinja() -> None:
    """The renderer's short way through helper calls (render._Context) changes no result: marked
    functions still get the context, keyword arguments and loops work, macros take Jinja's way, and
    a helper's StopIteration gives an undefined value instead of ending the loop."""
    source = (
        "{% macro m(x) %}<{{ x }}>{% endmacro %}"
        "{% for i in [1, 2] %}{{ f(i, k='v') }};{{ ctx_name() }};{{ m(i) }};{{ t('a') }}|{% endfor %}"
        "{{ stop() is undefined }}"
    )

    @jinja2.pass_context
    def ctx_name(context: jinja2.runtime.Context) -> str:
        return str(context["name"])

    def stop() -> None:
        raise StopIteration

    results = []
    for context_class in (jinja2.runtime.Context, render_module._Context):
        env = jinja2.Environment(autoescape=True)
        env.context_class = context_class
        results.append(
            env.from_string(source).render(
                f=lambda i, k: f"{i}{k}&",
                ctx_name=ctx_name,
                t={"a": "<A>"}.get,
                stop=stop,
                name="n",
            )
        )
    assert results[0] == results[1]
    assert results[1] == "1v&amp;;n;<1>;&lt;A&gt;|2v&amp;;n;<2>;&lt;A&gt;|True"
