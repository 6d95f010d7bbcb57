// Forms marked `confirm-form` ask before they are sent: the question is the form's data-confirm.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.classList || !form.classList.contains("confirm-form")) { return; }
    if (!window.confirm(form.getAttribute("data-confirm") || "Are you sure?")) { e.preventDefault(); }
  });
})();
