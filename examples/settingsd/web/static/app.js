// Small enhancements of the settings pages. Every page works without
// this script: it only adds copy buttons and confirmation dialogs.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  if (navigator.clipboard) {
    document.querySelectorAll("button[data-copy]").forEach(function (btn) {
      var target = document.getElementById(btn.dataset.copy);
      var status = document.querySelector('[data-copied-for="' + btn.dataset.copy + '"]');
      if (!target) return;
      btn.hidden = false;
      btn.addEventListener("click", function () {
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          if (status) status.textContent = "Copied.";
        }, function () {
          if (status) status.textContent = "Copying failed: select the text and copy it.";
        });
      });
    });
  }
  document.querySelectorAll("[data-confirm]").forEach(function (el) {
    var form = el.form || el.closest("form");
    if (!form) return;
    form.addEventListener("submit", function (ev) {
      if (ev.submitter === el && !window.confirm(el.dataset.confirm)) ev.preventDefault();
    });
  });
});
