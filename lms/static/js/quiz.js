/* Quiz attempt: save every change, keep answers on the device while offline, show the countdown.
 * The server's deadline (data-deadline) is the only clock that counts; this is a display of it,
 * and the form is submitted when it reaches zero. Answers that could not be sent wait in
 * localStorage and are sent when the browser is back online or on the next successful save.
 * The bar above the questions shows the time, the answered count and the save status; submitting
 * with unanswered questions first asks in a modal <dialog> (the server asks again on a page of its
 * own when this script does not run, or when it counts more unanswered questions than were shown). */
(function () {
  "use strict";
  var form = document.getElementById("quiz-form");
  if (!form) return;
  var status = document.getElementById("quiz-status");
  var timer = document.getElementById("quiz-timer");
  // No save URL on a trainer's preview: its answers stay in the page until it is checked.
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

  var inflight = [];
  function send(questionId, response) {
    var request = fetch(saveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token },
      body: JSON.stringify({ question_id: questionId, response: response })
    }).then(function (reply) {
      if (reply.status === 409 || reply.status === 400) return "refused";
      if (!reply.ok) throw new Error("HTTP " + reply.status);
      return "saved";
    });
    inflight.push(request);
    var done = function () { inflight.splice(inflight.indexOf(request), 1); };
    request.then(done, done);
    return request;
  }

  function answered(response) {
    if (response === null || response === undefined) return false;
    if (typeof response === "string") return response.trim() !== "";
    if (Array.isArray(response)) return response.length > 0;
    if (typeof response === "object") {
      return Object.keys(response).some(function (k) { return response[k] !== ""; });
    }
    return true;
  }

  var boxes = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var others = (form.getAttribute("data-others") || "").split(",").filter(Boolean);
  var total = parseInt(form.getAttribute("data-total"), 10) || boxes.length;
  var answeredOut = document.getElementById("quiz-answered");

  /* Unanswered questions as [number, element or null]: those on this page, then (one question
   * per page) the ones on other pages as the server last saw them. */
  function unanswered() {
    var missing = boxes.filter(function (box) { return !answered(responseOf(box)); })
      .map(function (box) { return [parseInt(box.getAttribute("data-number"), 10), box]; });
    others.forEach(function (n) { missing.push([parseInt(n, 10), null]); });
    return missing.sort(function (a, b) { return a[0] - b[0]; });
  }

  function recount() {
    if (answeredOut) answeredOut.textContent = String(total - unanswered().length);
  }

  var flushing = false;
  function flush() {
    if (!saveUrl || flushing || !navigator.onLine) return;
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
    if (!saveUrl) return;
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
    recount();
  });
  form.addEventListener("input", function (event) {
    var box = event.target.closest("[data-question]");
    if (!box || event.target.tagName === "SELECT" || event.target.type === "radio" ||
        event.target.type === "checkbox") return;
    var id = box.getAttribute("data-question");
    window.clearTimeout(typing[id]);
    typing[id] = window.setTimeout(function () { delete typing[id]; save(box); }, 800);
    recount();
  });
  window.addEventListener("online", flush);
  window.addEventListener("offline", function () { say("offline"); });
  var button = document.getElementById("quiz-submit");
  var dialog = document.getElementById("quiz-confirm");
  var returnTo = null;

  /* Send what is still being typed, wait (a few seconds at most) for the saves in flight, then
   * submit: the server grades what it has, so nothing typed last may be left behind. */
  function submitNow(missing, timeUp) {
    if (submitting) return;
    submitting = true;
    if (button) button.disabled = true;
    Object.keys(typing).forEach(function (id) {
      window.clearTimeout(typing[id]);
      delete typing[id];
      var box = form.querySelector("[data-question='" + id + "']");
      if (box) save(box);
    });
    document.getElementById("quiz-unanswered").value = String(missing);
    if (timeUp) document.getElementById("quiz-timeup").value = "1";
    var wait = new Promise(function (resolve) { window.setTimeout(resolve, 5000); });
    Promise.race([Promise.all(inflight.map(function (r) { return r.catch(function () {}); })), wait])
      .then(function () { form.submit(); });
  }

  function questionLink(n, box) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.textContent = (form.getAttribute("data-msg-question") || "{n}").replace("{n}", n);
    if (box) {
      link.href = "#" + box.id;
      link.addEventListener("click", function (event) {
        event.preventDefault();
        returnTo = box.querySelector("input, select, textarea") || box;
        box.scrollIntoView({ block: "start" });
        dialog.close();
      });
    } else {
      link.href = form.getAttribute("data-page-url") + "?soal=" + n;
    }
    item.appendChild(link);
    return item;
  }

  function confirmSubmit(missing) {
    if (!dialog || typeof dialog.showModal !== "function") {
      form.submit();  // no dialog in this browser: the server's confirmation page asks instead
      return;
    }
    document.getElementById("quiz-confirm-text").textContent =
      (form.getAttribute("data-msg-unanswered") || "{n}").replace("{n}", missing.length);
    var list = document.getElementById("quiz-confirm-list");
    while (list.firstChild) list.removeChild(list.firstChild);
    missing.forEach(function (pair) { list.appendChild(questionLink(pair[0], pair[1])); });
    dialog.showModal();
    document.getElementById("quiz-confirm-back").focus();
  }

  function onSubmit(event) {
    event.preventDefault();
    if (submitting) return;
    var missing = unanswered();
    if (missing.length) confirmSubmit(missing);
    else submitNow(0, false);
  }
  form.addEventListener("submit", onSubmit);
  if (dialog) {
    document.getElementById("quiz-confirm-back").addEventListener("click", function () {
      dialog.close();
    });
    document.getElementById("quiz-confirm-go").addEventListener("click", function () {
      var missing = unanswered().length;
      dialog.close();
      submitNow(missing, false);
    });
    // Escape or "back" returns the keyboard to the submit button, a question's link to its field.
    dialog.addEventListener("close", function () {
      var target = returnTo || button;
      var scrolled = returnTo !== null;
      returnTo = null;
      if (!submitting && target) target.focus({ preventScroll: scrolled });
    });
  }
  recount();
  if (saveUrl && Object.keys(pending()).length) {
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
      timer.classList.toggle("quiz-time-low", left <= 60);
      if (left === 0 && !submitting) {
        window.clearInterval(handle);
        say("timeup");
        if (dialog && dialog.open) dialog.close();
        submitNow(unanswered().length, true);
      }
    };
    var handle = window.setInterval(tick, 1000);
    tick();
  }
})();
