/* sitegen live preview client (only injected by `sitegen serve --watch`, never in `sitegen build`).
 *
 * Listens to /__sitegen/events. After a good rebuild it asks /__sitegen/versions whether this page
 * or one of its stylesheets/scripts changed and reloads only then. After a failed rebuild it shows
 * the diagnostics in an overlay (built with textContent only) and keeps the page as it is.
 */
(function () {
  "use strict";
  if (window.__sitegenPreview) return;
  var me = document.currentScript;
  var own = (me && me.getAttribute("data-sitegen-version")) || "";
  var preview = (window.__sitegenPreview = { build: -1, ok: null, reloading: false });
  var baseline = null; // versions of this page's CSS/JS at the first check
  var OVERLAY_ID = "sitegen-error-overlay";

  function resources() {
    var paths = [location.pathname];
    var nodes = document.querySelectorAll('link[rel~="stylesheet"][href], script[src]');
    for (var i = 0; i < nodes.length; i++) {
      var u = new URL(nodes[i].href || nodes[i].src, location.href);
      if (u.origin === location.origin && u.pathname.indexOf("/__sitegen/") !== 0) paths.push(u.pathname);
    }
    return paths;
  }

  function reload() {
    if (preview.reloading) return;
    preview.reloading = true;
    location.reload();
  }

  function check() {
    var paths = resources();
    var query = paths.map(function (p) { return "p=" + encodeURIComponent(p); }).join("&");
    fetch("/__sitegen/versions?" + query, { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (v) {
        if (v[location.pathname] !== own) return reload();
        if (baseline === null) { baseline = v; return; }
        for (var i = 1; i < paths.length; i++) {
          if (baseline[paths[i]] !== v[paths[i]]) return reload();
        }
      })
      .catch(function () { /* server restarting: the event stream reconnects and checks again */ });
  }

  function hideOverlay() {
    var old = document.getElementById(OVERLAY_ID);
    if (old) old.parentNode.removeChild(old);
  }

  function el(tag, text, css) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (css) node.style.cssText = css;
    return node;
  }

  function showOverlay(state) {
    hideOverlay();
    var box = el("div", "", "position:fixed;left:0;right:0;bottom:0;max-height:60vh;overflow:auto;z-index:2147483647;" +
      "background:#fff8f6;color:#1a1a1a;border-top:4px solid #b3261e;padding:1em 1.25em;" +
      "font:16px/1.5 system-ui,sans-serif;box-shadow:0 -4px 16px rgba(0,0,0,.25)");
    box.id = OVERLAY_ID;
    box.setAttribute("role", "alert");
    box.setAttribute("lang", "zh-Hans");
    var title = el("p", state.message || "生成失败：页面仍是上一次成功生成的内容。修复下面的问题后会自动重建。",
      "margin:0 0 .5em;font-weight:bold;color:#b3261e");
    var close = el("button", "关闭", "float:right;font:inherit;padding:.2em .8em;margin-left:1em");
    close.type = "button";
    close.addEventListener("click", hideOverlay);
    box.appendChild(close);
    box.appendChild(title);
    var list = el("ol", "", "margin:0;padding-left:1.5em");
    var diags = state.diagnostics || [];
    for (var i = 0; i < diags.length; i++) {
      var d = diags[i];
      var item = el("li", "", "margin:.5em 0");
      item.className = d.error ? "sitegen-error" : "sitegen-warning";
      item.appendChild(el("code", d.path + ":" + d.line + ":" + d.col, "font-weight:bold"));
      item.appendChild(el("div", d.severity + " [" + d.code + "] " + d.message));
      if (d.hint) item.appendChild(el("div", "提示：" + d.hint, "color:#444"));
      list.appendChild(item);
    }
    box.appendChild(list);
    (document.body || document.documentElement).appendChild(box);
  }

  function onState(state) {
    preview.build = state.build;
    preview.ok = state.ok;
    if (state.ok === false) {
      showOverlay(state);
    } else if (state.ok === true) {
      hideOverlay();
      check();
    }
  }

  if (!window.EventSource) return;
  var source = null;
  function connect() {
    source = new EventSource("/__sitegen/events");
    source.addEventListener("state", function (e) { onState(JSON.parse(e.data)); });
  }
  // Free the connection when the page is left; reconnect (and re-check) if it comes back from cache.
  window.addEventListener("pagehide", function () { if (source) source.close(); });
  window.addEventListener("pageshow", function (e) { if (e.persisted) connect(); });
  connect();
})();
