// The player page (app origin): talks to the runtime shim on the content origin by postMessage,
// and saves what it reports with the page's CSRF token. Messages are accepted only from the
// shim's own window on the content origin, and only of the three known kinds; everything else
// (a package posting to its ancestors) is ignored.
(function () {
  "use strict";
  var frame = document.getElementById("sco-frame");
  if (!frame) return;
  var cfg = frame.dataset;
  var origin = cfg.contentOrigin;
  var statusEl = document.getElementById("sco-status");
  var messages = document.getElementById("sco-messages").dataset;
  var session = randomId();
  var latest = null;
  var changes = 0;
  var savedChanges = 0;
  var initialised = false;

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function show(state) {
    statusEl.dataset.state = state;
    statusEl.textContent = state === "saved" ? messages.saved : state === "error" ? messages.error : "";
  }

  function isFlatCmi(cmi) {
    if (!cmi || typeof cmi !== "object" || Array.isArray(cmi)) return false;
    return Object.keys(cmi).every(function (k) {
      var v = cmi[k];
      return k.indexOf("cmi.") === 0 && (v === null || ["string", "number", "boolean"].indexOf(typeof v) >= 0);
    });
  }

  function save(then) {
    var upTo = changes;
    fetch(cfg.commitUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify({ session: session, cmi: latest })
    }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      if (upTo > savedChanges) savedChanges = upTo;
      show("saved");
      if (then) then();
    }).catch(function () { show("error"); });
  }

  function navigate(request) {
    var url = request === "continue" ? cfg.nextUrl : request === "previous" ? cfg.previousUrl : "";
    if (url) window.location.assign(url);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== origin || event.source !== frame.contentWindow) return;
    var msg = event.data;
    if (!msg || typeof msg !== "object") return;
    if (msg.type === "ready" && !initialised) {
      initialised = true;
      frame.contentWindow.postMessage({
        type: "init", standard: cfg.standard, href: cfg.href, cmi: JSON.parse(cfg.state)
      }, origin);
      return;
    }
    if ((msg.type === "state" || msg.type === "commit") && isFlatCmi(msg.cmi)) {
      latest = msg.cmi;
      changes += 1;
      if (msg.type === "commit") {
        var nav = msg.finish && typeof msg.nav === "string" ? msg.nav : "";
        save(nav ? function () { navigate(nav); } : null);
      }
    }
  });

  // The tab closes or the learner leaves: whatever was not saved yet goes in a beacon, which
  // the browser delivers after the page is gone (a form, so the CSRF token rides in the body).
  window.addEventListener("pagehide", function () {
    if (!latest || savedChanges >= changes) return;
    var form = new FormData();
    form.append("csrf_token", cfg.csrf);
    form.append("payload", JSON.stringify({ session: session, cmi: latest }));
    navigator.sendBeacon(cfg.commitUrl, form);
    savedChanges = changes;
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && latest && savedChanges < changes) save(null);
  });
})();
