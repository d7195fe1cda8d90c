// Progressive enhancement of the index: everything works without this script.
// It shows how many models are ticked for comparison and keeps the button honest (the form's data-min to data-max).
(function () {
  "use strict";
  var form = document.getElementById("compare-form");
  if (!form) { return; }
  var button = form.querySelector("button[type=submit]");
  var min = parseInt(form.dataset.min || "2", 10);
  var max = parseInt(form.dataset.max || "6", 10);
  var boxes = document.querySelectorAll('input[type=checkbox][form="compare-form"]');
  var status = document.createElement("span");
  status.className = "helptext";
  status.setAttribute("aria-live", "polite");
  button.insertAdjacentElement("afterend", status);

  function update() {
    var ticked = 0;
    boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
    var ok = ticked >= min && ticked <= max;
    button.setAttribute("aria-disabled", ok ? "false" : "true");
    status.textContent = " " + ticked + " selected" + (ticked > max ? " (at most " + max + ")" : "");
  }
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  form.addEventListener("submit", function (event) {
    if (button.getAttribute("aria-disabled") === "true") {
      event.preventDefault();
      status.textContent = " Tick " + min + " to " + max + " models to compare.";
    }
  });
  update();
})();
