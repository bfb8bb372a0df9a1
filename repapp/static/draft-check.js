// Live playbook check: re-check the draft a moment after the representative stops typing.
(function () {
  "use strict";
  var form = document.querySelector("form.draft-form");
  if (!form) { return; }
  var body = form.querySelector("textarea[name=body]");
  var box = document.getElementById("findings");
  var token = document.querySelector("meta[name=csrf-token]").content;
  var timer = null;
  var labels = { error: box.dataset.error || "error", warning: box.dataset.warning || "warning" };

  function render(data) {
    box.textContent = "";
    var list = document.createElement("ul");
    data.findings.forEach(function (f) {
      var item = document.createElement("li");
      item.className = "finding " + f.severity;
      var strong = document.createElement("strong");
      strong.textContent = f.severity === "error" ? labels.error : labels.warning;
      item.appendChild(strong);
      var russian = document.documentElement.lang === "ru";
      var text = " " + (russian && f.message_ru ? f.message_ru : f.message);
      if (f.start !== null && f.end !== null) { text += " «" + body.value.slice(f.start, f.end) + "»"; }
      item.appendChild(document.createTextNode(text));
      list.appendChild(item);
    });
    box.appendChild(list);
    box.dataset.count = String(data.findings.length);
  }

  function check() {
    var payload = new URLSearchParams();
    payload.set("body", body.value);
    fetch(form.dataset.checkUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "X-CSRFToken": token, "Content-Type": "application/x-www-form-urlencoded" },
      body: payload.toString()
    }).then(function (r) { return r.ok ? r.json() : null; }).then(function (data) { if (data) { render(data); } });
  }

  body.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(check, 400);
  });
  document.querySelectorAll("[data-insert-from]").forEach(function (button) {
    button.addEventListener("click", function () {
      var text = document.querySelectorAll("pre.suggestion")[Number(button.dataset.insertFrom)].textContent;
      body.value = body.value ? body.value + "\n\n" + text : text;
      body.dispatchEvent(new Event("input"));
    });
  });
})();
