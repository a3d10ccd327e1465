// The supervisor's desk: the little it needs beyond htmx (no inline scripts: the CSP
// allows only files from static/).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });
})();
