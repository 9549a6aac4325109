// The call desk's keyboard: on "My calls", j/k move and o or Enter opens
// the call sheet; on a call sheet, 1-8 record an outcome. Keys are ignored
// while typing in a field, so notes can hold digits.
(function () {
  "use strict";
  function typing(event) {
    var t = event.target;
    return t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName));
  }
  function calls() { return Array.prototype.slice.call(document.querySelectorAll("[data-call]")); }
  function open(item) {
    var button = item.querySelector("[data-open]");
    if (button) { button.click(); return; }
    var link = item.querySelector("[data-open-link]");
    if (link) { window.location = link.href; }
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event)) { return; }
    var form = document.querySelector("[data-outcome-form]");
    if (form) {
      var button = form.querySelector('[data-key="' + event.key + '"]');
      if (!button) { return; }
      event.preventDefault();
      if (button.dataset.outcome === "call_back") {
        var when = form.querySelector("[data-call-back]");
        if (when && !when.value) { when.focus(); return; }
      }
      button.click();
      return;
    }
    var items = calls();
    if (!items.length) { return; }
    var index = items.indexOf(document.activeElement);
    if (event.key === "j" || event.key === "ArrowDown") {
      event.preventDefault();
      items[Math.min(items.length - 1, index + 1)].focus();
    } else if (event.key === "k" || event.key === "ArrowUp") {
      event.preventDefault();
      items[Math.max(0, index - 1)].focus();
    } else if (event.key === "o" || (event.key === "Enter" && index >= 0)) {
      event.preventDefault();
      open(items[index >= 0 ? index : 0]);
    }
  });
  var first = calls()[0];
  if (first && !document.querySelector("[data-outcome-form]")) { first.focus(); }
})();
