// Background report export: poll the job's JSON status and update the progress bar and link.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-progress");
  var message = document.getElementById("export-message");
  var link = document.getElementById("export-download");
  var url = box.getAttribute("data-status-url");
  var delay = 1000;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + "%";
    var key = status.status;
    if (status.status === "done" && status.expired) { key = "expired"; }
    var text = message.getAttribute("data-" + key) || "";
    if (status.status === "failed" && status.error) { text += " " + status.error; }
    if (message.textContent.trim() !== text.trim()) { message.textContent = text; }
    if (status.download_url) {
      link.href = status.download_url;
      link.hidden = false;
    }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.status === "queued" || status.status === "running") {
          delay = Math.min(delay * 1.3, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  poll();
}());
