// Verification page.
// 1. Proof form (a certificate typed by number): send only the field that was filled in, and the
//    NIP without its spaces, so the address stays short. Without this script the server accepts
//    both the same way.
// 2. Compute a chosen PDF's SHA-256 in the browser and compare it with the authentic one. The file
//    never leaves the computer. Needs a secure context (HTTPS or localhost).
(function () {
  "use strict";
  var proof = document.querySelector(".proof-form");
  if (proof) {
    proof.addEventListener("submit", function () {
      var nip = proof.querySelector("input[name=nip]");
      if (nip) { nip.value = nip.value.replace(/\s+/g, ""); }
      Array.prototype.forEach.call(proof.querySelectorAll("input[name]"), function (input) {
        if (!input.value) { input.removeAttribute("name"); }
      });
    });
  }

  var box = document.querySelector(".hash-check");
  if (!box) { return; }
  var input = box.querySelector("input[type=file]");
  var result = box.querySelector(".hash-result");
  box.hidden = false;
  if (!(window.crypto && window.crypto.subtle && window.FileReader)) {
    input.disabled = true;
    result.textContent = result.dataset.unsupported;
    return;
  }
  input.addEventListener("change", function () {
    var file = input.files && input.files[0];
    if (!file) { result.textContent = ""; return; }
    file.arrayBuffer().then(function (buffer) {
      return window.crypto.subtle.digest("SHA-256", buffer);
    }).then(function (digest) {
      var hex = Array.prototype.map.call(new Uint8Array(digest), function (b) {
        return ("0" + b.toString(16)).slice(-2);
      }).join("");
      var ok = hex === box.dataset.expected;
      result.textContent = (ok ? result.dataset.ok : result.dataset.bad) + " (" + hex + ")";
      result.className = "hash-result " + (ok ? "flash flash-success" : "flash flash-error");
    }).catch(function () {
      result.textContent = result.dataset.unsupported;
    });
  });
})();
