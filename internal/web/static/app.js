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
