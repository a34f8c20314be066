// A link marked data-dialog="ID" opens the native <dialog id="ID"> on this page instead of its
// own confirmation page (which it still is without JavaScript). The dialog holds the same form.
document.querySelectorAll("a[data-dialog]").forEach(function (link) {
  var dialog = document.getElementById(link.dataset.dialog);
  if (!dialog || typeof dialog.showModal !== "function") return;  // the page is the fallback
  link.addEventListener("click", function (event) {
    event.preventDefault();
    dialog.showModal();
  });
  dialog.querySelectorAll("[data-close-dialog]").forEach(function (button) {
    button.addEventListener("click", function () { dialog.close(); link.focus(); });
  });
});
