// Report page answered with its rows first: fetch the figures (totals, charts, row count and
// pager) from the page's JSON endpoint and put each part in place. Retries a few times.
(function () {
  "use strict";
  var box = document.getElementById("report-figures");
  if (!box || !box.hasAttribute("data-figures-url")) { return; }
  var url = box.getAttribute("data-figures-url");
  var tries = 0;

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
      .then(function (data) { place(data.html); })
      .catch(function () {
        if (tries < 3) { window.setTimeout(load, 3000 * tries); } else { failed(); }
      });
  }

  load();
}());
