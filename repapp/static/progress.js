// Show that work is under way: a submitted form marks its button busy (and is not sent twice);
// a thread waiting for the worker polls its status and reloads once the read is done.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post") { return; }
    if (form.dataset.submitting) { event.preventDefault(); return; }
    form.dataset.submitting = "1";
    var button = event.submitter || form.querySelector("button[type=submit], input[type=submit]");
    if (button) {
      button.classList.add("is-busy");
      button.setAttribute("aria-busy", "true");
    }
    document.body.classList.add("is-submitting");
    // Disabled after the browser has taken the form's values, so the pressed button's value is still sent.
    setTimeout(function () {
      form.querySelectorAll("button[type=submit], button:not([type]), input[type=submit]").forEach(function (b) {
        b.disabled = true;
      });
    }, 0);
  });

  // Back from the next page (back/forward cache): the form is usable again.
  window.addEventListener("pageshow", function (event) {
    if (!event.persisted) { return; }
    document.body.classList.remove("is-submitting");
    document.querySelectorAll("form[data-submitting]").forEach(function (form) {
      delete form.dataset.submitting;
      form.querySelectorAll(".is-busy, [disabled]").forEach(function (b) {
        b.classList.remove("is-busy");
        b.removeAttribute("aria-busy");
        b.disabled = false;
      });
    });
  });

  var status = document.querySelector("[data-status-url]");
  if (!status) { return; }
  var delay = 2000;
  var started = Date.now();
  var giveUpAfter = 15 * 60 * 1000; // an abandoned tab stops asking
  var text = status.querySelector("[data-status-text]");

  function poll() {
    fetch(status.dataset.statusUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.state === "idle") {
          location.reload();
          return;
        }
        if (data && text && data.label) { text.textContent = data.label; }
        if (data) { status.dataset.state = data.state; }
        next();
      })
      .catch(next);
  }

  function next() {
    if (Date.now() - started > giveUpAfter) {
      status.dataset.state = "stopped";
      if (status.dataset.stoppedText && text) { text.textContent = status.dataset.stoppedText; }
      return;
    }
    // Every 2 s while a read usually takes, then less and less often.
    if (Date.now() - started > 30000) { delay = Math.min(delay * 1.5, 15000); }
    setTimeout(poll, delay);
  }

  if (status.dataset.state !== "idle") { setTimeout(poll, delay); }
})();
