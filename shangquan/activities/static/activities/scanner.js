// The staff scanner: the camera reads a QR code with the browser's own BarcodeDetector
// (no library), puts it in the code field and submits. Without a camera or the detector
// the manual field is all there is. (No inline script: CSP.)
(function () {
  "use strict";
  var form = document.getElementById("scanner-form");
  var field = document.getElementById("scanner-code");
  var start = document.getElementById("scanner-start");
  var stop = document.getElementById("scanner-stop");
  var box = document.getElementById("camera");
  var video = document.getElementById("scanner-video");
  var status = document.getElementById("scanner-status");
  if (!form || !field) return;
  field.focus();
  function say(key) { status.textContent = status.dataset[key] || ""; status.hidden = !status.textContent; }
  var supported = "BarcodeDetector" in window && navigator.mediaDevices
    && navigator.mediaDevices.getUserMedia && window.isSecureContext;
  if (!supported) { say("msgUnsupported"); return; }
  start.hidden = false;
  var stream = null, timer = null, detector = null;
  function close() {
    clearInterval(timer); timer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
    stream = null; box.hidden = true; start.hidden = false;
  }
  start.addEventListener("click", function () {
    try { detector = new window.BarcodeDetector({ formats: ["qr_code"] }); }
    catch (e) { say("msgUnsupported"); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s; video.srcObject = s; video.play(); box.hidden = false; start.hidden = true;
        timer = setInterval(function () {
          if (video.readyState < 2) return;
          detector.detect(video).then(function (codes) {
            if (!codes.length) return;
            field.value = codes[0].rawValue.trim();
            close();
            form.submit();
          }).catch(function () { /* try the next frame */ });
        }, 300);
      })
      .catch(function () { say("msgDenied"); close(); });
  });
  stop.addEventListener("click", close);
})();
