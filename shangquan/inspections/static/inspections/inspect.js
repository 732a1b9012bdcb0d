// The inspection checklist on a phone with a poor connection.
//
// Every tick and note is kept in localStorage first, then sent to the API with an
// idempotent PUT keyed by item (a retry updates the same answer; the phone's own
// time makes a late, older retry lose). Photos are shrunk in the browser, queued the
// same way and uploaded with a client key, so a retried upload is not a second photo.
// Nothing is lost on a dropped connection or a reload: the queue is retried with
// back-off and on the "online" event. The signature is drawn on a canvas and sent
// as a PNG with the sign-off form.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form) return;
  var api = form.getAttribute("data-api");
  var id = form.getAttribute("data-inspection");
  var KEY = "sq-insp-" + id, PKEY = "sq-insp-photos-" + id;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  var statusLine = document.getElementById("sync-status");
  var progress = document.getElementById("insp-progress");
  var memoryOnly = false;
  var sentAny = false;  // "all saved" only once something was actually sent

  function load(key, empty) {
    try { return JSON.parse(localStorage.getItem(key)) || empty; } catch (e) { return empty; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); return true; } catch (e) { return false; }
  }
  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return "p" + Date.now().toString(36) + Math.random().toString(36).slice(2);
  }
  var pending = load(KEY, {});
  var photos = load(PKEY, []);

  function fieldset(itemId) { return form.querySelector('.insp-item[data-item="' + itemId + '"]'); }
  var LABELS = {
    pending: "待发送…", saved: "已保存", offline: "网络不佳：已暂存在本机，恢复后自动发送",
    error: "保存失败", all_saved: "全部已保存", n_pending: "%(n)s 项待发送", poor: "网络不佳，",
    full: "（本机存储已满，请勿关闭页面）", photo_first: "请先选择检查结果，再拍照",
    photo_bad: "无法读取这张照片", photo_saved: "照片已上传", photo_waiting: "现场照片（待上传）",
    unsent: "还有 %(n)s 项未发送，请稍候或到网络较好处再完成检查。"
  };
  // The page passes its translated messages as JSON (no inline script: CSP).
  var given = document.getElementById("insp-labels");
  if (given) {
    try {
      var parsed = JSON.parse(given.textContent);
      Object.keys(parsed).forEach(function (k) { LABELS[k] = parsed[k]; });
    } catch (e) { /* keep the defaults */ }
  }
  function fmt(text, n) { return text.replace("%(n)s", String(n)); }
  function mark(itemId, state, text) {
    var fs = fieldset(itemId);
    if (!fs) return;
    fs.setAttribute("data-sync", state);
    fs.querySelector(".insp-sync").textContent = text || LABELS[state];
  }
  function counts() {
    return Object.keys(pending).length + photos.length;
  }
  function summary(offline) {
    var n = counts();
    if (!statusLine) return;
    if (n === 0) statusLine.textContent = sentAny ? LABELS.all_saved : "";
    else statusLine.textContent = (offline ? LABELS.poor : "") + fmt(LABELS.n_pending, n) +
      (memoryOnly ? LABELS.full : "");
    var answered = form.querySelectorAll(".insp-item input[type=radio]:checked").length;
    if (progress) progress.value = answered;
  }
  function preview(fs, src) {
    var img = document.createElement("img");
    img.src = src; img.width = 64; img.height = 48; img.alt = LABELS.photo_waiting;
    fs.querySelector(".insp-photos").appendChild(img);
  }

  // Restore what was not sent before a reload or a crash.
  Object.keys(pending).forEach(function (itemId) {
    var p = pending[itemId];
    var radio = form.querySelector('input[name="item-' + itemId + '"][value="' + p.value + '"]');
    if (radio) radio.checked = true;
    var note = document.getElementById("note-" + itemId);
    if (note && typeof p.note === "string") note.value = p.note;
    mark(itemId, "pending");
  });
  photos.forEach(function (p) { var fs = fieldset(p.item); if (fs) preview(fs, p.data); });

  // Every edit is queued at once (so "all saved" never shows while a keystroke is only
  // in the page); typing only delays the sending.
  function record(fs, delay) {
    var itemId = fs.getAttribute("data-item");
    var checked = fs.querySelector("input[type=radio]:checked");
    if (!checked) return;
    pending[itemId] = { value: checked.value, note: fs.querySelector("textarea").value,
                        client_time: new Date().toISOString() };
    if (!store(KEY, pending)) memoryOnly = true;
    mark(itemId, "pending");
    summary(false);
    schedule(delay || 0);
  }

  function shrink(file, done, fail) {
    var url = URL.createObjectURL(file);
    var img = new Image();
    img.onload = function () {
      var max = 1280, scale = Math.min(1, max / Math.max(img.naturalWidth, img.naturalHeight));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(img.naturalWidth * scale);
      canvas.height = Math.round(img.naturalHeight * scale);
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      URL.revokeObjectURL(url);
      done(canvas.toDataURL("image/jpeg", 0.75));
    };
    img.onerror = function () { URL.revokeObjectURL(url); fail(); };
    img.src = url;
  }
  function addPhotos(fs, input) {
    var itemId = fs.getAttribute("data-item");
    if (!fs.querySelector("input[type=radio]:checked")) {
      mark(itemId, "error", LABELS.photo_first);
      input.value = "";
      return;
    }
    Array.prototype.forEach.call(input.files, function (file) {
      shrink(file, function (data) {
        photos.push({ item: itemId, key: uuid(), data: data });
        if (!store(PKEY, photos)) memoryOnly = true;
        preview(fs, data);
        mark(itemId, "pending");
        schedule(0);
      }, function () { mark(itemId, "error", LABELS.photo_bad); });
    });
    input.value = "";
  }

  form.addEventListener("change", function (e) {
    var fs = e.target.closest(".insp-item");
    if (!fs) return;
    if (e.target.type === "file") addPhotos(fs, e.target);
    else record(fs);
  });
  form.addEventListener("input", function (e) {
    if (e.target.tagName !== "TEXTAREA") return;
    record(e.target.closest(".insp-item"), 700);
  });
  // With JavaScript the sheet saves itself; the button just sends what is queued.
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    form.querySelectorAll(".insp-item").forEach(function (fs) {
      if (fs.querySelector("input[type=radio]:checked") &&
          fs.getAttribute("data-sync") !== "saved") record(fs);
    });
    schedule(0);
  });

  // --- sending, one request at a time, answers before photos ---------------------------
  var busy = false, backoff = 2000, timer = null;
  function schedule(ms) { clearTimeout(timer); timer = setTimeout(flush, ms); }
  function retryable(status) { return status === 0 || status === 408 || status === 429 || status >= 500; }
  function message(response) {
    return response.json().then(function (b) { return b.message || LABELS.error; },
                                function () { return LABELS.error; });
  }
  function dataToBlob(dataUrl) {
    var bytes = atob(dataUrl.split(",")[1]), arr = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) arr[i] = bytes.charCodeAt(i);
    return new Blob([arr], { type: "image/jpeg" });
  }
  function offline() {
    busy = false;
    Object.keys(pending).forEach(function (k) { mark(k, "offline"); });
    photos.forEach(function (p) { mark(p.item, "offline"); });
    summary(true);
    schedule(backoff);
    backoff = Math.min(backoff * 2, 30000);
  }
  function done() { busy = false; sentAny = true; backoff = 2000; summary(false); schedule(0); }

  function sendAnswer(itemId) {
    var sent = pending[itemId];
    return fetch(api + "/answers/" + itemId, {
      method: "PUT", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(sent)
    }).then(function (r) {
      if (r.ok || !retryable(r.status)) {
        // A newer edit made while this was in flight stays queued.
        if (pending[itemId] && pending[itemId].client_time === sent.client_time) delete pending[itemId];
        store(KEY, pending);
        if (r.ok) { mark(itemId, "saved"); return done(); }
        return message(r).then(function (m) { mark(itemId, "error", m); done(); });
      }
      offline();
    }, offline);
  }
  function sendPhoto(photo) {
    var body = new FormData();
    body.append("photo", dataToBlob(photo.data), photo.key + ".jpg");
    body.append("client_key", photo.key);
    return fetch(api + "/answers/" + photo.item + "/photos", {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": csrf, "Accept": "application/json", "Idempotency-Key": photo.key },
      body: body
    }).then(function (r) {
      if (r.ok || !retryable(r.status)) {
        photos = photos.filter(function (p) { return p.key !== photo.key; });
        store(PKEY, photos);
        if (r.ok) { mark(photo.item, "saved", LABELS.photo_saved); return done(); }
        return message(r).then(function (m) { mark(photo.item, "error", m); done(); });
      }
      offline();
    }, offline);
  }
  function flush() {
    if (busy) return;
    var ids = Object.keys(pending);
    if (ids.length) { busy = true; return sendAnswer(ids[0]); }
    if (photos.length) { busy = true; return sendPhoto(photos[0]); }
    summary(false);
  }
  window.addEventListener("online", function () { backoff = 2000; schedule(0); });
  summary(false);
  if (counts()) schedule(0);

  // --- signature and sign-off --------------------------------------------------------------
  var canvas = document.getElementById("sig-canvas");
  var sigData = document.getElementById("sig-data");
  var drawn = false;
  if (canvas && canvas.getContext) {
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 4; ctx.lineCap = "round"; ctx.lineJoin = "round"; ctx.strokeStyle = "#1f2328";
    var drawing = false;
    var point = function (e) {
      var rect = canvas.getBoundingClientRect();
      return [(e.clientX - rect.left) * canvas.width / rect.width,
              (e.clientY - rect.top) * canvas.height / rect.height];
    };
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; drawn = true;
      canvas.setPointerCapture(e.pointerId);
      var p = point(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return;
      var p = point(e); ctx.lineTo(p[0], p[1]); ctx.stroke();
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach(function (t) {
      canvas.addEventListener(t, function () { drawing = false; });
    });
    document.getElementById("sig-clear").addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); drawn = false;
    });
  }
  var complete = document.getElementById("complete-form");
  if (complete) {
    complete.addEventListener("submit", function (e) {
      var warning = document.getElementById("pending-warning");
      if (counts()) {
        e.preventDefault();
        warning.hidden = false;
        warning.textContent = fmt(LABELS.unsent, counts());
        schedule(0);
        setTimeout(function () {
          complete.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = false; });
        }, 0);
        return;
      }
      if (drawn && sigData) sigData.value = canvas.toDataURL("image/png");
    });
  }
})();
