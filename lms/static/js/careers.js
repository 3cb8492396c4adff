// Development plan: show only the fields of the chosen activity kind (course, cohort, other).
// Without JavaScript every field stays visible and the server checks the right ones.
(function () {
  "use strict";
  document.querySelectorAll("form.activity-form").forEach(function (form) {
    var select = form.querySelector("select[name$='kind']");
    if (!select) return;
    var blocks = form.querySelectorAll("[data-activity-kind]");
    function update() {
      blocks.forEach(function (block) {
        block.hidden = block.getAttribute("data-activity-kind") !== select.value;
      });
    }
    select.addEventListener("change", update);
    update();
  });
})();
