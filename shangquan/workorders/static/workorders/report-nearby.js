// Before typing: once a category (and a pin, a shop or a grid) is known, show the reports
// already filed nearby in that category, so a resident can follow one instead of filing
// a duplicate. (No inline script: CSP.)
(function () {
  "use strict";
  var box = document.getElementById("report-nearby");
  var form = document.getElementById("report-form");
  if (!box || !form || !window.fetch) return;
  var timer = null;
  function value(name) {
    var el = form.querySelector("[name=" + name + "]");
    return el ? el.value : "";
  }
  function refresh() {
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!value("category")) { box.innerHTML = ""; return; }
      var params = new URLSearchParams();
      ["category", "latitude", "longitude", "merchant", "grid"].forEach(function (n) {
        if (value(n)) params.set(n, value(n));
      });
      fetch(box.dataset.url + "?" + params.toString(), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () { /* offline: the server still warns on submit */ });
    }, 150);
  }
  form.addEventListener("change", function (e) {
    if (e.target && /^(category|grid|latitude)$/.test(e.target.name)) refresh();
  });
  var map = document.getElementById("report-map");
  if (map) map.addEventListener("click", refresh);
  var locate = document.getElementById("locate-me");
  if (locate) locate.addEventListener("click", function () { setTimeout(refresh, 1500); });
  if (value("category")) refresh();

  // 我也遇到 from the nearby box or the duplicate warning: join the earlier report without
  // leaving the form (the typed text and photos stay). Not signed in: the link opens the
  // report's page, which asks for the phone sign-in first.
  document.addEventListener("click", function (e) {
    var link = e.target && e.target.closest ? e.target.closest("a[data-metoo]") : null;
    if (!link) return;
    e.preventDefault();
    var token = form.querySelector("[name=csrfmiddlewaretoken]");
    fetch(link.dataset.metoo, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": token ? token.value : "" }
    }).then(function (r) {
      if (r.status === 401) { window.location.href = link.href; return null; }
      return r.json();
    }).then(function (body) {
      if (!body) return;
      var note = document.createElement("span");
      note.className = body.code ? "hint" : "badge badge-ok";
      note.setAttribute("role", "status");
      note.textContent = body.message;
      link.replaceWith(note);
    }).catch(function () { window.location.href = link.href; });
  });
})();
