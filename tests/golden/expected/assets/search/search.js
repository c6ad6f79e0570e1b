/*
 * sitegen search: loader, query engine and result list for the index written by
 * sitegen/search/index.py (format 1).
 *
 * Every index file is a script calling SitegenSearch.add(id, data), so the index loads with
 * <script> elements: over HTTP under any sub-path, and from disk (file://, where fetch() fails).
 * A query loads manifest.js once, the term shards t/N.js holding its terms, and the documents
 * d/N.js of the results it shows.
 *
 * Scoring is lunr 2.3.9's: each field vector entry is computed exactly as lunr's builder does
 * (BM25 with k1, b and field boosts from the manifest, rounded like lunr.py's round(x, 3)), and
 * lunr.Index.query's result for "every term required" is computed from the loaded terms with the
 * same operations in the same order (directQuery), so scores are bit-identical to lunr.js running
 * on a lunr.Index assembled from those parts (engine: "lunr", which the tests compare) and equal
 * to lunr.py's. Candidates whose query parts are not decided by their terms alone (a phrase of
 * 3+ characters, or mixed classes such as 〔2024〕5号) are checked against the document text
 * before they are shown, so every result contains the query.
 *
 * Needs lunr.js and tokenizer.js (window.lunr, window.SitegenTokenizer) loaded before it.
 * In Node, require() it: module.exports = { createRegistry, createEngine, pyRound3 }.
 */
