// The report form never loses input: photos are shrunk in the browser (long edge
// <= 1600 px), sent with visible upload progress, and kept in memory when the server
// answers with a duplicate warning or an error, so nothing has to be typed or picked
// again. Without JavaScript the form posts as usual. (No inline script: CSP.)
(function () {
  "use strict";
  var form = document.getElementById("report-form");
  var input = document.getElementById("id_photos");
  if (!form || !input || !window.FormData || !window.XMLHttpRequest) return;
  var MAX_EDGE = 1600, MAX_PHOTOS = 9;
  var previews = document.getElementById("report-previews");
  var progress = document.getElementById("report-progress");
  var progressText = document.getElementById("report-progress-text");
  var feedback = document.getElementById("report-feedback");
  var confirmBox = document.getElementById("report-confirm");
  var labels = form.dataset;
  var kept = [];  // {blob, name, url}

  function shrink(file) {
    return new Promise(function (resolve) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_EDGE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.naturalWidth * scale);
        canvas.height = Math.round(img.naturalHeight * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          resolve(blob ? { blob: blob, name: file.name.replace(/\.\w+$/, "") + ".jpg" }
                       : { blob: file, name: file.name });
        }, "image/jpeg", 0.8);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve({ blob: file, name: file.name }); };
      img.src = url;
    });
  }

  function render() {
    if (!previews) return;
    previews.textContent = "";
    kept.forEach(function (photo, index) {
      var li = document.createElement("li");
      var img = document.createElement("img");
      img.src = photo.url; img.alt = (labels.photoLabel || "photo") + " " + (index + 1);
      img.width = 72; img.height = 72;
      var remove = document.createElement("button");
      remove.type = "button"; remove.className = "btn btn-small btn-ghost";
      remove.textContent = labels.removeLabel || "×";
      remove.setAttribute("aria-label", (labels.removeLabel || "remove") + " " + (index + 1));
      remove.addEventListener("click", function () {
        URL.revokeObjectURL(photo.url); kept.splice(index, 1); render();
      });
      li.appendChild(img); li.appendChild(remove); previews.appendChild(li);
    });
    previews.hidden = kept.length === 0;
  }

  input.addEventListener("change", function () {
    var files = Array.prototype.slice.call(input.files, 0, MAX_PHOTOS - kept.length);
    input.value = "";  // the kept list, not the input, is what gets sent
    Promise.all(files.map(shrink)).then(function (photos) {
      photos.forEach(function (p) { p.url = URL.createObjectURL(p.blob); kept.push(p); });
      render();
    });
  });

  function showProgress(fraction) {
    if (!progress) return;
    progress.hidden = false;
    progress.value = Math.round(fraction * 100);
    if (progressText) progressText.textContent = (labels.uploadingLabel || "") + " " + progress.value + "%";
  }

  function freshKey() {
    var key = form.querySelector("input[name=idempotency_key]");
    if (key) key.value = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : "k" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }

  function transplant(html) {
    // The server re-rendered the form with a warning or an error: take only those parts
    // into the live page, so typed text, the pin and the kept photos stay as they are.
    var doc = new DOMParser().parseFromString(html, "text/html");
    var newFeedback = doc.getElementById("report-feedback");
    var newConfirm = doc.getElementById("report-confirm");
    if (feedback && newFeedback) feedback.innerHTML = newFeedback.innerHTML;
    if (confirmBox && newConfirm) confirmBox.innerHTML = newConfirm.innerHTML;
    if (feedback) { feedback.tabIndex = -1; feedback.focus(); feedback.scrollIntoView({ block: "start" }); }
  }

  form.addEventListener("submit", function (event) {
    if (!form.checkValidity()) return;  // the browser shows what is missing
    event.preventDefault();
    var data = new FormData(form);
    data.delete("photos");
    kept.forEach(function (p) { data.append("photos", p.blob, p.name); });
    var xhr = new XMLHttpRequest();
    xhr.open("POST", form.getAttribute("action") || window.location.href);
    xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
    xhr.upload.addEventListener("progress", function (e) {
      if (e.lengthComputable) showProgress(e.loaded / e.total);
    });
    xhr.addEventListener("load", function () {
      var landed = xhr.responseURL && xhr.responseURL.split("?")[0] !== window.location.href.split("?")[0];
      if (landed && xhr.status < 400) { window.location.assign(xhr.responseURL); return; }
      if (progress) progress.hidden = true;
      if (progressText) progressText.textContent = "";
      transplant(xhr.responseText);
      freshKey();
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
    xhr.addEventListener("error", function () {
      if (progress) progress.hidden = true;
      if (progressText) progressText.textContent = labels.offlineLabel || "";
      form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
    });
    showProgress(0);
    xhr.send(data);
  });

  // Without map tiles (offline, blocked) the form still works: say so.
  var map = document.getElementById("report-map");
  var mapNote = document.getElementById("report-map-note");
  if (map && mapNote && !window.L) { map.hidden = true; mapNote.hidden = false; }
})();
