// Report page answered with its rows first: fetch the figures (totals, charts, row count and
// pager) from the page's JSON endpoint and put each part in place. Retries a few times.
// Figures from before the latest data ("stale": the page's box has data-stale, or the answer
// says so) are being computed again on the server: ask again a little later, a few times.
(function () {
  "use strict";
  var box = document.getElementById("report-figures");
  if (!box || !box.hasAttribute("data-figures-url")) { return; }
  var url = box.getAttribute("data-figures-url");
  var tries = 0;
  var polls = 0;
  var POLL_MS = 5000;

  function place(html) {
    var parsed = new DOMParser().parseFromString(html, "text/html");
    parsed.querySelectorAll("[data-part]").forEach(function (part) {
      var target = document.getElementById(part.getAttribute("data-part"));
      if (!target) { return; }
      target.replaceChildren.apply(target, Array.prototype.slice.call(part.childNodes).map(function (node) {
        return document.importNode(node, true);
      }));
    });
    box.removeAttribute("aria-busy");
  }

  function failed() {
    var status = document.getElementById("report-figures-status");
    if (status) { status.textContent = status.getAttribute("data-failed") || ""; }
    box.removeAttribute("aria-busy");
  }

  function load() {
    tries += 1;
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (data) {
        place(data.html);
        if (data.stale && polls < 3) { polls += 1; tries = 0; window.setTimeout(load, POLL_MS); }
      })
      .catch(function () {
        if (tries < 3) { window.setTimeout(load, 3000 * tries); } else { failed(); }
      });
  }

  if (box.hasAttribute("data-stale")) { polls = 1; window.setTimeout(load, POLL_MS); } else { load(); }
}());
