// Follows an import job (or a dataset edition's preview and load): polls its small JSON status and moves the progress bar, then reloads
// the page (which shows the preview or the problems) once the job has finished.
(function () {
  "use strict";
  var section = document.querySelector("[data-status-url]");
  if (!section) return;
  var url = section.getAttribute("data-status-url");
  var bar = document.getElementById("job-progress");
  var text = document.getElementById("job-progress-text");
  var delay = 800;

  var delayed = document.getElementById("job-delayed");

  function show(status) {
    if (delayed) {
      delayed.hidden = !status.delayed;
      delayed.textContent = status.delayed ? status.message : "";
    }
    if (status.status === "confirming") {
      bar.removeAttribute("value");
      text.textContent = status.status_label + "…";
      return;
    }
    bar.value = status.percent;
    bar.textContent = status.percent + "%";
    // What is counted: rows read (an import, a dataset's preview) or lines written (a load).
    var unit = status.unit || "row";
    text.textContent = status.rows_total
      ? status.status_label + ": " + unit + " " + status.rows_done.toLocaleString("en-GB") +
        " of about " + status.rows_total.toLocaleString("en-GB") + " (" + status.percent + "%)."
      : status.status_label + ".";
  }

  function poll() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.json();
      })
      .then(function (status) {
        if (status.finished) {
          window.location.reload();
          return;
        }
        show(status);
        delay = Math.min(delay * 1.25, 4000);
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        window.setTimeout(poll, 5000);
      });
  }
  window.setTimeout(poll, delay);
})();
