// shanzhi: small progressive enhancements; every page works without this.
// Buttons with data-confirm ask before submitting destructive forms.
document.addEventListener("submit", function (e) {
  var b = e.submitter;
  if (b && b.dataset.confirm && !window.confirm(b.dataset.confirm)) {
    e.preventDefault();
  }
});
// A form submits once: a double tap on a slow phone must not send it twice.
document.addEventListener("submit", function (e) {
  if (e.defaultPrevented) return;
  var f = e.target;
  if (f.dataset.sent) { e.preventDefault(); return; }
  f.dataset.sent = "1";
});

// The rankings page: draw the village bars with ECharts when it is there;
// the table beside it carries the same figures for print and old phones.
document.addEventListener("DOMContentLoaded", function () {
  var el = document.getElementById("chart");
  var data = document.getElementById("chart-data");
  if (!el || !data || !window.echarts) return;
  var d = JSON.parse(data.textContent);
  if (!d.names || d.names.length === 0) { el.remove(); return; }
  var chart = window.echarts.init(el);
  chart.setOption({
    grid: { left: 40, right: 10, top: 10, bottom: 80 },
    xAxis: { type: "category", data: d.names, axisLabel: { rotate: 45 } },
    yAxis: { type: "value" },
    series: [{ type: "bar", data: d.values, itemStyle: { color: "#b42318" } }],
    tooltip: {}
  });
  window.addEventListener("resize", function () { chart.resize(); });
});
