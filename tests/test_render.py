"""Relative links between output paths."""

from __future__ import annotations

import posixpath

from hypothesis import given
from hypothesis import strategies as st

from sitegen.render import relative

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
