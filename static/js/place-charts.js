// Charts for the place page. Amounts arrive as exact decimal strings; the charts only draw
// them (as numbers), the tables beside them carry the exact figures.
(function () {
  "use strict";
  var source = document.getElementById("chart-data");
  if (!source || typeof Chart === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var palette = ["#0b5cad", "#d4351c", "#00703c", "#f47738", "#6f72af", "#28a197", "#b58840", "#912b88", "#505a5f"];
  var pounds = function (value) { return "£" + Number(value).toLocaleString("en-GB", { maximumFractionDigits: 0 }); };
  var money = { ticks: { callback: pounds } };
  var tooltip = { callbacks: { label: function (c) { return (c.dataset.label ? c.dataset.label + ": " : "") + pounds(c.raw); } } };
  var num = function (list) { return list.map(Number); };
  Chart.defaults.animation = false;  // steady screenshots and less motion

  new Chart(document.getElementById("chart-years"), {
    type: "line",
    data: { labels: data.years, datasets: [{ label: "Total", data: num(data.totals), borderColor: palette[0], backgroundColor: palette[0], tension: 0.2 }] },
    options: { plugins: { legend: { display: false }, tooltip: tooltip }, scales: { y: money } }
  });
  new Chart(document.getElementById("chart-sectors"), {
    type: "bar",
    data: { labels: data.years, datasets: data.sectors.map(function (s, i) { return { label: s.label, data: num(s.data), backgroundColor: palette[i % palette.length] }; }) },
    options: { plugins: { tooltip: tooltip }, scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, money) } }
  });
  new Chart(document.getElementById("chart-themes"), {
    type: "bar",
    data: { labels: data.themes.labels, datasets: [{ label: data.year, data: num(data.themes.data), backgroundColor: palette[0] }] },
    options: { indexAxis: "y", plugins: { legend: { display: false }, tooltip: tooltip }, scales: { x: money } }
  });
})();
