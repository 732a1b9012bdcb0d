// The report form's map pin (Leaflet from node_modules; no inline script: CSP).
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.L) return;
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  var centre = [parseFloat(el.dataset.lat) || 39.9042, parseFloat(el.dataset.lon) || 116.4074];
  var map = L.map(el, { zoomControl: true }).setView(centre, 17);
  L.tileLayer(el.dataset.tiles, { subdomains: "1234", maxZoom: 19,
    attribution: "© 高德地图" }).addTo(map);
  var marker = null;
  function place(latlng) {
    if (marker) marker.setLatLng(latlng); else marker = L.marker(latlng, { keyboard: true }).addTo(map);
    lat.value = latlng.lat.toFixed(6);
    lon.value = latlng.lng.toFixed(6);
  }
  if (lat.value && lon.value) place(L.latLng(parseFloat(lat.value), parseFloat(lon.value)));
  map.on("click", function (e) { place(e.latlng); });
  var locate = document.getElementById("locate-me");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var ll = L.latLng(pos.coords.latitude, pos.coords.longitude);
        map.setView(ll, 18); place(ll);
      });
    });
  } else if (locate) { locate.hidden = true; }
})();
