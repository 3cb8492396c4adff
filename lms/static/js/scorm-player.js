// The player page (app origin): talks to the runtime shim on the content origin by postMessage,
// and saves what it reports with the page's CSRF token. Messages are accepted only from the
// shim's own window on the content origin, and only of the three known kinds; everything else
// (a package posting to its ancestors) is ignored.
// Every save names the attempt the page was opened on: a stale page (a newer attempt or version
// started elsewhere) gets 409 and stops saving. The package's URLs work for a limited time
// (LMS_CONTENT_URL_TTL): while this page is open it renews them every third of that time.
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
  var pending = null;
  // A SCO that never calls Commit (many do not) is still saved a few seconds after it changed
  // something (LMS_SCORM_SAVE_AFTER_SECONDS), so a tab that crashes (no pagehide, no beacon)
  // loses at most those seconds.
  var SAVE_AFTER_MS = Math.max(1, parseInt(cfg.saveAfter, 10) || 3) * 1000;

  function randomId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var stale = "";
  var attempt = parseInt(cfg.attempt, 10) || 1;

  function show(state) {
    if (stale) state = "stale";
    statusEl.dataset.state = state;
    statusEl.textContent = state === "saved" ? messages.saved : state === "error" ? messages.error
      : state === "stale" ? stale : state === "expired" ? messages.expired : "";
  }

  function body() {
    return JSON.stringify({ session: session, attempt: attempt, cmi: latest });
  }

  // Only "cmi.*" elements with plain values pass on to the server (which checks them again).
  function flatCmi(cmi) {
    if (!cmi || typeof cmi !== "object" || Array.isArray(cmi)) return null;
    var out = {};
    Object.keys(cmi).forEach(function (k) {
      var v = cmi[k];
      if (k.indexOf("cmi.") === 0 && (v === null || ["string", "number", "boolean"].indexOf(typeof v) >= 0)) {
        out[k] = v;
      }
    });
    return out;
  }

  // "saved" is shown only once every change the SCO reported is on the server and no save is
  // still on its way: an earlier save's answer must not say "saved" while the SCO's last state
  // (the one that completes it) is still being sent.
  var inFlight = 0;
  function save(then) {
    if (stale) return;
    var upTo = changes;
    var settled = false;
    function settle() {
      if (!settled) { settled = true; inFlight -= 1; }
    }
    inFlight += 1;
    show("saving");
    fetch(cfg.commitUrl, {
      method: "POST",
      credentials: "same-origin",
      keepalive: true,
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf },
      body: body()
    }).then(function (response) {
      settle();
      if (response.status === 409) {
        return response.json().then(function (answer) {
          stale = (answer && answer.error && answer.error.message) || messages.error;
          show("stale");
          throw new Error("409");
        });
      }
      if (!response.ok) throw new Error(String(response.status));
      if (upTo > savedChanges) savedChanges = upTo;
      show(inFlight === 0 && savedChanges >= changes ? "saved" : "saving");
      if (then) then();
    }).catch(function () { settle(); show("error"); });
  }

  // Moving to another SCO: the shim first unloads the SCO (its unload handlers call Finish,
  // whose state is saved), then this page leaves. A SCO whose beforeunload handler would hold
  // the page never gets the chance; if nothing arrives, the page leaves after a moment anyway.
  var leavingTo = "";
  function leave(url) {
    if (leavingTo) return;
    leavingTo = url;
    frame.contentWindow.postMessage({ type: "leave" }, origin);
    window.setTimeout(go, 1500);
  }
  function go() {
    if (!leavingTo) return;
    var url = leavingTo;
    leavingTo = "";
    if (frame.parentNode) frame.parentNode.removeChild(frame);
    window.location.assign(url);
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-sco-nav]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) return;
    event.preventDefault();
    leave(link.href);
  });

  function navigate(request) {
    var url = request === "continue" ? cfg.nextUrl : request === "previous" ? cfg.previousUrl : "";
    if (url) leave(url);
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
    var cmi = flatCmi(msg.cmi);
    if ((msg.type === "state" || msg.type === "commit") && cmi) {
      latest = cmi;
      changes += 1;
      if (msg.type === "state" && !pending) {
        pending = window.setTimeout(function () { pending = null; if (savedChanges < changes) save(null); }, SAVE_AFTER_MS);
      }
      if (msg.type === "commit") {
        var nav = msg.finish && typeof msg.nav === "string" ? msg.nav : "";
        save(function () {
          if (leavingTo && msg.finish) go();
          else if (nav) navigate(nav);
        });
      }
    }
  });

  // The tab closes or the learner leaves: whatever was not saved yet goes in a beacon, which
  // the browser delivers after the page is gone (a form, so the CSRF token rides in the body).
  window.addEventListener("pagehide", function () {
    if (stale || !latest || savedChanges >= changes) return;
    var form = new FormData();
    form.append("csrf_token", cfg.csrf);
    form.append("payload", body());
    navigator.sendBeacon(cfg.commitUrl, form);
    savedChanges = changes;
  });
  // Renewing the package's URLs: a timer every third of their life, and at once when the page
  // comes back after the timer could not run (a sleeping laptop, a background tab).
  var renewMs = Math.max(5, parseInt(cfg.renewSeconds, 10) || 300) * 1000;
  var renewedAt = Date.now();
  function renew() {
    renewedAt = Date.now();
    fetch(cfg.renewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": cfg.csrf },
      body: JSON.stringify({ token: cfg.token })
    }).then(function (response) {
      if (response.status === 404 || response.status === 403) show("expired");
    }).catch(function () { /* offline: the next tick tries again */ });
  }
  window.setInterval(renew, renewMs);

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && latest && savedChanges < changes) save(null);
    if (document.visibilityState === "visible" && Date.now() - renewedAt >= renewMs) renew();
  });
})();
