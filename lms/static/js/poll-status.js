// Polls a JSON status URL until the page says stop: the one poller of the background-work pages
// (report exports, question-bank imports, certificate PDFs). ``onStatus(status)`` returns true to
// keep polling; the delay grows by ``factor`` up to 5 s; a failed request is retried after 5 s;
// polling stops after ``giveUpMs`` (default 10 minutes). Load it before the page's own script.
(function () {
  "use strict";
  var MAX_DELAY = 5000;

  window.akademiPoll = function (url, onStatus, options) {
    var opts = options || {};
    var delay = opts.delay || 1000;
    var factor = opts.factor || 1.3;
    var giveUp = opts.giveUpMs || 10 * 60 * 1000;
    var started = Date.now();

    function later(ms) {
      if (Date.now() - started > giveUp) { return; }
      window.setTimeout(poll, ms);
    }

    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (status) {
          if (onStatus(status)) {
            delay = Math.min(delay * factor, MAX_DELAY);
            later(delay);
          }
        })
        .catch(function () { later(MAX_DELAY); });
    }

    if (opts.now) { poll(); } else { later(delay); }
  };
}());
