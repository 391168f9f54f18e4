// Keyboard shortcuts of the evaluation queue: 1, 2, 3 choose 满意, 基本满意, 不满意 and put
// the focus on Save, so a rating is two key presses (e.g. 1 then Enter); U records an
// unreachable call. Keys typed into a text field are left alone.
(function () {
  var form = document.getElementById("eval-form");
  if (!form) return;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.tagName === "TEXTAREA" || t.tagName === "SELECT" || (t.tagName === "INPUT" && t.type !== "radio"))) return;
    var radio = form.querySelector('input[data-key="' + e.key + '"]');
    if (radio) {
      radio.checked = true;
      document.getElementById("save").focus();
      e.preventDefault();
      return;
    }
    if (e.key === "u" || e.key === "U") {
      var u = document.getElementById("unreachable");
      if (u) { u.click(); e.preventDefault(); }
    }
  });
})();
