// The search page: Pagefind's UI, loaded from this site (no other site is contacted).
// Pagefind segments Chinese text (its extended build); the index is built by `make html`.
(function () {
  "use strict";
  var box = document.getElementById("search");
  if (!box) return;
  if (typeof PagefindUI === "undefined") {
    var p = document.createElement("p");
    p.textContent = "搜索索引尚未生成（请运行 make html）。";
    box.appendChild(p);
    return;
  }
  var ui = new PagefindUI({
    element: "#search",
    showSubResults: true,
    showImages: false,
    translations: { placeholder: "搜索单位名称、统一社会信用代码、事项、人员……" }
  });
  // A search handed over by another page's form (search/?q=…), as on the enterprise list.
  var q = new URLSearchParams(window.location.search).get("q");
  if (q) ui.triggerSearch(q);
})();
