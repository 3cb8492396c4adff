// Authoring helper: a "Sisipkan" button next to each file snippet puts it into the lesson text,
// at the cursor once the author has placed one, else at the end. Without JavaScript the
// snippets are still there to copy by hand.
(function () {
  "use strict";
  function insert(area, text, atCursor) {
    var start = atCursor ? area.selectionStart : area.value.length;
    var end = atCursor ? area.selectionEnd : start;
    var before = area.value.slice(0, start);
    var after = area.value.slice(end);
    var lead = !before || /\n\n$/.test(before) ? "" : (/\n$/.test(before) ? "\n" : "\n\n");
    var trail = !after ? "\n" : (/^\n\n/.test(after) ? "" : (/^\n/.test(after) ? "\n" : "\n\n"));
    var block = lead + text + trail;
    area.value = before + block + after;
    var caret = (before + lead + text).length;
    area.focus();
    area.setSelectionRange(caret, caret);
  }
  document.querySelectorAll("[data-snippet-for]").forEach(function (code) {
    var area = document.getElementById(code.getAttribute("data-snippet-for"));
    if (!area) { return; }
    if (!area.hasAttribute("data-cursor-watch")) {
      area.setAttribute("data-cursor-watch", "");
      ["keyup", "mouseup", "select"].forEach(function (name) {
        area.addEventListener(name, function () { area.setAttribute("data-cursor-set", ""); });
      });
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "secondary outline snippet-insert";
    button.textContent = document.documentElement.lang === "en" ? "Insert" : "Sisipkan";
    button.setAttribute("aria-label", button.textContent + ": " + code.textContent);
    button.addEventListener("click", function () {
      insert(area, code.textContent, area.hasAttribute("data-cursor-set"));
    });
    code.parentNode.appendChild(button);
  });
})();
