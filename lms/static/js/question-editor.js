// Question editor: the preview beside the form follows what the trainer types. Each change
// (after a short pause) posts the form, CSRF token included, to the preview route, which answers
// the question drawn by the learner's own template; nothing is stored. Without JavaScript the
// "Pratinjau" button does the same with a full page.
(function () {
  "use strict";
  var form = document.getElementById("question-form");
  var target = document.getElementById("question-preview");
  var status = document.getElementById("question-preview-status");
  if (!form || !target || !window.fetch || !window.FormData) { return; }
  var url = form.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;

  function say(text) {
    if (status) { status.textContent = text; }
  }

  function refresh() {
    var mine = ++latest;
    var body = new FormData(form);
    body.delete("action");
    fetch(url, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (mine !== latest) { return; }
        target.innerHTML = html;
        target.setAttribute("data-state", "fresh");
        say(form.getAttribute("data-msg-updated"));
      })
      .catch(function () {
        if (mine !== latest) { return; }
        target.setAttribute("data-state", "failed");
        say(form.getAttribute("data-msg-failed"));
      });
  }

  function later() {
    window.clearTimeout(timer);
    target.setAttribute("data-state", "pending");
    timer = window.setTimeout(refresh, 350);
  }

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
