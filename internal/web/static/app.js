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
// The review queue: the 同意所选 button counts the ticked items as they are
// ticked, so the committee sees how many it is about to approve.
document.addEventListener("change", function (e) {
  var out = document.getElementById("chosen-count");
  if (!out || e.target.name !== "id") return;
  out.textContent = document.querySelectorAll('input[name="id"][form="bulk"]:checked').length;
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
// Grouped bar charts (the rural-leader coverage page): each .chart with a
// data-chart names the JSON block holding its categories and series; the
// table beside it carries the same figures for print and old phones.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.echarts) return;
  var colors = ["#b42318", "#1d4ed8"];
  document.querySelectorAll(".chart[data-chart]").forEach(function (el) {
    var data = document.getElementById(el.dataset.chart);
    if (!data) return;
    var d = JSON.parse(data.textContent);
    if (!d.names || !d.series) { el.remove(); return; }
    var chart = window.echarts.init(el);
    chart.setOption({
      grid: { left: 40, right: 10, top: 30, bottom: 60 },
      legend: { top: 0 },
      xAxis: { type: "category", data: d.names, axisLabel: { interval: 0, rotate: 20 } },
      yAxis: { type: "value", minInterval: 1 },
      series: d.series.map(function (s, i) {
        return { name: s.name, type: "bar", data: s.values, itemStyle: { color: colors[i % colors.length] } };
      }),
      tooltip: {}
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
});

// Large-type mode: on a phone a table becomes one card per row (app.css);
// each cell takes its column's name so the card still says what each
// figure is.
document.addEventListener("DOMContentLoaded", function () {
  if (!document.documentElement.classList.contains("large")) return;
  document.querySelectorAll("table.grid").forEach(function (t) {
    var heads = Array.prototype.map.call(t.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
    t.querySelectorAll("tbody tr").forEach(function (tr) {
      Array.prototype.forEach.call(tr.children, function (td, i) {
        if (heads[i] && !td.hasAttribute("colspan")) td.dataset.label = heads[i];
      });
    });
  });
});

// The inspection sheet: tick all or none, count what is ticked, show the
// photo column when the chosen item needs a photo, and say before sending
// which ticked rows still lack their photo. The server checks the same.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form.inspection");
  if (!form) return;
  var boxes = form.querySelectorAll("input[name=household]");
  var count = document.getElementById("checked-count");
  var problem = document.getElementById("sheet-error");
  var item = document.getElementById("item");
  function update() {
    var n = 0;
    boxes.forEach(function (b) { if (b.checked) n++; });
    count.textContent = form.dataset.count.replace("%d", n);
  }
  function setAll(on) {
    boxes.forEach(function (b) { b.checked = on; });
    update();
  }
  document.getElementById("check-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("check-none").addEventListener("click", function () { setAll(false); });
  form.addEventListener("change", function (e) {
    if (e.target === item) {
      var o = item.options[item.selectedIndex];
      form.classList.toggle("needs-photo", !!(o && o.dataset.photo));
    }
    update();
  });
  form.addEventListener("submit", function (e) {
    var ticked = [], missing = [];
    boxes.forEach(function (b) {
      if (!b.checked) return;
      var row = b.closest("tr");
      ticked.push(row.dataset.number);
      var file = row.querySelector("input[type=file]");
      if (form.classList.contains("needs-photo") && (!file || file.files.length === 0)) missing.push(row.dataset.number);
    });
    var msg = "";
    if (ticked.length === 0) msg = form.dataset.none;
    else if (missing.length > 0) msg = form.dataset.missing.replace("%s", missing.join("、"));
    if (msg) {
      e.preventDefault();
      e.stopImmediatePropagation();
      problem.textContent = msg;
      problem.hidden = false;
      problem.scrollIntoView({ block: "center" });
    }
  }, true);
  update();
});

// Print views: the print button prints the page (print CSS shows only the
// document); inline handlers are not allowed by the CSP.
document.addEventListener("click", function (e) {
  if (e.target.closest("[data-print]")) window.print();
});
