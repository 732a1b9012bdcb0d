// The outdoor-display check on a phone with a poor connection: the form carries a client
// key (a retry is the same check), and a check made offline is kept in localStorage, with
// its photo shrunk, and sent when the phone is back online.
(function () {
  "use strict";
  var form = document.getElementById("outdoor-form");
  if (!form) return;
  var KEY = "sq-outdoor-queue";
  var status = document.getElementById("outdoor-status");
  var keyInput = document.getElementById("client_key");
  if (!keyInput.value) {
    keyInput.value = (window.crypto && crypto.randomUUID) ? crypto.randomUUID()
      : String(Date.now()) + Math.random().toString(16).slice(2);
  }
  function load() { try { return JSON.parse(localStorage.getItem(KEY)) || []; } catch (e) { return []; } }
  function store(q) { try { localStorage.setItem(KEY, JSON.stringify(q)); } catch (e) { /* full */ } }
  function shrink(file, done) {
    if (!file) return done(null);
    var img = new Image(), url = URL.createObjectURL(file);
    img.onload = function () {
      var side = 1280, s = Math.min(1, side / Math.max(img.width, img.height));
      var c = document.createElement("canvas");
      c.width = Math.round(img.width * s); c.height = Math.round(img.height * s);
      c.getContext("2d").drawImage(img, 0, 0, c.width, c.height);
      URL.revokeObjectURL(url);
      done(c.toDataURL("image/jpeg", 0.75));
    };
    img.onerror = function () { done(null); };
    img.src = url;
  }
  function toBlob(dataUrl) {
    var parts = dataUrl.split(","), bin = atob(parts[1]), arr = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) arr[i] = bin.charCodeAt(i);
    return new Blob([arr], { type: "image/jpeg" });
  }
  function send(item) {
    var data = new FormData();
    Object.keys(item.fields).forEach(function (k) { data.append(k, item.fields[k]); });
    if (item.photo) data.append("photo", toBlob(item.photo), "outdoor.jpg");
    return fetch(item.url, { method: "POST", body: data, credentials: "same-origin" })
      .then(function (r) { if (!r.ok && r.status >= 500) throw new Error(String(r.status)); return r; });
  }
  function flush() {
    var queue = load();
    if (!queue.length || !navigator.onLine) return;
    var item = queue[0];
    send(item).then(function (r) {
      // saved: the server redirects to the round; refused: it shows the form again
      store(load().slice(1));
      if (status) {
        status.textContent = r.redirected ? "离线检查已上传"
          : "离线检查未能保存（" + (item.name || "") + "），请重新检查";
      }
      flush();
    }).catch(function () { /* retried on the next "online" */ });
  }
  function mean(fields) {
    var sum = 0, n = 0;
    form.querySelectorAll("input[type=number]").forEach(function (input) {
      sum += Number(fields[input.name] || 0); n += 1;
    });
    return n ? sum / n : 0;
  }
  window.addEventListener("online", flush);
  flush();
  form.addEventListener("submit", function (event) {
    if (navigator.onLine) return;  // online: the normal form post
    event.preventDefault();
    var fields = {};
    new FormData(form).forEach(function (v, k) { if (typeof v === "string") fields[k] = v; });
    var file = form.querySelector("input[type=file]").files[0];
    var threshold = Number(form.getAttribute("data-threshold") || 0);
    if (!file && mean(fields) < threshold) {  // the server would refuse it later, unseen
      if (status) status.textContent = "低于达标分须拍照留证";
      return;
    }
    shrink(file, function (photo) {
      var queue = load();
      queue.push({ url: form.action || window.location.href, fields: fields, photo: photo,
                   name: form.getAttribute("data-merchant") || "" });
      store(queue);
      if (status) status.textContent = "当前离线，检查已保存，联网后自动上传";
    });
  });
})();
