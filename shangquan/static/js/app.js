// Small progressive enhancements shared by every page (no inline scripts: CSP).
(function () {
  "use strict";
  // Forms that create things carry an Idempotency-Key, so a retried submit on a
  // flaky network never makes a second record.
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  document.querySelectorAll("form[data-idempotent]").forEach(function (form) {
    if (!form.querySelector("input[name=idempotency_key]")) {
      var input = document.createElement("input");
      input.type = "hidden"; input.name = "idempotency_key"; input.value = uuid();
      form.appendChild(input);
    }
    form.addEventListener("submit", function () {
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    });
  });
  // htmx requests send the CSRF token from the cookie-less meta/hidden field.
  document.body.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (token) event.detail.headers["X-CSRFToken"] = token.value;
  });
  // Desktop: keep the console menu open; phones: collapsed.
  var menu = document.querySelector(".sidenav-toggle");
  if (menu && window.matchMedia("(max-width: 899px)").matches) menu.removeAttribute("open");
})();
