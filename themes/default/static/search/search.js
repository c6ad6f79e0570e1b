/*
 * sitegen search: loader, query engine and result list for the index of sitegen/search/index.py
 * (format 3; layout and reasons in index.py and shards.py).
 *
 * Index files are scripts calling SitegenSearch.add(id, data): they load over HTTP under any
 * sub-path and from disk (file://). A query loads manifest.js (preloaded by the page), the shards
 * t/<name>.js of its terms, and the documents d/N.js of the results it shows, in parallel; a
 * phrase of three or more Han/Yi characters also loads the adjacency file a/<name>.js of its
 * rarest pair, whose masks rule out candidates that cannot hold it before any text is loaded.
 *
 * Scores are lunr 2.3.9's, bit for bit: directQuery repeats lunr.Index.query's operations in
 * order (the tests compare it with lunr.js's own query code and lunr.py). A candidate whose
 * query parts its terms alone do not decide (3+ characters, 〔2024〕5号) is checked against its
 * text before it is shown. Per-query work stays small at 10,000+ documents: manifest columns are
 * read in place, shards decode into typed arrays, only the best candidates are sorted.
 *
 * Needs window.lunr and window.SitegenTokenizer. In Node, require() it (module.exports below).
 */
(function (root) {
  "use strict";

  var FORMAT = 3;
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

  /* ---------------------------------------------------------------- manifest and shards */

  var COLUMN_BASE = 0x30; // code unit of table index 0 (or length 0) in a manifest column
  var LONG_LENGTH = 0xD000 - COLUMN_BASE; // from this on, a field length is in long_lengths

  var LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

  function decodeBase64(text) {
    if (Uint8Array.fromBase64) return Uint8Array.fromBase64(text); // native where available
    var bin = atob(text);
    var bytes = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return bytes;
  }

  /** Little-endian 32-bit words of base64 text (a view of the decoded bytes where possible). */
  function decodeWords(text) {
    var bytes = decodeBase64(text);
    var count = bytes.length >> 2;
    if (LITTLE_ENDIAN && bytes.byteOffset % 4 === 0) return new Uint32Array(bytes.buffer, bytes.byteOffset, count);
    var words = new Uint32Array(count);
    for (var i = 0, pos = 0; i < count; i++, pos += 4) {
      words[i] = (bytes[pos] | (bytes[pos + 1] << 8) | (bytes[pos + 2] << 16) | (bytes[pos + 3] << 24)) >>> 0;
    }
    return words;
  }

  /** 32-bit FNV-1a of a string's UTF-16 code units as 8 hex digits (shards.py fnv1a). */
  function fnv1a(text) {
    var h = 0x811C9DC5;
    for (var i = 0; i < text.length; i++) {
      h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
    }
    return ("0000000" + h.toString(16)).slice(-8);
  }

  /** File name of shard n: the hash of its first term, unless the manifest renamed it. */
  function shardName(manifest, n) {
    var renamed = manifest.renamed && manifest.renamed[n];
    return renamed || fnv1a(manifest.shards[n]);
  }

  /**
   * Shard data -> {words, first, idf, starts, docs, tfs}: the postings of every list decoded at
   * once into typed arrays (list j of term k, field f, is j = k * nFields + f, its postings
   * starts[j] .. starts[j + 1] - 1). The stored integers are running-sum differences modulo
   * 2^(8 * width) of doc << 16 | tf (shards.py).
   */
  function decodeShard(raw, nFields, width, first) {
    var words = decodeWords(raw.p);
    var counts = raw.c;
    var starts = new Int32Array(counts.length + 1);
    for (var j = 0; j < counts.length; j++) starts[j + 1] = starts[j] + counts[j];
    var total = starts[counts.length];
    var docs = new Int32Array(total);
    var tfs = new Uint16Array(total);
    var lo = 0, hi = 0, i;
    if (width === 4) {
      for (i = 0; i < total; i++) {
        lo = (lo + words[i]) >>> 0;
        docs[i] = lo >>> 16;
        tfs[i] = lo & 0xFFFF;
      }
    } else { // 8 bytes: a 64-bit running sum as two words, the carry into the high one
      for (i = 0; i < total; i++) {
        var sum = lo + words[2 * i];
        lo = sum >>> 0;
        hi = (hi + words[2 * i + 1] + (sum > 0xFFFFFFFF ? 1 : 0)) >>> 0;
        docs[i] = hi * 65536 + (lo >>> 16);
        tfs[i] = lo & 0xFFFF;
      }
    }
    return { words: raw.k, first: first, idf: raw.f, nFields: nFields, starts: starts, docs: docs, tfs: tfs };
  }

  /** Term k of a decoded shard: {index, idf, lists: [[docs, tfs] per field]} (typed array views). */
  function termOf(shard, k) {
    var lists = [];
    for (var f = 0; f < shard.nFields; f++) {
      var a = shard.starts[k * shard.nFields + f], b = shard.starts[k * shard.nFields + f + 1];
      lists.push([shard.docs.subarray(a, b), shard.tfs.subarray(a, b)]);
    }
    return { index: shard.first + k, idf: shard.idf[k], lists: lists };
  }

  /* ---------------------------------------------------------------- ranking */

  /** Stable order of scores, best first: ties keep ascending position (document number). */
  function byScore(scores) {
    return function (a, b) { return scores[b] - scores[a] || a - b; };
  }

  /**
   * The positions of the `k` best entries of `scores`, best first, ties by position: what a full
   * stable sort by score would start with. Only the top `k` are sorted with a comparator; the
   * threshold comes from a native numeric sort, so 10,000 results cost about a millisecond.
   */
  function topPositions(scores, k) {
    var n = scores.length;
    var out = [];
    if (k >= n) {
      for (var i = 0; i < n; i++) out.push(i);
      return out.sort(byScore(scores));
    }
    var sorted = Float64Array.from(scores).sort(); // ascending
    var threshold = sorted[n - k]; // the k-th best score
    var ties = k;
    for (var j = 0; j < n; j++) if (scores[j] > threshold) ties -= 1;
    for (var p = 0; p < n; p++) {
      if (scores[p] > threshold) out.push(p);
      else if (scores[p] === threshold && ties > 0) {
        out.push(p);
        ties -= 1;
      }
    }
    return out.sort(byScore(scores));
  }

  /* ---------------------------------------------------------------- engine */

  /**
   * createEngine({load, query}): load(id) -> Promise of the data registered under id
   * ("manifest", "t/3", "d/12"); query replaces the direct scoring (runLunr).
   * Returns {ready, search(query, filters), manifest(), doc(id), years()}.
   */
  function createEngine(options) {
    var load = options.load;
    var manifest = null;
    var shards = Object.create(null);

    var ready = load("manifest").then(function (m) {
      if (m.format !== FORMAT || m.tokenizer !== T.SPEC_VERSION) {
        throw new Error("search index format " + m.format + "/" + m.tokenizer + " not supported");
      }
      manifest = m;
      return m;
    });

    /** Token count of field f of a document (manifest columns, index.py). */
    function lengthOf(f, doc) {
      var n = manifest.lengths[f].charCodeAt(doc) - COLUMN_BASE;
      return n === LONG_LENGTH ? manifest.long_lengths[f][doc] : n;
    }

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
        shards[n] = load("t/" + shardName(manifest, n)).then(function (raw) {
          // lunr's _index: only the order matters, and shard n's terms follow shard n - 1's
          return decodeShard(raw, manifest.fields.length, manifest.pw, n * 65536);
        });
      }
      return shards[n];
    }

    /** The loaded terms any clause may match, sorted (UTF-16 order, as the shards are). */
    function relevantTerms(terms, decoded) {
      var found = Object.create(null);
      var words = [];
      decoded.forEach(function (shard) {
        shard.words.forEach(function (word, k) {
          if (found[word]) return;
          for (var i = 0; i < terms.length; i++) {
            var t = terms[i];
            if (t.prefix ? word.lastIndexOf(t.term, 0) === 0 : word === t.term) {
              found[word] = termOf(shard, k);
              words.push(word);
              break;
            }
          }
        });
      });
      return words.sort(function (a, b) {
        return found[a].index - found[b].index;
      }).map(function (word) { return [word, found[word]]; });
    }

    /**
     * lunr.Index.query's result for our queries, computed directly (same operations, same order):
     * {docs, scores}, documents ascending (lunr's order is a stable sort of these by score).
     */
    function directQuery(terms, entries) {
      var n = manifest.count;
      var nFields = manifest.fields.length;
      var none = { docs: new Int32Array(0), scores: new Float64Array(0) };
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
      if (expansions.some(function (e) { return !e.length; })) return none;
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
      var required = terms.length;
      // Dot products of the query vector with each matching field vector, in ascending term index
      // order as lunr.Vector.dot adds them, then divided by the query magnitude (similarity).
      // fieldScore inlined, the same operations in the same order.
      var k1 = manifest.k1, b = manifest.b;
      var dots = [];
      var hit = [];
      for (var f = 0; f < nFields; f++) {
        dots.push(new Float64Array(n));
        hit.push(new Uint8Array(n));
      }
      used.forEach(function (e) {
        var info = e[1], w = weight[info.index], idf = info.idf;
        for (var f = 0; f < nFields; f++) {
          var docs = info.lists[f][0], tfs = info.lists[f][1], dot = dots[f], seen = hit[f];
          var lengths = manifest.lengths[f], long = manifest.long_lengths[f];
          var average = manifest.averages[f], boost = manifest.boosts[f];
          for (var i = 0; i < docs.length; i++) {
            var doc = docs[i];
            if (satisfied[doc] !== required) continue;
            var tf = tfs[i];
            var length = lengths.charCodeAt(doc) - COLUMN_BASE;
            if (length === LONG_LENGTH) length = long[doc];
            var score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / average)) + tf);
            score *= boost;
            dot[doc] += w * pyRound3(score);
            seen[doc] = 1;
          }
        }
      });
      var outDocs = new Int32Array(n);
      var outScores = new Float64Array(n);
      var at = 0;
      for (var doc = 0; doc < n; doc++) {
        if (satisfied[doc] !== required) continue;
        var score = null;
        for (var g = 0; g < nFields; g++) {
          if (!hit[g][doc]) continue;
          var s = dots[g][doc] / magnitude || 0;
          score = score === null ? s : score + s;
        }
        if (score === null) continue; // (cannot happen: a satisfied document has a posting)
        outDocs[at] = doc;
        outScores[at] = score;
        at += 1;
      }
      return { docs: outDocs.subarray(0, at), scores: outScores.subarray(0, at) };
    }

    /**
     * lunr's results for the terms, every term required, as {docs, scores} in ascending document
     * order. The default computes them directly; options.query, if given, gets the same input
     * (engine_node.js passes sitegen/search/lunr_query.js, which runs lunr.js's own Index.query on
     * a lunr.Index of the loaded part: the tests check that both agree).
     */
    function runLunr(terms, parts) {
      var wanted = [];
      terms.map(shardsFor).forEach(function (ns) {
        ns.forEach(function (n) { if (wanted.indexOf(n) < 0) wanted.push(n); });
      });
      // every shard requested at once; each is decoded as soon as it arrives
      return Promise.all(wanted.map(loadShard)).then(function (decoded) {
        var entries = relevantTerms(terms, decoded);
        var adjacent = adjacencyTest(parts, entries); // requested first: it loads while we score
        var results = options.query
          ? options.query(terms, entries, { manifest: manifest, lengthOf: lengthOf, pyRound3: pyRound3 })
          : directQuery(terms, entries);
        return adjacent.then(function (test) { return { results: results, adjacent: test }; });
      });
    }

    /* ------------------------------------------------------------ adjacency (shards.py) */

    /** The bit of a neighbouring character in a mask byte (termcount.neighbour_bit). */
    function neighbourBit(ch) { return 1 << (ch.codePointAt(0) & 7); }

    /**
     * Per document, the neighbour masks of the pair `word` (a term of shard n), ORed over the
     * fields: the previous character's bits in the low byte, the next one's in the high byte.
     */
    function loadMasks(word, n) {
      return Promise.all([loadShard(n), load("a/" + shardName(manifest, n))]).then(function (got) {
        var shard = got[0], raw = got[1];
        var k = shard.words.indexOf(word);
        var nF = shard.nFields;
        var offset = 0; // postings of the covered terms before k, in the masks' order
        var i = 0;
        for (; i < raw.i.length && raw.i[i] < k; i++) {
          offset += shard.starts[(raw.i[i] + 1) * nF] - shard.starts[raw.i[i] * nF];
        }
        if (raw.i[i] !== k) throw new Error("no neighbour masks for " + word);
        var bytes = decodeBase64(raw.m);
        var masks = new Uint16Array(manifest.count);
        for (var j = shard.starts[k * nF], at = offset; j < shard.starts[(k + 1) * nF]; j++, at++) {
          masks[shard.docs[j]] |= bytes[2 * at] | (bytes[2 * at + 1] << 8);
        }
        return masks;
      });
    }

    /**
     * Promise of a test ruling out documents that cannot hold a part (or of null): for each
     * Han/Yi run of three or more characters of a part the terms do not decide, its rarest pair
     * (fewest postings) must have, in the document, the run's character before it and the one
     * after it among its neighbours (by mask bit: a document that passes may still lack the run).
     */
    function adjacencyTest(parts, entries) {
      var postings = Object.create(null);
      entries.forEach(function (e) {
        var size = 0;
        e[1].lists.forEach(function (list) { size += list[0].length; });
        postings[e[0]] = size;
      });
      var checks = [];
      var missing = false; // a pair no document has: no results, nothing to rule out
      parts.forEach(function (part) {
        if (part.exact) return;
        T.segments(part.text).forEach(function (seg) {
          var c = seg.chars;
          if ((seg.cls !== T.HAN && seg.cls !== T.YI) || c.length < 3) return;
          var best = 0;
          for (var j = 0; j + 1 < c.length; j++) {
            if (!postings[c[j] + c[j + 1]]) missing = true;
            else if (postings[c[j] + c[j + 1]] < postings[c[best] + c[best + 1]]) best = j;
          }
          checks.push({
            word: c[best] + c[best + 1],
            need: (best > 0 ? neighbourBit(c[best - 1]) : 0) |
              (best + 2 < c.length ? neighbourBit(c[best + 2]) << 8 : 0)
          });
        });
      });
      if (!checks.length || missing) return Promise.resolve(null);
      return Promise.all(checks.map(function (check) {
        return loadMasks(check.word, shardOf(check.word));
      })).then(function (masks) {
        return function (doc) {
          for (var i = 0; i < checks.length; i++) {
            if ((masks[i][doc] & checks[i].need) !== checks[i].need) return false;
          }
          return true;
        };
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

    /** Entry of a manifest table for a document, by its column (one code unit per document). */
    function row(table, column, doc) {
      return manifest[table][manifest[column].charCodeAt(doc) - COLUMN_BASE];
    }

    /** A test on document numbers for the filters {domain, stage, year}, or null for none. */
    function filterTest(filters) {
      var wanted = [];
      [["domain", "domains", "doc_domain"], ["stage", "stages", "doc_stage"],
        ["year", "years", "doc_year"]].forEach(function (spec) {
        var value = filters[spec[0]];
        if (!value) return;
        var table = manifest[spec[1]];
        var code = -1;
        for (var i = 0; i < table.length; i++) {
          var key = spec[0] === "year" ? String(table[i]) : table[i][0];
          if (key === String(value)) code = COLUMN_BASE + i;
        }
        wanted.push([manifest[spec[2]], code]);
      });
      if (!wanted.length) return null;
      return function (doc) {
        for (var i = 0; i < wanted.length; i++) {
          if (wanted[i][0].charCodeAt(doc) !== wanted[i][1]) return false;
        }
        return true;
      };
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
     *   lunrResults    lunr's results for all terms, before filters and text checks, best first
     *                  ([{ref, score}], built when first read);
     *   candidates     how many of those pass the filters and the adjacency test;
     *   exact          true when no text check is needed (the count is then final);
     *   next(n, budget) Promise of up to n more results [{id, score, doc}], each checked,
     *                  loading at most budget documents;
     *   done()         true when every candidate has been checked or returned;
     *   count()        results found so far + candidates not checked yet (exact once done()).
     * Candidates are taken best first, ties by lower document number.
     */
    function search(query, filters) {
      filters = filters || {};
      return ready.then(function () {
        var parts = T.parseQuery(query);
        var terms = termsOf(parts);
        var none = { docs: new Int32Array(0), scores: new Float64Array(0) };
        if (!terms.length) return makeSearch(parts, none, none);
        return runLunr(terms, parts).then(function (found) {
          var results = found.results, adjacent = found.adjacent;
          var test = filterTest(filters);
          if (!test && !adjacent) return makeSearch(parts, results, results);
          var keep = [];
          for (var i = 0; i < results.docs.length; i++) {
            var doc = results.docs[i];
            if ((!test || test(doc)) && (!adjacent || adjacent(doc))) keep.push(i);
          }
          return makeSearch(parts, results, {
            docs: Int32Array.from(keep, function (i) { return results.docs[i]; }),
            scores: Float64Array.from(keep, function (i) { return results.scores[i]; })
          });
        });
      });
    }

    function makeSearch(parts, results, candidates) {
      var exact = parts.every(function (p) { return p.exact; });
      var total = candidates.docs.length;
      var order = []; // positions in candidates, best first: the ranked prefix computed so far
      var cursor = 0;
      var rejected = 0;
      var lunrResults = null;

      /** Position in candidates of the p-th best candidate. */
      function ranked(p) {
        if (p >= order.length) order = topPositions(candidates.scores, Math.max(p + 1, 2 * order.length, 64));
        return order[p];
      }

      /*
       * Up to n more results, checked against their text, loading at most `budget` documents
       * (default: no limit; a phrase found nowhere must not load hundreds), and done() tells
       * when every candidate has been looked at. Documents load in parallel, as many as results
       * are missing divided by the share of checked ones that passed, each replaced as soon as
       * it is checked; the call ends once the first n results and every candidate above them
       * are checked (documents checked beyond stay loaded for the next call). shown(result), if
       * given, gets each result once it and all candidates above it are checked.
       */
      function next(n, budget, shown) {
        budget = budget === undefined ? Infinity : budget;
        var start = cursor;
        var slots = []; // per candidate loaded, best first: undefined while loading, then the result or null
        var launched = 0, inflight = 0, found = 0, checked = 0, settled = false;
        var scanned = 0, got = 0; // slots 0 .. scanned - 1 are checked, got of them passed
        return new Promise(function (resolve, reject) {
          function fetch(slot) {
            var at = ranked(start + slot);
            var id = candidates.docs[at];
            load("d/" + id).then(function (doc) {
              if (settled) return;
              inflight -= 1;
              checked += 1;
              if (contains(doc, parts)) {
                slots[slot] = { id: id, score: candidates.scores[at], doc: doc };
                found += 1;
              } else {
                slots[slot] = null;
              }
              step();
            }, function (error) {
              if (!settled) {
                settled = true;
                reject(error);
              }
            });
          }
          function finish(end) { // the candidates of slots 0 .. end - 1 are examined
            settled = true;
            var out = [];
            for (var i = 0; i < end; i++) {
              if (slots[i]) out.push(slots[i]);
              else rejected += 1;
            }
            cursor = start + end;
            resolve(out);
          }
          function step() {
            for (; scanned < launched && slots[scanned] !== undefined; scanned++) {
              if (!slots[scanned]) continue;
              if (shown) shown(slots[scanned]);
              if (++got === n) return finish(scanned + 1);
            }
            var rate = exact ? 1 : (found + 1) / (checked + 1);
            var want = Math.ceil((n - found) / rate);
            while (inflight < want && launched < budget && start + launched < total) {
              launched += 1;
              inflight += 1;
              fetch(launched - 1);
            }
            if (!inflight) finish(launched);
          }
          step();
        });
      }

      return {
        parts: parts,
        get lunrResults() {
          if (!lunrResults) {
            var positions = topPositions(results.scores, results.docs.length);
            lunrResults = positions.map(function (p) {
              return { ref: String(results.docs[p]), score: results.scores[p] };
            });
          }
          return lunrResults;
        },
        candidates: total,
        exact: exact,
        next: next,
        done: function () { return cursor >= total; },
        count: function () { return total - rejected; }
      };
    }

    return {
      ready: ready,
      search: search,
      manifest: function () { return manifest; },
      /** {domain: [slug, name], stage: [slug, name], lang, year} of a document. */
      doc: function (id) {
        return {
          domain: row("domains", "doc_domain", id),
          stage: row("stages", "doc_stage", id),
          lang: row("langs", "doc_lang", id)[0],
          year: row("years", "doc_year", id)
        };
      },
      /** The publish years of the documents, latest first (unknown left out). */
      years: function () {
        return manifest.years.filter(function (y) { return y; }).sort(function (a, b) { return b - a; });
      }
    };
  }

  var exported = {
    createRegistry: createRegistry, createEngine: createEngine, pyRound3: pyRound3, decodeShard: decodeShard,
    fnv1a: fnv1a
  };
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

  var NORMAL = Object.create(null); // character -> T.normalize(character), filled as met

  /**
   * Normalised text with, per UTF-16 unit of it, the offset of its source in the original. Each
   * character is normalised on its own (ASCII and CJK Unified Ideographs, which normalise to
   * themselves but for ASCII capitals, directly; others through a cache).
   */
  function mappedNormal(text) {
    var norm = [];
    var origin = [];
    var offset = 0;
    for (var ch of text) {
      var cp = ch.charCodeAt(0);
      if (cp < 0x80) {
        norm.push(cp >= 0x41 && cp <= 0x5A ? String.fromCharCode(cp + 32) : ch);
        origin.push(offset);
      } else if (cp >= 0x4E00 && cp <= 0x9FFF) {
        norm.push(ch);
        origin.push(offset);
      } else {
        var n = NORMAL[ch];
        if (n === undefined) n = NORMAL[ch] = T.normalize(ch);
        for (var i = 0; i < n.length; i++) origin.push(offset);
        norm.push(n);
      }
      offset += ch.length;
    }
    origin.push(offset);
    return { norm: norm.join(""), origin: origin };
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

  function renderResult(result, parts, info, rootPath) {
    var doc = result.doc;
    var li = el("li", "search-result");
    if (info.lang) li.lang = info.lang;
    var link = el("a", "search-result-title");
    link.href = rootPath + doc.u;
    appendMarked(link, doc.t, matchRanges(doc.t, parts), 0, doc.t.length);
    var heading = el("h2", "search-result-heading");
    heading.appendChild(link);
    li.appendChild(heading);
    var meta = el("p", "search-result-meta");
    meta.appendChild(el("span", "search-result-domain", info.domain[1]));
    meta.appendChild(document.createTextNode(" · "));
    meta.appendChild(el("span", "search-result-stage", info.stage[1]));
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
      pending: data.msgPending || "暂未找到完整包含检索词的结果，还有约 {n} 条待核对",
      keepLooking: data.msgKeepLooking || "继续查找",
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

    /*
     * The status line, and the label of the button that checks more candidates. A page can end
     * with nothing shown while candidates remain (a phrase whose characters all occur, but never
     * together, in the best ones): then say so, rather than "about n results" above an empty list.
     */
    function showCount() {
      if (!current) return;
      var n = current.count();
      var nothingYet = !list.firstChild && !current.done();
      if (!n) setStatus(labels.empty);
      else if (nothingYet) setStatus(format(labels.pending, n));
      else setStatus(format(current.exact || current.done() ? labels.count : labels.approx, n));
      more.textContent = nothingYet ? labels.keepLooking : labels.more;
    }

    var pages = 0;

    function page() {
      var mine = generation;
      more.disabled = true;
      app.setAttribute("data-state", "loading");
      var first = true;
      function stamp(name) { // diagnostics: ms since the query and since navigation
        if (!root.performance) return;
        app.setAttribute("data-" + name, String(Math.round(root.performance.now() - started)));
        app.setAttribute("data-since-navigation-" + name, String(Math.round(root.performance.now())));
      }
      function shown(r) { // each result at once, in rank order
        if (mine !== generation) return;
        list.appendChild(renderResult(r, current.parts, engine.doc(r.id), rootPath));
        if (first && pages === 0) stamp("ms-first");
        first = false;
      }
      return current.next(PAGE, PAGE_BUDGET, shown).then(function (results) {
        if (mine !== generation) return;
        if (first && pages === 0) stamp("ms-first"); // no result shown
        showFilters();
        more.hidden = current.done();
        more.disabled = false;
        showCount();
        pages += 1;
        app.setAttribute("data-pages", String(pages));
        stamp("ms");
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
        return engine.ready.then(showFilters, function (error) {
          setStatus(labels.error);
          app.setAttribute("data-state", "error");
          if (root.console) root.console.error(error);
        });
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
        return engine.ready.then(showFilters, function () {});
      });
    }

    var filtersShown = false;

    /*
     * The domain, stage and year selects. Built with the first page of results (or at once when
     * there is no query), not as soon as the manifest is in: their layout would otherwise hold up
     * the first query on the main thread.
     */
    function showFilters() {
      if (filtersShown || !filtersBox) return;
      filtersShown = true;
      var manifest = engine.manifest();
      var years = engine.years();
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
    }

    more.addEventListener("click", function () { if (current) page(); });
    run();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startUI);
  else startUI();
})(typeof self !== "undefined" ? self : this);
