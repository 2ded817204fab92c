// Keyboard shortcuts for the review pages. Everything also works without this file (plain forms).
(function () {
  "use strict";
  function typing(el) {
    return el && (el.tagName === "INPUT" && !["radio", "checkbox"].includes(el.type) || el.tagName === "TEXTAREA" || el.tagName === "SELECT");
  }
  function click(sel) { var b = document.querySelector(sel); if (b) { b.click(); return true; } return false; }

  document.addEventListener("keydown", function (ev) {
    if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
    var review = document.querySelector("[data-review]");
    var k = ev.key;
    if (!review) {
      if (k === "/" && !typing(ev.target)) {
        var s = document.getElementById("search");
        if (s) { ev.preventDefault(); s.focus(); }
      }
      return;
    }
    var kind = review.getAttribute("data-review");
    if (typing(ev.target)) {
      if (k === "Escape") { ev.target.blur(); if (kind === "unidentified" || kind === "rejected") click("[data-action=skip]"); }
      return;
    }
    if (kind === "field") {
      var form = document.getElementById("decide-form");
      if (k === "Enter") { ev.preventDefault(); click("[data-action=confirm]"); return; }
      if (k === "0" || k === "n") { ev.preventDefault(); click("[data-action=none]"); return; }
      if (k === "s" || k === "ArrowRight") { ev.preventDefault(); click("[data-action=skip]"); return; }
      if (k === "p") { var d = document.getElementById("whole-page"); if (d) { d.open = !d.open; } return; }
      var input = form && form.querySelector('input[data-key="' + CSS.escape(k.toLowerCase()) + '"]');
      if (input) {
        ev.preventDefault();
        if (input.type === "checkbox") { input.checked = !input.checked; } else { input.checked = true; }
        input.focus({ preventScroll: true });
      }
      return;
    }
    if (kind === "conflict") {
      if (k === "1" || k === "2") { ev.preventDefault(); click('#resolve-form button[data-key="' + k + '"]'); return; }
      if (k === "s" || k === "ArrowRight") { ev.preventDefault(); click("[data-action=skip]"); }
      return;
    }
    if ((kind === "unidentified" || kind === "rejected") && (k === "s" || k === "ArrowRight" || k === "Escape")) {
      ev.preventDefault(); click("[data-action=skip]");
    }
  });

  // Upper-case form ids as they are typed (the printed id is upper-case; lower-case works too).
  document.addEventListener("input", function (ev) {
    var t = ev.target;
    if (t && t.name === "form_id") {
      var pos = t.selectionStart; t.value = t.value.toUpperCase(); t.setSelectionRange(pos, pos);
    }
  });
})();
