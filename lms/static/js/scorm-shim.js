// The runtime shim (content origin). It holds the scorm-again API object where the SCO looks
// for it (window.API for SCORM 1.2, window.API_1484_11 for 2004, in the SCO's parent), so every
// SCORM call is answered synchronously here, with the library's data model, access rules and
// error codes. It never talks to the network (lmsCommitUrl is false; the page's CSP has
// connect-src 'none'): it hands the CMI to the player page, the only window it trusts, with
// postMessage to the app's origin.
(function () {
  "use strict";
  var root = document.getElementById("shim");
  var appOrigin = root.dataset.appOrigin;
  var api = null;
  var standard = "";

  function flat() {
    return api.renderCommitCMI(false);
  }

  function post(type, extra) {
    var message = { type: type, cmi: flat() };
    if (extra) {
      Object.keys(extra).forEach(function (k) { message[k] = extra[k]; });
    }
    window.parent.postMessage(message, appOrigin);
  }

  function navRequest() {
    try {
      var request = api.adl && api.adl.nav ? api.adl.nav.request : "";
      return request && request !== "_none_" ? String(request) : "";
    } catch (e) {
      return "";
    }
  }

  // Many SCOs call LMSFinish from window.onbeforeunload and return its "true": the browser
  // would then ask "leave this site?" every time the learner moves on, or (headless, or when
  // the prompt cannot be shown) keep the page. The handler still runs; its return value is
  // dropped, so leaving never asks.
  function quietUnload(win) {
    try {
      var original = win.onbeforeunload;
      if (typeof original === "function") {
        win.onbeforeunload = function (event) { original.call(win, event); };
      }
    } catch (e) {
      // a SCO that navigated elsewhere: nothing to quiet
    }
  }

  function start(message) {
    standard = message.standard === "scorm2004" ? "scorm2004" : "scorm12";
    var settings = {
      lmsCommitUrl: false,
      autocommit: false,
      dataCommitFormat: "flattened",
      logLevel: 5
    };
    api = standard === "scorm2004" ? new window.Scorm2004API(settings) : new window.Scorm12API(settings);
    api.loadFromFlattenedJSON(message.cmi || {}, "");
    if (standard === "scorm2004") {
      window.API_1484_11 = api;
      api.on("SetValue.cmi.*", function () { post("state"); });
      api.on("Commit", function () { post("commit", { finish: false }); });
      api.on("Terminate", function () { post("commit", { finish: true, nav: navRequest() }); });
    } else {
      window.API = api;
      api.on("LMSSetValue.cmi.*", function () { post("state"); });
      api.on("LMSCommit", function () { post("commit", { finish: false }); });
      api.on("LMSFinish", function () { post("commit", { finish: true }); });
    }
    var frame = document.createElement("iframe");
    frame.id = "sco";
    frame.title = "SCO";
    frame.src = "f/" + String(message.href || "").replace(/^\/+/, "");
    frame.addEventListener("load", function () { quietUnload(frame.contentWindow); });
    document.body.appendChild(frame);
  }

  window.addEventListener("message", function (event) {
    if (event.origin !== appOrigin || event.source !== window.parent) return;
    var message = event.data;
    if (message && message.type === "leave") {
      var sco = document.getElementById("sco");
      if (sco) sco.parentNode.removeChild(sco);  // its unload handlers run: Finish, saved
      return;
    }
    if (!message || message.type !== "init" || api) return;
    start(message);
  });
  // "ready" until the player answers with "init": on a slow connection this frame can load
  // before the player page's own script runs, and a message nobody listened for is lost (the
  // SCO would never start). The player takes the first and ignores the rest.
  (function announce() {
    if (api) return;
    window.parent.postMessage({ type: "ready" }, appOrigin);
    window.setTimeout(announce, 250);
  })();
})();
