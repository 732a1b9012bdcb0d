// Pass-rate charts on the metrology KPI page (data from json_script; no inline script: CSP).
(function () {
  "use strict";
  var el = document.getElementById("scale-kpi-chart");
  var data = document.getElementById("scale-kpi-data");
  if (!el || !data || !window.echarts) return;
  var k = JSON.parse(data.textContent);
  var chart = window.echarts.init(el, null, { renderer: "svg" });
  chart.setOption({
    aria: { enabled: true },
    grid: { left: 40, right: 16, top: 30, bottom: 40 },
    tooltip: { trigger: "axis" },
    legend: { data: [k.labels.checks, k.labels.rate] },
    xAxis: { type: "category", data: k.periods },
    yAxis: [{ type: "value", name: k.labels.checks, minInterval: 1 },
            { type: "value", name: "%", min: 0, max: 100 }],
    series: [
      { name: k.labels.checks, type: "bar", data: k.totals, itemStyle: { color: "#8c959f" } },
      { name: k.labels.rate, type: "line", yAxisIndex: 1, data: k.rates,
        itemStyle: { color: "#1a7f37" } }
    ]
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
