// Keyboard shortcuts for triage: j/k/Enter in the inbox list, single keys on a post, "?" for help.
(function () {
  "use strict";
  var help = document.getElementById("shortcuts-help");
  var list = document.querySelector("[data-shortcuts=inbox]");
  var items = list ? Array.prototype.slice.call(list.querySelectorAll(".inbox-item")) : [];
  // Coming back from a post, the selection resumes where it was (that post may have left the list).
  var memoryKey = "repapp.inbox.selected:" + location.pathname + location.search;
  var selected = -1;
  var before = null; // where the focus was when the help opened

  function typing(target) {
    if (!target || !target.tagName) { return false; }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  function select(index, focus) {
    if (!items.length) { return; }
    index = Math.max(0, Math.min(items.length - 1, index));
    if (selected >= 0 && items[selected]) {
      items[selected].classList.remove("selected");
      items[selected].removeAttribute("aria-current");
    }
    selected = index;
    var item = items[selected];
    item.classList.add("selected");
    item.setAttribute("aria-current", "true");
    if (focus) {
      var link = item.querySelector("a.inbox-link");
      if (link) { link.focus({ preventScroll: true }); }
    }
    item.scrollIntoView({ block: "nearest" });
    try { sessionStorage.setItem(memoryKey, String(selected)); } catch (e) { /* storage off: no memory */ }
  }

  function open() {
    if (selected < 0) { return false; }
    var link = items[selected].querySelector("a.inbox-link");
    if (!link) { return false; }
    link.click();
    return true;
  }

  function showHelp(show) {
    if (!help) { return; }
    help.hidden = !show;
    if (show) {
      before = document.activeElement;
      var close = help.querySelector("[data-close]");
      if (close) { close.focus(); }
    } else if (before && before.focus) {
      before.focus();
    }
  }

  // The letter of the key pressed as on a Latin keyboard, so the shortcuts work in the Russian layout too.
  function letter(event) {
    var match = /^Key([A-Z])$/.exec(event.code || "");
    if (match) { return match[1].toLowerCase(); }
    return event.key && event.key.length === 1 ? event.key.toLowerCase() : "";
  }

  // A key bound with data-key: a field gets the focus, a button or link is pressed.
  function pressBound(key) {
    var target = document.querySelector('[data-key="' + key + '"]');
    if (!target || target.disabled) { return false; }
    if (typing(target)) {
      target.focus();
      target.scrollIntoView({ block: "center" });
    } else {
      target.click();
    }
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (help && !help.hidden) {
      if (event.key === "Escape" || event.key === "?") { event.preventDefault(); showHelp(false); }
      return;
    }
    if (typing(event.target) || event.isComposing) { return; }
    var key = letter(event);
    var handled = false;
    if (event.key === "?") {
      showHelp(true);
      handled = true;
    } else if (event.shiftKey) {
      return;
    } else if (items.length && (key === "j" || key === "k")) {
      select(selected < 0 ? 0 : selected + (key === "j" ? 1 : -1), true);
      handled = true;
    } else if (items.length && event.key === "Enter") {
      // A focused link opens itself; Enter elsewhere opens the selected post.
      if (!(event.target && event.target.tagName === "A")) { handled = open(); }
    } else if (/^[a-z]$/.test(key) && key !== "j" && key !== "k") {
      handled = pressBound(key);
    }
    if (handled) { event.preventDefault(); }
  });

  if (help) {
    help.addEventListener("click", function (event) {
      if (event.target === help || event.target.hasAttribute("data-close")) { showHelp(false); }
    });
  }
  items.forEach(function (item, index) {
    item.addEventListener("focusin", function () { if (selected !== index) { select(index, false); } });
  });
  if (items.length) {
    var remembered = null;
    try { remembered = sessionStorage.getItem(memoryKey); } catch (e) { remembered = null; }
    if (remembered !== null && !isNaN(Number(remembered))) { select(Number(remembered), false); }
  }
})();
