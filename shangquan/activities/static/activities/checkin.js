// Check-in and check-out by position: when the event asks for one (data-needs-location),
// the form waits for the phone's position, puts it in the hidden lat/lon fields and only
// then submits; the server checks the distance. Denied or unavailable: a clear message
// (the texts come translated from the page), and nothing is sent. No inline script: CSP.
(function () {
  "use strict";
  var form = document.getElementById("checkin-form");
  if (!form || form.dataset.needsLocation !== "1") return;
  var status = document.getElementById("checkin-status");
  var sending = false;
  function say(key) {
    status.textContent = form.dataset[key] || "";
    status.hidden = !status.textContent;
  }
  form.addEventListener("submit", function (e) {
    if (sending) return;  // the position is in: let the browser post it
    e.preventDefault();
    var button = e.submitter || form.querySelector("button[name=action]");
    if (!navigator.geolocation || !window.isSecureContext) { say("msgUnsupported"); return; }
    say("msgLocating");
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector("[data-geo=lat]").value = pos.coords.latitude.toFixed(6);
      form.querySelector("[data-geo=lon]").value = pos.coords.longitude.toFixed(6);
      sending = true;
      if (form.requestSubmit && button) form.requestSubmit(button);
      else {
        var action = document.createElement("input");
        action.type = "hidden"; action.name = "action"; action.value = button ? button.value : "checkin";
        form.appendChild(action);
        form.submit();
      }
    }, function (err) {
      say(err.code === 1 ? "msgDenied" : err.code === 3 ? "msgTimeout" : "msgUnavailable");
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });
})();
