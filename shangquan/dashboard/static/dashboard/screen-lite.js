// The public lite screen: scaled to the window like the big screen; its figures polled
// from a shared, briefly cached JSON (a crowd of screens costs the server no query).
(function () {
  "use strict";
  var stage = document.getElementById("screen");
  if (!stage) return;
  var texts = document.getElementById("lite-texts").dataset;
  var W = +stage.dataset.width, H = +stage.dataset.height;
  function fit() {
    var s = Math.min(window.innerWidth / W, window.innerHeight / H);
    var x = (window.innerWidth - W * s) / 2, y = (window.innerHeight - H * s) / 2;
    stage.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
  }
  fit();
  window.addEventListener("resize", fit);

  function q(name) { return stage.querySelector("[data-l=" + name + "]"); }
  function text(name, value) {
    var el = q(name);
    if (el) el.textContent = value === null || value === undefined ? "" : String(value);
  }
  function list(name, items, build) {
    var ul = q(name);
    if (!ul) return;
    ul.textContent = "";
    if (!items.length) {
      var li = document.createElement("li");
      li.className = "muted"; li.textContent = texts.none; ul.appendChild(li);
      return;
    }
    items.forEach(function (item) { ul.appendChild(build(item)); });
  }
  function li(parts) {
    var el = document.createElement("li");
    parts.forEach(function (p) {
      var span = document.createElement("span");
      if (p[1]) span.className = p[1];
      span.textContent = p[0];
      el.appendChild(span);
      el.appendChild(document.createTextNode(" "));
    });
    return el;
  }
  function render(d) {
    text("generated_label", d.generated_label);
    text("occupancy", d.crowd.occupancy || 0);
    text("level_label", d.crowd.level_label || "");
    var level = q("crowd-level");
    if (level) level.className = "panel-figure lv-text-" + (d.crowd.level || "green");
    list("zones", d.crowd.zones || [], function (z) {
      var el = li([[z.name, "lite-zone-name"], [z.percent + "%", "lite-zone-pct"], [z.level_label, "lite-zone-level"]]);
      el.className = "lv-" + z.level + "-border";
      return el;
    });
    text("stations_open", d.stations.open);
    list("stations", d.stations.list || [], function (s) {
      return li([[s.name], [s.kind_label, "muted"], s.open ? [texts.open, "lite-open"] : [texts.closed, "lite-closed"]]);
    });
    text("period", d.honour.period);
    list("flags", d.honour.flags || [], function (f) { return li([[f.merchant + " · " + f.group]]); });
    list("excellent", d.honour.excellent || [], function (n) { return li([[n]]); });
  }
  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", stage.dataset.url);
    xhr.onload = function () {
      if (xhr.status !== 200) return;
      render(JSON.parse(xhr.responseText));
      stage.dataset.polls = String(+stage.dataset.polls + 1);
    };
    xhr.send();
  }
  setInterval(poll, Math.max(5, +stage.dataset.poll || 30) * 1000);
})();
