// The supervisor's desk: the little it needs beyond htmx (no inline scripts: the CSP
// allows only files from static/).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
  // A destructive form asks first: <form data-confirm="words">. The server never relies
  // on it (the action is logged with who did it), it only stops a slip of the mouse.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);
})();
