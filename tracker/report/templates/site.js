// tracker: the side-by-side toggle and j/k between changes. The pages work without it.
(function () {
  "use strict";
  var body = document.body;
  var toggles = document.querySelectorAll("button.toggle");
  function show(side) {
    body.classList.toggle("side", side);
    for (var i = 0; i < toggles.length; i++) {
      toggles[i].textContent = side ? "Show inline" : "Show side by side";
      toggles[i].setAttribute("aria-pressed", side ? "true" : "false");
    }
  }
  for (var i = 0; i < toggles.length; i++) {
    toggles[i].hidden = false;
    toggles[i].addEventListener("click", function () { show(!body.classList.contains("side")); });
  }
  var marks = document.querySelectorAll(".change[id], .para.changed[id]");
  var at = -1;
  document.addEventListener("keydown", function (e) {
    if (e.altKey || e.ctrlKey || e.metaKey || !marks.length) { return; }
    var t = e.target && e.target.tagName;
    if (t === "INPUT" || t === "SELECT" || t === "TEXTAREA") { return; }
    if (e.key === "j") { at = Math.min(marks.length - 1, at + 1); }
    else if (e.key === "k") { at = Math.max(0, at - 1); }
    else { return; }
    var el = marks[at];
    el.scrollIntoView({block: "center"});
    if (history.replaceState) { history.replaceState(null, "", "#" + el.id); }
    el.focus({preventScroll: true});
  });
})();