(function (root) {
  "use strict";

  var FORMAT = 1;
  var isNode = typeof module !== "undefined" && module.exports;
  var lunr = isNode ? require("../vendor/lunr.min.js") : root.lunr;
  var T = isNode ? require("./tokenizer.js") : root.SitegenTokenizer;

  /* ---------------------------------------------------------------- registry and loader */

  /** Where index scripts deposit their data; wait(id) resolves when add(id, ...) is called. */
  function createRegistry() {
    var data = Object.create(null);
    var waiting = Object.create(null);
    return {
      add: function (id, value) {
        data[id] = value;
        if (waiting[id]) {
          waiting[id].resolve(value);
          delete waiting[id];
        }
      },
      get: function (id) { return data[id]; },
      wait: function (id) {
        if (data[id] !== undefined) return Promise.resolve(data[id]);
        if (!waiting[id]) {
          var entry = {};
          entry.promise = new Promise(function (resolve, reject) {
            entry.resolve = resolve;
            entry.reject = reject;
          });
          waiting[id] = entry;
        }
        return waiting[id].promise;
      },
      fail: function (id, error) {
        if (waiting[id]) {
          waiting[id].reject(error);
          delete waiting[id];
        }
      }
    };
  }

  /** A loader inserting <script src="base + id + .js"> elements, each file requested once. */
  function scriptLoader(registry, base) {
    var started = Object.create(null);
    return function (id) {
      if (registry.get(id) !== undefined) return Promise.resolve(registry.get(id));
      var promise = registry.wait(id);
      if (!started[id]) {
        started[id] = true;
        var el = document.createElement("script");
        el.src = base + id + ".js";
        el.charset = "utf-8";
        el.async = true;
        el.onerror = function () {
          started[id] = false;
          registry.fail(id, new Error("cannot load " + el.src));
        };
        el.onload = function () {
          if (registry.get(id) === undefined) registry.fail(id, new Error("no data in " + el.src));
        };
        document.head.appendChild(el);
      }
      return promise;
    };
  }

  /* ---------------------------------------------------------------- scoring */

  /** Python's round(x, 3) for x >= 0 (correctly rounded, ties to even), as lunr.py applies it. */
  function pyRound3(x) {
    var y = x * 1000;
    var floor = Math.floor(y);
    var frac = y - floor;
    // Far from a half, the computed y (within 1e-9 of the exact x * 1000) rounds the same way.
    if (frac < 0.499999 || frac > 0.500001) return (frac < 0.5 ? floor : floor + 1) / 1000;
    var sixteenths = x * 16; // an exact tie at 3 decimals is an odd multiple of 1/16
    if (sixteenths === Math.floor(sixteenths) && sixteenths % 2 === 1) {
      return (floor % 2 === 0 ? floor : floor + 1) / 1000;
    }
    return Number(x.toFixed(3)); // exact decimal rounding of the binary value
  }

  /* ---------------------------------------------------------------- shards */

  function decodeBase64(text) {
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  /** Shard data -> {terms: {term: {index, idf, lists: [[docs, tfs] per field]}}}. */
  function decodeShard(raw, nFields, width) {
    var bytes = decodeBase64(raw.p);
    var view = new DataView(bytes.buffer);
    var pos = 0;
    var prev = width === 4 ? 0 : BigInt(0);
    var mask64 = width === 4 ? null : (BigInt(1) << BigInt(64)) - BigInt(1);
    function next() {
      var value;
      if (width === 4) {
        prev = (prev + view.getUint32(pos, true)) >>> 0;
        value = prev;
      } else {
        prev = (prev + view.getBigUint64(pos, true)) & mask64;
        value = Number(prev);
      }
      pos += width;
      return value;
    }
    var terms = Object.create(null);
    var c = 0;
    for (var k = 0; k < raw.k.length; k++) {
      var lists = [];
      for (var f = 0; f < nFields; f++) {
        var n = raw.c[c++];
        var docs = new Array(n);
        var tfs = new Array(n);
        for (var i = 0; i < n; i++) {
          var v = next();
          docs[i] = Math.floor(v / 65536);
          tfs[i] = v % 65536;
        }
        lists.push([docs, tfs]);
      }
      terms[raw.k[k]] = { index: raw.o + k, idf: raw.f[k], lists: lists };
    }
    return { terms: terms, list: raw.k };
  }

  /* ---------------------------------------------------------------- engine */

  /**
   * createEngine({load, engine}): load(id) -> Promise of the data registered under id
   * ("manifest", "t/3", "d/12"); engine "lunr" scores through lunr.Index (slower, for checks).
   * Returns {ready, search(query, filters), manifest()}.
   */
  function createEngine(options) {
    var load = options.load;
    var manifest = null;
    var averages = null;
    var shards = Object.create(null);

    var ready = load("manifest").then(function (m) {
      if (m.format !== FORMAT || m.tokenizer !== T.SPEC_VERSION) {
        throw new Error("search index format " + m.format + "/" + m.tokenizer + " not supported");
      }
      manifest = m;
      averages = m.lengths.map(function (lengths) {
        var sum = 0;
        for (var i = 0; i < lengths.length; i++) sum += lengths[i];
        return sum / lengths.length;
      });
      return m;
    });

    /** Index of the shard that would hold term (the last one whose first term is <= term). */
    function shardOf(term) {
      var firsts = manifest.shards;
      var lo = 0, hi = firsts.length - 1;
      while (lo < hi) {
        var mid = (lo + hi + 1) >> 1;
        if (firsts[mid] <= term) lo = mid;
        else hi = mid - 1;
      }
      return lo;
    }

    function shardsFor(term) {
      if (!manifest.shards.length) return [];
      var first = shardOf(term.term);
      var out = [first];
      if (term.prefix) {
        for (var i = first + 1; i < manifest.shards.length; i++) {
          if (manifest.shards[i].lastIndexOf(term.term, 0) !== 0) break;
          out.push(i);
        }
      }
      return out;
    }

    function loadShard(n) {
      if (!shards[n]) {
        shards[n] = load("t/" + n).then(function (raw) {
          return decodeShard(raw, manifest.fields.length, manifest.pw);
        });
      }
      return shards[n];
    }

    /** The loaded terms any clause may match, sorted (UTF-16 order, as the shards are). */
    function relevantTerms(terms, decoded) {
      var found = Object.create(null);
      decoded.forEach(function (shard) {
        shard.list.forEach(function (word) {
          for (var i = 0; i < terms.length; i++) {
            var t = terms[i];
            if (t.prefix ? word.lastIndexOf(t.term, 0) === 0 : word === t.term) {
              found[word] = shard.terms[word];
              break;
            }
          }
        });
      });
      return Object.keys(found).sort(function (a, b) {
        return found[a].index - found[b].index;
      }).map(function (word) { return [word, found[word]]; });
    }

    /** lunr.py Builder._create_field_vectors for one posting, operation for operation. */
    function fieldScore(info, f, doc, tf) {
      var k1 = manifest.k1, b = manifest.b;
      var score = info.idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (manifest.lengths[f][doc] / averages[f])) + tf);
      score *= manifest.boosts[f];
      return pyRound3(score);
    }

    var NO_METADATA = Object.freeze({});

    /** A lunr.Index holding just these terms, with lunr's field vector values for them. */
    function partialIndex(entries) {
      var fields = manifest.fields;
      var inverted = Object.create(null);
      var vectors = Object.create(null);
      entries.forEach(function (entry) {
        var word = entry[0], info = entry[1];
        var posting = { _index: info.index };
        fields.forEach(function (field, f) {
          var docs = info.lists[f][0], tfs = info.lists[f][1];
          var byDoc = {};
          for (var i = 0; i < docs.length; i++) {
            byDoc[docs[i]] = NO_METADATA;
            var ref = field + "/" + docs[i];
            (vectors[ref] || (vectors[ref] = [])).push(info.index, fieldScore(info, f, docs[i], tfs[i]));
          }
          posting[field] = byDoc;
        });
        inverted[word] = posting;
      });
      var fieldVectors = Object.create(null);
      Object.keys(vectors).forEach(function (ref) {
        fieldVectors[ref] = new lunr.Vector(vectors[ref]);
      });
      return new lunr.Index({
        invertedIndex: inverted,
        fieldVectors: fieldVectors,
        tokenSet: lunr.TokenSet.fromArray(entries.map(function (e) { return e[0]; })),
        fields: fields,
        pipeline: new lunr.Pipeline()
      });
    }

    /** lunr.Index.query's result for our queries, computed directly (same operations, same order). */
    function directQuery(terms, entries) {
      var n = manifest.count;
      var nFields = manifest.fields.length;
      // Each clause (term) expands to the loaded terms it matches; each expansion adds 1 to the
      // term's entry of the query vector (lunr upserts the clause boost, 1, for every field).
      var weight = Object.create(null);
      var expansions = terms.map(function (t) {
        var found = entries.filter(function (e) {
          return t.prefix ? e[0].lastIndexOf(t.term, 0) === 0 : e[0] === t.term;
        });
        found.forEach(function (e) { weight[e[1].index] = (weight[e[1].index] || 0) + 1; });
        return found;
      });
      if (expansions.some(function (e) { return !e.length; })) return [];
      var used = entries.filter(function (e) { return weight[e[1].index]; });
      var query = new lunr.Vector(used.reduce(function (out, e) {
        out.push(e[1].index, weight[e[1].index]);
        return out;
      }, []));
      var magnitude = query.magnitude();
      // Documents with every clause in some field (lunr's required matches).
      var satisfied = new Int32Array(n);
      var stamp = new Int32Array(n).fill(-1);
      expansions.forEach(function (found, c) {
        found.forEach(function (e) {
          e[1].lists.forEach(function (list) {
            var docs = list[0];
            for (var i = 0; i < docs.length; i++) {
              if (stamp[docs[i]] !== c) {
                stamp[docs[i]] = c;
                satisfied[docs[i]] += 1;
              }
            }
          });
        });
      });
      // Dot products of the query vector with each matching field vector, in ascending term index
      // order as lunr.Vector.dot adds them, then divided by the query magnitude (similarity).
      var dots = [];
      var hit = [];
      for (var f = 0; f < nFields; f++) {
        dots.push(new Float64Array(n));
        hit.push(new Uint8Array(n));
      }
      used.forEach(function (e) {
        var info = e[1], w = weight[info.index];
        for (var f = 0; f < nFields; f++) {
          var docs = info.lists[f][0], tfs = info.lists[f][1], dot = dots[f], seen = hit[f];
          for (var i = 0; i < docs.length; i++) {
            var doc = docs[i];
            if (satisfied[doc] !== terms.length) continue;
            dot[doc] += w * fieldScore(info, f, doc, tfs[i]);
            seen[doc] = 1;
          }
        }
      });
      var results = [];
      for (var doc = 0; doc < n; doc++) {
        if (satisfied[doc] !== terms.length) continue;
        var score = null;
        for (var g = 0; g < nFields; g++) {
          if (!hit[g][doc]) continue;
          var s = dots[g][doc] / magnitude || 0;
          score = score === null ? s : score + s;
        }
        if (score !== null) results.push({ ref: String(doc), score: score });
      }
      results.sort(function (a, b) { return b.score - a.score; });
      return results;
    }

    /**
     * lunr's results for the terms, every term required: [{ref, score}], best first. The default
     * computes them directly; options.engine === "lunr" builds a lunr.Index from the loaded part
     * and runs lunr's own query code (the tests check that both agree exactly).
     */
    function runLunr(terms) {
      var wanted = [];
      terms.map(shardsFor).forEach(function (ns) {
        ns.forEach(function (n) { if (wanted.indexOf(n) < 0) wanted.push(n); });
      });
      return Promise.all(wanted.map(loadShard)).then(function (decoded) {
        var entries = relevantTerms(terms, decoded);
        if (options.engine !== "lunr") return directQuery(terms, entries);
        return partialIndex(entries).query(function (q) {
          terms.forEach(function (t) {
            q.term(t.term, {
              usePipeline: false,
              presence: lunr.Query.presence.REQUIRED,
              wildcard: t.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE
            });
          });
        }).map(function (r) { return { ref: r.ref, score: r.score }; });
      });
    }

    function termsOf(parts) {
      var seen = Object.create(null);
      var terms = [];
      parts.forEach(function (part) {
        part.terms.forEach(function (t) {
          var key = (t.prefix ? "*" : "=") + t.term;
          if (!seen[key]) {
            seen[key] = true;
            terms.push(t);
          }
        });
      });
      return terms;
    }

    function passesFilters(doc, filters) {
      var m = manifest;
      if (filters.domain && m.domains[m.doc_domain[doc]][0] !== filters.domain) return false;
      if (filters.stage && m.stages[m.doc_stage[doc]][0] !== filters.stage) return false;
      if (filters.year && String(m.doc_year[doc]) !== String(filters.year)) return false;
      return true;
    }

    /** Whether a loaded document contains every part (tokenizer spec step 5). */
    function contains(docData, parts) {
      var title = null, body = null;
      return parts.every(function (part) {
        if (part.exact) return true;
        if (title === null) {
          title = T.normalize(docData.t);
          body = T.normalize(docData.b);
        }
        return T.findPart(part.text, title) >= 0 || T.findPart(part.text, body) >= 0;
      });
    }

    /**
     * search(query, filters) -> Promise of a Search:
     *   parts          the parsed query;
     *   lunrResults    lunr's results for all terms, before filters and text checks;
     *   candidates     those passing the filters, best first (ties: lower document number);
     *   exact          true when no text check is needed (the count is then final);
     *   next(n, budget) Promise of up to n more results [{id, score, doc}], each checked,
     *                  loading at most budget documents;
     *   done()         true when every candidate has been checked or returned;
     *   count()        results found so far + candidates not checked yet (exact once done()).
     */
    function search(query, filters) {
      filters = filters || {};
      return ready.then(function () {
        var parts = T.parseQuery(query);
        var terms = termsOf(parts);
        if (!terms.length) return makeSearch(parts, [], []);
        return runLunr(terms).then(function (results) {
          var candidates = results.filter(function (r) { return passesFilters(+r.ref, filters); });
          candidates.sort(function (a, b) { return b.score - a.score || a.ref - b.ref; });
          return makeSearch(parts, results, candidates);
        });
      });
    }

    function makeSearch(parts, results, candidates) {
      var exact = parts.every(function (p) { return p.exact; });
      var cursor = 0;
      var rejected = 0;
      /*
       * Up to n more results, checked against their text. At most `budget` documents are loaded
       * by one call (default: no limit), so that a phrase whose characters are everywhere but
       * that occurs nowhere cannot make one page download hundreds of documents; call again to
       * go on (done() tells when every candidate has been looked at).
       */
      function next(n, budget) {
        var out = [];
        var loaded = 0;
        budget = budget === undefined ? Infinity : budget;
        function step() {
          if (out.length >= n || cursor >= candidates.length || loaded >= budget) {
            return Promise.resolve(out);
          }
          var size = Math.min(Math.max(n - out.length, 8), budget - loaded);
          var batch = candidates.slice(cursor, cursor + size);
          cursor += batch.length;
          loaded += batch.length;
          return Promise.all(batch.map(function (c) { return load("d/" + c.ref); }))
            .then(function (docs) {
              for (var i = 0; i < docs.length; i++) {
                if (out.length >= n) {
                  cursor -= batch.length - i; // not examined: left for the next call
                  break;
                }
                if (contains(docs[i], parts)) {
                  out.push({ id: +batch[i].ref, score: batch[i].score, doc: docs[i] });
                } else {
                  rejected += 1;
                }
              }
              return step();
            });
        }
        return step();
      }
      return {
        parts: parts,
        lunrResults: results,
        candidates: candidates,
        exact: exact,
        next: next,
        done: function () { return cursor >= candidates.length; },
        count: function () { return candidates.length - rejected; }
      };
    }

    return {
      ready: ready,
      search: search,
      manifest: function () { return manifest; }
    };
  }

  var exported = { createRegistry: createRegistry, createEngine: createEngine, pyRound3: pyRound3 };
  if (isNode) {
    module.exports = exported;
    return;
  }

  /* ---------------------------------------------------------------- browser UI */

  var registry = createRegistry();
  var api = root.SitegenSearch || {};
  api.add = registry.add;
  api.createEngine = createEngine;
  api.createRegistry = createRegistry;
  root.SitegenSearch = api;

  var PAGE = 10;
  var PAGE_BUDGET = 30; // documents loaded at most per page (candidates checked against text)

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** Normalised text with, per UTF-16 unit of it, the offset of its source in the original. */
  function mappedNormal(text) {
    var norm = "";
    var origin = [];
    var offset = 0;
    for (var ch of text) {
      var n = T.normalize(ch);
      for (var i = 0; i < n.length; i++) origin.push(offset);
      norm += n;
      offset += ch.length;
    }
    origin.push(offset);
    return { norm: norm, origin: origin };
  }

  /** Ranges [start, end) of the original text where any part occurs. */
  function matchRanges(text, parts) {
    var mapped = mappedNormal(text);
    var ranges = [];
    parts.forEach(function (part) {
      var at = T.findPart(part.text, mapped.norm, 0);
      while (at >= 0) {
        ranges.push([mapped.origin[at], mapped.origin[at + part.text.length]]);
        at = T.findPart(part.text, mapped.norm, at + part.text.length);
      }
    });
    ranges.sort(function (a, b) { return a[0] - b[0]; });
    var merged = [];
    ranges.forEach(function (r) {
      var last = merged[merged.length - 1];
      if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
      else merged.push([r[0], r[1]]);
    });
    return merged;
  }

  /** Append text[from:to] to node, with the matched ranges inside <mark> elements. */
  function appendMarked(node, text, ranges, from, to) {
    var pos = from;
    ranges.forEach(function (r) {
      var a = Math.max(r[0], from), b = Math.min(r[1], to);
      if (a >= b) return;
      if (a > pos) node.appendChild(document.createTextNode(text.slice(pos, a)));
      node.appendChild(el("mark", "", text.slice(a, b)));
      pos = b;
    });
    if (pos < to) node.appendChild(document.createTextNode(text.slice(pos, to)));
  }

  function snippet(body, parts) {
    var p = el("p", "search-result-snippet");
    var ranges = matchRanges(body, parts);
    var center = ranges.length ? ranges[0][0] : 0;
    var from = Math.max(0, center - 40);
    var to = Math.min(body.length, from + 140);
    if (from > 0) p.appendChild(document.createTextNode("…"));
    appendMarked(p, body, ranges, from, to);
    if (to < body.length) p.appendChild(document.createTextNode("…"));
    return p;
  }

  function renderResult(result, parts, manifest, rootPath) {
    var doc = result.doc;
    var li = el("li", "search-result");
    var lang = manifest.langs[manifest.doc_lang[result.id]][0];
    if (lang) li.lang = lang;
    var link = el("a", "search-result-title");
    link.href = rootPath + doc.u;
    appendMarked(link, doc.t, matchRanges(doc.t, parts), 0, doc.t.length);
    var heading = el("h2", "search-result-heading");
    heading.appendChild(link);
    li.appendChild(heading);
    var meta = el("p", "search-result-meta");
    meta.appendChild(el("span", "search-result-domain", manifest.domains[manifest.doc_domain[result.id]][1]));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("span", "search-result-stage", manifest.stages[manifest.doc_stage[result.id]][1]));
    meta.appendChild(document.createTextNode(" · "));
    var time = el("time", "search-result-date", doc.d);
    time.dateTime = doc.d;
    meta.appendChild(time);
    li.appendChild(meta);
    li.appendChild(snippet(doc.b, parts));
    return li;
  }

  function option(value, text, selected) {
    var o = el("option", "", text);
    o.value = value;
    if (String(selected) === String(value)) o.selected = true;
    return o;
  }

  function filterSelect(name, label, allLabel, values, selected) {
    var wrap = el("label", "search-filter");
    wrap.appendChild(el("span", "search-filter-label", label));
    var select = el("select");
    select.name = name;
    select.id = "search-" + name;
    select.appendChild(option("", allLabel, selected));
    values.forEach(function (v) { select.appendChild(option(v[0], v[1], selected)); });
    wrap.appendChild(select);
    return { wrap: wrap, select: select };
  }

  function format(template, n) { return template.replace("{n}", String(n)); }

  /** The page's search elements (ids documented in sitegen/search/__init__.py). */
  function findElements() {
    var list = document.getElementById("search-results");
    var form = document.getElementById("search-form");
    var app = document.getElementById("search-app") || form || list;
    if (!list) return null;
    var input = document.getElementById("search-input") || document.getElementById("search-q") ||
      (form && form.querySelector("input[name=q]"));
    var filters = document.getElementById("search-filters");
    if (!filters && form) {
      filters = el("div", "search-filters");
      filters.id = "search-filters";
      form.appendChild(filters);
    }
    return { app: app, list: list, input: input, filters: filters,
      status: document.getElementById("search-status") };
  }

  function startUI() {
    var found = findElements();
    if (!found) return;
    var app = found.app, list = found.list;
    var data = app.dataset;
    var labels = {
      domain: data.labelDomain || "领域",
      stage: data.labelStage || "公开阶段",
      year: data.labelYear || "年份",
      all: data.labelAll || "全部",
      count: data.msgCount || "共找到 {n} 条结果",
      approx: data.msgApprox || "找到约 {n} 条结果",
      empty: data.msgEmpty || "没有找到相关结果",
      more: data.msgMore || "加载更多",
      loading: data.msgLoading || "正在检索…",
      error: data.msgError || "检索出错，请稍后再试"
    };
    var base = data.index || "./";
    var rootPath = data.root || "../";
    var status = found.status;
    var input = found.input;
    var filtersBox = found.filters;
    var params = new URLSearchParams(root.location.search);
    var query = params.get("q") || "";
    var filters = { domain: params.get("domain") || "", stage: params.get("stage") || "", year: params.get("year") || "" };
    if (input) input.value = query;

    var more = el("button", "search-more", labels.more);
    more.type = "button";
    more.id = "search-more";
    more.hidden = true;
    list.parentNode.insertBefore(more, list.nextSibling);

    var engine = createEngine({ load: scriptLoader(registry, base) });
    api.engine = engine;
    var current = null;
    var generation = 0;

    function setStatus(text) { if (status) status.textContent = text; }

    function showCount() {
      if (!current) return;
      var n = current.count();
      if (!n) setStatus(labels.empty);
      else setStatus(format(current.exact || current.done() ? labels.count : labels.approx, n));
    }

    var pages = 0;

    function page() {
      var mine = generation;
      more.disabled = true;
      app.setAttribute("data-state", "loading");
      return current.next(PAGE, PAGE_BUDGET).then(function (results) {
        if (mine !== generation) return;
        var manifest = engine.manifest();
        results.forEach(function (r) {
          list.appendChild(renderResult(r, current.parts, manifest, rootPath));
        });
        more.hidden = current.done();
        more.disabled = false;
        showCount();
        pages += 1;
        app.setAttribute("data-pages", String(pages));
        if (root.performance) {
          // diagnostics: ms from the query's start, and from navigation start, to this page
          app.setAttribute("data-ms", String(Math.round(root.performance.now() - started)));
          app.setAttribute("data-since-navigation-ms", String(Math.round(root.performance.now())));
        }
        app.setAttribute("data-state", "done");
      });
    }

    var started = 0;

    function run() {
      started = root.performance ? root.performance.now() : 0;
      generation += 1;
      var mine = generation;
      while (list.firstChild) list.removeChild(list.firstChild);
      more.hidden = true;
      if (!T.parseQuery(query).length) {
        setStatus("");
        app.setAttribute("data-state", "idle");
        return Promise.resolve();
      }
      app.setAttribute("data-state", "loading");
      setStatus(labels.loading);
      return engine.search(query, filters).then(function (s) {
        if (mine !== generation) return;
        current = s;
        return page();
      }).catch(function (error) {
        setStatus(labels.error);
        app.setAttribute("data-state", "error");
        if (root.console) root.console.error(error);
      });
    }

    more.addEventListener("click", function () { if (current) page(); });

    engine.ready.then(function (manifest) {
      if (!filtersBox) return;
      var years = [];
      manifest.doc_year.forEach(function (y) { if (y && years.indexOf(y) < 0) years.push(y); });
      years.sort(function (a, b) { return b - a; });
      var selects = [
        filterSelect("domain", labels.domain, labels.all, manifest.domains, filters.domain),
        filterSelect("stage", labels.stage, labels.all, manifest.stages, filters.stage),
        filterSelect("year", labels.year, labels.all, years.map(function (y) { return [y, String(y)]; }), filters.year)
      ];
      selects.forEach(function (s) {
        filtersBox.appendChild(s.wrap);
        s.select.addEventListener("change", function () {
          filters[s.select.name] = s.select.value;
          try {
            var p = new URLSearchParams(root.location.search);
            if (s.select.value) p.set(s.select.name, s.select.value);
            else p.delete(s.select.name);
            root.history.replaceState(null, "", "?" + p.toString());
          } catch (e) { /* file:// pages may refuse history changes */ }
          run();
        });
      });
    }).catch(function (error) {
      setStatus(labels.error);
      app.setAttribute("data-state", "error");
      if (root.console) root.console.error(error);
    });

    run();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startUI);
  else startUI();
})(typeof self !== "undefined" ? self : this);
