// Charts for the place page. Amounts arrive as exact decimal strings; the charts only draw
// them (as numbers), the tables beside them carry the exact figures.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined" || !window.TotalPlaceMoney) { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0b5cad", "#d4351c", "#00703c", "#f47738", "#6f72af", "#28a197", "#b58840", "#912b88", "#505a5f"];
  var pounds = window.TotalPlaceMoney.pounds, short = window.TotalPlaceMoney.short;
  // Money axes start at zero: a bar or line that starts higher overstates every difference.
  var money = { beginAtZero: true, ticks: { callback: short } };
  var tooltip = { callbacks: { label: function (c) { return (c.dataset.label ? c.dataset.label + ": " : "") + pounds(c.raw); } } };
  var num = function (list) { return list.map(Number); };
  Chart.defaults.animation = false;  // steady screenshots and less motion

  new Chart(document.getElementById("chart-years"), {
    type: data.years.length > 1 ? "line" : "bar",  // one year is a bar: a line needs two points
    data: { labels: data.years, datasets: [{ label: "Total", data: num(data.totals), borderColor: palette[0], backgroundColor: palette[0], tension: 0.2 }] },
    options: { plugins: { legend: { display: false }, tooltip: tooltip }, scales: { y: money } }
  });
  new Chart(document.getElementById("chart-sectors"), {
    type: "bar",
    data: { labels: data.years, datasets: data.sectors.map(function (s, i) { return { label: s.label, data: num(s.data), backgroundColor: palette[i % palette.length] }; }) },
    options: { plugins: { tooltip: tooltip }, scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, money) } }
  });
  // On a narrow screen a long theme name would push the bars off the chart (Chart.js clips it):
  // shorten it to what fits beside them; the tooltip still gives it whole.
  var fitLabel = function (value) {
    var label = this.getLabelForValue(value), room = Math.max(12, Math.floor(this.chart.width / 20));
    return label.length > room ? label.slice(0, room - 1) + "…" : label;
  };
  // One bar per theme, full width and as tall as the themes need, so no label is clipped.
  var themes = document.getElementById("chart-themes");
  themes.parentNode.style.height = (data.themes.labels.length * 1.7 + 4) + "rem";
  new Chart(themes, {
    type: "bar",
    data: { labels: data.themes.labels, datasets: [{ label: data.year, data: num(data.themes.data), backgroundColor: palette[0] }] },
    options: { indexAxis: "y", maintainAspectRatio: false, plugins: { legend: { display: false }, tooltip: tooltip }, scales: { x: money, y: { ticks: { callback: fitLabel } } } }
  });
})();
