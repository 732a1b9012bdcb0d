// The weekly outdoor-display compliance chart (the table below it holds the same numbers).
(function () {
  "use strict";
  var el = document.getElementById("outdoor-chart"), data = document.getElementById("outdoor-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  window.echarts.init(el).setOption({
    grid: { left: 40, right: 16, top: 16, bottom: 30 },
    xAxis: { type: "category", data: d.weeks },
    yAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } },
    series: [{ type: "line", data: d.rates, smooth: true }]
  });
})();
