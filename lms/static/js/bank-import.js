// A question-bank import running as a task: poll its JSON status (js/poll-status.js), update the
// progress bar and, once done, open the job page again (it shows the bank with what was imported).
(function () {
  "use strict";
  var box = document.getElementById("bank-import-job");
  if (!box) { return; }
  var bar = document.getElementById("bank-import-progress");
  var message = document.getElementById("bank-import-message");

  window.akademiPoll(box.getAttribute("data-status-url"), function (status) {
    bar.value = status.progress;
    bar.textContent = status.progress + "%";
    var text = message.getAttribute("data-" + status.status) || "";
    if (message.textContent.trim() !== text.trim()) { message.textContent = text; }
    if (status.status === "done") {
      window.location.reload();  // the job page redirects to the bank with the result
      return false;
    }
    return status.status === "queued" || status.status === "running";
  }, { delay: 700 });
}());
