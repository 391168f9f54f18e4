// Inspection pages: choosing a kind, unit or checklist on the new-inspection page reloads the
// form for it (without scripts the Apply button does), and print buttons print the weekly
// report with the print style sheet.
(function () {
  var selects = document.querySelectorAll("select[data-autosubmit]");
  for (var i = 0; i < selects.length; i++) {
    selects[i].addEventListener("change", function () { this.form.submit(); });
  }
  var apply = document.querySelectorAll(".noscript-apply");
  for (var k = 0; k < apply.length; k++) { apply[k].hidden = true; }
  var buttons = document.querySelectorAll("[data-print]");
  for (var j = 0; j < buttons.length; j++) {
    buttons[j].hidden = false;
    buttons[j].addEventListener("click", function () { window.print(); });
  }
})();
