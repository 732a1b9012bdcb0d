// The dispatch board follows changes as they happen: the server sends an event when any
// order of the district changes, and the board fetches its own (filtered) page again.
(function () {
  "use strict";
  var root = document.getElementById("board-live");
  if (!root || !window.EventSource || !window.fetch) return;
  var status = document.getElementById("board-live-status");
  var first = true, busy = false, again = false;

  function refresh() {
    if (busy) { again = true; return; }
    busy = true;
    fetch(window.location.href, { credentials: "same-origin", headers: { "X-Board-Refresh": "1" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (html) {
        if (!html) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        // Only the stats and the rows change: the filters keep what the user typed.
        root.querySelectorAll("[data-live-part]").forEach(function (part) {
          var fresh = page.getElementById(part.id);
          if (fresh && part.innerHTML !== fresh.innerHTML) part.innerHTML = fresh.innerHTML;
        });
        status.textContent = status.dataset.updated;
      })
      .catch(function () {})
      .then(function () { busy = false; if (again) { again = false; setTimeout(refresh, 500); } });
  }

  var source = new EventSource(root.dataset.stream);
  source.addEventListener("board", function () {
    if (first) { first = false; return; }  // the page itself is that state
    refresh();
  });
  source.addEventListener("open", function () { status.textContent = status.dataset.live; });
  source.addEventListener("error", function () { status.textContent = status.dataset.reconnect; });
})();
