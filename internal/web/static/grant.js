// shanzhi: the grant form names the region as its code is typed, so a
// typo that is another real village's code shows before the grant is made.
document.addEventListener("DOMContentLoaded", function () {
  var input = document.querySelector("input[data-region-name]");
  var out = document.getElementById("region-name");
  if (!input || !out) return;
  var help = out.textContent;
  var asked = "";
  input.addEventListener("input", function () {
    var code = input.value.trim();
    if (!/^\d{12}$/.test(code)) { out.textContent = help; asked = ""; return; }
    if (code === asked) return;
    asked = code;
    fetch(input.dataset.regionName + "?code=" + encodeURIComponent(code), { credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (d) {
        if (d.code !== input.value.trim()) return; // typed on meanwhile
        out.textContent = d.path || d.error;
      })
      .catch(function () { out.textContent = help; });
  });
});
