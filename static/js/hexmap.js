// The hex map: d3-hexjson lays out the districts' hexes, d3-selection draws them. The page's
// table holds the same figures; each hex only carries its quintile (a CSS class) and a title.
(function () {
  "use strict";
  var source = document.getElementById("hexmap-data");
  var figure = document.getElementById("hexmap");
  if (!source || !figure || typeof d3 === "undefined" || !d3.renderHexJSON) { return; }
  var hexjson = JSON.parse(source.textContent);
  var width = 600, height = 820;
  var hexes = d3.renderHexJSON(hexjson, width, height);
  var svg = d3.select(figure).insert("svg", "figcaption")
    .attr("viewBox", "0 0 " + width + " " + height)
    .attr("role", "img")
    .attr("aria-labelledby", "hexmap-caption");
  var cells = svg.selectAll("g").data(hexes).join("g")
    .attr("transform", function (h) { return "translate(" + h.x + "," + h.y + ")"; })
    .attr("data-code", function (h) { return h.key; });
  cells.append("polygon")
    .attr("points", function (h) { return h.points; })
    // No figure is "no data" (grey), never the lowest band: a missing figure is not £0.
    .attr("class", function (h) { return "hex " + (h.band === null ? "band-none" : "band-" + h.band); });
  cells.append("title").text(function (h) { return h.figure; });
})();
