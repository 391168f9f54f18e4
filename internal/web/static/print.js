// Print buttons: shown only when scripts run (without them the browser's own Print does
// the same), they print the page with the print style sheet.
(function () {
  var buttons = document.querySelectorAll("[data-print]");
  for (var i = 0; i < buttons.length; i++) {
    buttons[i].hidden = false;
    buttons[i].addEventListener("click", function () { window.print(); });
  }
})();
