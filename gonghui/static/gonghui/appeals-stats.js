// Draws the 12351 dashboard charts from the JSON data island the page renders (json_script).
(function () {
  "use strict";
  var island = document.getElementById("appeal-stats");
  if (!island || typeof echarts === "undefined") { return; }
  var data = JSON.parse(island.textContent);
  var labels = document.getElementById("appeal-stats-labels").dataset;

  var months = data.by_month.map(function (row) { return row.label; });
  echarts.init(document.getElementById("chart-month")).setOption({
    tooltip: { trigger: "axis" },
    legend: { data: [labels.received, labels.closed, labels.rate] },
    xAxis: { type: "category", data: months },
    yAxis: [{ type: "value" }, { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value}%" } }],
    series: [
      { name: labels.received, type: "bar", data: data.by_month.map(function (r) { return r.received; }) },
      { name: labels.closed, type: "bar", data: data.by_month.map(function (r) { return r.closed; }) },
      {
        name: labels.rate, type: "line", yAxisIndex: 1,
        data: data.by_month.map(function (r) {
          return r.completion_rate === null ? null : Math.round(r.completion_rate * 1000) / 10;
        })
      }
    ]
  });

  echarts.init(document.getElementById("chart-category")).setOption({
    tooltip: { trigger: "item" },
    series: [{
      type: "pie", radius: ["40%", "70%"],
      data: data.by_category.map(function (r) { return { name: r.label, value: r.received }; })
    }]
  });

  window.addEventListener("resize", function () {
    ["chart-month", "chart-category"].forEach(function (id) {
      var chart = echarts.getInstanceByDom(document.getElementById(id));
      if (chart) { chart.resize(); }
    });
  });
}());
