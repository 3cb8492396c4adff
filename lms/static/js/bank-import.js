// A question-bank import running as a task: poll its JSON status, update the progress bar and,
// once done, open the job page again (it shows the bank with what was imported).
(function () {
  "use strict";
  var box = document.getElementById("bank-import-job");
  if (!box) { return; }
  var bar = document.getElementById("bank-import-progress");
  var message = document.getElementById("bank-import-message");
  var url = box.getAttribute("data-status-url");
  var delay = 700;

  function show(status) {
    bar.value = status.progress;
    bar.textContent = status.progress + "%";
    var text = message.getAttribute("data-" + status.status) || "";
    if (message.textContent.trim() !== text.trim()) { message.textContent = text; }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (status) {
        show(status);
        if (status.status === "done") {
          window.location.reload();  // the job page redirects to the bank with the result
        } else if (status.status === "queued" || status.status === "running") {
          delay = Math.min(delay * 1.3, 5000);
          window.setTimeout(poll, delay);
        }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }

  window.setTimeout(poll, delay);
}());
