"""Client-side search: the tokenizer shared with the theme's JavaScript, and the index writer.

``build_search_index(docs)`` returns the files of an edition's ``search/`` folder (see index.py for
the layout). The search page (``search/index.html``) must contain, in this order::

    <link rel="preload" href="manifest.js" as="script">    <!-- optional, in <head>: the first
                                                              query need not wait for it -->
    <form id="search-form" role="search" action="index.html" method="get">
      <input id="search-q" name="q" type="search">          <!-- or id="search-input" -->
      <button type="submit">…</button>
      <div id="search-filters"></div>                      <!-- optional; created if missing -->
    </form>
    <div id="search-status" role="status" aria-live="polite"></div>
    <ol id="search-results"></ol>
    <script src="{root}assets/vendor/lunr.min.js"></script>
    <script src="{root}assets/search/tokenizer.js"></script>
    <script src="{root}assets/search/search.js"></script>

Optional ``data-*`` attributes on ``#search-app`` (any element; else the form, else the list):
``data-index`` (URL of the search folder relative to the page, default "./"), ``data-root`` (the
edition root relative to the page, default "../"; result links are root + ref), and translated
labels ``data-label-domain|stage|year|all`` and
``data-msg-count|approx|empty|more|pending|keep-looking|loading|error`` ("{n}" is replaced by the
number). The script reads ``?q=&domain=&stage=&year=`` from the URL, renders
``<li class="search-result">`` items (title link, domain, stage, ``<time>``, snippet with
``<mark>``), adds a "more" button ``#search-more``, and sets ``data-state`` (loading, done, idle,
error) on that element.
"""

from .index import SearchDoc, build_search_index
from .tokenizer import normalize, parse_query, tokenize

__all__ = ["SearchDoc", "build_search_index", "normalize", "parse_query", "tokenize"]
