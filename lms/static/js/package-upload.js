// Package upload with progress: the form posts with XMLHttpRequest so <progress> can follow the
// bytes sent. Without JavaScript the same form posts normally (the server does not depend on it).
(function () {
  "use strict";

  function bind() {
    var form = document.getElementById("package-upload");
    if (!form || form.getAttribute("data-bound")) { return; }
    form.setAttribute("data-bound", "1");
    var box = document.getElementById("upload-progress");
    var bar = document.getElementById("upload-bar");
    var label = document.getElementById("upload-label");

    form.addEventListener("submit", function (event) {
      if (!window.FormData || !window.XMLHttpRequest) { return; }
      event.preventDefault();
      var xhr = new XMLHttpRequest();
      var button = form.querySelector("button[type=submit]");
      var previous = document.getElementById("upload-problems");
      if (previous) { previous.hidden = true; }
      button.disabled = true;
      box.hidden = false;
      xhr.upload.addEventListener("progress", function (e) {
        if (!e.lengthComputable) { return; }
        var percent = Math.round((e.loaded / e.total) * 100);
        bar.value = percent;
        bar.textContent = percent + "%";
        label.textContent = percent < 100 ? percent + "%" : label.getAttribute("data-checking");
      });
      xhr.addEventListener("load", function () {
        var accepted = null;
        if (xhr.status === 200 && /json/.test(xhr.getResponseHeader("Content-Type") || "")) {
          try { accepted = JSON.parse(xhr.responseText).location; } catch (e) { accepted = null; }
        }
        if (accepted) {  // the server kept its "accepted" message for the next page
          window.location.assign(accepted);
          return;
        }
        var landed = xhr.responseURL || form.action;
        if (xhr.status === 200 && landed.split("#")[0] !== form.action.split("#")[0]) {
          window.location.assign(landed);
          return;
        }
        var page = new DOMParser().parseFromString(xhr.responseText, "text/html");
        var fresh = page.querySelector("main");
        var current = document.querySelector("main");
        if (fresh && current) {
          current.replaceWith(fresh);
          bind();
        } else {
          window.location.assign(landed);
        }
      });
      xhr.addEventListener("error", function () {
        button.disabled = false;
        label.textContent = label.getAttribute("data-failed");
      });
      xhr.open("POST", form.action);
      xhr.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      xhr.send(new FormData(form));
    });
  }

  bind();
})();
