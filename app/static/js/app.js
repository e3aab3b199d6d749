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
// Lists on phones: each cell carries its column's name so a stacked row reads like a card.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("main table.table").forEach(function (table) {
    var heads = Array.prototype.map.call(table.querySelectorAll("thead th"), function (th) {
      return th.textContent.trim();
    });
    if (!heads.length) { return; }
    table.querySelectorAll("tbody > tr").forEach(function (row) {
      var column = 0;
      Array.prototype.forEach.call(row.children, function (cell) {
        if (!cell.hasAttribute("data-label") && heads[column]) {
          cell.setAttribute("data-label", heads[column]);
        }
        column += cell.colSpan || 1;
      });
    });
  });
});
// A list wider than the screen scrolls inside its box: keyboard users can focus and scroll it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".table-responsive").forEach(function (box) {
    if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
      box.setAttribute("tabindex", "0");
    }
  });
});
