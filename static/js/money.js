// Money as the charts show it. The figures arrive as exact decimal strings; charts only draw
// them, the tables beside them carry the exact amounts.
window.TotalPlaceMoney = (function () {
  "use strict";
  // Whole pounds (tooltips); per-head figures keep their pence.
  var pounds = function (value, digits) {
    var v = Number(value);
    return (v < 0 ? "−£" : "£") + Math.abs(v).toLocaleString("en-GB", { maximumFractionDigits: digits || 0 });
  };
  // Axis ticks in short form: £8.2bn, £450m, £12k.
  var short = function (value) {
    var v = Number(value), a = Math.abs(v), units = [[1e9, "bn"], [1e6, "m"], [1e3, "k"]];
    for (var i = 0; i < units.length; i++) {
      if (a >= units[i][0]) {
        return (v < 0 ? "−£" : "£") + (a / units[i][0]).toLocaleString("en-GB", { maximumFractionDigits: 1 }) + units[i][1];
      }
    }
    return pounds(v, 2);
  };
  return { pounds: pounds, short: short };
})();
