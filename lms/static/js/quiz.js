/* Quiz attempt: save every change, keep answers on the device while offline, show the countdown.
 * The server's deadline (data-deadline) is the only clock that counts; this is a display of it,
 * and the form is submitted when it reaches zero. Answers that could not be sent wait in
 * localStorage and are sent when the browser is back online or on the next successful save. */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("quiz-status");
  var timer = document.getElementById("quiz-timer");
  var saveUrl = form.getAttribute("data-save-url");
  var storeKey = "quiz-attempt-" + form.getAttribute("data-attempt");
  var tokenInput = form.querySelector("input[name=csrf_token]");
  var token = tokenInput ? tokenInput.value : "";
  var submitting = false;

  function say(key) {
    if (status) status.textContent = form.getAttribute("data-msg-" + key) || "";
    if (status) status.setAttribute("data-state", key);
  }

  function pending() {
    try {
      return JSON.parse(window.localStorage.getItem(storeKey) || "{}");
    } catch (e) {
      return {};
    }
  }

  function keep(all) {
    try {
      if (Object.keys(all).length) window.localStorage.setItem(storeKey, JSON.stringify(all));
      else window.localStorage.removeItem(storeKey);
    } catch (e) { /* storage full or disabled: nothing more we can do */ }
  }

  function responseOf(box) {
    var type = box.getAttribute("data-type");
    var name = "q" + box.getAttribute("data-question");
    var inline = box.querySelector("select[name='" + name + "']");
    if (inline && type === "single_choice") {
      return inline.value === "" ? null : parseInt(inline.value, 10);
    }
    if (inline && type === "true_false") {
      return inline.value === "" ? null : inline.value === "true";
    }
    if (type === "single_choice") {
      var picked = box.querySelector("input[name='" + name + "']:checked");
      return picked ? parseInt(picked.value, 10) : null;
    }
    if (type === "multiple_response") {
      return Array.prototype.map.call(
        box.querySelectorAll("input[name='" + name + "']:checked"),
        function (el) { return parseInt(el.value, 10); }
      );
    }
    if (type === "true_false") {
      var tf = box.querySelector("input[name='" + name + "']:checked");
      return tf ? tf.value === "true" : null;
    }
    if (type === "matching") {
      var out = {};
      box.querySelectorAll("select[data-pair]").forEach(function (sel) {
        if (sel.value) out[sel.getAttribute("data-pair")] = sel.value;
      });
      return out;
    }
    var field = box.querySelector("[name='" + name + "']");
    return field ? field.value : null;
  }

  function send(questionId, response) {
    return fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ question_id: questionId, response: response })
    }).then(function (reply) {
      if (reply.status === 409 || reply.status === 400) return "refused";
      if (!reply.ok) throw new Error("HTTP " + reply.status);
      return "saved";
    });
  }

  var flushing = false;
  function flush() {
    if (flushing || !navigator.onLine) return;
    var all = pending();
    var ids = Object.keys(all);
    if (!ids.length) return;
    flushing = true;
    var chain = Promise.resolve();
    ids.forEach(function (id) {
      chain = chain.then(function () {
        return send(parseInt(id, 10), all[id]).then(function () {
          var now = pending();
          if (JSON.stringify(now[id]) === JSON.stringify(all[id])) delete now[id];
          keep(now);
        });
      });
    });
    chain.then(function () { say("saved"); }, function () { say("offline"); })
      .then(function () { flushing = false; });
  }

  function save(box) {
    var id = box.getAttribute("data-question");
    var response = responseOf(box);
    var all = pending();
    all[id] = response;
    keep(all);
    if (!navigator.onLine) { say("offline"); return; }
    say("saving");
    send(parseInt(id, 10), response).then(function (result) {
      var now = pending();
      if (JSON.stringify(now[id]) === JSON.stringify(response)) delete now[id];
      keep(now);
      say(result);
      if (result === "saved") flush();
    }, function () { say("offline"); });
  }

  var typing = {};
  form.addEventListener("change", function (event) {
    var box = event.target.closest("[data-question]");
    if (box) save(box);
  });
  form.addEventListener("input", function (event) {
    var box = event.target.closest("[data-question]");
    if (!box || event.target.tagName === "SELECT" || event.target.type === "radio" ||
        event.target.type === "checkbox") return;
    var id = box.getAttribute("data-question");
    window.clearTimeout(typing[id]);
    typing[id] = window.setTimeout(function () { save(box); }, 800);
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say("offline"); });
  form.addEventListener("submit", function (event) {
    if (submitting) { event.preventDefault(); return; }
    submitting = true;
    var button = document.getElementById("quiz-submit");
    if (button) button.disabled = true;
  });
  if (Object.keys(pending()).length) {
    say("offline");
    flush();
  }
  // Periodic retry of anything still waiting on the device.
  window.setInterval(flush, 15000);

  if (timer) {
    var deadline = Date.parse(timer.getAttribute("data-deadline"));
    var tick = function () {
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      var h = Math.floor(left / 3600);
      var m = Math.floor((left % 3600) / 60);
      var s = left % 60;
      timer.textContent = (h ? h + ":" : "") + (m < 10 && h ? "0" : "") + m + ":" + (s < 10 ? "0" : "") + s;
      if (left === 0 && !submitting) {
        window.clearInterval(handle);
        say("timeup");
        submitting = true;
        form.submit();
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
  }
})();
