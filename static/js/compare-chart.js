// Line chart for the compare page; the table beside it holds the exact figures.
(function () {
  "use strict";
  var source = document.getElementById("compare-data");
  var canvas = document.getElementById("chart-compare");
  if (!source || !canvas || typeof Chart === "undefined" || !window.TotalPlaceMoney) { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0b5cad", "#d4351c", "#00703c", "#f47738", "#6f72af", "#28a197"];
  var pounds = function (v) { return window.TotalPlaceMoney.pounds(v, 2); };
  Chart.defaults.animation = false;
  new Chart(canvas, {
    type: data.years.length > 1 ? "line" : "bar",  // one year is a bar: a line needs two points
    data: {
      labels: data.years,
      datasets: data.places.map(function (p, i) {
        // A year with no figures is null: a gap in the line, never a drop to £0.
        var values = p.data.map(function (v) { return v === null ? null : Number(v); });
        return { label: p.label, data: values, spanGaps: false, borderColor: palette[i], backgroundColor: palette[i] };
      })
    },
    // The axis starts at zero: one that starts higher overstates every difference.
    options: { scales: { y: { beginAtZero: true, ticks: { callback: window.TotalPlaceMoney.short } } }, plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.label + ": " + pounds(c.raw); } } } } }
  });
})();
