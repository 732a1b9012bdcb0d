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

  function chart(panel, slot) {
    if (!window.echarts) return null;
    var el = panel.querySelector("[data-chart]");
    if (!el) return null;
    if (!charts[slot]) charts[slot] = window.echarts.init(el, "dark", { renderer: "canvas" });
    return charts[slot];
  }
  function resizeCharts() {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
    Object.keys(maps).forEach(function (k) { maps[k].map.invalidateSize(); });
  }

  function setText(scope, sel, value) {
    var el = scope.querySelector(sel);
    var text = value === null || value === undefined ? "—" : String(value);
    if (el && el.textContent !== text) el.textContent = text;
    return el;
  }

  function each(root, sel, fn) { Array.prototype.forEach.call(root.querySelectorAll(sel), fn); }

  function renderTile(li, t) {
    setText(li, "[data-t=value]", t.value);
    var ch = setText(li, "[data-t=change]", texts.since + " " + (t.change === null ? "—" : t.change));
    if (ch) {
      ch.classList.toggle("is-better", t.better === true);
      ch.classList.toggle("is-worse", t.better === false);
    }
  }

  function renderTiles(el, d) {
    (d.tiles || []).forEach(function (t) {
      var li = el.querySelector("[data-key='" + t.key + "']");
      if (li) renderTile(li, t);
    });
  }

  var BASE = { backgroundColor: "transparent", textStyle: { fontSize: 16 }, animation: false };

  function renderIndicator(el, d, slot) {
    var t = d.indicator;
    if (!t) return;
    var fig = el.querySelector(".panel-figure");
    if (fig) renderTile(fig, t);
    setText(el, "[data-p=period]", t.period);
    var c = chart(el, slot);
    if (!c || !d.series) return;
    c.setOption(Object.assign({}, BASE, {
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 16, bottom: 28 },
      xAxis: { type: "category", data: d.series.labels, axisLabel: { fontSize: 13 } },
      yAxis: { type: "value", name: t.unit, max: t.unit === "%" ? 100 : null },
      series: [{ name: t.label, type: "line", data: d.series.values, smooth: true,
                 connectNulls: true, areaStyle: { opacity: 0.15 } }]
    }), true);
  }

  function renderTrend(el, trend, slot) {
    var c = chart(el, slot);
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

  function renderBars(el, slot, labels, values, max) {
    var c = chart(el, slot);
    if (!c) return;
    c.setOption(Object.assign({}, BASE, {
      tooltip: {},
      grid: { left: 150, right: 50, top: 10, bottom: 24 },
      xAxis: { type: "value", max: max },
      yAxis: { type: "category", data: labels, inverse: true, axisLabel: { fontSize: 14, width: 140, overflow: "truncate" } },
      series: [{ type: "bar", data: values, label: { show: true, position: "right" },
                 itemStyle: { color: "#58a6ff" } }]
    }), true);
  }

  function renderMonth(el, d, slot) {
    setText(el, "[data-p=month_label]", d.month_label);
    var rows = d.month || [];
    renderBars(el, slot, rows.map(function (m) { return m.label; }),
               rows.map(function (m) { return m.value; }), 100);
  }

  function renderRanking(el, d, slot) {
    var rows = d.ranking || [];
    renderBars(el, slot, rows.map(function (r) { return r.name; }),
               rows.map(function (r) { return r.value; }), 100);
  }

  function renderCrowd(el, d, slot) {
    var rows = d.zones || [];
    renderBars(el, slot, rows.map(function (r) { return r.name; }), rows.map(function (r) {
      return { value: r.percent, itemStyle: { color: LEVEL_COLOURS[r.level] || "#58a6ff" } };
    }), null);
  }

  function renderHonour(el, d) {
    setText(el, "[data-p=period]", d.period);
    function list(sel, items) {
      var ul = el.querySelector(sel);
      if (!ul) return;
      ul.textContent = "";
      if (!items.length) items = [texts.none];
      items.forEach(function (text) {
        var li = document.createElement("li");
        li.textContent = text;
        ul.appendChild(li);
      });
    }
    list("[data-h=flags]", (d.flags || []).map(function (f) { return f.merchant + " · " + f.group; }));
    list("[data-h=excellent]", d.excellent || []);
  }

  // --- the map: Leaflet, redrawn in place from each event -----------------------------
  var maps = {};
  function renderMap(el, d, slot) {
    var box = el.querySelector("[data-map]");
    if (!box || !window.L) return;
    setText(el, "[data-p=open_total]", d.open_total);
    setText(el, "[data-p=orders_total]", d.orders_total);
    var gcj = box.dataset.gcj02 === "1" && box.dataset.tiles && window.SQCoords;
    function ll(lat, lon) { return gcj ? window.SQCoords.wgs84ToGcj02(lat, lon) : [lat, lon]; }
    var m = maps[slot];
    if (!m) {
      var map = L.map(box, { zoomControl: false, attributionControl: !!box.dataset.tiles,
        keyboard: false, dragging: false, scrollWheelZoom: false, doubleClickZoom: false,
        boxZoom: false, touchZoom: false, zoomSnap: 0.25 });
      if (box.dataset.tiles) {
        L.tileLayer(box.dataset.tiles, { subdomains: "1234", maxZoom: 19, attribution: "© 高德地图" }).addTo(map);
      }
      m = maps[slot] = { map: map, layer: L.layerGroup().addTo(map), fitted: false };
    }
    m.layer.clearLayers();
    var points = [], drawn = { grids: 0, stations: 0, zones: 0, orders: 0 };
    function add(layer, lat, lon) { points.push(ll(lat, lon)); m.layer.addLayer(layer); }
    (d.zones || []).forEach(function (z) {
      if (z.lat === null) return;
      var colour = LEVEL_COLOURS[z.level] || "#58a6ff";
      add(L.circle(ll(z.lat, z.lon), { radius: 70, color: "#d2a8ff", weight: 2, dashArray: "6 4",
        fillColor: colour, fillOpacity: 0.35, interactive: false })
        .bindTooltip(z.name + " " + z.percent + "%", { permanent: true, direction: "center" }), z.lat, z.lon);
      drawn.zones++;
    });
    (d.grids || []).forEach(function (g) {
      if (g.lat === null) return;
      var colour = LEVEL_COLOURS[g.level] || "#3fb950";
      add(L.circleMarker(ll(g.lat, g.lon), { radius: 7 + Math.min(g.open, 12), color: colour,
        weight: 2, fillColor: colour, fillOpacity: 0.55, interactive: false }), g.lat, g.lon);
      drawn.grids++;
    });
    (d.stations || []).forEach(function (s) {
      add(L.circleMarker(ll(s.lat, s.lon), { radius: 6, color: s.open ? "#58a6ff" : "#8c959f",
        weight: 3, fillColor: "#0b1526", fillOpacity: 1, interactive: false }), s.lat, s.lon);
      drawn.stations++;
    });
    (d.orders || []).forEach(function (o) {
      add(L.circleMarker(ll(o.lat, o.lon), { radius: 3.5, color: o.open ? "#ffffff" : "#8c959f",
        weight: 1, fillOpacity: 0.9, interactive: false }), o.lat, o.lon);
      drawn.orders++;
    });
    Object.keys(drawn).forEach(function (k) { box.dataset[k] = String(drawn[k]); });
    if (!m.fitted) {
      if (points.length > 1) m.map.fitBounds(points, { padding: [20, 20], maxZoom: 17 });
      else if (d.centre) m.map.setView(ll(d.centre[0], d.centre[1]), 16);
      else m.map.setView([39.9042, 116.4074], 12);
      m.fitted = points.length > 1 || !!d.centre;
    }
  }

  var RENDER = { tiles: renderTiles, indicator: renderIndicator, trend: function (el, d, s) { renderTrend(el, d, s); },
                 month: renderMonth, ranking: renderRanking, crowd: renderCrowd, map: renderMap,
                 honour: renderHonour };

  function renderPanel(p) {
    var el = document.getElementById("panel-" + p.slot);
    var fn = RENDER[p.kind];
    if (!el || !fn) return;
    fn(el, p.data || {}, p.slot);
    el.dataset.renders = String((+el.dataset.renders || 0) + 1);
  }

  function render(d) {
    setText(stage, "[data-s=title]", d.title);
    setText(stage, "[data-s=today]", d.today);
    setText(stage, "[data-s=generated_label]", d.generated_label);
    (d.panels || []).forEach(renderPanel);
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

  // Each panel on its own interval: while the stream is down (or the browser has no
  // EventSource) the panel asks for its own figures, without reloading the page.
  function poll(p) {
    if (connected && window.EventSource) return;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", p.url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.onload = function () {
      if (xhr.status !== 200) return;
      var answer = JSON.parse(xhr.responseText);
      renderPanel(answer.panel);
      setText(stage, "[data-s=today]", answer.today);
      setText(stage, "[data-s=generated_label]", answer.generated_label);
      stage.dataset.polls = String(+stage.dataset.polls + 1);
    };
    xhr.send();
  }
  function schedulePolls() {
    (data.panels || []).forEach(function (p) {
      setInterval(function () { poll(p); }, Math.max(5, p.refresh) * 1000);
    });
  }

  function start() {
    render(data); connect(); schedulePolls(); setInterval(checkStale, 1000); checkStale();
  }
  if (document.readyState === "complete") start(); else window.addEventListener("load", start);
})();
