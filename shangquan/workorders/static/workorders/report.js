// The report form's map pin (Leaflet from node_modules; no inline script: CSP).
// A denied or unavailable location says so, in the page's language, and offers the map
// instead: tap it, or move it and "pin the map centre" (keyboard too), or write the address.
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  var msg = document.getElementById("locate-msg");
  var locate = document.getElementById("locate-me");
  var centreBtn = document.getElementById("pin-centre");
  var note = document.getElementById("report-map-note");
  var address = document.getElementById("id_address");
  function say(text) { if (msg) { msg.textContent = text; msg.hidden = !text; } }
  var mapOk = !!(el && window.L && window.SQCoords);
  function noLocation(code) {
    var d = msg ? msg.dataset : {};
    var text = code === 1 ? d.denied : (code === 3 ? d.timeout : d.unavailable);
    say(text + " " + (mapOk ? d.useMap : d.useAddress));
    if (mapOk) { el.focus(); } else if (address) { address.focus(); }
  }
  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation || !window.isSecureContext) { noLocation(2); return; }
      say(msg ? msg.dataset.locating : "");
      navigator.geolocation.getCurrentPosition(function (pos) {
        say("");
        if (mapOk) placeAndShow(pos.coords.latitude, pos.coords.longitude);
        else setWgs(pos.coords.latitude, pos.coords.longitude);
      }, function (err) { noLocation(err && err.code); },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  }
  var lat = document.getElementById("id_latitude");
  var lon = document.getElementById("id_longitude");
  function setWgs(wlat, wlon) {
    lat.value = wlat.toFixed(6);
    lon.value = wlon.toFixed(6);
    lat.dispatchEvent(new Event("change", { bubbles: true }));
  }
  if (!mapOk) { if (centreBtn) centreBtn.hidden = true; return; }
  // Stored and sent: WGS-84 (GPS). The 高德 tiles draw GCJ-02: convert for display only.
  var C = window.SQCoords;
  function toMap(wlat, wlon) { var g = C.wgs84ToGcj02(wlat, wlon); return L.latLng(g[0], g[1]); }
  var centre = toMap(parseFloat(el.dataset.lat) || 39.9042, parseFloat(el.dataset.lon) || 116.4074);
  var map = L.map(el, { zoomControl: true }).setView(centre, 17);
  var tiles = L.tileLayer(el.dataset.tiles, { subdomains: "1234", maxZoom: 19,
    attribution: "© 高德地图" }).addTo(map);
  var failed = 0;
  // Without tiles the pin still works (on a blank map) and the address field remains.
  tiles.on("tileerror", function () { failed += 1; if (failed === 3 && note) note.hidden = false; });
  var marker = null;
  function pin(mapLatLng) {
    if (marker) marker.setLatLng(mapLatLng);
    else marker = L.marker(mapLatLng, { keyboard: true }).addTo(map);
  }
  function placeWgs(wlat, wlon) {  // a GPS fix or a stored value
    setWgs(wlat, wlon);
    var ll = toMap(wlat, wlon);
    pin(ll);
    return ll;
  }
  function placeAndShow(wlat, wlon) { map.setView(placeWgs(wlat, wlon), 18); }
  function placeMap(mapLatLng) {  // a tap on the GCJ-02 map
    var w = C.gcj02ToWgs84(mapLatLng.lat, mapLatLng.lng);
    setWgs(w[0], w[1]);
    pin(mapLatLng);
  }
  if (lat.value && lon.value) placeWgs(parseFloat(lat.value), parseFloat(lon.value));
  map.on("click", function (e) { placeMap(e.latlng); say(""); });
  if (centreBtn) {
    centreBtn.hidden = false;
    centreBtn.addEventListener("click", function () { placeMap(map.getCenter()); say(""); });
  }
})();
