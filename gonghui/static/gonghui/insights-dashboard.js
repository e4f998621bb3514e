// Insights dashboard: charts drawn from the JSON data island (json_script); clicking a child
// org's bar opens its dashboard (drill down). The print buttons print the page.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  var island = document.getElementById("insights-data");
  if (!island || typeof echarts === "undefined") { return; }
  var data = JSON.parse(island.textContent);
  var labels = document.getElementById("insights-labels").dataset;
  var charts = [];

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) { return null; }
    var chart = echarts.init(element);
    // Drawn at once: a bar is where it will stay (clicks, printing).
    option.animation = false;
    chart.setOption(option);
    charts.push(chart);
    return chart;
  }

  draw("chart-years", {
    tooltip: { trigger: "axis" },
    legend: { data: [labels.members, labels.orgs] },
    xAxis: { type: "category", data: data.years },
    yAxis: [{ type: "value" }, { type: "value" }],
    series: [
      { name: labels.members, type: "bar", data: data.yearly.members },
      { name: labels.orgs, type: "line", yAxisIndex: 1, data: data.yearly.orgs }
    ]
  });

  draw("chart-months", {
    tooltip: { trigger: "axis" },
    legend: { data: [labels.joined, labels.received, labels.closed, labels.cards] },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value" },
    series: [
      { name: labels.joined, type: "bar", data: data.monthly.members_joined },
      { name: labels.cards, type: "bar", data: data.monthly.cards_issued },
      { name: labels.received, type: "line", data: data.monthly.appeals_received },
      { name: labels.closed, type: "line", data: data.monthly.appeals_closed }
    ]
  });

  var children = draw("chart-children", {
    tooltip: { trigger: "axis" },
    grid: { bottom: 90 },
    xAxis: {
      type: "category", data: data.children.map(function (c) { return c.name; }),
      axisLabel: { rotate: 35, interval: 0 }, triggerEvent: true
    },
    yAxis: { type: "value" },
    series: [{ name: labels.members, type: "bar", data: data.children.map(function (c) { return c.members; }) }]
  });
  if (children) {
    children.getZr().setCursorStyle("pointer");
    children.on("click", function (event) {
      var index = event.componentType === "xAxis"
        ? data.children.findIndex(function (c) { return c.name === event.value; })
        : event.dataIndex;
      if (index >= 0 && data.children[index]) { window.location.assign(data.children[index].url); }
    });
  }

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener("beforeprint", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
