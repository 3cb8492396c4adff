// The nomination form: offer only the courses the chosen person may be nominated for.
// Each course option lists, in data-taken-by, the people already in it or done with it; when
// another person is chosen those options are hidden and a hidden choice is cleared. Without
// JavaScript the server renders the list for the first person and refuses the rest by name.
(function () {
  "use strict";
  var person = document.getElementById("employee_id");
  var course = document.getElementById("course_id");
  if (!person || !course) return;
  function update() {
    Array.prototype.forEach.call(course.options, function (option) {
      var taken = (option.getAttribute("data-taken-by") || "").split(" ");
      var out = option.value !== "0" && taken.indexOf(person.value) !== -1;
      option.hidden = out;
      option.disabled = out;
      if (out && option.selected) course.value = "0";
    });
  }
  person.addEventListener("change", update);
  update();
})();
