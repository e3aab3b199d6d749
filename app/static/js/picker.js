// Searchable placement pickers (tom-select, vendored). Options come from the server 20 at a time,
// searched there (?q=) and paged (?page=); without JavaScript the plain <select> and the search
// form above it still work.
(function () {
  if (typeof TomSelect === "undefined") { return; }
  function urlFor(base, query, page) {
    var params = new URLSearchParams();
    if (query) { params.set("q", query); }
    if (page && page > 1) { params.set("page", String(page)); }
    var text = params.toString();
    return text ? base + "?" + text : base;
  }
  document.querySelectorAll("select[data-picker]").forEach(function (select) {
    var base = select.getAttribute("data-picker");
    new TomSelect(select, {
      valueField: "value",
      labelField: "text",
      searchField: [],
      allowEmptyOption: false,
      maxOptions: null,
      preload: "focus",
      placeholder: select.getAttribute("data-placeholder"),
      plugins: { virtual_scroll: {}, clear_button: { title: select.getAttribute("data-clear") } },
      shouldLoad: function () { return true; },
      // the server searched; keep, of the options already loaded, those it would also find
      score: function (query) {
        var words = query.toLowerCase().split(/\s+/).filter(Boolean);
        return function (item) {
          var text = item.keywords || String(item.text || "").toLowerCase();
          return words.every(function (w) { return text.indexOf(w) !== -1; }) ? 1 : 0;
        };
      },
      firstUrl: function (query) { return urlFor(base, query, 1); },
      load: function (query, callback) {
        var self = this;
        var url = self.getUrl(query);
        fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
          .then(function (response) { return response.json(); })
          .then(function (json) {
            if (json.has_next) { self.setNextUrl(query, urlFor(base, query, json.page + 1)); }
            callback(json.items);
          })
          .catch(function () { callback(); });
      },
      render: {
        option: function (data, escape) {
          if (!data.host) { return "<div>" + escape(data.text) + "</div>"; }
          return "<div class=\"picker-option\"><div><strong>" + escape(data.host) + "</strong> · " +
            escape(data.enterprise) + "</div><div class=\"small text-secondary\">" +
            escape(data.host_kind) + " · " + escape(data.league) + " · " + escape(data.period) +
            " · " + escape(data.free_text) + "</div></div>";
        },
        item: function (data, escape) {
          if (!data.host) { return "<div>" + escape(data.text) + "</div>"; }
          return "<div>" + escape(data.host) + " · " + escape(data.enterprise) + " · " +
            escape(data.period) + "</div>";
        },
        no_results: function () {
          return "<div class=\"no-results\">" + select.getAttribute("data-empty") + "</div>";
        },
        loading_more: function () {
          return "<div class=\"loading-more-results py-2 d-flex align-items-center\">" +
            select.getAttribute("data-more") + "</div>";
        },
        no_more_results: function () { return ""; }
      }
    });
  });
})();
