// The 数据大屏: scaled to the window, figures replaced from server-sent events (no
// polling from the browser), a banner when the stream is down or the data is old.
(function () {
  "use strict";
  var stage = document.getElementById("screen");
  if (!stage) return;
  var texts = document.getElementById("screen-texts").dataset;
  var W = +stage.dataset.width, H = +stage.dataset.height;
  var staleMs = 1000 * (+stage.dataset.stale || 300);
  var DOWN_GRACE_MS = 5000;
  var LEVEL_COLOURS = { green: "#3fb950", yellow: "#d4a72c", orange: "#f0883e", red: "#f85149" };

  function fit() {
    var s = Math.min(window.innerWidth / W, window.innerHeight / H);
    var x = (window.innerWidth - W * s) / 2, y = (window.innerHeight - H * s) / 2;
    stage.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
  }
  fit();
  window.addEventListener("resize", function () { fit(); resizeCharts(); });

  var data = JSON.parse(document.getElementById("screen-data").textContent);
  var charts = {};

  function chart(id) {
    if (!window.echarts) return null;
    var el = document.getElementById(id);
    if (!el) return null;
    if (!charts[id]) charts[id] = window.echarts.init(el, "dark", { renderer: "canvas" });
    return charts[id];
  }
  function resizeCharts() { Object.keys(charts).forEach(function (k) { charts[k].resize(); }); }

  function setText(scope, sel, value) {
    var el = scope.querySelector(sel);
    var text = value === null || value === undefined ? "—" : String(value);
    if (el && el.textContent !== text) el.textContent = text;
    return el;
  }

  function renderTiles(tiles) {
    tiles.forEach(function (t) {
      var li = stage.querySelector("[data-key='" + t.key + "']");
      if (!li) return;
      setText(li, "[data-t=value]", t.value);
      var ch = setText(li, "[data-t=change]", texts.since + " " + (t.change === null ? "—" : t.change));
      ch.classList.toggle("is-better", t.better === true);
      ch.classList.toggle("is-worse", t.better === false);
    });
  }

  var BASE = { backgroundColor: "transparent", textStyle: { fontSize: 16 }, animation: false };

  function renderTrend(trend) {
    var c = chart("chart-trend");
    if (!c || !trend) return;
    c.setOption(Object.assign({}, BASE, {
      legend: { top: 0, textStyle: { fontSize: 16 } },
      tooltip: { trigger: "axis" },
      grid: { left: 60, right: 60, top: 40, bottom: 30 },
      xAxis: { type: "category", data: trend.days, axisLabel: { fontSize: 14 } },
      yAxis: [{ type: "value", name: (trend.series[0] || {}).unit || "" },
              { type: "value", name: (trend.series[1] || {}).unit || "", max: 100, splitLine: { show: false } }],
      series: trend.series.map(function (s, i) {
        return { name: s.label, type: i === 0 ? "bar" : "line", yAxisIndex: i ? 1 : 0,
                 data: s.values, smooth: true, connectNulls: true };
      })
    }), true);
  }

  function renderMonth(month) {
    var c = chart("chart-month");
    if (!c || !month) return;
    c.setOption(Object.assign({}, BASE, {
      tooltip: {},
      grid: { left: 150, right: 40, top: 10, bottom: 24 },
      xAxis: { type: "value", max: 100 },
      yAxis: { type: "category", data: month.map(function (m) { return m.label; }), inverse: true,
               axisLabel: { fontSize: 14 } },
      series: [{ type: "bar", data: month.map(function (m) { return m.value; }),
                 label: { show: true, position: "right", formatter: "{c}" },
                 itemStyle: { color: "#58a6ff" } }]
    }), true);
  }

  function renderSide(d) {
    var c = chart("chart-side");
    if (!c) return;
    var rows = d.scope === "street" ? (d.ranking || []) : (d.zones || []);
    c.setOption(Object.assign({}, BASE, {
      tooltip: {},
      grid: { left: 130, right: 50, top: 10, bottom: 24 },
      xAxis: { type: "value", max: d.scope === "street" ? 100 : null },
      yAxis: { type: "category", inverse: true, axisLabel: { fontSize: 14 },
               data: rows.map(function (r) { return r.name; }) },
      series: [{ type: "bar", label: { show: true, position: "right" },
                 data: rows.map(function (r) {
                   return d.scope === "street" ? r.value
                     : { value: r.percent, itemStyle: { color: LEVEL_COLOURS[r.level] || "#58a6ff" } };
                 }) }]
    }), true);
  }

  function render(d) {
    setText(stage, "[data-s=title]", d.title);
    setText(stage, "[data-s=today]", d.today);
    setText(stage, "[data-s=generated_label]", d.generated_label);
    setText(stage, "[data-s=month_label]", d.month_label);
    renderTiles(d.tiles);
    renderTrend(d.trend);
    renderMonth(d.month);
    renderSide(d);
  }

  // --- the stream and the stale banner ------------------------------------------------
  var banner = document.getElementById("screen-stale");
  var dot = stage.querySelector("[data-live-dot]");
  var connected = false, downSince = Date.now();

  function showLive(on) {
    connected = on;
    stage.dataset.live = on ? "1" : "0";
    dot.dataset.liveDot = on ? "1" : "0";
    dot.textContent = on ? texts.live : texts.reconnect;
    if (on) downSince = null; else if (!downSince) downSince = Date.now();
  }

  function checkStale() {
    var now = Date.now(), message = "";
    if (!connected && downSince && now - downSince > DOWN_GRACE_MS) message = texts.down;
    else if (now - data.generated_at > staleMs) message = texts.old.replace("TIME", data.generated_label);
    if (banner.textContent !== message) banner.textContent = message;
    banner.hidden = !message;
    stage.dataset.staleShown = message ? "1" : "0";
  }

  function connect() {
    if (!window.EventSource) return;
    var source = new EventSource(stage.dataset.stream);
    source.addEventListener("open", function () { showLive(true); checkStale(); });
    source.addEventListener("error", function () { showLive(false); checkStale(); });
    source.addEventListener("screen", function (e) {
      data = JSON.parse(e.data);
      showLive(true);
      render(data);
      stage.dataset.updates = String(+stage.dataset.updates + 1);
      checkStale();
    });
  }

  // Fullscreen: asked for by a click; after a reload the next click restores it.
  var fsButton = document.getElementById("screen-fullscreen");
  function enterFullscreen() {
    var el = document.documentElement;
    if (el.requestFullscreen && !document.fullscreenElement) {
      el.requestFullscreen().catch(function () {});
    }
  }
  fsButton.addEventListener("click", function () {
    try { sessionStorage.setItem("sq-screen-fullscreen", "1"); } catch (e) { /* private mode */ }
    enterFullscreen();
  });
  try {
    if (sessionStorage.getItem("sq-screen-fullscreen") === "1") {
      document.addEventListener("click", enterFullscreen, { once: true });
    }
  } catch (e) { /* private mode */ }

  function start() { render(data); connect(); setInterval(checkStale, 1000); checkStale(); }
  if (window.echarts) start(); else window.addEventListener("load", start);
})();
