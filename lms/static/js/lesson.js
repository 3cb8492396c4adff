// The lesson list is a <details> folded above the lesson on a phone; CSS shows it open as the
// sidebar from 900 px. A browser without ::details-content gets it opened here instead.
(function () {
  "use strict";
  var list = document.querySelector("details.outline-list");
  var supported = window.CSS && CSS.supports && CSS.supports("selector(::details-content)");
  if (list && !supported && window.matchMedia("(min-width: 900px)").matches) list.open = true;
})();

// Marks a lesson done when the learner reaches its end (the #lesson-end sentinel scrolls into view).
(function () {
  "use strict";
  var end = document.getElementById("lesson-end");
  if (!end || end.dataset.done === "yes" || !("IntersectionObserver" in window)) return;
  var tokenInput = document.querySelector('input[name="csrf_token"]');
  var sent = false;
  var observer = new IntersectionObserver(function (entries) {
    if (sent || !entries.some(function (e) { return e.isIntersecting; })) return;
    sent = true;
    observer.disconnect();
    fetch(end.dataset.doneUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": tokenInput ? tokenInput.value : "" },
    }).then(function (response) {
      if (!response.ok) { sent = false; return null; }
      return response.json();
    }).then(function (data) {
      if (!data) return;
      var bar = document.getElementById("lesson-progress");
      if (bar) {
        bar.value = data.progress;
        var label = document.querySelector('label[for="lesson-progress"]');
        if (label) label.textContent = label.textContent.replace(/\d+%/, data.progress + "%");
      }
      var status = document.getElementById("done-status");
      if (status) status.textContent = "Pelajaran ditandai selesai.";
      end.dataset.done = "yes";
    }).catch(function () { sent = false; });
  });
  observer.observe(end);
})();
