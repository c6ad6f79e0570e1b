/* Applies the reader's display preferences before first paint (no flash). Kept tiny and synchronous. */
(function () {
  try {
    var d = document.documentElement;
    d.classList.remove("no-js");
    var s = window.localStorage;
    if (s.getItem("sitegen-elderly") === "1") d.classList.add("elderly");
    var scale = parseFloat(s.getItem("sitegen-scale") || "1");
    if (scale > 0.5 && scale < 3) d.style.setProperty("--scale", String(scale));
  } catch (e) { /* storage blocked: normal size */ }
})();
