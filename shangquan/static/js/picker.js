// Searchable pickers (core/_picker.html): type to search on the server, arrows to move,
// Enter to choose, Escape to close — the ARIA 1.2 combobox pattern. No inline script: CSP.
(function () {
  "use strict";
  function setup(box) {
    var input = box.querySelector(".picker-input");
    var hidden = box.querySelector(".picker-value");
    var list = box.querySelector(".picker-list");
    var status = box.querySelector(".picker-status");
    var results = [], active = -1, timer = null, seq = 0;
    function close() {
      list.hidden = true; input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant"); active = -1;
    }
    function highlight(i) {
      var items = list.querySelectorAll("[role=option]");
      items.forEach(function (el, n) { el.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (items[i]) { input.setAttribute("aria-activedescendant", items[i].id); items[i].scrollIntoView({ block: "nearest" }); }
    }
    function choose(i) {
      var r = results[i];
      if (!r) return;
      hidden.value = r.id; input.value = r.label;
      hidden.dispatchEvent(new Event("change", { bubbles: true }));
      close();
    }
    function render() {
      list.textContent = "";
      results.forEach(function (r, i) {
        var li = document.createElement("li");
        li.id = input.id + "-opt-" + i; li.setAttribute("role", "option");
        li.setAttribute("aria-selected", "false");
        li.textContent = r.label;
        if (r.hint) { var s = document.createElement("span"); s.className = "muted"; s.textContent = " " + r.hint; li.appendChild(s); }
        li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(i); });
        list.appendChild(li);
      });
      if (!results.length) {
        var none = document.createElement("li"); none.className = "muted";
        none.textContent = box.dataset.empty; list.appendChild(none);
      }
      list.hidden = false; input.setAttribute("aria-expanded", "true");
      if (status) status.textContent = results.length ? String(results.length) : box.dataset.empty;
      active = -1;
    }
    function search() {
      var mine = ++seq;
      fetch(box.dataset.pickerUrl + "?q=" + encodeURIComponent(input.value.trim()),
            { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (body) { if (mine === seq) { results = body.results || []; render(); } })
        .catch(function () { /* offline: keep what is shown */ });
    }
    input.addEventListener("input", function () {
      hidden.value = "";  // typing un-chooses: a half-typed name is never sent as a choice
      clearTimeout(timer); timer = setTimeout(search, 200);
    });
    input.addEventListener("focus", function () { if (!hidden.value) search(); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); if (list.hidden) search(); else highlight(Math.min(active + 1, results.length - 1)); }
      else if (e.key === "ArrowUp") { e.preventDefault(); highlight(Math.max(active - 1, 0)); }
      else if (e.key === "Enter" && !list.hidden && active >= 0) { e.preventDefault(); choose(active); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 150); });
    var form = input.form;
    if (form) form.addEventListener("submit", function (e) {
      if (input.required && !hidden.value) { e.preventDefault(); input.focus(); search(); }
    });
  }
  document.querySelectorAll(".picker").forEach(setup);
})();
