// A certificate whose PDF is still being made (rendered by a task after the issue): poll its JSON
// status (certificates.pdf_status) and say when the PDF is ready. The download link beside it
// works meanwhile (the server renders on demand), so this only informs; without JavaScript the
// page still works. Included once per pending certificate: the guard binds each element once.
(function () {
  "use strict";
  var boxes = document.querySelectorAll("[data-certificate-status-url]");
  var MAX_DELAY = 5000;
  var GIVE_UP = 10 * 60 * 1000;

  function finish(box, key) {
    var progress = box.querySelector("progress");
    if (progress) { progress.remove(); }
    var message = box.querySelector("[role=status]");
    if (message) { message.textContent = box.getAttribute("data-" + key) || ""; }
    box.setAttribute("data-state", key);
  }

  function watch(box) {
    var url = box.getAttribute("data-certificate-status-url");
    var delay = 1000;
    var started = Date.now();

    function again() {
      if (Date.now() - started > GIVE_UP) { return; }
      delay = Math.min(delay * 1.5, MAX_DELAY);
      window.setTimeout(poll, delay);
    }

    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.json();
        })
        .then(function (status) {
          if (status.status === "ready" || status.status === "failed") {
            finish(box, status.status);
          } else {
            again();
          }
        })
        .catch(again);
    }

    window.setTimeout(poll, delay);
  }

  for (var i = 0; i < boxes.length; i++) {
    if (boxes[i].getAttribute("data-bound")) { continue; }
    boxes[i].setAttribute("data-bound", "1");
    watch(boxes[i]);
  }
}());
