/* Behaviour of every page, without inline scripts (the Content-Security-Policy allows scripts from 'self' only).
 * Declarative hooks, delegated from the document so that HTMX-swapped content works too:
 *   data-toggle-body-class="nav-open"   click toggles a class on <body> (phone menu)
 *   data-print                          click prints the page
 *   data-back                           click goes back in history (the href is the fallback)
 *   data-remove-closest=".line-row"     click removes the closest matching ancestor
 *   <select data-autosubmit>            change submits the form
 *   <form data-confirm="Câu hỏi?">      submit asks for confirmation first
 * and the header search box (#header-search): toggle on phones, arrow keys through suggestions, Escape closes. */
(function () {
  "use strict";

  document.addEventListener("click", function (e) {
    var el = e.target instanceof Element ? e.target.closest("[data-toggle-body-class], [data-print], [data-back], [data-remove-closest]") : null;
    if (!el) return;
    if (el.hasAttribute("data-toggle-body-class")) {
      document.body.classList.toggle(el.getAttribute("data-toggle-body-class"));
    } else if (el.hasAttribute("data-print")) {
      e.preventDefault();
      window.print();
    } else if (el.hasAttribute("data-back")) {
      if (window.history.length > 1) { e.preventDefault(); window.history.back(); }
    } else if (el.hasAttribute("data-remove-closest")) {
      var target = el.closest(el.getAttribute("data-remove-closest"));
      if (target) { e.preventDefault(); target.remove(); }
    }
  });

  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el instanceof HTMLSelectElement && el.hasAttribute("data-autosubmit") && el.form) {
      if (el.form.requestSubmit) { el.form.requestSubmit(); } else { el.form.submit(); }
    }
  });

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (form instanceof HTMLFormElement && form.hasAttribute("data-confirm") && !window.confirm(form.getAttribute("data-confirm"))) {
      e.preventDefault();
      e.stopImmediatePropagation();
    }
  }, true);

  function headerSearch() {
    var form = document.getElementById("header-search");
    if (!form) return;
    var toggle = document.querySelector(".search-toggle"),
        input = form.querySelector("input[name=q]"), box = form.querySelector(".suggest");
    function links() { return Array.prototype.slice.call(box.querySelectorAll("a")); }
    function close() { box.innerHTML = ""; input.setAttribute("aria-expanded", "false"); }
    function open(on) { document.body.classList.toggle("search-open", on); if (toggle) toggle.setAttribute("aria-expanded", on ? "true" : "false"); if (on) input.focus(); }
    if (toggle) toggle.addEventListener("click", function (e) { e.preventDefault(); open(!document.body.classList.contains("search-open")); });
    form.addEventListener("keydown", function (e) {
      var items = links(), i = items.indexOf(document.activeElement);
      if (e.key === "Escape") { if (!items.length) { open(false); } close(); input.focus(); return; }
      if (!items.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); items[Math.min(i + 1, items.length - 1)].focus(); }
      else if (e.key === "ArrowUp") { e.preventDefault(); if (i <= 0) { input.focus(); } else { items[i - 1].focus(); } }
    });
    form.addEventListener("focusout", function (e) {
      if (!form.contains(e.relatedTarget)) { setTimeout(function () { if (!form.contains(document.activeElement)) close(); }, 200); }
    });
    form.addEventListener("submit", close);
    box.addEventListener("htmx:afterSwap", function () { input.setAttribute("aria-expanded", links().length ? "true" : "false"); });
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", headerSearch); } else { headerSearch(); }
})();
