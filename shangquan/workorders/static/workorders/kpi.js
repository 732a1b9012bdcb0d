// KPI charts (ECharts from node_modules); data comes from a json_script block.
(function () {
  "use strict";
  var source = document.getElementById("kpi-data");
  if (!source || !window.echarts) return;
  var d = JSON.parse(source.textContent);
  var trend = document.getElementById("kpi-trend");
  if (trend) {
    echarts.init(trend).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["响应率", "解决率", "满意率", "工单量"] },
      grid: { left: 40, right: 40, bottom: 30 },
      xAxis: { type: "category", data: d.periods },
      yAxis: [{ type: "value", max: 100, axisLabel: { formatter: "{value}%" } }, { type: "value" }],
      series: [
        { name: "响应率", type: "line", data: d.response },
        { name: "解决率", type: "line", data: d.resolution },
        { name: "满意率", type: "line", data: d.satisfaction },
        { name: "工单量", type: "bar", yAxisIndex: 1, data: d.volume, itemStyle: { opacity: 0.35 } }
      ]
    });
  }
  var dept = document.getElementById("kpi-departments");
  if (dept) {
    echarts.init(dept).setOption({
      tooltip: { trigger: "axis" },
      legend: { data: ["综合得分", "超时"] },
      grid: { left: 90, right: 30, bottom: 30 },
      xAxis: { type: "value" },
      yAxis: { type: "category", data: d.departments },
      series: [
        { name: "综合得分", type: "bar", data: d.department_composite, itemStyle: { color: "#b71c1c" } },
        { name: "超时", type: "bar", data: d.department_overdue, itemStyle: { color: "#bf8700" } }
      ]
    });
  }
  window.addEventListener("resize", function () {
    [trend, dept].forEach(function (n) { if (n) { var c = echarts.getInstanceByDom(n); if (c) c.resize(); } });
  });
})();
