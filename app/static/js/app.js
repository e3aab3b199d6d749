// Gongxue behaviour without inline script (CSP forbids it).
document.addEventListener("submit", function (event) {
  var form = event.target;
  var message = form.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
document.addEventListener("change", function (event) {
  var el = event.target;
  if (el.matches("[data-autosubmit]")) {
    el.form.submit();
  }
  if (el.matches("[data-host-kind]")) {
    toggleHostFields(el.value);
  }
});
function toggleHostFields(kind) {
  document.querySelectorAll("[data-kind-only]").forEach(function (node) {
    var kinds = node.getAttribute("data-kind-only").split(" ");
    node.hidden = kinds.indexOf(kind) === -1;
  });
}
document.addEventListener("DOMContentLoaded", function () {
  var select = document.querySelector("[data-host-kind]");
  if (select) { toggleHostFields(select.value); }
});
