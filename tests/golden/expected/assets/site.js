/* Display preference buttons (A−, A+, 长者模式). The page works without this script at normal size. */
(function () {
  var d = document.documentElement;
  function store(key, value) { try { window.localStorage.setItem(key, value); } catch (e) {} }
  function scale() { return parseFloat(getComputedStyle(d).getPropertyValue("--scale")) || 1; }
  function setScale(v) { v = Math.min(2, Math.max(0.8, Math.round(v * 100) / 100)); d.style.setProperty("--scale", String(v)); store("sitegen-scale", String(v)); }
  var elderly = document.querySelector('[data-pref="elderly"]');
  function sync() { if (elderly) elderly.setAttribute("aria-pressed", d.classList.contains("elderly") ? "true" : "false"); }
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest ? ev.target.closest("[data-pref]") : null;
    if (!b) return;
    var p = b.getAttribute("data-pref");
    if (p === "larger") setScale(scale() + 0.125);
    else if (p === "smaller") setScale(scale() - 0.125);
    else if (p === "elderly") { d.classList.toggle("elderly"); store("sitegen-elderly", d.classList.contains("elderly") ? "1" : "0"); sync(); }
  });
  sync();
})();
