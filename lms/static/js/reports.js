// Background report export: poll the job's JSON status (js/poll-status.js) and update the
// progress bar and the download link.
(function () {
  "use strict";
  var box = document.getElementById("export-job");
  if (!box) { return; }
  var bar = document.getElementById("export-progress");
  var message = document.getElementById("export-message");
  var link = document.getElementById("export-download");

  window.akademiPoll(box.getAttribute("data-status-url"), function (status) {
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
    return status.status === "queued" || status.status === "running";
  }, { now: true });
}());
