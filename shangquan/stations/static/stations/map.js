// The station map (Leaflet from node_modules; no inline script: CSP). Stored points are
// WGS-84; a GCJ-02 tile source (高德) gets them converted by SQCoords (js/coords.js).
// Without tiles or Leaflet the server-rendered list is the page.
(function () {
  "use strict";
  var locate = document.getElementById("st-locate");
  if (locate && navigator.geolocation) {
    locate.hidden = false;
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("st-lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("st-lon").value = pos.coords.longitude.toFixed(6);
        locate.form.submit();
      });
    });
  }
  var el = document.getElementById("st-map");
  var data = document.getElementById("st-markers");
  if (!el || !data || !window.L) return;
  var gcj = el.dataset.gcj02 === "1" && window.SQCoords;
  function toTiles(lat, lon) { return gcj ? window.SQCoords.wgs84ToGcj02(lat, lon) : [lat, lon]; }
  var markers = JSON.parse(data.textContent);
  var centre = toTiles(parseFloat(el.dataset.lat) || (markers[0] && markers[0].lat) || 39.9042,
                       parseFloat(el.dataset.lon) || (markers[0] && markers[0].lon) || 116.4074);
  var map = L.map(el, { zoomControl: true }).setView(centre, 16);
  L.tileLayer(el.dataset.tiles, { subdomains: "1234", maxZoom: 19, attribution: "© 高德地图" }).addTo(map);
  var bounds = [];
  markers.forEach(function (m) {
    var ll = toTiles(m.lat, m.lon);
    bounds.push(ll);
    var link = document.createElement("a");
    link.href = m.url; link.textContent = m.name;
    L.circleMarker(ll, { radius: 9, color: m.open ? "#b71c1c" : "#777", fillOpacity: 0.8 })
      .addTo(map).bindPopup(link);
  });
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
})();
