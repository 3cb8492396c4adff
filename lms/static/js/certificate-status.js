// A certificate whose PDF is still being made (rendered by a task after the issue): poll its JSON
// status (certificates.pdf_status, through js/poll-status.js) and say when the PDF is ready. The
// download link beside it works meanwhile (the server renders on demand), so this only informs;
// without JavaScript the page still works. Included once per pending certificate: the guard
// binds each element once.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-certificate-status-url]");

  function finish(box, key) {
    var progress = box.querySelector("progress");
    if (progress) { progress.remove(); }
    var message = box.querySelector("[role=status]");
    if (message) { message.textContent = box.getAttribute("data-" + key) || ""; }
    box.setAttribute("data-state", key);
  }

  function watch(box) {
    window.akademiPoll(box.getAttribute("data-certificate-status-url"), function (status) {
      if (status.status === "ready" || status.status === "failed") {
        finish(box, status.status);
        return false;
      }
      return true;
    }, { factor: 1.5 });
  }

  for (var i = 0; i < boxes.length; i++) {
    if (boxes[i].getAttribute("data-bound")) { continue; }
    boxes[i].setAttribute("data-bound", "1");
    watch(boxes[i]);
  }
}());
