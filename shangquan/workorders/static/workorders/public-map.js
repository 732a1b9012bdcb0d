// The public map of open reports (Leaflet from node_modules; no inline script: CSP).
// Points are WGS-84 at their public location (rounded unless a public place); the 高德
// tiles draw GCJ-02, so they are converted for display only. Without tiles or Leaflet
// the server-rendered list below is the page; each item has its 我也遇到 button.
(function () {
  "use strict";
  var el = document.getElementById("wo-public-map");
  var data = document.getElementById("wo-public-points");
  var note = document.getElementById("wo-public-map-note");
  if (!el || !data) return;
  if (!window.L || !window.SQCoords) { el.hidden = true; if (note) note.hidden = false; return; }
  var C = window.SQCoords;
  function toMap(lat, lon) { var g = C.wgs84ToGcj02(lat, lon); return L.latLng(g[0], g[1]); }
  var points = JSON.parse(data.textContent);
  var centre = toMap(parseFloat(el.dataset.lat) || (points[0] && points[0].lat) || 39.9042,
                     parseFloat(el.dataset.lon) || (points[0] && points[0].lon) || 116.4074);
  var map = L.map(el, { zoomControl: true }).setView(centre, 16);
  var tiles = L.tileLayer(el.dataset.tiles, { subdomains: "1234", maxZoom: 19,
    attribution: "© 高德地图" }).addTo(map);
  var failed = 0;
  tiles.on("tileerror", function () {
    failed += 1;
    if (failed === 3 && note) note.hidden = false;  // the markers and the list still work
  });
  var bounds = [];
  points.forEach(function (p) {
    var ll = toMap(p.lat, p.lon);
    bounds.push(ll);
    var box = document.createElement("div");
    var link = document.createElement("a");
    link.href = "../track/" + encodeURIComponent(p.number) + "/#metoo";
    link.textContent = p.category + " · " + p.status;
    box.appendChild(link);
    var meta = document.createElement("div");
    meta.textContent = p.at + (p.metoo ? " · " + p.metoo + " " + el.dataset.countLabel : "");
    box.appendChild(meta);
    var go = document.createElement("a");
    go.href = link.href;
    go.className = "btn btn-small";
    go.textContent = el.dataset.metooLabel;
    box.appendChild(go);
    L.circleMarker(ll, { radius: 10, color: "#b71c1c", fillOpacity: 0.75, keyboard: true })
      .addTo(map).bindPopup(box);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
  var locate = document.getElementById("wo-public-locate");
  var msg = document.getElementById("wo-public-locate-msg");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var ll = toMap(pos.coords.latitude, pos.coords.longitude);
        map.setView(ll, 17);
        L.circleMarker(ll, { radius: 6, color: "#0b57d0", fillOpacity: 1 }).addTo(map);
        if (msg) msg.textContent = "";
      }, function () { if (msg) msg.textContent = msg.dataset.denied; },
      { timeout: 10000, maximumAge: 60000 });
    });
  }
})();
