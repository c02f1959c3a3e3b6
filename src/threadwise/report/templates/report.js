// Filter the comment list by label: one label at a time, "all" shows every comment. No network, no libraries.
(function () {
  "use strict";
  var buttons = document.querySelectorAll(".filter");
  var comments = document.querySelectorAll(".comment");
  function show(label) {
    comments.forEach(function (c) {
      var labels = (c.getAttribute("data-labels") || "").split(" ");
      c.hidden = label !== "" && labels.indexOf(label) < 0;
    });
    buttons.forEach(function (b) { b.classList.toggle("on", b.getAttribute("data-label") === label); });
  }
  buttons.forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-label")); });
  });
})();
