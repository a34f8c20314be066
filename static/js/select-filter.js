// A long <select data-searchable> gets a search box before it: typing narrows its options to
// those containing every word typed (the empty choice and the chosen one always stay). Without
// JavaScript the list is the plain select it always was.
document.querySelectorAll("select[data-searchable]").forEach(function (select) {
  var box = document.createElement("input");
  box.type = "search";
  box.id = select.id + "-search";
  box.className = "select-search";
  box.setAttribute("aria-controls", select.id);
  box.setAttribute("autocomplete", "off");
  var label = document.createElement("label");
  label.htmlFor = box.id;
  label.className = "visually-hidden";
  label.textContent = "Search the list below";
  box.placeholder = "Search…";
  select.parentNode.insertBefore(label, select);
  select.parentNode.insertBefore(box, select);
  box.addEventListener("input", function () {
    var words = box.value.toLowerCase().split(/\s+/).filter(Boolean);
    Array.prototype.forEach.call(select.options, function (option) {
      var text = option.textContent.toLowerCase();
      var keep = !option.value || option.selected || words.every(function (w) { return text.indexOf(w) !== -1; });
      option.hidden = !keep;
    });
  });
});
