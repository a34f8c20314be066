// Fields marked data-select-on-focus (a new API key) select their whole value on focus, ready to copy.
// A file, not an onfocus attribute: the Content-Security-Policy runs no inline code.
document.querySelectorAll("[data-select-on-focus]").forEach(function (field) {
  field.addEventListener("focus", function () { field.select(); });
});
