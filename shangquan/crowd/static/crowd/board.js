// The live crowd board: server-sent events replace the figures without reloading.
(function () {
  "use strict";
  var root = document.getElementById("crowd-board");
  if (!root || !window.EventSource) return;
  var texts = document.getElementById("board-texts").dataset;
  var live = root.querySelector("[data-live]");
  var announce = document.getElementById("board-announce");
  var levels = {};
  root.querySelectorAll("[data-zone]").forEach(function (card) {
    var badge = card.querySelector("[data-f=level_label]");
    levels[card.dataset.zone] = (badge.className.match(/level-(\w+)/) || [])[1];
  });

  function setText(scope, attr, key, value) {
    var el = scope.querySelector("[" + attr + "=" + key + "]");
    if (el && el.textContent !== String(value)) el.textContent = value;
    return el;
  }

  function swapClass(el, prefix, value) {
    if (!el) return;
    el.className = el.className.split(" ").filter(function (c) {
      return c.indexOf(prefix) !== 0;
    }).concat([prefix + value]).join(" ");
  }

  function renderZone(card, z) {
    setText(card, "data-f", "occupancy", z.occupancy);
    setText(card, "data-f", "percent", z.percent.toFixed(1));
    setText(card, "data-f", "density", z.density.toFixed(2));
    setText(card, "data-f", "los", z.los);
    setText(card, "data-f", "arrivals_per_minute", z.arrivals_per_minute);
    setText(card, "data-f", "forecast_15", z.forecast_15);
    swapClass(setText(card, "data-f", "level_label", z.level_label), "level-", z.level);
    swapClass(setText(card, "data-f", "control_label", z.control_label), "control-", z.control);
    swapClass(card, "zone-", z.level);
    card.querySelector("[data-f=manual]").hidden = z.control_mode !== "manual";
    var divert = card.querySelector("[data-f=divert]");
    if (divert) divert.hidden = z.control !== "closed";
    card.querySelector("[data-f=meter]").style.width = Math.min(100, z.percent) + "%";
    if (levels[z.id] && levels[z.id] !== z.level) {
      announce.textContent = z.name + " " + texts.rise + " " + z.level_label;
    }
    levels[z.id] = z.level;
  }

  function renderAlerts(alerts) {
    var list = document.getElementById("board-alerts");
    var template = document.getElementById("alert-template");
    var pattern = root.dataset.ackUrl;
    list.textContent = "";
    if (!alerts.length) {
      var empty = document.createElement("li");
      empty.className = "muted"; empty.textContent = texts.empty;
      list.appendChild(empty);
      return;
    }
    alerts.forEach(function (a) {
      var item = template.content.firstElementChild.cloneNode(true);
      item.dataset.alert = a.id;
      swapClass(setText(item, "data-a", "level_label", a.level_label), "level-", a.level);
      setText(item, "data-a", "zone", a.zone);
      setText(item, "data-a", "raised_label", a.raised_label);
      setText(item, "data-a", "percent", Math.round(a.percent));
      setText(item, "data-a", "pending", a.pending);
      item.querySelector("[data-a=more]").hidden = a.pending < 2;
      var form = item.querySelector("form");
      if (form) form.action = pattern.replace("/0/ack/", "/" + a.id + "/ack/");
      list.appendChild(item);
    });
  }

  var chartEl = document.getElementById("board-trend");
  var chart = null;
  function renderTrend(trend) {
    if (!chartEl || !window.echarts || !trend) return;
    if (!chart) {
      chart = window.echarts.init(chartEl, root.classList.contains("is-big") ? "dark" : null);
      window.addEventListener("resize", function () { chart.resize(); });
    }
    chart.setOption({
      backgroundColor: "transparent",
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { type: "scroll", top: 0 },
      grid: { left: 48, right: 12, top: 36, bottom: 28 },
      xAxis: { type: "category", data: trend.labels, boundaryGap: false },
      yAxis: { type: "value", minInterval: 1 },
      series: trend.series.map(function (s) {
        return { name: s.name, type: "line", showSymbol: false, connectNulls: false, data: s.data };
      })
    }, true);
  }

  function render(data) {
    var cards = root.querySelectorAll("[data-zone]");
    if (cards.length !== data.zones.length) { window.location.reload(); return; }
    setText(root, "data-b", "occupancy", data.occupancy);
    setText(root, "data-b", "arrivals_per_minute", data.arrivals_per_minute);
    setText(root, "data-b", "generated_label", data.generated_label);
    swapClass(setText(root, "data-b", "level_label", data.level_label), "level-", data.level);
    data.zones.forEach(function (z) {
      var card = root.querySelector("[data-zone='" + z.id + "']");
      if (card) renderZone(card, z);
    });
    renderAlerts(data.alerts);
    renderTrend(data.trend);
    root.dataset.updates = String(Number(root.dataset.updates || 0) + 1);
  }

  var source = new EventSource(root.dataset.stream);
  source.addEventListener("board", function (event) { render(JSON.parse(event.data)); });
  source.addEventListener("open", function () {
    live.dataset.live = "1"; live.textContent = texts.live;
  });
  source.addEventListener("error", function () {
    live.dataset.live = "0"; live.textContent = texts.reconnect;
  });
})();
