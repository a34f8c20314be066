// Wide tables on narrow screens: each data table sits in a box that scrolls sideways instead
// of widening the whole page. A box that actually overflows becomes a named, focusable region
// so keyboard users can scroll it too (WCAG 2.1.1); one that fits adds no tab stop.
(function () {
  "use strict";
  var boxes = [];
  var label = function (table) {
    var caption = table.querySelector("caption");
    var name = caption ? caption.textContent.replace(/\s+/g, " ").trim() : "Table";
    return name + " (scrolls sideways)";
  };
  var update = function () {
    boxes.forEach(function (box) {
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", label(box.querySelector("table")));
      } else {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  };
  document.querySelectorAll("table.data-table").forEach(function (table) {
    if (table.closest(".table-scroll")) return; // the page made its own box
    var box = document.createElement("div");
    box.className = "table-scroll";
    table.parentNode.insertBefore(box, table);
    box.appendChild(table);
    boxes.push(box);
  });
  update();
  var pending;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(update, 150);
  });
})();
