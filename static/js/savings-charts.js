/* Charts on the pilot pages. The data comes from json_script tags; every chart has a table
   beside it with the exact figures, so a page without JavaScript (or without the chart
   libraries) loses nothing. Amounts arrive as decimal strings and become numbers only to draw. */
(function () {
  "use strict";

  function data(id) {
    var element = document.getElementById(id);
    return element ? JSON.parse(element.textContent) : null;
  }

  // One money formatter for every chart (static/js/money.js): short axis ticks (£8.2bn),
  // whole pounds in tooltips.
  var pounds = window.TotalPlaceMoney.pounds;
  var moneyAxis = { ticks: { callback: function (value) { return window.TotalPlaceMoney.short(value); } } };
  var moneyTooltip = {
    callbacks: {
      label: function (context) {
        var value = context.parsed.y !== undefined ? context.parsed.y : context.raw.flow;
        return (context.dataset.label ? context.dataset.label + ": " : "") + pounds(value);
      }
    }
  };

  function spendChart() {
    var spend = data("spend-data");
    var canvas = document.getElementById("spend-chart");
    if (!spend || !canvas) return;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: spend.labels,
        datasets: [{ label: "Approved spend", data: spend.values.map(Number), backgroundColor: "#0b5cad" }]
      },
      options: { maintainAspectRatio: false, scales: { y: moneyAxis }, plugins: { tooltip: moneyTooltip } }
    });
  }

  function yearsChart() {
    var years = data("years-data");
    var canvas = document.getElementById("years-chart");
    if (!years || !canvas) return;
    var negative = function (values) { return values.map(function (v) { return -Number(v); }); };
    new Chart(canvas, {
      data: {
        labels: years.labels,
        datasets: [
          { type: "bar", label: "Costs (PV)", data: negative(years.pv_costs), backgroundColor: "#a1262b", stack: "flows" },
          { type: "bar", label: "Fiscal savings (PV)", data: years.pv_fiscal.map(Number), backgroundColor: "#1d6b32", stack: "flows" },
          { type: "bar", label: "Economic (PV)", data: years.pv_economic.map(Number), backgroundColor: "#6a9f58", stack: "flows" },
          { type: "bar", label: "Social (PV)", data: years.pv_social.map(Number), backgroundColor: "#b8d4a8", stack: "flows" },
          // A stack of its own: the running total is drawn beside the bars, never added to them.
          { type: "line", label: "Cumulative fiscal net (PV)", data: years.cumulative.map(Number), borderColor: "#12355b", backgroundColor: "#12355b", tension: 0.1, stack: "cumulative" }
        ]
      },
      options: {
        maintainAspectRatio: false,
        // Benefits stack upwards (fiscal, economic, social: the year's PV benefits) and costs
        // downwards; unstacked, the smaller benefits were hidden behind the fiscal bar.
        scales: { x: { stacked: true }, y: Object.assign({ stacked: true }, moneyAxis) },
        plugins: { tooltip: moneyTooltip }
      }
    });
  }

  function sankeyChart() {
    var sankey = data("sankey-data");
    var canvas = document.getElementById("sankey-chart");
    if (!sankey || !canvas || !sankey.flows.length) return;
    var palette = ["#0b5cad", "#1d6b32", "#8a4b00", "#a1262b", "#5a3d8a", "#12355b", "#0f7b7b", "#6b5a00"];
    var colours = {};
    Object.keys(sankey.labels).forEach(function (key, index) { colours[key] = palette[index % palette.length]; });
    new Chart(canvas, {
      type: "sankey",
      data: {
        datasets: [{
          label: "Present value",
          data: sankey.flows.map(function (f) { return { from: f.from, to: f.to, flow: Number(f.flow) }; }),
          labels: sankey.labels,
          colorFrom: function (c) { return colours[c.dataset.data[c.dataIndex].from]; },
          colorTo: function (c) { return colours[c.dataset.data[c.dataIndex].to]; },
          colorMode: "gradient",
          size: "max"
        }]
      },
      options: {
        maintainAspectRatio: false,
        plugins: {
          tooltip: {
            callbacks: {
              label: function (c) {
                var item = c.dataset.data[c.dataIndex];
                return sankey.labels[item.from] + " → " + sankey.labels[item.to] + ": " + pounds(item.flow);
              }
            }
          }
        }
      }
    });
  }

  function start() {
    if (typeof Chart === "undefined") return; /* npm packages not installed: tables only */
    spendChart();
    yearsChart();
    sankeyChart();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
