// The place page's Sankey of payments between its public bodies. The table beside it carries
// the exact figures; the chart only draws them.
(function () {
  "use strict";
  var source = document.getElementById("sankey-data"), canvas = document.getElementById("sankey-chart");
  if (!source || !canvas || typeof Chart === "undefined" || !window.TotalPlaceMoney) { return; }
  var sankey = JSON.parse(source.textContent);
  if (!sankey.flows.length) { return; }
  var palette = ["#0b5cad", "#1d6b32", "#8a4b00", "#a1262b", "#5a3d8a", "#12355b", "#0f7b7b", "#6b5a00"];
  var colours = {};
  Object.keys(sankey.labels).forEach(function (key, index) { colours[key] = palette[index % palette.length]; });
  var pounds = window.TotalPlaceMoney.pounds;
  canvas.parentNode.style.height = Math.max(16, Object.keys(sankey.labels).length * 2) + "rem";
  new Chart(canvas, {
    type: "sankey",
    data: { datasets: [{
      label: "Payments",
      data: sankey.flows.map(function (f) { return { from: f.from, to: f.to, flow: Number(f.flow) }; }),
      labels: sankey.labels,
      colorFrom: function (c) { return colours[c.dataset.data[c.dataIndex].from]; },
      colorTo: function (c) { return colours[c.dataset.data[c.dataIndex].to]; },
      colorMode: "gradient",
      size: "max"
    }] },
    options: { maintainAspectRatio: false, animation: false, plugins: { tooltip: { callbacks: { label: function (c) {
      var item = c.dataset.data[c.dataIndex];
      return sankey.labels[item.from] + " → " + sankey.labels[item.to] + ": " + pounds(item.flow);
    } } } } }
  });
})();
