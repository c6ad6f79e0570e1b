"""Relative links between output paths, and the page-frame fragments cached per folder."""

from __future__ import annotations

import posixpath

import jinja2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sitegen.render import FragmentCache, relative

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
