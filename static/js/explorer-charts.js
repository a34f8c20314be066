// The explorer's bar chart and treemap, drawn from the same cells as the table beside them
// (exact decimal strings from the page; the charts only draw them).
(function () {
  "use strict";
  var source = document.getElementById("explorer-data");
  if (!source || typeof Chart === "undefined" || !window.TotalPlaceMoney) { return; }
  var data = JSON.parse(source.textContent);
  var money = data.measure === "amount";
  var show = function (v) {
    return money ? window.TotalPlaceMoney.pounds(v, 2) : Number(v).toLocaleString("en-GB");
  };
  var short = function (v) {
    return money ? window.TotalPlaceMoney.short(v) : Number(v).toLocaleString("en-GB");
  };
  var palette = ["#0b5cad", "#d4351c", "#00703c", "#f47738", "#6f72af", "#28a197", "#912b88", "#85994b"];
  Chart.defaults.animation = false;
  var bars = document.getElementById("chart-bars");
  if (bars) {
    new Chart(bars, {
      type: "bar",
      data: {
        labels: data.bars.map(function (b) { return b.label; }),
        datasets: [{ label: data.measure, data: data.bars.map(function (b) { return Number(b.value); }), backgroundColor: palette[0] }]
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return show(c.raw); } } } },
        // Bars start at zero: a bar's length is its figure.
        scales: { x: { beginAtZero: true, ticks: { callback: short } } }
      }
    });
  }
  var treemap = document.getElementById("chart-treemap");
  if (treemap && data.tree.length) {
    var top = data.groups[0];
    var colours = {};
    data.tree.forEach(function (cell) {
      if (!(cell[top] in colours)) { colours[cell[top]] = palette[Object.keys(colours).length % palette.length]; }
    });
    new Chart(treemap, {
      type: "treemap",
      data: {
        datasets: [{
          tree: data.tree.map(function (cell) { return Object.assign({}, cell, { value: Number(cell.value) }); }),
          key: "value",
          groups: data.groups,
          spacing: 1,
          borderWidth: 1,
          borderColor: "#ffffff",
          // Each rectangle in its top-level group's colour (a group's _data holds its label,
          // a leaf group's its original cells).
          backgroundColor: function (c) {
            var d = c.raw && c.raw._data;
            while (d && !(top in d) && d.children && d.children.length) { d = d.children[0]; }
            return d && d[top] in colours ? colours[d[top]] : "#5a6470";
          },
          labels: { display: true, color: "#ffffff", formatter: function (c) { return c.raw._data.label || c.raw.g; } },
          captions: { display: data.groups.length > 1, color: "#ffffff" }
        }]
      },
      options: {
        maintainAspectRatio: false,
        plugins: {
          legend: { display: false },
          tooltip: { callbacks: {
            title: function (items) { return items[0].raw._data.label || items[0].raw.g; },
            label: function (c) { return show(c.raw.v); }
          } }
        }
      }
    });
  }
})();
