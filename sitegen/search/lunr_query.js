// lunr.js's own Index.query on the loaded part of a sitegen search index: the cross-check that
// engine_node.js runs for "engine": "lunr" in place of search.js's direct computation, which must
// give bit-identical results (tests/test_search_index.py). Not shipped: pages score directly.
//
//   createEngine({load, query: (terms, entries, index) => lunrQuery(lunr, terms, entries, index)})
//
// terms: the query's [{term, prefix}]; entries: [[word, {index, idf, lists}]] (search.js
// relevantTerms); index: {manifest, lengthOf(f, doc), pyRound3}.
"use strict";

const NO_METADATA = Object.freeze({});

/**
 * lunr.py Builder._create_field_vectors for one posting, operation for operation (the average
 * field length is lunr.py's too: the manifest's is computed the same way).
 */
function fieldScore(index, info, f, doc, tf) {
  const m = index.manifest;
  const k1 = m.k1, b = m.b;
  let score = info.idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (index.lengthOf(f, doc) / m.averages[f])) + tf);
  score *= m.boosts[f];
  return index.pyRound3(score);
}

/** A lunr.Index holding just these terms, with lunr's field vector values for them. */
function partialIndex(lunr, entries, index) {
  const fields = index.manifest.fields;
  const inverted = Object.create(null);
  const vectors = Object.create(null);
  for (const [word, info] of entries) {
    const posting = { _index: info.index };
    fields.forEach((field, f) => {
      const [docs, tfs] = info.lists[f];
      const byDoc = {};
      for (let i = 0; i < docs.length; i++) {
        byDoc[docs[i]] = NO_METADATA;
        const ref = field + "/" + docs[i];
        (vectors[ref] || (vectors[ref] = [])).push(info.index, fieldScore(index, info, f, docs[i], tfs[i]));
      }
      posting[field] = byDoc;
    });
    inverted[word] = posting;
  }
  const fieldVectors = Object.create(null);
  for (const ref of Object.keys(vectors)) fieldVectors[ref] = new lunr.Vector(vectors[ref]);
  return new lunr.Index({
    invertedIndex: inverted,
    fieldVectors: fieldVectors,
    tokenSet: lunr.TokenSet.fromArray(entries.map((e) => e[0])),
    fields: fields,
    pipeline: new lunr.Pipeline(),
  });
}

/** lunr.js's Index.query on a lunr.Index of the loaded terms, every term required: {docs, scores}. */
function lunrQuery(lunr, terms, entries, index) {
  const found = partialIndex(lunr, entries, index).query((q) => {
    for (const t of terms) {
      q.term(t.term, {
        usePipeline: false,
        presence: lunr.Query.presence.REQUIRED,
        wildcard: t.prefix ? lunr.Query.wildcard.TRAILING : lunr.Query.wildcard.NONE,
      });
    }
  });
  found.sort((a, b) => a.ref - b.ref);
  return {
    docs: Int32Array.from(found, (r) => +r.ref),
    scores: Float64Array.from(found, (r) => r.score),
  };
}

module.exports = lunrQuery;
