// Runs the theme's search engine (search.js + tokenizer.js + vendored lunr.js) in Node on a built
// index folder, for tests and bench/search_bench.py.
//
//   node engine_node.js THEME_STATIC_DIR INDEX_DIR < requests.json > answers.json
//
// requests: [{"query": "...", "filters": {...}, "fresh": true, "engine": "lunr"}]; "fresh" starts
// from an empty cache, as a first query on a newly opened page does; "engine": "lunr" scores
// through lunr.Index (lunr_query.js) instead of the direct computation. Each answer lists lunr's
// results (before filters and text checks), every result after them (all pages) and the files the
// query loaded.
"use strict";
const fs = require("fs");
const path = require("path");

const [staticDir, indexDir] = process.argv.slice(2);
const search = require(path.join(path.resolve(staticDir), "search", "search.js"));
const lunr = require(path.join(path.resolve(staticDir), "vendor", "lunr.min.js"));
const lunrQuery = require("./lunr_query.js");

function newEngine(loaded, engine) {
  const registry = search.createRegistry();
  const load = (id) => {
    if (registry.get(id) === undefined) {
      loaded.push(id);
      const code = fs.readFileSync(path.join(indexDir, id + ".js"), "utf8");
      new Function("SitegenSearch", code)(registry);
    }
    return registry.wait(id);
  };
  const query =
    engine === "lunr" ? (terms, entries, index) => lunrQuery(lunr, terms, entries, index) : undefined;
  return search.createEngine({ load, query });
}

async function main() {
  const requests = JSON.parse(fs.readFileSync(0, "utf8"));
  const answers = [];
  let loaded = [];
  let engine = null;
  let kind = null;
  for (const req of requests) {
    if (req.fresh || !engine || kind !== (req.engine || "direct")) {
      loaded = [];
      kind = req.engine || "direct";
      engine = newEngine(loaded, kind);
    }
    const before = loaded.length;
    const started = process.hrtime.bigint();
    const s = await engine.search(req.query, req.filters || {});
    const shown = []; // what the page would show, in the order it would, before the page ends
    const firstPage = await s.next(req.page || 10, req.budget || 30, (r) => shown.push(r.id));
    const firstMs = Number(process.hrtime.bigint() - started) / 1e6;
    const firstLoaded = loaded.slice(before);
    const rest = await s.next(1e9);
    answers.push({
      query: req.query,
      lunr: s.lunrResults,
      results: firstPage.concat(rest).map((r) => ({ id: r.id, score: r.score, ref: r.doc.u })),
      count: s.count(),
      first_page_ms: firstMs,
      first_page_files: firstLoaded,
      first_page: firstPage.map((r) => r.id),
      first_page_shown: shown,
      all_files: loaded.slice(before),
    });
  }
  process.stdout.write(JSON.stringify(answers));
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
