// Pickers: a select of units (a work order's team, the unit of the person a finding charges,
// the unit of a new account's person) names in data-people the select of that unit's people,
// and in data-source the JSON list of them ({id} is the chosen unit). Choosing a unit reloads
// the people here; without scripts, or when the list cannot be read, the unit's form's choose
// button ([data-pick]) sends that form for the same list. The people select is in the unit's
// form, or, where the unit has a form of its own (the account form's, whose list must not send
// the password), elsewhere in the page. data-empty and data-choose on the people select are
// its first option's text without and with a unit.
(function () {
  var units = document.querySelectorAll("select[data-people][data-source]");
  for (var i = 0; i < units.length; i++) {
    wire(units[i]);
  }

  function wire(unit) {
    var form = unit.form;
    var name = unit.getAttribute("data-people");
    var people = form.elements[name] || document.querySelector('select[name="' + name + '"]');
    var buttons = [].filter.call(form.elements, function (e) { return e.hasAttribute("data-pick"); });
    if (!people || !window.fetch) return;
    showButtons(false);
    var asked = 0;
    unit.addEventListener("change", function () {
      var n = ++asked;
      clear();
      if (!unit.value) return;
      var url = unit.getAttribute("data-source").replace("{id}", encodeURIComponent(unit.value));
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (list) {
          if (n !== asked) return; // a later choice is on its way
          for (var k = 0; k < list.items.length; k++) {
            var p = list.items[k];
            people.add(new Option(p.title ? p.name + " · " + p.title : p.name, p.id));
          }
        })
        .catch(function () { if (n === asked) showButtons(true); });
    });

    // clear leaves the first option (choose, or the unit only), with its text for the unit.
    function clear() {
      while (people.options.length > 1) people.remove(1);
      var first = people.options[0];
      var text = people.getAttribute(unit.value ? "data-choose" : "data-empty");
      if (first && text) first.text = text;
      people.value = first ? first.value : "";
    }

    function showButtons(on) {
      for (var j = 0; j < buttons.length; j++) buttons[j].hidden = !on;
    }
  }
})();
