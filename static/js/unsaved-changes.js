// A form marked data-warn-unsaved: once something in it is typed or changed, leaving the page
// (a link, the pagination, closing the tab) asks first. Saving it does not.
document.querySelectorAll("form[data-warn-unsaved]").forEach(function (form) {
  var changed = false;
  function mark() { changed = true; }
  form.addEventListener("input", mark);
  form.addEventListener("change", mark);
  form.addEventListener("submit", function () { changed = false; });
  window.addEventListener("beforeunload", function (event) {
    if (!changed) return;
    event.preventDefault();
    event.returnValue = "";  // older browsers ask only when this is set
  });
});
